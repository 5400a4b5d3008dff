//! Does a measure predict? A rolling-origin backtest: every measure is computed as of a split
//! date over the accounts active before it, and scored against what happened to those accounts
//! after it (the target, e.g. distinct accounts that engaged with each in the next period).
//!
//! Scores: Spearman's ρ and Kendall's τ-b (average ranks, ties corrected), NDCG@k and
//! precision@k. Ties inside a measure's ranking never depend on account ids: NDCG@k and
//! precision@k are their *expected value over every ordering of the tied accounts* (McSherry &
//! Najork 2008, "Computing information retrieval performance measures efficiently in the
//! presence of tied scores"), which has a closed form per tie group. Each score carries a 95 %
//! percentile bootstrap interval over accounts, and each measure a paired bootstrap of its
//! difference to the best baseline (same resamples for both, so their shared noise cancels).
//!
//! The bootstrap is a Poisson bootstrap over classes of interchangeable accounts (equal under
//! every measure and in the target), sorted once per measure: a resample costs O(c) for
//! Spearman, NDCG and precision and O(c log m) for τ-b (c classes, m distinct target values),
//! instead of a sort of every account per resample.

use crate::compare::spearman;
use crate::earned::{model_of, DAY};
use crate::earned_tune::{tune, Tuning, TuningSplit};
use crate::log::Log;
use crate::persons::Persons;
use crate::{measure, MeasureError, MeasureSpec, Measured, Result, Scope, Warning, MEASURES};
use rayon::prelude::*;
use renown_model::{Kind, ENGAGEMENT_KINDS};
use renown_store::{EventFilter, Store};
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// What "predicting" means: the quantity each account gets after the split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// Distinct accounts that engaged with the account in the horizon.
    DistinctEngagers,
    /// Reshares and quotes received in the horizon.
    Reshares,
    /// Engagement events of every kind received in the horizon.
    Engagement,
    /// Distinct engagers in the horizon who had already engaged with the account before the
    /// split: the audience it kept.
    Retained,
    /// Nodes added in the horizon to the spread trees (cascades) the account started, whenever
    /// it started them: what its items reached through reshares of reshares, not only its own
    /// engagers. Computed by a [`ReachFn`] (the trees are rebuilt by renown-spread, which
    /// depends on this crate).
    CascadeReach,
}

/// Computes the `cascade-reach` target: for each account (dense id), the cascade nodes its
/// trees gained in `(split, until]`, the trees rebuilt from the events up to `until` on
/// `platform`. `renown_spread::cascades::reach_after` is the one the CLI and the server pass.
pub type ReachFn = fn(&Store, Option<&str>, i64, i64) -> Result<Vec<f64>>;

/// A [`ReachFn`] in the options: equal when it is the same function.
#[derive(Clone, Copy, Debug)]
pub struct Reach(pub ReachFn);

impl PartialEq for Reach {
    fn eq(&self, other: &Reach) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Target {
    /// Every target, in the order `--help` lists them.
    pub const ALL: [Target; 5] = [
        Target::DistinctEngagers,
        Target::Reshares,
        Target::Engagement,
        Target::Retained,
        Target::CascadeReach,
    ];

    /// Its `--target` name.
    pub fn name(self) -> &'static str {
        match self {
            Target::DistinctEngagers => "distinct-engagers",
            Target::Reshares => "reshares",
            Target::Engagement => "engagement",
            Target::Retained => "retained",
            Target::CascadeReach => "cascade-reach",
        }
    }

    /// What it counts, in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Target::DistinctEngagers => {
                "distinct accounts that engaged with the account after the split"
            }
            Target::Reshares => "reshares and quotes received after the split",
            Target::Engagement => "engagement events of every kind received after the split",
            Target::Retained => {
                "distinct engagers after the split who had engaged with the account before it"
            }
            Target::CascadeReach => {
                "nodes added after the split to the cascades the account started (reshares of \
                 reshares included)"
            }
        }
    }

    /// The target called `s`, or an error listing the names.
    pub fn parse(s: &str) -> Result<Target> {
        Target::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
                MeasureError::Invalid(format!(
                    "target {s:?} does not exist (one of: {})",
                    names.join(", ")
                ))
            })
    }
}

/// The four scores, in the order of [`MeasureResult::metrics`].
pub const METRICS: [&str; 4] = ["spearman", "kendall", "ndcg", "precision"];

/// The largest cut-off of NDCG@k and precision@k.
pub const MAX_K: usize = 1_000_000;

/// Where rolling origins fall by default: quantiles of the timed events in scope.
pub const DEFAULT_SPLITS: [f64; 3] = [0.4, 0.6, 0.8];

/// Bootstrap resamples unless asked otherwise (the CLI and the API share it).
pub const DEFAULT_BOOTSTRAP: usize = 1000;

/// The cut-off of NDCG@k and precision@k unless asked otherwise.
pub const DEFAULT_K: usize = 100;

/// `90m`, `36h`, `7d`, `2w`, `3600s` or a bare number of seconds: a horizon.
pub fn parse_duration(s: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 36h or 7d"))?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        other => return Err(format!("unknown unit {other:?} (s, m, h, d or w)")),
    };
    match n.checked_mul(unit) {
        Some(v) if v > 0 => Ok(v),
        _ => Err(format!("{s:?} must be a positive duration")),
    }
}

/// What a backtest scores, on which splits, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestOptions {
    /// Split times (inclusive: an event at the split is "before"); empty: [`DEFAULT_SPLITS`].
    pub splits: Vec<i64>,
    /// Seconds after each split the target counts; `None`: from the last split to the newest
    /// event.
    pub horizon: Option<i64>,
    /// The top-k size of NDCG@k and precision@k.
    pub k: usize,
    /// Measure names; empty: every registered measure.
    pub measures: Vec<String>,
    /// What happened after each split that the measures should predict.
    pub target: Target,
    /// Bootstrap resamples (0: point estimates only).
    pub bootstrap: usize,
    /// The bootstrap's random seed.
    pub seed: u64,
    /// The measure under test; every other measure is a baseline.
    pub candidate: String,
    /// Only events on this platform.
    pub platform: Option<String>,
    /// A known truth per account (dense id; `None`: unknown), e.g. a simulation's latent
    /// quality: each measure's Spearman with it is reported beside the predictive scores.
    pub truth: Option<Vec<Option<f64>>>,
    /// How the `cascade-reach` target is computed (`None`: that target is refused).
    pub cascade_reach: Option<Reach>,
    /// Choose earned's parameters on every split but the last ([`crate::earned_tune`]) and
    /// report them on the last as the measure [`TUNED`], beside the defaults and the baselines.
    pub tune: bool,
    /// What the parameterised measures are computed with (a parameters file; the defaults).
    pub params: crate::params::Parameters,
    /// Score persons, not accounts: the accounts `renown link` declared one person are one
    /// node for every measure ([`Log::by_person`]) and for the target ([`outcomes_of`]), and a
    /// person's truth is the largest of their accounts' ([`Persons::largest`]).
    pub per_person: bool,
}

/// The name of earned influence with the parameters `--tune` chose on the earlier splits.
pub const TUNED: &str = "earned-tuned";

impl Default for BacktestOptions {
    fn default() -> Self {
        BacktestOptions {
            splits: Vec::new(),
            horizon: None,
            k: DEFAULT_K,
            measures: Vec::new(),
            target: Target::DistinctEngagers,
            bootstrap: DEFAULT_BOOTSTRAP,
            seed: 1,
            candidate: MEASURES[0].name.to_string(),
            platform: None,
            truth: None,
            cascade_reach: None,
            tune: false,
            params: Default::default(),
            per_person: false,
        }
    }
}

/// A whole backtest, ready for a table or the API.
#[derive(Clone, Debug, Serialize)]
pub struct Backtest {
    /// What is scored: `account`, or `person` ([`BacktestOptions::per_person`]).
    pub per: &'static str,
    /// What was predicted.
    pub target: Target,
    /// The top-k size.
    pub k: usize,
    /// Seconds after each split the target counted.
    pub horizon_seconds: i64,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// The bootstrap's seed.
    pub seed: u64,
    /// The measure under test.
    pub candidate: String,
    /// How ties are scored.
    pub ties: &'static str,
    /// One result per split, oldest first.
    pub splits: Vec<SplitResult>,
    /// With `tune`: the parameters chosen on the earlier splits (reported on the last split as
    /// [`TUNED`]) and how they were chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tuning: Option<Tuning>,
    /// In an answer given while the backtest runs ([`backtest_progressive`]): what is still
    /// being computed. Absent from a complete answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
}

/// What a partial answer still lacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// Splits not scored yet: `splits` holds the oldest ones, these come after them.
    pub splits: usize,
    /// The bootstrap is still being drawn: every `lo`, `hi` and `vs_best` is `null` because
    /// it is pending, not because it is undefined (the point estimates are final).
    pub intervals: bool,
}

/// How ties are scored, as every backtest says it.
pub const TIES: &str = "Spearman and Kendall tau-b use average ranks; NDCG@k and precision@k are \
                        the expected value over all orderings of tied accounts";

