//! `renown ingest --shard` and `renown cluster rank`: two real processes on loopback give the
//! single-machine answers (≤ 1e-9 relative, same ranking); a process that cannot be reached,
//! dies or goes silent ends the run in bounded time, named, with the stores untouched.

mod common;

use common::{renown, write_jsonl, BIN};
use renown_model::{AccountRef, Event, Kind};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const T0: i64 = 1_600_000_000;

/// A small social log with what the measures must get right: repeated follows, unfollows
/// (some at the same second as a follow), timeless follows, self-loops, dangling accounts,
/// two platforms, engagement of several kinds.
fn events() -> Vec<Event> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let ev = |platform: &str, kind: Kind, a: u64, b: u64, t: Option<i64>| {
        let mut e = Event::new(platform, kind, AccountRef::new(format!("u{a}")));
        e.target = Some(AccountRef::new(format!("u{b}")));
        e.time = t;
        e
    };
    let mut out = Vec::new();
    // A topic on a third of the engagement and on a few follows (which the followers count
    // reads under the topic, and the follow graph ignores).
    let on_topic = |mut e: Event, yes: bool| {
        if yes {
            e.topics = vec!["rust".into()];
        }
        e
    };
    for i in 0..2500 {
        // Preferential-ish targets: low ids receive more.
        let a = next(400);
        let bound = next(400) + 1;
        let b = next(bound);
        let t = T0 + i * 60;
        let platform = if i % 7 == 0 { "other" } else { "t" };
        out.push(on_topic(
            ev(platform, Kind::Follow, a, b, Some(t)),
            i % 13 == 0,
        ));
        match i % 11 {
            0 => out.push(ev(platform, Kind::Unfollow, a, b, Some(t + 3600))),
            1 => out.push(ev(platform, Kind::Unfollow, a, b, Some(t))), // same second
            2 => out.push(ev(platform, Kind::Follow, a, b, Some(t + 10))), // repeated
            3 => out.push(ev(platform, Kind::Follow, b, a, None)),      // timeless
            4 => out.push(ev(platform, Kind::Follow, a, a, Some(t))),   // self-loop
            _ => {}
        }
    }
    let kinds = [
        Kind::Reshare,
        Kind::Like,
        Kind::Reply,
        Kind::Mention,
        Kind::Quote,
    ];
    for i in 0..2000 {
        let a = next(500);
        let bound = next(300) + 1;
        let b = next(bound);
        out.push(on_topic(
            ev("t", kinds[i % kinds.len()], a, b, Some(T0 + i as i64 * 45)),
            i % 3 == 0,
        ));
    }
    out
}

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Two ports free on loopback now for the processes of `two_processes_on_loopback…`, below
/// Linux's ephemeral range (32768–60999). They are released between the runs that use them:
/// a port from `bind(0)` would be handed out again to any listener (another test's fake
/// process) or any connection's local end meanwhile; a port outside that range is taken
/// only by a process asking for it by number. Seeded by process and time, so test binaries
/// running at once pick different ports.
fn free_ports() -> [u16; 2] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut state = (u64::from(std::process::id()) << 32 | u64::from(nanos)) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        20_000 + (state % 12_000) as u16
    };
    loop {
        let (a, b) = (next(), next());
        if a != b
            && TcpListener::bind(("127.0.0.1", a)).is_ok()
            && TcpListener::bind(("127.0.0.1", b)).is_ok()
        {
            return [a, b];
        }
    }
}

/// A port nothing listens on: 1 (tcpmux), privileged and unused. The failure test dials it as
/// the process that never answers; before, it dialled a port `bind(0)` had just released,
/// which the other test's process 0 could be listening on: the two runs then met in a
/// handshake and both failed (the flake seen once in 17 runs, and reproduced under load).
const NOBODY: u16 = 1;

fn hosts_file(dir: &Path, ports: &[u16]) -> String {
    let path = dir.join("hosts.txt");
    let text: String = ports.iter().map(|p| format!("127.0.0.1:{p}\n")).collect();
    std::fs::write(&path, format!("# one host:port per process\n{text}")).unwrap();
    path.to_string_lossy().into_owned()
}

