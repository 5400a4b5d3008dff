//! Appending events without recomputing from scratch: followers, engagement, PageRank
//! (follow graph) and earned influence updated batch by batch (`renown cluster update`).
//!
//! Differential dataflow (McSherry, Murray, Isaacs & Isard 2013) holds the events, arranged by
//! pair and by target, on every worker. A batch of new events at the next epoch changes only
//! what it touches, and the dataflow emits only those changes:
//! - the standing follow of a pair (its last follow or unfollow, by time then store order, is
//!   a follow — `renown rank`'s rule), with the time of that follow, so an unfollow or a
//!   late-arriving older follow is right;
//! - the followers count (standing follows per target) and the engagement count (engagement
//!   events per target).
//!
//! The changes go to the accounts' owners ([`Layout::owner`]), which keep the counts and the
//! standing in-edges. PageRank is a floating-point fixed point, which differential's integer
//! differences do not carry to 1e-9; it is iterated on the same timely workers as
//! `renown cluster rank` ([`crate::rank`]), started from the scores before the batch (each
//! scaled by n_before / n_after, new accounts at 1/n), so a small batch needs few iterations,
//! over a graph the batch's changes patch ([`crate::live`]: work proportional to the batch,
//! not to the standing follows, before the iterations).
//! Its result equals a computation from scratch to within the stop: both end where an
//! iteration changes the scores by less than [`Plan::step`] in L1.
//!
//! Earned influence: each owner keeps the engagement its accounts received (only the batch's
//! events cross workers) and their months answered per period ([`crate::earned::Months`]),
//! and the credibility fixed point goes on from the scores of the batch before. Its pair
//! strengths, budgets and normalisers are recomputed from the kept events each batch: every
//! weight decays with the reference time, which moves with the batch, and the sums are
//! rounded to `f32` as on one machine, so none can be patched by a difference.

use crate::earned::{Endorsement, Months, Warm};
use crate::input::{read_store, Account, Edge, StoreScope, What};
use crate::key::Layout;
use crate::live::Live;
use crate::rank::{self, to_owners, Body, Gathered, Msg, Rounds, Traffic};
use crate::{ClusterConfig, ClusterError, Measure, Result};
use differential_dataflow::input::InputSession;
use renown_measures::earned::EarnedParams;
use renown_model::{Kind, ENGAGEMENT_KINDS};
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

/// Where each batch's answer goes as soon as it is gathered (process 0's first worker), in
/// place of [`run`]'s list: `renown cluster update` prints it there.
pub type Sink = Arc<dyn Fn(Update) + Send + Sync>;

/// The most batches a run takes (`--every` over a long log with a short period).
pub const MAX_BATCHES: usize = 100_000;

/// Where the events are cut into batches.
#[derive(Clone, Debug, PartialEq)]
pub enum Cuts {
    /// Shares in (0, 1), ascending, of each process's events in store order: `[0.99]`
    /// appends the last 1 % to a base of the first 99 %. An account joins with the batch of
    /// its first event (the base when it has none).
    Shares(Vec<f64>),
    /// Instants, ascending: batch `i` holds the events dated up to `cuts[i]` and after the
    /// cut before (the first also every timeless event), and a last batch the rest; the
    /// answer after batch `i` is the answer as of `cuts[i]`. Every account is in the first.
    Times(Vec<i64>),
    /// Instants every so many seconds: [`Cuts::Times`] at the last second before each whole
    /// multiple of it since 1970 (for days, 23:59:59 UTC: what `--as-of DAY` reads), from
    /// the oldest event of the cluster up to (not including) the newest.
    Every(i64),
}

