//! Whole answers kept per store state, in memory and on disk beside the store
//! (`<db>.cache/answer-*.bin`), so a question computed once is answered at once afterwards —
//! by this server, and by the next one started on the same store.
//!
//! A layer over the read routes: a GET whose answer took at least [`KEEP_AFTER`] to compute
//! (`Config::keep_answers_after`) and
//! came back `200` is kept under its path and query, the store state it was computed at, the
//! measures' parameters and a hash of the code that computed it (`RENOWN_ANSWER_CODE`, from the
//! build script). An answer that is only part of what is coming (a point estimate while its
//! interval is computed) says `Cache-Control: no-store` and is never kept. Cheap answers are not
//! kept: computing them again costs less than a file, and a reader cannot fill the disk with
//! them. At most [`MAX_FILES`] answers are kept on disk per store state; files of older states
//! are deleted as new ones are written.
//!
//! Whether an answer is slow counts what the memoised values it read cost to compute
//! ([`crate::cache::costed`]), not only this request's time: a list paged from a table another
//! request computed is quick to give now, but not after a restart.
//!
//! **The first answer within `Config::first_answer_within`** (2.5 s): a request not answered by
//! then gets `202` with a [`Computing`] status and `Retry-After`, and its computation goes on in
//! the background (one per question and store state); asked again, the question gets the
//! answer once it is ready (kept, or held for the next asker when it is not kept). A client
//! that goes away before the deadline still cancels the computation.

use crate::cache::Memo;
use crate::error::log;
use crate::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// Answers faster than this are computed again rather than kept (the default of
/// `Config::keep_answers_after`).
pub const KEEP_AFTER: Duration = Duration::from_millis(100);
/// The default of `Config::first_answer_within`: past it a request is answered `202`
/// ([`Computing`]) while its answer is computed in the background.
pub const FIRST_ANSWER_WITHIN: Duration = Duration::from_millis(2500);
/// Seconds a `202` tells the client to wait before asking again.
const COMPUTING_RETRY_AFTER: u32 = 2;
/// Finished answers held for their next asker, at most (beyond, older states' go first).
const MAX_HELD: usize = 64;
/// Most answers kept on disk for one store state.
pub const MAX_FILES: usize = 4096;
/// Largest answer kept in memory (larger ones are read from disk each time).
const MAX_IN_MEMORY: usize = 4 << 20;
/// The kind of the files in the cache folder.
const KIND: &str = "answer";

type Key = (String, String);

/// An answer finished in the background after its asker was told `202`, not kept (fast,
/// partial or not `200`): held for the next asker.
#[derive(Clone)]
struct Held {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Bytes,
}

impl Held {
    fn response(self) -> Response {
        let mut res = Response::new(Body::from(self.body));
        *res.status_mut() = self.status;
        *res.headers_mut() = self.headers;
        res
    }
}

/// What is kept: in memory, (path and query, store state) → the JSON body; the questions
/// being answered now (since when), so the same question asked meanwhile waits for that
/// answer; and answers finished in the background for their next asker.
pub struct Kept {
    memory: Memo<Key, Bytes>,
    under_way: Mutex<HashMap<Key, (watch::Receiver<()>, Instant)>>,
    held: Mutex<HashMap<Key, Held>>,
}

impl Default for Kept {
    fn default() -> Kept {
        Kept {
            memory: Memo::new(512),
            under_way: Mutex::default(),
            held: Mutex::default(),
        }
    }
}

/// Marks a question as being answered until dropped (answered, failed, or abandoned).
struct UnderWay {
    state: Shared,
    key: Key,
    _done: watch::Sender<()>,
}

impl Drop for UnderWay {
    fn drop(&mut self) {
        let mut map = self
            .state
            .answers
            .under_way
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.remove(&self.key);
    }
}

/// Someone else is answering the question: what to wait on, and since when.
struct Elsewhere {
    done: watch::Receiver<()>,
    since: Instant,
}

/// Either marks `key` as under way by the caller, or says who is answering it.
fn claim(state: &Shared, key: &Key) -> Result<UnderWay, Elsewhere> {
    let mut map = state
        .answers
        .under_way
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some((rx, since)) = map.get(key) {
        return Err(Elsewhere {
            done: rx.clone(),
            since: *since,
        });
    }
    let (tx, rx) = watch::channel(());
    map.insert(key.clone(), (rx, Instant::now()));
    Ok(UnderWay {
        state: state.clone(),
        key: key.clone(),
        _done: tx,
    })
}

impl Kept {
    /// The answer held for `key`, taken (the next asker computes again).
    fn take_held(&self, key: &Key) -> Option<Held> {
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key)
    }

    fn hold(&self, key: Key, answer: Held) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        if held.len() >= MAX_HELD {
            let now = key.1.clone();
            held.retain(|k, _| k.1 == now);
            if held.len() >= MAX_HELD {
                held.clear();
            }
        }
        held.insert(key, answer);
    }
}