/// Runs every process of a cluster (`cluster COMMAND` + `args` + `-p I` + `input(I)`),
/// returns process 0's output.
fn cluster_with(
    dir: &Path,
    command: &str,
    args: &[&str],
    processes: usize,
    input: impl Fn(usize) -> Vec<String>,
) -> std::process::Output {
    let mut children: Vec<_> = (1..processes)
        .map(|p| {
            Command::new(BIN)
                .args(["cluster", command])
                .args(input(p))
                .args(args)
                .args(["--process", &p.to_string()])
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let first = input(0);
    let mut full = vec!["cluster", command, "--process", "0"];
    full.extend(first.iter().map(String::as_str));
    full.extend_from_slice(args);
    let out = renown(dir, &full);
    for child in children.iter_mut() {
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(status.success(), "a process failed: {err}");
    }
    out
}

/// A cluster whose process I reads `shard-I.db`.
fn cluster(dir: &Path, args: &[&str], processes: usize) -> std::process::Output {
    cluster_with(dir, "rank", args, processes, |p| {
        vec!["--store".into(), format!("shard-{p}.db")]
    })
}

/// Scores and ranks by account name.
fn by_account(doc: &Value) -> HashMap<String, (f64, u64)> {
    doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = format!(
                "{}:{}",
                r["platform"].as_str().unwrap(),
                r["native_id"].as_str().unwrap()
            );
            (
                name,
                (r["score"].as_f64().unwrap(), r["rank"].as_u64().unwrap()),
            )
        })
        .collect()
}

fn assert_same(single: &Value, cluster: &Value, what: &str) {
    assert_close(single, cluster, what, 1e-9);
}

/// [`assert_same`] and the same warnings (`cluster rank` gathers the single machine's).
fn assert_same_ranking(single: &Value, cluster: &Value, what: &str) {
    assert_same_warnings(&single["warnings"], &cluster["warnings"], what);
    assert_same(single, cluster, what);
}

/// The same warnings, in the same order, word for word but the score of a constant measure,
/// which is equal to 1e-9 relative (a PageRank of no edge is 1 to rounding).
fn assert_same_warnings(single: &Value, cluster: &Value, what: &str) {
    let (s, c) = (single.as_array().unwrap(), cluster.as_array().unwrap());
    assert_eq!(s.len(), c.len(), "{what}: warnings {single} vs {cluster}");
    for (a, b) in s.iter().zip(c) {
        assert_eq!(
            a["code"], b["code"],
            "{what}: warnings {single} vs {cluster}"
        );
        let (x, y) = (
            a["message"].as_str().unwrap(),
            b["message"].as_str().unwrap(),
        );
        if a["code"] != "constant-measure" {
            assert_eq!(x, y, "{what}");
            continue;
        }
        // "M is SCORE for all N accounts …"
        let split = |m: &str| -> (String, f64, String) {
            let (head, rest) = m.split_once(" is ").unwrap();
            let (score, tail) = rest.split_once(' ').unwrap();
            (head.into(), score.parse().unwrap(), tail.into())
        };
        let ((h1, s1, t1), (h2, s2, t2)) = (split(x), split(y));
        assert_eq!((h1, t1), (h2, t2), "{what}: {x} vs {y}");
        assert!(
            (s1 - s2).abs() <= 1e-9 * s1.abs().max(1.0),
            "{what}: {x} vs {y}"
        );
    }
}

/// [`assert_same`] with scores equal to `tolerance` relative (and ranks among scores that
/// close).
fn assert_close(single: &Value, cluster: &Value, what: &str, tolerance: f64) {
    assert_eq!(single["total"], cluster["total"], "{what}: accounts");
    assert_eq!(single["measure"], cluster["measure"], "{what}");
    let (s, c) = (by_account(single), by_account(cluster));
    assert_eq!(s.len(), c.len(), "{what}: rows");
    assert!(s.len() > 400, "{what}: {} rows", s.len());
    for (name, &(score, rank)) in &s {
        let &(other, other_rank) = c
            .get(name)
            .unwrap_or_else(|| panic!("{what}: {name} missing"));
        let rel = (score - other).abs() / score.abs().max(f64::MIN_POSITIVE);
        assert!(rel <= tolerance, "{what}: {name} {score} vs {other}");
        // The same rank, except among scores equal to rounding (summation order differs): then
        // any rank the near-equal scores span.
        let above = |bound: f64| s.values().filter(|v| v.0 > bound).count() as u64 + 1;
        let band = (tolerance * 1e-3).max(1e-12);
        let (lo, hi) = (above(score * (1.0 + band)), above(score * (1.0 - band)));
        assert!(
            (lo..=hi).contains(&other_rank) && (rank == other_rank || lo < hi),
            "{what}: rank of {name}: {rank} vs {other_rank} ({score} vs {other})"
        );
    }
}