/// What an incremental run reads and computes.
#[derive(Clone)]
pub struct Plan {
    /// This process's shard stores.
    pub stores: Vec<PathBuf>,
    /// Where the events are cut into batches.
    pub cuts: Cuts,
    /// Only events up to this time (`--as-of`): the last batch's date.
    pub until: Option<i64>,
    /// Only events on this platform.
    pub platform: Option<String>,
    /// The rankings gathered after each batch, in this order: any of followers, engagement,
    /// PageRank (follow graph) and earned influence.
    pub measures: Vec<Measure>,
    /// Rows gathered per batch and measure (0 = all).
    pub top: usize,
    /// PageRank's damping.
    pub damping: f64,
    /// PageRank's stop: the L1 change (of scores summing to 1) below which it stops
    /// ([`crate::rank::STEP`] on one machine).
    pub step: f64,
    /// Earned influence's parameters (without trust).
    pub earned: EarnedParams,
    /// Called between batches (see [`Hook`]).
    pub hook: Option<Hook>,
    /// Where the answers go as they come (see [`Sink`]).
    pub sink: Option<Sink>,
}

impl Plan {
    /// A plan of `measures` over `stores` cut at `cuts`, with the single machine's defaults
    /// (damping 0.85, PageRank's stop, default earned parameters, every row gathered).
    pub fn new(stores: Vec<PathBuf>, cuts: Cuts, measures: Vec<Measure>) -> Plan {
        Plan {
            stores,
            cuts,
            until: None,
            platform: None,
            measures,
            top: 0,
            damping: 0.85,
            step: rank::STEP,
            earned: EarnedParams::default(),
            hook: None,
            sink: None,
        }
    }

    fn wants(&self, measure: Measure) -> bool {
        self.measures.contains(&measure)
    }
}

/// The state after one batch, gathered on process 0.
#[derive(Clone, Debug)]
pub struct Update {
    /// The batch's number, from 0.
    pub batch: usize,
    /// Events the batch appended, over the cluster.
    pub events: u64,
    /// The date the answer is as of (a cut of [`Cuts::Times`] / [`Cuts::Every`], else
    /// [`Plan::until`]).
    pub as_of: Option<i64>,
    /// The ranking by each of [`Plan::measures`], in its order, each row with its standing
    /// followers.
    pub boards: Vec<(Measure, Gathered)>,
    /// Wall seconds from the batch's events entering the dataflow to the gathered rankings.
    pub seconds: f64,
}

impl Update {
    /// The ranking by `measure`, if the plan asked for it.
    pub fn board(&self, measure: Measure) -> Option<&Gathered> {
        self.boards.iter().find(|b| b.0 == measure).map(|b| &b.1)
    }
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
    /// (target, follower, time of the standing follow, +1 now standing / −1 no longer).
    edges: Vec<(u64, u64, i64, i64)>,
}

fn check(plan: &Plan) -> Result<()> {
    let bad = |m: &str| Err(ClusterError::Config(m.to_string()));
    match &plan.cuts {
        Cuts::Shares(c)
            if c.iter().any(|c| !(*c > 0.0 && *c < 1.0)) || c.windows(2).any(|w| w[0] >= w[1]) =>
        {
            return bad("cuts are shares in (0, 1), ascending");
        }
        Cuts::Times(c) if c.windows(2).any(|w| w[0] >= w[1]) => {
            return bad("the batches' dates must be ascending");
        }
        Cuts::Times(c) if plan.until.is_some_and(|u| c.iter().any(|&t| t >= u)) => {
            return bad("every batch's date must come before --as-of");
        }
        Cuts::Times(c) if c.len() >= MAX_BATCHES => {
            return bad("too many batches");
        }
        Cuts::Every(s) if *s <= 0 => return bad("the period must be positive"),
        _ => {}
    }
    if plan.measures.is_empty() {
        return bad("no measure to update");
    }
    for m in &plan.measures {
        if matches!(m, Measure::EngagementPageRank) {
            return Err(ClusterError::Config(format!(
                "{} is not updated incrementally (followers, engagement, pagerank and earned are)",
                m.name()
            )));
        }
    }
    if plan.wants(Measure::Earned) && plan.earned.trust.is_some() {
        return bad("earned influence with trust (SybilRank) does not run on a cluster");
    }
    Ok(())
}

