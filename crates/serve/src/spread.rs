//! Spread routes over `renown-spread`: cascades, one cascade's tree, per-account spread, and
//! the dynamics of "the big get bigger".

use crate::api::{account_json, scope_json, View, SCOPE_PARAMS};
use crate::cache::Progress;
use crate::error::{ApiError, ApiResult};
use crate::params::{scope_key, Params};
use crate::Shared;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use renown_app::{Scope, Source};
use renown_spread::cascades::{Cascade, CascadeOptions, CascadeReport};
use renown_spread::dynamics::{DynamicsOptions, DynamicsReport, Period};
use renown_spread::SpreadError;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

impl From<SpreadError> for ApiError {
    fn from(e: SpreadError) -> ApiError {
        match e {
            SpreadError::Store(s) => s.into(),
            SpreadError::Invalid(m) => ApiError::bad_request(m),
            SpreadError::Cancelled => crate::jobs::cancelled(),
        }
    }
}

/// Every cascade in a scope, with an index by id.
pub struct Cascades {
    report: CascadeReport,
    by_id: HashMap<String, usize>,
}

fn cascades(view: &View, scope: &Scope) -> ApiResult<Arc<Cascades>> {
    let key = (scope_key(scope), view.token.clone());
    view.state.caches.cascades.get(
        &key,
        |k| k.1 != view.token,
        || {
            let report = renown_spread::cascades(
                view.store,
                &CascadeOptions {
                    as_of: scope.as_of,
                    topic: scope.topic.clone(),
                    platform: scope.platform.clone(),
                    ..CascadeOptions::default()
                },
            )?;
            let by_id = report
                .cascades
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.clone(), i))
                .collect();
            Ok(Arc::new(Cascades { report, by_id }))
        },
    )
}

fn time(t: Option<i64>) -> Value {
    json!(t.map(renown_model::format_time))
}

fn summary(view: &View, c: &Cascade) -> ApiResult<Value> {
    let accounts = view.accounts()?;
    let s = &c.stats;
    Ok(json!({
        "id": c.id,
        "origin": c.origin,
        "topic": c.topic,
        "root": account_json(&accounts[c.root as usize]),
        "size": s.size,
        "depth": s.depth,
        "max_breadth": s.max_breadth,
        "structural_virality": s.structural_virality,
        "start": time(s.start),
        "end": time(s.end),
        "time_to_half_seconds": s.time_to_half,
    }))
}

/// `GET /api/cascades?topic=&as_of=&platform=&limit=&offset=`: largest first.
pub async fn list(State(app): State<Shared>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    let mut allowed = vec!["limit", "offset"];
    allowed.extend(SCOPE_PARAMS);
    let p = Params::parse(q.as_deref(), &allowed)?;
    let page = p.page()?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let all = cascades(&view, &scope)?;
        let list = &all.report.cascades;
        let rows = list[page.range(list.len())]
            .iter()
            .map(|c| summary(&view, c))
            .collect::<ApiResult<Vec<Value>>>()?;
        Ok(Json(json!({
            "scope": scope_json(&scope),
            "total": list.len(),
            "limit": page.limit,
            "offset": page.offset,
            "anomalies": all.report.anomalies,
            "rows": rows,
        })))
    })
    .await
}

/// `GET /api/cascades/{id}?limit=&offset=`: one cascade and a page of its nodes (parents come
/// before children, so the first page is a tree on its own).
pub async fn one(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let mut allowed = vec!["limit", "offset"];
    allowed.extend(SCOPE_PARAMS);
    let p = Params::parse(q.as_deref(), &allowed)?;
    let page = p.page()?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let all = cascades(&view, &scope)?;
        let c = all
            .by_id
            .get(&id)
            .map(|&i| &all.report.cascades[i])
            .ok_or_else(|| ApiError::not_found(format!("no cascade {id:?} in this scope")))?;
        let accounts = view.accounts()?;
        let suspects = crate::audience::suspects(&view, &scope)?;
        let range = page.range(c.nodes.len());
        let nodes: Vec<Value> = c.nodes[range.clone()]
            .iter()
            .zip(range)
            .map(|(n, i)| {
                let a = &accounts[n.account as usize];
                json!({
                    "index": i,
                    "parent": n.parent,
                    "depth": n.depth,
                    "time": time(n.time),
                    "kind": n.kind.name(),
                    "inferred": n.inferred,
                    "id": a.dense,
                    "account": a.label(),
                    "suspicious": suspects.get(n.account as usize).copied().unwrap_or(false),
                })
            })
            .collect();
        let mut out = summary(&view, c)?;
        out["nodes"] = json!(nodes);
        out["nodes_total"] = json!(c.nodes.len());
        out["limit"] = json!(page.limit);
        out["offset"] = json!(page.offset);
        Ok(Json(out))
    })
    .await
}

/// `GET /api/accounts/{id}/spread`: cascades started, reach, credit.
pub async fn account(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref(), &SCOPE_PARAMS)?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let dense = view.find(&id)?;
        let all = cascades(&view, &scope)?;
        let row = all.report.accounts.iter().find(|a| a.account == dense);
        let started: Vec<Value> = all
            .report
            .cascades
            .iter()
            .filter(|c| c.root == dense)
            .take(20)
            .map(|c| summary(&view, c))
            .collect::<ApiResult<_>>()?;
        Ok(Json(json!({
            "id": dense,
            "cascades_started": row.map_or(0, |r| r.cascades_started),
            "downstream_reach": row.map_or(0, |r| r.downstream_reach),
            "reach_carried": row.map_or(0, |r| r.reach_carried),
            "initiator_credit": row.map_or(0.0, |r| r.initiator_credit),
            "amplifier_credit": row.map_or(0.0, |r| r.amplifier_credit),
            "largest_started": started,
        })))
    })
    .await
}

