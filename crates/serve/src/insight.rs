//! Routes over the earned-influence explanations and the measure comparison
//! (`renown_measures::explain`, `renown_measures::compare`).

use crate::cache::Progress;
use crate::error::{ApiError, ApiResult};
use crate::params::scope_key;
use crate::request::Read;
use crate::view::View;
use axum::extract::Path;
use axum::Json;
use renown_app::{CompareQuery, Comparison, Direct, Explained, Source, Trajectory};
use renown_measures::MEASURES;
use std::sync::Arc;

/// Most month-end points a trajectory computes (each is a full recomputation of the measure).
const MAX_MONTHS: usize = 36;

type ExplainKey = (u32, crate::view::ScopeKey, usize, usize, String);

fn explain_key(
    view: &View,
    dense: u32,
    scope: &renown_app::Scope,
    endorsers: usize,
    months: usize,
) -> ExplainKey {
    (
        dense,
        scope_key(scope),
        endorsers,
        months,
        view.token.clone(),
    )
}

/// The explanation with the server's parameters (every month-end point of its trajectory is a
/// full recomputation).
fn explanation(
    store: &renown_store::Store,
    params: &renown_app::Params,
    scope: &renown_app::Scope,
    dense: u32,
    endorsers: usize,
    months: usize,
) -> ApiResult<Arc<Explained>> {
    let source = Direct::with_params(store, params.clone());
    let e = renown_app::explain(&source, scope, dense, endorsers, months)?;
    Ok(Arc::new(e))
}

/// An answer the server computes in the background: what it can say now, and whether more is
/// coming (ask again).
#[derive(serde::Serialize)]
pub struct Progressive<T> {
    #[serde(flatten)]
    /// What is known now (its fields at the top level of the JSON).
    pub answer: T,
    /// True while the rest is still being computed: ask again.
    pub pending: bool,
}

/// The explanation for (account, scope, endorsers listed, trajectory months), cached.
fn explained(
    view: &View,
    dense: u32,
    scope: &renown_app::Scope,
    endorsers: usize,
    months: usize,
) -> ApiResult<Arc<Explained>> {
    let key = explain_key(view, dense, scope, endorsers, months);
    view.state.caches.explanations.get(
        &key,
        |k| k.4 != view.token,
        || explanation(view.store, view.params(), scope, dense, endorsers, months),
    )
}

/// `GET /api/accounts/{id}/explain?endorsers=`: [`renown_app::explain`] without a trajectory
/// (`renown explain --months 0`).
pub async fn explain(read: Read, Path(id): Path<String>) -> ApiResult<Json<Explained>> {
    let (p, scope) = read.scoped(&["endorsers"])?;
    let endorsers = p.usize("endorsers", 10, crate::params::MAX_LIMIT)?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        Ok(Json(
            (*explained(view, dense, &scope, endorsers, 0)?).clone(),
        ))
    })
    .await
}

/// `GET /api/accounts/{id}/trajectory?months=`: [`renown_app::trajectory`].
pub async fn trajectory(
    read: Read,
    Path(id): Path<String>,
) -> ApiResult<(axum::http::HeaderMap, Json<Progressive<Trajectory>>)> {
    let (p, scope) = read.scoped(&["months"])?;
    let months = p.usize("months", 12, MAX_MONTHS)?;
    let background = read.app().clone();
    read.view(move |view| {
        let dense = view.find(&id)?;
        let key = explain_key(view, dense, &scope, 0, months);
        let token = view.token.clone();
        let in_scope = scope.clone();
        // Each month end is a full recomputation: computed in the background, the answer is
        // the score and rank now until the points are in.
        let progress = view.state.caches.explanations.in_background(
            &key,
            |k| k.4 != view.token,
            move || {
                background.pool.with(|store| {
                    if store.state_token()? != token {
                        return Err(ApiError::unavailable(
                            "the store changed while the trajectory was computed; ask again",
                            1,
                        ));
                    }
                    let params = &background.config.params;
                    explanation(store, params, &in_scope, dense, 0, months)
                })
            },
        );
        let e = match progress {
            Progress::Ready(e) => e,
            Progress::Failed(e) => return Err(e),
            Progress::Pending => {
                let earned = view.ranked(MEASURES[0].name, &scope)?;
                let accounts = view.accounts()?;
                let now = Trajectory {
                    id: dense,
                    account: accounts
                        .get(dense as usize)
                        .map(|a| a.label())
                        .unwrap_or_default(),
                    scope: scope.clone(),
                    score: earned.scores[dense as usize],
                    rank: earned.rank_of[dense as usize] as usize,
                    points: Vec::new(),
                };
                return Ok((
                    crate::answers::partial(true),
                    Json(Progressive {
                        answer: now,
                        pending: true,
                    }),
                ));
            }
        };
        Ok((
            crate::answers::partial(false),
            Json(Progressive {
                answer: Trajectory::of(&e, &scope),
                pending: false,
            }),
        ))
    })
    .await
}

/// `GET /api/compare?measures=a,b&top=10,1`: [`renown_app::compare`] — Spearman and Kendall
/// rank correlations between every pair of measures, over all accounts and over each measure's
/// top percent (Cha et al. 2010's table). Scores come from the same cache as the leaderboard.
pub async fn compare(read: Read) -> ApiResult<Json<Comparison>> {
    let (p, scope) = read.scoped(&["measures", "top", "per"])?;
    let list = |key: &str| -> Vec<String> {
        p.str(key).map_or(Vec::new(), |v| {
            v.split(',').map(|s| s.trim().to_string()).collect()
        })
    };
    let mut query = CompareQuery {
        measures: list("measures"),
        per: crate::persons::per(&p)?,
        ..CompareQuery::default()
    };
    if p.str("top").is_some() {
        query.top_percent = list("top")
            .iter()
            .map(|t| {
                t.parse::<f64>().map_err(|_| {
                    ApiError::bad_request(format!("top: percentages between 0 and 100, not {t:?}"))
                })
            })
            .collect::<ApiResult<_>>()?;
    }
    // Checked before any computation: a wrong parameter is the caller's to fix.
    renown_app::compare::measures_of(&query)?;
    read.view(move |view| {
        let key = (
            format!(
                "{:?}/{:?}/{:?}",
                query.measures, query.top_percent, query.per
            ),
            scope_key(&scope),
            view.token.clone(),
        );
        let c = view.state.caches.comparisons.get(
            &key,
            |k| k.2 != view.token,
            || Ok(Arc::new(renown_app::compare(view, &scope, &query)?)),
        )?;
        Ok(Json((*c).clone()))
    })
    .await
}
