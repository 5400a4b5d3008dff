//! Routes over where influence comes from and goes: an account's influence profile
//! (`renown_measures::profile`) and one measure against another account by account
//! (`renown_measures::scatter`).

use crate::error::{ApiError, ApiResult};
use crate::params::scope_key;
use crate::request::Read;
use crate::view::View;
use axum::extract::Path;
use axum::Json;
use renown_app::{Scope, Source};
use renown_measures::earned::{self, EarnedModel};
use renown_measures::measure;
use renown_measures::profile::{influence_profile, ProfileOptions};
use renown_measures::scatter::{scatter as scatter_of, ScatterOptions};
use serde_json::{json, Value};
use std::sync::Arc;

fn to_json<T: serde::Serialize>(v: &T) -> ApiResult<Value> {
    serde_json::to_value(v).map_err(|e| ApiError::internal(format!("encoding: {e}")))
}

/// The earned-influence model of a scope (scores, credibility, the endorsement graph), computed
/// once per store state: every profile in the scope reads it.
pub fn earned_model(view: &View, scope: &Scope) -> ApiResult<Arc<EarnedModel>> {
    let key = (scope_key(scope), view.token.clone());
    view.state.caches.earned_models.get(
        &key,
        |k| k.1 != view.token,
        || {
            Ok(Arc::new(earned::model(
                view.store,
                &scope.measures(),
                &view.params().measures.earned,
            )?))
        },
    )
}

/// `GET /api/accounts/{id}/profile?limit=`: whom the account is influenced by (the accounts it
/// endorses) and an influencer of (its endorsers), with the influence passed each way, and its
/// earned influence by topic.
pub async fn account(read: Read, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (p, scope) = read.scoped(&["limit"])?;
    let limit = p.usize("limit", 10, crate::params::MAX_LIMIT)?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        let key = (dense, scope_key(&scope), limit, view.token.clone());
        let v = view.state.caches.profiles.get(
            &key,
            |k| k.3 != view.token,
            || {
                let model = earned_model(view, &scope)?;
                let opts = ProfileOptions {
                    accounts: limit,
                    topics: limit.max(12),
                    ..ProfileOptions::default()
                };
                let mut out = to_json(&influence_profile(
                    view.store,
                    &scope.measures(),
                    &model,
                    dense,
                    &opts,
                )?)?;
                out["scope"] = json!(scope);
                Ok(Arc::new(out))
            },
        )?;
        Ok(Json((*v).clone()))
    })
    .await
}

/// `GET /api/scatter?x=followers&y=earned&points=`: every account's score under two measures
/// (a sample of a large store, keeping each measure's top accounts), the accounts furthest from
/// agreeing each way, and the overlap of the two top-k sets.
pub async fn scatter(read: Read) -> ApiResult<Json<Value>> {
    let (p, scope) = read.scoped(&["x", "y", "points"])?;
    let x = measure(p.str("x").unwrap_or("followers"))?.name;
    let y = measure(p.str("y").unwrap_or(renown_measures::MEASURES[0].name))?.name;
    if x == y {
        return Err(ApiError::bad_request(
            "x and y: name two different measures",
        ));
    }
    let max_points = p.usize("points", 2000, 20_000)?.max(1);
    read.view(move |view| {
        let key = (
            format!("{x}/{y}/{max_points}"),
            scope_key(&scope),
            view.token.clone(),
        );
        let v = view.state.caches.scatters.get(
            &key,
            |k| k.2 != view.token,
            || {
                let (rx, ry) = (view.ranked(x, &scope)?, view.ranked(y, &scope)?);
                let s = scatter_of(
                    &rx.scores,
                    &ry.scores,
                    &ScatterOptions {
                        max_points,
                        ..ScatterOptions::default()
                    },
                );
                let accounts = view.accounts()?;
                let mut out = to_json(&s)?;
                if let Some(points) = out["points"].as_array_mut() {
                    for pt in points {
                        let id = pt["dense_id"].as_u64().unwrap_or(0) as usize;
                        if let Some(a) = accounts.get(id) {
                            pt["account"] = json!(a.label());
                        }
                    }
                }
                out["x"] = json!(x);
                out["y"] = json!(y);
                out["scope"] = json!(scope);
                let mut warnings = rx.warnings.clone();
                warnings.extend(
                    ry.warnings
                        .iter()
                        .filter(|w| !rx.warnings.contains(w))
                        .cloned(),
                );
                out["warnings"] = to_json(&warnings)?;
                Ok(Arc::new(out))
            },
        )?;
        Ok(Json((*v).clone()))
    })
    .await
}
