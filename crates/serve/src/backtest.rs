//! `GET /api/backtest`: does a measure predict? The same `renown_measures::backtest::Backtest`
//! that `renown backtest --format json` prints, with the same defaults.

use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::request::Read;
use axum::Json;
use std::sync::Arc;

use renown_app::backtest::{parse_duration, BacktestOptions, Target, DEFAULT_BOOTSTRAP, MAX_K};
use renown_app::Scope;
use renown_app::Source;

/// The query parameters, named as the CLI's flags.
pub const PARAMS: [&str; 10] = [
    "split",
    "horizon",
    "k",
    "measures",
    "target",
    "bootstrap",
    "seed",
    "platform",
    "tune",
    "per",
];

/// What a request may ask for: the CLI's default number of resamples, no more (each costs
/// a pass over every measure's accounts).
pub const MAX_BOOTSTRAP: usize = DEFAULT_BOOTSTRAP;

/// The options a query asks for; everything it leaves out is [`BacktestOptions::default`].
pub fn options(p: &Params) -> ApiResult<BacktestOptions> {
    let d = BacktestOptions::default();
    let list = |key: &str| -> Vec<String> {
        p.str(key).map_or(Vec::new(), |v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
    };
    Ok(BacktestOptions {
        splits: list("split")
            .iter()
            .map(|s| {
                renown_app::scope::parse_as_of(s)
                    .map_err(|e| ApiError::bad_request(format!("split {e}")))
            })
            .collect::<ApiResult<_>>()?,
        horizon: p
            .str("horizon")
            .map(|h| parse_duration(h).map_err(|e| ApiError::bad_request(format!("horizon: {e}"))))
            .transpose()?,
        k: p.usize("k", d.k, MAX_K)?,
        measures: list("measures"),
        target: match p.str("target") {
            Some(t) => Target::parse(t)?,
            None => d.target,
        },
        bootstrap: p.usize("bootstrap", d.bootstrap, MAX_BOOTSTRAP)?,
        seed: p.usize("seed", d.seed as usize, usize::MAX)? as u64,
        // As `renown backtest --tune`: earned's parameters chosen on the earlier splits,
        // reported on the last as `earned-tuned` (part of the memo key through the options).
        tune: p.flag("tune")?,
        per_person: crate::persons::per(p)? == renown_app::Per::Person,
        ..d
    })
}

/// `GET /api/backtest?split=&horizon=&k=&measures=&target=&bootstrap=&seed=&platform=&tune=`.
pub async fn backtest(read: Read) -> ApiResult<Json<renown_app::backtest::BacktestAnswer>> {
    let p = read.params(&PARAMS)?;
    let opts = options(&p)?;
    let scope = Scope {
        platform: p.str("platform").map(str::to_string),
        ..Scope::default()
    };
    read.view(move |view| {
        // Memoised per store state: the same question again is answered without recomputing
        // every measure and the bootstrap (seeded, so the answer is the same).
        let key = (
            format!("{opts:?}"),
            crate::params::scope_key(&scope),
            view.token.clone(),
        );
        let answer = view.state.caches.backtests.get(
            &key,
            |k| k.2 != view.token,
            || {
                // The caller chooses the cost: one of the few long-computation slots.
                let _slot = view.state.jobs.start()?;
                Ok(Arc::new(renown_app::backtest::backtest(
                    view.store,
                    &scope,
                    &opts,
                    view.params(),
                )?))
            },
        )?;
        Ok(Json((*answer).clone()))
    })
    .await
}
