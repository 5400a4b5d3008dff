//! Persons (accounts linked by `renown link`): `GET /api/persons` ranks them,
//! `GET /api/persons/{id}/explain` explains one by endorsing person and platform.

use crate::error::ApiResult;
use crate::params::Params;
use crate::request::Read;
use axum::extract::Path;
use axum::Json;
use renown_measures::{measure, MEASURES};

/// The `per` parameter of the routes that answer per account or per person (`account` unless
/// given): compare, audit, backtest.
pub fn per(p: &Params) -> ApiResult<renown_app::Per> {
    Ok(p.str("per")
        .map_or(Ok(renown_app::Per::Account), str::parse)?)
}

/// `GET /api/persons?measure=&topic=&as_of=&platform=&limit=&offset=`:
/// [`renown_app::person_leaderboard`].
pub async fn list(read: Read) -> ApiResult<Json<renown_app::PersonLeaderboard>> {
    let (p, scope) = read.scoped(&["measure", "limit", "offset"])?;
    let page = p.page()?;
    let name = measure(p.str("measure").unwrap_or(MEASURES[0].name))?.name;
    read.view(move |view| {
        Ok(Json(renown_app::person_leaderboard(
            view,
            &scope,
            name,
            Some(page.limit),
            page.offset,
        )?))
    })
    .await
}

/// `GET /api/persons/{id}/explain?endorsers=`: [`renown_app::person_explain`] for the person
/// holding account `id`.
pub async fn explain(
    read: Read,
    Path(id): Path<String>,
) -> ApiResult<Json<renown_app::PersonExplained>> {
    let (p, scope) = read.scoped(&["endorsers"])?;
    let endorsers = p.usize("endorsers", 10, crate::params::MAX_LIMIT)?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        Ok(Json(renown_app::person_explain(
            view, &scope, dense, endorsers,
        )?))
    })
    .await
}

/// `GET /api/gap?offline=&limit=&as_of=&platform=&topic=`: [`renown_app::gap`]; `undefined`
/// says why when there is no gap (no offline figures, fewer than three persons with one).
pub async fn gap(read: Read) -> ApiResult<Json<renown_app::Gap>> {
    let (p, scope) = read.scoped(&["offline", "limit"])?;
    let query = renown_app::GapQuery {
        offline_measure: p.str("offline").map(str::to_string),
        limit: Some(p.usize("limit", 10, crate::params::MAX_LIMIT)?),
    };
    read.view(move |view| Ok(Json(renown_app::gap(view, &scope, &query)?)))
        .await
}
