//! `renown backtest` on stores whose outcome is known: a hand-made log (every target counted by
//! hand) and a small simulated network (accounts and targets recounted from the events).

mod common;
use common::{ev, store_with};

use renown_measures::backtest::{
    backtest, backtest_progressive, outcomes, outcomes_in_log, BacktestOptions, Target,
};
use renown_measures::compare::{kendall_tau_b, spearman};
use renown_measures::Log;
use renown_measures::{measure, Scope};
use renown_model::Kind;
use renown_sim::{simulate, SimConfig, PLATFORM};
use renown_store::Store;
use std::collections::{HashMap, HashSet};

fn dense(store: &Store, id: &str) -> usize {
    store.find_account(&format!("{PLATFORM}:{id}")).unwrap() as usize
}

#[test]
fn targets_count_what_happened_after_the_split() {
    let split = 1_000;
    let events = [
        ev(Kind::Reply, "a", "z", 900),
        ev(Kind::Follow, "b", "y", 950),
        ev(Kind::Reshare, "a", "z", 1_000), // at the split: before
        ev(Kind::Reshare, "a", "z", 1_100),
        ev(Kind::Reshare, "a", "z", 1_200), // same engager again
        ev(Kind::Quote, "c", "z", 1_300),
        ev(Kind::Like, "d", "z", 1_400),
        ev(Kind::Reply, "z", "z", 1_500),  // self-engagement
        ev(Kind::Follow, "e", "z", 1_500), // a follow is not engagement
        ev(Kind::Mention, "a", "y", 1_600),
        ev(Kind::Reply, "c", "y", 3_000), // after the horizon
    ];
    let (_dir, store) = store_with(&events);
    let (z, y) = (dense(&store, "z"), dense(&store, "y"));
    // A cut-off that would size a table of discounts in exabytes is refused, not attempted.
    let huge_k = BacktestOptions {
        k: usize::MAX,
        bootstrap: 0,
        ..BacktestOptions::default()
    };
    assert!(backtest(&store, &huge_k).is_err());
    let count = |t: Target| outcomes(&store, None, t, split, 2_000, None).unwrap();
    let o = count(Target::DistinctEngagers);
    assert_eq!((o.target[z], o.target[y]), (3.0, 1.0)); // a, c, d; a
    let active: HashSet<usize> = (0..o.active.len()).filter(|&i| o.active[i]).collect();
    let expect: HashSet<usize> = ["a", "z", "b", "y"]
        .iter()
        .map(|i| dense(&store, i))
        .collect();
    assert_eq!(active, expect);
    let o = count(Target::Reshares);
    assert_eq!((o.target[z], o.target[y]), (3.0, 0.0)); // two reshares and a quote
    let o = count(Target::Engagement);
    assert_eq!((o.target[z], o.target[y]), (4.0, 1.0));
    let o = count(Target::Retained);
    assert_eq!((o.target[z], o.target[y]), (1.0, 0.0)); // only a engaged before and after
}

#[test]
fn outcomes_from_the_log_equal_those_from_the_store() {
    // The backtest counts its targets from the log it computes the measures on; a scan of the
    // store (the per-person and cascade path) must give the same, timeless events included.
    let mut timeless = ev(Kind::Reply, "f", "y", 0);
    timeless.time = None;
    let events = [
        ev(Kind::Reply, "a", "z", 900),
        ev(Kind::Follow, "b", "y", 950),
        ev(Kind::Reshare, "a", "z", 1_000),
        ev(Kind::Reshare, "a", "z", 1_100),
        ev(Kind::Quote, "c", "z", 1_300),
        ev(Kind::Like, "d", "z", 1_400),
        ev(Kind::Reply, "z", "z", 1_500),
        ev(Kind::Mention, "a", "y", 1_600),
        ev(Kind::Reply, "f", "y", 1_700),
        ev(Kind::Reply, "c", "y", 3_000),
        timeless,
    ];
    let (_dir, store) = store_with(&events);
    let log = Log::read_uncached(&store, &Scope::default()).unwrap();
    for target in [
        Target::DistinctEngagers,
        Target::Reshares,
        Target::Engagement,
        Target::Retained,
    ] {
        for (split, until) in [(1_000, 2_000), (950, 5_000), (0, 1_000)] {
            let scanned = outcomes(&store, None, target, split, until, None).unwrap();
            let logged = outcomes_in_log(&log, target, (split, until));
            assert_eq!(scanned.active, logged.active, "{target:?} {split}");
            assert_eq!(scanned.target, logged.target, "{target:?} {split}");
        }
    }
    // Not vacuous: the timeless reply is before every split, f's later one after the first.
    let o = outcomes_in_log(&log, Target::Retained, (1_000, 2_000));
    assert_eq!(o.target[dense(&store, "y")], 1.0);
}

