//! Output that says what it knows (issue 15, part 4), through the real binary: tied scores share
//! a rank, top sets never cut a tie, JSON and CSV keep full precision and counts are integers,
//! degenerate measures and scopes warn, closed pipes end quietly, `demo` honours `--db`.

mod common;
use common::{renown as renown_in, BIN};

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const DAY: i64 = 86_400;
const T0: i64 = 1_704_067_200; // 2024-01-01

/// Runs `renown ARGS` on the shared fixture store and expects success.
fn renown(args: &[&str]) -> (String, String) {
    let out = renown_in(fixture(), args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?} failed:\n{stderr}");
    (stdout, stderr)
}

fn json(args: &[&str]) -> (Value, String) {
    let (stdout, stderr) = renown(args);
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"));
    (v, stderr)
}

fn line(w: &mut impl Write, platform: &str, kind: &str, actor: &str, target: Option<&str>, t: i64) {
    write_event(w, platform, kind, actor, target, t, None, None);
}

#[allow(clippy::too_many_arguments)]
fn write_event(
    w: &mut impl Write,
    platform: &str,
    kind: &str,
    actor: &str,
    target: Option<&str>,
    t: i64,
    item: Option<&str>,
    parent: Option<&str>,
) {
    let mut e = serde_json::json!({
        "time": renown_model::format_time(t),
        "platform": platform,
        "kind": kind,
        "actor": actor,
    });
    if let Some(b) = target {
        e["target"] = b.into();
    }
    if let Some(i) = item {
        e["item"] = i.into();
    }
    if let Some(p) = parent {
        e["parent"] = p.into();
    }
    writeln!(w, "{e}").unwrap();
}

const ACCOUNTS: usize = 2000;

/// A store with two platforms. `demo`: 2,000 accounts that follow each other, 300 reshare
/// chains of 4 (posts reshared, reshares reshared) and replies to 40 of them, so most accounts
/// have 0 replies; `late` first appears on day 150. `higgs`: 100 accounts that only reply (no
/// follow graph). Everything from 2024-01-01 over 160 days.
fn fixture() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Under the target's scratch folder, rebuilt on every run (a static TempDir is never
        // dropped, so it would be left behind in /tmp).
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("output-fixture");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("events.jsonl");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let u = |i: usize| format!("u{}", i % ACCOUNTS);
        for i in 0..ACCOUNTS {
            let t = T0 + (i as i64 % 100) * DAY;
            line(&mut w, "demo", "follow", &u(i), Some(&u(i * 7 + 1)), t);
            line(&mut w, "demo", "follow", &u(i), Some(&u(i * 13 + 5)), t);
        }
        for c in 0..300 {
            let t = T0 + (c as i64 % 140) * DAY;
            let root = u(c * 3);
            let item = format!("p{c}");
            write_event(&mut w, "demo", "post", &root, None, t, Some(&item), None);
            let (mut parent, mut author) = (item, root);
            for step in 1..4 {
                let actor = u(c * 3 + step * 101);
                let item = format!("p{c}r{step}");
                write_event(
                    &mut w,
                    "demo",
                    "reshare",
                    &actor,
                    Some(&author),
                    t + step as i64 * DAY,
                    Some(&item),
                    Some(&parent),
                );
                (parent, author) = (item, actor);
            }
        }
        for star in 0..40 {
            for fan in 0..(star % 7 + 1) {
                let t = T0 + ((star * 3 + fan) as i64 % 140) * DAY;
                line(
                    &mut w,
                    "demo",
                    "reply",
                    &u(500 + fan * 41 + star),
                    Some(&u(star * 11)),
                    t,
                );
            }
        }
        line(&mut w, "demo", "reply", "u1", Some("late"), T0 + 150 * DAY);
        line(&mut w, "demo", "reply", "u2", Some("late"), T0 + 159 * DAY);
        for i in 0..100 {
            let t = T0 + (i as i64 % 150) * DAY;
            line(
                &mut w,
                "higgs",
                "reply",
                &format!("h{i}"),
                Some(&format!("h{}", i % 9)),
                t,
            );
        }
        w.flush().unwrap();
        drop(w);
        let out = renown_in(&dir, &["ingest", "events.jsonl"]);
        assert!(
            out.status.success(),
            "fixture ingest failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

/// The CSV rows of a `rank`: (rank, account, score).
fn rank_rows(csv: &str) -> Vec<(usize, String, f64)> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[0].parse().unwrap(),
                c[1].to_string(),
                c[3].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn equal_scores_share_a_competition_rank() {
    let (csv, _) = renown(&["rank", "--by", "replies", "--top", "0", "--format", "csv"]);
    let rows = rank_rows(&csv);
    assert!(rows.len() > ACCOUNTS);
    let above_zero = rows.iter().filter(|r| r.2 > 0.0).count();
    for (i, (rank, account, score)) in rows.iter().enumerate() {
        // Standard competition ranking: 1 + the accounts that score strictly more.
        let expected = 1 + rows.iter().filter(|r| r.2 > *score).count();
        assert_eq!(*rank, expected, "row {i} ({account}, {score})");
    }
    let zero_ranks: Vec<usize> = rows.iter().filter(|r| r.2 == 0.0).map(|r| r.0).collect();
    assert!(zero_ranks.iter().all(|&r| r == above_zero + 1));
}

#[test]
fn tied_cascades_share_a_rank() {
    // Chains c, c + 140 and c + 280 start on the same day with the same size: one rank.
    let (csv, _) = renown(&["cascades", "--top", "0", "--format", "csv"]);
    let rows: Vec<Vec<String>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 300);
    let (rank, size, start) = (0, 4, 8);
    for (i, r) in rows.iter().enumerate() {
        let above = rows
            .iter()
            .filter(|o| {
                let (os, rs): (usize, usize) = (o[size].parse().unwrap(), r[size].parse().unwrap());
                os > rs || (os == rs && o[start] < r[start])
            })
            .count();
        assert_eq!(r[rank], (above + 1).to_string(), "row {i}: {r:?}");
    }
    assert_eq!(rows[2][rank], "1");
}

