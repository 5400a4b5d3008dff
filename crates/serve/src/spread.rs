//! Spread routes over `renown-spread`: cascades, one cascade's tree, per-account spread, and
//! the dynamics of "the big get bigger".

use crate::cache::Progress;
use crate::error::{ApiError, ApiResult};
use crate::params::{scope_key, Params};
use crate::request::Read;
use crate::view::View;
use axum::extract::Path;
use axum::Json;
use renown_app::cascades::{account_spread, AccountSpread, Order};
use renown_app::dynamics::{self, Dynamics, DynamicsQuery, Period};
use renown_app::{CascadeList, CascadeQuery, CascadeTree, Scope};
use renown_spread::dynamics::DynamicsReport;
use renown_spread::SpreadError;
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

/// The cascade query a request asks for: `min_size`, `by`, and the page.
fn cascade_query(p: &Params) -> ApiResult<CascadeQuery> {
    let page = p.page()?;
    Ok(CascadeQuery {
        min_size: p.usize("min_size", 2, usize::MAX)?,
        order: match p.str("by") {
            Some(by) => Order::parse(by)?,
            None => Order::Size,
        },
        limit: Some(page.limit),
        offset: page.offset,
    })
}

/// `GET /api/cascades?topic=&as_of=&platform=&min_size=&by=&limit=&offset=`:
/// [`renown_app::cascades`], largest (or most viral) first.
pub async fn list(read: Read) -> ApiResult<Json<CascadeList>> {
    let (p, scope) = read.scoped(&["min_size", "by", "limit", "offset"])?;
    let query = cascade_query(&p)?;
    read.view(move |view| Ok(Json(renown_app::cascades(view, &scope, &query)?)))
        .await
}

/// `GET /api/cascades/{id}?limit=&offset=`: [`renown_app::cascade`], one cascade and a page of
/// its nodes (parents come before children, so the first page is a tree on its own).
pub async fn one(read: Read, Path(id): Path<String>) -> ApiResult<Json<CascadeTree>> {
    let (p, scope) = read.scoped(&["limit", "offset"])?;
    let page = p.page()?;
    read.view(move |view| {
        Ok(Json(renown_app::cascade(
            view,
            &scope,
            &id,
            Some(page.limit),
            page.offset,
        )?))
    })
    .await
}

/// `GET /api/accounts/{id}/spread`: [`renown_app::cascades::account_spread`].
pub async fn account(read: Read, Path(id): Path<String>) -> ApiResult<Json<AccountSpread>> {
    let (_, scope) = read.scoped(&[])?;
    read.view(move |view| {
        let dense = view.find(&id)?;
        Ok(Json(account_spread(view, &scope, dense)?))
    })
    .await
}

/// Most replicates a request may ask for: twice the CLI's default, beyond which the interval
/// hardly narrows while the cost grows linearly.
pub const MAX_BOOTSTRAP: usize = 200;

/// The fit a request asks for: the CLI's defaults but the period and the replicates.
fn dynamics_query(period: Period, bootstrap: usize) -> DynamicsQuery {
    DynamicsQuery {
        period,
        bootstrap,
        ..DynamicsQuery::default()
    }
}

type DynamicsKey = (crate::view::ScopeKey, String, String);

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
            let query = dynamics_query(period, bootstrap);
            let report = dynamics::fit(
                view.store,
                scope,
                &query,
                crate::jobs::current_cancel(),
                dynamics::Progress::default(),
            )?;
            Ok(Arc::new(report))
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
pub async fn dynamics(read: Read) -> ApiResult<(axum::http::HeaderMap, Json<Dynamics>)> {
    let (p, scope) = read.scoped(&["period", "bootstrap", "limit", "offset"])?;
    let page = p.page()?;
    let period = dynamics::parse_period(p.str("period").unwrap_or("month"))?;
    let asked = p.str("bootstrap").is_some();
    let bootstrap = p.usize(
        "bootstrap",
        DynamicsQuery::default().bootstrap,
        MAX_BOOTSTRAP,
    )?;
    let background = read.app().clone();
    read.view(move |view| {
        let mut pending = false;
        let mut interval_error = None;
        let report = if asked || bootstrap == 0 {
            dynamics_now(view, &scope, period, bootstrap)?
        } else {
            let key = dynamics_key(&scope, period, bootstrap, &view.token);
            // In memory, else on disk from an earlier command or server at this state.
            let ready = view.state.caches.dynamics.ready(&key).or_else(|| {
                dynamics::cached_fit(view.store, &scope, &dynamics_query(period, bootstrap))
                    .map(Arc::new)
            });
            match ready {
                Some(full) => full,
                None => {
                    let point = dynamics_now(view, &scope, period, 0)?;
                    // A slot for the replicates; with every slot taken, the next request starts
                    // them (or finds them under way).
                    if let Ok(slot) = view.state.jobs.start() {
                        let token = view.token.clone();
                        let scope = scope.clone();
                        let progress = view.state.caches.dynamics.in_background(
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
                                    let query = dynamics_query(period, bootstrap);
                                    let report = dynamics::fit(
                                        store,
                                        &scope,
                                        &query,
                                        renown_model::Cancel::new(),
                                        dynamics::Progress::default(),
                                    )?;
                                    Ok(Arc::new(report))
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
        // Not kept while the interval is coming or failed: the next request may have it.
        let partial = crate::answers::partial(pending || interval_error.is_some());
        Ok((
            partial,
            Json(dynamics::answer(
                &report,
                &scope,
                period,
                bootstrap,
                Some(page.limit),
                page.offset,
                pending,
                interval_error,
            )),
        ))
    })
    .await
}
