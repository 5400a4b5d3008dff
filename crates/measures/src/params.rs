//! The parameters of the measures that take some, applied in one place: earned influence's
//! ([`EarnedParams`]) and the PageRank measures' damping. The registry computes every measure
//! with the defaults; [`Parameters::measured_all`] computes each with these, so a parameters
//! file (renown-app's `Params`) reaches rank, compare, backtest and the seed comparison alike.

use crate::earned::{model_of, EarnedParams};
use crate::pagerank::{damped, DEFAULT_DAMPING};
use crate::{measured_all, Log, MeasureSpec, Measured, Result, Scope, Scores};
use rayon::prelude::*;

/// What the parameterised measures are computed with; `Default` is the registry's.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    /// Earned influence's (docs/MEASURES.md).
    pub earned: EarnedParams,
    /// The damping of `pagerank`, `engagement-pagerank` and `reshare-pagerank`, in [0, 1)
    /// (TweepCred keeps the 0.9 of Twitter's own code).
    pub pagerank_damping: f64,
}

impl Default for Parameters {
    fn default() -> Parameters {
        Parameters {
            earned: EarnedParams::default(),
            pagerank_damping: DEFAULT_DAMPING,
        }
    }
}

impl Parameters {
    /// Whether every measure takes its default values (then the registry computes them as is).
    pub fn are_defaults(&self) -> bool {
        self.earned == EarnedParams::default() && self.pagerank_damping == DEFAULT_DAMPING
    }

    /// `measure`'s scores in `scope` from a log read for its topic and platform.
    pub fn compute_on(&self, measure: &MeasureSpec, log: &Log, scope: &Scope) -> Result<Scores> {
        Ok(self.measured_on(measure, log, scope)?.scores)
    }

    /// [`Parameters::compute_on`] with how an iterative measure stopped.
    pub fn measured_on(&self, measure: &MeasureSpec, log: &Log, scope: &Scope) -> Result<Measured> {
        if measure.name == "earned" && self.earned != EarnedParams::default() {
            return measure.settled(log, model_of(log, scope, &self.earned)?.score.into());
        }
        match damped(measure.name) {
            Some(f) if self.pagerank_damping != DEFAULT_DAMPING => {
                measure.settled(log, f(log, scope, self.pagerank_damping)?)
            }
            _ => measure.measured_on(log, scope),
        }
    }

    /// `measure`'s scores in `scope`, read from the store.
    pub fn compute(
        &self,
        measure: &MeasureSpec,
        store: &renown_store::Store,
        scope: &Scope,
    ) -> Result<Scores> {
        Ok(self.measured(measure, store, scope)?.scores)
    }

    /// [`Parameters::compute`] with how an iterative measure stopped.
    pub fn measured(
        &self,
        measure: &MeasureSpec,
        store: &renown_store::Store,
        scope: &Scope,
    ) -> Result<Measured> {
        self.measured_on(measure, &Log::read(store, scope)?, scope)
    }

    /// Every measure in `specs` on one log, in parallel, in the order of `specs`, with how each
    /// iterative one stopped.
    pub fn measured_all(
        &self,
        log: &Log,
        scope: &Scope,
        specs: &[&MeasureSpec],
    ) -> Result<Vec<Measured>> {
        if self.are_defaults() {
            return measured_all(log, scope, specs);
        }
        specs
            .par_iter()
            .map(|spec| self.measured_on(spec, log, scope))
            .collect()
    }
}
