//! What a read request sees: one store state ([`View`]), the memos kept per state ([`Caches`]),
//! and the scope parameters every scoped route takes. Handlers depend on this module; it
//! depends on none of them.

use crate::cache::Memo;
use crate::error::{ApiError, ApiResult};
use crate::params::scope_key;
use crate::AppState;
use renown_app::{AccountFeatures, Ranked, Scope, Source};
use renown_measures::earned::EarnedModel;
use renown_measures::{measure, MeasureSpec};
use renown_store::{AccountInfo, Store};
use std::collections::HashMap;
use std::sync::Arc;

/// The query parameters of a scope (`renown_app::Scope`): as of, topic, platform.
pub const SCOPE_PARAMS: [&str; 3] = ["as_of", "topic", "platform"];

/// A scope as a memo key: as of, topic, platform.
pub type ScopeKey = (Option<i64>, Option<String>, Option<String>);

/// Measures ranked together, in the order they were computed.
pub(crate) type RankedBatch = Arc<Vec<Arc<Ranked>>>;

/// The lookups memoised per store state, shared by every request.
pub struct Caches {
    pub(crate) accounts: Memo<String, Arc<Vec<AccountInfo>>>,
    pub(crate) native: Memo<String, Arc<HashMap<String, u32>>>,
    pub(crate) ranked: Memo<(&'static str, ScopeKey, String), Arc<Ranked>>,
    /// Measures computed together ([`Source::ranked_all`]), by the names asked: two views asking
    /// every measure at once (the account page, compare) share one computation.
    pub(crate) ranked_batches: Memo<(Vec<&'static str>, ScopeKey, String), RankedBatch>,
    pub(crate) timelines: Memo<(u32, ScopeKey, String), Arc<renown_app::Timeline>>,
    pub(crate) stats: Memo<String, Arc<renown_app::Stats>>,
    pub(crate) cascades: Memo<(ScopeKey, String), Arc<renown_app::Cascades>>,
    pub(crate) dynamics: Memo<(ScopeKey, String, String), Arc<renown_spread::DynamicsReport>>,
    #[allow(clippy::type_complexity)]
    pub(crate) explanations:
        Memo<(u32, ScopeKey, usize, usize, String), Arc<renown_app::Explained>>,
    pub(crate) audits: Memo<(ScopeKey, String), Arc<renown_app::audit::AuditList>>,
    /// Every audited person, per scope (`/api/audit?per=person` pages it).
    pub(crate) person_audits: Memo<(ScopeKey, String), Arc<renown_app::PersonAuditList>>,
    /// Every account's features for the fake-account rules, per scope.
    pub(crate) features: Memo<(ScopeKey, String), Arc<AccountFeatures>>,
    /// Accounts suspicious as followers, per scope (cascade nodes are coloured by it).
    pub(crate) suspects: Memo<(ScopeKey, String), Arc<Vec<bool>>>,
    pub(crate) earned_models: Memo<(ScopeKey, String), Arc<EarnedModel>>,
    pub(crate) profiles: Memo<(u32, ScopeKey, usize, String), Arc<renown_app::Profile>>,
    pub(crate) scatters: Memo<(String, ScopeKey, String), Arc<renown_app::Scatter>>,
    pub(crate) comparisons: Memo<(String, ScopeKey, String), Arc<renown_app::Comparison>>,
    /// Backtests by their options (as written by `Debug`), scope and store state.
    pub(crate) backtests:
        Memo<(String, ScopeKey, String), Arc<renown_app::backtest::BacktestAnswer>>,
    /// The latest partial answer of each backtest under way (`/api/backtest` is progressive).
    pub(crate) backtest_partials: Memo<crate::backtest::Key, Arc<crate::backtest::Shown>>,
}

impl Default for Caches {
    fn default() -> Caches {
        Caches {
            accounts: Memo::new(4),
            native: Memo::new(4),
            ranked: Memo::new(64),
            ranked_batches: Memo::new(8),
            timelines: Memo::new(512),
            stats: Memo::new(4),
            cascades: Memo::new(8),
            dynamics: Memo::new(8),
            explanations: Memo::new(256),
            audits: Memo::new(8),
            person_audits: Memo::new(8),
            features: Memo::new(4),
            suspects: Memo::new(8),
            earned_models: Memo::new(4),
            profiles: Memo::new(512),
            scatters: Memo::new(16),
            comparisons: Memo::new(16),
            backtests: Memo::new(8),
            backtest_partials: Memo::new(8),
        }
    }
}

/// A snapshot of the store's state for one request: every cached lookup is keyed by it.
pub struct View<'a> {
    /// The server's shared state.
    pub state: &'a AppState,
    /// The connection this request reads.
    pub store: &'a Store,
    /// The store's state when the request began: every memoised lookup is keyed by it.
    pub token: String,
}

impl<'a> View<'a> {
    /// A view of `store` as it is now.
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

