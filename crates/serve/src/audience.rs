//! Audience audit routes over [`renown_app::audit`]: suspicious followers and their reasons,
//! audience quality with its interval, growth anomalies, earned influence with and without the
//! suspicious part of the audience.

use crate::api::View;
use crate::error::{ApiError, ApiResult};
use crate::params::{scope_key, Params};
use crate::Shared;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use renown_app::audit::{audit_account, audit_all, AuditList, AuditQuery, AuditReport};
use renown_app::{Scope, Source};
use serde_json::{json, Value};
use std::sync::Arc;

/// An audience is not topical: audits take a date and a platform, not a topic.
const AUDIT_PARAMS: [&str; 2] = ["as_of", "platform"];

impl From<renown_audit::AuditError> for ApiError {
    fn from(e: renown_audit::AuditError) -> ApiError {
        ApiError::internal(e.to_string())
    }
}

/// Every audited account (those with followers), the most evidence of a bought audience first
/// (the order of `renown audit --all`), cached per scope and store state.
pub fn table(view: &View, scope: &Scope) -> ApiResult<Arc<AuditList>> {
    let scope = scope.without_topic();
    let key = (scope_key(&scope), view.token.clone());
    view.state.caches.audits.get(
        &key,
        |k| k.1 != view.token,
        || Ok(Arc::new(audit_all(view, &scope, &AuditQuery::default())?)),
    )
}

/// `GET /api/audit?as_of=&platform=&limit=&offset=`: [`renown_app::audit::audit_all`], a page.
pub async fn list(State(app): State<Shared>, RawQuery(q): RawQuery) -> ApiResult<Json<AuditList>> {
    let p = Params::parse(q.as_deref(), &["as_of", "platform", "limit", "offset"])?;
    let page = p.page()?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let all = table(&view, &scope)?;
        Ok(Json(AuditList {
            scope: all.scope.clone(),
            total: all.total,
            limit: page.limit,
            offset: page.offset,
            rows: all.rows[page.range(all.rows.len())].to_vec(),
        }))
    })
    .await
}

/// `GET /api/accounts/{id}/audit`: [`renown_app::audit::audit_account`].
pub async fn account(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<AuditReport>> {
    let p = Params::parse(q.as_deref(), &AUDIT_PARAMS)?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let dense = view.find(&id)?;
        let all = table(&view, &scope)?;
        match all.rows.iter().find(|r| r.account.id == dense) {
            Some(r) => Ok(Json(r.clone())),
            // No followers: audited alone (cheap, nothing suspicious to find).
            None => Ok(Json(audit_account(
                &view,
                &scope,
                dense,
                &Default::default(),
            )?)),
        }
    })
    .await
}

/// Every account's features for the fake-account rules and whether an export gave it a profile.
pub struct AccountFeatures {
    features: Vec<renown_audit::features::Features>,
    profile: Vec<bool>,
}

fn account_features(view: &View, scope: &Scope) -> ApiResult<Arc<AccountFeatures>> {
    let scope = Scope {
        topic: None,
        ..scope.clone()
    };
    let key = (scope_key(&scope), view.token.clone());
    view.state.caches.features.get(
        &key,
        |k| k.1 != view.token,
        || {
            let act = renown_audit::Activity::load(view.store, &scope.measures())?;
            let features = renown_audit::features::from_store(view.store, &act)?;
            let infos = view.accounts()?;
            let profile = renown_audit::profile::from_store(view.store, &infos)?
                .iter()
                .map(renown_audit::assess::has_profile)
                .collect();
            Ok(Arc::new(AccountFeatures { features, profile }))
        },
    )
}

/// `GET /api/accounts/{id}/fake?as_of=&platform=`: the account against the literature's
/// fake-account rule sets — each set's verdict and score, the criteria against it in their own
/// words, the features read — and whether profile data exists for it (without, the rules see only
/// what the event log shows).
pub async fn fake(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref(), &AUDIT_PARAMS)?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let dense = view.find(&id)?;
        let all = account_features(&view, &scope)?;
        let (Some(f), Some(&profile)) = (
            all.features.get(dense as usize),
            all.profile.get(dense as usize),
        ) else {
            return Err(ApiError::not_found(format!(
                "no account {id:?} in the store"
            )));
        };
        let mut out = serde_json::to_value(renown_audit::assess::assess(f, profile))
            .map_err(|e| ApiError::internal(format!("encoding: {e}")))?;
        out["id"] = json!(dense);
        Ok(Json(out))
    })
    .await
}