/// Every measure scored on one split.
#[derive(Clone, Debug, Serialize)]
pub struct SplitResult {
    /// Measures see events at or before this time.
    pub split: i64,
    /// The target counts events in `(split, until]`.
    pub until: i64,
    /// Accounts active (acting or acted on) at or before the split: the accounts scored
    /// (persons, with any account active, when the backtest is per person).
    pub accounts: usize,
    /// Of those, accounts whose target is above zero.
    pub with_target: usize,
    /// Scored accounts with a known truth (0 without `truth`).
    pub truth_accounts: usize,
    /// Per metric (in [`METRICS`] order), the baseline with the best point estimate.
    pub best_baseline: [Option<String>; 4],
    /// Each measure's metrics.
    pub measures: Vec<MeasureResult>,
    /// What makes a measure's scores at this split say less than they seem: an iterative
    /// measure stopped at its cap of iterations (`not-converged`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// One measure on one split.
#[derive(Clone, Debug, Serialize)]
pub struct MeasureResult {
    /// The measure's name.
    pub measure: String,
    /// Spearman, Kendall τ-b, NDCG@k, precision@k (see [`METRICS`]).
    pub metrics: [Metric; 4],
    /// Spearman's ρ of the measure (as of the split) with the known truth, over the scored
    /// accounts that have one; `None` without a truth.
    pub truth_spearman: Option<f64>,
}

/// One metric's value with its interval and its difference from the best baseline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Metric {
    /// `None` when undefined (a constant side, or no target at all).
    pub value: Option<f64>,
    /// 95 % percentile bootstrap interval.
    pub lo: Option<f64>,
    /// See `lo`.
    pub hi: Option<f64>,
    /// Paired bootstrap of (this measure − the best baseline); `None` for the best baseline
    /// itself or without baselines.
    pub vs_best: Option<Difference>,
}

/// A measure's metric minus a baseline's, with its paired-bootstrap 95 % interval.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    /// The baseline.
    pub baseline: String,
    /// The measure's value minus the baseline's.
    pub diff: f64,
    /// The interval's lower end.
    pub lo: f64,
    /// Its upper end.
    pub hi: f64,
}

/// Runs the backtest.
pub fn backtest(store: &Store, opts: &BacktestOptions) -> Result<Backtest> {
    backtest_progressive(store, opts, &|_| {})
}

/// [`backtest`], showing the answer as it comes: `partial` gets an answer with
/// [`Backtest::pending`] set each time one more split's point estimates are known (the oldest
/// split first: its measures are computed first), and the complete answer is returned. The
/// point estimates are those of the complete answer; only the intervals are missing.
pub fn backtest_progressive(
    store: &Store,
    opts: &BacktestOptions,
    partial: &(dyn Fn(Backtest) + Sync),
) -> Result<Backtest> {
    // k sizes the table of DCG discounts: bounded, so no request can ask for gigabytes.
    if !(1..=MAX_K).contains(&opts.k) {
        return Err(MeasureError::Invalid(format!(
            "k = {} must be between 1 and {MAX_K}",
            opts.k
        )));
    }
    if opts.bootstrap > 100_000 {
        return Err(MeasureError::Invalid(
            "at most 100000 bootstrap resamples".into(),
        ));
    }
    let names: Vec<&'static str> = if opts.measures.is_empty() {
        MEASURES.iter().map(|m| m.name).collect()
    } else {
        opts.measures
            .iter()
            .map(|n| measure(n.trim()).map(|m| m.name))
            .collect::<Result<_>>()?
    };
    // One read of the platform's events serves every measure at every split (dates are cut in
    // memory); pass a renown_store::Snapshot so the log and the per-split scans agree.
    let log = Log::read(
        store,
        &Scope {
            platform: opts.platform.clone(),
            ..Scope::default()
        },
    )?;
    let persons = match opts.per_person {
        true => Some(Arc::new(Persons::read(store)?)),
        false => None,
    };
    let (log, truth) = match &persons {
        Some(p) => (
            log.by_person(p.clone())?,
            opts.truth.as_ref().map(|t| p.largest(t)),
        ),
        None => (log, opts.truth.clone()),
    };
    let opts = &BacktestOptions {
        truth,
        ..opts.clone()
    };
    let (splits, horizon) = resolve_splits(&log, opts)?;
    if opts.tune && splits.len() < 2 {
        return Err(MeasureError::Invalid(
            "--tune needs at least two splits: parameters are chosen on the earlier ones and \
             reported on the last"
                .into(),
        ));
    }
    // The outcomes of each split from the log in memory, the splits in parallel; per person and
    // for cascade reach (trees rebuilt from the store) from a scan of the store each.
    let outcomes = if persons.is_none() && opts.target != Target::CascadeReach {
        splits
            .par_iter()
            .map(|&split| {
                let until = split.saturating_add(horizon);
                (
                    split,
                    until,
                    outcomes_in_log(&log, opts.target, (split, until)),
                )
            })
            .collect::<Vec<_>>()
    } else {
        splits
            .iter()
            .map(|&split| {
                let until = split.saturating_add(horizon);
                let o = outcomes_of(
                    store,
                    opts.platform.as_deref(),
                    opts.target,
                    (split, until),
                    opts.cascade_reach,
                    persons.as_deref(),
                )?;
                Ok((split, until, o))
            })
            .collect::<Result<Vec<_>>>()?
    };
    let scope_at = |split: i64| Scope {
        as_of: Some(split),
        platform: opts.platform.clone(),
        ..Default::default()
    };
    let tuning = if opts.tune {
        let earlier = outcomes[..outcomes.len() - 1]
            .iter()
            .map(|(split, _, o)| {
                let ids = active_ids(o);
                TuningSplit {
                    scope: scope_at(*split),
                    target: ids.iter().map(|&i| o.target[i as usize]).collect(),
                    ids,
                }
            })
            .collect::<Vec<_>>();
        Some(tune(&log, &earlier, opts.k, horizon as f64 / DAY as f64)?)
    } else {
        None
    };
    let answer = |splits: Vec<SplitResult>, pending: Option<Pending>| Backtest {
        per: if opts.per_person { "person" } else { "account" },
        target: opts.target,
        k: opts.k,
        horizon_seconds: horizon,
        bootstrap: opts.bootstrap,
        seed: opts.seed,
        candidate: opts.candidate.clone(),
        ties: TIES,
        splits,
        tuning: tuning.clone(),
        pending,
    };
    let points = point_estimates(
        &log,
        opts,
        &names,
        &outcomes,
        tuning.as_ref(),
        &|shown, left| {
            let pending = Pending {
                splits: left,
                intervals: opts.bootstrap > 0,
            };
            partial(answer(shown.to_vec(), Some(pending)))
        },
    )?;
    // Then the intervals, split after split (each split's resamples in parallel).
    let out = points
        .into_iter()
        .map(|p| p.with_intervals(opts.bootstrap))
        .collect();
    Ok(answer(out, None))
}
/// The split times and horizon: given, or rolling origins at [`DEFAULT_SPLITS`] of the timed
/// events in scope (event quantiles, not calendar fractions: activity is bursty — dnc holds
/// 982 days, most of its e-mail in the last few months), with a horizon reaching from the last
/// origin to the newest event.
fn resolve_splits(log: &Log, opts: &BacktestOptions) -> Result<(Vec<i64>, i64)> {
    let mut times = Vec::new();
    if opts.splits.is_empty() || opts.horizon.is_none() {
        times.extend(log.events(None, &Kind::ALL).filter_map(|r| r.time));
        times.sort_unstable();
    }
    let quantile = |f: f64| times[((times.len() - 1) as f64 * f).round() as usize];
    let splits = if opts.splits.is_empty() {
        if times.len() < 2 || times[0] == times[times.len() - 1] {
            return Err(MeasureError::Invalid(
                "the store has no span of timed events to split".into(),
            ));
        }
        let mut s: Vec<i64> = DEFAULT_SPLITS.iter().map(|&f| quantile(f)).collect();
        s.dedup();
        s
    } else {
        let mut s = opts.splits.clone();
        s.sort_unstable();
        s.dedup();
        s
    };
    let horizon = match opts.horizon {
        Some(h) if h > 0 => h,
        Some(h) => return Err(MeasureError::Invalid(format!("horizon {h}s must be > 0"))),
        None => {
            let last_split = *splits.last().expect("at least one split");
            match times.last() {
                Some(&end) if end > last_split => end - last_split,
                _ => {
                    return Err(MeasureError::Invalid(
                        "no timed event after the last split: give --horizon".into(),
                    ))
                }
            }
        }
    };
    Ok((splits, horizon))
}

/// What the log says about one split: who was active before it, and each account's target.
pub struct Outcomes {
    /// Per account: it acted or was acted on at or before the split.
    pub active: Vec<bool>,
    /// Per account: the target over the horizon.
    pub target: Vec<f64>,
}

/// One scan of the log up to `until`: accounts active at or before `split`, and the target over
/// `(split, until]` (self-engagement excluded).
/// `reach` computes the `cascade-reach` target (an error without it).
pub fn outcomes(
    store: &Store,
    platform: Option<&str>,
    target: Target,
    split: i64,
    until: i64,
    reach: Option<Reach>,
) -> Result<Outcomes> {
    outcomes_of(store, platform, target, (split, until), reach, None)
}

/// [`outcomes`], per person when `persons` is given: a person is active when any of their
/// accounts is; engagement between a person's own accounts is self-engagement (excluded); an
/// engager with several linked accounts is one distinct engager; a person's cascade reach is
/// the sum over their accounts' trees (each tree has one root account, so none is counted
/// twice).
pub fn outcomes_of(
    store: &Store,
    platform: Option<&str>,
    target: Target,
    (split, until): (i64, i64),
    reach: Option<Reach>,
    persons: Option<&Persons>,
) -> Result<Outcomes> {
    if let Some(p) = persons {
        p.check(store.account_count()? as usize)?;
    }
    let node = |a: u32| persons.map_or(a, |p| p.of(a));
    let reach = match (target, reach) {
        (Target::CascadeReach, Some(f)) => Some((f.0)(store, platform, split, until)?),
        (Target::CascadeReach, None) => {
            return Err(MeasureError::Invalid(
                "the cascade-reach target needs the cascade reconstruction (renown-spread); \
                 this caller does not provide it"
                    .into(),
            ))
        }
        _ => None,
    };
    let accounts = store.account_count()? as usize;
    let n = persons.map_or(accounts, |p| p.len());
    let filter = EventFilter {
        until: Some(until),
        platform: platform.map(str::to_string),
        ..EventFilter::default()
    };
    let mut tally = OutcomeTally::new(n, target, split);
    store.scan_events(&filter, |r| {
        tally.add(renown_store::EventRow {
            actor: node(r.actor),
            target: r.target.map(node),
            ..r
        })
    })?;
    let mut o = tally.finish();
    if let Some(r) = reach {
        if r.len() != accounts {
            return Err(MeasureError::Invalid(format!(
                "cascade reach for {} accounts, the store has {accounts}",
                r.len()
            )));
        }
        o.target = vec![0.0; n];
        for (a, x) in r.into_iter().enumerate() {
            o.target[node(a as u32) as usize] += x;
        }
    }
    Ok(o)
}