#[test]
fn backtest_on_a_simulated_network() {
    let cfg = SimConfig {
        seed: 5,
        accounts: 300,
        days: 150,
        bought_followers: 60,
        buy_day: 100,
        viral_day: 70,
        viral_size: 100,
        ..SimConfig::default()
    };
    let sim = simulate(&cfg);
    let (_dir, store) = store_with(&sim.events);
    let names = ["earned", "engagement", "followers"];
    let opts = BacktestOptions {
        measures: names.iter().map(|s| s.to_string()).collect(),
        bootstrap: 30,
        k: 20,
        ..BacktestOptions::default()
    };
    let b = backtest(&store, &opts).unwrap();
    let mut times: Vec<i64> = sim.events.iter().filter_map(|e| e.time).collect();
    times.sort_unstable();
    let quantile = |f: f64| times[((times.len() - 1) as f64 * f).round() as usize];
    assert_eq!(b.splits.len(), 3);
    assert_eq!(b.horizon_seconds, times[times.len() - 1] - quantile(0.8));
    for (s, f) in b.splits.iter().zip([0.4, 0.6, 0.8]) {
        assert_eq!(s.split, quantile(f));
        // Accounts and targets recounted from the simulated events.
        let mut active = HashSet::new();
        let mut engagers: HashMap<&str, HashSet<&str>> = HashMap::new();
        for e in &sim.events {
            let t = e.time.unwrap();
            let target = e.target.as_ref().map(|a| a.id.as_str());
            if t <= s.split {
                active.insert(e.actor.id.as_str());
                active.extend(target);
            } else if t <= s.until && e.kind.is_engagement() {
                if let Some(to) = target.filter(|&to| to != e.actor.id.as_str()) {
                    engagers.entry(to).or_default().insert(e.actor.id.as_str());
                }
            }
        }
        assert_eq!(s.accounts, active.len());
        let with_target = active.iter().filter(|a| engagers.contains_key(*a)).count();
        assert_eq!(s.with_target, with_target);

        // Point estimates are the plain correlations of the measure as of the split.
        let mut ids: Vec<&str> = active.iter().copied().collect();
        ids.sort_unstable();
        let y: Vec<f64> = ids
            .iter()
            .map(|a| engagers.get(a).map_or(0.0, |e| e.len() as f64))
            .collect();
        let scope = Scope {
            as_of: Some(s.split),
            ..Scope::default()
        };
        for (name, r) in names.iter().zip(&s.measures) {
            assert_eq!(r.measure, *name);
            let scores = measure(name).unwrap().compute(&store, &scope).unwrap();
            let x: Vec<f64> = ids.iter().map(|a| scores[dense(&store, a)]).collect();
            let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                (a, b) => a == b,
            };
            assert!(close(r.metrics[0].value, spearman(&x, &y)), "{name}");
            assert!(close(r.metrics[1].value, kendall_tau_b(&x, &y)), "{name}");
            for m in &r.metrics {
                if let (Some(lo), Some(hi)) = (m.lo, m.hi) {
                    assert!(lo <= hi);
                }
            }
        }
        // The best baseline is a baseline, compared with everything but itself.
        for (m, best) in s.best_baseline.iter().enumerate() {
            let best = best.as_deref().unwrap();
            assert_ne!(best, "earned");
            for r in &s.measures {
                let d = r.metrics[m].vs_best.as_ref();
                if r.measure == best {
                    assert!(d.is_none());
                } else if let Some(d) = d {
                    assert_eq!(d.baseline, best);
                    assert!(d.lo <= d.hi);
                }
            }
        }
    }
}

#[test]
fn a_store_without_a_time_span_is_an_error_not_a_panic() {
    let mut e = ev(Kind::Follow, "a", "b", 0);
    e.time = None;
    let (_dir, store) = store_with(&[e]);
    assert!(backtest(&store, &BacktestOptions::default()).is_err());
    let bad_k = BacktestOptions {
        k: 0,
        ..BacktestOptions::default()
    };
    assert!(backtest(&store, &bad_k).is_err());
}

