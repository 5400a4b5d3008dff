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

use crate::compare::{kendall_tau_b, spearman};
use crate::{measure, MeasureError, Result, Scope, MEASURES};
use rayon::prelude::*;
use renown_model::{Kind, ENGAGEMENT_KINDS};
use renown_store::{EventFilter, Store};
use serde::Serialize;

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
}

impl Target {
    pub const ALL: [Target; 4] = [
        Target::DistinctEngagers,
        Target::Reshares,
        Target::Engagement,
        Target::Retained,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::DistinctEngagers => "distinct-engagers",
            Target::Reshares => "reshares",
            Target::Engagement => "engagement",
            Target::Retained => "retained",
        }
    }

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
        }
    }

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

#[derive(Clone, Debug)]
pub struct BacktestOptions {
    /// Split times (inclusive: an event at the split is "before"); empty: [`DEFAULT_SPLITS`].
    pub splits: Vec<i64>,
    /// Seconds after each split the target counts; `None`: from the last split to the newest
    /// event.
    pub horizon: Option<i64>,
    pub k: usize,
    /// Measure names; empty: every registered measure.
    pub measures: Vec<String>,
    pub target: Target,
    /// Bootstrap resamples (0: point estimates only).
    pub bootstrap: usize,
    pub seed: u64,
    /// The measure under test; every other measure is a baseline.
    pub candidate: String,
    pub platform: Option<String>,
    /// A known truth per account (dense id; `None`: unknown), e.g. a simulation's latent
    /// quality: each measure's Spearman with it is reported beside the predictive scores.
    pub truth: Option<Vec<Option<f64>>>,
}

impl Default for BacktestOptions {
    fn default() -> Self {
        BacktestOptions {
            splits: Vec::new(),
            horizon: None,
            k: 100,
            measures: Vec::new(),
            target: Target::DistinctEngagers,
            bootstrap: 1000,
            seed: 1,
            candidate: MEASURES[0].name.to_string(),
            platform: None,
            truth: None,
        }
    }
}

/// A whole backtest, ready for a table or the API.
#[derive(Clone, Debug, Serialize)]
pub struct Backtest {
    pub target: Target,
    pub k: usize,
    pub horizon_seconds: i64,
    pub bootstrap: usize,
    pub seed: u64,
    pub candidate: String,
    /// How ties are scored.
    pub ties: &'static str,
    pub splits: Vec<SplitResult>,
}

pub const TIES: &str = "Spearman and Kendall tau-b use average ranks; NDCG@k and precision@k are \
                        the expected value over all orderings of tied accounts";

