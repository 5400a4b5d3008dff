//! Appending batches (differential dataflow for the counts and the standing follows, PageRank
//! started from the scores before the batch) ends where a run from scratch over every event
//! ends: the same followers and engagement counts, PageRank within 1e-9 relative, in fewer
//! iterations for the last, small batch.

mod common;

use common::{config, job};
use renown_cluster::incremental::{self, Cuts, Plan, Update};
use renown_cluster::{run, Job, Measure};
use renown_model::{AccountRef, Event, Kind};
use std::collections::HashMap;
use std::path::Path;

const T0: i64 = 1_600_000_000;

/// Follows, unfollows (some dated before the follow they end, some arriving in a later batch
/// than a newer event of their pair), repeated and timeless follows, self-loops, engagement,
/// and accounts first seen in the last batches.
fn events() -> Vec<Event> {
    let mut next = common::xorshift(0x9e37_79b9_7f4a_7c15u64);
    let ev = |kind: Kind, a: u64, b: u64, t: Option<i64>| {
        let mut e = Event::new("t", kind, AccountRef::new(format!("u{a}")));
        e.target = Some(AccountRef::new(format!("u{b}")));
        e.time = t;
        e
    };
    let mut out = Vec::new();
    for i in 0..3000i64 {
        // Accounts above 300 appear only late (the last batches bring new accounts).
        let span = if i < 2700 { 300 } else { 360 };
        let a = next(span);
        let bound = next(span) + 1;
        let b = next(bound);
        let t = T0 + i * 60;
        out.push(ev(Kind::Follow, a, b, Some(t)));
        match i % 9 {
            0 => out.push(ev(Kind::Unfollow, a, b, Some(t + 3600))),
            1 => out.push(ev(Kind::Unfollow, a, b, Some(t))), // same second: store order decides
            2 => out.push(ev(Kind::Follow, b, a, None)),      // timeless
            3 => out.push(ev(Kind::Follow, a, a, Some(t))),   // self-loop
            4 => out.push(ev(Kind::Unfollow, a, b, Some(t - 7200))), // older than the follow
            _ => {}
        }
        if i % 2 == 0 {
            let kinds = [Kind::Reshare, Kind::Reply, Kind::Mention, Kind::Like];
            out.push(ev(kinds[(i as usize / 2) % 4], next(span), b, Some(t + 5)));
        }
    }
    // Late arrivals: unfollows of early pairs, appended at the end of the log.
    for i in 0..40i64 {
        let e = &out[(i * 37) as usize];
        if e.kind == Kind::Follow {
            let mut u = e.clone();
            u.kind = Kind::Unfollow;
            u.time = e.time.map(|t| t + 30);
            out.push(u);
        }
    }
    out
}

/// Every account's score by `platform:id` from a run from scratch.
fn from_scratch(store: &Path, measure: Measure) -> (HashMap<String, f64>, usize) {
    let g = run(&config(3), &job(store, measure, None))
        .unwrap()
        .gathered
        .unwrap();
    let scores = g
        .rows
        .iter()
        .map(|r| (r.account.native_id.clone(), r.score))
        .collect();
    (scores, g.iterations)
}

#[test]
fn appended_batches_end_where_a_run_from_scratch_ends() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    common::write_store(&store, &events());
    let (pagerank, cold_iterations) = from_scratch(&store, Measure::PageRank);
    let (followers, _) = from_scratch(&store, Measure::Followers);
    let (engagement, _) = from_scratch(&store, Measure::Engagement);

    let plan = Plan::new(
        vec![store.clone()],
        Cuts::Shares(vec![0.5, 0.9, 0.99]),
        vec![Measure::PageRank, Measure::Engagement],
    );
    let updates = incremental::run(&config(3), &plan).unwrap().unwrap();
    let board = |u: &Update, m| u.board(m).unwrap().clone();
    assert_eq!(updates.len(), 4);
    let appended: u64 = updates.iter().map(|u| u.events).sum();
    assert!(updates[3].events > 0 && updates[3].events * 50 < appended);
    // Batches grow the graph: accounts first seen late join in the later batches.
    let last_pagerank = board(&updates[3], Measure::PageRank);
    assert!(board(&updates[0], Measure::PageRank).total < last_pagerank.total);

    let last = &updates[3];
    assert_eq!(last_pagerank.total as usize, pagerank.len());
    let mut worst = 0.0f64;
    for r in &last_pagerank.rows {
        let id = &r.account.native_id;
        let want = pagerank[id];
        worst = worst.max((r.score - want).abs() / want.abs());
        assert_eq!(r.followers, followers[id], "followers of {id}");
    }
    assert!(worst <= 1e-9, "PageRank differs by {worst:e} relative");
    let last_engagement = board(last, Measure::Engagement).rows;
    assert_eq!(last_engagement.len(), engagement.len());
    for r in &last_engagement {
        assert_eq!(
            r.score, engagement[&r.account.native_id],
            "engagement of {}",
            r.account.native_id
        );
    }
    // The last 1 % started from the scores before it: fewer iterations than from scratch.
    assert!(
        last_pagerank.iterations < cold_iterations,
        "{} iterations after the last batch, {cold_iterations} from scratch",
        last_pagerank.iterations
    );
}

#[test]
fn cuts_outside_zero_one_are_refused() {
    let plan = Plan::new(
        Vec::new(),
        Cuts::Shares(vec![0.5, 0.4]),
        vec![Measure::PageRank],
    );
    assert!(incremental::run(&config(1), &plan).is_err());
    let plan = Plan::new(
        Vec::new(),
        Cuts::Times(vec![T0 + 10, T0]),
        vec![Measure::PageRank],
    );
    assert!(incremental::run(&config(1), &plan).is_err());
}

