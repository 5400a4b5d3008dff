//! Appending events without recomputing from scratch: followers, engagement and PageRank
//! (follow graph) updated batch by batch.
//!
//! Differential dataflow (McSherry, Murray, Isaacs & Isard 2013) holds the events, arranged by
//! pair and by target, on every worker. A batch of new events at the next epoch changes only
//! what it touches, and the dataflow emits only those changes:
//! - the standing follow of a pair (its last follow or unfollow, by time then store order, is
//!   a follow — `renown rank`'s rule), so an unfollow or a late-arriving older follow is right;
//! - the followers count (standing follows per target) and the engagement count (engagement
//!   events per target).
//!
//! The changes go to the accounts' owners ([`Layout::owner`]), which keep the counts and the
//! standing in-edges. PageRank is a floating-point fixed point, which differential's integer
//! differences do not carry to 1e-9; it is iterated on the same timely workers as
//! `renown cluster rank` ([`crate::rank`]), started from the scores before the batch (each
//! scaled by n_before / n_after, new accounts at 1/n), so a small batch needs few iterations.
//! Its result equals a computation from scratch to within the stop: both end where an
//! iteration changes the scores by less than [`Plan::step`] in L1.
//!
//! Earned influence is not incremental: its budgets, weights and normalisers are sums over
//! every pair of an endorser, rounded to `f32` as on one machine (docs/SCALE.md).

use crate::input::{read_store, Account, Edge, StoreScope, What};
use crate::key::Layout;
use crate::rank::{self, to_owners, Body, Gathered, Msg, Rounds, Row, Solve, Traffic};
use crate::{ClusterConfig, ClusterError, Result};
use differential_dataflow::input::InputSession;
use renown_model::ENGAGEMENT_KINDS;
use rustc_hash::{FxHashMap, FxHashSet};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use timely::dataflow::ProbeHandle;

/// A hook called on process 0's first worker before each batch (with its number) and once
/// after the last (with the number of batches): the COST example reads the CPU time there.
pub type Hook = Arc<dyn Fn(usize) + Send + Sync>;

/// What an incremental run reads and computes.
#[derive(Clone)]
pub struct Plan {
    /// This process's shard stores.
    pub stores: Vec<PathBuf>,
    /// Where this process's events (in store order) are cut into batches, as shares in (0, 1),
    /// ascending: `[0.99]` appends the last 1 % to a base of the first 99 %. An account joins
    /// with the batch of its first event (the base when it has none).
    pub cuts: Vec<f64>,
    /// Rows gathered per batch (0 = all).
    pub top: usize,
    /// PageRank's damping.
    pub damping: f64,
    /// PageRank's stop: the L1 change (of scores summing to 1) below which it stops
    /// ([`crate::rank::STEP`] on one machine).
    pub step: f64,
    /// Called between batches (see [`Hook`]).
    pub hook: Option<Hook>,
}

/// The state after one batch, gathered on process 0.
#[derive(Clone, Debug)]
pub struct Update {
    /// Events the batch appended, over the cluster.
    pub events: u64,
    /// The ranking by PageRank (× n), each row with its standing followers.
    pub pagerank: Gathered,
    /// The ranking by engagement received.
    pub engagement: Vec<Row>,
    /// Wall seconds from the batch's events entering the dataflow to the gathered rankings.
    pub seconds: f64,
}

/// An event in the dataflow: (target, actor, [`FOLLOW`] / [`UNFOLLOW`] / [`ENGAGE`], time,
/// store order).
type Event = (u64, u64, u8, i64, u64);
const FOLLOW: u8 = 0;
const UNFOLLOW: u8 = 1;
const ENGAGE: u8 = 2;

/// What the dataflow emitted on this worker for the last epoch.
#[derive(Default)]
struct Changes {
    /// (target, change of its followers, change of its engagement).
    counts: Vec<(u64, f64, f64)>,
    /// (target, follower, +1 now standing / −1 no longer).
    edges: Vec<(u64, u64, i64)>,
}

/// Runs this process's part of `plan` on the cluster; process 0 gets one [`Update`] per batch.
pub fn run(config: &ClusterConfig, plan: &Plan) -> Result<Option<Vec<Update>>> {
    let layout = crate::layout_of(config)?;
    if plan.cuts.iter().any(|c| !(*c > 0.0 && *c < 1.0))
        || plan.cuts.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(ClusterError::Config(
            "cuts are shares in (0, 1), ascending".into(),
        ));
    }
    let progress = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let process = config.process;
    let worker_plan = plan.clone();
    let (worker_progress, worker_finished) = (Arc::clone(&progress), Arc::clone(&finished));
    let work = move |worker: &mut timely::worker::Worker| {
        let plan = &worker_plan;
        let load = || -> Result<Vec<(Vec<Account>, Vec<Edge>)>> {
            let (mut accounts, mut edges) = (Vec::new(), Vec::new());
            for (i, path) in plan.stores.iter().enumerate() {
                let tag = u64::from(process) << 16 | i as u64;
                let shard = read_store(path, &StoreScope::default(), &ENGAGEMENT_KINDS, tag)?;
                accounts.extend(shard.accounts);
                edges.extend(shard.edges);
            }
            Ok(split(accounts, edges, &plan.cuts))
        };
        let r = run_worker(worker, layout, plan, load, Arc::clone(&worker_progress));
        worker_finished.fetch_add(1, Ordering::SeqCst);
        r
    };
    let digest = xxhash_rust::xxh3::xxh3_64(
        format!(
            "incremental|{:?}|{}|{}|{}|{}x{}",
            plan.cuts, plan.top, plan.damping, plan.step, layout.processes, layout.workers
        )
        .as_bytes(),
    );
    let (updates, _, _) = crate::execute(config, layout, digest, work, progress, finished)?;
    Ok(updates)
}

