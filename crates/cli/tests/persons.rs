//! `--per person` as a user runs it: one person on Mastodon and Bluesky, an engager on both,
//! a person's own accounts boosting each other. The expected figures are computed by hand from
//! the equations in docs/MEASURES.md (all events timeless, so nothing decays).

mod common;
use common::{renown, same, write_jsonl, Server};
use renown_model::{AccountRef, Event, Kind};
use serde_json::Value;
use std::path::Path;

fn reshare(platform: &str, actor: &str, target: &str) -> Event {
    Event {
        target: Some(AccountRef::new(target)),
        ..Event::new(platform, Kind::Reshare, AccountRef::new(actor))
    }
}

/// Ana is ana_m and ana_alt (Mastodon) and ana_b (Bluesky); Bob is bob_m and bob_b; Cy
/// (Bluesky) and Dee (Mastodon) are unlinked.
fn scenario(own_boosts: bool) -> Vec<Event> {
    let mut events = vec![
        Event::new("mastodon", Kind::Post, AccountRef::new("ana_alt")),
        reshare("mastodon", "bob_m", "ana_m"),
        reshare("bluesky", "bob_b", "ana_b"),
        reshare("bluesky", "cy_b", "ana_b"),
        reshare("mastodon", "ana_m", "dee_m"),
    ];
    if own_boosts {
        // Ana's two Mastodon accounts boosting each other.
        events.push(reshare("mastodon", "ana_alt", "ana_m"));
        events.push(reshare("mastodon", "ana_m", "ana_alt"));
    }
    events
}

const LINKS: &str = "person,platform,handle\n\
    Ana,mastodon,ana_m\nAna,mastodon,ana_alt\nAna,bluesky,ana_b\nBob,mastodon,bob_m\nBob,bluesky,bob_b\n";