#[derive(Clone, Debug, Serialize)]
pub struct SplitResult {
    /// Measures see events at or before this time.
    pub split: i64,
    /// The target counts events in `(split, until]`.
    pub until: i64,
    /// Accounts active (acting or acted on) at or before the split: the accounts scored.
    pub accounts: usize,
    /// Of those, accounts whose target is above zero.
    pub with_target: usize,
    /// Scored accounts with a known truth (0 without `truth`).
    pub truth_accounts: usize,
    /// Per metric (in [`METRICS`] order), the baseline with the best point estimate.
    pub best_baseline: [Option<String>; 4],
    pub measures: Vec<MeasureResult>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MeasureResult {
    pub measure: String,
    /// Spearman, Kendall τ-b, NDCG@k, precision@k (see [`METRICS`]).
    pub metrics: [Metric; 4],
    /// Spearman's ρ of the measure (as of the split) with the known truth, over the scored
    /// accounts that have one; `None` without a truth.
    pub truth_spearman: Option<f64>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Metric {
    /// `None` when undefined (a constant side, or no target at all).
    pub value: Option<f64>,
    /// 95 % percentile bootstrap interval.
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// Paired bootstrap of (this measure − the best baseline); `None` for the best baseline
    /// itself or without baselines.
    pub vs_best: Option<Difference>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    pub baseline: String,
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Runs the backtest.
pub fn backtest(store: &Store, opts: &BacktestOptions) -> Result<Backtest> {
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
    let (splits, horizon) = resolve_splits(store, opts)?;
    let mut out = Vec::with_capacity(splits.len());
    for split in splits {
        out.push(run_split(store, opts, &names, split, horizon)?);
    }
    Ok(Backtest {
        target: opts.target,
        k: opts.k,
        horizon_seconds: horizon,
        bootstrap: opts.bootstrap,
        seed: opts.seed,
        candidate: opts.candidate.clone(),
        ties: TIES,
        splits: out,
    })
}

/// The split times and horizon: given, or rolling origins at [`DEFAULT_SPLITS`] of the timed
/// events in scope (event quantiles, not calendar fractions: activity is bursty — dnc holds
/// 982 days, most of its e-mail in the last few months), with a horizon reaching from the last
/// origin to the newest event.
fn resolve_splits(store: &Store, opts: &BacktestOptions) -> Result<(Vec<i64>, i64)> {
    let filter = EventFilter {
        platform: opts.platform.clone(),
        ..EventFilter::default()
    };
    let mut times = Vec::new();
    if opts.splits.is_empty() || opts.horizon.is_none() {
        store.scan_events(&filter, |r| times.extend(r.time))?;
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
    pub active: Vec<bool>,
    pub target: Vec<f64>,
}

/// One scan of the log up to `until`: accounts active at or before `split`, and the target over
/// `(split, until]` (self-engagement excluded).
pub fn outcomes(
    store: &Store,
    platform: Option<&str>,
    target: Target,
    split: i64,
    until: i64,
) -> Result<Outcomes> {
    let n = store.account_count()? as usize;
    let filter = EventFilter {
        until: Some(until),
        platform: platform.map(str::to_string),
        ..EventFilter::default()
    };
    let mut active = vec![false; n];
    let mut counts = vec![0.0; n];
    let (mut before, mut after): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    let counted: &[Kind] = match target {
        Target::Reshares => &[Kind::Reshare, Kind::Quote],
        _ => &ENGAGEMENT_KINDS,
    };
    store.scan_events(&filter, |r| {
        let is_before = r.time.is_none_or(|t| t <= split);
        if is_before {
            active[r.actor as usize] = true;
            if let Some(t) = r.target {
                active[t as usize] = true;
            }
        }
        let Some(t) = r.target else { return };
        if t == r.actor || !counted.contains(&r.kind) {
            return;
        }
        // The pair key sorts by target first, so a run of keys is one account's engagers.
        let key = (t as u64) << 32 | r.actor as u64;
        match (is_before, target) {
            (true, Target::Retained) => before.push(key),
            (false, Target::DistinctEngagers | Target::Retained) => after.push(key),
            (false, _) => counts[t as usize] += 1.0,
            (true, _) => {}
        }
    })?;
    after.sort_unstable();
    after.dedup();
    if target == Target::Retained {
        before.sort_unstable();
        before.dedup();
        after.retain(|k| before.binary_search(k).is_ok());
    }
    for k in after {
        counts[(k >> 32) as usize] += 1.0;
    }
    Ok(Outcomes {
        active,
        target: counts,
    })
}

fn run_split(
    store: &Store,
    opts: &BacktestOptions,
    names: &[&'static str],
    split: i64,
    horizon: i64,
) -> Result<SplitResult> {
    let until = split.saturating_add(horizon);
    let o = outcomes(store, opts.platform.as_deref(), opts.target, split, until)?;
    let ids: Vec<u32> = (0..o.active.len() as u32)
        .filter(|&i| o.active[i as usize])
        .collect();
    if ids.len() < 2 {
        return Err(MeasureError::Invalid(format!(
            "split {}: fewer than two accounts active before it",
            renown_model::format_time(split)
        )));
    }
    let y: Vec<f64> = ids.iter().map(|&i| o.target[i as usize]).collect();
    let scope = Scope {
        as_of: Some(split),
        topic: None,
        platform: opts.platform.clone(),
    };
    let mut xs = Vec::with_capacity(names.len());
    for name in names {
        let s = (measure(name)?.compute)(store, &scope)?;
        xs.push(
            ids.iter()
                .map(|&i| s.get(i as usize).copied().unwrap_or(0.0))
                .collect::<Vec<f64>>(),
        );
    }
    // Recovery of a known truth: over the scored accounts that have one.
    let with_truth: Vec<(usize, f64)> = opts.truth.as_ref().map_or(Vec::new(), |t| {
        ids.iter()
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
    let scores = score_all(&xs, &y, opts.k, opts.bootstrap, opts.seed ^ split as u64);
    let baselines: Vec<usize> = (0..names.len())
        .filter(|&i| names[i] != opts.candidate)
        .collect();
    let mut best: [Option<usize>; 4] = [None; 4];
    for (m, slot) in best.iter_mut().enumerate() {
        *slot = baselines
            .iter()
            .copied()
            .filter(|&i| scores.point[i][m].is_some())
            .max_by(|&a, &b| {
                let (va, vb) = (scores.point[a][m], scores.point[b][m]);
                va.unwrap_or(f64::MIN).total_cmp(&vb.unwrap_or(f64::MIN))
            });
    }
    let measures = names
        .iter()
        .enumerate()
        .map(|(i, name)| MeasureResult {
            measure: name.to_string(),
            metrics: std::array::from_fn(|m| {
                let own = scores.replicates(i, m);
                let (lo, hi) = interval(own.iter().copied()).unzip();
                let vs_best = best[m].filter(|&b| b != i).and_then(|b| {
                    let diff = scores.point[i][m]? - scores.point[b][m]?;
                    let theirs = scores.replicates(b, m);
                    let paired = own
                        .iter()
                        .zip(&theirs)
                        .filter_map(|(a, b)| Some((*a)? - (*b)?));
                    let (lo, hi) = interval(paired.map(Some))?;
                    Some(Difference {
                        baseline: names[b].to_string(),
                        diff,
                        lo,
                        hi,
                    })
                });
                Metric {
                    value: scores.point[i][m],
                    lo,
                    hi,
                    vs_best,
                }
            }),
            truth_spearman: truth_spearman(&xs[i]),
        })
        .collect();
    Ok(SplitResult {
        split,
        until,
        accounts: ids.len(),
        with_target: y.iter().filter(|&&v| v > 0.0).count(),
        truth_accounts: with_truth.len(),
        best_baseline: best.map(|b| b.map(|i| names[i].to_string())),
        measures,
    })
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
    fn replicates(&self, measure: usize, metric: usize) -> Vec<Option<f64>> {
        self.boot.iter().map(|r| r[measure][metric]).collect()
    }
}

/// Scores every measure's values `xs[i]` against the target `y` (same accounts, same order).
pub fn score_all(xs: &[Vec<f64>], y: &[f64], k: usize, bootstrap: usize, seed: u64) -> Scores {
    let c = Classes::of(xs, y);
    let ys = Groups::new(&c.y, None);
    let prepared: Vec<Groups> = c.xs.iter().map(|x| Groups::new(x, Some(&c.y))).collect();
    let disc = discounts(k);
    // With every class weighted by its size, the scores are those of the accounts themselves.
    let all = Resample::new(&ys, &c.y, &c.count, k, &disc);
    let point = xs
        .iter()
        .zip(&prepared)
        .map(|(x, g)| {
            [
                spearman(x, y),
                kendall_tau_b(x, y),
                all.ndcg(g, &c.y, &c.count, &disc),
                all.precision(g, &c.count),
            ]
        })
        .collect();
    let boot = (0..bootstrap as u64)
        .into_par_iter()
        .map(|b| {
            let w = poisson_weights(&c.count, seed, b);
            let r = Resample::new(&ys, &c.y, &w, k, &disc);
            prepared
                .iter()
                .map(|g| {
                    [
                        r.spearman(g, &w),
                        r.kendall(g, &w),
                        r.ndcg(g, &c.y, &w, &disc),
                        r.precision(g, &w),
                    ]
                })
                .collect()
        })
        .collect();
    Scores { point, boot }
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
        let mut index: std::collections::HashMap<Vec<u64>, u32> = Default::default();
        let mut c = Classes {
            count: Vec::new(),
            xs: vec![Vec::new(); xs.len()],
            y: Vec::new(),
        };
        for (i, &target) in y.iter().enumerate() {
            let key: Vec<u64> = xs
                .iter()
                .map(|x| x[i].to_bits())
                .chain([target.to_bits()])
                .collect();
            let next = c.count.len() as u32;
            let class = *index.entry(key).or_insert(next);
            if class == next {
                c.count.push(0);
                c.y.push(target);
                for (m, x) in xs.iter().enumerate() {
                    c.xs[m].push(x[i]);
                }
            }
            c.count[class as usize] += 1;
        }
        c
    }
}

/// NDCG@k of ranking by `x` against gains `y`, ties in `x` scored by their expected value over
/// orderings; `None` when no account has a gain.
pub fn ndcg_at_k(x: &[f64], y: &[f64], k: usize) -> Option<f64> {
    let ones = vec![1u32; y.len()];
    let disc = discounts(k);
    let ys = Groups::new(y, None);
    let r = Resample::new(&ys, y, &ones, k, &disc);
    r.ndcg(&Groups::new(x, Some(y)), y, &ones, &disc)
}

/// Precision@k: the expected share of the top k by `x` that is in the top k by `y`, ties on
/// either side broken uniformly at random; `None` unless k is below the number of accounts.
pub fn precision_at_k(x: &[f64], y: &[f64], k: usize) -> Option<f64> {
    let ones = vec![1u32; y.len()];
    let disc = discounts(k);
    let ys = Groups::new(y, None);
    let r = Resample::new(&ys, y, &ones, k, &disc);
    r.precision(&Groups::new(x, Some(y)), &ones)
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

/// Accounts sorted ascending by a key (then by a second key), cut into groups of equal key.
struct Groups {
    order: Vec<u32>,
    /// Group `g` is `order[starts[g]..starts[g + 1]]`.
    starts: Vec<u32>,
    /// Each account's group index.
    group_of: Vec<u32>,
}

impl Groups {
    fn new(key: &[f64], then: Option<&[f64]>) -> Groups {
        let mut order: Vec<u32> = (0..key.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            key[a]
                .total_cmp(&key[b])
                .then_with(|| then.map_or(std::cmp::Ordering::Equal, |t| t[a].total_cmp(&t[b])))
        });
        let mut starts = Vec::new();
        let mut group_of = vec![0u32; key.len()];
        for (p, &i) in order.iter().enumerate() {
            if p == 0 || key[i as usize] != key[order[p - 1] as usize] {
                starts.push(p as u32);
            }
            group_of[i as usize] = starts.len() as u32 - 1;
        }
        starts.push(order.len() as u32);
        Groups {
            order,
            starts,
            group_of,
        }
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn group(&self, g: usize) -> &[u32] {
        &self.order[self.starts[g] as usize..self.starts[g + 1] as usize]
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
    let mut rng = SplitMix(mix(mix(seed) ^ mix(b.wrapping_add(GOLDEN))));
    count.iter().map(|&c| poisson(&mut rng, c as f64)).collect()
}

/// A Poisson(λ) draw: multiplication of uniforms below λ = 10, else Hörmann's PTRS
/// transformed rejection (1993), as numpy does.
fn poisson(rng: &mut SplitMix, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 10.0 {
        let limit = (-lambda).exp();
        let (mut k, mut p) = (0u32, rng.unit());
        while p > limit {
            k += 1;
            p *= rng.unit();
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

/// What one resample (accounts weighted by how often they were drawn) fixes for every
/// measure: the target's ranks, ties, ideal DCG and top-k membership.
struct Resample<'a> {
    ys: &'a Groups,
    total: u64,
    k: usize,
    y_rank: Vec<f64>,
    tie_y: u64,
    ideal_dcg: f64,
    /// Probability that each account is in the target's top k (ties broken at random).
    in_top: Vec<f64>,
}

impl<'a> Resample<'a> {
    fn new(ys: &'a Groups, y: &[f64], w: &[u32], k: usize, disc: &[f64]) -> Resample<'a> {
        let total: u64 = w.iter().map(|&c| c as u64).sum();
        let mut y_rank = vec![0.0; w.len()];
        weighted_ranks(ys, w, &mut y_rank);
        let tie_y = (0..ys.len())
            .map(|g| pairs(ys.group(g).iter().map(|&i| w[i as usize] as u64).sum()))
            .sum();
        let mut ideal_dcg = 0.0;
        let mut p = 0usize;
        'fill: for g in (0..ys.len()).rev() {
            for &i in ys.group(g) {
                let take = (w[i as usize] as usize).min(k - p);
                ideal_dcg += y[i as usize] * (disc[p + take] - disc[p]);
                p += take;
                if p >= k {
                    break 'fill;
                }
            }
        }
        let mut in_top = vec![0.0; w.len()];
        top_k_share(ys, w, k, |i, share| in_top[i] = share);
        Resample {
            ys,
            total,
            k,
            y_rank,
            tie_y,
            ideal_dcg,
            in_top,
        }
    }

    /// Weighted Pearson correlation of the average ranks.
    fn spearman(&self, xs: &Groups, w: &[u32]) -> Option<f64> {
        let mut x_rank = vec![0.0; w.len()];
        weighted_ranks(xs, w, &mut x_rank);
        let mean = (self.total as f64 + 1.0) / 2.0;
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (i, &c) in w.iter().enumerate() {
            if c > 0 {
                let (dx, dy) = (x_rank[i] - mean, self.y_rank[i] - mean);
                let c = c as f64;
                sxy += c * dx * dy;
                sxx += c * dx * dx;
                syy += c * dy * dy;
            }
        }
        (self.total >= 2 && sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
    }

    /// τ-b over the resample, each drawn copy an observation: discordant pairs counted with a
    /// Fenwick tree over the target's groups while walking `xs` (sorted by x, then y).
    fn kendall(&self, xs: &Groups, w: &[u32]) -> Option<f64> {
        let m = self.ys.len();
        let mut fenwick = vec![0u64; m + 1];
        let (mut inserted, mut discordant, mut tie_x, mut tie_xy) = (0u64, 0u64, 0u64, 0u64);
        for g in 0..xs.len() {
            let members = xs.group(g);
            for &i in members {
                let c = w[i as usize] as u64;
                if c == 0 {
                    continue;
                }
                // Earlier (smaller x) copies with a larger y are discordant with this one.
                let mut at = self.ys.group_of[i as usize] as usize + 1;
                let mut not_above = 0u64;
                while at > 0 {
                    not_above += fenwick[at];
                    at &= at - 1;
                }
                discordant += c * (inserted - not_above);
            }
            let (mut size, mut run, mut run_group) = (0u64, 0u64, u32::MAX);
            for &i in members {
                let c = w[i as usize] as u64;
                if c == 0 {
                    continue;
                }
                let yg = self.ys.group_of[i as usize];
                if yg == run_group {
                    run += c;
                } else {
                    tie_xy += pairs(run);
                    run = c;
                    run_group = yg;
                }
                size += c;
                let mut at = yg as usize + 1;
                while at <= m {
                    fenwick[at] += c;
                    at += at & at.wrapping_neg();
                }
            }
            tie_xy += pairs(run);
            tie_x += pairs(size);
            inserted += size;
        }
        let n0 = pairs(self.total);
        let denom = (n0 - tie_x) as f64 * (n0 - self.tie_y) as f64;
        if denom <= 0.0 {
            return None;
        }
        let num =
            n0 as f64 - tie_x as f64 - self.tie_y as f64 + tie_xy as f64 - 2.0 * discordant as f64;
        Some(num / denom.sqrt())
    }

    /// Expected DCG@k over orderings of ties in x, over the ideal DCG@k.
    fn ndcg(&self, xs: &Groups, y: &[f64], w: &[u32], disc: &[f64]) -> Option<f64> {
        if self.ideal_dcg <= 0.0 {
            return None;
        }
        let mut dcg = 0.0;
        let mut p = 0usize;
        for g in (0..xs.len()).rev() {
            if p >= self.k {
                break;
            }
            let (mut size, mut gain) = (0usize, 0.0);
            for &i in xs.group(g) {
                let c = w[i as usize];
                size += c as usize;
                gain += c as f64 * y[i as usize];
            }
            if size == 0 {
                continue;
            }
            // Every copy in the group is equally likely to take each of its positions.
            let end = (p + size).min(self.k);
            dcg += gain / size as f64 * (disc[end] - disc[p]);
            p += size;
        }
        Some(dcg / self.ideal_dcg)
    }

    /// Expected overlap of the two top-k sets over k; `None` when k reaches the sample size
    /// (both top sets are everything: 1 whatever the measure).
    fn precision(&self, xs: &Groups, w: &[u32]) -> Option<f64> {
        let k = self.k;
        if k as u64 >= self.total {
            return None;
        }
        let mut overlap = 0.0;
        top_k_share(xs, w, self.k, |i, share| {
            overlap += w[i] as f64 * share * self.in_top[i];
        });
        Some(overlap / k as f64)
    }
}

/// For the top `k` copies by descending key, calls `f(account, probability that a copy of it
/// is in the top k)` for each drawn account that can be.
fn top_k_share(gs: &Groups, w: &[u32], k: usize, mut f: impl FnMut(usize, f64)) {
    let mut p = 0usize;
    for g in (0..gs.len()).rev() {
        if p >= k {
            break;
        }
        let members = gs.group(g);
        let size: usize = members.iter().map(|&i| w[i as usize] as usize).sum();
        if size == 0 {
            continue;
        }
        let share = (k - p).min(size) as f64 / size as f64;
        for &i in members {
            if w[i as usize] > 0 {
                f(i as usize, share);
            }
        }
        p += size;
    }
}

/// Average ranks (1-based) of every drawn copy, ties sharing the mean of their positions.
fn weighted_ranks(gs: &Groups, w: &[u32], out: &mut [f64]) {
    let mut below = 0u64;
    for g in 0..gs.len() {
        let members = gs.group(g);
        let size: u64 = members.iter().map(|&i| w[i as usize] as u64).sum();
        let rank = below as f64 + (size as f64 + 1.0) / 2.0;
        for &i in members {
            out[i as usize] = rank;
        }
        below += size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn weighted_scores_equal_the_expanded_sample() {
        let x = [1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 0.0, 7.0];
        let y = [0.0, 1.0, 4.0, 1.0, 2.0, 2.0, 0.0, 9.0];
        let ys = Groups::new(&y, None);
        let xs = Groups::new(&x, Some(&y));
        let disc = discounts(4);
        for w in [
            [1u32; 8],
            [0, 2, 1, 3, 0, 1, 2, 1],
            [3, 0, 0, 1, 2, 0, 1, 1],
        ] {
            let r = Resample::new(&ys, &y, &w, 4, &disc);
            let (ex, ey) = (expand(&x, &w), expand(&y, &w));
            assert!(close(r.spearman(&xs, &w), spearman(&ex, &ey).unwrap()));
            assert!(close(r.kendall(&xs, &w), kendall_tau_b(&ex, &ey).unwrap()));
            assert!(close(
                r.ndcg(&xs, &y, &w, &disc),
                ndcg_at_k(&ex, &ey, 4).unwrap()
            ));
            assert!(close(
                r.precision(&xs, &w),
                precision_at_k(&ex, &ey, 4).unwrap()
            ));
        }
        // Average-rank Pearson and the pair-counting τ-b, computed by hand (Python) on the data.
        let r = Resample::new(&ys, &y, &[1; 8], 4, &disc);
        assert!(close(r.spearman(&xs, &[1; 8]), 0.7914259368697336));
        assert!(close(r.kendall(&xs, &[1; 8]), 0.7060180864974626));
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
    fn classes_merge_interchangeable_accounts_without_changing_the_scores() {
        let x1 = [0.0, 0.0, 1.0, 0.0, 2.0, 1.0];
        let x2 = [5.0, 5.0, 1.0, 5.0, 2.0, 1.0];
        let y = [0.0, 0.0, 3.0, 1.0, 3.0, 3.0];
        let c = Classes::of(&[x1.to_vec(), x2.to_vec()], &y);
        assert_eq!(c.count, [2, 2, 1, 1]);
        let s = score_all(&[x1.to_vec(), x2.to_vec()], &y, 2, 0, 1);
        assert!(close(s.point[0][2], ndcg_at_k(&x1, &y, 2).unwrap()));
        assert!(close(s.point[1][3], precision_at_k(&x2, &y, 2).unwrap()));
    }

    #[test]
    fn interval_needs_most_resamples_defined() {
        assert_eq!(interval([None, None, Some(1.0)].into_iter()), None);
        let (lo, hi) = interval((0..=100).map(|i| Some(i as f64))).unwrap();
        assert!((lo - 2.5).abs() < 1e-9 && (hi - 97.5).abs() < 1e-9);
    }
}