/// The `202` body: the answer is being computed; ask again after `retry_after_seconds`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Computing {
    /// Always `"computing"`.
    pub status: String,
    /// Seconds since the computation started.
    pub elapsed_seconds: f64,
    /// Seconds to wait before asking again (also the `Retry-After` header).
    pub retry_after_seconds: u32,
    /// What a person reads.
    pub message: String,
}

fn computing(since: Instant) -> Response {
    let body = Computing {
        status: "computing".into(),
        elapsed_seconds: (since.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        retry_after_seconds: COMPUTING_RETRY_AFTER,
        message: "this answer is being computed on the server; ask again to get it when ready"
            .into(),
    };
    let mut res = (StatusCode::ACCEPTED, axum::Json(body)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::RETRY_AFTER,
        HeaderValue::from(COMPUTING_RETRY_AFTER),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

tokio::task_local! {
    /// Where [`crate::AppState::blocking`] reports what the memoised values a request read
    /// cost to compute ([`crate::cache::costed`]).
    static COST: Arc<Mutex<Duration>>;
}

/// Adds `cost` to the answer being computed in this task, if the layer is measuring one.
pub(crate) fn charge(cost: Duration) {
    let _ = COST.try_with(|c| {
        *c.lock().unwrap_or_else(|p| p.into_inner()) += cost;
    });
}

/// Aborts the task computing an answer when dropped (the client went away before the
/// deadline), unless disarmed (the client was told `202`: the computation goes on).
struct AbortUnlessDetached(Option<tokio::task::AbortHandle>);

impl Drop for AbortUnlessDetached {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            h.abort();
        }
    }
}

/// Put on a request by the warm-up ([`crate::warm`]): answer it by computing, even when an
/// answer is kept, so the memos the next questions share (every measure's scores, the audit
/// of every audience) are filled for this server's life.
#[derive(Clone, Copy, Debug)]
pub struct Fill;

/// Marks a request the warm-up asks ([`crate::warm`]): every other request is a visitor's, and
/// the warm-up asks nothing new while a visitor's answer is being computed ([`Visitors`]).
#[derive(Clone, Copy, Debug)]
pub struct WarmUp;

/// Visitors' answers being computed now. On 2 cores the warm-up's questions took half the
/// machine from a visitor's own (explain alone on a fresh server: 25 s with the warm-up beside
/// it), so the warm-up waits for this to fall to zero before each question.
#[derive(Debug, Default)]
pub struct Visitors(std::sync::atomic::AtomicUsize);

/// A visitor's computation under way; ends when dropped.
pub struct Visiting<'a>(&'a Visitors);

impl Visitors {
    /// Counts a visitor's computation until the guard is dropped.
    pub fn enter(&self) -> Visiting<'_> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Visiting(self)
    }

    /// Whether a visitor's answer is being computed.
    pub fn busy(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
}

impl Drop for Visiting<'_> {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Routes whose answer does not depend on the store (nothing to keep).
fn exempt(path: &str) -> bool {
    matches!(path, "/api/openapi.json" | "/api/measures")
}

/// Tells [`keep`] (and HTTP caches) that an answer is partial: more is coming.
pub fn partial(pending: bool) -> axum::http::HeaderMap {
    let mut h = axum::http::HeaderMap::new();
    if pending {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h
}

fn json(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// The key on disk: everything the answer depends on beyond the store state.
fn disk_key(state: &Shared, uri: &str) -> String {
    format!(
        "{uri};params={:?};code={}",
        state.config.params,
        env!("RENOWN_ANSWER_CODE")
    )
}

/// The store state now, or `None` when it cannot be read (the answer is then neither looked up
/// nor kept; the handler reports the failure itself).
async fn token(state: &Shared) -> Option<String> {
    let s = state.clone();
    tokio::task::spawn_blocking(move || s.pool.with(|store| Ok(store.state_token()?)).ok())
        .await
        .ok()
        .flatten()
}

/// The answer kept for `uri` at `token`, from memory or else from disk.
async fn lookup(state: &Shared, uri: &str, token: &str) -> Option<Bytes> {
    let key = (uri.to_string(), token.to_string());
    if let Some(b) = state.answers.memory.ready(&key) {
        return Some(b);
    }
    let s = state.clone();
    let disk = disk_key(state, uri);
    let t = token.to_string();
    let found = tokio::task::spawn_blocking(move || {
        let cache = renown_graph::SnapshotCache::at(&s.config.db, t);
        // A lookup only: a miss "builds" an error, and nothing is written.
        cache
            .value(
                KIND,
                &disk,
                |b| Some(Bytes::copy_from_slice(b)),
                || Err(()),
                |b: &Bytes| b.to_vec(),
            )
            .ok()
            .map(|(b, _)| b)
    })
    .await
    .ok()
    .flatten()?;
    remember(state, key, &found);
    Some(found)
}

fn remember(state: &Shared, key: (String, String), body: &Bytes) {
    if body.len() <= MAX_IN_MEMORY {
        let token = key.1.clone();
        let _ = state
            .answers
            .memory
            .get(&key, |k| k.1 != token, || Ok(body.clone()));
    }
}

/// Keeps `body` for `uri` at `token`, in memory and on disk (unless the disk holds
/// [`MAX_FILES`] answers already).
async fn keep(state: &Shared, uri: String, token: String, body: Bytes) {
    remember(state, (uri.clone(), token.clone()), &body);
    let s = state.clone();
    let disk = disk_key(state, &uri);
    let _ = tokio::task::spawn_blocking(move || {
        let dir = renown_graph::cache_dir(&s.config.db);
        let files = std::fs::read_dir(&dir).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("answer-"))
                .count()
        });
        if files >= MAX_FILES {
            return;
        }
        let cache = renown_graph::SnapshotCache::at(&s.config.db, token);
        // Written whatever is there: `decode` refuses, so `build` runs and its value is kept.
        let written = cache.value(
            KIND,
            &disk,
            |_| None,
            || Ok::<_, ()>(body),
            |b: &Bytes| b.to_vec(),
        );
        if let Ok((_, renown_graph::CacheOutcome::Uncached)) = written {
            log("could not keep an answer beside the store (read-only place?)");
        }
    })
    .await;
}