/// The kinds a plan reads besides follows: engagement, and earned influence's kinds.
fn kinds(plan: &Plan) -> Vec<Kind> {
    let mut kinds = ENGAGEMENT_KINDS.to_vec();
    if plan.wants(Measure::Earned) {
        kinds.extend(crate::earned::kinds(&plan.earned));
    }
    kinds.sort_unstable_by_key(|k| k.code());
    kinds.dedup();
    kinds
}

/// Runs this process's part of `plan` on the cluster; process 0 gets one [`Update`] per batch
/// (none when they went to [`Plan::sink`]). A process lost mid-stream ends the run as
/// [`crate::run`] ends it: named, within the same bounds.
pub fn run(config: &ClusterConfig, plan: &Plan) -> Result<Option<Vec<Update>>> {
    let layout = crate::layout_of(config)?;
    check(plan)?;
    let progress = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let process = config.process;
    let worker_plan = plan.clone();
    let (worker_progress, worker_finished) = (Arc::clone(&progress), Arc::clone(&finished));
    let work = move |worker: &mut timely::worker::Worker| {
        let plan = &worker_plan;
        let load = || -> Result<(Vec<Account>, Vec<Edge>)> {
            let (mut accounts, mut edges) = (Vec::new(), Vec::new());
            let scope = StoreScope {
                as_of: plan.until,
                platform: plan.platform.clone(),
                ..StoreScope::default()
            };
            let kinds = kinds(plan);
            for (i, path) in plan.stores.iter().enumerate() {
                let tag = u64::from(process) << 16 | i as u64;
                let shard = read_store(path, &scope, &kinds, tag)?;
                accounts.extend(shard.accounts);
                edges.extend(shard.edges);
            }
            Ok((accounts, edges))
        };
        let r = run_worker(worker, layout, plan, load, Arc::clone(&worker_progress));
        worker_finished.fetch_add(1, Ordering::SeqCst);
        r
    };
    let digest = xxhash_rust::xxh3::xxh3_64(
        format!(
            "incremental|{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{}x{}|{:?}",
            plan.cuts,
            plan.until,
            plan.platform,
            plan.measures,
            plan.top,
            plan.damping,
            plan.step,
            layout.processes,
            layout.workers,
            plan.wants(Measure::Earned).then_some(&plan.earned)
        )
        .as_bytes(),
    );
    let (updates, _, _) = crate::execute(config, layout, digest, work, progress, finished)?;
    Ok(updates)
}

