//! Data renown's fixtures did not have, through the real binary: an account that answers and
//! reshares itself, a store of one account, a kernel bin fed by a handful of arrivals. Each says
//! what it is instead of passing for a result.

mod common;
use common::renown;

use serde_json::Value;
use std::path::Path;

const T0: i64 = 1_600_000_000;
const DAY: i64 = 86_400;

/// Ingests `rows` (CSV lines after the header) into `renown.db` in `dir`.
fn ingest(dir: &Path, rows: &[String]) {
    let mut csv = String::from("time,platform,kind,actor,target,item,parent\n");
    for r in rows {
        csv.push_str(r);
        csv.push('\n');
    }
    std::fs::write(dir.join("events.csv"), csv).unwrap();
    let out = renown(dir, &["ingest", "events.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(dir: &Path, args: &[&str]) -> (Value, String) {
    let out = renown(dir, args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?}: {stderr}");
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"));
    (v, stderr)
}

#[test]
fn answering_or_resharing_ones_own_post_is_not_spread() {
    // A Mastodon archive's owner continues its own threads; `me` here posts every day, replies
    // to its post and reshares it, and nobody else takes it up except once: `fan` reshares one
    // thread's reply, and `fan2` reshares that.
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    for d in 0..20 {
        let t = T0 + d * DAY;
        rows.push(format!("{t},x,post,me,,p{d},"));
        rows.push(format!("{},x,reply,me,me,t{d},p{d}", t + 60));
        rows.push(format!("{},x,reshare,me,me,s{d},p{d}", t + 120));
    }
    rows.push(format!("{},x,reshare,fan,me,f0,t0", T0 + 600));
    rows.push(format!("{},x,reshare,fan2,fan,f1,f0", T0 + 900));
    ingest(dir.path(), &rows);
    let (v, _) = json(dir.path(), &["cascades", "--format", "json", "--top", "0"]);
    // One cascade: me's first post (its own reply folded into it), fan, fan2 under fan. Its
    // other 19 threads spread to no one.
    assert_eq!(v["total"], 1, "{v}");
    let c = &v["rows"][0];
    assert_eq!(
        (&c["id"], &c["size"], &c["depth"]),
        (&"p0".into(), &3.into(), &2.into()),
        "{v}"
    );
    assert_eq!(v["anomalies"]["self_responses"], 40, "{v}");
    let (accounts, _) = json(
        dir.path(),
        &["cascades", "--accounts", "--format", "json", "--top", "0"],
    );
    let me = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == "x:me")
        .unwrap_or_else(|| panic!("{accounts}"));
    assert_eq!(
        (&me["cascades_started"], &me["downstream_reach"]),
        (&1.into(), &2.into()),
        "{accounts}"
    );
    // The table's trailer says how many were folded.
    let out = renown(dir.path(), &["cascades"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("40 responses to one's own item (not spread)"),
        "{stderr}"
    );
}

#[test]
fn a_store_of_one_account_ranks_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    ingest(
        dir.path(),
        &[
            format!("{T0},x,post,solo,,p1,"),
            format!("{},x,reshare,solo,solo,r1,p1", T0 + 60),
        ],
    );
    for by in ["earned", "engagement", "pagerank", "tweepcred"] {
        let (v, stderr) = json(dir.path(), &["rank", "--by", by, "--format", "json"]);
        assert_eq!(v["total"], 1, "{v}");
        let w = &v["warnings"][0];
        assert_eq!(w["code"], "constant-measure", "{by}: {v}");
        let message = w["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{by} is "))
                && message.contains("for the only account in scope")
                && message.ends_with("its ranking says nothing"),
            "{message}"
        );
        assert!(stderr.contains("renown: warning: "), "{by}: {stderr}");
    }
}

#[test]
fn a_store_without_events_measures_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    ingest(dir.path(), &[]);
    for by in ["earned", "followers"] {
        let (v, stderr) = json(dir.path(), &["rank", "--by", by, "--format", "json"]);
        assert_eq!(v["total"], 0, "{v}");
        let w = &v["warnings"][0];
        assert_eq!(w["code"], "scope-matches-nothing", "{by}: {v}");
        assert_eq!(
            w["message"], "there are no events: nothing is measured",
            "{v}"
        );
        assert!(
            stderr.contains("renown: warning: there are no events"),
            "{stderr}"
        );
    }
}

#[test]
fn kernel_bins_with_a_handful_of_arrivals_are_marked() {
    // Eleven accounts answer each other (a small seeded mix, 400 replies over 400 days), so the
    // kernel has bins of small sizes with many arrivals and bins of large sizes with few.
    let dir = tempfile::tempdir().unwrap();
    let mut x: u64 = 42;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % n
    };
    let mut rows = Vec::new();
    for d in 0..400 {
        let (a, b) = (next(11), next(13).min(10));
        if a != b {
            rows.push(format!("{},x,reply,u{a},u{b},i{d},", T0 + d as i64 * DAY));
        }
    }
    ingest(dir.path(), &rows);
    let (v, _) = json(
        dir.path(),
        &["dynamics", "--format", "json", "--bootstrap", "0"],
    );
    let kernel = v["kernel"].as_array().unwrap();
    let few = |p: &Value| p["arrivals"].as_f64().unwrap() < 10.0;
    assert!(kernel.iter().any(few), "{v}");
    assert!(kernel.iter().any(|p| !few(p)), "{v}");
    for p in kernel {
        assert_eq!(p["too_few_arrivals"], few(p), "{p}");
    }
    let out = renown(
        dir.path(),
        &[
            "dynamics",
            "--part",
            "kernel",
            "--bootstrap",
            "0",
            "--format",
            "csv",
        ],
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.lines().next().unwrap().ends_with(",note"), "{csv}");
    for line in csv.lines().skip(1) {
        let arrivals: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
        assert_eq!(
            line.contains(",\"under 10 arrivals: too few to read, not in alpha's fit\""),
            arrivals < 10.0,
            "{line}"
        );
    }
}

#[test]
fn an_empty_file_is_said_to_be_empty() {
    // An export that came out empty: the run fails saying so, not "cannot tell its format; use
    // --format" (which then reads nothing, cleanly).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.csv"), "").unwrap();
    let out = renown(dir.path(), &["ingest", "events.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("events.csv: the file is empty: there is nothing to read")
            && !stderr.contains("--format"),
        "{stderr}"
    );
    let out = renown(dir.path(), &["ingest", "--format", "csv", "events.csv"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", out);
}
