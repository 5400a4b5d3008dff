//! Who to engage so that a message reaches furthest (`renown seeds`), and how far a given set
//! reaches (`renown simulate`): influence maximization on the diffusion graph of a scope.

use crate::config::{Params, WithParameters};
use crate::{AppError, Scope};
use renown_spread::im::report::{simulate_seeds, Probabilities, SeedsOptions};
use renown_spread::im::Model;
use renown_store::Store;

pub use renown_spread::im::report::{SeedsReport, SimulateReport};

/// What to choose besides the scope.
#[derive(Clone, Debug)]
pub struct SeedsQuery {
    /// How many seeds.
    pub k: usize,
    /// The diffusion model (independent cascade or linear threshold).
    pub model: Model,
    /// Where the edges' probabilities come from (learned, weighted cascade, constant).
    pub probabilities: Probabilities,
    /// The set is (1 − 1/e − ε)-optimal…
    pub epsilon: f64,
    /// …with probability ≥ 1 − δ (default 1/n).
    pub delta: Option<f64>,
    /// Account ids that may not be seeds.
    pub exclude: Vec<u32>,
    /// If given, seeds come only from these account ids.
    pub candidates: Option<Vec<u32>>,
    /// Monte Carlo runs per strategy to set the seeds beside top-k by followers, PageRank and
    /// earned influence (0: no comparison).
    pub compare_sims: u64,
    /// With a comparison and an as-of date: also count what each set actually reached after it.
    pub holdout: bool,
    /// Random seed.
    pub seed: u64,
}

fn refuse_window_and_kinds(scope: &Scope) -> crate::Result<()> {
    crate::scope::refuse_window_and_kinds(scope, "influence maximization")
}

/// A seed set with the parameters of the measures its comparison ranked by (top-k by PageRank
/// and by earned influence), when it made one.
pub type SeedsAnswer = WithParameters<SeedsReport>;

/// A near-optimal seed set in `scope` (OPIM-C over reverse-reachable sets); the comparison's
/// measures are computed with `params`.
pub fn seeds(
    store: &Store,
    scope: &Scope,
    q: &SeedsQuery,
    params: &Params,
) -> crate::Result<SeedsAnswer> {
    refuse_window_and_kinds(scope)?;
    if q.holdout && (scope.as_of.is_none() || q.compare_sims == 0) {
        return Err(AppError::Invalid(
            "a holdout needs an as-of date and a comparison".into(),
        ));
    }
    let opts = SeedsOptions {
        graph: crate::scope::diffusion_options(scope, q.model, q.probabilities),
        k: q.k,
        epsilon: q.epsilon,
        delta: q.delta,
        exclude: q.exclude.clone(),
        candidates: q.candidates.clone(),
        compare_sims: q.compare_sims,
        holdout: q.holdout,
        seed: q.seed,
        params: params.measures.clone(),
    };
    let report = renown_spread::im::report::seeds(store, &opts)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let compared: Vec<&'static str> = report
        .comparison
        .iter()
        .filter_map(|c| c.strategy.strip_prefix("top-k by "))
        .filter_map(|name| renown_measures::measure(name).ok().map(|m| m.name))
        .collect();
    Ok(params.echoed(report, &compared))
}

/// The Monte Carlo spread of `seeds` (account ids) in `scope`: `sims` runs.
pub fn simulate(
    store: &Store,
    scope: &Scope,
    model: Model,
    probabilities: Probabilities,
    seeds: &[u32],
    sims: u64,
    seed: u64,
) -> crate::Result<SimulateReport> {
    refuse_window_and_kinds(scope)?;
    simulate_seeds(
        store,
        &crate::scope::diffusion_options(scope, model, probabilities),
        seeds,
        sims,
        seed,
    )
    .map_err(|e| AppError::Invalid(e.to_string()))
}