/// [`outcomes`] from a log of accounts already in memory (the one the measures are computed
/// on) instead of a scan of the store: the same events (the log holds every event of its
/// platform, timeless ones included), so the same outcomes. Not for `cascade-reach`, whose
/// trees are rebuilt from the store.
pub fn outcomes_in_log(log: &Log, target: Target, (split, until): (i64, i64)) -> Outcomes {
    let mut tally = OutcomeTally::new(log.accounts(), target, split);
    for r in log.events(Some(until), &Kind::ALL) {
        tally.add(r);
    }
    tally.finish()
}

/// Accumulates the outcomes of one split from the events up to the horizon's end, in any
/// order: who acted or was acted on at or before the split, and the target after it.
struct OutcomeTally {
    target: Target,
    split: i64,
    counted: &'static [Kind],
    active: Vec<bool>,
    counts: Vec<f64>,
    /// Engager pairs before and after the split, keyed target first so a run of keys is one
    /// account's engagers.
    before: Vec<u64>,
    after: Vec<u64>,
}

impl OutcomeTally {
    fn new(n: usize, target: Target, split: i64) -> OutcomeTally {
        OutcomeTally {
            target,
            split,
            counted: match target {
                Target::Reshares => &[Kind::Reshare, Kind::Quote],
                _ => &ENGAGEMENT_KINDS,
            },
            active: vec![false; n],
            counts: vec![0.0; n],
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    fn add(&mut self, r: renown_store::EventRow) {
        let is_before = r.time.is_none_or(|t| t <= self.split);
        if is_before {
            self.active[r.actor as usize] = true;
            if let Some(t) = r.target {
                self.active[t as usize] = true;
            }
        }
        let Some(t) = r.target else { return };
        if t == r.actor || !self.counted.contains(&r.kind) {
            return;
        }
        let key = (t as u64) << 32 | r.actor as u64;
        match (is_before, self.target) {
            (_, Target::CascadeReach) => {}
            (true, Target::Retained) => self.before.push(key),
            (false, Target::DistinctEngagers | Target::Retained) => self.after.push(key),
            (false, _) => self.counts[t as usize] += 1.0,
            (true, _) => {}
        }
    }

    fn finish(mut self) -> Outcomes {
        self.after.sort_unstable();
        self.after.dedup();
        if self.target == Target::Retained {
            self.before.sort_unstable();
            self.before.dedup();
            let before = &self.before;
            self.after.retain(|k| before.binary_search(k).is_ok());
        }
        for k in self.after {
            self.counts[(k >> 32) as usize] += 1.0;
        }
        Outcomes {
            active: self.active,
            target: self.counts,
        }
    }
}

/// The accounts active before a split, ascending.
fn active_ids(o: &Outcomes) -> Vec<u32> {
    (0..o.active.len() as u32)
        .filter(|&i| o.active[i as usize])
        .collect()
}

/// One split's accounts and target, before its measures are computed.
struct SplitInput {
    split: i64,
    until: i64,
    scope: Scope,
    /// The accounts active before the split, ascending.
    ids: Vec<u32>,
    /// Their target (aligned with `ids`).
    y: Vec<f64>,
}

impl SplitInput {
    fn new(opts: &BacktestOptions, (split, until): (i64, i64), o: &Outcomes) -> Result<SplitInput> {
        let ids = active_ids(o);
        if ids.len() < 2 {
            return Err(MeasureError::Invalid(format!(
                "split {}: fewer than two accounts active before it",
                renown_model::format_time(split)
            )));
        }
        let y = ids.iter().map(|&i| o.target[i as usize]).collect();
        Ok(SplitInput {
            split,
            until,
            scope: Scope {
                as_of: Some(split),
                topic: None,
                platform: opts.platform.clone(),
                ..Default::default()
            },
            ids,
            y,
        })
    }

    /// A measure's scores of every account, as the scored accounts' values.
    fn gather(&self, s: &[f64]) -> Vec<f64> {
        self.ids
            .iter()
            .map(|&i| s.get(i as usize).copied().unwrap_or(0.0))
            .collect()
    }
}

/// One split with its point estimates, ready for its resamples.
struct SplitPoints {
    /// The split's answer without intervals.
    result: SplitResult,
    prepared: Prepared,
    /// `point[measure][metric]`.
    point: Vec<[Option<f64>; 4]>,
    /// Per metric, the best baseline (index into the measures).
    best: [Option<usize>; 4],
    /// The seed of this split's resamples.
    seed: u64,
}

/// Every measure of `names` (and earned with the tuned parameters on the last split, with
/// `tuning`) at every split, scored without intervals. The measures of all splits are one
/// queue, the oldest split's first, run on every core: the oldest split is scored first while
/// the later splits' measures keep the cores busy. `shown` gets the splits scored so far (the
/// oldest ones, in order) and how many are left, each time that grows.
fn point_estimates(
    log: &Log,
    opts: &BacktestOptions,
    names: &[&'static str],
    outcomes: &[(i64, i64, Outcomes)],
    tuning: Option<&Tuning>,
    shown: &(dyn Fn(&[SplitResult], usize) + Sync),
) -> Result<Vec<SplitPoints>> {
    let specs: Vec<&MeasureSpec> = names.iter().map(|n| measure(n)).collect::<Result<_>>()?;
    let inputs = outcomes
        .iter()
        .map(|(split, until, o)| SplitInput::new(opts, (*split, *until), o))
        .collect::<Result<Vec<_>>>()?;
    // Each split's scope as `rank` sees it, for the warnings of its measures.
    let facts = inputs
        .iter()
        .map(|input| log.facts(&input.scope))
        .collect::<Result<Vec<_>>>()?;
    let last = inputs.len() - 1;
    let tuned_at = |i: usize| tuning.filter(|_| i == last);
    let mut all_names: Vec<&str> = names.to_vec();
    all_names.push(TUNED);
    let columns = |i: usize| specs.len() + usize::from(tuned_at(i).is_some());
    // Per split and column: the scores of the split's accounts and how the measure stopped.
    let values: Vec<Mutex<Vec<Option<Measured>>>> = (0..inputs.len())
        .map(|i| Mutex::new(vec![None; columns(i)]))
        .collect();
    let left: Vec<AtomicUsize> = (0..inputs.len())
        .map(|i| AtomicUsize::new(columns(i)))
        .collect();
    let scored: Vec<OnceLock<SplitPoints>> = (0..inputs.len()).map(|_| OnceLock::new()).collect();
    let failed: Mutex<Option<MeasureError>> = Mutex::new(None);
    let showing = Mutex::new(0usize);
    rayon::scope_fifo(|s| {
        for (i, input) in inputs.iter().enumerate() {
            for column in 0..columns(i) {
                let (values, left, scored, failed, showing) =
                    (&values, &left, &scored, &failed, &showing);
                let (specs, inputs, all_names, facts) = (&specs, &inputs, &all_names, &facts);
                s.spawn_fifo(move |_| {
                    if locked(failed).is_some() {
                        return;
                    }
                    let measured = match specs.get(column) {
                        Some(spec) => opts.params.measured_on(spec, log, &input.scope),
                        None => tuned_at(i)
                            .map(|t| model_of(log, &input.scope, &t.params).map(|m| m.score.into()))
                            .expect("a tuned column only with tuning"),
                    };
                    match measured {
                        Ok(m) => {
                            locked(&values[i])[column] = Some(Measured {
                                scores: input.gather(&m.scores),
                                unconverged: m.unconverged,
                            })
                        }
                        Err(e) => {
                            locked(failed).get_or_insert(e);
                            return;
                        }
                    }
                    if left[i].fetch_sub(1, Ordering::AcqRel) != 1 {
                        return;
                    }
                    // The split's last measure: score it, and show every split scored so far.
                    let measured: Vec<Measured> = std::mem::take(&mut *locked(&values[i]))
                        .into_iter()
                        .map(|x| x.expect("every measure computed"))
                        .collect();
                    // What `rank` would say of each measure over the split's accounts: all
                    // alike (then its scores below are undefined), or stopped at its cap.
                    let warnings = measured
                        .iter()
                        .enumerate()
                        .flat_map(|(column, m)| match specs.get(column) {
                            Some(spec) => facts[i].measure_warnings(spec, m),
                            None => Warning::unconverged(TUNED, m.unconverged)
                                .into_iter()
                                .collect(),
                        })
                        .collect();
                    let xs: Vec<Vec<f64>> = measured.into_iter().map(|m| m.scores).collect();
                    let names = &all_names[..xs.len()];
                    let mut points = SplitPoints::new(opts, names, input, &xs);
                    points.result.warnings = warnings;
                    let _ = scored[i].set(points);
                    let mut shown_count = locked(showing);
                    let ready: Vec<SplitResult> = scored
                        .iter()
                        .map_while(|p| p.get())
                        .map(|p| p.result.clone())
                        .collect();
                    // One answer per split, oldest first, even when a later split was
                    // scored before this one and both are ready at once.
                    while *shown_count < ready.len() {
                        *shown_count += 1;
                        shown(&ready[..*shown_count], inputs.len() - *shown_count);
                    }
                });
            }
        }
    });
    if let Some(e) = locked(&failed).take() {
        return Err(e);
    }
    scored
        .into_iter()
        .map(|p| {
            p.into_inner().ok_or_else(|| {
                MeasureError::Invalid("a split's measures were not all computed".into())
            })
        })
        .collect()
}

/// The value behind a mutex, even when a thread panicked holding it (the panic is what gets
/// reported).
fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SplitPoints {
    /// Scores the measures `xs` (named `names`) on one split: the point estimates, the best
    /// baseline of each metric and each measure's recovery of a known truth.
    fn new(
        opts: &BacktestOptions,
        names: &[&str],
        input: &SplitInput,
        xs: &[Vec<f64>],
    ) -> SplitPoints {
        // Recovery of a known truth: over the scored accounts that have one.
        let with_truth: Vec<(usize, f64)> = opts.truth.as_ref().map_or(Vec::new(), |t| {
            input
                .ids
                .iter()
                .enumerate()
                .filter_map(|(p, &i)| Some((p, t.get(i as usize).copied().flatten()?)))
                .collect()
        });
        let truth_spearman = |x: &[f64]| {
            if with_truth.is_empty() {
                return None;
            }
            let (xs, ts): (Vec<f64>, Vec<f64>) = with_truth.iter().map(|&(p, t)| (x[p], t)).unzip();
            spearman(&xs, &ts)
        };
        let prepared = Prepared::new(xs, &input.y, opts.k);
        let point = prepared.point();
        let baselines: Vec<usize> = (0..names.len())
            .filter(|&i| names[i] != opts.candidate && names[i] != TUNED)
            .collect();
        let mut best: [Option<usize>; 4] = [None; 4];
        for (m, slot) in best.iter_mut().enumerate() {
            *slot = baselines
                .iter()
                .copied()
                .filter(|&i| point[i][m].is_some())
                .max_by(|&a, &b| {
                    let (va, vb) = (point[a][m], point[b][m]);
                    va.unwrap_or(f64::MIN).total_cmp(&vb.unwrap_or(f64::MIN))
                });
        }
        let measures = names
            .iter()
            .enumerate()
            .map(|(i, name)| MeasureResult {
                measure: name.to_string(),
                metrics: std::array::from_fn(|m| Metric {
                    value: point[i][m],
                    ..Metric::default()
                }),
                truth_spearman: truth_spearman(&xs[i]),
            })
            .collect();
        SplitPoints {
            result: SplitResult {
                split: input.split,
                until: input.until,
                accounts: input.ids.len(),
                with_target: input.y.iter().filter(|&&v| v > 0.0).count(),
                truth_accounts: with_truth.len(),
                best_baseline: best.map(|b| b.map(|i| names[i].to_string())),
                measures,
                warnings: Vec::new(),
            },
            prepared,
            point,
            best,
            seed: opts.seed ^ input.split as u64,
        }
    }

    /// The split's answer with `bootstrap` resamples: each metric's interval and its paired
    /// difference to the best baseline.
    fn with_intervals(self, bootstrap: usize) -> SplitResult {
        let boot = self.prepared.boot(bootstrap, self.seed);
        let replicates =
            |i: usize, m: usize| -> Vec<Option<f64>> { boot.iter().map(|r| r[i][m]).collect() };
        let (point, best) = (&self.point, &self.best);
        let mut result = self.result;
        let names: Vec<String> = result.measures.iter().map(|r| r.measure.clone()).collect();
        for (i, r) in result.measures.iter_mut().enumerate() {
            for (m, metric) in r.metrics.iter_mut().enumerate() {
                let own = replicates(i, m);
                (metric.lo, metric.hi) = interval(own.iter().copied()).unzip();
                metric.vs_best = best[m].filter(|&b| b != i).and_then(|b| {
                    let diff = point[i][m]? - point[b][m]?;
                    let theirs = replicates(b, m);
                    let paired = own
                        .iter()
                        .zip(&theirs)
                        .filter_map(|(a, b)| Some((*a)? - (*b)?));
                    let (lo, hi) = interval(paired.map(Some))?;
                    Some(Difference {
                        baseline: names[b].clone(),
                        diff,
                        lo,
                        hi,
                    })
                });
            }
        }
        result
    }
}

/// The 2.5 % and 97.5 % percentiles of the defined values; `None` when fewer than half of
/// the resamples define the score (an interval over a biased subset would mislead).
fn interval(values: impl Iterator<Item = Option<f64>>) -> Option<(f64, f64)> {
    let (mut v, mut total) = (Vec::new(), 0usize);
    for x in values {
        total += 1;
        v.extend(x);
    }
    if v.is_empty() || v.len() * 2 < total {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (v.len() - 1) as f64;
        let (i, f) = (pos.floor() as usize, pos.fract());
        v[i] + (v[(i + 1).min(v.len() - 1)] - v[i]) * f
    };
    Some((at(0.025), at(0.975)))
}

/// Point estimates and bootstrap replicates of every metric for every measure.
pub struct Scores {
    /// `point[measure][metric]`.
    pub point: Vec<[Option<f64>; 4]>,
    /// `boot[resample][measure][metric]`.
    pub boot: Vec<Vec<[Option<f64>; 4]>>,
}

impl Scores {
    #[cfg(test)]
    fn replicates(&self, measure: usize, metric: usize) -> Vec<Option<f64>> {
        self.boot.iter().map(|r| r[measure][metric]).collect()
    }
}

/// Scores every measure's values `xs[i]` against the target `y` (same accounts, same order).
///
/// Everything that does not depend on a resample is done once: accounts are merged into
/// classes, each measure's classes are sorted once into its ranking order with their target
/// group beside them, so a resample is one pass over each measure's arrays (a gather of the
/// resample's weights, a table lookup for the target's rank) plus a pass over the top k.
pub fn score_all(xs: &[Vec<f64>], y: &[f64], k: usize, bootstrap: usize, seed: u64) -> Scores {
    let prepared = Prepared::new(xs, y, k);
    Scores {
        point: prepared.point(),
        boot: prepared.boot(bootstrap, seed),
    }
}

/// What [`score_all`] does once before the resamples: the classes, the target's groups and
/// each measure's classes in ranking order (class-sized: kept while the point estimates are
/// shown and the resamples drawn, instead of every measure's value per account).
struct Prepared {
    classes: Classes,
    target: TargetGroups,
    ranked: Vec<Ranked>,
    disc: Vec<f64>,
    k: usize,
}

impl Prepared {
    fn new(xs: &[Vec<f64>], y: &[f64], k: usize) -> Prepared {
        let classes = Classes::of(xs, y);
        let target = TargetGroups::new(&classes.y);
        let ranked = classes.xs.iter().map(|x| Ranked::new(x, &target)).collect();
        Prepared {
            classes,
            target,
            ranked,
            disc: discounts(k),
            k,
        }
    }

    /// `point[measure][metric]`: with every class weighted by its size, the scores are those
    /// of the accounts themselves.
    fn point(&self) -> Vec<[Option<f64>; 4]> {
        let count = &self.classes.count;
        let all = Draw::new(&self.target, count, self.k, &self.disc);
        self.ranked
            .iter()
            .map(|r| all.score(r, count, &self.disc))
            .collect()
    }

    /// `boot[resample][measure][metric]`, resample `b` drawn from `(seed, b)`.
    fn boot(&self, bootstrap: usize, seed: u64) -> Vec<Vec<[Option<f64>; 4]>> {
        (0..bootstrap as u64)
            .into_par_iter()
            .map(|b| {
                let w = poisson_weights(&self.classes.count, seed, b);
                let draw = Draw::new(&self.target, &w, self.k, &self.disc);
                self.ranked
                    .iter()
                    .map(|r| draw.score(r, &w, &self.disc))
                    .collect()
            })
            .collect()
    }
}

/// Accounts with the same value under every measure and the same target are interchangeable
/// in every score: the bootstrap weighs such classes instead of accounts (on Higgs, a few
/// hundred thousand accounts fall into far fewer classes — most received nothing).
struct Classes {
    count: Vec<u32>,
    /// `xs[measure][class]`.
    xs: Vec<Vec<f64>>,
    y: Vec<f64>,
}

impl Classes {
    fn of(xs: &[Vec<f64>], y: &[f64]) -> Classes {
        // Accounts sorted by their values (every measure, then the target); a class is a run.
        let key = |i: usize| xs.iter().map(move |x| x[i]).chain([y[i]]);
        let mut order: Vec<u32> = (0..y.len() as u32).collect();
        order.par_sort_unstable_by(|&a, &b| {
            key(a as usize)
                .zip(key(b as usize))
                .map(|(p, q)| p.to_bits().cmp(&q.to_bits()))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut c = Classes {
            count: Vec::new(),
            xs: vec![Vec::new(); xs.len()],
            y: Vec::new(),
        };
        for (p, &i) in order.iter().enumerate() {
            let i = i as usize;
            let same = p > 0 && {
                let prev = order[p - 1] as usize;
                key(i)
                    .zip(key(prev))
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            };
            if same {
                *c.count.last_mut().expect("a class before") += 1;
                continue;
            }
            c.count.push(1);
            c.y.push(y[i]);
            for (m, x) in xs.iter().enumerate() {
                c.xs[m].push(x[i]);
            }
        }
        c
    }
}

/// NDCG@k of ranking by `x` against gains `y`, ties in `x` scored by their expected value over
/// orderings; `None` when no account has a gain or `x` is constant.
pub fn ndcg_at_k(x: &[f64], y: &[f64], k: usize) -> Option<f64> {
    top_k_of(x, y, k).0
}

/// Precision@k: the expected share of the top k by `x` that is in the top k by `y`, ties on
/// either side broken uniformly at random; `None` unless k is below the number of accounts,
/// and when no account has a gain or `x` is constant.
pub fn precision_at_k(x: &[f64], y: &[f64], k: usize) -> Option<f64> {
    top_k_of(x, y, k).1
}

fn top_k_of(x: &[f64], y: &[f64], k: usize) -> (Option<f64>, Option<f64>) {
    let ones = vec![1u32; y.len()];
    let disc = discounts(k);
    let target = TargetGroups::new(y);
    let [_, _, ndcg, precision] =
        Draw::new(&target, &ones, k, &disc).score(&Ranked::new(x, &target), &ones, &disc);
    (ndcg, precision)
}

/// `disc[p]` = Σ_{q<p} 1/log2(q+2): the DCG discount of the first `p` positions.
fn discounts(k: usize) -> Vec<f64> {
    let mut d = Vec::with_capacity(k + 1);
    d.push(0.0);
    for q in 0..k {
        d.push(d[q] + 1.0 / ((q + 2) as f64).log2());
    }
    d
}

/// The target's distinct values, ascending, and the group (index among them) of each class.
struct TargetGroups {
    value: Vec<f64>,
    of_class: Vec<u32>,
}

impl TargetGroups {
    fn new(y: &[f64]) -> TargetGroups {
        let mut value = y.to_vec();
        value.sort_unstable_by(f64::total_cmp);
        value.dedup_by(|a, b| a.total_cmp(b).is_eq());
        let of_class = y
            .iter()
            .map(|v| value.partition_point(|g| g.total_cmp(v).is_lt()) as u32)
            .collect();
        TargetGroups { value, of_class }
    }

    fn len(&self) -> usize {
        self.value.len()
    }
}

/// One measure's classes in ascending order of its value (then of the target), cut into groups
/// of equal value, each with its target group: read front to back by every resample.
struct Ranked {
    class: Vec<u32>,
    y_group: Vec<u32>,
    /// Group `g` is positions `starts[g]..starts[g + 1]`.
    starts: Vec<u32>,
    /// The group holding the most classes (on real stores, the accounts that received nothing,
    /// or everyone under a measure that is constant there): a resample never reads its classes,
    /// it takes their composition as what the other groups leave of the resample's total.
    largest: usize,
}

impl Ranked {
    fn new(x: &[f64], target: &TargetGroups) -> Ranked {
        let yg = &target.of_class;
        let mut class: Vec<u32> = (0..x.len() as u32).collect();
        class.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            x[a].total_cmp(&x[b]).then(yg[a].cmp(&yg[b]))
        });
        let mut starts = Vec::new();
        for (p, &i) in class.iter().enumerate() {
            if p == 0 || x[i as usize] != x[class[p - 1] as usize] {
                starts.push(p as u32);
            }
        }
        starts.push(class.len() as u32);
        let y_group = class.iter().map(|&i| yg[i as usize]).collect();
        let largest = (0..starts.len() - 1)
            .max_by_key(|&g| (starts[g + 1] - starts[g], std::cmp::Reverse(g)))
            .unwrap_or(0);
        Ranked {
            class,
            y_group,
            starts,
            largest,
        }
    }

    fn group(&self, g: usize) -> std::ops::Range<usize> {
        self.starts[g] as usize..self.starts[g + 1] as usize
    }

    fn group_count(&self) -> usize {
        self.starts.len() - 1
    }
}

fn pairs(t: u64) -> u64 {
    t * t.saturating_sub(1) / 2
}

/// SplitMix64's output function: a bijective mix of a 64-bit state.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// A SplitMix64 stream.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }
}

/// Resample `b` as a Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al. 2012): every
/// account is drawn Poisson(1) times independently, so a class of `c` accounts Poisson(c)
/// times — the same as the multinomial bootstrap up to a sample size that varies by about √n.
/// Each resample starts its own stream at a mixed state, so neighbouring resamples' streams do
/// not overlap (a plain `seed + b` start would shift one stream into the next).
fn poisson_weights(count: &[u32], seed: u64, b: u64) -> Vec<u32> {
    let mut w = Vec::new();
    poisson_weights_into(count, seed, b, &SMALL_POISSON, &mut w);
    w
}

/// [`poisson_weights`] into `w`. A class of one account (most classes) draws its Poisson(1)
/// weight from 32 random bits against [`PoissonTables::one`], two classes per 64-bit word;
/// counts 2..9 invert their distribution function from one uniform; larger ones use `poisson`.
fn poisson_weights_into(
    count: &[u32],
    seed: u64,
    b: u64,
    tables: &PoissonTables,
    w: &mut Vec<u32>,
) {
    let mut rng = SplitMix(mix(mix(seed) ^ mix(b.wrapping_add(GOLDEN))));
    let mut spare: Option<u64> = None;
    w.clear();
    w.extend(count.iter().map(|&c| match c {
        0 => 0,
        1 => {
            let bits = spare.take().unwrap_or_else(|| {
                let z = rng.next();
                spare = Some(z >> 32);
                z & 0xFFFF_FFFF
            });
            tables.one.iter().map(|&t| u32::from(bits >= t)).sum()
        }
        _ => match tables.cdf.get(c as usize) {
            Some(cdf) => {
                // The same inversion as `poisson`, its cumulative sums computed once.
                let u = rng.unit();
                cdf.iter().position(|&p| u <= p).unwrap_or(cdf.len() - 1) as u32
            }
            None => poisson(&mut rng, c as f64),
        },
    }));
}

/// For λ = 1..9, the distribution function of Poisson(λ) at 0..=100, summed as `poisson` sums
/// it (so a table draw equals `poisson`'s bit for bit); and Poisson(1)'s at 0..=11 in units of
/// 2^-32, for the 32-bit draws of one-account classes (a draw is the number of these at or
/// below its bits: each probability is exact to 2^-32; 12 or more, probability 1e-9, is
/// drawn as 12).
struct PoissonTables {
    cdf: Vec<Vec<f64>>,
    one: [u64; 12],
}

static SMALL_POISSON: std::sync::LazyLock<PoissonTables> = std::sync::LazyLock::new(|| {
    let cdf = (0..10u32)
        .map(|c| {
            let lambda = c as f64;
            let (mut p, mut out) = ((-lambda).exp(), Vec::with_capacity(101));
            let mut cdf = p;
            out.push(cdf);
            for k in 1..=100u32 {
                p *= lambda / k as f64;
                cdf += p;
                out.push(cdf);
            }
            out
        })
        .collect::<Vec<Vec<f64>>>();
    let one = std::array::from_fn(|k| (cdf[1][k] * 4_294_967_296.0).round() as u64);
    PoissonTables { cdf, one }
});

/// A Poisson(λ) draw: inversion of the distribution function from one uniform below λ = 10
/// (most classes hold one account: λ = 1), else Hörmann's PTRS transformed rejection (1993),
/// as numpy does.
fn poisson(rng: &mut SplitMix, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 10.0 {
        let u = rng.unit();
        let (mut k, mut p) = (0u32, (-lambda).exp());
        let mut cdf = p;
        // The tail beyond 100 is below 1e-60 for λ < 10; the cap only guards rounding of u ≈ 1.
        while u > cdf && k < 100 {
            k += 1;
            p *= lambda / k as f64;
            cdf += p;
        }
        return k;
    }
    let slam = lambda.sqrt();
    let loglam = lambda.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.unit() - 0.5;
        let v = rng.unit();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k as u32;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln()
            <= -lambda + k * loglam - ln_factorial(k)
        {
            return k as u32;
        }
    }
}

/// ln(k!) exactly below 10, else Stirling's series (error below 1e-10).
fn ln_factorial(k: f64) -> f64 {
    if k < 10.0 {
        return (1..=k as u32).map(|i| (i as f64).ln()).sum();
    }
    let x = k + 1.0;
    (x - 0.5) * x.ln() - x + 0.5 * (std::f64::consts::TAU).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x.powi(3))
        + 1.0 / (1260.0 * x.powi(5))
}

