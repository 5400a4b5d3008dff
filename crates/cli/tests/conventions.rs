//! Shell completions and man pages come from the parser's own definitions: every command and
//! option the parser knows is in them.

mod common;

use common::renown;

#[test]
fn completions_name_every_command_in_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = renown(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in [
            "ingest",
            "rank",
            "explain",
            "export",
            "completions",
            "--as-of",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
        // PowerShell's script completes commands and options, not their values.
        if shell != "powershell" {
            assert!(
                script.contains("graphml"),
                "{shell} completions lack --format's values"
            );
        }
    }
    let out = renown(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_pages_cover_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = renown(dir.path(), &["man"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH renown"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("Measure earned influence"));
    let out = renown(dir.path(), &["man", "--dir", "pages"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let export = std::fs::read_to_string(dir.path().join("pages/renown-graph-export.1")).unwrap();
    assert!(export.contains(".TH renown-graph-export"));
    for option in ["\\-\\-as\\-of", "gexf", "npz"] {
        assert!(
            export.contains(option),
            "renown-graph-export.1 lacks {option}"
        );
    }
    assert!(dir.path().join("pages/renown-rank.1").exists());
}
