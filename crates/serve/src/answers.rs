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

use crate::cache::Memo;
use crate::error::log;
use crate::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Answers faster than this are computed again rather than kept (the default of
/// `Config::keep_answers_after`).
pub const KEEP_AFTER: Duration = Duration::from_millis(100);
/// Most answers kept on disk for one store state.
pub const MAX_FILES: usize = 4096;
/// Largest answer kept in memory (larger ones are read from disk each time).
const MAX_IN_MEMORY: usize = 4 << 20;
/// The kind of the files in the cache folder.
const KIND: &str = "answer";

type Key = (String, String);

/// What is kept: in memory, (path and query, store state) → the JSON body; and the questions
/// being answered now, so the same question asked meanwhile waits for that answer.
pub struct Kept {
    memory: Memo<Key, Bytes>,
    under_way: Mutex<HashMap<Key, watch::Receiver<()>>>,
}

impl Default for Kept {
    fn default() -> Kept {
        Kept {
            memory: Memo::new(512),
            under_way: Mutex::default(),
        }
    }
}

/// Marks a question as being answered until dropped (answered, failed, or abandoned).
struct UnderWay<'a> {
    kept: &'a Kept,
    key: Key,
    _done: watch::Sender<()>,
}

impl Drop for UnderWay<'_> {
    fn drop(&mut self) {
        let mut map = self
            .kept
            .under_way
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.remove(&self.key);
    }
}

impl Kept {
    /// Either marks `key` as under way by the caller, or gives what to wait on: someone else
    /// is answering it.
    fn claim(&self, key: &Key) -> Result<UnderWay<'_>, watch::Receiver<()>> {
        let mut map = self.under_way.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rx) = map.get(key) {
            return Err(rx.clone());
        }
        let (tx, rx) = watch::channel(());
        map.insert(key.clone(), rx);
        Ok(UnderWay {
            kept: self,
            key: key.clone(),
            _done: tx,
        })
    }
}

/// Put on a request by the warm-up ([`crate::warm`]): answer it by computing, even when an
/// answer is kept, so the memos the next questions share (every measure's scores, the audit
/// of every audience) are filled for this server's life.
#[derive(Clone, Copy, Debug)]
pub struct Fill;

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
/// slow, complete answer.
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
    let key = (uri.clone(), before.clone());
    let _under_way = loop {
        if !fill {
            if let Some(body) = lookup(&state, &uri, &before).await {
                return json(body);
            }
        }
        match state.answers.claim(&key) {
            Ok(mine) => break mine,
            // Asked already and not answered yet: wait, then look again (a fast or failed
            // answer is not kept, and this request then computes its own).
            Err(mut rx) => {
                let _ = rx.changed().await;
                if fill {
                    return next.run(req).await;
                }
            }
        }
    };
    let started = Instant::now();
    let res = next.run(req).await;
    let took = started.elapsed();
    let partial = res
        .headers()
        .get(header::CACHE_CONTROL)
        .is_some_and(|v| v.as_bytes() == b"no-store");
    if res.status() != StatusCode::OK || partial || took < state.config.keep_answers_after {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        // Never expected: the handlers' bodies are in memory.
        return crate::error::ApiError::internal("an answer's body could not be read")
            .into_response();
    };
    // Kept only when no ingest landed while it was computed: then it is the answer at `before`.
    if token(&state).await.as_deref() == Some(before.as_str()) {
        keep(&state, uri, before, bytes.clone()).await;
    }
    Response::from_parts(parts, Body::from(bytes))
}
