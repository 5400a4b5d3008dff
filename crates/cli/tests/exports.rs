//! The exports read back by the tools analysts use, through `$RENOWN_PYTHON` (default python3;
//! CI installs .ci/requirements.txt): `renown graph export` in every format and graph by
//! networkx, igraph and scipy (same nodes, degrees, weights and PageRank ≤ 1e-9 as renown's own
//! snapshot), and `renown export --format parquet` by pyarrow, pandas, polars and DuckDB (the
//! same events as the JSON Lines export, the same counts by kind as `renown stats`). A missing
//! python package fails the test rather than skipping it.

mod common;

use common::{renown, write_jsonl};
use renown_graph::{engagement_graph, follow_graph, pagerank_with, Csr, EngagementParams};
use renown_graph::{FollowParams, PageRankOptions};
use renown_model::{AccountRef, Event, Kind};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const T0: i64 = 1_341_100_800; // 2012-07-01

fn ev(platform: &str, kind: Kind, actor: &str, target: Option<&str>, t: Option<i64>) -> Event {
    let mut e = Event::new(platform, kind, AccountRef::new(actor));
    e.target = target.map(AccountRef::new);
    e.time = t;
    e
}

/// A small network on two platforms: follows (one undone), reshares, replies, mentions and
/// likes with parallel edges to merge, handles with markup and non-ASCII letters, accounts
/// that are isolated in one graph or another, topics, items and parents, a timeless follow.
fn events() -> Vec<Event> {
    let mut out = Vec::new();
    let handle = |id: &str, h: &str| {
        let mut e = ev("mastodon", Kind::Post, id, None, Some(T0));
        e.actor = AccountRef::with_handle(id, Some(h.to_string()));
        e.item = Some(format!("post-{id}"));
        e.topics = vec!["higgs".into(), "physics".into()];
        e
    };
    out.push(handle("1", "@ann"));
    out.push(handle("2", "@bé<&\"'>"));
    out.push(handle("9", "@lonely"));
    let users = ["1", "2", "3", "4", "5", "6", "7", "8"];
    for (i, a) in users.iter().enumerate() {
        for (j, b) in users.iter().enumerate() {
            let t = Some(T0 + 3600 * (i * 8 + j) as i64);
            if (i * 3 + j) % 4 == 1 && a != b {
                out.push(ev("mastodon", Kind::Follow, a, Some(b), t));
            }
            if (i + 2 * j) % 5 == 0 && a != b {
                let mut r = ev("mastodon", Kind::Reshare, a, Some(b), t);
                r.parent = Some(format!("post-{b}"));
                out.push(r.clone());
                r.time = t.map(|t| t + 60);
                out.push(r);
            }
            if (i * j) % 7 == 3 {
                out.push(ev("mastodon", Kind::Reply, a, Some(b), t));
                out.push(ev("mastodon", Kind::Like, a, Some(b), t));
                out.push(ev("mastodon", Kind::Mention, b, Some(a), t));
            }
        }
    }
    out.push(ev(
        "mastodon",
        Kind::Unfollow,
        "1",
        Some("2"),
        Some(T0 + 400_000),
    ));
    out.push(ev("higgs", Kind::Follow, "100", Some("101"), None));
    out.push(ev("higgs", Kind::Follow, "101", Some("100"), None));
    out
}