/// Most replicates a request may ask for: twice the CLI's default, beyond which the interval
/// hardly narrows while the cost grows linearly.
pub const MAX_BOOTSTRAP: usize = 200;

/// The options of one dynamics computation.
fn dynamics_options(
    scope: &Scope,
    period: Period,
    bootstrap: usize,
    cancel: renown_model::Cancel,
) -> DynamicsOptions {
    DynamicsOptions {
        as_of: scope.as_of,
        topic: scope.topic.clone(),
        platform: scope.platform.clone(),
        period,
        bootstrap,
        top: 0,
        cancel,
        ..DynamicsOptions::default()
    }
}

type DynamicsKey = (crate::api::ScopeKey, String, String);

fn dynamics_key(scope: &Scope, period: Period, bootstrap: usize, token: &str) -> DynamicsKey {
    (
        scope_key(scope),
        format!("{period:?}/{bootstrap}"),
        token.to_string(),
    )
}

/// The report for `bootstrap` replicates, computed now (cached): the caller waits, in one of the
/// few slots, and the computation stops if the request goes away.
fn dynamics_now(
    view: &View,
    scope: &Scope,
    period: Period,
    bootstrap: usize,
) -> ApiResult<Arc<DynamicsReport>> {
    view.state.caches.dynamics.get(
        &dynamics_key(scope, period, bootstrap, &view.token),
        |k| k.2 != view.token,
        || {
            let _slot = view.state.jobs.start()?;
            let opts = dynamics_options(scope, period, bootstrap, crate::jobs::current_cancel());
            Ok(Arc::new(renown_spread::dynamics(view.store, &opts)?))
        },
    )
}

/// `GET /api/dynamics?period=&bootstrap=&topic=&as_of=&platform=&limit=&offset=`: the attachment
/// kernel, α with its bootstrap interval, concentration per period, and a page of the fitness
/// list.
///
/// Without `bootstrap` the interval has the CLI's replicates and comes progressively: the first
/// answer carries the point estimate (α, kernel, fitness: everything but the interval) with
/// `interval_pending: true` while the replicates run in the background, in a slot of their own;
/// a later request gets the interval. With `bootstrap=N` the request waits for N replicates.
pub async fn dynamics(State(app): State<Shared>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    let mut allowed = vec!["period", "bootstrap", "limit", "offset"];
    allowed.extend(SCOPE_PARAMS);
    let p = Params::parse(q.as_deref(), &allowed)?;
    let page = p.page()?;
    let scope = p.scope()?;
    let period = match p.str("period").unwrap_or("month") {
        "day" => Period::Day,
        "week" => Period::Week,
        "month" => Period::Month,
        other => {
            return Err(ApiError::bad_request(format!(
                "period must be day, week or month, not {other:?}"
            )))
        }
    };
    let asked = p.str("bootstrap").is_some();
    let bootstrap = p.usize(
        "bootstrap",
        DynamicsOptions::default().bootstrap,
        MAX_BOOTSTRAP,
    )?;
    let background = app.clone();
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let mut pending = false;
        let mut interval_error = None;
        let report = if asked || bootstrap == 0 {
            dynamics_now(&view, &scope, period, bootstrap)?
        } else {
            let key = dynamics_key(&scope, period, bootstrap, &view.token);
            match state.caches.dynamics.ready(&key) {
                Some(full) => full,
                None => {
                    let point = dynamics_now(&view, &scope, period, 0)?;
                    // A slot for the replicates; with every slot taken, the next request starts
                    // them (or finds them under way).
                    if let Ok(slot) = state.jobs.start() {
                        let token = view.token.clone();
                        let scope = scope.clone();
                        let progress = state.caches.dynamics.in_background(
                            &key,
                            |k| k.2 != view.token,
                            move || {
                                let _slot = slot;
                                background.pool.with(|store| {
                                    if store.state_token()? != token {
                                        return Err(ApiError::unavailable(
                                            "the store changed while the interval was computed; ask again",
                                            1,
                                        ));
                                    }
                                    let opts = dynamics_options(&scope, period, bootstrap, renown_model::Cancel::new());
                                    Ok(Arc::new(renown_spread::dynamics(store, &opts)?))
                                })
                            },
                        );
                        match progress {
                            Progress::Ready(full) => full,
                            Progress::Pending => {
                                pending = true;
                                point
                            }
                            Progress::Failed(e) => {
                                interval_error = Some(e.to_string());
                                point
                            }
                        }
                    } else {
                        pending = true;
                        point
                    }
                }
            }
        };
        let mut out = serde_json::to_value(&*report)
            .map_err(|e| ApiError::internal(format!("encoding dynamics: {e}")))?;
        let fitness = &report.fitness;
        out["fitness"] = serde_json::to_value(&fitness[page.range(fitness.len())])
            .map_err(|e| ApiError::internal(format!("encoding dynamics: {e}")))?;
        out["fitness_total"] = json!(fitness.len());
        out["limit"] = json!(page.limit);
        out["offset"] = json!(page.offset);
        out["scope"] = scope_json(&scope);
        out["period"] = json!(period);
        out["bootstrap"] = json!(bootstrap);
        out["interval_pending"] = json!(pending);
        if let Some(e) = interval_error {
            out["interval_error"] = json!(e);
        }
        Ok(Json(out))
    })
    .await
}
