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
use renown_model::{Kind, ENGAGEMENT_KINDS};
use renown_store::{AccountInfo, Store};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub type ScopeKey = (Option<i64>, Option<String>, Option<String>);

pub struct Caches {
    accounts: Memo<String, Arc<Vec<AccountInfo>>>,
    native: Memo<String, Arc<HashMap<String, u32>>>,
    ranked: Memo<(&'static str, ScopeKey, String), Arc<Ranked>>,
    timelines: Memo<(u32, ScopeKey, String), Arc<Value>>,
    stats: Memo<String, Arc<renown_app::Stats>>,
    pub(crate) cascades: Memo<(ScopeKey, String), Arc<crate::spread::Cascades>>,
    pub(crate) dynamics: Memo<(ScopeKey, String, String), Arc<renown_spread::DynamicsReport>>,
    #[allow(clippy::type_complexity)]
    pub(crate) explanations: Memo<(u32, ScopeKey, usize, usize, String), Arc<Value>>,
    pub(crate) audits: Memo<(ScopeKey, String), Arc<crate::audience::AuditTable>>,
    /// Accounts suspicious as followers, per scope (cascade nodes are coloured by it).
    pub(crate) suspects: Memo<(ScopeKey, String), Arc<Vec<bool>>>,
    pub(crate) earned_models: Memo<(ScopeKey, String), Arc<renown_measures::earned::EarnedModel>>,
    pub(crate) profiles: Memo<(u32, ScopeKey, usize, String), Arc<Value>>,
    pub(crate) scatters: Memo<(String, ScopeKey, String), Arc<Value>>,
    pub(crate) comparisons: Memo<(String, ScopeKey, String), Arc<Value>>,
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

/// `GET /api/accounts/{id}`: the account and its score and rank under every measure.
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
        let accounts = view.accounts()?;
        let info = accounts
            .get(dense as usize)
            .ok_or_else(|| ApiError::not_found(format!("no account {id:?} in the store")))?;
        let mut measures = Vec::new();
        for m in MEASURES {
            let r = view.ranked(m.name, &scope)?;
            measures.push(json!({
                "measure": m.name,
                "score": r.score(dense),
                "rank": r.rank_of[dense as usize],
                "warnings": r.warnings,
                "of": r.scores.len(),
            }));
        }
        let mut out = account_json(info);
        out["scope"] = scope_json(&scope);
        out["measures"] = json!(measures);
        Ok(Json(out))
    })
    .await
}

/// Widest number of points a timeline returns; wider spans get coarser buckets.
const MAX_BUCKETS: i64 = 150;

/// `GET /api/accounts/{id}/timeline`: followers and engagement received over time, and who
/// engaged most. Follows carry no topics, so a topic restricts only the engagement.
pub async fn timeline(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let mut allowed = vec!["limit"];
    allowed.extend(SCOPE_PARAMS);
    let p = Params::parse(q.as_deref(), &allowed)?;
    let scope = p.scope()?;
    let top = p.usize("limit", 10, crate::params::MAX_LIMIT)?;
    app.blocking(move |state, store| {
        let view = View::new(state, store)?;
        let dense = view.find(&id)?;
        let key = (dense, scope_key(&scope), view.token.clone());
        let v = state.caches.timelines.get(
            &key,
            |k| k.2 != view.token,
            || Ok(Arc::new(compute_timeline(&view, dense, &scope)?)),
        )?;
        let mut out = (*v).clone();
        if let Some(list) = out["top_engagers"].as_array_mut() {
            list.truncate(top);
        }
        Ok(Json(out))
    })
    .await
}