/// What one resample (classes weighted by how often they were drawn) fixes for every measure,
/// per target group: its size, average rank, ties, the ideal DCG@k and the top-k membership.
struct Draw<'a> {
    target: &'a TargetGroups,
    total: u64,
    k: usize,
    /// Copies drawn in each target group.
    size: Vec<u64>,
    /// Average rank of each target group's copies, minus the mean rank.
    dy: Vec<f64>,
    /// `2 · dy`, an integer (ranks and their averages are multiples of ½).
    twice_dy: Vec<i64>,
    /// Σ over copies of dy².
    syy: f64,
    tie_y: u64,
    ideal_dcg: f64,
    /// Probability that a copy in each target group is in the target's top k (ties at random).
    in_top: Vec<f64>,
    /// Each class's copies, [`u8::MAX`] for that many or more (then read the full count): a
    /// quarter of the bytes, so the measures' passes, which read them in random order, stay in
    /// the core's cache.
    small: Vec<u8>,
}

/// Copies counted per target group, with a Fenwick tree over the groups above the lowest (on
/// most stores the accounts that received nothing: a counter, so most copies cost no walk).
struct Tally {
    fenwick: Vec<u64>,
    /// `count[g]`: copies of target group `g` tallied.
    count: Vec<u64>,
    total: u64,
}

