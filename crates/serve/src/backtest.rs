//! `GET /api/backtest`: does a measure predict? The same `renown_measures::backtest::Backtest`
//! that `renown backtest --format json` prints, with the same defaults.

use crate::answers::partial;
use crate::cache::Progress;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::request::Read;
use axum::http::HeaderMap;
use axum::Json;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use renown_app::backtest::{
    parse_duration, BacktestAnswer, BacktestOptions, Target, DEFAULT_BOOTSTRAP, MAX_K,
};
use renown_app::Scope;

/// The query parameters, named as the CLI's flags.
pub const PARAMS: [&str; 10] = [
    "split",
    "horizon",
    "k",
    "measures",
    "target",
    "bootstrap",
    "seed",
    "platform",
    "tune",
    "per",
];

/// What a request may ask for: the CLI's default number of resamples, no more (each costs
/// a pass over every measure's accounts).
pub const MAX_BOOTSTRAP: usize = DEFAULT_BOOTSTRAP;

/// The options a query asks for; everything it leaves out is [`BacktestOptions::default`].
pub fn options(p: &Params) -> ApiResult<BacktestOptions> {
    let d = BacktestOptions::default();
    let list = |key: &str| -> Vec<String> {
        p.str(key).map_or(Vec::new(), |v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
    };
    Ok(BacktestOptions {
        splits: list("split")
            .iter()
            .map(|s| {
                renown_app::scope::parse_as_of(s)
                    .map_err(|e| ApiError::bad_request(format!("split {e}")))
            })
            .collect::<ApiResult<_>>()?,
        horizon: p
            .str("horizon")
            .map(|h| parse_duration(h).map_err(|e| ApiError::bad_request(format!("horizon: {e}"))))
            .transpose()?,
        k: p.usize("k", d.k, MAX_K)?,
        measures: list("measures"),
        target: match p.str("target") {
            Some(t) => Target::parse(t)?,
            None => d.target,
        },
        bootstrap: p.usize("bootstrap", d.bootstrap, MAX_BOOTSTRAP)?,
        seed: p.usize("seed", d.seed as usize, usize::MAX)? as u64,
        // As `renown backtest --tune`: earned's parameters chosen on the earlier splits,
        // reported on the last as `earned-tuned` (part of the memo key through the options).
        tune: p.flag("tune")?,
        per_person: crate::persons::per(p)? == renown_app::Per::Person,
        ..d
    })
}

/// A backtest's memo key: its options (as written by `Debug`), scope and store state.
pub(crate) type Key = (String, crate::view::ScopeKey, String);

/// The latest partial answer of a backtest computed in the background, and its outcome once
/// it ended (set after the memo of complete answers holds it).
#[derive(Default)]
pub(crate) struct Shown {
    state: Mutex<ShownState>,
    changed: Condvar,
}

#[derive(Default)]
struct ShownState {
    partial: Option<Arc<BacktestAnswer>>,
    ended: Option<ApiResult<Arc<BacktestAnswer>>>,
}

/// What a request waiting on a backtest gets.
enum Next {
    Partial(Arc<BacktestAnswer>),
    Ended(ApiResult<Arc<BacktestAnswer>>),
}

impl Shown {
    fn lock(&self) -> MutexGuard<'_, ShownState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn show(&self, partial: BacktestAnswer) {
        self.lock().partial = Some(Arc::new(partial));
        self.changed.notify_all();
    }

    /// Forgets an ended computation: the next one starts afresh (the last failed, or its
    /// complete answer left the memo).
    /// Whether it had failed (its waiters were told).
    fn reopen(&self) -> bool {
        let mut g = self.lock();
        let failed = matches!(g.ended, Some(Err(_)));
        if g.ended.is_some() {
            *g = ShownState::default();
        }
        failed
    }

    fn end(&self, outcome: &ApiResult<Arc<BacktestAnswer>>) {
        self.lock().ended = Some(outcome.clone());
        self.changed.notify_all();
    }

    /// Waits until the computation ended or there is a partial answer to show, for at most
    /// `patience` (`None` then: the caller looks at the memo, in case this state was reset).
    fn next(&self, patience: Duration) -> Option<Next> {
        let g = self.lock();
        let (g, _) = self
            .changed
            .wait_timeout_while(g, patience, |g| g.ended.is_none() && g.partial.is_none())
            .unwrap_or_else(|p| p.into_inner());
        if let Some(outcome) = &g.ended {
            return Some(Next::Ended(outcome.clone()));
        }
        g.partial.clone().map(Next::Partial)
    }
}