fn compute_timeline(view: &View, dense: u32, scope: &Scope) -> ApiResult<Value> {
    let follows_scope = Scope {
        topic: None,
        ..scope.clone()
    };
    let mut follows: Vec<(Option<i64>, Kind, u32)> = Vec::new();
    view.store.scan_events(
        &follows_scope
            .measures()
            .filter(&[Kind::Follow, Kind::Unfollow]),
        |r| {
            if r.target == Some(dense) && r.actor != dense {
                follows.push((r.time, r.kind, r.actor));
            }
        },
    )?;
    let mut engagement: Vec<i64> = Vec::new();
    let mut timeless_engagement = 0u64;
    let mut by_actor: HashMap<u32, u64> = HashMap::new();
    let mut by_kind: HashMap<Kind, u64> = HashMap::new();
    view.store
        .scan_events(&scope.measures().filter(&ENGAGEMENT_KINDS), |r| {
            if r.target == Some(dense) && r.actor != dense {
                match r.time {
                    Some(t) => engagement.push(t),
                    None => timeless_engagement += 1,
                }
                *by_actor.entry(r.actor).or_default() += 1;
                *by_kind.entry(r.kind).or_default() += 1;
            }
        })?;
    follows.sort_by_key(|f| f.0.unwrap_or(i64::MIN));
    engagement.sort_unstable();

    let times = follows
        .iter()
        .filter_map(|f| f.0)
        .chain(engagement.iter().copied());
    let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    let (bucket_name, width) = if lo > hi {
        ("day", 86_400)
    } else {
        let span = hi - lo;
        [
            ("hour", 3_600),
            ("day", 86_400),
            ("week", 7 * 86_400),
            ("month", 30 * 86_400),
        ]
        .into_iter()
        .find(|(_, w)| span / w < MAX_BUCKETS)
        .unwrap_or(("month", 30 * 86_400))
    };
    let mut points = Vec::new();
    let timeless_followers;
    if lo <= hi {
        let start = lo.div_euclid(width) * width;
        let n = ((hi - start) / width + 1) as usize;
        let mut followers = HashSet::new();
        let mut fi = 0;
        let mut ei = 0;
        // Timeless follows are in place before the first bucket.
        while fi < follows.len() && follows[fi].0.is_none() {
            apply_follow(&mut followers, follows[fi].1, follows[fi].2);
            fi += 1;
        }
        timeless_followers = followers.len() as u64;
        for b in 0..n {
            let end = start + (b as i64 + 1) * width;
            while fi < follows.len() && follows[fi].0.is_some_and(|t| t < end) {
                apply_follow(&mut followers, follows[fi].1, follows[fi].2);
                fi += 1;
            }
            let e0 = ei;
            while ei < engagement.len() && engagement[ei] < end {
                ei += 1;
            }
            points.push(json!([end - width, followers.len(), ei - e0]));
        }
    } else {
        let mut followers = HashSet::new();
        for f in &follows {
            apply_follow(&mut followers, f.1, f.2);
        }
        timeless_followers = followers.len() as u64;
    }
    let accounts = view.accounts()?;
    let mut top: Vec<(u32, u64)> = by_actor.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(crate::params::MAX_LIMIT);
    let top: Vec<Value> = top
        .into_iter()
        .map(|(a, n)| {
            let mut row = account_json(&accounts[a as usize]);
            row["events"] = json!(n);
            row
        })
        .collect();
    let mut kinds: Vec<(Kind, u64)> = by_kind.into_iter().collect();
    kinds.sort();
    let kinds: serde_json::Map<String, Value> = kinds
        .into_iter()
        .map(|(k, n)| (k.name().to_string(), json!(n)))
        .collect();
    Ok(json!({
        "id": dense,
        "scope": scope_json(scope),
        "bucket": bucket_name,
        "bucket_seconds": width,
        "columns": ["time", "followers", "engagement"],
        "points": points,
        "timeless_followers": timeless_followers,
        "timeless_engagement": timeless_engagement,
        "engagement_by_kind": kinds,
        "top_engagers": top,
    }))
}

fn apply_follow(set: &mut HashSet<u32>, kind: Kind, actor: u32) {
    if kind == Kind::Follow {
        set.insert(actor);
    } else {
        set.remove(&actor);
    }
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