/// Two `compare` documents alike: the same keys and values but the correlations, which agree
/// to 1e-9.
fn assert_same_comparison(single: &Value, cluster: &Value) {
    for key in ["accounts", "measures", "scope", "per", "parameters"] {
        assert_eq!(single[key], cluster[key], "{key}");
    }
    assert_same_warnings(&single["warnings"], &cluster["warnings"], "compare");
    let (s, c) = (
        single["rows"].as_array().unwrap(),
        cluster["rows"].as_array().unwrap(),
    );
    assert_eq!(s.len(), c.len());
    assert!(s.len() >= 30, "{} rows", s.len());
    let mut correlated = 0;
    for (a, b) in s.iter().zip(c) {
        let what = format!("{} / {} over {}", a["a"], a["b"], a["set"]);
        for key in [
            "a",
            "b",
            "set",
            "n",
            "requested",
            "excluded_tie",
            "undefined",
        ] {
            assert_eq!(a[key], b[key], "{what}: {key}");
        }
        for key in ["spearman", "kendall"] {
            match (a[key].as_f64(), b[key].as_f64()) {
                (Some(x), Some(y)) => {
                    assert!((x - y).abs() <= 1e-9, "{what}: {key} {x} vs {y}");
                    correlated += 1;
                }
                (x, y) => assert_eq!(x, y, "{what}: {key}"),
            }
        }
    }
    assert!(correlated >= 20, "{correlated} correlations");
}