fn store(dir: &Path, own_boosts: bool) {
    write_jsonl(&dir.join("events.jsonl"), &scenario(own_boosts));
    std::fs::write(dir.join("people.csv"), LINKS).unwrap();
    let out = renown(dir, &["ingest", "events.jsonl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = renown(dir, &["link", "people.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = renown(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn score_of(board: &Value, label: &str) -> f64 {
    board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap_or_else(|| panic!("no person {label} in {board}"))["score"]
        .as_f64()
        .unwrap()
}

fn close(got: f64, want: f64) {
    // The endorsement graph stores its weights as f32.
    assert!((got - want).abs() < 1e-6, "got {got}, want {want}");
}

#[test]
fn a_person_across_platforms_counts_engagers_once_and_their_own_boosts_zero() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), true);
    let board = json(
        dir.path(),
        &["rank", "--per", "person", "--top", "0", "--format", "json"],
    );
    assert_eq!(board["per"], "person");
    // Seven accounts, four persons: Ana and Bob linked, Cy and Dee alone.
    assert_eq!(board["total"], 4);
    assert_eq!(board["linked"], 2);
    assert_eq!(board["rows"][0]["label"], "Ana");
    assert_eq!(board["rows"][0]["accounts"].as_array().unwrap().len(), 3);
    // Per person, Ana's own boosts drop out (self-engagement); what is left:
    //   Bob → Ana: 2 reshares (one per platform, one engager), v = 2, s = log2 3
    //   Cy  → Ana: 1 reshare, v = 1, s = 1;   Ana → Dee: 1 reshare, s = 1
    // Base votes β = 1 − 2^−k, k = Σ_b (1 − 2^−v):
    //   β_Bob = 1 − 2^−0.75 = 0.405396442,  β_Cy = β_Ana = 1 − 2^−0.5 = 0.292893219
    // Consistency: Ana is answered by 2 distinct *persons* (not 3 accounts) in the one
    // (timeless) period: M = 1 − 2^−2 = 0.75, F = 0.75 / (0.75 + 3) = 0.2; Dee by 1:
    //   M = 0.5, F = 0.5 / 3.5 = 1/7.
    // Selectivity (σ = 1): W_Bob,Ana = 0.2 · log2 3 / (log2 3 + 1) = 0.122629...,
    //   W_Cy,Ana = 0.2 · 1/2 = 0.1,  W_Ana,Dee = (1/7) · 1/2.
    // No one endorses Bob or Cy, so c = β for them:
    //   E_Ana = 0.405396442 · 0.12262944 + 0.292893219 · 0.1 = 0.07900286
    // Credibility flows between persons: c_Ana = β_Ana + 0.85 · E_Ana = 0.36004565,
    //   E_Dee = 0.36004565 / 14 = 0.02571755
    close(score_of(&board, "Ana"), 0.079_002_860_016);
    close(score_of(&board, "mastodon:dee_m"), 0.025_717_546_416);
    close(score_of(&board, "Bob"), 0.0);
    // Ana's own boosts count zero: the store without them gives the same person scores.
    let bare = tempfile::tempdir().unwrap();
    store(bare.path(), false);
    let without = json(
        bare.path(),
        &["rank", "--per", "person", "--top", "0", "--format", "json"],
    );
    assert_eq!(score_of(&without, "Ana"), score_of(&board, "Ana"));
    assert_eq!(
        score_of(&without, "mastodon:dee_m"),
        score_of(&board, "mastodon:dee_m")
    );
    // Per account the same store ranks seven accounts.
    let accounts = json(dir.path(), &["rank", "--top", "0", "--format", "json"]);
    assert_eq!(accounts["total"], 7);

    // explain: which platform carried what. Bob's contribution β_Bob · W_Bob,Ana = 0.04971353
    // splits by his volume per platform (1 reshare each): half to Mastodon, half to Bluesky;
    // Cy's 0.02928932 is all Bluesky.
    let x = json(
        dir.path(),
        &["explain", "Ana", "--per", "person", "--format", "json"],
    );
    close(x["score"].as_f64().unwrap(), 0.079_002_860_016);
    assert_eq!(x["own_account_actions"], 2);
    let part = |platform: &str| {
        x["by_platform"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["platform"] == platform)
            .unwrap_or_else(|| panic!("no {platform} in {x}"))
            .clone()
    };
    close(
        part("mastodon")["contribution"].as_f64().unwrap(),
        0.024_856_769_068,
    );
    close(
        part("bluesky")["contribution"].as_f64().unwrap(),
        0.054_146_090_949,
    );
    assert_eq!(part("mastodon")["actions"], 1);
    assert_eq!(part("bluesky")["actions"], 2);
    assert_eq!(x["endorsers"][0]["label"], "Bob");
    // The account's name finds its person too.
    let y = json(
        dir.path(),
        &[
            "explain",
            "bluesky:ana_b",
            "--per",
            "person",
            "--format",
            "json",
        ],
    );
    assert_eq!(y["label"], "Ana");
    // The table says who the person is and what each platform carried.
    let out = renown(dir.path(), &["explain", "Ana", "--per", "person"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("By platform:") && text.contains("bluesky"),
        "{text}"
    );
}

#[test]
fn without_links_every_account_is_a_person_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    write_jsonl(&dir.path().join("events.jsonl"), &scenario(true));
    let out = renown(dir.path(), &["ingest", "events.jsonl"]);
    assert!(out.status.success());
    let persons = json(
        dir.path(),
        &["rank", "--per", "person", "--top", "0", "--format", "json"],
    );
    let accounts = json(dir.path(), &["rank", "--top", "0", "--format", "json"]);
    assert_eq!(persons["total"], 7);
    assert_eq!(persons["linked"], 0);
    let scores = |b: &Value, key: &str| -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> = b["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r[key].as_str().unwrap().to_string(),
                    r["score"].as_f64().unwrap(),
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(scores(&persons, "label"), scores(&accounts, "account"));
}

#[test]
fn the_gap_is_undefined_without_offline_figures_or_with_too_few() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    store(d, true);
    let none = json(d, &["gap", "--format", "json"]);
    assert!(none["fit"].is_null());
    assert!(none["undefined"]
        .as_str()
        .unwrap()
        .contains("no offline figures"));
    let text = String::from_utf8_lossy(&renown(d, &["gap"]).stdout).to_string();
    assert!(text.contains("undefined"), "{text}");
    // One person with a figure (a linked person by name; a title column has no number).
    std::fs::write(
        d.join("offline.csv"),
        "person,revenue,title\nAna,1000,CEO\n",
    )
    .unwrap();
    let out = renown(d, &["offline", "offline.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"title\" holds no number"));
    let one = json(d, &["gap", "--format", "json"]);
    assert_eq!(one["offline_measure"], "revenue");
    assert_eq!(one["persons"], 1);
    assert!(
        one["fit"].is_null() && one["rows"][0]["gap"].is_null(),
        "{one}"
    );
    assert!(one["undefined"]
        .as_str()
        .unwrap()
        .contains("fewer than three"));
    // An account-level figure counts for its person; a row naming no one is reported (exit 3).
    std::fs::write(
        d.join("more.csv"),
        "account,revenue\nmastodon:bob_m,10\nbluesky:cy_b,1\nnobody,5\n",
    )
    .unwrap();
    let out = renown(d, &["offline", "more.csv"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more.csv:4"));
    let three = json(d, &["gap", "--format", "json"]);
    assert_eq!(three["persons"], 3);
    assert!(three["undefined"].is_null(), "{three}");
    // Bob and Cy earned nothing (floored at half of Ana's score), Ana the most: the line
    // through (log 1, log E/2), (log 10, log E/2), (log 1000, log E) has a positive slope.
    assert!(three["fit"]["slope"].as_f64().unwrap() > 0.0);
    let labels: Vec<&str> = three["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Ana", "Bob", "bluesky:cy_b"], "by offline size");
}

#[test]
fn the_demo_gap_puts_the_celebrity_big_offline_and_the_contributors_earned_online() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = renown(d, &["demo", "--dir", "demo", "--accounts", "200"]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    assert!(d.join("demo/offline.csv").exists());
    let text = String::from_utf8_lossy(&demo.stdout);
    assert!(
        text.contains("Big offline, not earned online: @famous_fay"),
        "{text}"
    );
    let gap = json(
        d,
        &[
            "--db",
            "demo/demo.db",
            "gap",
            "--top",
            "0",
            "--format",
            "json",
        ],
    );
    assert_eq!(gap["offline_measure"], "pageviews", "{gap}");
    let labels = |key: &str| -> Vec<String> {
        gap[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["label"].as_str().unwrap().to_string())
            .collect()
    };
    let big = labels("big_offline_not_earned");
    assert_eq!(
        big[0], "@famous_fay",
        "the celebrity is furthest below the line: {big:?}"
    );
    let earned = labels("earned_without_offline_weight");
    for c in [
        "@ada_writes",
        "@ben_builds",
        "@cleo_codes",
        "@dev_diaries",
        "@eve_explains",
    ] {
        assert!(earned.contains(&c.to_string()), "{c} not in {earned:?}");
        assert!(!big.contains(&c.to_string()));
    }
    assert!(!earned.contains(&"@famous_fay".to_string()));
}

fn at(mut e: Event, time: i64) -> Event {
    e.time = Some(time);
    e
}

fn follow(platform: &str, actor: &str, target: &str, time: i64) -> Event {
    at(
        Event {
            target: Some(AccountRef::new(target)),
            ..Event::new(platform, Kind::Follow, AccountRef::new(actor))
        },
        time,
    )
}

/// A store from `events` with the scenario's links (Ana: ana_m, ana_alt, ana_b; Bob: bob_m,
/// bob_b).
fn linked_store(dir: &Path, events: &[Event]) {
    write_jsonl(&dir.join("events.jsonl"), events);
    std::fs::write(dir.join("people.csv"), LINKS).unwrap();
    for args in [&["ingest", "events.jsonl"][..], &["link", "people.csv"]] {
        let out = renown(dir, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn correlation<'a>(c: &'a Value, a: &str, b: &str) -> &'a Value {
    c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["a"] == a && r["b"] == b && r["set"] == "all")
        .unwrap_or_else(|| panic!("no {a} / {b} in {c}"))
}

#[test]
fn compare_per_person_correlates_the_measures_computed_over_persons() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), true);
    let c = json(
        dir.path(),
        &[
            "compare",
            "--per",
            "person",
            "--by",
            "earned,reshares,followers",
            "--format",
            "json",
        ],
    );
    assert_eq!(c["per"], "person");
    assert_eq!(c["linked"], 2);
    // Four persons: earned Ana 0.0790 > Dee 0.0257 > Bob = Cy = 0; reshares received from
    // other persons Ana 3 (Bob's two, Cy's one; her own two boosts are self-engagement),
    // Dee 1, Bob = Cy = 0: the same order with the same tie, so ρ = τ-b = 1 exactly.
    let r = correlation(&c, "earned", "reshares");
    assert_eq!(r["n"], 4);
    assert_eq!(r["spearman"].as_f64().unwrap(), 1.0);
    assert_eq!(r["kendall"].as_f64().unwrap(), 1.0);
    // Nobody follows anybody: followers is 0 for every person, and the correlation says so
    // instead of printing a number.
    let f = correlation(&c, "earned", "followers");
    assert!(f["spearman"].is_null(), "{f}");
    assert_eq!(f["undefined"]["reason"], "constant");
    // Per account the same store compares seven accounts.
    let accounts = json(
        dir.path(),
        &["compare", "--by", "earned,reshares", "--format", "json"],
    );
    assert_eq!(accounts["per"], "account");
    assert_eq!(correlation(&accounts, "earned", "reshares")["n"], 7);
    // Every registered measure has a per-person reading: all of them compare over persons.
    let all = json(
        dir.path(),
        &["compare", "--per", "person", "--format", "json"],
    );
    assert_eq!(all["accounts"], 4);
    assert_eq!(
        all["measures"].as_array().unwrap().len(),
        renown_measures::MEASURES.len()
    );
}

