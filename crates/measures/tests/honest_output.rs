//! Output that says what it knows: ranks that tie, warnings for degenerate scopes and measures,
//! no rank before an account's first event (issue 15, part 4).

mod common;
use common::store_with;

use renown_measures::compare::{compare, Undefined};
use renown_measures::earned::DAY;
use renown_measures::explain::{explain, ExplainOptions};
use renown_measures::warning::measure_with_warnings;
use renown_measures::{measure, Measured, Scope, ScopeFacts, Unconverged, Warning};
use renown_model::{Event, Kind};

const T0: i64 = 1_704_067_200; // 2024-01-01

/// `a` does `kind` to `b` at `t`, tagged `rust`.
fn ev(kind: Kind, a: &str, b: &str, t: i64) -> Event {
    let mut e = common::ev(kind, a, b, t);
    e.topics = vec!["rust".into()];
    e
}

/// Replies only, over six months; `late` first appears in the fifth month. No follows at all.
fn replies_only() -> Vec<Event> {
    let mut events = Vec::new();
    for month in 0..6 {
        let t = T0 + month * 31 * DAY;
        for (a, b) in [("u1", "star"), ("u2", "star"), ("u3", "u1"), ("star", "u2")] {
            events.push(ev(Kind::Reply, a, b, t));
        }
        if month >= 4 {
            events.push(ev(Kind::Reply, "u1", "late", t));
        }
    }
    events
}

#[test]
fn months_before_an_accounts_first_event_have_no_rank() {
    let (_d, store) = store_with(&replies_only());
    let late = store.find_account("demo:late").unwrap();
    let opts = ExplainOptions {
        trajectory_months: 6,
        ..ExplainOptions::default()
    };
    let accounts = store.accounts().unwrap();
    let x = explain(&store, &Scope::default(), late, &accounts, &opts).unwrap();
    let ranks: Vec<Option<usize>> = x.trajectory.iter().map(|p| p.rank).collect();
    assert_eq!(ranks.len(), 6);
    assert!(ranks[..4].iter().all(Option::is_none), "{ranks:?}");
    assert!(ranks[4..].iter().all(Option::is_some), "{ranks:?}");
    assert_eq!(ranks[5], Some(x.rank));
}

#[test]
fn a_measure_with_no_input_in_scope_says_so() {
    let (_d, store) = store_with(&replies_only());
    let scope = Scope::default();
    let (scores, warnings) =
        measure_with_warnings(&store, &scope, measure("followers").unwrap()).unwrap();
    assert!(scores.iter().all(|&s| s == 0.0));
    assert_eq!(
        warnings,
        [Warning::Constant {
            measure: "followers".into(),
            score: 0.0,
            accounts: 5,
            missing: vec![Kind::Follow],
        }]
    );
    assert!(warnings[0].to_string().contains("no"), "{}", warnings[0]);
    let (_, warnings) =
        measure_with_warnings(&store, &scope, measure("pagerank").unwrap()).unwrap();
    assert!(
        matches!(&warnings[..], [Warning::Constant { measure, missing, .. }]
            if measure == "pagerank" && missing == &[Kind::Follow]),
        "{warnings:?}"
    );
    // Replies exist: nothing to say about the reply count.
    let (_, warnings) = measure_with_warnings(&store, &scope, measure("replies").unwrap()).unwrap();
    assert_eq!(warnings, []);
    // Follows alone (a follow graph like Slashdot's): earned influence is 0 for everyone, and
    // the warning names engagement as what is missing; follow PageRank ranks the follow graph.
    let follows: Vec<Event> = [("f1", "f0"), ("f2", "f0"), ("f3", "f0"), ("f0", "f1")]
        .iter()
        .map(|(a, b)| ev(Kind::Follow, a, b, T0))
        .collect();
    let (_d, store) = store_with(&follows);
    let (scores, warnings) =
        measure_with_warnings(&store, &scope, measure("earned").unwrap()).unwrap();
    assert!(scores.iter().all(|&s| s == 0.0));
    assert!(
        matches!(&warnings[..], [Warning::Constant { measure, missing, .. }]
            if measure == "earned" && missing[..] == renown_model::ENGAGEMENT_KINDS),
        "{warnings:?}"
    );
    let (_, warnings) =
        measure_with_warnings(&store, &scope, measure("pagerank").unwrap()).unwrap();
    assert_eq!(warnings, []);
}

#[test]
fn a_scope_outside_the_data_says_so() {
    let (_d, store) = store_with(&replies_only());
    let replies = measure("replies").unwrap();
    let nothing = Scope {
        topic: Some("cooking".into()),
        ..Scope::default()
    };
    let (_, w) = measure_with_warnings(&store, &nothing, replies).unwrap();
    assert_eq!(
        w[0],
        Warning::ScopeMatchesNothing {
            topic: Some("cooking".into()),
            platform: None
        }
    );
    let elsewhere = Scope {
        platform: Some("mastodon".into()),
        ..Scope::default()
    };
    let (_, w) = measure_with_warnings(&store, &elsewhere, replies).unwrap();
    assert_eq!(w[0].code(), "scope-matches-nothing");
    let later = Scope {
        as_of: Some(T0 + 1000 * DAY),
        ..Scope::default()
    };
    let (_, w) = measure_with_warnings(&store, &later, replies).unwrap();
    assert_eq!(w[0].code(), "as-of-after-data");
    let earlier = Scope {
        as_of: Some(T0 - DAY),
        ..Scope::default()
    };
    let (_, w) = measure_with_warnings(&store, &earlier, replies).unwrap();
    assert_eq!(w[0].code(), "as-of-before-data");
    assert!(w[0].to_string().contains("2023-12-31"), "{}", w[0]);
}