#[test]
fn two_processes_on_loopback_equal_one_machine() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_jsonl(&d.join("events.jsonl"), &events());
    assert!(renown(d, &["--db", "single.db", "ingest", "events.jsonl"])
        .status
        .success());
    for i in 0..2 {
        let out = renown(
            d,
            &[
                "--db",
                &format!("shard-{i}.db"),
                "ingest",
                "--shard",
                &format!("{i}/2"),
                "events.jsonl",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The shards split the events: together they hold every event once.
    let events = |db: &str| {
        json(&renown(d, &["--db", db, "stats", "--format", "json"]))["events"]
            .as_u64()
            .unwrap()
    };
    let (e0, e1) = (events("shard-0.db"), events("shard-1.db"));
    assert!(e0 > 1000 && e1 > 1000, "{e0} {e1}");
    assert_eq!(e0 + e1, events("single.db"));

    let ports = free_ports();
    let hosts = hosts_file(d, &ports);
    for (by, graph, workers) in [
        ("followers", "follow", "1"),
        ("engagement", "follow", "1"),
        ("pagerank", "follow", "2"),
        ("pagerank", "engagement", "1"),
        ("earned", "follow", "2"),
    ] {
        let what = format!("{by} on {graph}");
        let single = json(&renown(
            d,
            &[
                "--db",
                "single.db",
                "rank",
                "--by",
                by,
                "--graph",
                graph,
                "--top",
                "0",
                "--format",
                "json",
            ],
        ));
        let args = [
            "--by",
            by,
            "--graph",
            graph,
            "--top",
            "0",
            "--format",
            "json",
            "--processes",
            "2",
            "--hosts",
            &hosts,
            "--workers",
            workers,
        ];
        let doc = json(&cluster(d, &args, 2));
        assert_same_ranking(&single, &doc, &what);
        if by == "pagerank" {
            assert!(
                doc["cluster"]["iterations"].as_u64().unwrap() > 10,
                "{what}"
            );
        }
    }
    // --topic and --platform mean what they mean to `renown rank`: engagement (and the
    // followers count) on the topic, the follow graph whole on the platform.
    for (by, graph, scope) in [
        ("followers", "follow", ["--topic", "rust"]),
        ("engagement", "follow", ["--topic", "rust"]),
        ("pagerank", "follow", ["--platform", "t"]),
        ("pagerank", "engagement", ["--topic", "rust"]),
        ("earned", "follow", ["--topic", "rust"]),
        ("earned", "follow", ["--platform", "other"]),
    ] {
        let what = format!("{by} on {graph} {}", scope.join(" "));
        let common = [
            "--by", by, "--graph", graph, "--top", "0", "--format", "json",
        ];
        let mut single_args = vec!["--db", "single.db", "rank"];
        single_args.extend_from_slice(&common);
        single_args.extend_from_slice(&scope);
        let single = json(&renown(d, &single_args));
        let mut args = common.to_vec();
        args.extend_from_slice(&scope);
        args.extend_from_slice(&["--processes", "2", "--hosts", &hosts, "--workers", "2"]);
        let doc = json(&cluster(d, &args, 2));
        assert_same_ranking(&single, &doc, &what);
        assert_eq!(single["scope"], doc["scope"], "{what}");
        let unscoped = json(&renown(d, &single_args[..single_args.len() - 2]));
        assert_ne!(
            by_account(&single),
            by_account(&unscoped),
            "{what}: the scope changes the scores"
        );
    }

    // The single machine's warnings, counted over both processes' stores: a platform that
    // matches nothing (and the scores it leaves constant), a date before the data, one after.
    for (by, scope) in [
        ("followers", ["--platform", "nosuch"]),
        ("pagerank", ["--platform", "nosuch"]),
        ("engagement", ["--as-of", "2000-01-01"]),
        ("earned", ["--as-of", "2030-01-01"]),
    ] {
        let what = format!("{by} {}", scope.join(" "));
        let common = ["--by", by, "--top", "0", "--format", "json"];
        let mut single_args = vec!["--db", "single.db", "rank"];
        single_args.extend_from_slice(&common);
        single_args.extend_from_slice(&scope);
        let single = json(&renown(d, &single_args));
        assert!(
            !single["warnings"].as_array().unwrap().is_empty(),
            "{what}: the single machine warns"
        );
        let mut args = common.to_vec();
        args.extend_from_slice(&scope);
        args.extend_from_slice(&["--processes", "2", "--hosts", &hosts, "--workers", "2"]);
        let out = cluster(d, &args, 2);
        let doc = json(&out);
        assert_same_ranking(&single, &doc, &what);
        // And on stderr, as `renown rank` prints them.
        let stderr = String::from_utf8_lossy(&out.stderr);
        for w in doc["warnings"].as_array().unwrap() {
            let message = w["message"].as_str().unwrap();
            assert!(
                stderr.contains(message),
                "{what}: {message} not in {stderr}"
            );
        }
    }

    // `cluster compare` is `renown compare` over the measures the cluster computes: the same
    // document, the correlations equal to rounding (the PageRank and earned scores are).
    for scope in [&[][..], &["--topic", "rust"][..]] {
        let by = "followers,engagement,pagerank,engagement-pagerank,earned";
        let mut single_args = vec![
            "--db",
            "single.db",
            "compare",
            "--by",
            by,
            "--format",
            "json",
        ];
        single_args.extend_from_slice(scope);
        let single = json(&renown(d, &single_args));
        let mut args = vec!["--format", "json", "-n", "2", "-h", &hosts, "-w", "2"];
        args.extend_from_slice(scope);
        let shards = |p: usize| vec!["--store".to_string(), format!("shard-{p}.db")];
        let doc = json(&cluster_with(d, "compare", &args, 2, shards));
        assert_same_comparison(&single, &doc);
    }

    // A process can read its shard as an event file instead of a store.
    let export = renown(d, &["--db", "shard-1.db", "export", "shard-1.jsonl"]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let single = json(&renown(
        d,
        &[
            "--db",
            "single.db",
            "rank",
            "--by",
            "pagerank",
            "--top",
            "0",
            "--format",
            "json",
        ],
    ));
    let args = [
        "--by",
        "pagerank",
        "--top",
        "0",
        "--format",
        "json",
        "--processes",
        "2",
        "--hosts",
        &hosts,
    ];
    let doc = json(&cluster_with(d, "rank", &args, 2, |p| match p {
        0 => vec!["--store".into(), "shard-0.db".into()],
        _ => vec!["--events".into(), "shard-1.jsonl".into()],
    }));
    assert_same_ranking(&single, &doc, "pagerank, process 1 reading events");

    // A date cuts both the same way, and --top gathers only the top rows with global ranks.
    let single = json(&renown(
        d,
        &[
            "--db",
            "single.db",
            "rank",
            "--by",
            "followers",
            "--top",
            "25",
            "--as-of",
            "2020-09-14",
            "--format",
            "json",
        ],
    ));
    let args = [
        "--by",
        "followers",
        "--top",
        "25",
        "--as-of",
        "2020-09-14",
        "--format",
        "json",
        "--processes",
        "2",
        "--hosts",
        &hosts,
    ];
    let doc = json(&cluster(d, &args, 2));
    let ranks = |v: &Value| -> Vec<(u64, i64)> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["rank"].as_u64().unwrap(), r["score"].as_i64().unwrap()))
            .collect()
    };
    assert_eq!(ranks(&single), ranks(&doc));
    assert_eq!(single["total"], doc["total"]);

    // Earned influence and PageRank under a parameters file and a date: the same parameters,
    // echoed the same way, the same answers (T is the date; half-life, kind weights, follow
    // weight, prior, consistency and damping all differ from the defaults).
    std::fs::write(
        d.join("params.toml"),
        "[earned]\nhalf_life_days = 20\ndamping = 0.6\nreciprocity_discount = 0.5\n\
         follow_weight = 0.75\nselectivity_prior = 2.5\nconsistency_months = 1.5\n\
         kind_weights = { like = 0.75, mention = 0 }\n[pagerank]\ndamping = 0.7\n",
    )
    .unwrap();
    // One machine's and two processes' answers under a config file, as of 2020-09-14.
    let under = |config: &str, by: &str| -> (Value, Value) {
        let common = [
            "--by",
            by,
            "--top",
            "0",
            "--as-of",
            "2020-09-14",
            "--format",
            "json",
        ];
        let mut single_args = vec!["--config", config, "--db", "single.db", "rank"];
        single_args.extend_from_slice(&common);
        let single = json(&renown(d, &single_args));
        let mut args = vec!["--config", config];
        args.extend_from_slice(&common);
        args.extend_from_slice(&["--processes", "2", "--hosts", &hosts, "--workers", "2"]);
        (single, json(&cluster(d, &args, 2)))
    };
    let mut earned_under_params = Value::Null;
    for by in ["earned", "pagerank"] {
        let (single, doc) = under("params.toml", by);
        let what = format!("{by} under params.toml as of 2020-09-14");
        assert_same_ranking(&single, &doc, &what);
        assert_eq!(single["parameters"], doc["parameters"], "{what}");
        assert!(doc["parameters"]["source"].is_string(), "{what}");
        if by == "earned" {
            earned_under_params = single;
        }
    }
    let defaults = json(&renown(
        d,
        &[
            "--db",
            "single.db",
            "rank",
            "--by",
            "earned",
            "--top",
            "0",
            "--as-of",
            "2020-09-14",
            "--format",
            "json",
        ],
    ));
    assert_ne!(
        by_account(&defaults),
        by_account(&earned_under_params),
        "the parameters file changes earned influence"
    );

    // The options off by default (consistency by days with its own half-life, γ by returned
    // share, the recent-engager term) reach the cluster through the same file.
    std::fs::write(
        d.join("options.toml"),
        "[earned]\nconsistency_period_days = 7\nconsistency_half_life_days = 10\n\
         reciprocity_by_share = true\nrecent_engager_weight = 2\n\
         recent_engager_half_life_days = 5\n",
    )
    .unwrap();
    let (single, doc) = under("options.toml", "earned");
    assert_same_ranking(&single, &doc, "earned under options.toml");
    assert_eq!(single["parameters"], doc["parameters"]);
    assert_eq!(doc["parameters"]["recent_engager_weight"], 2.0);
    assert_eq!(doc["parameters"]["reciprocity_by_share"], true);
    assert_ne!(
        by_account(&defaults),
        by_account(&single),
        "the options change earned influence"
    );
}