/// `--tune`: parameters chosen on the earlier splits only, reported on the last as
/// `earned-tuned` (never a baseline), every set it moved to passing the resistance scenarios.
#[test]
fn tuning_chooses_on_earlier_splits_and_reports_on_the_last() {
    use renown_measures::backtest::TUNED;
    use renown_measures::earned::{model, EarnedParams};
    use renown_measures::earned_tune::resistance;
    let cfg = SimConfig {
        seed: 9,
        accounts: 250,
        days: 200,
        bought_followers: 40,
        buy_day: 120,
        viral_day: 60,
        viral_size: 80,
        ..SimConfig::default()
    };
    let sim = simulate(&cfg);
    let (_dir, store) = store_with(&sim.events);
    let opts = BacktestOptions {
        measures: vec!["earned".into(), "engagement".into(), "replies".into()],
        bootstrap: 20,
        k: 20,
        tune: true,
        ..BacktestOptions::default()
    };
    let b = backtest(&store, &opts).unwrap();
    let t = b.tuning.as_ref().expect("a tuning");
    let splits: Vec<i64> = b.splits.iter().map(|s| s.split).collect();
    assert_eq!(t.tuned_on, splits[..2]);
    assert!(t.objective >= t.default_objective);
    assert!(t.resistance.holds);
    assert_eq!(resistance(&t.params).unwrap(), t.resistance);
    for r in &t.rejected_by_resistance {
        assert!(!r.resistance.holds && r.objective > t.default_objective);
    }
    for (i, s) in b.splits.iter().enumerate() {
        let tuned = s.measures.iter().find(|m| m.measure == TUNED);
        assert_eq!(tuned.is_some(), i == 2, "split {i}");
        assert!(s
            .best_baseline
            .iter()
            .flatten()
            .all(|m| m != TUNED && m != "earned"));
    }
    // The reported row is earned with the chosen parameters, as of the last split.
    let last = &b.splits[2];
    let scores = model(
        &store,
        &Scope {
            as_of: Some(last.split),
            ..Scope::default()
        },
        &t.params,
    )
    .unwrap()
    .score;
    let o = outcomes(
        &store,
        None,
        Target::DistinctEngagers,
        last.split,
        last.until,
        None,
    )
    .unwrap();
    let ids: Vec<usize> = (0..o.active.len()).filter(|&i| o.active[i]).collect();
    let x: Vec<f64> = ids.iter().map(|&i| scores[i]).collect();
    let y: Vec<f64> = ids.iter().map(|&i| o.target[i]).collect();
    let row = last.measures.iter().find(|m| m.measure == TUNED).unwrap();
    let rho = row.metrics[0].value.unwrap();
    assert!((rho - spearman(&x, &y).unwrap()).abs() < 1e-12);
    // What it says it changed is what differs from the defaults.
    assert_eq!(t.changed.is_empty(), t.params == EarnedParams::default());
    // One split leaves nothing to choose on: refused, not tuned on the split it reports.
    let one = BacktestOptions {
        splits: vec![last.split],
        ..opts
    };
    assert!(backtest(&store, &one).is_err());
}

