//! `GET /api/seeds`: who to engage. The answer and JSON of `renown seeds --format json`
//! ([`renown_app::seeds::seeds`]) with the CLI's defaults, except that `k` defaults to 10 here
//! (the CLI asks for it) and `exclude`/`candidates` (files there) are not offered.

use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::request::Read;
use axum::Json;
use renown_app::seeds::SeedsQuery;
use renown_app::Source;
use renown_spread::im::report::{
    DEFAULT_EPSILON, DEFAULT_MODEL, DEFAULT_PROBABILITIES, DEFAULT_SEED, DEFAULT_SIMS,
};

/// The query parameters besides the scope, named as the CLI's flags.
pub const PARAMS: [&str; 9] = [
    "k",
    "model",
    "epsilon",
    "delta",
    "probabilities",
    "compare",
    "holdout",
    "sims",
    "seed",
];

/// Seeds chosen when a request names no `k` (the CLI's default).
pub const DEFAULT_K: usize = 10;
/// The most seeds a request may ask for.
pub const MAX_K: usize = 1000;
/// The smallest ε a request may ask for: the sample grows as 1/ε², so a tighter guarantee is
/// the CLI's to compute.
pub const MIN_EPSILON: f64 = 0.05;

fn number(p: &Params, key: &str) -> ApiResult<Option<f64>> {
    p.str(key)
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| ApiError::bad_request(format!("{key} must be a number, not {v:?}")))
        })
        .transpose()
}

/// The query a request asks for; what it leaves out is the CLI's default.
pub fn query(p: &Params) -> ApiResult<SeedsQuery> {
    let k = p.usize("k", DEFAULT_K, MAX_K)?;
    if k == 0 {
        return Err(ApiError::bad_request("k must be at least 1"));
    }
    let epsilon = number(p, "epsilon")?.unwrap_or(DEFAULT_EPSILON);
    if epsilon < MIN_EPSILON {
        return Err(ApiError::bad_request(format!(
            "epsilon must be at least {MIN_EPSILON} here; the CLI computes tighter guarantees"
        )));
    }
    let sims = p.usize("sims", DEFAULT_SIMS as usize, DEFAULT_SIMS as usize)? as u64;
    Ok(SeedsQuery {
        k,
        model: match p.str("model") {
            Some(m) => m.parse().map_err(ApiError::bad_request)?,
            None => DEFAULT_MODEL,
        },
        probabilities: match p.str("probabilities") {
            Some(s) => s.parse().map_err(ApiError::bad_request)?,
            None => DEFAULT_PROBABILITIES,
        },
        epsilon,
        delta: number(p, "delta")?,
        exclude: Vec::new(),
        candidates: None,
        compare_sims: if p.flag("compare")? { sims } else { 0 },
        holdout: p.flag("holdout")?,
        seed: p.usize("seed", DEFAULT_SEED as usize, usize::MAX)? as u64,
    })
}

/// `GET /api/seeds?k=&model=&epsilon=&delta=&probabilities=&compare=&holdout=&sims=&seed=`
/// and the scope.
pub async fn seeds(read: Read) -> ApiResult<Json<renown_app::seeds::SeedsAnswer>> {
    let (p, scope) = read.scoped(&PARAMS)?;
    let query = query(&p)?;
    read.view(move |view| {
        // The caller chooses the cost: one of the few long-computation slots.
        let _slot = view.state.jobs.start()?;
        Ok(Json(renown_app::seeds::seeds(
            view.store,
            &scope,
            &query,
            view.params(),
        )?))
    })
    .await
}