/// The layer: answers a GET under `/api/` from what is kept, or asks the handler and keeps a
/// slow, complete answer; past `Config::first_answer_within` the asker gets `202` and the
/// answer is finished in the background.
pub async fn layer(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if req.method() != Method::GET || !path.starts_with("/api/") || exempt(path) {
        return next.run(req).await;
    }
    let uri = req.uri().to_string();
    let Some(before) = token(&state).await else {
        return next.run(req).await;
    };
    let fill = req.extensions().get::<Fill>().is_some();
    let visitor = req.extensions().get::<WarmUp>().is_none();
    // The warm-up waits for its answers: it asks to fill the memos.
    let deadline = match fill {
        true => None,
        false => state
            .config
            .first_answer_within
            .map(|d| tokio::time::Instant::now() + d),
    };
    let key = (uri.clone(), before.clone());
    let under_way = loop {
        if !fill {
            if let Some(body) = lookup(&state, &uri, &before).await {
                return json(body);
            }
            if let Some(held) = state.answers.take_held(&key) {
                return held.response();
            }
        }
        match claim(&state, &key) {
            Ok(mine) => break mine,
            // Asked already and not answered yet: wait, then look again (a fast or failed
            // answer is not kept, and this request then computes its own).
            Err(mut elsewhere) => {
                match deadline {
                    Some(d) => {
                        let done = elsewhere.done.changed();
                        if tokio::time::timeout_at(d, done).await.is_err() {
                            return computing(elsewhere.since);
                        }
                    }
                    None => {
                        let _ = elsewhere.done.changed().await;
                    }
                }
                if fill {
                    return next.run(req).await;
                }
            }
        }
    };
    let started = Instant::now();
    let (answered, answer) = oneshot::channel();
    let task_state = state.clone();
    let task = tokio::spawn(async move {
        let state = task_state;
        let _under_way = under_way;
        let _visiting = visitor.then(|| state.visitors.enter());
        let cost = Arc::new(Mutex::new(Duration::ZERO));
        let res = COST.scope(cost.clone(), next.run(req)).await;
        let took = started
            .elapsed()
            .max(*cost.lock().unwrap_or_else(|p| p.into_inner()));
        let partial = res
            .headers()
            .get(header::CACHE_CONTROL)
            .is_some_and(|v| v.as_bytes() == b"no-store");
        let keepable =
            res.status() == StatusCode::OK && !partial && took >= state.config.keep_answers_after;
        let (parts, body) = res.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
            // Never expected: the handlers' bodies are in memory.
            let _ = answered.send(
                crate::error::ApiError::internal("an answer's body could not be read")
                    .into_response(),
            );
            return;
        };
        // Kept only when no ingest landed while it was computed: then it is the answer at
        // `before`.
        let kept = keepable && token(&state).await.as_deref() == Some(before.as_str());
        if kept {
            keep(&state, uri, before, bytes.clone()).await;
        }
        let held = Held {
            status: parts.status,
            headers: parts.headers,
            body: bytes,
        };
        if let Err(unsent) = answered.send(held.clone().response()) {
            // The asker was told 202: the next one gets this answer (before `_under_way`
            // ends and wakes them).
            drop(unsent);
            if !kept {
                state.answers.hold(key, held);
            }
        }
    });
    let mut guard = AbortUnlessDetached(Some(task.abort_handle()));
    let finished = match deadline {
        None => answer.await,
        Some(d) => match tokio::time::timeout_at(d, answer).await {
            Ok(r) => r,
            Err(_) => {
                guard.0 = None;
                return computing(started);
            }
        },
    };
    drop(guard);
    finished.unwrap_or_else(|_| {
        crate::error::ApiError::internal("an answer's computation stopped without an answer")
            .into_response()
    })
}