/// Loading in rounds of a few events (a process never holds its shard as events at once)
/// gives the same answer, to the bit, as loading in one round.
#[test]
fn loading_in_bounded_rounds_gives_the_same_answer() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    common::write_store(&store, &events());
    for measure in [Measure::Followers, Measure::PageRank, Measure::Earned] {
        let job = |load_chunk| Job {
            load_chunk,
            ..job(&store, measure, None)
        };
        let whole = run(&config(2), &job(usize::MAX)).unwrap();
        let chunked = run(&config(2), &job(97)).unwrap();
        // Thousands of events in chunks of 97: dozens more loading rounds.
        assert!(
            chunked.rounds > whole.rounds + 30,
            "{} rounds against {}",
            chunked.rounds,
            whole.rounds
        );
        let rows = |o: &renown_cluster::Outcome| -> Vec<(String, u64)> {
            let g = o.gathered.as_ref().unwrap();
            g.rows
                .iter()
                .map(|r| (r.account.native_id.clone(), r.score.to_bits()))
                .collect()
        };
        assert_eq!(rows(&whole), rows(&chunked), "{measure:?}");
    }
}

/// Every account's score by `native_id` from a run from scratch as of `as_of`.
fn as_of(store: &Path, measure: Measure, as_of: Option<i64>) -> HashMap<String, f64> {
    let g = run(&config(2), &job(store, measure, as_of))
        .unwrap()
        .gathered
        .unwrap();
    g.rows
        .iter()
        .map(|r| (r.account.native_id.clone(), r.score))
        .collect()
}

fn worst_difference(rows: &[renown_cluster::Row], want: &HashMap<String, f64>) -> f64 {
    assert_eq!(rows.len(), want.len());
    rows.iter()
        .map(|r| {
            let w = want[&r.account.native_id];
            if w == r.score {
                0.0
            } else {
                (r.score - w).abs() / w.abs()
            }
        })
        .fold(0.0, f64::max)
}

/// Batches cut by date: after each, every measure equals a run from scratch as of that date —
/// the counts exactly, PageRank and earned influence within 1e-9 — and earned influence,
/// started from the scores before, needs fewer iterations for a small last batch.
#[test]
fn batches_by_date_equal_runs_from_scratch_as_of_each_date() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    common::write_store(&store, &events());
    // The log spans T0 to T0 + 3000 minutes and a bit: cut at a third, two thirds, and near
    // the end (the last batch is small).
    let cuts = vec![T0 + 60_000, T0 + 120_000, T0 + 178_000];
    let measures = vec![
        Measure::Followers,
        Measure::Engagement,
        Measure::PageRank,
        Measure::Earned,
    ];
    let plan = Plan::new(
        vec![store.clone()],
        Cuts::Times(cuts.clone()),
        measures.clone(),
    );
    let updates = incremental::run(&config(2), &plan).unwrap().unwrap();
    assert_eq!(updates.len(), 4);
    let dates: Vec<Option<i64>> = updates.iter().map(|u| u.as_of).collect();
    assert_eq!(
        dates,
        vec![Some(cuts[0]), Some(cuts[1]), Some(cuts[2]), None]
    );
    assert!(updates.iter().all(|u| u.events > 0));
    let (cold_earned, _) = from_scratch(&store, Measure::Earned);
    assert!(!cold_earned.is_empty());
    for u in &updates {
        for &m in &measures {
            let want = as_of(&store, m, u.as_of);
            let board = u.board(m).unwrap();
            let worst = worst_difference(&board.rows, &want);
            if m.counts() {
                assert_eq!(worst, 0.0, "{m:?} after batch {}", u.batch);
            } else {
                assert!(worst <= 1e-9, "{m:?} after batch {}: {worst:e}", u.batch);
            }
        }
        // The counts move between batches: each batch is a different state.
        if u.batch > 0 {
            let before = updates[u.batch - 1].board(Measure::Followers).unwrap();
            let now = u.board(Measure::Followers).unwrap();
            assert_ne!(before.rows, now.rows, "batch {}", u.batch);
        }
    }
    let last = updates[3].board(Measure::Earned).unwrap();
    let whole = Plan::new(
        vec![store.clone()],
        Cuts::Times(Vec::new()),
        vec![Measure::Earned],
    );
    let cold = incremental::run(&config(2), &whole).unwrap().unwrap();
    let cold = cold[0].board(Measure::Earned).unwrap();
    assert!(
        last.iterations < cold.iterations,
        "earned: {} iterations after the last batch, {} from scratch",
        last.iterations,
        cold.iterations
    );
}

/// Earned influence appended in store-order shares (accounts joining late) ends where a run
/// from scratch ends.
#[test]
fn earned_appended_in_shares_ends_where_a_run_from_scratch_ends() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    common::write_store(&store, &events());
    let plan = Plan::new(
        vec![store.clone()],
        Cuts::Shares(vec![0.6, 0.99]),
        vec![Measure::Earned],
    );
    let updates = incremental::run(&config(3), &plan).unwrap().unwrap();
    let want = as_of(&store, Measure::Earned, None);
    let worst = worst_difference(&updates[2].board(Measure::Earned).unwrap().rows, &want);
    assert!(worst <= 1e-9, "{worst:e}");
}
