//! `--per person` as a user runs it: one person on Mastodon and Bluesky, an engager on both,
//! a person's own accounts boosting each other. The expected figures are computed by hand from
//! the equations in docs/MEASURES.md (all events timeless, so nothing decays).

mod common;
use common::{renown, write_jsonl};
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
