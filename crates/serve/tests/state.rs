//! The server's caches follow the committed state: a write that adds no event or account (a
//! re-ingest of the same file) still shows in the next answer.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use renown_ingest::{ingest_path, IngestOptions};
use renown_serve::{router, AppState, Config};
use serde_json::Value;
use tower::ServiceExt;

mod common;

async fn stats(app: &axum::Router) -> Value {
    let res = app
        .clone()
        .oneshot(Request::get("/api/stats").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn a_run_that_adds_nothing_still_shows_in_stats() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo_store(dir.path());
    let mut config = Config::new(db.clone());
    config.first_answer_within = None;
    let app = router(AppState::new(config));
    let before = stats(&app).await;
    assert_eq!(before["runs"].as_array().unwrap().len(), 1, "{before}");

    // The same file again: every event a duplicate, one more run.
    let mut store = renown_store::Store::open(&db).unwrap();
    let report = ingest_path(
        &mut store,
        &dir.path().join("events.jsonl"),
        &IngestOptions::default(),
        &mut |_, _, _| {},
    )
    .unwrap();
    assert_eq!(report.added, 0);
    drop(store);

    let after = stats(&app).await;
    let runs = after["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "the second run is missing: {after}");
    assert_eq!(runs[1]["added"], 0);
    assert!(runs[1]["duplicate"].as_u64().unwrap() > 1000, "{}", runs[1]);
    assert_eq!(after["events"], before["events"]);
    assert_ne!(after["state"], before["state"]);
}
