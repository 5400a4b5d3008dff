//! The real `renown` binary, run in a temporary directory: ingest of the real datasets, bad input
//! of every kind, a SIGKILL in the middle of an ingest, and the export round trip.

mod common;
use common::{renown, BIN};

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn data(rel: &str) -> Option<PathBuf> {
    renown_testdata::data(rel)
}

/// `renown ingest --json ARGS`: the one run report per file.
fn ingest(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let mut all = vec!["ingest", "--json"];
    all.extend_from_slice(args);
    let out = renown(dir, &all);
    let reports: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "ingest printed no JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code(),
        reports,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn stats(dir: &Path) -> Value {
    let out = renown(dir, &["stats", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stats JSON")
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn higgs_counts_by_kind_and_a_second_ingest_adds_nothing() {
    let Some(file) = data("higgs/higgs-activity_time.txt.gz") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = file.to_str().unwrap();
    let (code, r, _) = ingest(dir.path(), &[file]);
    assert_eq!(code, Some(0));
    assert_eq!(r[0]["format"], "higgs");
    assert_eq!(n(&r[0]["read"]), 563_069);
    assert_eq!(n(&r[0]["added"]), 563_069);
    assert_eq!(n(&r[0]["rejected"]), 0);
    let s = stats(dir.path());
    assert_eq!(n(&s["events"]), 563_069);
    // RT → reshare, MT → mention, RE → reply.
    assert_eq!(n(&s["by_kind"]["reshare"]), 354_930);
    assert_eq!(n(&s["by_kind"]["mention"]), 171_237);
    assert_eq!(n(&s["by_kind"]["reply"]), 36_902);

    let (code, again, _) = ingest(dir.path(), &[file]);
    assert_eq!(code, Some(0));
    assert_eq!(n(&again[0]["read"]), 563_069);
    assert_eq!(n(&again[0]["added"]), 0);
    assert_eq!(n(&again[0]["duplicate"]), 563_069);
    assert_eq!(n(&stats(dir.path())["events"]), 563_069);
    // Both runs are on record, with their counts.
    let runs = s["runs"].as_array().unwrap();
    assert_eq!(runs[0]["status"], "clean");
    assert_eq!(stats(dir.path())["runs"].as_array().unwrap().len(), 2);
}

#[test]
fn slashdot_edge_list_adds_its_follow_edges() {
    let Some(file) = data("slashdot/soc-Slashdot0902.txt.gz") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (code, r, _) = ingest(dir.path(), &[file.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(r[0]["format"], "snap");
    assert_eq!(n(&r[0]["added"]), 948_464);
    let s = stats(dir.path());
    assert_eq!(n(&s["by_kind"]["follow"]), 948_464);
    assert_eq!(n(&s["timeless"]), 948_464);
}

/// Lines of Higgs-format activity, distinct and deterministic.
fn write_activity(path: &Path, lines: u64) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..lines {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let kind = ["RT", "MT", "RE"][(x % 3) as usize];
        writeln!(
            w,
            "{} {} {} {kind}",
            x % 200_000,
            (x >> 20) % 200_000,
            1_341_100_000 + i
        )
        .unwrap();
    }
}

#[test]
fn sigkill_mid_ingest_then_rerun_gives_the_clean_counts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("activity.txt");
    write_activity(&file, 1_500_000);
    let file = file.to_str().unwrap();

    let clean = dir.path().join("clean");
    std::fs::create_dir(&clean).unwrap();
    let (code, r, _) = ingest(&clean, &["--format", "higgs", file]);
    assert_eq!(code, Some(0));
    assert_eq!(n(&r[0]["added"]), 1_500_000);
    let clean_stats = stats(&clean);

    let killed = dir.path().join("killed");
    std::fs::create_dir(&killed).unwrap();
    let mut child = Command::new(BIN)
        .args(["ingest", "--format", "higgs", file])
        .current_dir(&killed)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first committed batch, then kill without warning.
    let start = Instant::now();
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no batch committed in 2 minutes"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the ingest ended ({status}) before it could be killed; enlarge the file");
        }
        let out = Command::new(BIN)
            .args(["stats", "--format", "json"])
            .current_dir(&killed)
            .output()
            .unwrap();
        if out.status.success() {
            let s: Value = serde_json::from_slice(&out.stdout).unwrap();
            if n(&s["events"]) > 0 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let partial = stats(&killed);
    let kept = n(&partial["events"]);
    assert!(
        kept > 0 && kept < 1_500_000,
        "the kill was meant to land mid-ingest, the store holds {kept}"
    );
    assert_eq!(kept % 50_000, 0, "only whole batches are committed");

    let (code, r, _) = ingest(&killed, &["--format", "higgs", file]);
    assert_eq!(code, Some(0));
    assert_eq!(n(&r[0]["added"]), 1_500_000 - kept);
    assert_eq!(n(&r[0]["duplicate"]), kept);
    let done = stats(&killed);
    for key in ["events", "accounts", "by_kind", "first_time", "last_time"] {
        assert_eq!(
            done[key], clean_stats[key],
            "{key} differs from a clean run"
        );
    }
    let runs = done["runs"].as_array().unwrap();
    assert_eq!(runs[0]["status"], "interrupted");
    assert_eq!(runs[1]["status"], "clean");
}

#[test]
fn bad_lines_are_reported_with_their_line_numbers_and_good_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("activity.txt"),
        "1 2 1341100000 RT\n\
         3 4 RT\n\
         x5 6 1341100000 MT\n\
         7 8 99999999999 RE\n\
         9 10 -5 RE\n\
         11 12 1341100001 XX\n\
         13 14 1341100002 MT\n",
    )
    .unwrap();
    std::fs::write(
        d.join("events.jsonl"),
        concat!(
            r#"{"time":"2024-01-02T03:04:05Z","platform":"x","kind":"reshare","actor":"1","target":"2"}"#,
            "\n",
            r#"{"platform":"x","kind":"reshare","actor":"1""#,
            "\n",
            r#"{"time":"2024-01-02T03:04:05Z","platform":"x","kind":"reshare","target":"2"}"#,
            "\n",
            r#"{"time":"2024-01-02T03:04:05Z","platform":"x","kind":"teleport","actor":"1"}"#,
            "\n",
            r#"{"time":"3024-01-02T03:04:05Z","platform":"x","kind":"like","actor":"1"}"#,
            "\n",
            r#"{"time":"2024-01-02T03:04:06Z","platform":"x","kind":"mention","actor":"3","target":"2"}"#,
            "\n",
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("edges.txt"),
        "# Directed graph\n1\t2\n3\tthree\n4\n5\t6\n",
    )
    .unwrap();
    // Five of its seven lines are bad: too few good ones to detect the format, so it is named.
    let (code, r, _) = ingest(d, &["--format", "higgs", "activity.txt"]);
    assert_eq!(code, Some(3), "partial: some records were rejected");
    assert_eq!((n(&r[0]["added"]), n(&r[0]["rejected"])), (2, 5));
    let (code, r, _) = ingest(d, &["events.jsonl"]);
    assert_eq!(code, Some(3));
    assert_eq!(r[0]["format"], "jsonl");
    assert_eq!((n(&r[0]["added"]), n(&r[0]["rejected"])), (2, 4));
    let (code, r, _) = ingest(d, &["--format", "snap", "edges.txt"]);
    assert_eq!(code, Some(3));
    assert_eq!((n(&r[0]["added"]), n(&r[0]["rejected"])), (2, 2));

    let rejects = std::fs::read_to_string(d.join("renown.db.rejects.txt")).unwrap();
    for line in [
        "activity.txt:2:",
        "activity.txt:3:",
        "activity.txt:4:",
        "activity.txt:5:",
        "activity.txt:6:",
        "events.jsonl:2:",
        "events.jsonl:3:",
        "events.jsonl:4:",
        "events.jsonl:5:",
        "edges.txt:3:",
        "edges.txt:4:",
    ] {
        assert!(
            rejects.lines().any(|l| l.starts_with(line)),
            "{line} missing from the rejects file:\n{rejects}"
        );
    }
    assert!(!rejects.contains("activity.txt:1:") && !rejects.contains("activity.txt:7:"));
    assert_eq!(rejects.lines().count(), 11, "one line per bad record");
    assert_eq!(n(&stats(d)["events"]), 6);
}

#[test]
fn truncated_gzip_keeps_every_complete_line_and_says_where_it_broke() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = d.join("activity.txt");
    write_activity(&plain, 200_000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(d.join("cut.txt.gz"), &gz[..gz.len() / 2]).unwrap();

    let (code, r, stderr) = ingest(d, &["--format", "higgs", "cut.txt.gz"]);
    assert_eq!(code, Some(3), "{stderr}");
    let read = n(&r[0]["read"]);
    assert!(read > 50_000 && read < 200_000, "read {read}");
    assert_eq!(n(&r[0]["added"]), read);
    assert_eq!(
        n(&r[0]["rejected"]),
        0,
        "a cut final line is damage, not a bad record"
    );
    let damage = r[0]["damage"].as_str().expect("damage is reported");
    assert!(
        damage.contains(&format!("cut.txt.gz:{}", read + 1)),
        "{damage}"
    );
    // What was read is exactly the file's first lines: re-reading the whole file adds the rest.
    let (code, r, _) = ingest(d, &["--format", "higgs", "activity.txt"]);
    assert_eq!(code, Some(0));
    assert_eq!(n(&r[0]["duplicate"]), read);
    assert_eq!(n(&r[0]["added"]), 200_000 - read);
}

#[test]
fn binary_garbage_and_wrong_encodings_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut x: u32 = 12345;
    let garbage: Vec<u8> = (0..20_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect();
    std::fs::write(d.join("garbage.bin"), &garbage).unwrap();
    let out = renown(d, &["ingest", "garbage.bin"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("garbage.bin: cannot tell its format"), "{err}");

    // Forced through a reader, garbage becomes rejected lines, never a crash; with not one
    // good record the run has failed: the file is not in that format.
    let (code, r, stderr) = ingest(d, &["--format", "higgs", "garbage.bin"]);
    assert_eq!(code, Some(1));
    assert_eq!(n(&r[0]["added"]), 0);
    assert!(n(&r[0]["rejected"]) > 0);
    assert!(stderr.contains("this is not higgs data"), "{stderr}");

    // Latin-1 bytes in a JSON Lines file: that line is refused, the UTF-8 ones are kept.
    let mut latin1 = br#"{"platform":"x","kind":"post","actor":"caf"#.to_vec();
    latin1.extend_from_slice(b"\xe9\"}\n");
    latin1.extend_from_slice(b"{\"platform\":\"x\",\"kind\":\"post\",\"actor\":\"ok\"}\n");
    std::fs::write(d.join("mixed.jsonl"), latin1).unwrap();
    let (code, r, _) = ingest(d, &["mixed.jsonl"]);
    assert_eq!(code, Some(3));
    assert_eq!((n(&r[0]["added"]), n(&r[0]["rejected"])), (1, 1));

    // A store that is not a store.
    std::fs::write(d.join("not.db"), b"hello, I am not SQLite").unwrap();
    let out = renown(d, &["--db", "not.db", "stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn export_then_ingest_round_trips_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = renown(d, &["demo", "--dir", "demo", "--accounts", "300"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let demo_db = d.join("demo/demo.db");
    let demo_db = demo_db.to_str().unwrap();
    for (file, extra) in [("all.jsonl", None), ("all.csv", Some("--as-csv"))] {
        let mut args = vec!["--db", demo_db, "export"];
        args.extend(extra);
        args.push(file);
        let out = renown(d, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let db = format!("{file}.db");
        let (code, r, stderr) = ingest(d, &["--db", &db, file]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(n(&r[0]["rejected"]), 0);
        let a = stats_of(d, demo_db);
        let b = stats_of(d, &db);
        for key in [
            "events",
            "accounts",
            "by_kind",
            "topics",
            "first_time",
            "last_time",
        ] {
            assert_eq!(a[key], b[key], "{file}: {key} differs after the round trip");
        }
    }
}

fn stats_of(dir: &Path, db: &str) -> Value {
    let out = renown(dir, &["--db", db, "stats", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One unmatched quote used to swallow the 100,000 rows after it into one 5 MB actor id:
/// `read 2, added 2, rejected 0`, exit 0.
#[test]
fn an_unclosed_csv_quote_is_one_rejected_line_and_the_rows_after_it_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::from("time,platform,kind,actor,target\n,x,follow,a1,b1\n");
    text.push_str(",x,follow,\"a2,,b2,,,,,\n");
    for i in 0..100_000 {
        text.push_str(&format!(",x,follow,u{i},v{i}\n"));
    }
    std::fs::write(d.join("q.csv"), text).unwrap();
    let (code, r, stderr) = ingest(d, &["q.csv"]);
    assert_eq!(code, Some(3), "never clean: {stderr}");
    assert_eq!(r[0]["status"], "partial");
    assert_eq!((n(&r[0]["added"]), n(&r[0]["rejected"])), (100_001, 1));
    let first = r[0]["first_rejects"][0].as_str().unwrap();
    assert!(
        first.starts_with("q.csv:3: the quoted field opened at column 11"),
        "{first}"
    );
    let out = renown(d, &["export", "-"]);
    let longest = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::len)
        .max()
        .unwrap();
    assert!(longest < 200, "an exported event is {longest} bytes long");
}

/// A SNAP edge list forced through the Higgs reader used to exit 3 ("partial") with one
/// reject line per edge; now it fails, says so, and the rejects file is capped.
#[test]
fn a_file_in_another_format_fails_and_its_rejects_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text: String = (0..5_000).map(|i| format!("{i}\t{}\n", i + 7)).collect();
    std::fs::write(d.join("soc-Edges.txt"), text).unwrap();
    let (code, r, stderr) = ingest(d, &["--format", "higgs", "soc-Edges.txt"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!((n(&r[0]["read"]), n(&r[0]["rejected"])), (0, 5_000));
    assert!(stderr.contains("this is not higgs data"), "{stderr}");
    let rejects = std::fs::read_to_string(d.join("renown.db.rejects.txt")).unwrap();
    assert_eq!(rejects.lines().count(), 1_001);
    let last = rejects.lines().last().unwrap();
    assert!(
        last.contains("soc-Edges.txt: 4000 more rejects not written"),
        "{last}"
    );
}

/// `ingest --format jsonl folder/` read 0 records and exited 0. A folder stands for the files
/// in it that its reader recognises; the others are named, and a folder with none fails.
#[test]
fn a_folder_is_read_file_by_file_and_never_silently_empty() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let folder = d.join("exports");
    std::fs::create_dir_all(folder.join("more")).unwrap();
    for i in 0..30 {
        let sub = if i % 3 == 0 { "more/" } else { "" };
        std::fs::write(
            folder.join(format!("{sub}part{i:02}.jsonl")),
            format!(
                "{{\"platform\":\"x\",\"kind\":\"follow\",\"actor\":\"a{i}\",\"target\":\"b\"}}\n"
            ),
        )
        .unwrap();
    }
    std::fs::write(folder.join("README.txt"), "what these files are\n").unwrap();
    for args in [&["--format", "jsonl", "exports"][..], &["exports"][..]] {
        let db = format!("{}.db", args.len());
        let mut all = vec!["--db", db.as_str()];
        all.extend_from_slice(args);
        let (code, r, stderr) = ingest(d, &all);
        assert_eq!(code, Some(3), "a file was skipped: {stderr}");
        assert_eq!(r.len(), 30);
        assert_eq!(r.iter().map(|r| n(&r["added"])).sum::<u64>(), 30);
        assert!(
            stderr.contains("1 of the 31 files") && stderr.contains("README.txt"),
            "{stderr}"
        );
    }
    std::fs::create_dir(d.join("notes")).unwrap();
    std::fs::write(d.join("notes/a.txt"), "hello there\n").unwrap();
    let out = renown(d, &["ingest", "--format", "jsonl", "notes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("no file that looks like jsonl data"),
        "{}",
        stderr_of(&out)
    );
}

/// `renown export -` piped into `renown ingest -` copies a store; the format comes from the
/// content alone.
#[test]
fn ingest_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("e.jsonl"),
        "{\"platform\":\"x\",\"kind\":\"follow\",\"actor\":\"1\",\"target\":\"2\"}\n\
         {\"platform\":\"x\",\"kind\":\"like\",\"actor\":\"2\",\"target\":\"1\",\"parent\":\"p\"}\n",
    )
    .unwrap();
    let (code, _, stderr) = ingest(d, &["--db", "a.db", "e.jsonl"]);
    assert_eq!(code, Some(0), "{stderr}");
    let mut export = Command::new(BIN)
        .args(["--db", "a.db", "export", "-"])
        .current_dir(d)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = Command::new(BIN)
        .args(["--db", "b.db", "ingest", "--json", "-"])
        .current_dir(d)
        .stdin(export.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(export.wait().unwrap().success());
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r[0]["format"].as_str(), n(&r[0]["added"])),
        (Some("jsonl"), 2)
    );
    assert_eq!(
        stats_of(d, "a.db")["by_kind"],
        stats_of(d, "b.db")["by_kind"]
    );
}

/// Terminal escapes in ids reached the terminal raw in tables and messages.
#[test]
fn control_characters_from_a_file_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("e.csv"),
        "platform,kind,actor,actor_handle,target\n\
         x,follow,<x\x1b]0;PWNED\x07>,@h\x1b[31m,b\n\
         x,like,<y\x1b[2J>,,\n",
    )
    .unwrap();
    let out = renown(d, &["ingest", "e.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = renown(d, &["rank", "--by", "followers"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        !table.contains('\x1b') && !table.contains('\x07'),
        "{table:?}"
    );
    assert!(table.contains("\\x1b"), "{table}");
    for args in [&["trust"][..], &["explain", "x:<x\x1b]0;PWNED\x07>"][..]] {
        let out = renown(d, args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.is_empty(), "{args:?}: {}", stderr_of(&out));
        assert!(
            !text.contains('\x1b') && !text.contains('\x07'),
            "{args:?}: {text:?}"
        );
    }
    std::fs::write(
        d.join("n\x1b[31m.jsonl"),
        "{\"platform\":\"x\",\"kind\":\"follow\",\"actor\":\"1\"}\nnot json\n",
    )
    .unwrap();
    let out = renown(d, &["ingest", "n\x1b[31m.jsonl"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr_of(&out)
    );
    assert!(!shown.contains('\x1b'), "{shown:?}");
    let rejects = std::fs::read_to_string(d.join("renown.db.rejects.txt")).unwrap();
    assert!(
        !rejects.contains('\x1b') && rejects.contains("n\\x1b[31m.jsonl:2:"),
        "{rejects:?}"
    );
}

/// The first 100 bytes of a gzip: one whole line and a cut one, which was read as a SNAP
/// follow. Now detection refuses it, and a forced format says the stream is damaged.
#[test]
fn a_gzip_cut_short_is_refused_rather_than_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = d.join("activity.txt");
    write_activity(&plain, 5_000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(d.join("cut.gz"), &gz[..100]).unwrap();
    let out = renown(d, &["ingest", "cut.gz"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("damaged"), "{}", stderr_of(&out));
    assert!(!d.join("renown.db").exists() || n(&stats(d)["events"]) == 0);
}

/// Causes were printed twice ("…: Is a directory (os error 21): Is a directory (os error 21)")
/// and a lock file that cannot be made was called "being written by another process".
#[test]
fn store_errors_name_their_path_and_say_their_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("e.txt"), "1 2\n").unwrap();
    std::fs::create_dir(d.join("renown.db.lock")).unwrap();
    let out = renown(d, &["ingest", "e.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("cannot create its lock file renown.db.lock"),
        "{err}"
    );
    assert!(!err.contains("another process"), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");

    let out = renown(d, &["--db", "no/such/folder/x.db", "ingest", "e.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("no/such/folder/x.db"), "{err}");
    assert_eq!(
        err.matches("unable to open database file").count(),
        1,
        "{err}"
    );
}