impl Tally {
    fn new(m: usize) -> Tally {
        Tally {
            fenwick: vec![0; m],
            count: vec![0; m],
            total: 0,
        }
    }

    /// Copies tallied in target groups `0..=g`.
    fn up_to(&self, g: u32) -> u64 {
        let mut sum = self.count[0];
        let mut at = g as usize;
        while at > 0 {
            sum += self.fenwick[at];
            at &= at - 1;
        }
        sum
    }

    /// Copies tallied in target groups below `g`.
    fn below(&self, g: u32) -> u64 {
        if g == 0 {
            0
        } else {
            self.up_to(g - 1)
        }
    }

    fn add(&mut self, g: u32, c: u64) {
        self.count[g as usize] += c;
        self.total += c;
        let mut at = g as usize;
        if at == 0 {
            return;
        }
        while at < self.fenwick.len() {
            self.fenwick[at] += c;
            at += at & at.wrapping_neg();
        }
    }
}

/// The pair counts and sums of one resample's pass over a measure's groups.
#[derive(Default)]
struct Sums {
    discordant: u64,
    tie_x: u64,
    tie_xy: u64,
    sxy: f64,
    sxx: f64,
}

impl Sums {
    /// A group of `size` copies tied in x at average rank `mean + dx`, `sum_dy` their Σ dy and
    /// `drawn` their (target group, copies), sorted by target group.
    fn group(&mut self, size: u64, dx: f64, sum_dy: f64, drawn: &[(u32, u64)]) {
        let (mut run, mut run_group) = (0u64, u32::MAX);
        for &(yg, c) in drawn {
            if yg == run_group {
                run += c;
            } else {
                self.tie_xy += pairs(run);
                run = c;
                run_group = yg;
            }
        }
        self.tie_xy += pairs(run);
        self.tie_x += pairs(size);
        self.sxy += dx * sum_dy;
        self.sxx += size as f64 * dx * dx;
    }