fn python() -> String {
    std::env::var("RENOWN_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs a script of scripts/ under `$RENOWN_PYTHON` and parses the JSON it prints.
fn run_script(script: &str, args: &[&Path]) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts")
        .join(script);
    let python = python();
    let out = Command::new(&python)
        .arg(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {python} ({e}); install python3 or set RENOWN_PYTHON")
        });
    assert_ne!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

fn store(dir: &Path) {
    write_jsonl(&dir.join("events.jsonl"), &events());
    let out = renown(dir, &["ingest", "events.jsonl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn normalised(v: &[f64]) -> Vec<f64> {
    let sum: f64 = v.iter().sum();
    v.iter().map(|x| x / sum).collect()
}

/// Every reader's view of one exported graph against renown's snapshot `g`.
fn check_readers(name: &str, read: &Value, g: &Csr, accounts: &[renown_store::AccountInfo]) {
    let out = g.require_out("test").unwrap();
    let n = g.n() as usize;
    let pr = pagerank_with::<f64>(
        g,
        &PageRankOptions {
            tolerance: 1e-15,
            max_iterations: 100_000,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(pr.converged, "{name}: renown's PageRank did not converge");
    let want_pr = normalised(&pr.scores);
    let want_out: Vec<u64> = (0..g.n()).map(|v| g.out_degree(v) as u64).collect();
    let want_in: Vec<u64> = (0..g.n()).map(|v| g.in_degree(v) as u64).collect();
    let want_strength: Vec<f64> = (0..g.n()).map(|v| out.weighted_degree(v)).collect();
    let readers = read.as_object().unwrap();
    assert_eq!(readers.len(), 5);
    for (reader, r) in readers {
        let what = format!("{name} via {reader}");
        assert_eq!(r["nodes"].as_u64().unwrap() as usize, n, "{what}: nodes");
        assert_eq!(r["edges"].as_u64().unwrap(), g.m(), "{what}: edges");
        let ints = |k: &str| -> Vec<u64> {
            r[k].as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect()
        };
        assert_eq!(ints("out_degree"), want_out, "{what}: out-degrees");
        assert_eq!(ints("in_degree"), want_in, "{what}: in-degrees");
        assert_eq!(floats(&r["out_strength"]), want_strength, "{what}: weights");
        let got_pr = normalised(&floats(&r["pagerank"]));
        let worst = got_pr
            .iter()
            .zip(&want_pr)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1e-9, "{what}: PageRank differs by {worst:e}");
        if reader == "networkx_edgelist" {
            continue; // an edge list names no accounts
        }
        for (i, a) in accounts.iter().enumerate().take(n) {
            assert_eq!(
                r["account"][i].as_str(),
                Some(format!("{}:{}", a.platform, a.native_id).as_str()),
                "{what}: node {i}'s account"
            );
            assert_eq!(
                r["handle"][i].as_str(),
                a.handle.as_deref(),
                "{what}: node {i}'s handle"
            );
        }
    }
}

#[test]
fn graph_exports_read_back_with_renowns_degrees_weights_and_pagerank() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    let as_of = "2012-07-03";
    let until = Some(T0 + 3 * 86_400 - 1);
    let snapshot = renown_store::Snapshot::open(&dir.path().join("renown.db")).unwrap();
    let accounts = snapshot.accounts().unwrap();
    assert!(accounts
        .iter()
        .any(|a| a.handle.as_deref() == Some("@bé<&\"'>")));
    let reshares = EngagementParams {
        kind_weights: vec![(Kind::Reshare, 1.0)],
        ..Default::default()
    };
    let cases: [(&str, Option<&str>, Csr); 4] = [
        (
            "follow",
            None,
            follow_graph(&snapshot, &FollowParams::default()).unwrap(),
        ),
        (
            "follow",
            Some(as_of),
            follow_graph(
                &snapshot,
                &FollowParams {
                    as_of: until,
                    platform: None,
                },
            )
            .unwrap(),
        ),
        (
            "engagement",
            None,
            engagement_graph(&snapshot, &EngagementParams::default()).unwrap(),
        ),
        (
            "reshare",
            None,
            engagement_graph(&snapshot, &reshares).unwrap(),
        ),
    ];
    for (graph, as_of, g) in cases {
        assert!(g.m() > 3, "{graph}: the test graph has too few edges");
        let stem = format!("{graph}-{}", as_of.unwrap_or("all"));
        for (format, ext) in [
            ("graphml", "graphml"),
            ("gexf", "gexf"),
            ("npz", "npz"),
            ("edgelist", "edgelist"),
        ] {
            let file = format!("{stem}.{ext}");
            let mut args = vec![
                "graph", "export", "--graph", graph, "--format", format, &file,
            ];
            if let Some(d) = as_of {
                args.extend(["--as-of", d]);
            }
            let out = renown(dir.path(), &args);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let read = run_script("graph/read_exports.py", &[dir.path(), Path::new(&stem)]);
        check_readers(&stem, &read, &g, &accounts);
    }
    // --as-of cuts the graph: the unfollow after it has not happened yet.
    let follow_all = follow_graph(&snapshot, &FollowParams::default()).unwrap();
    let follow_then = follow_graph(
        &snapshot,
        &FollowParams {
            as_of: until,
            platform: None,
        },
    )
    .unwrap();
    assert_ne!(follow_all.m(), follow_then.m());
}

#[test]
fn graph_export_to_stdout_and_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    let out = renown(
        dir.path(),
        &["graph", "export", "--format", "edgelist", "-"],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let edges = text.lines().filter(|l| !l.starts_with('#')).count();
    let g = follow_graph(
        &renown_store::Snapshot::open(&dir.path().join("renown.db")).unwrap(),
        &FollowParams::default(),
    )
    .unwrap();
    assert_eq!(edges as u64, g.m());
    // A folder in the way is an error with a message, not a panic.
    std::fs::create_dir(dir.path().join("taken.graphml")).unwrap();
    let out = renown(
        dir.path(),
        &["graph", "export", "--format", "graphml", "taken.graphml"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create taken.graphml"));
    let out = renown(dir.path(), &["graph", "export", "--format", "dot", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn parquet_export_reads_back_in_pyarrow_pandas_polars_and_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    let out = renown(
        dir.path(),
        &["export", "--format", "parquet", "events.parquet"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = renown(dir.path(), &["export", "back.jsonl"]);
    assert!(out.status.success());
    let read = run_script(
        "export/read_parquet.py",
        &[&dir.path().join("events.parquet")],
    );

    // Row by row, the same events as the JSON Lines export.
    let jsonl = std::fs::read_to_string(dir.path().join("back.jsonl")).unwrap();
    let want: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rows = read["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want.len());
    assert_eq!(rows.len(), events().len());
    for (i, (got, want)) in rows.iter().zip(&want).enumerate() {
        let time = want["time"]
            .as_str()
            .map(|t| renown_model::parse_time(t).unwrap());
        assert_eq!(got["time"].as_i64(), time, "row {i}: time");
        for k in [
            "platform",
            "kind",
            "actor",
            "actor_handle",
            "target",
            "target_handle",
            "item",
            "parent",
        ] {
            assert_eq!(
                got[k],
                want.get(k).cloned().unwrap_or(Value::Null),
                "row {i}: {k}"
            );
        }
        let topics = want.get("topics").cloned().unwrap_or(Value::Array(vec![]));
        assert_eq!(got["topics"], topics, "row {i}: topics");
    }
    assert!(
        rows.iter().any(|r| r["time"].is_null()),
        "the timeless follows"
    );

    // The counts by kind in each reader equal `renown stats`.
    let stats = renown(dir.path(), &["stats", "--format", "json"]);
    assert!(stats.status.success());
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    let by_kind = stats_by_kind(&stats);
    assert!(by_kind.len() >= 6);
    for reader in ["pandas", "polars", "duckdb"] {
        let got: std::collections::BTreeMap<String, u64> = read["by_kind"][reader]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        assert_eq!(got, by_kind, "{reader}");
    }
}

/// `renown stats --format json`'s event counts by kind.
fn stats_by_kind(stats: &Value) -> std::collections::BTreeMap<String, u64> {
    stats["by_kind"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect()
}