#[test]
fn compare_leaves_a_boundary_tie_out_and_says_so() {
    let (v, _) = json(&[
        "compare",
        "--by",
        "replies,reshares",
        "--top-percent",
        "10",
        "--format",
        "json",
    ]);
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["set"] == "top 10% by replies")
        .expect("a top-10% row by replies");
    // Few accounts have replies; the top 10% asks for more: the 0-reply tie is left out whole.
    let (csv, _) = renown(&["rank", "--by", "replies", "--top", "0", "--format", "csv"]);
    let rows = rank_rows(&csv);
    let with_replies = rows.iter().filter(|r| r.2 > 0.0).count();
    let requested = rows.len().div_ceil(10);
    assert!(with_replies < requested);
    assert_eq!(row["n"], with_replies, "{row}");
    assert_eq!(row["requested"], requested);
    assert_eq!(row["excluded_tie"]["score"], 0.0);
    assert_eq!(row["excluded_tie"]["accounts"], rows.len() - with_replies);
    let (table, _) = renown(&[
        "compare",
        "--by",
        "replies,reshares",
        "--top-percent",
        "10",
        "--format",
        "csv",
    ]);
    assert!(table.lines().next().unwrap().ends_with(",note"));
    let note = format!("{with_replies} of {requested} asked for: a tie of");
    assert!(
        table.contains(&note),
        "the note names the tie left out:\n{table}"
    );
}

#[test]
fn no_follow_graph_warns_instead_of_ranking_silently() {
    let scoped = ["--platform", "higgs", "--format", "json", "--top", "5"];
    for by in ["followers", "pagerank"] {
        let mut args = vec!["rank", "--by", by];
        args.extend(scoped);
        let (v, stderr) = json(&args);
        assert!(
            stderr.contains("renown: warning:") && stderr.contains("follow"),
            "{by}: {stderr}"
        );
        let w = &v["warnings"][0];
        assert_eq!(w["code"], "constant-measure", "{v}");
        assert!(w["message"].as_str().unwrap().contains(by));
    }
    // Where there are follows, no warning.
    let (v, stderr) = json(&["rank", "--by", "followers", "--format", "json"]);
    assert_eq!(v["warnings"], Value::Array(vec![]));
    assert_eq!(stderr, "");
    // A compare cell that is blank says why.
    let (csv, _) = renown(&[
        "compare",
        "--by",
        "followers,replies",
        "--platform",
        "higgs",
        "--format",
        "csv",
    ]);
    let all = csv.lines().nth(1).unwrap();
    assert!(
        all.contains(",,,followers is 0 for every account in the set"),
        "{all}"
    );
}