    /// [`Sums::group`] of a group of one class: its `size` copies all tie in x and in y.
    fn one(&mut self, size: u64, dx: f64, sum_dy: f64) {
        self.tie_xy += pairs(size);
        self.tie_x += pairs(size);
        self.sxy += dx * sum_dy;
        self.sxx += size as f64 * dx * dx;
    }
}

impl<'a> Draw<'a> {
    fn new(target: &'a TargetGroups, w: &[u32], k: usize, disc: &[f64]) -> Draw<'a> {
        let m = target.len();
        let mut size = vec![0u64; m];
        for (&g, &c) in target.of_class.iter().zip(w) {
            size[g as usize] += c as u64;
        }
        let total: u64 = size.iter().sum();
        let mean = (total as f64 + 1.0) / 2.0;
        let (mut dy, mut syy, mut tie_y, mut below) = (vec![0.0; m], 0.0, 0u64, 0u64);
        let mut twice_dy = vec![0i64; m];
        for (g, &s) in size.iter().enumerate() {
            dy[g] = below as f64 + (s as f64 + 1.0) / 2.0 - mean;
            twice_dy[g] = 2 * below as i64 + s as i64 - total as i64;
            syy += s as f64 * dy[g] * dy[g];
            tie_y += pairs(s);
            below += s;
        }
        let (mut ideal_dcg, mut in_top, mut p) = (0.0, vec![0.0; m], 0usize);
        for g in (0..m).rev() {
            if p >= k {
                break;
            }
            let s = size[g] as usize;
            if s == 0 {
                continue;
            }
            let take = s.min(k - p);
            ideal_dcg += target.value[g] * (disc[p + take] - disc[p]);
            in_top[g] = take as f64 / s as f64;
            p += s;
        }
        let small = w.iter().map(|&c| c.min(u8::MAX as u32) as u8).collect();
        Draw {
            target,
            total,
            k,
            size,
            dy,
            twice_dy,
            syy,
            tie_y,
            ideal_dcg,
            in_top,
            small,
        }
    }

    /// The copies of `class` drawn (`w`: the weights the draw was made from).
    #[inline]
    fn copies(&self, w: &[u32], class: u32) -> u64 {
        match self.small[class as usize] {
            u8::MAX => w[class as usize] as u64,
            c => c as u64,
        }
    }

    /// Spearman's ρ, Kendall's τ-b, NDCG@k and precision@k of the measure ranked by `r` over
    /// the resample `w`.
    fn score(&self, r: &Ranked, w: &[u32], disc: &[f64]) -> [Option<f64>; 4] {
        let (spearman, kendall, largest) = self.correlations(r, w);
        // A measure constant over the sample (every copy in its largest group: a store without
        // follows under `followers`) ranks nobody above anybody: its top k would be a draw from
        // everyone, the same expected NDCG and precision as any other constant. Undefined, as
        // its correlations are, not a score.
        if largest.iter().sum::<u64>() == self.total {
            return [spearman, kendall, None, None];
        }
        let (ndcg, precision) = self.top_k(r, w, disc, &largest);
        [spearman, kendall, ndcg, precision]
    }

    /// Spearman's ρ (weighted Pearson correlation of average ranks) and Kendall's τ-b over the
    /// resample, each drawn copy an observation, and the composition (copies per target group)
    /// of the measure's largest group.
    ///
    /// The groups below the largest are read ascending, those above it descending, each side
    /// tallying its copies per target group; the largest group is never read: its composition
    /// is the resample's total per target group minus both sides'. Pairs inside a side are
    /// counted as they are read (discordant: an earlier copy on the far side of the target);
    /// pairs across the sides and the largest group from the three compositions.
    fn correlations(&self, r: &Ranked, w: &[u32]) -> (Option<f64>, Option<f64>, Vec<u64>) {
        let m = self.target.len();
        let mean = (self.total as f64 + 1.0) / 2.0;
        let mut sums = Sums::default();
        let (mut below, mut above) = (Tally::new(m), Tally::new(m));
        let mut drawn: Vec<(u32, u64)> = Vec::new();
        let groups = r.group_count();
        // Reads group `g`'s drawn copies into `drawn`, one entry per target group (a group's
        // classes are in target order); returns their number, Σ dy, and their discordant pairs
        // with the copies `tally` holds (read before them, from its side). Σ dy is summed in
        // half units as an integer: the float sum of the same terms, class by class, is exact
        // too below 2^53 half units (fewer than 9·10^7 copies), so the two are the same bits.
        let read = |g: usize, tally: &Tally, above_side: bool, drawn: &mut Vec<(u32, u64)>| {
            drawn.clear();
            let (mut run_group, mut run) = (u32::MAX, 0u64);
            for p in r.group(g) {
                let yg = r.y_group[p];
                if yg != run_group {
                    if run > 0 {
                        drawn.push((run_group, run));
                    }
                    (run_group, run) = (yg, 0);
                }
                run += self.copies(w, r.class[p]);
            }
            if run > 0 {
                drawn.push((run_group, run));
            }
            let (mut size, mut twice_dy, mut discordant) = (0u64, 0i64, 0u64);
            for &(yg, c) in drawn.iter() {
                // Ascending: earlier copies (smaller x) with a larger y. Descending: earlier
                // copies (larger x) with a smaller y.
                discordant += c * if above_side {
                    tally.below(yg)
                } else {
                    tally.total - tally.up_to(yg)
                };
                size += c;
                twice_dy += c as i64 * self.twice_dy[yg as usize];
            }
            (size, twice_dy as f64 / 2.0, discordant)
        };
        // A group of one class (most groups of a measure whose values spread): what `read`,
        // `Sums::group` and `Tally::add` do with it, without the list (the same operations on
        // the same values, so the same bits). `None` when the class was not drawn.
        let one = |g: usize, tally: &Tally, above_side: bool| {
            let p = r.starts[g] as usize;
            let c = self.copies(w, r.class[p]);
            if c == 0 {
                return None;
            }
            let yg = r.y_group[p];
            let discordant = c * if above_side {
                tally.below(yg)
            } else {
                tally.total - tally.up_to(yg)
            };
            Some((c, yg, 0.0 + c as f64 * self.dy[yg as usize], discordant))
        };
        let largest = if groups == 0 { 0 } else { r.largest };
        for g in 0..largest {
            if r.starts[g + 1] - r.starts[g] == 1 {
                if let Some((c, yg, sum_dy, discordant)) = one(g, &below, false) {
                    let dx = below.total as f64 + (c as f64 + 1.0) / 2.0 - mean;
                    sums.discordant += discordant;
                    sums.one(c, dx, sum_dy);
                    below.add(yg, c);
                }
                continue;
            }
            let (size, sum_dy, discordant) = read(g, &below, false, &mut drawn);
            if size == 0 {
                continue;
            }
            // Tallied after the whole group: copies tied in x are neither concordant nor
            // discordant.
            let dx = below.total as f64 + (size as f64 + 1.0) / 2.0 - mean;
            sums.discordant += discordant;
            sums.group(size, dx, sum_dy, &drawn);
            for &(yg, c) in &drawn {
                below.add(yg, c);
            }
        }
        for g in (largest + 1..groups).rev() {
            if r.starts[g + 1] - r.starts[g] == 1 {
                if let Some((c, yg, sum_dy, discordant)) = one(g, &above, true) {
                    let start = self.total - above.total - c;
                    let dx = start as f64 + (c as f64 + 1.0) / 2.0 - mean;
                    sums.discordant += discordant;
                    sums.one(c, dx, sum_dy);
                    above.add(yg, c);
                }
                continue;
            }
            let (size, sum_dy, discordant) = read(g, &above, true, &mut drawn);
            if size == 0 {
                continue;
            }
            let start = self.total - above.total - size;
            let dx = start as f64 + (size as f64 + 1.0) / 2.0 - mean;
            sums.discordant += discordant;
            sums.group(size, dx, sum_dy, &drawn);
            for &(yg, c) in &drawn {
                above.add(yg, c);
            }
        }
        // The largest group: what the two sides leave.
        let rest: Vec<u64> = (0..m)
            .map(|g| self.size[g] - below.count[g] - above.count[g])
            .collect();
        if groups > 0 {
            let size: u64 = rest.iter().sum();
            if size > 0 {
                let dx = below.total as f64 + (size as f64 + 1.0) / 2.0 - mean;
                let sum_dy = rest.iter().zip(&self.dy).map(|(&c, &d)| c as f64 * d).sum();
                let drawn: Vec<(u32, u64)> = rest
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(g, &c)| (g as u32, c))
                    .collect();
                sums.group(size, dx, sum_dy, &drawn);
            }
        }
        // Discordant pairs across the sides: (below, largest), (below, above), (largest,
        // above), each the lower-x copy with the larger y.
        let (mut below_higher, mut rest_higher) = (0u64, 0u64);
        for g in (0..m).rev() {
            sums.discordant +=
                rest[g] * below_higher + above.count[g] * (below_higher + rest_higher);
            below_higher += below.count[g];
            rest_higher += rest[g];
        }
        let spearman = (self.total >= 2 && sums.sxx > 0.0 && self.syy > 0.0)
            .then(|| sums.sxy / (sums.sxx * self.syy).sqrt());
        let n0 = pairs(self.total);
        let denom = n0.saturating_sub(sums.tie_x) as f64 * n0.saturating_sub(self.tie_y) as f64;
        let kendall = (denom > 0.0).then(|| {
            let num = n0 as f64 - sums.tie_x as f64 - self.tie_y as f64 + sums.tie_xy as f64
                - 2.0 * sums.discordant as f64;
            num / denom.sqrt()
        });
        (spearman, kendall, rest)
    }

