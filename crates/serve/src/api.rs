//! The read-only JSON routes: stats, the measures registry, the leaderboard, account detail.

use crate::cache::Memo;
use crate::error::{ApiError, ApiResult};
use crate::params::{scope_key, Params};
use crate::{AppState, Shared};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use renown_app::{LeaderboardQuery, Ranked, Scope, Source};
use renown_measures::{measure, MeasureSpec, MEASURES};
use renown_store::{AccountInfo, Store};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub type ScopeKey = (Option<i64>, Option<String>, Option<String>);

pub struct Caches {
    accounts: Memo<String, Arc<Vec<AccountInfo>>>,
    native: Memo<String, Arc<HashMap<String, u32>>>,
    ranked: Memo<(&'static str, ScopeKey, String), Arc<Ranked>>,
    timelines: Memo<(u32, ScopeKey, String), Arc<renown_app::Timeline>>,
    stats: Memo<String, Arc<renown_app::Stats>>,
    pub(crate) cascades: Memo<(ScopeKey, String), Arc<renown_app::Cascades>>,
    pub(crate) dynamics: Memo<(ScopeKey, String, String), Arc<renown_spread::DynamicsReport>>,
    #[allow(clippy::type_complexity)]
    pub(crate) explanations:
        Memo<(u32, ScopeKey, usize, usize, String), Arc<renown_app::Explained>>,
    pub(crate) audits: Memo<(ScopeKey, String), Arc<renown_app::audit::AuditList>>,
    /// Accounts suspicious as followers, per scope (cascade nodes are coloured by it).
    pub(crate) features: Memo<(ScopeKey, String), Arc<crate::audience::AccountFeatures>>,
    pub(crate) suspects: Memo<(ScopeKey, String), Arc<Vec<bool>>>,
    pub(crate) earned_models: Memo<(ScopeKey, String), Arc<renown_measures::earned::EarnedModel>>,
    pub(crate) profiles: Memo<(u32, ScopeKey, usize, String), Arc<Value>>,
    pub(crate) scatters: Memo<(String, ScopeKey, String), Arc<Value>>,
    pub(crate) comparisons: Memo<(String, ScopeKey, String), Arc<renown_app::Comparison>>,
}

impl Default for Caches {
    fn default() -> Caches {
        Caches {
            accounts: Memo::new(4),
            native: Memo::new(4),
            ranked: Memo::new(64),
            timelines: Memo::new(512),
            stats: Memo::new(4),
            cascades: Memo::new(8),
            dynamics: Memo::new(8),
            explanations: Memo::new(256),
            audits: Memo::new(8),
            features: Memo::new(4),
            suspects: Memo::new(8),
            earned_models: Memo::new(4),
            profiles: Memo::new(512),
            scatters: Memo::new(16),
            comparisons: Memo::new(16),
        }
    }
}

/// A snapshot of the store's state for one request: every cached lookup is keyed by it.
pub struct View<'a> {
    pub state: &'a AppState,
    pub store: &'a Store,
    pub token: String,
}

impl<'a> View<'a> {
    pub fn new(state: &'a AppState, store: &'a Store) -> ApiResult<View<'a>> {
        Ok(View {
            state,
            store,
            token: store.state_token()?,
        })
    }

    /// A measure's ranked scores in a scope, memoised per store state.
    pub fn ranked(&self, name: &str, scope: &Scope) -> ApiResult<Arc<Ranked>> {
        Source::ranked(self, measure(name)?, scope)
    }

    /// Resolves an account: a bare number is the id this API returns; otherwise
    /// `platform:native_id` (from a cached index, no query), then whatever
    /// [`Store::find_account`] accepts (a native id, `@handle`). 404 when unknown.
    pub fn find(&self, query: &str) -> ApiResult<u32> {
        let q = query.trim();
        let unknown = || ApiError::not_found(format!("no account {q:?} in the store"));
        if !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()) {
            let n = self.accounts()?.len();
            return match q.parse::<u32>() {
                Ok(id) if (id as usize) < n => Ok(id),
                _ => Err(unknown()),
            };
        }
        if let Some(&id) = self.native_index()?.get(q) {
            return Ok(id);
        }
        Ok(self.store.find_account(q)?)
    }

    /// `platform:native_id` → id.
    fn native_index(&self) -> ApiResult<Arc<HashMap<String, u32>>> {
        self.state.caches.native.get(
            &self.token,
            |k| k != &self.token,
            || {
                let accounts = self.accounts()?;
                Ok(Arc::new(
                    accounts
                        .iter()
                        .map(|a| (format!("{}:{}", a.platform, a.native_id), a.dense))
                        .collect(),
                ))
            },
        )
    }
}