#[test]
fn compare_gives_a_reason_for_every_blank_cell() {
    let (_d, store) = store_with(&replies_only());
    let c = compare(
        &store,
        &Scope::default(),
        &["followers", "replies"],
        &[50.0],
    )
    .unwrap();
    assert!(c.warnings.iter().any(|w| w.code() == "constant-measure"));
    for row in &c.rows {
        assert_eq!(row.spearman.is_none(), row.undefined.is_some(), "{row:?}");
    }
    assert_eq!(
        c.rows[0].undefined,
        Some(Undefined::Constant {
            measure: "followers".into(),
            score: 0.0
        })
    );
}

/// The parts of an explanation are sums over endorsers: summed in a fixed order, every run gives
/// the same bits (they were summed in hash-map order, which differs between maps and processes).
#[test]
fn explain_gives_the_same_bits_every_run() {
    let mut events = Vec::new();
    for i in 0..400i64 {
        let a = format!("e{i}");
        let t = T0 + (i % 9) * 31 * DAY + i * 3_607;
        let kind = [Kind::Reply, Kind::Reshare, Kind::Mention, Kind::Quote][(i % 4) as usize];
        events.push(ev(kind, &a, "star", t));
        // Endorsers of endorsers, so credibilities (and contributions) differ.
        events.push(ev(
            Kind::Reply,
            &format!("e{}", (i * 7 + 3) % 400),
            &a,
            t + 60,
        ));
    }
    let (dir, store) = store_with(&events);
    let accounts = store.accounts().unwrap();
    let star = store.find_account("demo:star").unwrap();
    let opts = ExplainOptions::default();
    let bits = |x: &renown_measures::explain::Explanation| -> Vec<u64> {
        x.by_kind
            .iter()
            .map(|p| p.contribution.to_bits())
            .chain(x.by_month.iter().map(|m| m.contribution.to_bits()))
            .chain([x.followers.contribution.to_bits()])
            .collect()
    };
    // Each computed afresh: the explanation kept beside the store would give back the first.
    let afresh = || {
        let _ = std::fs::remove_dir_all(dir.path().join("s.db.cache"));
        bits(&explain(&store, &Scope::default(), star, &accounts, &opts).unwrap())
    };
    let first = afresh();
    for _ in 0..8 {
        let again = afresh();
        assert_eq!(first, again);
    }
}

#[test]
fn a_measure_stopped_at_its_cap_says_so() {
    let facts = ScopeFacts::empty(&Scope::default());
    let spec = measure("influence-passivity").unwrap();
    let stop = Unconverged {
        iterations: 200,
        change: 1.2e-4,
        tolerance: 1e-12,
    };
    let capped = Measured {
        scores: vec![0.25, 0.75],
        unconverged: Some(stop),
    };
    let warnings = facts.measure_warnings(spec, &capped);
    assert_eq!(
        warnings,
        [Warning::Unconverged {
            measure: "influence-passivity".into(),
            stop
        }]
    );
    assert_eq!(warnings[0].code(), "not-converged");
    let text = warnings[0].to_string();
    assert!(
        text.contains("200 iterations") && text.contains("1.2e-4") && text.contains("1e-12"),
        "{text}"
    );
    let converged = Measured::from(vec![0.25, 0.75]);
    assert_eq!(facts.measure_warnings(spec, &converged), []);
}

#[test]
fn influence_passivity_says_when_it_stops_at_its_cap() {
    let warnings_of = |events: &[Event]| {
        let (_d, store) = store_with(events);
        let ip = measure("influence-passivity").unwrap();
        measure_with_warnings(&store, &Scope::default(), ip)
            .unwrap()
            .1
    };
    let mut events = common::influence_passivity_at_its_cap(T0);
    let warnings = warnings_of(&events);
    assert!(
        matches!(&warnings[..], [Warning::Unconverged { measure, stop }]
            if measure == "influence-passivity" && stop.iterations == 200 && stop.change > 1e-6),
        "{warnings:?}"
    );
    // a0 also reshares one of a2's posts: it converges, and says nothing.
    events.push(ev(Kind::Reshare, "a0", "a2", T0 + 104));
    assert_eq!(warnings_of(&events), []);
}

#[test]
fn an_endorser_nobody_endorses_scores_plus_zero() {
    // `Sum` of no terms is -0.0: explain printed such an endorser's score as "-0.0000".
    let events = [
        ev(Kind::Reply, "fan", "star", T0),
        ev(Kind::Reshare, "fan", "star", T0 + DAY),
        ev(Kind::Reply, "other", "star", T0 + 40 * DAY),
    ];
    let (_dir, store) = store_with(&events);
    let accounts = store.accounts().unwrap();
    let star = store.find_account("demo:star").unwrap();
    let x = explain(
        &store,
        &Scope::default(),
        star,
        &accounts,
        &ExplainOptions::default(),
    )
    .unwrap();
    assert_eq!(x.endorsers.len(), 2, "{:?}", x.endorsers);
    for e in &x.endorsers {
        assert_eq!(e.score.to_bits(), 0.0f64.to_bits(), "{e:?}");
    }
}