/// Cuts `edges` (in store order) into batches at `cuts`; each account goes with the batch of
/// its first event, or the first batch.
fn split_by_share(
    accounts: Vec<Account>,
    edges: Vec<Edge>,
    cuts: &[f64],
) -> Vec<(Vec<Account>, Vec<Edge>)> {
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

/// Cuts `edges` into batches by date: batch `i` the events up to `cuts[i]` (timeless ones in
/// the first), the last the rest; every account in the first.
fn split_by_time(
    accounts: Vec<Account>,
    edges: Vec<Edge>,
    cuts: &[i64],
) -> Vec<(Vec<Account>, Vec<Edge>)> {
    let mut batches: Vec<(Vec<Account>, Vec<Edge>)> =
        (0..=cuts.len()).map(|_| (Vec::new(), Vec::new())).collect();
    batches[0].0 = accounts;
    for e in edges {
        // Timeless events are `i64::MIN`: the first batch.
        let b = cuts.partition_point(|&c| c < e.time);
        batches[b].1.push(e);
    }
    batches
}

/// The instants of [`Cuts::Every`]: the last second before each multiple of `period`
/// (`--as-of DAY` for a day: 23:59:59), in `[oldest, newest)`.
fn every(period: i64, oldest: i64, newest: i64) -> Result<Vec<i64>> {
    if oldest > newest {
        return Ok(Vec::new());
    }
    // k·period − 1 ≥ oldest and k·period − 1 < newest.
    let first = (oldest + 1).div_euclid(period) + i64::from((oldest + 1).rem_euclid(period) != 0);
    let last = newest.div_euclid(period);
    if last - first + 2 > MAX_BATCHES as i64 {
        return Err(ClusterError::Config(format!(
            "a batch every {period} s over the events' span makes {} batches, more than {MAX_BATCHES}: take a longer period",
            last - first + 2
        )));
    }
    Ok((first..=last).map(|k| k * period - 1).collect())
}

/// A batch of one reader's input: the accounts that join with it and its events.
type Batch = (Vec<Account>, Vec<Edge>);

/// The batches of this worker's events (empty on workers that do not read), their dates, and
/// the first error; every worker agrees on the number of batches.
fn batches(
    rounds: &mut Rounds<'_>,
    plan: &Plan,
    loaded: Option<Result<(Vec<Account>, Vec<Edge>)>>,
) -> Result<(Vec<Batch>, Vec<Option<i64>>)> {
    let layout = rounds.layout;
    let process = rounds.me / layout.workers;
    let (accounts, edges, error) = match loaded {
        Some(Ok((a, e))) => (a, e, None),
        Some(Err(e)) => (
            Vec::new(),
            Vec::new(),
            Some(format!("process {process}: {e}")),
        ),
        None => (Vec::new(), Vec::new(), None),
    };
    // The span of the dated events, over the cluster (times are whole seconds far below 2^53:
    // exact in f64); the round also passes on any reader's error.
    let (oldest, newest) = edges
        .iter()
        .filter(|e| e.time != i64::MIN)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
            (lo.min(e.time as f64), hi.max(e.time as f64))
        });
    let (parts, error) = rounds.all_gather(vec![oldest, newest], error);
    if let Some(e) = error {
        return Err(ClusterError::Failed(e));
    }
    let oldest = parts.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
    let newest = parts.iter().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
    let times = match &plan.cuts {
        Cuts::Shares(cuts) => {
            let dates = vec![plan.until; cuts.len() + 1];
            return Ok((split_by_share(accounts, edges, cuts), dates));
        }
        Cuts::Times(cuts) => cuts.clone(),
        Cuts::Every(period) if oldest.is_finite() => every(*period, oldest as i64, newest as i64)?,
        Cuts::Every(_) => Vec::new(),
    };
    let mut dates: Vec<Option<i64>> = times.iter().map(|&t| Some(t)).collect();
    dates.push(plan.until);
    Ok((split_by_time(accounts, edges, &times), dates))
}