/// A fake process `index` listening at `listener`: answers the hello of the process that
/// dials it as if it were that process, then keeps the connection until `hold` has passed or
/// `release` fires, and closes it without timely's shutdown (a process that died).
fn fake_peer(
    listener: TcpListener,
    index: u64,
    hold: Duration,
) -> (std::thread::JoinHandle<()>, std::sync::mpsc::Sender<()>) {
    let (release, released) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut hello = [0u8; 40];
        stream.read_exact(&mut hello).unwrap();
        hello[8..16].copy_from_slice(&index.to_le_bytes());
        stream.write_all(&hello).unwrap();
        let _ = released.recv_timeout(hold);
        drop(stream);
    });
    (thread, release)
}

/// A bound on a failing run's time: a few times what it needs on an idle machine, far below
/// the defaults it must not fall back to (60 s to connect, 600 s of silence); generous
/// because the suite runs on loaded 2-core machines, where a process can wait seconds for a
/// core.
const BOUNDED: Duration = Duration::from_secs(20);

fn store_bytes(d: &Path) -> Vec<u8> {
    std::fs::read(d.join("shard-1.db")).unwrap()
}

#[test]
fn unreachable_dead_and_silent_processes_end_the_run_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_jsonl(&d.join("events.jsonl"), &events()[..300]);
    assert!(renown(
        d,
        &[
            "--db",
            "shard-1.db",
            "ingest",
            "--shard",
            "1/2",
            "events.jsonl"
        ]
    )
    .status
    .success());
    let before = store_bytes(d);
    let run = |hosts: &str, extra: &[&str]| {
        let started = Instant::now();
        let mut args = vec![
            "--db",
            "shard-1.db",
            "cluster",
            "rank",
            "--by",
            "pagerank",
            "-n",
            "2",
            "-p",
            "1",
            "-h",
            hosts,
        ];
        args.extend_from_slice(extra);
        let out = renown(d, &args);
        (out, started.elapsed())
    };

    // Process 0 never answers.
    let hosts = hosts_file(d, &[NOBODY, NOBODY]);
    let (out, took) = run(&hosts, &["--connect-timeout", "2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("process 0 (127.0.0.1:{NOBODY})")),
        "{err}"
    );
    assert!(took < BOUNDED, "{took:?}");

    // Process 0 connects, then dies.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hosts = hosts_file(d, &[port, NOBODY]);
    let (fake, _release) = fake_peer(listener, 0, Duration::from_millis(300));
    let (out, took) = run(&hosts, &["--connect-timeout", "5"]);
    fake.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("lost process 0 (127.0.0.1:{port})")),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(took < BOUNDED, "{took:?}");

    // Process 0 connects, then says nothing.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hosts = hosts_file(d, &[port, NOBODY]);
    // It stays silent until the run has ended (a close would be a dead process instead).
    let (fake, release) = fake_peer(listener, 0, Duration::from_secs(600));
    let (out, took) = run(&hosts, &["--connect-timeout", "5", "--stall-timeout", "2"]);
    release.send(()).unwrap();
    fake.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no progress for 2 s"), "{err}");
    assert!(took >= Duration::from_secs(2) && took < BOUNDED, "{took:?}");

    // A process started with another measure is refused by name.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hosts = hosts_file(d, &[port, NOBODY]);
    let mismatched = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut hello = [0u8; 40];
        stream.read_exact(&mut hello).unwrap();
        hello[8..16].copy_from_slice(&0u64.to_le_bytes());
        hello[32] ^= 1; // another job digest
        stream.write_all(&hello).unwrap();
    });
    let (out, _) = run(&hosts, &["--connect-timeout", "5"]);
    mismatched.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("was started with another command"), "{err}");

    // Nothing was written to the store by the failed runs.
    assert_eq!(store_bytes(d), before);
}

