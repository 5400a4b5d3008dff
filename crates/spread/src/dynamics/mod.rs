//! "The big get bigger": how much of an account's growth its size explains, and how much is its
//! own fitness.
//!
//! Growth is a sequence of timestamped **arrivals** (a follow, a reshare, a mention received).
//! At step `t` an arrival goes to account `i` with probability `A(k_i(t))·η_i / Σ_j A(k_j(t))·η_j`
//! (Bianconi & Barabási 2001): `A(k)` is the preferential-attachment kernel on the size `k` the
//! account had then, `η_i` its fitness.
//!
//! - The kernel and the fitnesses are estimated jointly and nonparametrically by the
//!   minorize–maximize iteration of PAFit (Pham, Sheridan & Shimodaira 2015, 2016), with `A`
//!   piecewise constant on degree bins (exact below 30, logarithmic above) and a Gamma(s, s) prior
//!   (mean 1) on fitness so accounts with few arrivals stay near 1. Each iteration is linear in the
//!   data: an account's size is constant between its arrivals, so its exposure over a stretch of
//!   steps is a difference of prefix sums of `m(t)/Z(t)`.
//! - α is the slope of `log A(k)` on `log k` over bins with `k ≥ 1` and enough arrivals; its
//!   interval comes from a seeded Poisson bootstrap over accounts (each account, its prior
//!   included, weighted by a Poisson(1) draw), warm-started from the full fit as fitted.
//! - The MM iteration is accelerated by SQUAREM with a log-posterior safeguard: same fixed
//!   point, a fifth of the steps.
//! - For comparison: the same kernel with all fitnesses fixed at 1 (Newman 2001), and Jeong,
//!   Néda & Barabási's (2003) cumulative kernel: degrees frozen at the median arrival time, the
//!   arrivals of the next tenth of the data counted per degree, `κ(k) = Σ_{1≤k'≤k} Π(k') ∝ k^{α+1}`.
//!   Both ignore fitness, so heterogeneous fitness inflates them.
//! - Concentration: Gini coefficient and top-1 % share of arrivals per calendar period, over the
//!   accounts that received any in that period.

mod bootstrap;
mod concentration;
mod growth;
mod jeong;
mod kernel;
#[cfg(test)]
mod tests;

pub use concentration::gini;
pub use growth::{bin_of, bin_range, Growth};
pub use kernel::{fit, fit_alpha, FitOptions, KernelFit};

use crate::{Result, SpreadError};
use bootstrap::{bootstrap, quantile};
use growth::prepare;
use kernel::fit_prepared;
use renown_model::{Cancel, Kind};
use renown_store::{Scope, Store};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A point estimate with its bootstrap interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The estimate on the data itself.
    pub value: f64,
    /// 2.5 % and 97.5 % bootstrap quantiles.
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// Bootstrap replicates fitted.
    pub replicates: usize,
}

/// The attachment kernel over one degree bin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelPoint {
    /// The bin's smallest degree.
    pub k_low: u64,
    /// Its largest degree.
    pub k_high: u64,
    /// Geometric middle of the bin (what the α fit uses).
    pub k: f64,
    /// Arrivals at accounts whose degree was in the bin.
    pub arrivals: f64,
    /// A(k) with fitness estimated jointly (A(1) = 1).
    pub a: f64,
    /// A(k) with every fitness fixed at 1.
    pub a_no_fitness: f64,
    /// Fewer than 10 arrivals fell in the bin: its A rests on too few to read (a handful of
    /// arrivals more or less moves it by half), and α's slope leaves it out.
    pub too_few_arrivals: bool,
}

/// Jeong et al.'s kernel at one degree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JeongPoint {
    /// The degree.
    pub k: u64,
    /// Accounts of this size at the reference time.
    pub accounts: u64,
    /// Arrivals per such account in the window after it.
    pub pi: f64,
    /// Σ_{1≤k'≤k} Π(k').
    pub kappa: f64,
}

/// How concentrated one period's arrivals were.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodConcentration {
    /// The period's label (`2025-06`, `week of 2025-06-02`, `2025-06-03`).
    pub period: String,
    /// Its start (UTC seconds).
    pub start: i64,
    /// Accounts that received at least one arrival in the period.
    pub accounts: u64,
    /// Arrivals in the period.
    pub arrivals: u64,
    /// Gini coefficient of arrivals over those accounts.
    pub gini: f64,
    /// Share of the period's arrivals received by its top 1 % of accounts (at least one).
    pub top1_share: f64,
}

