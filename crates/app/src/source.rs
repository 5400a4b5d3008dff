//! Where questions read from: the store, and the pieces worth memoising (the account list, a
//! measure's ranked scores). The server implements [`Source`] over its per-state caches; a
//! command or a binding uses [`Direct`], which computes each piece once for its lifetime.

use crate::cascades::Cascades;
use crate::config::Params;
use crate::fake::AccountFeatures;
use crate::{AppError, Scope};
use rayon::prelude::*;
use renown_measures::earned::EarnedModel;
use renown_measures::{
    competition_ranks, ranking, Log, MeasureSpec, Measured, ScopeFacts, Scores, Warning,
};
use renown_store::{AccountInfo, Store};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The store and its memoised derivations. `Error` is the surface's own error type, so a
/// surface's cache can hold its errors; the app's errors convert into it.
pub trait Source {
    /// The surface's error (the server's API error, or [`AppError`] itself).
    type Error: From<AppError>;
    /// The store read (one snapshot for the whole question).
    fn store(&self) -> &Store;
    /// Every account, indexed by dense id.
    fn accounts(&self) -> Result<Arc<Vec<AccountInfo>>, Self::Error>;
    /// A measure's scores in a scope, ranked, with the scope's and the measure's warnings.
    fn ranked(
        &self,
        measure: &'static MeasureSpec,
        scope: &Scope,
    ) -> Result<Arc<Ranked>, Self::Error>;
    /// Several measures' [`Source::ranked`] scores in one scope, in the order asked. A source
    /// computes the ones it lacks together ([`Ranked::compute_all`]: one read of the store, the
    /// measures in parallel); this default asks for each in turn.
    fn ranked_all(
        &self,
        measures: &[&'static MeasureSpec],
        scope: &Scope,
    ) -> Result<Vec<Arc<Ranked>>, Self::Error> {
        measures.iter().map(|m| self.ranked(m, scope)).collect()
    }
    /// Every cascade in a scope (as of, topic, platform). Computed afresh unless the source
    /// memoises it.
    fn cascades(&self, scope: &Scope) -> Result<Arc<Cascades>, Self::Error> {
        Ok(Arc::new(Cascades::compute(self.store(), scope)?))
    }
    /// Whether each account (by id) is suspicious as a follower in a scope: the audit's verdict
    /// that colours cascade nodes. Computed afresh unless the source memoises it.
    fn suspects(&self, scope: &Scope) -> Result<Arc<Vec<bool>>, Self::Error> {
        Ok(Arc::new(crate::cascades::suspects(self.store(), scope)?))
    }
    /// The parameters the measures are computed with (renown.toml; the defaults unless set).
    fn params(&self) -> &Params {
        crate::config::defaults()
    }
    /// The earned-influence model of a scope (scores, credibility, the endorsement graph) that
    /// every influence profile in it reads. Computed afresh unless the source memoises it.
    fn earned_model(&self, scope: &Scope) -> Result<Arc<EarnedModel>, Self::Error> {
        let model = renown_measures::earned::model(
            self.store(),
            &scope.measures(),
            &self.params().measures.earned,
        )
        .map_err(AppError::from)?;
        Ok(Arc::new(model))
    }
    /// Every account's features for the fake-account rules in a scope (its topic ignored).
    /// Computed afresh unless the source memoises it.
    fn account_features(&self, scope: &Scope) -> Result<Arc<AccountFeatures>, Self::Error> {
        Ok(Arc::new(AccountFeatures::compute(self.store(), scope)?))
    }
}

/// A measure's scores with the order and ranks derived from them.
#[derive(Clone)]
pub struct Ranked {
    /// The measure scored.
    pub measure: &'static MeasureSpec,
    /// Each account's score, by dense id.
    pub scores: Scores,
    /// Account ids by descending score (ties by id).
    pub order: Vec<(u32, f64)>,
    /// 1-based competition rank of each account id (equal scores share a rank).
    pub rank_of: Vec<u32>,
    /// What makes the scope or this measure's scores degenerate.
    pub warnings: Vec<Warning>,
}

impl Ranked {
    /// Ranks `measured`'s scores, with the scope's warnings and the measure's own.
    pub fn new(measure: &'static MeasureSpec, measured: Measured, facts: &ScopeFacts) -> Ranked {
        let mut warnings = facts.warnings();
        warnings.extend(facts.measure_warnings(measure, &measured));
        let scores = measured.scores;
        let order = ranking(&scores);
        let mut rank_of = vec![0u32; scores.len()];
        for ((id, _), rank) in order.iter().zip(competition_ranks(&order)) {
            rank_of[*id as usize] = rank as u32;
        }
        Ranked {
            measure,
            scores,
            order,
            rank_of,
            warnings,
        }
    }