/// `single.db` with every event and `shard-I.db` with shard I of 2.
fn single_and_shards(d: &Path, events: &[Event]) {
    write_jsonl(&d.join("events.jsonl"), events);
    let mut dbs = vec![("single.db".to_string(), None)];
    dbs.extend((0..2).map(|i| (format!("shard-{i}.db"), Some(format!("{i}/2")))));
    for (db, shard) in dbs {
        let mut args = vec!["--db", &db, "ingest"];
        if let Some(s) = &shard {
            args.extend(["--shard", s]);
        }
        args.push("events.jsonl");
        let out = renown(d, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Documents of JSON Lines.
fn json_lines(out: &std::process::Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON document per line"))
        .collect()
}

/// `cluster update` on two processes: after each batch by date, the answer of `renown rank
/// --as-of` that date on one machine (counts exactly, PageRank and earned to 1e-9, the same
/// ranking), and the answer of every event after the last.
#[test]
fn update_on_two_processes_equals_rank_as_of_each_batch_date() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    single_and_shards(d, &events());
    let dates: Vec<String> = [50_000, 100_000]
        .iter()
        .map(|s| renown_model::format_time(T0 + s))
        .collect();
    let at = dates.join(",");
    let ports = free_ports();
    let hosts = hosts_file(d, &ports);
    for (by, workers) in [
        ("followers", "1"),
        ("engagement", "2"),
        ("pagerank", "2"),
        ("earned", "2"),
    ] {
        let args = [
            "--by", by, "--at", &at, "--top", "0", "--format", "json", "-n", "2", "-h", &hosts,
            "-w", workers,
        ];
        let shards = |p: usize| vec!["--store".to_string(), format!("shard-{p}.db")];
        let docs = json_lines(&cluster_with(d, "update", &args, 2, shards));
        assert_eq!(docs.len(), 3, "{by}: a document per batch");
        for (i, doc) in docs.iter().enumerate() {
            let mut single_args = vec![
                "--db",
                "single.db",
                "rank",
                "--by",
                by,
                "--top",
                "0",
                "--format",
                "json",
            ];
            if let Some(date) = dates.get(i) {
                single_args.extend(["--as-of", date]);
            }
            let single = json(&renown(d, &single_args));
            let what = format!("{by} after batch {i}");
            if by == "pagerank" {
                // PageRank stops where an iteration moves the scores (summing to 1) by less
                // than 1e-10 in L1, which leaves each run within 1e-10 · d / (1 - d) of the
                // fixed point: a run started from the batch before and one started from
                // uniform ranks agree to twice that, not to the last digits of the
                // single machine's own stop (a run from uniform iterated to a 1000 times finer
                // stop is 3.8e-9 relative from it on one account here).
                let (s, c) = (by_account(&single), by_account(doc));
                let n = single["total"].as_f64().unwrap();
                let l1: f64 = s.iter().map(|(k, v)| (v.0 - c[k].0).abs() / n).sum();
                assert!(l1 <= 2.0 * 1e-10 * 0.85 / 0.15, "{what}: L1 {l1:e}");
                assert_close(&single, doc, &what, 1e-8);
            } else {
                assert_same(&single, doc, &what);
            }
            assert_eq!(single["scope"], doc["scope"], "{what}");
            assert_eq!(single["parameters"], doc["parameters"], "{what}");
            assert_eq!(doc["cluster"]["batch"], i, "{what}");
            assert!(doc["cluster"]["appended"].as_u64().unwrap() > 100, "{what}");
            if by == "followers" || by == "engagement" {
                let (s, c) = (by_account(&single), by_account(doc));
                assert!(s.iter().all(|(k, v)| c[k].0 == v.0), "{what}: counts");
            }
        }
        assert_ne!(
            by_account(&docs[0]),
            by_account(&docs[2]),
            "{by}: the batches change the answer"
        );
    }
}

/// A process killed while `cluster update` streams its batches ends the run of the others
/// within a bounded time, naming it.
#[test]
fn a_process_lost_mid_stream_ends_the_update_named() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    single_and_shards(d, &events());
    let ports = free_ports();
    let hosts = hosts_file(d, &ports);
    let spawn = |p: usize, stdout: Stdio| {
        Command::new(BIN)
            .args(["cluster", "update", "--by", "pagerank", "--every", "1h"])
            .args(["--top", "0", "--format", "json", "-n", "2", "-h", &hosts])
            .args(["--store", &format!("shard-{p}.db"), "-p", &p.to_string()])
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut second = spawn(1, Stdio::null());
    let mut first = spawn(0, Stdio::piped());
    // The first batch's ranking arrives; process 0 then blocks writing the next ones (a
    // whole ranking per line, more than the pipe holds) until we read: it is mid-stream.
    let mut lines = std::io::BufReader::new(first.stdout.take().unwrap());
    let mut line = String::new();
    lines.read_line(&mut line).unwrap();
    let doc: Value = serde_json::from_str(&line).expect("the first batch's document");
    assert_eq!(doc["cluster"]["batch"], 0);
    second.kill().unwrap();
    second.wait().unwrap();
    let killed = Instant::now();
    // Reading on: the run must end by itself, not by filling the pipe.
    let drain = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = lines.read_to_string(&mut rest);
        rest.lines().count()
    });
    let status = loop {
        if let Some(status) = first.try_wait().unwrap() {
            break status;
        }
        assert!(
            killed.elapsed() < BOUNDED,
            "still running after {BOUNDED:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let batches_after = drain.join().unwrap();
    let mut err = String::new();
    first
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("lost process 1 (127.0.0.1:{})", ports[1])),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // It did not run to the end: `--every 1h` over the log makes dozens of batches.
    assert!(batches_after < 30, "{batches_after} batches after the kill");
}
