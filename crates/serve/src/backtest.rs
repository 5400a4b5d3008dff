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

/// The latest partial answer of a backtest computed in the background, and whether its
/// computation has ended (then the memo of complete answers has its outcome).
#[derive(Default)]
pub(crate) struct Shown {
    latest: Mutex<(Option<Arc<BacktestAnswer>>, bool)>,
    changed: Condvar,
}

impl Shown {
    fn lock(&self) -> MutexGuard<'_, (Option<Arc<BacktestAnswer>>, bool)> {
        self.latest.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn show(&self, partial: BacktestAnswer) {
        self.lock().0 = Some(Arc::new(partial));
        self.changed.notify_all();
    }

    /// Forgets an ended computation's partial answer: the next one starts afresh (the last
    /// failed, or its complete answer left the memo).
    fn reopen(&self) {
        let mut g = self.lock();
        if g.1 {
            *g = (None, false);
        }
    }

    fn end(&self) {
        self.lock().1 = true;
        self.changed.notify_all();
    }

    /// Waits until there is a partial answer to show (`Some`) or the computation ended
    /// (`None`). Unbounded: past `--answer-within` the asker is told `202` anyway.
    fn next(&self) -> Option<Arc<BacktestAnswer>> {
        let mut g = self.lock();
        loop {
            if g.1 {
                return None;
            }
            if let Some(p) = &g.0 {
                return Some(p.clone());
            }
            g = self.changed.wait(g).unwrap_or_else(|p| p.into_inner());
        }
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
        shown.reopen();
        // A slot only matters to a computation this request starts; another under way has one.
        let slot = view.state.jobs.start();
        let (token, showing) = (view.token.clone(), shown.clone());
        let compute = move || {
            let out = slot.and_then(|_slot| {
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
            });
            showing.end();
            out
        };
        match caches.backtests.in_background(&key, stale, compute) {
            Progress::Ready(full) => complete(full),
            Progress::Failed(e) => Err(e),
            Progress::Pending => match shown.next() {
                Some(p) => Ok((partial(true), Json((*p).clone()))),
                // Ended before showing anything (it failed, or it was quick): the memo has its
                // answer or its error.
                None => match caches.backtests.in_background(&key, stale, || {
                    Err(ApiError::unavailable("the backtest ended; ask again", 1))
                }) {
                    Progress::Ready(full) => complete(full),
                    Progress::Failed(e) => Err(e),
                    Progress::Pending => Err(ApiError::unavailable(
                        "the backtest is starting again; ask again",
                        1,
                    )),
                },
            },
        }
    })
    .await
}