#[test]
fn the_same_answer_on_any_number_of_threads() {
    // Splits and measures run in parallel: the answer (every score, interval and verdict) must
    // not depend on the threads or on which split finishes first (each split seeds its own
    // resamples). The kernels' parallel sums at scale are checked in renown-graph's
    // tests/deterministic.rs (this network is too small to split them).
    let cfg = SimConfig {
        seed: 9,
        accounts: 250,
        days: 120,
        ..SimConfig::default()
    };
    let sim = simulate(&cfg);
    let opts = BacktestOptions {
        measures: [
            "earned",
            "engagement",
            "tweepcred",
            "engagement-pagerank",
            "pagerank",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        bootstrap: 40,
        k: 20,
        ..BacktestOptions::default()
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        // A store per run: a store is not shared between threads.
        pool.install(|| {
            let (_dir, store) = store_with(&sim.events);
            format!("{:?}", backtest(&store, &opts).unwrap())
        })
    };
    let one = run(1);
    for threads in [2, 3, 4, 2] {
        assert!(one == run(threads), "{threads} threads");
    }
}

#[test]
fn partial_answers_carry_the_final_point_estimates_oldest_split_first() {
    // What the dashboard shows while the backtest runs: each partial answer holds the oldest
    // splits with their final point estimates and no interval yet, says what is pending, and
    // grows one split at a time; the complete answer is the plain backtest's.
    let cfg = SimConfig {
        seed: 4,
        accounts: 250,
        days: 120,
        ..SimConfig::default()
    };
    let sim = simulate(&cfg);
    let (_dir, store) = store_with(&sim.events);
    let opts = BacktestOptions {
        measures: ["earned", "engagement", "pagerank"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        bootstrap: 30,
        k: 20,
        ..BacktestOptions::default()
    };
    let shown = std::sync::Mutex::new(Vec::new());
    let complete = backtest_progressive(&store, &opts, &|b| shown.lock().unwrap().push(b)).unwrap();
    assert!(complete.pending.is_none());
    assert_eq!(
        format!("{complete:?}"),
        format!("{:?}", backtest(&store, &opts).unwrap())
    );
    let shown = shown.into_inner().unwrap();
    assert_eq!(shown.len(), 3, "one partial answer per split");
    for (n, partial) in shown.iter().enumerate() {
        let pending = partial.pending.as_ref().expect("a partial answer says so");
        assert_eq!(partial.splits.len(), n + 1);
        assert_eq!(pending.splits, 2 - n);
        assert!(pending.intervals);
        for (s, full) in partial.splits.iter().zip(&complete.splits) {
            assert_eq!(
                (s.split, s.accounts, s.with_target),
                (full.split, full.accounts, full.with_target)
            );
            assert_eq!(s.best_baseline, full.best_baseline);
            for (m, f) in s.measures.iter().zip(&full.measures) {
                assert_eq!(m.measure, f.measure);
                for (a, b) in m.metrics.iter().zip(&f.metrics) {
                    assert_eq!(a.value, b.value);
                    assert!(a.lo.is_none() && a.hi.is_none() && a.vs_best.is_none());
                }
            }
        }
    }
    assert!(complete.splits[2]
        .measures
        .iter()
        .any(|m| m.metrics[0].lo.is_some()));
}

#[test]
fn a_split_says_which_measures_stopped_at_their_cap() {
    // Before the first split, the exposure graph on which influence-passivity is still
    // changing at its cap; a0's reshare of a2 between the splits makes it converge at the
    // second.
    let mut events = common::influence_passivity_at_its_cap(0);
    events.extend([
        ev(Kind::Reply, "a0", "a1", 600),
        ev(Kind::Reshare, "a0", "a2", 700),
        ev(Kind::Reply, "a2", "a1", 1_100),
    ]);
    let (_dir, store) = store_with(&events);
    let opts = BacktestOptions {
        splits: vec![500, 1_000],
        horizon: Some(300),
        measures: vec!["earned".into(), "influence-passivity".into()],
        bootstrap: 0,
        k: 2,
        ..BacktestOptions::default()
    };
    let b = backtest(&store, &opts).unwrap();
    let codes = |i: usize| -> Vec<(&'static str, String)> {
        b.splits[i]
            .warnings
            .iter()
            .map(|w| (w.code(), w.to_string()))
            .collect()
    };
    assert!(
        matches!(&codes(0)[..], [("not-converged", m)] if m.starts_with("influence-passivity")),
        "{:?}",
        codes(0)
    );
    assert_eq!(codes(1), [], "{:?}", codes(1));
}

#[test]
fn a_measure_constant_at_a_split_has_no_scores_there_and_says_why() {
    // No follow before the first split: `followers` is 0 for everyone there. Two follows
    // between the splits give it a ranking at the second.
    let events = [
        ev(Kind::Reply, "a", "z", 100),
        ev(Kind::Reshare, "b", "z", 200),
        ev(Kind::Reshare, "c", "y", 300),
        ev(Kind::Reply, "d", "x", 400),
        ev(Kind::Follow, "a", "z", 600),
        ev(Kind::Follow, "b", "z", 700),
        ev(Kind::Reshare, "a", "y", 800),
        ev(Kind::Reshare, "b", "z", 1_100),
        ev(Kind::Reply, "c", "z", 1_150),
        ev(Kind::Reshare, "d", "y", 1_200),
        ev(Kind::Reshare, "a", "x", 1_250),
    ];
    let (_dir, store) = store_with(&events);
    let opts = BacktestOptions {
        splits: vec![500, 1_000],
        horizon: Some(300),
        measures: vec!["earned".into(), "followers".into(), "engagement".into()],
        bootstrap: 20,
        k: 2,
        ..BacktestOptions::default()
    };
    let b = backtest(&store, &opts).unwrap();
    let followers = |i: usize| {
        b.splits[i]
            .measures
            .iter()
            .find(|m| m.measure == "followers")
            .unwrap()
            .metrics
            .clone()
    };
    let constant = |i: usize| -> Vec<String> {
        b.splits[i]
            .warnings
            .iter()
            .filter(|w| w.code() == "constant-measure")
            .map(|w| w.to_string())
            .collect()
    };
    // First split: every score undefined (the NDCG and precision of a constant are those of
    // any constant, not the measure's), never the best baseline, and a warning naming it.
    for m in followers(0) {
        assert!(
            m.value.is_none() && m.lo.is_none() && m.vs_best.is_none(),
            "{m:?}"
        );
    }
    assert!(b.splits[0]
        .best_baseline
        .iter()
        .all(|b| b.as_deref() != Some("followers")));
    let said = constant(0);
    assert!(
        matches!(&said[..], [w] if w.starts_with("followers is 0 for all") && w.contains("follow events")),
        "{said:?}"
    );
    // Second split: followers ranks z above the rest: scored, and nothing said.
    assert!(followers(1)[2].value.is_some() && followers(1)[3].value.is_some());
    assert_eq!(constant(1), Vec::<String>::new());
}