#[test]
fn an_audit_without_followers_has_no_audience_quality_and_says_why() {
    // The higgs platform has replies and no follow: no audience to audit, so no quality or
    // share (null, not 0), and the warning `rank --by followers` gives.
    let (v, stderr) = json(&[
        "audit",
        "higgs:h3",
        "--platform",
        "higgs",
        "--format",
        "json",
    ]);
    assert!(
        stderr.contains("renown: warning: followers is 0"),
        "{stderr}"
    );
    assert_eq!(v["followers"], 0, "{v}");
    for field in ["quality", "quality_low", "quality_high", "suspicious_share"] {
        assert_eq!(v[field], Value::Null, "{field}: {v}");
    }
    assert_eq!(v["warnings"][0]["code"], "constant-measure", "{v}");
    let (table, _) = renown(&["audit", "higgs:h3", "--platform", "higgs"]);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("audience quality") && l.ends_with(" no followers")),
        "{table}"
    );
    let (list, _) = json(&["audit", "--all", "--platform", "higgs", "--format", "json"]);
    assert_eq!(list["total"], 0, "{list}");
    assert_eq!(list["warnings"][0]["code"], "constant-measure", "{list}");
    // An account with followers: a quality in [0, 1] inside its interval, and nothing said.
    let (v, stderr) = json(&["audit", "demo:u8", "--format", "json"]);
    assert_eq!(stderr, "");
    assert!(v["followers"].as_u64().unwrap() > 0, "{v}");
    let q = |f: &str| v[f].as_f64().unwrap_or_else(|| panic!("{f}: {v}"));
    assert!(
        q("quality_low") <= q("quality") && q("quality") <= q("quality_high"),
        "{v}"
    );
    assert!(v.get("warnings").is_none(), "{v}");
}

#[test]
fn a_scope_that_matches_nothing_or_lies_after_the_data_warns() {
    for (args, code) in [
        (
            vec!["--topic", "nothing-like-this"],
            "scope-matches-nothing",
        ),
        (vec!["--platform", "bluesky"], "scope-matches-nothing"),
        (vec!["--as-of", "2030-01-01"], "as-of-after-data"),
    ] {
        let mut all = vec!["rank", "--by", "replies", "--format", "json"];
        all.extend(&args);
        let (v, stderr) = json(&all);
        assert_eq!(v["warnings"][0]["code"], code, "{args:?}: {v}");
        assert!(stderr.contains("renown: warning:"), "{args:?}: {stderr}");
        let mut all = vec!["compare", "--by", "replies,reshares", "--format", "json"];
        all.extend(&args);
        let (v, _) = json(&all);
        assert_eq!(v["warnings"][0]["code"], code, "compare {args:?}: {v}");
    }
    // Commands whose output has no warnings field say it on stderr.
    for args in [
        &["cascades", "--topic", "nothing-like-this"][..],
        &["dynamics", "--platform", "bluesky", "--bootstrap", "5"],
        &["audit", "--all", "--no-earned", "--as-of", "2030-01-01"],
    ] {
        let (_, stderr) = renown(args);
        assert!(stderr.contains("renown: warning:"), "{args:?}: {stderr}");
    }
}

