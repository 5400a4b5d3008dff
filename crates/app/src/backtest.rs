//! Does a measure predict? `renown backtest` and `GET /api/backtest` answer with the same
//! [`Backtest`]: every measure as of rolling-origin splits, scored against what happened after.

use crate::config::{Params, WithParameters};
use crate::{AppError, Scope};
use renown_measures::{measure, MEASURES};
use renown_store::Store;
use std::collections::HashMap;

pub use renown_measures::backtest::{
    parse_duration, Backtest, BacktestOptions, Pending, Reach, Target, DEFAULT_BOOTSTRAP,
    DEFAULT_K, MAX_K,
};

/// A backtest with the parameters of the measures it scored that take any.
pub type BacktestAnswer = WithParameters<Backtest>;

/// Backtests the measures `opts` names, computed with `params`, on the events of `scope`'s
/// platform. A backtest chooses
/// its own dates (the splits) and reads every topic: a scope with a date, a window, a topic or
/// kinds is refused rather than silently ignored. The `cascade-reach` target is computed by
/// renown-spread's tree reconstruction ([`renown_spread::cascades::reach_after`]).
pub fn backtest(
    store: &Store,
    scope: &Scope,
    opts: &BacktestOptions,
    params: &Params,
) -> crate::Result<BacktestAnswer> {
    backtest_progressive(store, scope, opts, params, &|_| {})
}

/// [`backtest`], telling `partial` each time more of the answer is known (the oldest splits'
/// point estimates first, [`renown_measures::backtest::Pending`] saying what is still
/// computed); the complete answer is returned.
pub fn backtest_progressive(
    store: &Store,
    scope: &Scope,
    opts: &BacktestOptions,
    params: &Params,
    partial: &(dyn Fn(BacktestAnswer) + Sync),
) -> crate::Result<BacktestAnswer> {
    if scope.as_of.is_some() || scope.since.is_some() {
        return Err(AppError::Invalid(
            "a backtest is dated by its splits and takes no as-of date or window".into(),
        ));
    }
    if scope.topic.is_some() || scope.kinds.is_some() {
        return Err(AppError::Invalid(
            "a backtest reads every topic and kind; it takes a platform only".into(),
        ));
    }
    for m in &opts.measures {
        measure(m.trim())?;
    }
    let opts = BacktestOptions {
        measures: opts.measures.iter().map(|m| m.trim().to_string()).collect(),
        platform: scope.platform.clone(),
        cascade_reach: Some(Reach(renown_spread::cascades::reach_after)),
        params: params.measures.clone(),
        ..opts.clone()
    };
    let scored: Vec<&'static str> = if opts.measures.is_empty() {
        MEASURES.iter().map(|m| m.name).collect()
    } else {
        opts.measures
            .iter()
            .map(|m| measure(m))
            .map(|m| m.map(|m| m.name))
            .collect::<Result<_, _>>()?
    };
    let result = renown_measures::backtest::backtest_progressive(store, &opts, &|b| {
        partial(params.echoed(b, &scored))
    })?;
    Ok(params.echoed(result, &scored))
}

/// `(platform:native_id, value)` pairs as a value per account id (a backtest's known truth),
/// and how many pairs named no account in the store.
pub fn truth_by_id(
    store: &Store,
    rows: impl IntoIterator<Item = (String, f64)>,
) -> crate::Result<(Vec<Option<f64>>, usize)> {
    let by_key: HashMap<String, u32> = store
        .accounts()?
        .into_iter()
        .map(|a| (format!("{}:{}", a.platform, a.native_id), a.dense))
        .collect();
    let mut truth = vec![None; store.account_count()? as usize];
    let mut unknown = 0;
    for (key, value) in rows {
        match by_key.get(&key) {
            Some(&d) => truth[d as usize] = Some(value),
            None => unknown += 1,
        }
    }
    Ok((truth, unknown))
}
