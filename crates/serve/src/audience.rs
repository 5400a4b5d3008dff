//! Audience audit routes over `renown-audit`: suspicious followers and their reasons, audience
//! quality with its interval, growth anomalies, earned influence with and without the
//! suspicious part of the audience.

use crate::api::{account_json, scope_json, View};
use crate::error::{ApiError, ApiResult};
use crate::params::{scope_key, Params};
use crate::Shared;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use renown_app::{Scope, Source};
use renown_audit::audit::{AccountAudit, Reason, SuspicionConfig};
use renown_audit::report::{audit_rows, AuditRow};
use serde_json::{json, Value};
use std::sync::Arc;

/// An audience is not topical: audits take a date and a platform, not a topic.
const AUDIT_PARAMS: [&str; 2] = ["as_of", "platform"];

/// Every audited account (those with followers), by account id, and the listing order.
pub struct AuditTable {
    rows: Vec<AuditRow>,
    /// Indexes into `rows`: the most evidence of a bought audience first
    /// (`AccountAudit::by_evidence`, the order of `renown audit --all`).
    by_suspicion: Vec<usize>,
}

impl From<renown_audit::AuditError> for ApiError {
    fn from(e: renown_audit::AuditError) -> ApiError {
        ApiError::internal(e.to_string())
    }
}

fn with_earned() -> bool {
    renown_measures::measure("earned").is_ok()
}

pub fn table(view: &View, scope: &Scope) -> ApiResult<Arc<AuditTable>> {
    // An audience is not topical: the audit ignores the topic.
    let scope = Scope {
        topic: None,
        ..scope.clone()
    };
    let key = (scope_key(&scope), view.token.clone());
    view.state.caches.audits.get(
        &key,
        |k| k.1 != view.token,
        || {
            let mut rows = audit_rows(
                view.store,
                &scope.measures(),
                &SuspicionConfig::default(),
                None,
                with_earned(),
            )?;
            rows.sort_by_key(|r| r.audit.account);
            for r in &mut rows {
                // Listings never show followers one by one; keep the memory.
                r.audit.follower_reasons = Vec::new();
            }
            let mut by_suspicion: Vec<usize> = (0..rows.len()).collect();
            by_suspicion
                .sort_by(|&a, &b| AccountAudit::by_evidence(&rows[a].audit, &rows[b].audit));
            Ok(Arc::new(AuditTable { rows, by_suspicion }))
        },
    )
}

/// Every account suspicious as a follower of some account it follows
/// ([`renown_audit::audit::Auditor::suspicious_accounts`]), by account id.
pub fn suspects(view: &View, scope: &Scope) -> ApiResult<Arc<Vec<bool>>> {
    let scope = Scope {
        topic: None,
        ..scope.clone()
    };
    let key = (scope_key(&scope), view.token.clone());
    view.state.caches.suspects.get(
        &key,
        |k| k.1 != view.token,
        || {
            let act = renown_audit::Activity::load(view.store, &scope.measures())?;
            let auditor = renown_audit::audit::Auditor::new(&act, SuspicionConfig::default());
            Ok(Arc::new(auditor.suspicious_accounts()))
        },
    )
}

fn row_json(view: &View, row: &AuditRow) -> ApiResult<Value> {
    let accounts = view.accounts()?;
    let a = &row.audit;
    let mut out = account_json(&accounts[a.account as usize]);
    let reasons: serde_json::Map<String, Value> = Reason::ALL
        .iter()
        .zip(a.reasons)
        .map(|(r, n)| (r.name().to_string(), json!(n)))
        .collect();
    let anomalies: Vec<Value> = a
        .anomalies
        .iter()
        .map(|x| {
            json!({
                "day": renown_model::format_time(x.day)[..10],
                "gained": x.gained,
                "baseline": x.baseline,
                "threshold": x.threshold,
            })
        })
        .collect();
    out["followers"] = json!(a.followers);
    out["engaged_any"] = json!(a.engaged_any);
    out["engaged_this"] = json!(a.engaged_this);
    out["suspicious"] = json!(a.suspicious);
    out["suspicious_share"] = json!(a.suspicious_share());
    out["suspicious_low"] = json!(a.bought_evidence());
    out["quality"] = json!(a.quality);
    out["quality_low"] = json!(a.quality_low);
    out["quality_high"] = json!(a.quality_high);
    out["reasons"] = json!(reasons);
    out["anomalies"] = json!(anomalies);
    out["earned"] = json!(row.earned);
    out["earned_without_suspicious"] = json!(row.earned_without);
    Ok(out)
}

/// `GET /api/audit?as_of=&platform=&limit=&offset=`: accounts with followers, the most
/// evidence of a bought audience first.
pub async fn list(State(app): State<Shared>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref(), &["as_of", "platform", "limit", "offset"])?;
    let page = p.page()?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let t = table(&view, &scope)?;
        let rows = t.by_suspicion[page.range(t.by_suspicion.len())]
            .iter()
            .map(|&i| row_json(&view, &t.rows[i]))
            .collect::<ApiResult<Vec<Value>>>()?;
        Ok(Json(json!({
            "scope": scope_json(&Scope { topic: None, ..scope }),
            "total": t.rows.len(),
            "limit": page.limit,
            "offset": page.offset,
            "rows": rows,
        })))
    })
    .await
}

/// `GET /api/accounts/{id}/audit`
pub async fn account(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref(), &AUDIT_PARAMS)?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let dense = view.find(&id)?;
        let t = table(&view, &scope)?;
        let row = match t.rows.binary_search_by_key(&dense, |r| r.audit.account) {
            Ok(i) => row_json(&view, &t.rows[i])?,
            // No followers: audited alone (cheap to list, nothing suspicious to find).
            Err(_) => {
                let rows = audit_rows(
                    store,
                    &scope.without_topic().measures(),
                    &SuspicionConfig::default(),
                    Some(&[dense]),
                    with_earned(),
                )?;
                let row = rows
                    .first()
                    .ok_or_else(|| ApiError::internal("the audit returned no row"))?;
                row_json(&view, row)?
            }
        };
        Ok(Json(row))
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