#[test]
fn json_and_csv_keep_full_precision_and_counts_are_integers() {
    let (v, _) = json(&["rank", "--by", "followers", "--format", "json"]);
    let score = &v["rows"][0]["score"];
    assert!(score.is_u64(), "a count is an integer: {score}");
    let (table, _) = renown(&["rank", "--by", "followers", "--top", "1"]);
    assert!(!table.contains(".0000"), "{table}");
    // Reshare chains of 4: structural virality 10/6, printed whole in JSON and CSV.
    let (v, _) = json(&["cascades", "--format", "json", "--top", "1"]);
    let virality = v["rows"][0]["structural_virality"].as_f64().unwrap();
    assert_eq!(virality, 10.0 / 6.0, "{v}");
    let (csv, _) = renown(&["cascades", "--format", "csv", "--top", "1"]);
    assert!(csv.contains(&(10.0f64 / 6.0).to_string()), "{csv}");
    // The table alone rounds.
    let (table, _) = renown(&["cascades", "--top", "1"]);
    assert!(table.contains("1.6667"), "{table}");
    // The dynamics summary gives the same α as the full report, not α to three decimals.
    let (full, _) = json(&["dynamics", "--format", "json", "--bootstrap", "20"]);
    let (summary, _) = json(&[
        "dynamics",
        "--part",
        "summary",
        "--format",
        "json",
        "--bootstrap",
        "20",
    ]);
    let alpha = summary
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["measure"] == "alpha")
        .expect("an alpha row");
    for (row, report) in [("value", "value"), ("low_95", "low"), ("high_95", "high")] {
        let (a, b) = (&alpha[row], &full["alpha"][report]);
        assert!(a.is_f64() && a == b, "{row}: {a} vs {b}");
    }
}