/// One account's fitted fitness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitnessRow {
    /// Dense account id.
    pub account: u32,
    /// Its label.
    pub label: String,
    /// η: how much more than its degree predicts it attracts (1 = as predicted).
    pub fitness: f64,
    /// Arrivals it received.
    pub arrivals: u64,
}

/// Does the big get bigger: the attachment kernel with and without fitness, Jeong's cumulative
/// kernel, concentration per period and the fittest accounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DynamicsReport {
    /// What counts as an arrival.
    pub kinds: Vec<Kind>,
    /// Arrivals (events of the kinds) fitted.
    pub arrivals: u64,
    /// Accounts that received any.
    pub accounts: u64,
    /// Time steps fitted: the distinct arrival times.
    pub steps: u64,
    /// Arrivals without a time, left out.
    pub timeless: u64,
    /// α of A(k) ~ k^α with fitness, and its bootstrap interval.
    pub alpha: Option<Interval>,
    /// α with every fitness fixed at 1 (Newman 2001).
    pub alpha_no_fitness: Option<f64>,
    /// α of the cumulative kernel (Jeong et al. 2003).
    pub alpha_jeong: Option<f64>,
    /// Iterations the joint fit of kernel and fitness took.
    pub iterations: u32,
    /// Whether it converged before its iteration cap.
    pub converged: bool,
    /// The attachment kernel A(k) by degree bin.
    pub kernel: Vec<KernelPoint>,
    /// The cumulative kernel of Jeong et al. 2003 by degree.
    pub jeong: Vec<JeongPoint>,
    /// How concentrated arrivals were in each period (Gini, the top 1 %'s share).
    pub concentration: Vec<PeriodConcentration>,
    /// Accounts with at least `min_arrivals`, fittest first.
    pub fitness: Vec<FitnessRow>,
}

/// The periods concentration is reported by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// UTC days.
    Day,
    /// Weeks from Monday.
    Week,
    /// Calendar months.
    #[default]
    Month,
}

/// Bootstrap replicates for α's interval unless asked otherwise: one setting for every surface
/// (the CLI's default, the API's when a request names none, the Python package's).
pub const DEFAULT_BOOTSTRAP: usize = 100;

/// How far [`dynamics`] has got: for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the arrivals and fitting the point estimates.
    Fitting,
    /// `done` of at most `total` bootstrap replicates fitted.
    Replicates {
        /// Replicates fitted so far.
        done: usize,
        /// Most replicates that will be fitted.
        total: usize,
    },
}

/// A callback told each [`Stage`] as it is reached (from the calling thread).
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Fn(Stage) + Send + Sync>>);

impl Progress {
    /// Calls `f` at each stage.
    pub fn new(f: impl Fn(Stage) + Send + Sync + 'static) -> Progress {
        Progress(Some(Arc::new(f)))
    }

    pub(crate) fn report(&self, stage: Stage) {
        if let Some(f) = &self.0 {
            f(stage);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(..)"
        } else {
            "Progress(none)"
        })
    }
}

/// What [`dynamics`] fits, and how.
#[derive(Clone, Debug)]
pub struct DynamicsOptions {
    /// The slice of the log read: as of a date, on a topic and a platform; its kinds are what
    /// counts as an arrival (none: engagement received). Growth is read from the start, so
    /// a window start (`since`) is refused.
    pub scope: Scope,
    /// The periods concentration is reported by.
    pub period: Period,
    /// Bootstrap replicates for α's interval, each fitted (no early stop).
    pub bootstrap: usize,
    /// The bootstrap's random seed.
    pub seed: u64,
    /// Length of the fitness list (0 = all).
    pub top: usize,
    /// Accounts with fewer arrivals are left out of the fitness list.
    pub min_arrivals: u64,
    /// How the kernel and fitnesses are fitted.
    pub fit: FitOptions,
    /// Checked between iterations and bootstrap replicates; once set, [`dynamics`] stops and
    /// returns [`SpreadError::Cancelled`].
    pub cancel: Cancel,
    /// Told each stage reached.
    pub progress: Progress,
}

impl DynamicsOptions {
    /// What counts as an arrival: the scope's kinds, else engagement received.
    pub fn kinds(&self) -> Vec<Kind> {
        self.scope
            .kinds
            .clone()
            .unwrap_or_else(|| renown_model::ENGAGEMENT_KINDS.to_vec())
    }
}

impl Default for DynamicsOptions {
    fn default() -> Self {
        DynamicsOptions {
            scope: Scope::default(),
            period: Period::Month,
            bootstrap: DEFAULT_BOOTSTRAP,
            seed: 42,
            top: 20,
            min_arrivals: 5,
            fit: FitOptions::default(),
            cancel: Cancel::new(),
            progress: Progress::default(),
        }
    }
}

