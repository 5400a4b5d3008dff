//! Answers kept beside the store (`renown_serve::answers`) and the warm-up (`renown_serve::warm`):
//! a slow answer computed by one server is given by the next without computing; a changed store
//! or a partial answer is never given from what was kept; the same question asked twice at once
//! is computed once.
//!
//! "Without computing" is observed through the long-computation slots: a server whose only slot
//! is held cannot compute a backtest, seeds or dynamics (503), so a 200 came from a kept answer.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use renown_ingest::{ingest_path, IngestOptions};
use renown_serve::{router, AppState, Config, Shared};
use serde_json::Value;
use tower::ServiceExt;

mod common;
use common::{demo_store, events_jsonl};

fn server(db: &std::path::Path) -> (Shared, Router) {
    let mut config = Config::new(db.to_path_buf());
    config.max_jobs = 1;
    // Every answer kept, however fast: what is kept must not depend on this machine's speed.
    config.keep_answers_after = std::time::Duration::ZERO;
    let state = AppState::new(config);
    (state.clone(), router(state))
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Option<String>, Value) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let cache = res
        .headers()
        .get(header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, cache, serde_json::from_slice(&bytes).unwrap())
}

fn kept_files(db: &std::path::Path) -> usize {
    let dir = renown_graph::cache_dir(db);
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("answer-"))
            .count()
    })
}

const BACKTEST: &str = "/api/backtest?bootstrap=20&measures=earned,followers";

#[tokio::test]
async fn a_slow_answer_is_kept_for_the_next_server_and_dropped_when_the_store_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (_, first) = server(&db);
    let (s, _, computed) = get(&first, BACKTEST).await;
    assert_eq!(s, StatusCode::OK, "{computed}");
    assert_eq!(kept_files(&db), 1);

    // A new server, its only long-computation slot held: it cannot compute a backtest.
    let (state, second) = server(&db);
    let slot = state.jobs.start().unwrap();
    let (s, _, v) = get(&second, "/api/backtest?bootstrap=10&measures=earned").await;
    assert_eq!(
        s,
        StatusCode::SERVICE_UNAVAILABLE,
        "not kept, so computed: {v}"
    );
    let (s, _, kept) = get(&second, BACKTEST).await;
    assert_eq!(s, StatusCode::OK, "{kept}");
    assert_eq!(kept, computed);

    // An ingest changes the store's state: what was kept is for the old state.
    let more = dir.path().join("more.jsonl");
    std::fs::write(&more, events_jsonl(8, 30)).unwrap();
    let mut store = renown_store::Store::open(&db).unwrap();
    ingest_path(
        &mut store,
        &more,
        &IngestOptions::default(),
        &mut |_, _, _| {},
    )
    .unwrap();
    drop(store);
    let (s, _, v) = get(&second, BACKTEST).await;
    assert_eq!(
        s,
        StatusCode::SERVICE_UNAVAILABLE,
        "the old answer was given: {v}"
    );
    drop(slot);
    let (s, _, fresh) = get(&second, BACKTEST).await;
    assert_eq!(s, StatusCode::OK, "{fresh}");
    // Kept for the new state; the old state's file is gone.
    assert_eq!(kept_files(&db), 1);
}

#[tokio::test]
async fn a_partial_answer_says_no_store_and_is_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (_, first) = server(&db);
    let uri = "/api/dynamics?period=month&limit=5";
    let (s, cache, point) = get(&first, uri).await;
    assert_eq!(s, StatusCode::OK, "{point}");
    assert_eq!(point["interval_pending"], true, "{point}");
    assert_eq!(cache.as_deref(), Some("no-store"));

    let (state, second) = server(&db);
    let _slot = state.jobs.start().unwrap();
    let (s, _, v) = get(&second, uri).await;
    assert_eq!(
        s,
        StatusCode::SERVICE_UNAVAILABLE,
        "the point estimate was kept and given as the answer: {v}"
    );
}

#[tokio::test]
async fn the_same_question_asked_twice_at_once_is_answered_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    // One slot: had the second request computed too, it would have found the slot taken (503).
    let (_, app) = server(&db);
    // Slow enough for the two to overlap: the seeds beside three other strategies, simulated.
    let uri = "/api/seeds?k=10&model=ic&compare=true&sims=2000";
    let (a, b) = tokio::join!(get(&app, uri), get(&app, uri));
    assert_eq!(a.0, StatusCode::OK, "{}", a.2);
    assert_eq!(b.0, StatusCode::OK, "{}", b.2);
    // One answer, time taken included.
    assert_eq!(a.2, b.2);
}

#[tokio::test]
async fn the_warm_up_asks_the_dashboards_first_questions_and_keeps_the_slow_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (state, _) = server(&db);
    let asked = renown_serve::warm::warm_up(state).await;
    for route in [
        "/api/stats",
        "/api/leaderboard?measure=earned&limit=50&offset=0",
        "/api/compare",
        "/api/audit?limit=50&offset=0",
    ] {
        assert!(asked.iter().any(|a| a == route), "{route} not in {asked:?}");
    }
    assert!(
        asked.iter().any(|a| a.starts_with("/api/accounts/")),
        "{asked:?}"
    );
    assert!(
        asked.iter().any(|a| a.starts_with("/api/cascades/")),
        "{asked:?}"
    );
    // Every question the warm-up asks is one the dashboard asks, written the same way.
    let app_js = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/app.js"),
    )
    .unwrap();
    for needle in [
        "query({ ...state, limit, offset })",
        "'api/audit' + query({ limit, offset })",
        "query({ limit: 1000 })",
    ] {
        assert!(
            app_js.contains(needle),
            "the dashboard no longer asks {needle}"
        );
    }

    // It leaves the long-computation slots to visitors.
    for slotted in ["/api/backtest", "/api/seeds", "/api/dynamics"] {
        assert!(!asked.iter().any(|a| a.starts_with(slotted)), "{asked:?}");
    }
    assert!(kept_files(&db) > 0);
}
