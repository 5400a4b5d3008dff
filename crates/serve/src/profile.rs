//! Routes over where influence comes from and goes: an account's influence profile
//! ([`renown_app::profile`]) and one measure against another account by account
//! ([`renown_app::scatter`]).

use crate::error::ApiResult;
use crate::params::scope_key;
use crate::request::Read;
use axum::extract::Path;
use axum::Json;
use renown_app::scatter::{ScatterQuery, MAX_POINTS};
use renown_app::{Profile, Scatter};
use std::sync::Arc;

/// `GET /api/accounts/{id}/profile?limit=`: [`renown_app::profile`] — whom the account is
/// influenced by (the accounts it endorses) and an influencer of (its endorsers), with the
/// influence passed each way, and its earned influence by topic.
pub async fn account(read: Read, Path(id): Path<String>) -> ApiResult<Json<Profile>> {
    let (p, scope) = read.scoped(&["limit"])?;
    let limit = p.usize("limit", 10, renown_app::profile::MAX_LISTED)?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        let key = (dense, scope_key(&scope), limit, view.token.clone());
        let profile = view.state.caches.profiles.get(
            &key,
            |k| k.3 != view.token,
            || Ok(Arc::new(renown_app::profile(view, &scope, dense, limit)?)),
        )?;
        Ok(Json((*profile).clone()))
    })
    .await
}

/// `GET /api/scatter?x=followers&y=earned&points=`: [`renown_app::scatter`] — every account's
/// score under two measures (a sample of a large store, keeping each measure's top accounts),
/// the accounts furthest from agreeing each way, and the overlap of the two top-k sets.
pub async fn scatter(read: Read) -> ApiResult<Json<Scatter>> {
    let (p, scope) = read.scoped(&["x", "y", "points"])?;
    let defaults = ScatterQuery::default();
    let query = ScatterQuery {
        x: p.str("x").map_or(defaults.x, str::to_string),
        y: p.str("y").map_or(defaults.y, str::to_string),
        points: p.usize("points", defaults.points, MAX_POINTS)?,
    };
    // A wrong measure is refused before the store is read.
    let (x, y) = renown_app::scatter::measures_of(&query)?;
    read.view(move |view| {
        let key = (
            format!("{x}/{y}/{}", query.points.max(1)),
            scope_key(&scope),
            view.token.clone(),
        );
        let scatter = view.state.caches.scatters.get(
            &key,
            |k| k.2 != view.token,
            || Ok(Arc::new(renown_app::scatter(view, &scope, &query)?)),
        )?;
        Ok(Json((*scatter).clone()))
    })
    .await
}
