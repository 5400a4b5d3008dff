//! The cluster's PageRank on several workers equals the single machine's (renown-measures over
//! the same store, the serial kernel `renown rank` runs) account by account, to 1e-9 relative,
//! with the same order: on graphs where most accounts have no in-edge (they send nothing per
//! iteration: their value is one every worker knows), some of them and some reached accounts
//! with no out-edge (dangling), self-loops and repeated pairs.

mod common;

use renown_cluster::{run, Measure};
use renown_measures::pagerank::{engagement_pagerank, follow_pagerank};
use renown_measures::{Log, Scope};
use renown_model::{AccountRef, Event, Kind};
use renown_store::Store;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// 600 accounts: 80 "hubs" engaged with and followed, 500 who only engage or follow (no
/// in-edge), 20 who are only engaged with or followed (no out-edge); hubs engage with hubs.
fn events() -> Vec<Event> {
    let mut next = common::xorshift(0x2545_f491_4f6c_dd1du64);
    let ev = |kind: Kind, a: u64, b: u64, t: i64| {
        let mut e = Event::new("t", kind, AccountRef::new(format!("u{a}")));
        e.target = Some(AccountRef::new(format!("u{b}")));
        e.time = Some(1_600_000_000 + t);
        e
    };
    let kinds = [
        Kind::Reshare,
        Kind::Reply,
        Kind::Mention,
        Kind::Like,
        Kind::Quote,
    ];
    let mut out = Vec::new();
    for i in 0..4000i64 {
        let kind = kinds[i as usize % kinds.len()];
        match i % 4 {
            // An account without in-edges engages with a hub (skewed towards the first).
            0 | 1 => {
                let bound = next(80) + 1;
                let hub = next(bound);
                out.push(ev(kind, 100 + next(500), hub, i));
            }
            // A hub engages with a hub (self-loops included) or with an account that never
            // engages (dangling).
            2 => {
                let target = if i % 12 == 2 {
                    600 + next(20)
                } else {
                    next(80)
                };
                out.push(ev(kind, next(80), target, i));
            }
            // Follows: from accounts without in-edges and from hubs.
            _ => {
                let a = if i % 8 == 3 {
                    next(80)
                } else {
                    100 + next(500)
                };
                out.push(ev(Kind::Follow, a, next(80), i));
            }
        }
    }
    // A few accounts without in-edges and without out-edges in the engagement graph (they
    // only follow), and one that only appears as the target of a follow.
    out.push(ev(Kind::Follow, 700, 0, 5000));
    out.push(ev(Kind::Follow, 701, 1, 5001));
    out.push(ev(Kind::Follow, 3, 702, 5002));
    out
}

/// Every account's score by native id, on `workers` workers of one process.
fn cluster(store: &Path, measure: Measure, workers: u32) -> HashMap<String, f64> {
    let g = run(&common::config(workers), &common::job(store, measure, None))
        .unwrap()
        .gathered
        .unwrap();
    g.rows
        .iter()
        .map(|r| (r.account.native_id.clone(), r.score))
        .collect()
}

/// Every account's score by native id, on the single machine.
fn single(store: &Path, measure: Measure) -> HashMap<String, f64> {
    let store = Store::open(store).unwrap();
    let scope = Scope::new(None, None, None);
    let log = Log::read_uncached(&store, &scope).unwrap();
    let scores = match measure {
        Measure::PageRank => follow_pagerank(&log, &scope).unwrap().scores,
        Measure::EngagementPageRank => engagement_pagerank(&log, &scope).unwrap().scores,
        _ => unreachable!(),
    };
    let accounts = store.accounts().unwrap();
    assert_eq!(accounts.len(), scores.len());
    accounts
        .iter()
        .zip(scores)
        .map(|(a, s)| (a.native_id.clone(), s))
        .collect()
}

