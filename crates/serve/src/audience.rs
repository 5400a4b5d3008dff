//! Audience audit routes over [`renown_app::audit`]: suspicious followers and their reasons,
//! audience quality with its interval, growth anomalies, earned influence with and without the
//! suspicious part of the audience.

use crate::error::{ApiError, ApiResult};
use crate::params::scope_key;
use crate::request::Read;
use crate::view::View;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use renown_app::audit::{audit_account, audit_all, AuditList, AuditQuery, AuditReport};
use renown_app::{person_audit, person_audit_all, FakeAssessment, Per, PersonAuditList, Scope};
use std::sync::Arc;

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

/// Every audited person (those with follower persons), as [`table`] for accounts.
fn person_table(view: &View, scope: &Scope) -> ApiResult<Arc<PersonAuditList>> {
    let scope = scope.without_topic();
    let key = (scope_key(&scope), view.token.clone());
    view.state.caches.person_audits.get(
        &key,
        |k| k.1 != view.token,
        || {
            Ok(Arc::new(person_audit_all(
                view,
                &scope,
                &AuditQuery::default(),
            )?))
        },
    )
}

/// `GET /api/audit?as_of=&platform=&limit=&offset=&per=`: [`renown_app::audit::audit_all`], a
/// page; with `per=person` [`renown_app::person_audit_all`]; both cached per scope and state.
pub async fn list(read: Read) -> ApiResult<Response> {
    let (p, scope) = read.dated(&["limit", "offset", "per"])?;
    let page = p.page()?;
    let per = crate::persons::per(&p)?;
    read.view(move |view| {
        if per == Per::Person {
            let all = person_table(view, &scope)?;
            return Ok(Json(PersonAuditList {
                scope: all.scope.clone(),
                per: all.per,
                total: all.total,
                limit: page.limit,
                offset: page.offset,
                parameters: all.parameters.clone(),
                rows: all.rows[page.range(all.rows.len())].to_vec(),
                warnings: all.warnings.clone(),
            })
            .into_response());
        }
        let all = table(view, &scope)?;
        Ok(Json(AuditList {
            scope: all.scope.clone(),
            total: all.total,
            limit: page.limit,
            offset: page.offset,
            parameters: all.parameters.clone(),
            rows: all.rows[page.range(all.rows.len())].to_vec(),
            warnings: all.warnings.clone(),
        })
        .into_response())
    })
    .await
}

/// `GET /api/accounts/{id}/audit?per=`: [`renown_app::audit::audit_account`]; with
/// `per=person` [`renown_app::person_audit`] of the person holding the account.
pub async fn account(read: Read, Path(id): Path<String>) -> ApiResult<Response> {
    let (p, scope) = read.dated(&["per"])?;
    let per = crate::persons::per(&p)?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        if per == Per::Person {
            let report = person_audit(view, &scope, dense, &Default::default())?;
            return Ok(Json(report).into_response());
        }
        let all = table(view, &scope)?;
        let report = match all.rows.iter().find(|r| r.account.id == dense) {
            // A list carries the parameters once; a single report echoes them itself.
            Some(r) => AuditReport {
                parameters: all.parameters.clone(),
                ..r.clone()
            },
            // No followers: audited alone (cheap, nothing suspicious to find).
            None => audit_account(view, &scope, dense, &Default::default())?,
        };
        Ok(Json(report).into_response())
    })
    .await
}

/// `GET /api/accounts/{id}/fake?as_of=&platform=`: [`renown_app::assess`] — the account
/// against the literature's fake-account rule sets: each set's verdict and score, the criteria
/// against it in their own words, the features read, and whether profile data exists for it
/// (without, the rules see only what the event log shows).
pub async fn fake(read: Read, Path(id): Path<String>) -> ApiResult<Json<FakeAssessment>> {
    let (_, scope) = read.dated(&[])?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        Ok(Json(renown_app::assess(view, &scope, dense)?))
    })
    .await
}