/// The Wilson 95 % interval, written out (Wilson 1927) as the expected figure.
fn wilson(k: f64, n: f64) -> (f64, f64) {
    let z2 = 1.96f64 * 1.96;
    let p = k / n;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = 1.96 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    (centre - half, centre + half)
}

/// Ana's audiences on both platforms: real followers (Bob through two accounts, Cy), silent
/// bought followers on each platform, and an engagement pod on Bluesky.
fn audience() -> Vec<Event> {
    let t0 = 1_700_000_000;
    let day = 86_400;
    let mut events = vec![
        // Real followers, days apart and two months before the bots (so the bots' first
        // appearance is past the audit's 30-day censoring of the log's start): Bob follows two
        // of Ana's Mastodon accounts and her Bluesky one; Cy her Bluesky one; Ana's own
        // accounts follow each other.
        follow("mastodon", "bob_m", "ana_m", t0 - 60 * day),
        follow("mastodon", "bob_m", "ana_alt", t0 - 59 * day),
        follow("bluesky", "bob_b", "ana_b", t0 - 58 * day),
        follow("bluesky", "cy_b", "ana_b", t0 - 57 * day),
        follow("mastodon", "ana_alt", "ana_m", t0 - 56 * day),
        at(reshare("mastodon", "bob_m", "ana_m"), t0),
        at(reshare("bluesky", "bob_b", "ana_b"), t0 + 10),
        at(reshare("bluesky", "cy_b", "ana_b"), t0 + 20),
    ];
    // Bought followers that never engage and make five follows within minutes (a burst): two
    // reasons. Three on Mastodon, two on Bluesky.
    for i in 1..=3 {
        let bot = format!("bot_m{i}");
        for (j, target) in ["ana_m", "ana_alt", "x1", "x2", "x3"].iter().enumerate() {
            events.push(follow(
                "mastodon",
                &bot,
                target,
                t0 + 1000 * i + 60 * j as i64,
            ));
        }
    }
    for i in 1..=2 {
        let bot = format!("bot_b{i}");
        for (j, target) in ["ana_b", "y1", "y2", "y3", "y4"].iter().enumerate() {
            events.push(follow(
                "bluesky",
                &bot,
                target,
                t0 + 5000 * i + 60 * j as i64,
            ));
        }
    }
    // An engagement pod on Bluesky: twenty accounts created in one hour (first seen within
    // ten minutes), each following in a burst and resharing Ana — suspicious (burst, created
    // together) although they engage, so they pass her earned influence.
    let pod0 = 1_700_017_200 + 100; // inside one clock hour
    for i in 0..20 {
        let pod = format!("pod{i}");
        for (j, target) in ["ana_b", "z1", "z2", "z3", "z4"].iter().enumerate() {
            events.push(follow(
                "bluesky",
                &pod,
                target,
                pod0 + 30 * i + 5 * j as i64,
            ));
        }
        events.push(at(reshare("bluesky", &pod, "ana_b"), pod0 + 30 * i + 25));
    }
    events
}