/// The whole analysis on the store's arrivals.
pub fn dynamics(store: &Store, opts: &DynamicsOptions) -> Result<DynamicsReport> {
    if opts.scope.since.is_some() {
        return Err(SpreadError::Invalid(
            "dynamics reads the whole history up to a date and takes no window start".into(),
        ));
    }
    let kinds = opts.kinds();
    if kinds.is_empty() {
        return Err(SpreadError::Invalid("no arrival kinds given".into()));
    }
    opts.progress.report(Stage::Fitting);
    let filter = opts.scope.filter(&kinds);
    let mut events: Vec<(i64, Option<u32>, u32)> = Vec::new();
    let mut timeless = 0u64;
    store.scan_events(&filter, |e| match (e.time, e.target) {
        (Some(t), Some(target)) if target != e.actor => events.push((t, Some(e.actor), target)),
        (None, Some(_)) => timeless += 1,
        _ => {}
    })?;
    let n = store.account_count()? as usize;
    let labels: Vec<String> = store.accounts()?.iter().map(|a| a.label()).collect();
    analyse(&events, n, &labels, timeless, opts)
}

/// [`dynamics`] on events already in memory: `(time, actor, target)`.
pub fn analyse(
    events: &[(i64, Option<u32>, u32)],
    accounts: usize,
    labels: &[String],
    timeless: u64,
    opts: &DynamicsOptions,
) -> Result<DynamicsReport> {
    let cancelled = || {
        if opts.cancel.is_cancelled() {
            Err(SpreadError::Cancelled)
        } else {
            Ok(())
        }
    };
    let g = Growth::from_events(events, accounts);
    let p = prepare(&g);
    // The fit without fitness is independent of the joint one: on the other core meanwhile.
    let plain_opts = FitOptions {
        fitness: false,
        ..opts.fit.clone()
    };
    let (full, plain) = rayon::join(
        || fit_prepared(&p, &opts.fit, &opts.cancel),
        || fit_prepared(&p, &plain_opts, &opts.cancel),
    );
    cancelled()?;
    let alpha = full.alpha.map(|value| {
        let reps = bootstrap(
            &p,
            &full,
            &opts.fit,
            opts.bootstrap,
            opts.seed,
            &opts.cancel,
            &opts.progress,
        );
        let (low, high) = if reps.is_empty() {
            (f64::NAN, f64::NAN)
        } else {
            (quantile(&reps, 0.025), quantile(&reps, 0.975))
        };
        Interval {
            value,
            low,
            high,
            replicates: reps.len(),
        }
    });
    cancelled()?;
    let kernel = (0..full.a.len())
        .filter(|&b| full.bin_arrivals[b] > 0.0)
        .map(|b| {
            let (lo, hi) = bin_range(b);
            KernelPoint {
                k_low: lo,
                k_high: hi,
                k: ((lo.max(1) as f64) * (hi.max(1) as f64)).sqrt()
                    * if lo == 0 { 0.0 } else { 1.0 },
                arrivals: full.bin_arrivals[b],
                a: full.a[b],
                a_no_fitness: plain.a[b],
                too_few_arrivals: full.bin_arrivals[b] < growth::MIN_BIN_ARRIVALS,
            }
        })
        .collect();
    let (jeong, alpha_jeong) = jeong::jeong(&g);
    let mut received = vec![0u64; accounts];
    for &(_, i) in &g.arrivals {
        received[i as usize] += 1;
    }
    let mut fitness: Vec<FitnessRow> = (0..accounts)
        .filter(|&i| received[i] >= opts.min_arrivals.max(1))
        .map(|i| FitnessRow {
            account: i as u32,
            label: labels.get(i).cloned().unwrap_or_else(|| i.to_string()),
            fitness: full.eta[i],
            arrivals: received[i],
        })
        .collect();
    fitness.sort_by(|a, b| {
        b.fitness
            .total_cmp(&a.fitness)
            .then(a.account.cmp(&b.account))
    });
    if opts.top > 0 {
        fitness.truncate(opts.top);
    }
    Ok(DynamicsReport {
        kinds: opts.kinds(),
        arrivals: g.arrivals.len() as u64,
        accounts: received.iter().filter(|&&r| r > 0).count() as u64,
        steps: g.steps as u64,
        timeless,
        alpha,
        alpha_no_fitness: plain.alpha,
        alpha_jeong,
        iterations: full.iterations,
        converged: full.converged,
        kernel,
        jeong,
        concentration: concentration::concentration(events, opts.period),
        fitness,
    })
}
