//! `renown backtest` as a user runs it: on the demo store with the truth the demo writes, in
//! every output format, and refusing bad input with a message instead of a panic.

mod common;
use common::renown;

use serde_json::Value;

#[test]
fn backtest_on_the_demo_with_its_truth() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = renown(d, &["demo", "--dir", "demo", "--accounts", "200"]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let text = String::from_utf8_lossy(&demo.stdout);
    assert!(text.contains("truth spearman"), "{text}");
    assert!(d.join("demo/truth.csv").exists());

    let db = ["--db", "demo/demo.db", "backtest", "--bootstrap", "10"];
    let json = renown(
        d,
        &[&db[..], &["--truth", "demo/truth.csv", "--format", "json"]].concat(),
    );
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    let splits = v["splits"].as_array().unwrap();
    assert_eq!(splits.len(), 3);
    for s in splits {
        assert!(s["truth_accounts"].as_u64().unwrap() > 0);
        let measures = s["measures"].as_array().unwrap();
        assert_eq!(measures.len(), renown_measures::MEASURES.len());
        let earned = &measures[0];
        assert_eq!(earned["measure"], "earned");
        assert!(earned["truth_spearman"].is_f64());
        let ndcg = &earned["metrics"][2];
        assert!(ndcg["lo"].as_f64().unwrap() <= ndcg["hi"].as_f64().unwrap());
    }

    let csv = renown(d, &[&db[..], &["--format", "csv"]].concat());
    let csv = String::from_utf8(csv.stdout).unwrap();
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("split,until,accounts,with_target,measure,spearman,"));
    assert_eq!(lines.count(), 3 * renown_measures::MEASURES.len());

    let table = renown(d, &db);
    assert!(String::from_utf8_lossy(&table.stdout).contains("Best baseline: spearman"));

    for bad in [
        &["--k", "0"][..],
        &["--measures", "nonsense"],
        &["--truth", "missing.csv"],
        &["--split", "1999-01-01"],
        &["--horizon", "-3d"],
    ] {
        let out = renown(d, &[&db[..], bad].concat());
        assert!(!out.status.success(), "{bad:?} succeeded");
        assert!(!out.stderr.is_empty(), "{bad:?} said nothing");
    }
}