fn run_worker(
    worker: &mut timely::worker::Worker,
    layout: Layout,
    plan: &Plan,
    load: impl FnOnce() -> Result<(Vec<Account>, Vec<Edge>)>,
    progress: Arc<AtomicU64>,
) -> Result<(Option<Vec<Update>>, Traffic)> {
    // The dataflow, built the same on every worker.
    let mut input: InputSession<u64, Event, isize> = InputSession::new();
    let changes = Rc::new(RefCell::new(Changes::default()));
    let probe = ProbeHandle::new();
    worker.dataflow::<u64, _, _>(|scope| {
        let events = input.to_collection(scope);
        // Per pair, the follow standing after its last follow or unfollow, with its time.
        let standing = events
            .clone()
            .filter(|e| e.2 != ENGAGE)
            .map(|e| ((e.0, e.1), (e.3, e.4, e.2 == FOLLOW)))
            .reduce(|_pair, history, out: &mut Vec<(i64, isize)>| {
                // `history` is sorted by (time, store order): the last event decides.
                let last = history[history.len() - 1].0;
                if last.2 {
                    out.push((last.0, 1));
                }
            });
        let (sink, edges_sink, engaged_sink) = (
            Rc::clone(&changes),
            Rc::clone(&changes),
            Rc::clone(&changes),
        );
        standing
            .clone()
            .map(|((target, _), _)| target)
            .count()
            .inspect(move |((target, count), _, diff)| {
                let change = *count as f64 * *diff as f64;
                sink.borrow_mut().counts.push((*target, change, 0.0));
            })
            .probe_with(&probe);
        standing
            .inspect(move |(((target, actor), since), _, diff)| {
                edges_sink
                    .borrow_mut()
                    .edges
                    .push((*target, *actor, *since, *diff as i64));
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
    let (mut batches, dates) = batches(&mut rounds, plan, reader.then(load))?;
    let hook = plan.hook.as_ref().filter(|_| me == 0);
    let earned = plan.wants(Measure::Earned);
    let kind_weight = crate::earned::kind_weight(&plan.earned);
    let counted: Vec<u8> = ENGAGEMENT_KINDS.iter().map(|k| k.code()).collect();

    // What this worker owns: its accounts (local index = arrival order), their counts, the
    // standing follows into them (with the follow's time), PageRank's scores (summing to 1
    // over the cluster), and for earned influence the engagement they received, their months
    // answered and their scores.
    let mut owned: Vec<Account> = Vec::new();
    let mut index: FxHashMap<u64, u32> = FxHashMap::default();
    let (mut followers, mut engagement) = (Vec::<f64>::new(), Vec::<f64>::new());
    let mut in_edges: FxHashSet<(u32, u64, i64)> = FxHashSet::default();
    // PageRank's follow graph, patched by each batch's changes.
    let mut live = Live::new(layout);
    let pagerank = plan.wants(Measure::PageRank);
    let mut scores: Vec<f64> = Vec::new();
    let mut n_before = 0.0f64;
    let mut endorsements: Vec<Endorsement> = Vec::new();
    let mut months = Months::default();
    let mut newest = f64::NEG_INFINITY;
    let mut earned_scores: Option<Vec<f64>> = None;
    let mut updates = Vec::new();
    let mut error = None;
    for (b, as_of) in dates.iter().copied().enumerate() {
        if let Some(h) = hook {
            h(b);
        }
        let started = Instant::now();
        let (accounts, edges) = batches.get_mut(b).map(std::mem::take).unwrap_or_default();
        let mine = edges.len() as f64;
        let mut endorsing = Vec::new();
        for e in edges {
            let what = match e.what {
                What::Follow => FOLLOW,
                What::Unfollow => UNFOLLOW,
                What::Engage => ENGAGE,
            };
            if what == ENGAGE && earned && kind_weight[e.kind as usize] > 0.0 {
                endorsing.push(e);
            }
            if what != ENGAGE || counted.contains(&e.kind) {
                input.update((e.target, e.actor, what, e.time, e.order), 1);
            }
        }
        input.advance_to(b as u64 + 1);
        input.flush();
        // The batch's accounts (and engagement, for earned influence) to their owners (the
        // dataflow runs meanwhile).
        let mut out: Vec<Msg> = to_owners(layout, accounts, |a| a.key, Body::Accounts).collect();
        out.extend(to_owners(layout, endorsing, |e| e.target, Body::Edges));
        let mut arrived: FxHashMap<u64, Account> = FxHashMap::default();
        let mut engaged = Vec::new();
        for body in rounds.round(out) {
            match body {
                Body::Accounts(list) => rank::merge_accounts(list, &mut arrived, &mut error),
                Body::Edges(list) => engaged.extend(list),
                _ => {}
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
        if pagerank {
            live.grow(owned.len());
        }
        let kept = endorsements.len();
        for e in engaged {
            match index.get(&e.target) {
                Some(&i) => {
                    if e.time != i64::MIN {
                        newest = newest.max(e.time as f64);
                    }
                    endorsements.push(Endorsement {
                        target: i,
                        actor: e.actor,
                        kind: e.kind,
                        time: e.time,
                        order: e.order,
                    });
                }
                None => unlisted(&mut error, e.target),
            }
        }
        months.add(&endorsements[kept..], &plan.earned);
        // The dataflow's changes for this epoch, to the targets' owners.
        let epoch = b as u64 + 1;
        rounds.step_while(|| probe.less_than(&epoch));
        let Changes { counts, edges } = std::mem::take(&mut *changes.borrow_mut());
        let peers = layout.peers() as usize;
        let mut counts_to: Vec<Vec<(u64, f64, f64)>> = (0..peers).map(|_| Vec::new()).collect();
        let mut edges_to: Vec<Vec<(u64, u64, i64, i64)>> = (0..peers).map(|_| Vec::new()).collect();
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
        // Per pair, the change of its standing follow (a follow that stands before and after
        // the batch with another time is −1 then +1: no change to the graph).
        let mut pair_changes: Vec<(u32, u64, i64)> = Vec::new();
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
            // One record's +1 and −1 never come in one epoch (differential consolidates
            // them), so the order of insertions and removals does not matter.
            for (target, actor, since, diff) in edges {
                match index.get(&target) {
                    Some(&i) if diff > 0 => {
                        in_edges.insert((i, actor, since));
                    }
                    Some(&i) => {
                        in_edges.remove(&(i, actor, since));
                    }
                    None => unlisted(&mut error, target),
                }
                if pagerank {
                    if let Some(&i) = index.get(&target) {
                        pair_changes.push((i, actor, diff));
                    }
                }
            }
        }
        pair_changes.sort_unstable_by_key(|c| (c.0, c.1));
        for run in pair_changes.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let net: i64 = run.iter().map(|c| c.2).sum();
            if net != 0 {
                live.change(layout, run[0].0, run[0].1, net > 0);
            }
        }
        let (parts, first_error) =
            rounds.all_gather(vec![owned.len() as f64, mine, newest], error.take());
        if let Some(e) = first_error {
            return Err(ClusterError::Failed(e));
        }
        let n = parts.iter().fold(0.0, |s, p| s + p[0]);
        let events = parts.iter().fold(0.0, |s, p| s + p[1]) as u64;
        let newest_anywhere = parts.iter().map(|p| p[2]).fold(f64::NEG_INFINITY, f64::max);

        let mut boards = Vec::new();
        for &measure in &plan.measures {
            let (ranked, iterations, delta) = match measure {
                Measure::Followers => (followers.clone(), 0, 0.0),
                Measure::Engagement => (engagement.clone(), 0, 0.0),
                Measure::PageRank => {
                    // From the scores before the batch.
                    let start = (n_before > 0.0).then(|| {
                        let scale = n_before / n;
                        let mut x: Vec<f64> = scores.iter().map(|s| s * scale).collect();
                        x.resize(owned.len(), 1.0 / n);
                        x
                    });
                    // The graph patched by the batch's changes: a round for the owners to
                    // learn the out-degrees' changes and the new slots, then the iterations.
                    live.subscribe(&mut rounds, &index);
                    let x = start.unwrap_or_else(|| vec![1.0 / n; owned.len()]);
                    let r = live.pagerank(&mut rounds, x, n, plan.damping, plan.step)?;
                    scores = r.0.iter().map(|s| s / n).collect();
                    n_before = n;
                    r
                }
                Measure::Earned => {
                    let reference = as_of.or(newest_anywhere
                        .is_finite()
                        .then_some(newest_anywhere as i64));
                    let r = earned_update(
                        &mut rounds,
                        &owned,
                        &endorsements,
                        &in_edges,
                        &months,
                        &plan.earned,
                        reference,
                        earned_scores.take(),
                    )?;
                    earned_scores = Some(r.0.clone());
                    r
                }
                Measure::EngagementPageRank => {
                    return Err(ClusterError::Config(
                        "engagement-pagerank is not updated incrementally".into(),
                    ))
                }
            };
            if let Some(rows) = rank::gather(&mut rounds, &owned, &ranked, &followers, plan.top) {
                let board = Gathered {
                    total: n as u64,
                    rows,
                    iterations,
                    delta,
                    warnings: Vec::new(),
                };
                boards.push((measure, board));
            }
        }
        if me == 0 {
            let update = Update {
                batch: b,
                events,
                as_of,
                boards,
                seconds: started.elapsed().as_secs_f64(),
            };
            match &plan.sink {
                Some(sink) => sink(update),
                None => updates.push(update),
            }
        }
    }
    if let Some(h) = hook {
        h(dates.len());
    }
    let traffic = rounds.traffic().clone();
    Ok(((me == 0).then_some(updates), traffic))
}

/// Earned influence of the owned accounts after a batch, from the engagement and standing
/// follows they hold, M_b as kept, and the scores of the batch before. The accounts go to
/// [`crate::earned::solve`] in key order, as a run from scratch numbers them, so every sum
/// over an account's pairs runs in the same order as there.
#[allow(clippy::too_many_arguments)]
fn earned_update(
    rounds: &mut Rounds<'_>,
    owned: &[Account],
    endorsements: &[Endorsement],
    in_edges: &FxHashSet<(u32, u64, i64)>,
    months: &Months,
    p: &EarnedParams,
    reference: Option<i64>,
    before: Option<Vec<f64>>,
) -> Result<(Vec<f64>, usize, f64)> {
    let local = owned.len();
    let mut order: Vec<u32> = (0..local as u32).collect();
    order.sort_unstable_by_key(|&i| owned[i as usize].key);
    // position[arrival index] = key-order index.
    let mut position = vec![0u32; local];
    for (k, &i) in order.iter().enumerate() {
        position[i as usize] = k as u32;
    }
    let keys: Vec<u64> = order.iter().map(|&i| owned[i as usize].key).collect();
    let index: FxHashMap<u64, u32> = keys
        .iter()
        .enumerate()
        .map(|(k, &key)| (key, k as u32))
        .collect();
    let rows: Vec<Endorsement> = endorsements
        .iter()
        .map(|e| Endorsement {
            target: position[e.target as usize],
            ..*e
        })
        .collect();
    let follows: Vec<(u32, u64, i64)> = in_edges
        .iter()
        .map(|&(t, a, since)| (position[t as usize], a, since))
        .collect();
    let by_key = |v: &[f64]| -> Vec<f64> { order.iter().map(|&i| v[i as usize]).collect() };
    let warm = Warm {
        months: Some(by_key(&months.active(local, p, reference))),
        scores: before.map(|mut s| {
            s.resize(local, 0.0);
            by_key(&s)
        }),
    };
    let (scores, iterations, delta) =
        crate::earned::solve(rounds, &index, &keys, rows, follows, p, reference, warm)?;
    // Back to arrival order.
    let mut out = vec![0.0; local];
    for (k, &i) in order.iter().enumerate() {
        out[i as usize] = scores[k];
    }
    Ok((out, iterations, delta))
}

fn unlisted(error: &mut Option<String>, key: u64) {
    error.get_or_insert_with(|| {
        format!("an event names account key {key:#018x} that no store lists")
    });
}

#[cfg(test)]
mod tests {
    use super::every;

    #[test]
    fn every_day_ends_at_the_last_second_of_each_day_within_the_span() {
        const DAY: i64 = 86_400;
        let t = 15_000 * DAY; // a midnight
                              // From 10:00 on day 0 to 05:00 on day 3: the ends of days 0, 1 and 2.
        let cuts = every(DAY, t + 36_000, t + 3 * DAY + 18_000).unwrap();
        assert_eq!(cuts, vec![t + DAY - 1, t + 2 * DAY - 1, t + 3 * DAY - 1]);
        // An event at the last second of a day is in that day's batch; one at midnight of the
        // next is not the cut.
        assert_eq!(every(DAY, t - 1, t).unwrap(), vec![t - 1]);
        assert!(every(DAY, t, t + 10).unwrap().is_empty());
        assert!(every(DAY, 1, 0).unwrap().is_empty());
        assert!(every(1, 0, 10 * super::MAX_BATCHES as i64).is_err());
    }
}
