//! `renown seeds` and `renown simulate` end to end on a small Higgs-format store.

mod common;
use common::renown;

/// A star: account 1 is reshared by 2..=12 before the cut and by 13..=20 after it; account 30
/// is reshared once. Learned from before the cut, 1 is the one seed worth having.
fn store(dir: &std::path::Path) {
    let mut lines = String::new();
    let cut = 1_341_360_000; // 2012-07-04T00:00:00Z
    for u in 2..=12 {
        lines += &format!("{u} 1 {} RT\n", cut - 10_000 + u);
    }
    lines += &format!("31 30 {} RT\n", cut - 5_000);
    for u in 13..=20 {
        lines += &format!("{u} 1 {} RT\n", cut + 1_000 + u);
    }
    std::fs::write(dir.join("higgs.txt"), lines).unwrap();
    let out = renown(dir, &["ingest", "higgs.txt", "--format", "higgs"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn seeds_compare_holdout_and_simulate() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    let out = renown(
        dir.path(),
        &[
            "seeds",
            "--k",
            "1",
            "--as-of",
            "2012-07-03",
            "--compare",
            "--holdout",
            "--sims",
            "2000",
            "--format",
            "json",
            "--seeds-out",
            "s.txt",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["seeds"][0]["account"], "higgs:1", "{r}");
    let im = &r["comparison"][0];
    assert_eq!(im["strategy"], "influence maximization");
    // Learned before the cut, the 11 resharers of 1 each took up its one item: spread 12.
    let spread = im["spread"]["mean"].as_f64().unwrap();
    assert!(spread > 10.0 && spread <= 12.0, "{spread}");
    // After the cut 8 more accounts took it up.
    assert_eq!(im["observed"]["direct"], 8);
    assert_eq!(im["observed"]["cascade"], 8);
    let followers = &r["comparison"][1];
    assert_eq!(followers["strategy"], "top-k by followers");
    assert!(
        followers["note"]
            .as_str()
            .unwrap()
            .contains("score above 0"),
        "{followers}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("s.txt")).unwrap(),
        "higgs:1\n"
    );

    let out = renown(
        dir.path(),
        &[
            "simulate",
            "--seeds",
            "s.txt",
            "--as-of",
            "2012-07-03",
            "--sims",
            "2000",
            "--format",
            "csv",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("seeds,simulations,spread,"), "{csv}");

    // Unknown seed accounts, a holdout without a date and learned probabilities on an edge
    // list are usage errors, not panics.
    std::fs::write(dir.path().join("bad.txt"), "nobody\n").unwrap();
    let out = renown(dir.path(), &["simulate", "--seeds", "bad.txt"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.txt:1"));
    let out = renown(dir.path(), &["seeds", "--k", "1", "--compare", "--holdout"]);
    assert!(!out.status.success());
    std::fs::write(dir.path().join("g.el"), "0 1\n1 2\n").unwrap();
    let out = renown(dir.path(), &["seeds", "--k", "1", "--input", "g.el"]);
    assert!(!out.status.success());
    let out = renown(
        dir.path(),
        &[
            "seeds",
            "--k",
            "1",
            "--input",
            "g.el",
            "--probabilities",
            "constant:1",
            "--format",
            "csv",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(1),
        Some("0")
    );
}
