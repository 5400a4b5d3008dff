//! The web readers on real files: the counts published in docs/FORMATS.md, checked here.

use renown_ingest::{detect, format_by_name, open_input, Sink, Stop};
use renown_model::{Kind, Record};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Default)]
struct Tally {
    kinds: BTreeMap<&'static str, u64>,
    resolved: u64,
    unresolved: u64,
    profiles: u64,
    rejects: Vec<String>,
    damage: Vec<String>,
    warnings: Vec<String>,
    text: String,
}

impl Sink for Tally {
    fn record(&mut self, _: u64, r: Record) -> Result<(), Stop> {
        match r {
            Record::Event(e) => {
                *self.kinds.entry(e.kind.name()).or_default() += 1;
                if matches!(e.kind, Kind::Reply | Kind::Comment) {
                    if e.target.is_some() {
                        self.resolved += 1;
                    } else {
                        self.unresolved += 1;
                    }
                }
                self.text.push_str(&format!("{e:?}"));
            }
            Record::Profile(p) => {
                self.profiles += 1;
                self.text.push_str(&format!("{p:?}"));
            }
            Record::Deletion(d) => panic!("a web format deleted {d:?}"),
        }
        Ok(())
    }
    fn reject(&mut self, line: u64, reason: String) -> Result<(), Stop> {
        self.rejects.push(format!("{line}: {reason}"));
        Ok(())
    }
    fn damaged(&mut self, line: u64, reason: String) {
        self.damage.push(format!("{line}: {reason}"));
    }
    fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }
}

impl Tally {
    fn count(&self, k: &str) -> u64 {
        self.kinds.get(k).copied().unwrap_or(0)
    }
}

fn shared(rel: &str) -> Option<PathBuf> {
    renown_testdata::shared(rel)
}

/// Reads with the detected reader, which must be `expect`.
fn read(path: &Path, expect: &str) -> Tally {
    let mut input = open_input(path).unwrap();
    let f = detect(&input).map(|f| f.name());
    assert_eq!(f, Some(expect), "{}", path.display());
    let mut t = Tally::default();
    format_by_name(expect)
        .unwrap()
        .read(&mut input, &Default::default(), &mut t)
        .unwrap();
    t
}

#[test]
fn wordpress_cc_labs() {
    let Some(p) = shared("data/wordpress/cc-labs.wordpress.xml") else {
        return;
    };
    let t = read(&p, "wordpress");
    println!(
        "{:?} resolved {} unresolved {} rejects {:?} warnings {:?}",
        t.kinds, t.resolved, t.unresolved, t.rejects, t.warnings
    );
    assert_eq!(t.count("post"), 219);
    assert_eq!(t.count("comment") + t.count("reply"), 181 - 62);
    assert_eq!(t.count("reply"), 3);
    assert_eq!(t.count("link"), 62);
    assert_eq!(t.unresolved, 0);
    assert!(t.rejects.is_empty(), "{:?}", t.rejects);
    assert!(!t.text.contains('@'), "an e-mail address leaked");
}

#[test]
fn wordpress_theme_unit_test() {
    let Some(p) = shared("data/wordpress/themeunittestdata.wordpress.xml") else {
        return;
    };
    let t = read(&p, "wordpress");
    // 58 posts, one a draft; 33 comments: 3 awaiting moderation skipped, 4 ping/trackbacks,
    // 26 comments and replies (9 of the 10 threaded ones; the 10th awaits moderation).
    assert_eq!(t.count("post"), 57);
    assert_eq!(t.count("comment"), 17);
    assert_eq!(t.count("reply"), 9);
    assert_eq!(t.count("link"), 4);
    assert_eq!(t.unresolved, 0);
    assert!(t
        .warnings
        .iter()
        .any(|w| w.starts_with("3 comments awaiting moderation")));
    assert!(t.warnings.iter().any(|w| w.starts_with("1 draft")));
    assert!(!t.text.contains('@'), "an e-mail address leaked");
}

#[test]
fn opml_engineering_blogs() {
    let Some(p) = shared("data/opml/engineering_blogs.opml") else {
        return;
    };
    let t = read(&p, "opml");
    assert_eq!(t.count("subscribe"), 422);
    assert!(t.rejects.is_empty() && t.warnings.is_empty());
}

#[test]
fn format_samples() {
    // (file, reader, "kind=count ..." as in docs/FORMATS.md, resolved replies, unresolved)
    for (file, fmt, kinds, resolved, unresolved) in [
        (
            "formats/reddit_comments_RC.ndjson",
            "reddit",
            "reply=4",
            0,
            4,
        ),
        (
            "formats/reddit_submissions_RS.ndjson",
            "reddit",
            "post=2",
            0,
            0,
        ),
        (
            "formats/wordpress_wxr.xml",
            "wordpress",
            "comment=1 post=1",
            1,
            0,
        ),
        (
            "formats/rss2_wordpress_slash.xml",
            "feed",
            "link=1 post=1",
            0,
            0,
        ),
        (
            "formats/opml_subscriptionList.opml",
            "opml",
            "subscribe=4",
            0,
            0,
        ),
    ] {
        let Some(p) = shared(file) else { continue };
        let t = read(&p, fmt);
        let got: Vec<String> = t.kinds.iter().map(|(k, n)| format!("{k}={n}")).collect();
        assert_eq!(got.join(" "), kinds, "{file}");
        assert_eq!((t.resolved, t.unresolved), (resolved, unresolved), "{file}");
        assert!(t.rejects.is_empty(), "{file}: {:?}", t.rejects);
    }
}