    /// Computes `measure` in `scope` with `params` and ranks it.
    pub fn compute(
        store: &Store,
        measure: &'static MeasureSpec,
        scope: &Scope,
        params: &Params,
    ) -> crate::Result<Ranked> {
        let m = scope.measures();
        let log = Log::read(store, &m)?;
        let facts = log.facts(&m)?;
        let measured = params.measures.measured_on(measure, &log, &m)?;
        Ok(Ranked::new(measure, measured, &facts))
    }

    /// Computes `measures` in `scope` with `params` on one [`renown_measures::Log`] of the
    /// store, in parallel, and ranks each.
    pub fn compute_all(
        store: &Store,
        measures: &[&'static MeasureSpec],
        scope: &Scope,
        params: &Params,
    ) -> crate::Result<Vec<Ranked>> {
        let m = scope.measures();
        let log = Log::read(store, &m)?;
        let facts = log.facts(&m)?;
        let scores = params.measured_all(&log, measures, &m)?;
        drop(log);
        Ok(measures
            .par_iter()
            .zip(scores)
            .map(|(measure, scores)| Ranked::new(measure, scores, &facts))
            .collect())
    }

    /// An account's score, typed for output.
    pub fn score(&self, id: u32) -> Score {
        Score::new(self.scores[id as usize], self.measure.counts)
    }
}

/// Standard competition ranks ("1224") along rows already sorted by `key`: rows with equal keys
/// share the rank of the first of them.
pub fn ranks_by<T, K: PartialEq>(rows: &[T], key: impl Fn(&T) -> K) -> Vec<usize> {
    let mut ranks: Vec<usize> = Vec::with_capacity(rows.len());
    for i in 0..rows.len() {
        let tied = i > 0 && key(&rows[i]) == key(&rows[i - 1]);
        ranks.push(if tied { ranks[i - 1] } else { i + 1 });
    }
    ranks
}

/// A score for output: a whole count as an integer, everything else at full precision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Score {
    /// A whole count.
    Count(i64),
    /// Any other score, at full precision.
    Real(f64),
}

impl Score {
    /// `value` as a count when the measure `counts` and it is whole, else as a real.
    pub fn new(value: f64, counts: bool) -> Score {
        if counts && value.fract() == 0.0 && value.abs() < 9.0e15 {
            Score::Count(value as i64)
        } else {
            Score::Real(value)
        }
    }
}

/// An account as every answer names it: the id the API accepts back, its label, platform,
/// native id and handle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRef {
    /// The account's id (dense; what the API accepts back).
    pub id: u32,
    /// Its label: `@handle` when it has one, else `platform:native_id`.
    pub account: String,
    /// The platform it lives on.
    pub platform: String,
    /// Its id on that platform.
    pub native_id: String,
    /// Its handle, when known.
    pub handle: Option<String>,
}

impl From<&AccountInfo> for AccountRef {
    fn from(a: &AccountInfo) -> AccountRef {
        AccountRef {
            id: a.dense,
            account: a.label(),
            platform: a.platform.clone(),
            native_id: a.native_id.clone(),
            handle: a.handle.clone(),
        }
    }
}

/// A [`Source`] without a cache beyond its own lifetime: each piece is computed at most once.
pub struct Direct<'a> {
    store: &'a Store,
    accounts: OnceLock<Arc<Vec<AccountInfo>>>,
    ranked: Mutex<HashMap<(&'static str, Scope), Arc<Ranked>>>,
    /// One scan per scope says what makes it degenerate, whatever measures it is asked for.
    facts: Mutex<HashMap<Scope, ScopeFacts>>,
    cascades: Mutex<HashMap<Scope, Arc<Cascades>>>,
    suspects: Mutex<HashMap<Scope, Arc<Vec<bool>>>>,
    params: Params,
}

