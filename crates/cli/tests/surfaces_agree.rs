//! The CLI's `--format json` and the HTTP API answer every question they share with the same
//! JSON: both serialise `renown-app`'s structs. Runs the real binary on a small simulated store,
//! once as commands and once as a server.

mod common;
use common::{renown, same, write_jsonl, Server, BIN};

use renown_sim::{simulate, SimConfig};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn same_tolerates_rounding_only() {
    let v = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    assert!(same(
        &v(r#"{"a":[1.9130523981842884]}"#),
        &v(r#"{"a":[1.913052398184288]}"#)
    ));
    assert!(!same(&v(r#"{"a":[1.9130]}"#), &v(r#"{"a":[1.9131]}"#)));
    assert!(!same(&v(r#"{"a":1}"#), &v(r#"{"a":1,"b":2}"#)));
    assert!(!same(&v(r#"{"a":"x"}"#), &v(r#"{"a":"y"}"#)));
}

fn cli_json(dir: &Path, args: &[&str]) -> Value {
    let out = renown(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn cli_json_and_the_api_agree_on_every_question_they_share() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulate(&SimConfig {
        seed: 3,
        accounts: 150,
        days: 60,
        ..SimConfig::default()
    });
    let topic = sim
        .events
        .iter()
        .find_map(|e| e.topics.first().cloned())
        .expect("the simulation tags some posts");
    // Named relative to the store's folder, so the API's file name is the CLI's file.
    write_jsonl(&dir.path().join("events.jsonl"), &sim.events);
    let ingest = renown(dir.path(), &["ingest", "events.jsonl"]);
    assert!(ingest.status.success());
    let server = Server::start(dir.path());

    let stats = cli_json(dir.path(), &["stats", "--format", "json"]);
    assert_eq!(stats, server.get("/api/stats"));
    // A date inside the data, so the as-of scope cuts something.
    let first = stats["first_time"].as_str().unwrap();
    let as_of = format!("{}-15", &first[..7]);

    let mut cases: Vec<(Vec<String>, String)> = Vec::new();
    let scopes: [(Vec<String>, String); 3] = [
        (vec![], String::new()),
        (
            vec!["--as-of".into(), as_of.clone()],
            format!("&as_of={as_of}"),
        ),
        (
            vec!["--topic".into(), topic.clone()],
            format!("&topic={topic}"),
        ),
    ];
    for measure in ["earned", "followers", "reshares", "pagerank"] {
        for (flags, query) in &scopes {
            let mut cli: Vec<String> = ["rank", "--by", measure, "--top", "30", "--format", "json"]
                .map(String::from)
                .to_vec();
            cli.extend(flags.iter().cloned());
            cases.push((
                cli,
                format!("/api/leaderboard?measure={measure}&limit=30{query}"),
            ));
        }
    }
    // Trust-weighted earned influence, from the default seeds.
    for (flags, query) in &scopes[..2] {
        let mut cli: Vec<String> = ["rank", "--trust", "--top", "30", "--format", "json"]
            .map(String::from)
            .to_vec();
        cli.extend(flags.iter().cloned());
        cases.push((
            cli,
            format!("/api/leaderboard?measure=earned&trust=true&limit=30{query}"),
        ));
    }
    // Who to engage: the seed set alone, then compared with the measures' top sets.
    for (flags, query) in &scopes {
        let mut cli: Vec<String> = ["seeds", "--k", "5", "--format", "json"]
            .map(String::from)
            .to_vec();
        cli.extend(flags.iter().cloned());
        cases.push((cli, format!("/api/seeds?k=5{query}")));
    }
    cases.push((
        [
            "seeds",
            "--k",
            "5",
            "--compare",
            "--sims",
            "100",
            "--format",
            "json",
        ]
        .map(String::from)
        .to_vec(),
        "/api/seeds?k=5&compare=true&sims=100".into(),
    ));
    // The account questions, on the top accounts by earned influence.
    let top = cli_json(dir.path(), &["rank", "--top", "3", "--format", "json"]);
    for row in top["rows"].as_array().unwrap() {
        let account = format!(
            "{}:{}",
            row["platform"].as_str().unwrap(),
            row["native_id"].as_str().unwrap()
        );
        for (flags, query) in &scopes {
            let mut cli: Vec<String> = [
                "explain",
                &account,
                "--months",
                "0",
                "--endorsers",
                "5",
                "--format",
                "json",
            ]
            .map(String::from)
            .to_vec();
            cli.extend(flags.iter().cloned());
            cases.push((
                cli,
                format!("/api/accounts/{account}/explain?endorsers=5{query}"),
            ));
        }
    }
    // Where each top account's influence comes from and goes, by topic; and how it fares
    // against the fake-account rule sets (an account has no topic).
    for row in top["rows"].as_array().unwrap() {
        let account = format!(
            "{}:{}",
            row["platform"].as_str().unwrap(),
            row["native_id"].as_str().unwrap()
        );
        for (flags, query) in &scopes {
            let mut cli: Vec<String> = ["profile", &account, "--limit", "5", "--format", "json"]
                .map(String::from)
                .to_vec();
            cli.extend(flags.iter().cloned());
            cases.push((
                cli,
                format!("/api/accounts/{account}/profile?limit=5{query}"),
            ));
        }
        for (flags, query) in &scopes[..2] {
            let mut cli: Vec<String> = ["classify", &account, "--detail", "--format", "json"]
                .map(String::from)
                .to_vec();
            cli.extend(flags.iter().cloned());
            cases.push((
                cli,
                format!(
                    "/api/accounts/{account}/fake?{}",
                    query.trim_start_matches('&')
                ),
            ));
        }
    }
    // One measure against another, sampled to fewer points than accounts.
    for (flags, query) in &scopes {
        for (x, y, points) in [("followers", "earned", 2000), ("pagerank", "reshares", 40)] {
            let mut cli: Vec<String> = [
                "scatter",
                "--x",
                x,
                "--y",
                y,
                "--points",
                &points.to_string(),
                "--format",
                "json",
            ]
            .map(String::from)
            .to_vec();
            cli.extend(flags.iter().cloned());
            cases.push((
                cli,
                format!("/api/scatter?x={x}&y={y}&points={points}{query}"),
            ));
        }
    }
    // Audits: every account, then each of the top accounts alone (an audience has no topic).
    for (flags, query) in &scopes[..2] {
        let mut cli: Vec<String> = ["audit", "--all", "--top", "1000", "--format", "json"]
            .map(String::from)
            .to_vec();
        cli.extend(flags.iter().cloned());
        cases.push((cli, format!("/api/audit?limit=1000{query}")));
    }
    for row in top["rows"].as_array().unwrap() {
        let account = format!(
            "{}:{}",
            row["platform"].as_str().unwrap(),
            row["native_id"].as_str().unwrap()
        );
        let cli: Vec<String> = ["audit", &account, "--format", "json"]
            .map(String::from)
            .to_vec();
        cases.push((cli, format!("/api/accounts/{account}/audit")));
    }
    // How far the measures agree.
    for (flags, query) in &scopes {
        let mut cli: Vec<String> = [
            "compare",
            "--by",
            "earned,followers,reshares",
            "--top-percent",
            "10,5",
            "--format",
            "json",
        ]
        .map(String::from)
        .to_vec();
        cli.extend(flags.iter().cloned());
        cases.push((
            cli,
            format!("/api/compare?measures=earned,followers,reshares&top=10,5{query}"),
        ));
    }
    // Cascades: the list in either order, then each of the largest trees whole.
    for (flags, query) in &scopes {
        for by in ["size", "virality"] {
            let mut cli: Vec<String> = ["cascades", "--top", "30", "--by", by, "--format", "json"]
                .map(String::from)
                .to_vec();
            cli.extend(flags.iter().cloned());
            cases.push((cli, format!("/api/cascades?limit=30&by={by}{query}")));
        }
    }
    let largest = cli_json(dir.path(), &["cascades", "--top", "3", "--format", "json"]);
    for row in largest["rows"].as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        let size = row["size"].as_u64().unwrap();
        cases.push((
            ["cascade", id, "--format", "json"]
                .map(String::from)
                .to_vec(),
            format!("/api/cascades/{}?limit={size}", encode(id)),
        ));
    }
    // Dynamics with a small bootstrap the request waits for, and backtests.
    for (flags, query) in &scopes {
        let mut cli: Vec<String> = [
            "dynamics",
            "--bootstrap",
            "5",
            "--top",
            "15",
            "--format",
            "json",
        ]
        .map(String::from)
        .to_vec();
        cli.extend(flags.iter().cloned());
        cases.push((cli, format!("/api/dynamics?bootstrap=5&limit=15{query}")));
    }
    cases.push((
        [
            "backtest",
            "--bootstrap",
            "20",
            "--k",
            "10",
            "--format",
            "json",
        ]
        .map(String::from)
        .to_vec(),
        "/api/backtest?bootstrap=20&k=10".into(),
    ));
    // A trajectory is computed in the background: asked until it is in, it is the CLI's
    // `explain --months` trajectory.
    for row in top["rows"].as_array().unwrap() {
        let account = format!(
            "{}:{}",
            row["platform"].as_str().unwrap(),
            row["native_id"].as_str().unwrap()
        );
        let cli = cli_json(
            dir.path(),
            &[
                "explain",
                &account,
                "--months",
                "3",
                "--endorsers",
                "0",
                "--format",
                "json",
            ],
        );
        let path = format!("/api/accounts/{account}/trajectory?months=3");
        let mut api = server.get(&path);
        for _ in 0..600 {
            if api["pending"] == false {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            api = server.get(&path);
        }
        assert_eq!(
            api["pending"], false,
            "{path}: still pending after a minute"
        );
        assert_eq!(cli["trajectory"].as_array().map(Vec::len), Some(3), "{cli}");
        for (a, b) in [
            ("id", "id"),
            ("account", "account"),
            ("score", "score"),
            ("rank", "rank"),
            ("trajectory", "points"),
        ] {
            assert!(
                same(&cli[a], &api[b]),
                "{path}: {a} {} vs {b} {}",
                cli[a],
                api[b]
            );
        }
    }
    for (cli, path) in &cases {
        let args: Vec<&str> = cli.iter().map(String::as_str).collect();
        let mut from_cli = cli_json(dir.path(), &args);
        let non_empty = |key: &str| from_cli[key].as_array().is_some_and(|r| !r.is_empty());
        let answered = non_empty("rows")
            || non_empty("nodes")
            || non_empty("splits")
            || non_empty("kernel")
            || non_empty("seeds")
            || non_empty("points")
            || from_cli["id"].is_u64()
            || from_cli["dense_id"].is_u64();
        assert!(answered, "{cli:?} answers something: {from_cli}");
        let mut from_api = server.get(path);
        if cli[0] == "seeds" {
            // How long the selection took is the one field that differs run to run.
            for v in [&mut from_cli, &mut from_api] {
                v.as_object_mut()
                    .unwrap()
                    .remove("seconds")
                    .expect("seconds");
            }
        }
        if cli.iter().any(|a| a == "--trust") {
            assert_eq!(from_cli["trust_weighted"], true, "{from_cli}");
        }
        assert!(
            same(&from_cli, &from_api),
            "{cli:?} against {path}:\n{from_cli}\n{from_api}"
        );
    }
}

/// The measures' parameters in `renown.toml` beside the store reach every surface that computes a
/// measure: the CLI's rank, compare, explain and audit and the server's routes for them give the
/// same JSON, each echoing the parameters, and differ from the defaults' answers.
#[test]
fn a_parameters_file_reaches_the_cli_and_the_server_alike() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulate(&SimConfig {
        seed: 5,
        accounts: 120,
        days: 60,
        ..SimConfig::default()
    });
    write_jsonl(&dir.path().join("events.jsonl"), &sim.events);
    assert!(renown(dir.path(), &["ingest", "events.jsonl"])
        .status
        .success());
    let top = cli_json(dir.path(), &["rank", "--top", "2", "--format", "json"]);
    let accounts: Vec<String> = top["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["platform"].as_str().unwrap(),
                r["native_id"].as_str().unwrap()
            )
        })
        .collect();
    let mut cases: Vec<(Vec<String>, String)> = Vec::new();
    let strings = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for measure in [
        "earned",
        "pagerank",
        "engagement-pagerank",
        "reshare-pagerank",
    ] {
        cases.push((
            strings(&["rank", "--by", measure, "--top", "20", "--format", "json"]),
            format!("/api/leaderboard?measure={measure}&limit=20"),
        ));
    }
    cases.push((
        strings(&[
            "compare",
            "--by",
            "earned,pagerank,followers",
            "--format",
            "json",
        ]),
        "/api/compare?measures=earned,pagerank,followers".into(),
    ));
    cases.push((
        strings(&["audit", "--all", "--top", "1000", "--format", "json"]),
        "/api/audit?limit=1000".into(),
    ));
    for a in &accounts {
        cases.push((
            strings(&["audit", a, "--format", "json"]),
            format!("/api/accounts/{a}/audit"),
        ));
        cases.push((
            strings(&["explain", a, "--months", "0", "--format", "json"]),
            format!("/api/accounts/{a}/explain"),
        ));
    }
    let run = |cli: &[String]| {
        let args: Vec<&str> = cli.iter().map(String::as_str).collect();
        cli_json(dir.path(), &args)
    };
    let defaults: Vec<Value> = cases.iter().map(|(cli, _)| run(cli)).collect();

    let file = dir.path().join("renown.toml");
    std::fs::write(
        &file,
        "[earned]\nhalf_life_days = 20\nreciprocity_discount = 0.3\n[pagerank]\ndamping = 0.5\n",
    )
    .unwrap();
    // Named as found beside the store, which the tests name relative to their folder.
    let source = "renown.toml";
    assert!(file.is_file());
    let server = Server::start(dir.path());
    for ((cli, path), default) in cases.iter().zip(&defaults) {
        let from_cli = run(cli);
        let from_api = server.get(path);
        assert!(
            same(&from_cli, &from_api),
            "{cli:?} against {path}:\n{from_cli}\n{from_api}"
        );
        assert_ne!(&from_cli, default, "{cli:?}: the file changes the answer");
        // Each answer echoes what it was computed with, and where that came from.
        let echoed = match cli[0].as_str() {
            "rank" => from_cli["parameters"].clone(),
            "explain" => {
                assert_eq!(from_cli["params"]["half_life_days"], 20.0, "{cli:?}");
                continue;
            }
            "compare" => {
                assert_eq!(from_cli["parameters"]["pagerank"]["damping"], 0.5);
                assert!(from_cli["parameters"].get("followers").is_none());
                from_cli["parameters"]["earned"].clone()
            }
            _ => from_cli["parameters"].clone(),
        };
        assert_eq!(echoed["source"], source, "{cli:?}: {from_cli}");
        if cli[0] == "rank" && cli[2].contains("pagerank") {
            assert_eq!(echoed["damping"], 0.5, "{cli:?}");
        } else {
            assert_eq!(echoed["half_life_days"], 20.0, "{cli:?}");
            assert_eq!(echoed["reciprocity_discount"], 0.3, "{cli:?}");
        }
    }
    // Tables say so above themselves.
    let first_line = |args: &[&str]| {
        let out = renown(dir.path(), args);
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        first_line(&["rank", "--by", "pagerank", "--top", "3"]),
        format!("parameters ({source}): damping 0.5")
    );
    let audit = first_line(&["audit", &accounts[0]]);
    assert!(
        audit.starts_with(&format!("earned parameters ({source}): half-life 20 d")),
        "{audit}"
    );
    let compare = first_line(&["compare", "--by", "earned,pagerank"]);
    assert!(compare.starts_with("earned: parameters ("), "{compare}");
}

/// A parameters file with a key renown does not know is refused, by every command and by the
/// server, from `--config` and from `RENOWN_CONFIG`, with the key named: nothing is dropped.
#[test]
fn an_unknown_parameter_is_refused_everywhere_with_its_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulate(&SimConfig {
        seed: 5,
        accounts: 40,
        days: 20,
        ..SimConfig::default()
    });
    write_jsonl(&dir.path().join("events.jsonl"), &sim.events);
    assert!(renown(dir.path(), &["ingest", "events.jsonl"])
        .status
        .success());
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[pagerank]\ndampng = 0.5\n").unwrap();
    let bad = bad.display().to_string();
    for command in [
        vec!["rank"],
        vec!["compare"],
        vec!["audit", "--all"],
        vec!["serve", "--addr", "127.0.0.1:0"],
    ] {
        let mut args = vec!["--config", bad.as_str()];
        args.extend(&command);
        let out = renown(dir.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {err}");
        assert!(err.contains("unknown field `dampng`"), "{command:?}: {err}");
        assert!(err.contains(&bad), "{command:?}: {err}");
    }
    let out = Command::new(BIN)
        .args(["rank", "--by", "pagerank"])
        .current_dir(dir.path())
        .env_remove("RENOWN_DB")
        .env("RENOWN_CONFIG", &bad)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `dampng`"));
    // A value out of range is named with the range it must lie in.
    std::fs::write(dir.path().join("renown.toml"), "[pagerank]\ndamping = 1\n").unwrap();
    let out = renown(dir.path(), &["rank", "--by", "pagerank"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("pagerank.damping must be in [0, 1), not 1"),
        "{err}"
    );
}

/// `text` as one path segment: everything but unreserved characters percent-encoded.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