/// The feed-fixture table of docs/FORMATS.md: `| file | outcome | posts | links | note |`.
fn documented_feed_outcomes() -> Vec<(String, String, u64, u64, String)> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/FORMATS.md"
    ))
    .expect("docs/FORMATS.md");
    let section = doc
        .split("### Feed fixtures")
        .nth(1)
        .expect("a Feed fixtures section");
    section
        .lines()
        .skip_while(|l| !l.starts_with("| `"))
        .take_while(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (
                cells[0].trim_matches('`').to_string(),
                cells[1].to_string(),
                cells[2].parse().unwrap_or(0),
                cells[3].parse().unwrap_or(0),
                cells[4].to_string(),
            )
        })
        .collect()
}

#[test]
fn feed_fixtures_match_the_documented_outcomes() {
    let Some(dir) = shared("data/feeds") else {
        return;
    };
    let rows = documented_feed_outcomes();
    let mut files = Vec::new();
    for sub in ["node-feedparser", "rss-parser"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    files.sort();
    assert_eq!(rows.len(), files.len(), "one documented row per fixture");
    let mut mismatches = Vec::new();
    for p in &files {
        let rel = p.strip_prefix(&dir).unwrap().display().to_string();
        let row = rows
            .iter()
            .find(|r| r.0 == rel)
            .unwrap_or_else(|| panic!("{rel} is not documented"));
        let mut input = open_input(p).unwrap();
        let got = match detect(&input) {
            None => {
                // Refused by detection; forcing the feed reader must refuse with a reason too.
                let mut t = Tally::default();
                let err =
                    format_by_name("feed")
                        .unwrap()
                        .read(&mut input, &Default::default(), &mut t);
                let reason = err.expect_err("a non-feed must be refused").to_string();
                assert!(reason.contains("not a feed"), "{rel}: {reason}");
                ("refused".to_string(), 0, 0)
            }
            Some(f) => {
                assert_eq!(f.name(), "feed", "{rel}");
                let mut t = Tally::default();
                f.read(&mut input, &Default::default(), &mut t).unwrap();
                assert_eq!(t.profiles, 1, "{rel}: the blog's profile");
                let outcome = if !t.damage.is_empty() {
                    "partial"
                } else if !t.rejects.is_empty() || !t.warnings.is_empty() {
                    "read, with warnings"
                } else {
                    "read"
                };
                (outcome.to_string(), t.count("post"), t.count("link"))
            }
        };
        if (got.0.as_str(), got.1, got.2) != (row.1.as_str(), row.2, row.3) {
            mismatches.push(format!(
                "{rel}: documented {:?}, got {got:?}",
                (&row.1, row.2, row.3)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn print_feed_fixture_table() {
    // Prints the table rows (run with --nocapture to regenerate docs after a reader change).
    let Some(dir) = shared("data/feeds") else {
        return;
    };
    let mut files = Vec::new();
    for sub in ["node-feedparser", "rss-parser"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    files.sort();
    for p in files {
        let rel = p.strip_prefix(&dir).unwrap().display().to_string();
        let mut input = open_input(&p).unwrap();
        let Some(f) = detect(&input) else {
            let mut t = Tally::default();
            let e = format_by_name("feed")
                .unwrap()
                .read(&mut input, &Default::default(), &mut t);
            println!(
                "ROW | `{rel}` | refused | 0 | 0 | {} |",
                e.err().map(|e| e.to_string()).unwrap_or_default()
            );
            continue;
        };
        let mut t = Tally::default();
        let _ = f.read(&mut input, &Default::default(), &mut t);
        let outcome = if !t.damage.is_empty() {
            "partial"
        } else if !t.rejects.is_empty() || !t.warnings.is_empty() {
            "read, with warnings"
        } else {
            "read"
        };
        let notes: Vec<String> = t
            .damage
            .iter()
            .chain(&t.rejects)
            .chain(&t.warnings)
            .cloned()
            .collect();
        println!(
            "ROW | `{rel}` | {outcome} | {} | {} | {} |",
            t.count("post"),
            t.count("link"),
            notes.join("; ")
        );
    }
}

#[test]
fn unresolved_replies_reach_the_store_stats_and_reingest_is_idempotent() {
    let (Some(rc), Some(wp)) = (
        shared("formats/reddit_comments_RC.ndjson"),
        shared("data/wordpress/cc-labs.wordpress.xml"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = renown_store::Store::open(&dir.path().join("t.db")).unwrap();
    let opts = renown_ingest::IngestOptions::default();
    for p in [&rc, &wp] {
        let r = renown_ingest::ingest_path(&mut store, p, &opts, &mut |_, _, _| {}).unwrap();
        assert!(r.error.is_none(), "{:?}", r.error);
    }
    let stats = store.stats().unwrap();
    // The four sample replies have no parent in the file; every CC Labs comment resolved.
    assert_eq!(stats.unresolved, 4);
    assert_eq!(stats.events, 4 + 219 + 116 + 3 + 62);
    let again = renown_ingest::ingest_path(&mut store, &wp, &opts, &mut |_, _, _| {}).unwrap();
    assert_eq!((again.added, again.duplicate), (0, 219 + 116 + 3 + 62));
}