impl Source for View<'_> {
    type Error = ApiError;

    fn store(&self) -> &Store {
        self.store
    }

    fn accounts(&self) -> ApiResult<Arc<Vec<AccountInfo>>> {
        self.state.caches.accounts.get(
            &self.token,
            |k| k != &self.token,
            || Ok(Arc::new(self.store.accounts()?)),
        )
    }

    fn ranked(&self, spec: &'static MeasureSpec, scope: &Scope) -> ApiResult<Arc<Ranked>> {
        let key = (spec.name, scope_key(scope), self.token.clone());
        self.state.caches.ranked.get(
            &key,
            |k| k.2 != self.token,
            || Ok(Arc::new(Ranked::compute(self.store, spec, scope)?)),
        )
    }

    fn cascades(&self, scope: &Scope) -> ApiResult<Arc<renown_app::Cascades>> {
        let key = (scope_key(scope), self.token.clone());
        self.state.caches.cascades.get(
            &key,
            |k| k.1 != self.token,
            || Ok(Arc::new(renown_app::Cascades::compute(self.store, scope)?)),
        )
    }

    fn suspects(&self, scope: &Scope) -> ApiResult<Arc<Vec<bool>>> {
        let scope = scope.without_topic();
        let key = (scope_key(&scope), self.token.clone());
        self.state.caches.suspects.get(
            &key,
            |k| k.1 != self.token,
            || {
                Ok(Arc::new(renown_app::cascades::suspects(
                    self.store, &scope,
                )?))
            },
        )
    }
}

pub fn account_json(a: &AccountInfo) -> Value {
    json!({
        "id": a.dense,
        "account": a.label(),
        "platform": a.platform,
        "native_id": a.native_id,
        "handle": a.handle,
    })
}

/// `GET /api/stats`: [`renown_app::stats`], without the server's paths.
pub async fn stats(
    State(app): State<Shared>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<renown_app::Stats>> {
    Params::parse(q.as_deref(), &[])?;
    app.blocking(|state, store| {
        let view = View::new(state, store)?;
        let s = state.caches.stats.get(
            &view.token,
            |k| k != &view.token,
            || Ok(Arc::new(renown_app::stats(store)?.without_paths())),
        )?;
        Ok(Json((*s).clone()))
    })
    .await
}

/// `GET /api/measures`
pub async fn measures(RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let list: Vec<Value> = MEASURES
        .iter()
        .map(|m| json!({"name": m.name, "describe": m.describe, "follows": m.follows}))
        .collect();
    Ok(Json(
        json!({ "default": MEASURES[0].name, "measures": list }),
    ))
}

pub const SCOPE_PARAMS: [&str; 3] = ["as_of", "topic", "platform"];

/// `GET /api/leaderboard?measure=&topic=&as_of=&platform=&limit=&offset=`:
/// [`renown_app::leaderboard`].
pub async fn leaderboard(
    State(app): State<Shared>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<renown_app::Leaderboard>> {
    let mut allowed = vec!["measure", "limit", "offset"];
    allowed.extend(SCOPE_PARAMS);
    let p = Params::parse(q.as_deref(), &allowed)?;
    let page = p.page()?;
    let scope = p.scope()?;
    let query = LeaderboardQuery {
        measure: measure(p.str("measure").unwrap_or(MEASURES[0].name))?
            .name
            .to_string(),
        limit: Some(page.limit),
        offset: page.offset,
        trust: None,
    };
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        Ok(Json(renown_app::leaderboard(&view, &scope, &query)?))
    })
    .await
}

pub fn scope_json(s: &Scope) -> Value {
    json!(s)
}

/// `GET /api/accounts/{id}`: [`renown_app::account`].
pub async fn account(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<renown_app::Account>> {
    let p = Params::parse(q.as_deref(), &SCOPE_PARAMS)?;
    let scope = p.scope()?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let dense = view.find(&id)?;
        Ok(Json(renown_app::account(&view, &scope, dense)?))
    })
    .await
}

/// `GET /api/accounts/{id}/timeline?limit=`: [`renown_app::timeline`], with `limit` top
/// engagers.
pub async fn timeline(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<renown_app::Timeline>> {
    let mut allowed = vec!["limit"];
    allowed.extend(SCOPE_PARAMS);
    let p = Params::parse(q.as_deref(), &allowed)?;
    let scope = p.scope()?;
    let top = p.usize("limit", 10, crate::params::MAX_LIMIT)?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let dense = view.find(&id)?;
        let key = (dense, scope_key(&scope), view.token.clone());
        // Cached with every engager a page may ask for.
        let t = state.caches.timelines.get(
            &key,
            |k| k.2 != view.token,
            || {
                Ok(Arc::new(renown_app::timeline(
                    &view,
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

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this route; see /api/openapi.json",
    )
}
