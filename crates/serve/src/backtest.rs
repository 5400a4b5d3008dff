//! `GET /api/backtest`: does a measure predict? The same `renown_measures::backtest::Backtest`
//! that `renown backtest --format json` prints, with the same defaults.

use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::Shared;
use axum::extract::{RawQuery, State};
use axum::Json;
use renown_measures::backtest::{
    backtest as run_backtest, parse_duration, BacktestOptions, Target, DEFAULT_BOOTSTRAP, MAX_K,
};
use serde_json::Value;

/// The query parameters, named as the CLI's flags.
pub const PARAMS: [&str; 8] = [
    "split",
    "horizon",
    "k",
    "measures",
    "target",
    "bootstrap",
    "seed",
    "platform",
];

/// What a request may ask for: the CLI's default number of resamples, no more (each costs
/// a pass over every measure's accounts).
pub const MAX_BOOTSTRAP: usize = DEFAULT_BOOTSTRAP;

/// A split as on the command line: a bare date means the end of that day (UTC).
fn parse_split(s: &str) -> ApiResult<i64> {
    let s = s.trim();
    let t = renown_model::parse_time(s)
        .map_err(|e| ApiError::bad_request(format!("split {s:?}: {e}")))?;
    let is_bare_date = s.len() == 10 && s.as_bytes()[4] == b'-';
    Ok(if is_bare_date { t + 86_399 } else { t })
}

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
            .map(|s| parse_split(s))
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
        platform: p.str("platform").map(str::to_string),
        ..d
    })
}

/// `GET /api/backtest?split=&horizon=&k=&measures=&target=&bootstrap=&seed=&platform=`.
pub async fn backtest(State(app): State<Shared>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref(), &PARAMS)?;
    let opts = options(&p)?;
    app.blocking(move |state, store| {
        // The caller chooses the cost: one of the few long-computation slots.
        let _slot = state.jobs.start()?;
        let result = run_backtest(store, &opts)?;
        serde_json::to_value(&result)
            .map(Json)
            .map_err(|e| ApiError::internal(format!("encoding the backtest: {e}")))
    })
    .await
}