    /// Expected NDCG@k over orderings of ties in x (`None` without any gain), and the expected
    /// overlap of the two top-k sets over k (`None` when k reaches the sample size: both top
    /// sets are everything, 1 whatever the measure; and `None` without any gain: the target's
    /// top k is then a draw from everyone, k/n whatever the measure). `largest`: the
    /// composition of the measure's largest group (from [`Draw::correlations`]).
    fn top_k(
        &self,
        r: &Ranked,
        w: &[u32],
        disc: &[f64],
        largest: &[u64],
    ) -> (Option<f64>, Option<f64>) {
        let k = self.k;
        let (mut dcg, mut overlap, mut p) = (0.0, 0.0, 0usize);
        for g in (0..r.group_count()).rev() {
            if p >= k {
                break;
            }
            let (mut size, mut gain, mut top) = (0usize, 0.0, 0.0);
            if g == r.largest {
                for (yg, &c) in largest.iter().enumerate() {
                    size += c as usize;
                    gain += c as f64 * self.target.value[yg];
                    top += c as f64 * self.in_top[yg];
                }
            } else {
                for q in r.group(g) {
                    let c = self.copies(w, r.class[q]);
                    if c == 0 {
                        continue;
                    }
                    let yg = r.y_group[q] as usize;
                    size += c as usize;
                    gain += c as f64 * self.target.value[yg];
                    top += c as f64 * self.in_top[yg];
                }
            }
            if size == 0 {
                continue;
            }
            // Every copy in the group is equally likely to take each of its positions.
            let end = (p + size).min(k);
            dcg += gain / size as f64 * (disc[end] - disc[p]);
            overlap += top * (end - p) as f64 / size as f64;
            p += size;
        }
        let ndcg = (self.ideal_dcg > 0.0).then(|| dcg / self.ideal_dcg);
        let precision =
            ((k as u64) < self.total && self.ideal_dcg > 0.0).then(|| overlap / k as f64);
        (ndcg, precision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::kendall_tau_b;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    /// Expands weights into repeated observations.
    fn expand(v: &[f64], w: &[u32]) -> Vec<f64> {
        v.iter()
            .zip(w)
            .flat_map(|(&x, &c)| std::iter::repeat_n(x, c as usize))
            .collect()
    }

    #[test]
    fn ndcg_by_hand_without_and_with_ties() {
        // Ranking by x: accounts 0, 1, 2, 3 with gains 3, 2, 0, 1.
        let y = [3.0, 2.0, 0.0, 1.0];
        let x = [4.0, 3.0, 2.0, 1.0];
        let d = |p: f64| 1.0 / (p + 1.0).log2();
        let ideal = 3.0 * d(1.0) + 2.0 * d(2.0) + 1.0 * d(3.0);
        let dcg = 3.0 * d(1.0) + 2.0 * d(2.0) + 0.0 * d(3.0);
        assert!(close(ndcg_at_k(&x, &y, 3), dcg / ideal));
        // Accounts 0 and 2 tied at the top: each takes position 1 or 2 half the time.
        let x = [4.0, 3.0, 4.0, 1.0];
        let dcg = (3.0 + 0.0) / 2.0 * (d(1.0) + d(2.0)) + 2.0 * d(3.0);
        assert!(close(ndcg_at_k(&x, &y, 3), dcg / ideal));
        // A tie across the cut-off: positions 2..4 shared by three accounts, two counted.
        let x = [5.0, 1.0, 1.0, 1.0];
        let dcg = 3.0 * d(1.0) + (2.0 + 0.0 + 1.0) / 3.0 * (d(2.0) + d(3.0));
        assert!(close(ndcg_at_k(&x, &y, 3), dcg / ideal));
        assert_eq!(ndcg_at_k(&x, &[0.0; 4], 3), None);
        // A constant measure (`followers` on a store without follows) ranks nobody: whatever
        // its NDCG would be is that of every constant, so it is undefined, like its ρ.
        assert_eq!(ndcg_at_k(&[7.0; 4], &y, 3), None);
        assert_eq!(precision_at_k(&[7.0; 4], &y, 2), None);
        // One account above the rest is a ranking again.
        assert!(ndcg_at_k(&[7.0, 0.0, 0.0, 0.0], &y, 3).is_some());
    }

    #[test]
    fn tied_scores_equal_the_mean_over_all_orderings() {
        // Brute force: every permutation of a tie group, NDCG and precision averaged.
        let y = [5.0, 0.0, 3.0, 3.0, 1.0, 0.0];
        let x = [1.0, 2.0, 2.0, 2.0, 0.0, 2.0];
        let k = 3;
        let tied = [1usize, 2, 3, 5];
        let (mut ndcg, mut prec, mut count) = (0.0, 0.0, 0.0);
        let ideal = [5.0, 3.0, 3.0]
            .iter()
            .enumerate()
            .map(|(p, g)| g / (p as f64 + 2.0).log2())
            .sum::<f64>();
        let mut perm = tied;
        permute(&mut perm, 0, &mut |order| {
            let list: Vec<usize> = order.iter().copied().chain([0, 4]).collect();
            let dcg: f64 = list[..k]
                .iter()
                .enumerate()
                .map(|(p, &i)| y[i] / (p as f64 + 2.0).log2())
                .sum();
            ndcg += dcg / ideal;
            // Target top 3: account 0 and both 3s (no ties across the cut-off).
            prec += list[..k].iter().filter(|i| [0, 2, 3].contains(i)).count() as f64 / 3.0;
            count += 1.0;
        });
        assert!(close(ndcg_at_k(&x, &y, k), ndcg / count));
        assert!(close(precision_at_k(&x, &y, k), prec / count));
    }

    fn permute(v: &mut [usize; 4], i: usize, f: &mut impl FnMut(&[usize])) {
        if i == v.len() {
            f(v);
            return;
        }
        for j in i..v.len() {
            v.swap(i, j);
            permute(v, i + 1, f);
            v.swap(i, j);
        }
    }

    #[test]
    fn precision_by_hand_with_ties_in_the_target() {
        // Target top 2 = account 0 for sure, then one of 1, 2 (tied): 1/2 each.
        let y = [9.0, 4.0, 4.0, 0.0];
        let x = [1.0, 3.0, 2.0, 0.0]; // top 2 by x: accounts 1, 2
        assert!(close(precision_at_k(&x, &y, 2), (0.5 + 0.5) / 2.0));
        let x = [3.0, 2.0, 0.0, 1.0]; // top 2 by x: accounts 0, 1
        assert!(close(precision_at_k(&x, &y, 2), (1.0 + 0.5) / 2.0));
        // k at or above the number of accounts: everything is in both top sets, a 1 that says
        // nothing about the measure.
        assert_eq!(precision_at_k(&x, &y, 4), None);
        // No account has any target (a store without cascades, for cascade-reach): the target's
        // top k is a draw from everyone, k/n whatever the measure: undefined, not a score.
        assert_eq!(precision_at_k(&x, &[0.0; 4], 2), None);
    }

    #[test]
    fn weighted_scores_equal_the_expanded_sample() {
        let x = [1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 0.0, 7.0];
        let y = [0.0, 1.0, 4.0, 1.0, 2.0, 2.0, 0.0, 9.0];
        let target = TargetGroups::new(&y);
        let ranked = Ranked::new(&x, &target);
        let disc = discounts(4);
        for w in [
            [1u32; 8],
            [0, 2, 1, 3, 0, 1, 2, 1],
            [3, 0, 0, 1, 2, 0, 1, 1],
            [0, 0, 1, 3, 0, 2, 0, 1],
            // Classes drawn 255 times or more: read from the full counts, not the bytes.
            [0, 300, 255, 1, 254, 1000, 2, 256],
        ] {
            let [rho, tau, ndcg, precision] =
                Draw::new(&target, &w, 4, &disc).score(&ranked, &w, &disc);
            let (ex, ey) = (expand(&x, &w), expand(&y, &w));
            assert!(close(rho, spearman(&ex, &ey).unwrap()), "{w:?}");
            assert!(close(tau, kendall_tau_b(&ex, &ey).unwrap()), "{w:?}");
            assert!(close(ndcg, ndcg_at_k(&ex, &ey, 4).unwrap()), "{w:?}");
            assert!(close(precision, precision_at_k(&ex, &ey, 4).unwrap()));
        }
        // Average-rank Pearson and the pair-counting τ-b, computed by hand (Python) on the data.
        let ones = [1; 8];
        let [rho, tau, _, _] = Draw::new(&target, &ones, 4, &disc).score(&ranked, &ones, &disc);
        assert!(close(rho, 0.7914259368697336));
        assert!(close(tau, 0.7060180864974626));
    }

    #[test]
    fn resampled_correlations_equal_the_exact_ones_on_random_data() {
        // Many ties on both sides, a large lowest target group (as on real stores).
        let mut rng = SplitMix(mix(5));
        let n = 300;
        let x: Vec<f64> = (0..n).map(|_| (rng.next() % 12) as f64).collect();
        let y: Vec<f64> = (0..n)
            .map(|_| (rng.next() % 9).saturating_sub(4) as f64)
            .collect();
        let target = TargetGroups::new(&y);
        let ranked = Ranked::new(&x, &target);
        let disc = discounts(10);
        for b in 0..5 {
            let w = poisson_weights(&vec![1; n], 3, b);
            let [rho, tau, ndcg, precision] =
                Draw::new(&target, &w, 10, &disc).score(&ranked, &w, &disc);
            let (ex, ey) = (expand(&x, &w), expand(&y, &w));
            assert!(close(rho, spearman(&ex, &ey).unwrap()));
            assert!(close(tau, kendall_tau_b(&ex, &ey).unwrap()));
            assert!(close(ndcg, ndcg_at_k(&ex, &ey, 10).unwrap()));
            assert!(close(precision, precision_at_k(&ex, &ey, 10).unwrap()));
        }
    }

    #[test]
    fn the_largest_group_anywhere_scores_as_the_expanded_sample() {
        // The largest tie group is never read by a resample (its composition is what the other
        // groups leave): at the bottom, in the middle, at the top, and a constant measure.
        let mut rng = SplitMix(mix(8));
        let n = 200;
        let y: Vec<f64> = (0..n)
            .map(|_| (rng.next() % 7).saturating_sub(2) as f64)
            .collect();
        let spread = |tie: f64| -> Vec<f64> {
            (0..n)
                .map(|i| if i % 3 != 0 { tie } else { (i % 17) as f64 })
                .collect()
        };
        let target = TargetGroups::new(&y);
        let disc = discounts(15);
        for (what, x) in [
            ("bottom", spread(-1.0)),
            ("middle", spread(8.5)),
            ("top", spread(99.0)),
            ("constant", vec![2.0; n]),
        ] {
            let ranked = Ranked::new(&x, &target);
            let size = ranked.group(ranked.largest).len();
            assert!(size * 2 > n, "{what}: largest group {size}");
            for b in 0..4 {
                let w = poisson_weights(&vec![1; n], 21, b);
                let got = Draw::new(&target, &w, 15, &disc).score(&ranked, &w, &disc);
                let (ex, ey) = (expand(&x, &w), expand(&y, &w));
                let want = [
                    spearman(&ex, &ey),
                    kendall_tau_b(&ex, &ey),
                    ndcg_at_k(&ex, &ey, 15),
                    precision_at_k(&ex, &ey, 15),
                ];
                for (m, (g, e)) in got.iter().zip(&want).enumerate() {
                    match (g, e) {
                        (Some(g), Some(e)) => assert!((g - e).abs() < 1e-12, "{what} {m}"),
                        _ => assert_eq!(g, e, "{what} {m}"),
                    }
                }
            }
        }
    }

    #[test]
    fn intervals_cover_the_point_and_a_dominant_measure_wins_the_paired_test() {
        let n = 400;
        let y: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64).collect();
        // One measure is the target plus small noise, one is noise.
        let good: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(i, v)| v + (i % 7) as f64)
            .collect();
        let bad: Vec<f64> = (0..n).map(|i| ((i * 53) % 97) as f64).collect();
        let s = score_all(&[good, bad], &y, 20, 200, 7);
        for m in 0..4 {
            // (A score near its bound, like the good measure's, can sit outside its percentile
            // interval: bootstrap bias. The noisy one sits inside.)
            let (lo, hi) = interval(s.replicates(1, m).into_iter()).unwrap();
            let v = s.point[1][m].unwrap();
            assert!(lo <= v + 1e-9 && v - 1e-9 <= hi, "{m}: {lo} {v} {hi}");
            let diffs = s
                .replicates(0, m)
                .iter()
                .zip(s.replicates(1, m))
                .map(|(a, b)| Some(a.unwrap() - b.unwrap()))
                .collect::<Vec<_>>();
            let (dlo, _) = interval(diffs.into_iter()).unwrap();
            assert!(dlo > 0.0, "metric {m}: {dlo}");
        }
        // The same seed gives the same resamples.
        let again = score_all(std::slice::from_ref(&y), &y, 20, 50, 7);
        let twice = score_all(std::slice::from_ref(&y), &y, 20, 50, 7);
        assert_eq!(again.boot, twice.boot);
    }