#[test]
fn pagerank_on_several_workers_equals_the_single_machine() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let events = events();
    common::write_store(&store, &events);
    for measure in [Measure::EngagementPageRank, Measure::PageRank] {
        let want = single(&store, measure);
        // Most accounts have no in-edge: what the shortcut is for.
        let follows = measure == Measure::PageRank;
        let reached: HashSet<&str> = events
            .iter()
            .filter(|e| (e.kind == Kind::Follow) == follows)
            .filter_map(|e| e.target.as_ref())
            .map(|t| t.id.as_str())
            .collect();
        assert!(
            reached.len() * 4 < want.len(),
            "{measure:?}: {} of {} accounts reached",
            reached.len(),
            want.len()
        );
        for workers in [1, 3] {
            let got = cluster(&store, measure, workers);
            assert_eq!(got.len(), want.len(), "{measure:?} on {workers}");
            let mut worst = 0.0f64;
            for (account, &w) in &want {
                let g = got[account];
                worst = worst.max((g - w).abs() / w.abs());
            }
            assert!(
                worst <= 1e-9,
                "{measure:?} on {workers}: {worst:e} relative"
            );
            // The same order, where the single machine's scores differ by more than the
            // tolerance (ties within it may fall either way).
            let mut order: Vec<&String> = want.keys().collect();
            order.sort_by(|a, b| want[*b].total_cmp(&want[*a]).then(a.cmp(b)));
            for pair in order.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if want[a] - want[b] > 1e-9 * want[a] {
                    assert!(got[a] > got[b], "{measure:?} on {workers}: {a} above {b}");
                }
            }
        }
    }
}

/// A run that reaches its cap above its step says `not-converged` as the single machine says
/// it (renown-measures' `Warning::unconverged`: the cap, the last step, the step it stops
/// below), with the single machine's kernel's last step at the same cap; at the single
/// machine's cap the same graphs converge and neither says it.
#[test]
fn pagerank_at_its_cap_warns_not_converged_as_the_single_machine() {
    use renown_graph::{pagerank_folded, EngagementParams, PageRankOptions};
    use renown_measures::pagerank::STEP;
    use renown_measures::{Unconverged, Warning};
    use renown_model::DEFAULT_KIND_WEIGHTS;

    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    common::write_store(&store, &events());
    let scope = Scope::new(None, None, None);
    let log = Log::read_uncached(&Store::open(&store).unwrap(), &scope).unwrap();
    let not_converged = |warnings: &[Warning]| -> Vec<Warning> {
        warnings
            .iter()
            .filter(|w| w.code() == "not-converged")
            .cloned()
            .collect()
    };
    for (measure, name) in [
        (Measure::EngagementPageRank, "engagement-pagerank"),
        (Measure::PageRank, "pagerank"),
    ] {
        let graph = match measure {
            Measure::PageRank => log.follow_graph(None).unwrap(),
            _ => log
                .engagement_graph(&EngagementParams::of(
                    &scope.measures(),
                    &DEFAULT_KIND_WEIGHTS,
                ))
                .unwrap(),
        };
        let cap = 5;
        let opts = PageRankOptions {
            damping: 0.85,
            tolerance: STEP / graph.n() as f64,
            max_iterations: cap,
            ..Default::default()
        };
        let single = pagerank_folded::<f64>(&graph, &opts).unwrap();
        assert!(!single.converged && single.iterations == cap, "{name}");
        for workers in [1, 3] {
            let what = format!("{name} on {workers} workers");
            let job = renown_cluster::Job {
                pagerank_cap: Some(cap),
                ..common::job(&store, measure, None)
            };
            let g = run(&common::config(workers), &job)
                .unwrap()
                .gathered
                .unwrap();
            assert_eq!(g.iterations, cap, "{what}");
            let warned = not_converged(&g.warnings);
            assert_eq!(warned.len(), 1, "{what}: {:?}", g.warnings);
            let Warning::Unconverged { measure: m, stop } = &warned[0] else {
                unreachable!()
            };
            assert_eq!(m, name, "{what}");
            assert_eq!(stop.iterations, cap, "{what}");
            assert_eq!(stop.tolerance, STEP, "{what}");
            assert!(
                (stop.change - single.delta).abs() <= 1e-9 * single.delta,
                "{what}: last step {} against {}",
                stop.change,
                single.delta
            );
            // Built by the single machine's code, the same words.
            let want = Warning::unconverged(
                name,
                Some(Unconverged {
                    iterations: single.iterations,
                    change: single.delta,
                    tolerance: STEP,
                }),
            )
            .unwrap();
            assert_eq!(warned[0].to_string(), want.to_string(), "{what}");

            // The single machine's cap: converged, no such warning.
            let g = run(
                &common::config(workers),
                &common::job(&store, measure, None),
            )
            .unwrap()
            .gathered
            .unwrap();
            assert!(g.iterations > cap, "{what}: {} iterations", g.iterations);
            assert!(g.delta < STEP, "{what}: last step {}", g.delta);
            assert!(
                not_converged(&g.warnings).is_empty(),
                "{what}: {:?}",
                g.warnings
            );
        }
    }
}