#[test]
fn audit_per_person_counts_a_persons_audiences_together_in_persons() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    linked_store(d, &audience());
    let a = json(d, &["audit", "Ana", "--per", "person", "--format", "json"]);
    assert_eq!(a["per"], "person");
    assert_eq!(a["label"], "Ana");
    // Follower persons: Bob (three follows through two accounts: one person), Cy, the five
    // bots and the twenty pod accounts — 27; Ana's own follow of herself is no audience.
    // 28 follower accounts (Bob has two).
    assert_eq!(a["followers"], 27);
    assert_eq!(a["follower_accounts"], 28);
    // Bob, Cy and the pod engage (all of them with Ana).
    assert_eq!(a["engaged_any"], 22);
    assert_eq!(a["engaged_this"], 22);
    // Bought on either platform: the three Mastodon bots, the two Bluesky ones, the pod.
    assert_eq!(a["suspicious"], 25);
    assert_eq!(a["reasons"]["never_engages"], 5);
    assert_eq!(a["reasons"]["burst"], 25);
    assert_eq!(a["reasons"]["created_together"], 20);
    let (lo, hi) = wilson(2.0, 27.0);
    close(a["quality"].as_f64().unwrap(), 2.0 / 27.0);
    close(a["quality_low"].as_f64().unwrap(), lo);
    close(a["quality_high"].as_f64().unwrap(), hi);
    close(a["suspicious_low"].as_f64().unwrap(), 27.0 * (1.0 - hi));
    // Each account's own audience, as `renown audit ACCOUNT` counts it: 5 + 4 + 24 followers
    // for 27 distinct persons.
    let by_account: Vec<(String, u64, u64)> = a["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["account"].as_str().unwrap().to_string(),
                x["followers"].as_u64().unwrap(),
                x["suspicious"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_account,
        [
            ("mastodon:ana_m".to_string(), 5, 3),
            ("mastodon:ana_alt".to_string(), 4, 3),
            ("bluesky:ana_b".to_string(), 24, 22)
        ]
    );
    let one = json(d, &["audit", "mastodon:ana_m", "--format", "json"]);
    assert_eq!(
        (one["followers"].as_u64(), one["suspicious"].as_u64()),
        (Some(5), Some(3))
    );
    // Earned is the person's (as `rank --per person`); without the suspicious persons it loses
    // exactly what `explain --per person` says the pod passed on (the silent bots pass
    // nothing: a follower who never engages has no credibility, docs/MEASURES.md).
    let board = json(
        d,
        &["rank", "--per", "person", "--top", "0", "--format", "json"],
    );
    let earned = a["earned"].as_f64().unwrap();
    assert_eq!(earned, score_of(&board, "Ana"));
    let x = json(
        d,
        &[
            "explain",
            "Ana",
            "--per",
            "person",
            "--endorsers",
            "100",
            "--format",
            "json",
        ],
    );
    let from = |who: &str| -> f64 {
        x["endorsers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["label"].as_str().unwrap().contains(who))
            .map(|e| e["contribution"].as_f64().unwrap())
            .sum()
    };
    assert_eq!(from(":bot_"), 0.0);
    assert!(from(":pod") > 0.0);
    close(
        a["earned_without_suspicious"].as_f64().unwrap(),
        earned - from(":pod"),
    );
    // Any of her accounts names her; --all lists her first (the most evidence).
    let b = json(
        d,
        &[
            "audit",
            "bluesky:ana_b",
            "--per",
            "person",
            "--format",
            "json",
        ],
    );
    assert_eq!(b["followers"], 27);
    let all = json(
        d,
        &["audit", "--all", "--per", "person", "--format", "json"],
    );
    assert_eq!(all["per"], "person");
    assert_eq!(all["rows"][0]["label"], "Ana");
    // Ana, x1–x3, y1–y4 and z1–z4 have followers.
    assert_eq!(all["total"], 12);
    let out = renown(d, &["audit", "Ana", "--per", "person", "--followers"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn backtest_per_person_scores_persons_against_a_per_person_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t0 = 1_700_000_000; // 2023-11-14T22:13:20Z
    let events = vec![
        at(reshare("mastodon", "bob_m", "ana_m"), t0 + 100),
        at(reshare("bluesky", "cy_b", "ana_b"), t0 + 150),
        at(reshare("mastodon", "bob_m", "dee_m"), t0 + 200),
        // After the split (t0 + 1000): Bob on both platforms, Cy, and Ana's own boost.
        at(reshare("mastodon", "bob_m", "ana_m"), t0 + 1100),
        at(reshare("bluesky", "bob_b", "ana_b"), t0 + 1200),
        at(reshare("bluesky", "cy_b", "ana_b"), t0 + 1300),
        at(reshare("mastodon", "ana_alt", "ana_m"), t0 + 1400),
    ];
    linked_store(d, &events);
    let args = |per: &'static str| {
        vec![
            "backtest",
            "--split",
            "2023-11-14T22:30:00Z",
            "--horizon",
            "1h",
            "--measures",
            "reshares,earned",
            "--bootstrap",
            "0",
            "--per",
            per,
            "--format",
            "json",
        ]
    };
    let b = json(d, &args("person"));
    assert_eq!(b["per"], "person");
    let split = &b["splits"][0];
    // Active before the split: the persons Ana, Bob, Cy, Dee (five accounts).
    assert_eq!(split["accounts"], 4);
    // Distinct engaging persons after it: Ana 2 (Bob once across two platforms, Cy; her own
    // boost is none), the others 0.
    assert_eq!(split["with_target"], 1);
    // Reshares before: Ana 2, Dee 1, Bob 0, Cy 0 against the target 2, 0, 0, 0:
    // average ranks (4, 3, 1.5, 1.5) and (4, 2, 2, 2): ρ = 3 / √(4.5 · 3) = √(2/3);
    // τ-b = 3 concordant / √((6 − 1)(6 − 3)) = 3 / √15.
    let reshares = &split["measures"][0];
    assert_eq!(reshares["measure"], "reshares");
    close(
        reshares["metrics"][0]["value"].as_f64().unwrap(),
        (2.0f64 / 3.0).sqrt(),
    );
    close(
        reshares["metrics"][1]["value"].as_f64().unwrap(),
        3.0 / 15f64.sqrt(),
    );
    let accounts = json(d, &args("account"));
    assert_eq!(accounts["per"], "account");
    assert_eq!(accounts["splits"][0]["accounts"], 5);
    // Per account ana_m (bob_m, ana_alt) and ana_b (bob_b, cy_b) both have a target.
    assert_eq!(accounts["splits"][0]["with_target"], 2);
}

#[test]
fn per_person_answers_agree_between_the_cli_and_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    linked_store(d, &audience());
    let server = Server::start(d);
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "compare",
                "--per",
                "person",
                "--by",
                "earned,followers,reshares",
            ],
            "/api/compare?per=person&measures=earned,followers,reshares",
        ),
        (
            &["audit", "Ana", "--per", "person"],
            "/api/accounts/mastodon:ana_m/audit?per=person",
        ),
        (
            &["audit", "--all", "--per", "person", "--top", "5"],
            "/api/audit?per=person&limit=5",
        ),
        (
            &[
                "backtest",
                "--per",
                "person",
                "--bootstrap",
                "20",
                "--k",
                "5",
            ],
            "/api/backtest?per=person&bootstrap=20&k=5",
        ),
        (
            &["rank", "--per", "person", "--top", "5"],
            "/api/persons?limit=5",
        ),
    ];
    for (cli, path) in cases {
        let mut args = cli.to_vec();
        args.extend(["--format", "json"]);
        let from_cli = json(d, &args);
        let from_api = server.get(path);
        assert_eq!(from_api["per"], "person", "{path}");
        assert!(
            same(&from_cli, &from_api),
            "{cli:?} vs {path}:\n{from_cli}\n{from_api}"
        );
    }
    // per is checked: a typo is the caller's error, not an account answer.
    let (head, text) = server.request("/api/compare?per=persons");
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    assert!(text.contains("per must be account or person"), "{text}");
}