#[test]
fn months_before_an_accounts_first_event_have_no_rank() {
    let (v, _) = json(&["explain", "late", "--months", "4", "--format", "json"]);
    let ranks: Vec<&Value> = v["trajectory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["rank"])
        .collect();
    // `late` first appears on day 150 (2024-05-30): April and March end before it.
    assert_eq!(ranks.len(), 4, "{v}");
    assert!(ranks[..2].iter().all(|r| r.is_null()), "{ranks:?}");
    assert!(ranks[2..].iter().all(|r| r.is_u64()), "{ranks:?}");
    let (table, _) = renown(&["explain", "late", "--months", "4"]);
    assert!(table.contains("no data yet"), "{table}");
}

#[test]
fn csv_and_json_on_a_closed_pipe_end_quietly() {
    for args in [
        &["export", "--as-csv", "-"][..],
        &["export", "-"],
        &["rank", "--top", "0", "--format", "csv"],
        &["rank", "--top", "0", "--format", "json"],
        &["cascades", "--top", "0", "--format", "csv"],
        &["trust", "--top", "0", "--format", "csv"],
        &["audit", "--all", "--no-earned", "--format", "csv"],
    ] {
        let mut child = Command::new(BIN)
            .args(args)
            .current_dir(fixture())
            .env_remove("RENOWN_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -1`: read one line, then close the pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        let _ = std::io::Read::read(&mut stdout, &mut first);
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

#[test]
fn demo_honours_db_and_refuses_to_replace_real_data() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("named.db");
    let out = Command::new(BIN)
        .args(["demo", "--accounts", "100", "--dir", "d"])
        .env("RENOWN_DB", &named)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(named.exists(), "the demo store is where RENOWN_DB says");
    assert!(!dir.path().join("d/demo.db").exists());
    // Not over a store that holds anything else (the shared fixture has a `higgs` platform).
    let real = fixture().join("renown.db");
    let before = std::fs::metadata(&real).unwrap().len();
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&real)
        .args(["demo", "--accounts", "100", "--dir", "d"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a demo store"), "{stderr}");
    assert_eq!(std::fs::metadata(&real).unwrap().len(), before);
}

/// The demo's tables print no number that means nothing: a rank shared with others is marked
/// as a tie and the ties are said, and an account without followers has no audience quality.
#[test]
fn demo_marks_ties_and_gives_no_audience_quality_without_followers() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["demo", "--accounts", "100", "--dir", "d"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let section = |title: &str| -> Vec<Vec<String>> {
        let rows = stdout
            .split(title)
            .nth(1)
            .unwrap_or_else(|| panic!("{title}: {stdout}"));
        rows.lines()
            .skip_while(|l| !l.starts_with("account"))
            .skip(1)
            .take_while(|l| l.starts_with('@'))
            .map(|l| {
                l.split("  ")
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(String::from)
                    .collect()
            })
            .collect()
    };
    let ranks = section("Rank of each known account");
    assert_eq!(ranks.len(), 9, "{stdout}");
    // The meme starter has almost no engagement: it ties with the many accounts without any.
    let tied = ranks
        .iter()
        .flatten()
        .filter(|c| c.starts_with('='))
        .count();
    assert!(tied > 0, "{stdout}");
    assert!(stdout.contains("=N: a tie"), "{stdout}");
    let audit = section("Follower audit");
    assert_eq!(audit.len(), 9, "{stdout}");
    let without: Vec<_> = audit.iter().filter(|r| r[1] == "0").collect();
    assert!(
        !without.is_empty(),
        "the meme starter has no followers at this size: {stdout}"
    );
    for row in without {
        assert_eq!(row[2..5], ["–", "no followers", "–"], "{row:?}");
    }
    for row in audit.iter().filter(|r| r[1] != "0") {
        assert!(row[3].ends_with('%'), "{row:?}");
    }
}

#[test]
fn a_profile_of_an_account_nobody_endorses_splits_nothing() {
    // Nobody replies to higgs:h50 (as nobody endorses the owner of a Mastodon archive): it
    // earned nothing, so the shares of its score are undefined (null), not 0 %, and what its
    // endorsers pass in all is +0, not "-0.0000".
    let (table, _) = renown(&["profile", "higgs:h50"]);
    assert!(!table.contains("-0.0"), "{table}");
    let head = table.lines().next().unwrap();
    assert!(
        head.ends_with("from 0 endorsers: nothing earned in this scope, so no share to split"),
        "{table}"
    );
    assert!(table.contains("(0 accounts, 0.0000 in all)"), "{table}");
    assert!(
        table.contains("\nBy topic: undefined (no earned influence to split)"),
        "{table}"
    );
    let (v, _) = json(&["profile", "higgs:h50", "--format", "json"]);
    assert!(!v.to_string().contains("-0.0"), "{v}");
    assert_eq!(v["endorsers"], 0, "{v}");
    assert_eq!(v["top_endorsers_share"], Value::Null, "{v}");
    for field in ["untagged_share", "follow_share", "other_share"] {
        assert_eq!(v["topics"][field], Value::Null, "{field}: {v}");
    }
    assert_eq!(v["influenced_by"]["accounts"], 1, "it replies to h5: {v}");
    // An endorsed account keeps its shares.
    let (v, _) = json(&["profile", "higgs:h3", "--format", "json"]);
    assert!(v["endorsers"].as_u64().unwrap() > 0, "{v}");
    let top = v["top_endorsers_share"]
        .as_f64()
        .unwrap_or_else(|| panic!("{v}"));
    assert!(top > 0.0 && top <= 1.0, "{v}");
    assert!(v["topics"]["untagged_share"].as_f64().unwrap() > 0.0, "{v}");
}

#[test]
fn an_explanation_of_an_account_that_earned_nothing_gives_no_follower_share() {
    // higgs:h50 earned nothing (as the owner of a Mastodon archive): what its followers give
    // is no share of anything, not "(0.0%)".
    let (table, _) = renown(&["explain", "higgs:h50"]);
    assert!(
        table.contains("contribute 0.0000 (no share: nothing earned in this scope)"),
        "{table}"
    );
    assert!(!table.contains("0.0%"), "{table}");
    let (v, _) = json(&["explain", "higgs:h50", "--format", "json"]);
    assert_eq!(v["score"], 0.0, "{v}");
    assert_eq!(v["followers"]["share"], Value::Null, "{v}");
    // demo:u5 has two followers, neither of whom passes anything on: no share either.
    let (v, _) = json(&["explain", "demo:u5", "--format", "json"]);
    assert_eq!(
        (&v["score"], &v["followers"]["followers"]),
        (&0.0.into(), &2.into()),
        "{v}"
    );
    assert_eq!(v["followers"]["share"], Value::Null, "{v}");
    // An account that earned something gives its followers' share, in [0, 1].
    let (v, _) = json(&["explain", "demo:u0", "--format", "json"]);
    assert!(v["score"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["followers"]["followers"].as_u64().unwrap() > 0, "{v}");
    let share = v["followers"]["share"]
        .as_f64()
        .unwrap_or_else(|| panic!("{v}"));
    assert!((0.0..=1.0).contains(&share), "{v}");
}