/// `GET /api/backtest?split=&horizon=&k=&measures=&target=&bootstrap=&seed=&platform=&tune=`.
///
/// Progressive: the backtest runs in the background (one of the long-computation slots) and
/// a request gets what is known, as soon as something is: the oldest splits' point estimates
/// with `pending` saying which splits and whether the intervals are still coming (such an
/// answer is not kept), then the complete answer, memoised per store state — the one
/// `renown backtest` prints with the same options.
pub async fn backtest(read: Read) -> ApiResult<(HeaderMap, Json<BacktestAnswer>)> {
    let p = read.params(&PARAMS)?;
    let opts = options(&p)?;
    let scope = Scope {
        platform: p.str("platform").map(str::to_string),
        ..Scope::default()
    };
    let background = read.app().clone();
    read.view(move |view| {
        let key: Key = (
            format!("{opts:?}"),
            crate::params::scope_key(&scope),
            view.token.clone(),
        );
        let caches = &view.state.caches;
        let stale = |k: &Key| k.2 != view.token;
        let complete = |full: Arc<BacktestAnswer>| Ok((partial(false), Json((*full).clone())));
        if let Some(full) = caches.backtests.ready(&key) {
            return complete(full);
        }
        let shown = caches
            .backtest_partials
            .get(&key, stale, || Ok(Arc::new(Shown::default())))?;
        if shown.reopen() {
            // Its waiters were told why it failed: the memo's copy of the error is forgotten
            // here rather than reported to this request, which starts a new computation.
            caches.backtests.forget_failure(&key);
        }
        // A slot only matters to a computation this request starts; another under way has one.
        let slot = view.state.jobs.start();
        let (token, showing, ending) = (view.token.clone(), shown.clone(), shown.clone());
        let compute = move || {
            // A visitor waits for it: the warm-up asks nothing new meanwhile (on 2 cores it
            // would take half the machine from the backtest).
            let _visiting = background.visitors.enter();
            slot.and_then(|_slot| {
                background.pool.with(|store| {
                    if store.state_token()? != token {
                        return Err(ApiError::unavailable(
                            "the store changed while the backtest ran; ask again",
                            1,
                        ));
                    }
                    let params = &background.config.params;
                    Ok(Arc::new(renown_app::backtest::backtest_progressive(
                        store,
                        &scope,
                        &opts,
                        params,
                        &|p| showing.show(p),
                    )?))
                })
            })
        };
        // The waiters are told once the memo holds the outcome: one who then asks again finds
        // the answer there, or the failure already told (and forgets it, see `reopen` above).
        let told = move |out: ApiResult<&Arc<BacktestAnswer>>| ending.end(&out.cloned());
        let mut progress = caches
            .backtests
            .in_background_then(&key, stale, compute, told);
        // Unbounded: past `--answer-within` the asker is told `202` anyway.
        loop {
            match progress {
                Progress::Ready(full) => return complete(full),
                Progress::Failed(e) => return Err(e),
                Progress::Pending => match shown.next(Duration::from_secs(1)) {
                    Some(Next::Partial(p)) => return Ok((partial(true), Json((*p).clone()))),
                    Some(Next::Ended(outcome)) => return outcome.and_then(complete),
                    None => {}
                },
            }
            // Nothing shown for a while: the memo has the outcome if a request reset `shown`
            // as the computation ended, or a computation that request started.
            progress = caches.backtests.poll(&key).unwrap_or_else(|| {
                Progress::Failed(ApiError::unavailable("the backtest ended; ask again", 1))
            });
        }
    })
    .await
}