/// Cuts `edges` (in store order) into batches at `cuts`; each account goes with the batch of
/// its first event, or the first batch.
fn split(accounts: Vec<Account>, edges: Vec<Edge>, cuts: &[f64]) -> Vec<(Vec<Account>, Vec<Edge>)> {
    let len = edges.len();
    let mut bounds: Vec<usize> = cuts.iter().map(|c| (c * len as f64) as usize).collect();
    bounds.push(len);
    let mut batches: Vec<(Vec<Account>, Vec<Edge>)> =
        bounds.iter().map(|_| (Vec::new(), Vec::new())).collect();
    let mut first: FxHashMap<u64, usize> = FxHashMap::default();
    let mut b = 0;
    for (i, e) in edges.into_iter().enumerate() {
        while i >= bounds[b] {
            b += 1;
        }
        first.entry(e.actor).or_insert(b);
        first.entry(e.target).or_insert(b);
        batches[b].1.push(e);
    }
    for a in accounts {
        let b = first.get(&a.key).copied().unwrap_or(0);
        batches[b].0.push(a);
    }
    batches
}

fn run_worker(
    worker: &mut timely::worker::Worker,
    layout: Layout,
    plan: &Plan,
    load: impl FnOnce() -> Result<Vec<(Vec<Account>, Vec<Edge>)>>,
    progress: Arc<AtomicU64>,
) -> Result<(Option<Vec<Update>>, Traffic)> {
    // The dataflow, built the same on every worker.
    let mut input: InputSession<u64, Event, isize> = InputSession::new();
    let changes = Rc::new(RefCell::new(Changes::default()));
    let probe = ProbeHandle::new();
    worker.dataflow::<u64, _, _>(|scope| {
        let events = input.to_collection(scope);
        // Per pair, the follow standing after its last follow or unfollow.
        let standing = events
            .clone()
            .filter(|e| e.2 != ENGAGE)
            .map(|e| ((e.0, e.1), (e.3, e.4, e.2 == FOLLOW)))
            .reduce(|_pair, history, out: &mut Vec<((), isize)>| {
                // `history` is sorted by (time, store order): the last event decides.
                if history[history.len() - 1].0 .2 {
                    out.push(((), 1));
                }
            })
            .map(|(pair, ())| pair);
        let (sink, edges_sink, engaged_sink) = (
            Rc::clone(&changes),
            Rc::clone(&changes),
            Rc::clone(&changes),
        );
        standing
            .clone()
            .map(|(target, _)| target)
            .count()
            .inspect(move |((target, count), _, diff)| {
                let change = *count as f64 * *diff as f64;
                sink.borrow_mut().counts.push((*target, change, 0.0));
            })
            .probe_with(&probe);
        standing
            .inspect(move |((target, actor), _, diff)| {
                edges_sink
                    .borrow_mut()
                    .edges
                    .push((*target, *actor, *diff as i64));
            })
            .probe_with(&probe);
        events
            .filter(|e| e.2 == ENGAGE)
            .map(|e| e.0)
            .count()
            .inspect(move |((target, count), _, diff)| {
                let change = *count as f64 * *diff as f64;
                engaged_sink
                    .borrow_mut()
                    .counts
                    .push((*target, 0.0, change));
            })
            .probe_with(&probe);
    });
    let mut rounds = Rounds::new(worker, layout, progress);
    let me = rounds.me;
    let reader = me.is_multiple_of(layout.workers);
    let (mut batches, mut error) = if reader {
        match load() {
            Ok(b) => (b, None),
            Err(e) => (
                Vec::new(),
                Some(format!("process {}: {e}", me / layout.workers)),
            ),
        }
    } else {
        (Vec::new(), None)
    };
    let hook = plan.hook.as_ref().filter(|_| me == 0);

    // What this worker owns: its accounts (local index = arrival order), their counts, the
    // standing follows into them, and PageRank's scores (summing to 1 over the cluster).
    let mut owned: Vec<Account> = Vec::new();
    let mut index: FxHashMap<u64, u32> = FxHashMap::default();
    let (mut followers, mut engagement) = (Vec::<f64>::new(), Vec::<f64>::new());
    let mut in_edges: FxHashSet<(u32, u64)> = FxHashSet::default();
    let mut scores: Vec<f64> = Vec::new();
    let mut n_before = 0.0f64;
    let mut updates = Vec::new();
    for b in 0..=plan.cuts.len() {
        if let Some(h) = hook {
            h(b);
        }
        let started = Instant::now();
        let (accounts, edges) = batches.get_mut(b).map(std::mem::take).unwrap_or_default();
        let mine = edges.len() as f64;
        for e in edges {
            let what = match e.what {
                What::Follow => FOLLOW,
                What::Unfollow => UNFOLLOW,
                What::Engage => ENGAGE,
            };
            input.update((e.target, e.actor, what, e.time, e.order), 1);
        }
        input.advance_to(b as u64 + 1);
        input.flush();
        // The batch's accounts to their owners (the dataflow runs meanwhile).
        let out = to_owners(layout, accounts, |a| a.key, Body::Accounts);
        let mut arrived: FxHashMap<u64, Account> = FxHashMap::default();
        for body in rounds.round(out) {
            if let Body::Accounts(list) = body {
                rank::merge_accounts(list, &mut arrived, &mut error);
            }
        }
        let mut arrived: Vec<Account> = arrived.into_values().collect();
        arrived.sort_unstable_by_key(|a| a.key);
        for a in arrived {
            match index.get(&a.key) {
                Some(&i) => {
                    let mut known = FxHashMap::default();
                    let have = &mut owned[i as usize];
                    known.insert(a.key, have.clone());
                    rank::merge_accounts(vec![a], &mut known, &mut error);
                    if let Some(merged) = known.remove(&have.key) {
                        *have = merged;
                    }
                }
                None => {
                    index.insert(a.key, owned.len() as u32);
                    owned.push(a);
                    followers.push(0.0);
                    engagement.push(0.0);
                }
            }
        }
        // The dataflow's changes for this epoch, to the targets' owners.
        let epoch = b as u64 + 1;
        rounds.step_while(|| probe.less_than(&epoch));
        let Changes { counts, edges } = std::mem::take(&mut *changes.borrow_mut());
        let peers = layout.peers() as usize;
        let mut counts_to: Vec<Vec<(u64, f64, f64)>> = (0..peers).map(|_| Vec::new()).collect();
        let mut edges_to: Vec<Vec<(u64, u64, i64)>> = (0..peers).map(|_| Vec::new()).collect();
        for c in counts {
            counts_to[layout.owner(c.0) as usize].push(c);
        }
        for e in edges {
            edges_to[layout.owner(e.0) as usize].push(e);
        }
        let out = counts_to
            .into_iter()
            .zip(edges_to)
            .enumerate()
            .filter(|(_, (c, e))| !c.is_empty() || !e.is_empty())
            .map(|(w, (counts, edges))| Msg {
                to: w as u32,
                body: Body::Changes { counts, edges },
            });
        for body in rounds.round(out) {
            let Body::Changes { counts, edges } = body else {
                continue;
            };
            for (target, f, e) in counts {
                match index.get(&target) {
                    Some(&i) => {
                        followers[i as usize] += f;
                        engagement[i as usize] += e;
                    }
                    None => unlisted(&mut error, target),
                }
            }
            for (target, actor, diff) in edges {
                match index.get(&target) {
                    Some(&i) if diff > 0 => {
                        in_edges.insert((i, actor));
                    }
                    Some(&i) => {
                        in_edges.remove(&(i, actor));
                    }
                    None => unlisted(&mut error, target),
                }
            }
        }
        let (sums, first_error) = rounds.all_reduce(vec![owned.len() as f64, mine], error.take());
        if let Some(e) = first_error {
            return Err(ClusterError::Failed(e));
        }
        let (n, events) = (sums[0], sums[1] as u64);

        // PageRank from the scores before the batch.
        let start = (n_before > 0.0).then(|| {
            let scale = n_before / n;
            let mut x: Vec<f64> = scores.iter().map(|s| s * scale).collect();
            x.resize(owned.len(), 1.0 / n);
            x
        });
        let graph: Vec<(u32, u64, f32)> = in_edges.iter().map(|&(t, a)| (t, a, 1.0)).collect();
        let solve = Solve {
            damping: plan.damping,
            step: plan.step,
            start,
        };
        let (ranked, iterations, delta) =
            rank::pagerank(&mut rounds, &index, owned.len(), graph, n, solve)?;
        scores = ranked.iter().map(|s| s / n).collect();
        n_before = n;
        let by_pagerank = rank::gather(&mut rounds, &owned, &ranked, &followers, plan.top);
        let by_engagement = rank::gather(&mut rounds, &owned, &engagement, &followers, plan.top);
        if let (Some(rows), Some(engagement)) = (by_pagerank, by_engagement) {
            updates.push(Update {
                events,
                pagerank: Gathered {
                    total: n as u64,
                    rows,
                    iterations,
                    delta,
                },
                engagement,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
    }
    if let Some(h) = hook {
        h(plan.cuts.len() + 1);
    }
    let traffic = rounds.traffic().clone();
    Ok(((me == 0).then_some(updates), traffic))
}

fn unlisted(error: &mut Option<String>, key: u64) {
    error.get_or_insert_with(|| {
        format!("an event names account key {key:#018x} that no store lists")
    });
}
