//! The read-only JSON routes: stats, the measures registry, the leaderboard, account detail.

use crate::error::{ApiError, ApiResult};
use crate::params::scope_key;
use crate::request::Read;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use renown_app::trust::TrustSeeds;
use renown_app::LeaderboardQuery;
use renown_measures::{measure, MEASURES};
use serde_json::{json, Value};
use std::sync::Arc;

/// `GET /api/stats`: [`renown_app::stats`], without the server's paths.
pub async fn stats(read: Read) -> ApiResult<Json<renown_app::Stats>> {
    read.params(&[])?;
    read.view(|view| {
        let s = view.state.caches.stats.get(
            &view.token,
            |k| k != &view.token,
            || Ok(Arc::new(renown_app::stats(view.store)?.without_paths())),
        )?;
        Ok(Json((*s).clone()))
    })
    .await
}

/// `GET /api/measures`
pub async fn measures(read: Read) -> ApiResult<Json<Value>> {
    read.params(&[])?;
    let list: Vec<Value> = MEASURES
        .iter()
        .map(|m| json!({"name": m.name, "describe": m.describe, "follows": m.follows}))
        .collect();
    Ok(Json(
        json!({ "default": MEASURES[0].name, "measures": list }),
    ))
}

/// `GET /api/leaderboard?measure=&topic=&as_of=&platform=&limit=&offset=&trust=`:
/// [`renown_app::leaderboard`]. `trust=true` (with `measure=earned`) is trust-weighted earned
/// influence (`renown rank --trust`) from the default seeds; a seeds file is the CLI's only.
pub async fn leaderboard(read: Read) -> ApiResult<Json<renown_app::Leaderboard>> {
    let (p, scope) = read.scoped(&["measure", "limit", "offset", "trust"])?;
    let page = p.page()?;
    let trust = p.flag("trust")?;
    let query = LeaderboardQuery {
        measure: measure(p.str("measure").unwrap_or(MEASURES[0].name))?
            .name
            .to_string(),
        limit: Some(page.limit),
        offset: page.offset,
        trust: trust.then_some(TrustSeeds::Default),
    };
    read.view(move |view| {
        // SybilRank and a second earned model: one of the few long-computation slots.
        let _slot = match trust {
            true => Some(view.state.jobs.start()?),
            false => None,
        };
        Ok(Json(renown_app::leaderboard(view, &scope, &query)?))
    })
    .await
}

/// `GET /api/accounts/{id}`: [`renown_app::account`].
pub async fn account(read: Read, Path(id): Path<String>) -> ApiResult<Json<renown_app::Account>> {
    let (_, scope) = read.scoped(&[])?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        Ok(Json(renown_app::account(view, &scope, dense)?))
    })
    .await
}

/// `GET /api/accounts/{id}/timeline?limit=`: [`renown_app::timeline`], with `limit` top
/// engagers.
pub async fn timeline(read: Read, Path(id): Path<String>) -> ApiResult<Json<renown_app::Timeline>> {
    let (p, scope) = read.scoped(&["limit"])?;
    let top = p.usize("limit", 10, crate::params::MAX_LIMIT)?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        let key = (dense, scope_key(&scope), view.token.clone());
        // Cached with every engager a page may ask for.
        let t = view.state.caches.timelines.get(
            &key,
            |k| k.2 != view.token,
            || {
                Ok(Arc::new(renown_app::timeline(
                    view,
                    &scope,
                    dense,
                    crate::params::MAX_LIMIT,
                )?))
            },
        )?;
        Ok(Json((*t).clone().with_top(top)))
    })
    .await
}

/// Unknown `/api/...` paths answer in JSON, not with the dashboard.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such API route; see /api/openapi.json")
}

/// The answer to a method a route does not take: 405, pointing at the OpenAPI description.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this route; see /api/openapi.json",
    )
}