/// The memoised value of `key`, or `compute`'s (kept when it succeeds).
fn memoised<K: std::hash::Hash + Eq + Clone, V: Clone>(
    memo: &Mutex<HashMap<K, V>>,
    key: &K,
    compute: impl FnOnce() -> crate::Result<V>,
) -> crate::Result<V> {
    let lock = || memo.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(v) = lock().get(key) {
        return Ok(v.clone());
    }
    let v = compute()?;
    lock().insert(key.clone(), v.clone());
    Ok(v)
}

impl<'a> Direct<'a> {
    /// Over `store`, with the measures' default parameters.
    pub fn new(store: &'a Store) -> Direct<'a> {
        Direct::with_params(store, Params::default())
    }

    /// Over `store`, computing the measures with `params` (renown.toml, `--config`, a binding).
    pub fn with_params(store: &'a Store, params: Params) -> Direct<'a> {
        Direct {
            store,
            accounts: OnceLock::new(),
            ranked: Mutex::new(HashMap::new()),
            facts: Mutex::new(HashMap::new()),
            cascades: Mutex::new(HashMap::new()),
            suspects: Mutex::new(HashMap::new()),
            params,
        }
    }
}

impl Source for Direct<'_> {
    type Error = AppError;

    fn store(&self) -> &Store {
        self.store
    }

    fn accounts(&self) -> crate::Result<Arc<Vec<AccountInfo>>> {
        if let Some(a) = self.accounts.get() {
            return Ok(a.clone());
        }
        let a = Arc::new(self.store.accounts()?);
        Ok(self.accounts.get_or_init(|| a).clone())
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn ranked(&self, measure: &'static MeasureSpec, scope: &Scope) -> crate::Result<Arc<Ranked>> {
        let key = (measure.name, scope.clone());
        let lock = || self.ranked.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = lock().get(&key) {
            return Ok(r.clone());
        }
        let facts = {
            let mut facts = self.facts.lock().unwrap_or_else(|p| p.into_inner());
            match facts.get(scope) {
                Some(f) => f.clone(),
                None => {
                    let f = ScopeFacts::read(self.store, &scope.measures())?;
                    facts.insert(scope.clone(), f.clone());
                    f
                }
            }
        };
        let measured = self
            .params
            .measured(self.store, measure, &scope.measures())?;
        let r = Arc::new(Ranked::new(measure, measured, &facts));
        lock().insert(key, r.clone());
        Ok(r)
    }

    fn ranked_all(
        &self,
        measures: &[&'static MeasureSpec],
        scope: &Scope,
    ) -> crate::Result<Vec<Arc<Ranked>>> {
        let missing: Vec<&'static MeasureSpec> = {
            let ranked = self.ranked.lock().unwrap_or_else(|p| p.into_inner());
            measures
                .iter()
                .filter(|m| !ranked.contains_key(&(m.name, scope.clone())))
                .copied()
                .collect()
        };
        if missing.len() > 1 {
            let computed = Ranked::compute_all(self.store, &missing, scope, &self.params)?;
            let mut ranked = self.ranked.lock().unwrap_or_else(|p| p.into_inner());
            for r in computed {
                ranked.insert((r.measure.name, scope.clone()), Arc::new(r));
            }
        }
        measures.iter().map(|m| self.ranked(m, scope)).collect()
    }

    fn cascades(&self, scope: &Scope) -> crate::Result<Arc<Cascades>> {
        memoised(&self.cascades, scope, || {
            Ok(Arc::new(Cascades::compute(self.store, scope)?))
        })
    }

    fn suspects(&self, scope: &Scope) -> crate::Result<Arc<Vec<bool>>> {
        memoised(&self.suspects, &scope.without_topic(), || {
            Ok(Arc::new(crate::cascades::suspects(self.store, scope)?))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_share_a_rank() {
        assert_eq!(
            ranks_by(&[9, 7, 7, 7, 3, 3, 1], |&x| x),
            [1, 2, 2, 2, 5, 5, 7]
        );
        assert!(ranks_by(&[] as &[u8], |&x| x).is_empty());
    }
}