    #[test]
    fn poisson_draws_have_the_right_mean_and_variance() {
        let mut rng = SplitMix(mix(9));
        for lambda in [0.5, 3.0, 12.0, 250.0, 1e5] {
            let draws: Vec<f64> = (0..40_000)
                .map(|_| poisson(&mut rng, lambda) as f64)
                .collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            // Standard errors: √(λ/n) for the mean, about λ·√(2/n) for the variance.
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / 40_000.0).sqrt(),
                "{lambda}: {mean}"
            );
            assert!(
                (var - lambda).abs() < 0.05 * lambda + 0.05,
                "{lambda}: {var}"
            );
        }
        assert!((ln_factorial(10.0) - 3_628_800f64.ln()).abs() < 1e-10);
        assert!((ln_factorial(20.0) - 2_432_902_008_176_640_000f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn table_draws_equal_the_inversion_draws() {
        // Counts 2..=12 (no one-account class): the table for 2..9, `poisson` itself beyond.
        let count: Vec<u32> = (0..50_000).map(|i| 2 + i % 11).collect();
        for b in 0..3 {
            let fast = poisson_weights(&count, 7, b);
            let mut rng = SplitMix(mix(mix(7) ^ mix(b.wrapping_add(GOLDEN))));
            let slow: Vec<u32> = count.iter().map(|&c| poisson(&mut rng, c as f64)).collect();
            assert_eq!(fast, slow);
        }
    }

    #[test]
    fn one_account_draws_follow_poisson_one() {
        // 400,000 one-account draws: each frequency of 0..=5 within 5 standard errors of
        // Poisson(1)'s probability, and the mean and variance near 1.
        let ones = vec![1u32; 400_000];
        let w = poisson_weights(&ones, 11, 0);
        let n = w.len() as f64;
        let mut pmf = (-1.0f64).exp();
        for k in 0..=5u32 {
            let freq = w.iter().filter(|&&x| x == k).count() as f64 / n;
            let se = (pmf * (1.0 - pmf) / n).sqrt();
            assert!((freq - pmf).abs() < 5.0 * se, "{k}: {freq} vs {pmf}");
            pmf /= f64::from(k + 1);
        }
        let mean = w.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = w.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
        assert!((mean - 1.0).abs() < 5.0 / n.sqrt(), "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
        // Mixed with larger classes, a one-account class still draws from the same law.
        let mixed: Vec<u32> = (0..400_000)
            .map(|i| if i % 2 == 0 { 1 } else { 3 })
            .collect();
        let w = poisson_weights(&mixed, 12, 0);
        let zeros = w.iter().step_by(2).filter(|&&x| x == 0).count() as f64 / 200_000.0;
        assert!((zeros - (-1.0f64).exp()).abs() < 0.006, "{zeros}");
    }

    #[test]
    fn resamples_are_independent_draws() {
        // Independent Poisson(1) weights agree on about a third of accounts' counts (Σ P(X=j)²
        // = 0.31); overlapping streams would agree on all of them.
        let ones = vec![1u32; 10_000];
        let (a, b) = (poisson_weights(&ones, 3, 0), poisson_weights(&ones, 3, 1));
        let total: u32 = a.iter().sum();
        assert!((9_500..10_500).contains(&total), "{total}");
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        assert!((2_800..3_400).contains(&same), "{same}");
    }

    #[test]
    fn half_unit_sums_are_the_float_sums_bit_for_bit() {
        // A group's Σ dy is summed as an integer of half units: the float sum class by class,
        // in any order, must be the same bits (every dy a multiple of ½, every sum exact).
        let mut rng = SplitMix(mix(13));
        let n = 5000;
        let y: Vec<f64> = (0..n).map(|_| (rng.next() % 40) as f64).collect();
        let target = TargetGroups::new(&y);
        let disc = discounts(10);
        for b in 0..3 {
            let w = poisson_weights(&vec![3; n], 17, b);
            let draw = Draw::new(&target, &w, 10, &disc);
            for (g, &t) in draw.twice_dy.iter().enumerate() {
                assert_eq!((t as f64).to_bits(), (2.0 * draw.dy[g]).to_bits());
            }
            for _ in 0..50 {
                let terms: Vec<(usize, u64)> = (0..rng.next() % 300)
                    .map(|_| ((rng.next() % 40) as usize, rng.next() % 9))
                    .collect();
                let float = terms
                    .iter()
                    .fold(0.0, |s, &(g, c)| s + c as f64 * draw.dy[g]);
                let half: i64 = terms
                    .iter()
                    .map(|&(g, c)| c as i64 * draw.twice_dy[g])
                    .sum();
                assert_eq!((half as f64 / 2.0).to_bits(), float.to_bits(), "{terms:?}");
            }
        }
    }

    #[test]
    fn classes_merge_interchangeable_accounts_without_changing_the_scores() {
        let x1 = [0.0, 0.0, 1.0, 0.0, 2.0, 1.0];
        let x2 = [5.0, 5.0, 1.0, 5.0, 2.0, 1.0];
        let y = [0.0, 0.0, 3.0, 1.0, 3.0, 3.0];
        let c = Classes::of(&[x1.to_vec(), x2.to_vec()], &y);
        let mut counts = c.count.clone();
        counts.sort_unstable();
        assert_eq!(counts, [1, 1, 2, 2]);
        let s = score_all(&[x1.to_vec(), x2.to_vec()], &y, 2, 0, 1);
        assert!(close(s.point[0][2], ndcg_at_k(&x1, &y, 2).unwrap()));
        assert!(close(s.point[1][3], precision_at_k(&x2, &y, 2).unwrap()));
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("36h"), Ok(36 * 3600));
        assert_eq!(parse_duration("7d"), Ok(7 * 86_400));
        assert_eq!(parse_duration("2w"), Ok(14 * 86_400));
        assert_eq!(parse_duration("90"), Ok(90));
        assert!(parse_duration("0d").is_err());
        assert!(parse_duration("3y").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("99999999999999999w").is_err());
    }

    #[test]
    fn interval_needs_most_resamples_defined() {
        assert_eq!(interval([None, None, Some(1.0)].into_iter()), None);
        let (lo, hi) = interval((0..=100).map(|i| Some(i as f64))).unwrap();
        assert!((lo - 2.5).abs() < 1e-9 && (hi - 97.5).abs() < 1e-9);
    }
}