    fn params(&self) -> &renown_app::Params {
        &self.state.config.params
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
            || {
                Ok(Arc::new(Ranked::compute(
                    self.store,
                    spec,
                    scope,
                    self.params(),
                )?))
            },
        )
    }

    fn ranked_all(
        &self,
        specs: &[&'static MeasureSpec],
        scope: &Scope,
    ) -> ApiResult<Vec<Arc<Ranked>>> {
        let key = |spec: &MeasureSpec| (spec.name, scope_key(scope), self.token.clone());
        let caches = &self.state.caches;
        // A measure another request is computing (the warm-up's earned leaderboard, say) is
        // not missing: it is waited on below instead of being computed a second time.
        let missing: Vec<&'static MeasureSpec> = specs
            .iter()
            .filter(|s| !caches.ranked.known(&key(s)))
            .copied()
            .collect();
        if missing.len() > 1 {
            // One read of the store for the missing ones, the measures in parallel, once for
            // every request asking the same measures (keyed by what is asked, not by what is
            // missing: a measure finished meanwhile must not start a second batch).
            let mut names: Vec<&'static str> = specs.iter().map(|m| m.name).collect();
            names.sort_unstable();
            names.dedup();
            let batch = caches.ranked_batches.get(
                &(names, scope_key(scope), self.token.clone()),
                |k| k.2 != self.token,
                || {
                    let computed = Ranked::compute_all(self.store, &missing, scope, self.params())?;
                    Ok(Arc::new(computed.into_iter().map(Arc::new).collect()))
                },
            )?;
            for r in batch.iter() {
                caches
                    .ranked
                    .get(&key(r.measure), |k| k.2 != self.token, || Ok(r.clone()))?;
            }
        }
        specs
            .iter()
            .map(|s| Source::ranked(self, s, scope))
            .collect()
    }

    fn cascades(&self, scope: &Scope) -> ApiResult<Arc<renown_app::Cascades>> {
        let key = (scope_key(scope), self.token.clone());
        self.state.caches.cascades.get(
            &key,
            |k| k.1 != self.token,
            || Ok(Arc::new(renown_app::Cascades::compute(self.store, scope)?)),
        )
    }

    fn earned_model(&self, scope: &Scope) -> ApiResult<Arc<EarnedModel>> {
        let key = (scope_key(scope), self.token.clone());
        self.state.caches.earned_models.get(
            &key,
            |k| k.1 != self.token,
            || {
                Ok(Arc::new(renown_measures::earned::model(
                    self.store,
                    &scope.measures(),
                    &self.params().measures.earned,
                )?))
            },
        )
    }

    fn account_features(&self, scope: &Scope) -> ApiResult<Arc<AccountFeatures>> {
        let scope = scope.without_topic();
        let key = (scope_key(&scope), self.token.clone());
        self.state.caches.features.get(
            &key,
            |k| k.1 != self.token,
            || Ok(Arc::new(AccountFeatures::compute(self.store, &scope)?)),
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
