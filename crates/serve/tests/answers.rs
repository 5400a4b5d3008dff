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
    config.first_answer_within = None;
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

/// The backtest's complete answer: its partial answers (`pending`) are asked again.
async fn complete(app: &Router, uri: &str) -> (StatusCode, Option<String>, Value) {
    for _ in 0..5000 {
        let (s, cache, v) = get(app, uri).await;
        if s != StatusCode::OK || v.get("pending").is_none() {
            return (s, cache, v);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{uri} was still partial after 5000 asks");
}

#[tokio::test]
async fn the_backtest_shows_its_point_estimates_first_and_keeps_only_the_complete_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (_, app) = server(&db);
    // Many resamples: the first answer comes once the oldest split's measures are scored,
    // long before the resamples are drawn.
    let uri = "/api/backtest?bootstrap=1000&measures=earned,followers";
    let (s, cache, first) = get(&app, uri).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(
        cache.as_deref(),
        Some("no-store"),
        "a partial answer is not kept"
    );
    let pending = &first["pending"];
    assert_eq!(pending["intervals"], true, "{first}");
    let shown = first["splits"].as_array().unwrap().len();
    assert!(shown >= 1, "{first}");
    assert_eq!(pending["splits"].as_u64().unwrap() as usize + shown, 3);
    assert_eq!(kept_files(&db), 0);
    let (s, cache, full) = complete(&app, uri).await;
    assert_eq!(s, StatusCode::OK, "{full}");
    assert_eq!(cache, None);
    assert!(full.get("pending").is_none());
    assert_eq!(kept_files(&db), 1);
    // The partial answer's point estimates are the complete answer's; only the intervals came
    // later.
    for (p, f) in first["splits"]
        .as_array()
        .unwrap()
        .iter()
        .zip(full["splits"].as_array().unwrap())
    {
        assert_eq!(p["split"], f["split"]);
        assert_eq!(p["best_baseline"], f["best_baseline"]);
        for (pm, fm) in p["measures"]
            .as_array()
            .unwrap()
            .iter()
            .zip(f["measures"].as_array().unwrap())
        {
            for (a, b) in pm["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .zip(fm["metrics"].as_array().unwrap())
            {
                assert_eq!(a["value"], b["value"]);
                assert!(a["lo"].is_null() && a["vs_best"].is_null(), "{a}");
            }
        }
    }
    assert!(
        full["splits"][0]["measures"][0]["metrics"][0]["lo"].is_number(),
        "{full}"
    );
}

#[tokio::test]
async fn a_slow_answer_is_kept_for_the_next_server_and_dropped_when_the_store_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (_, first) = server(&db);
    let (s, _, computed) = complete(&first, BACKTEST).await;
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
    let (s, _, fresh) = complete(&second, BACKTEST).await;
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
async fn the_warm_up_asks_nothing_while_a_visitors_answer_is_computed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (state, _) = server(&db);
    let visiting = state.visitors.enter();
    let warm = tokio::spawn(renown_serve::warm::warm_up(state.clone()));
    // Every answer is kept however fast (`server`): the stats alone would be on disk by now.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(kept_files(&db), 0, "the warm-up asked beside a visitor");
    assert!(!warm.is_finished());
    drop(visiting);
    let asked = tokio::time::timeout(std::time::Duration::from_secs(300), warm)
        .await
        .expect("the warm-up went on once the visitor was answered")
        .unwrap();
    assert!(asked.iter().any(|a| a == "/api/stats"), "{asked:?}");
    assert!(kept_files(&db) > 0);
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

/// Asks `uri` until it is answered with something else than 202 or a partial answer; each 202
/// must say "computing" with `Retry-After` and `no-store`. The answer and how many 202s came first.
async fn until_answered(app: &Router, uri: &str) -> (StatusCode, Value, usize) {
    for pending in 0..2000 {
        let res = app
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        if status == StatusCode::OK && v.get("pending").is_some() {
            // A progressive answer's part (the backtest's point estimates): not kept either.
            assert_eq!(headers[header::CACHE_CONTROL], "no-store");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            continue;
        }
        if status != StatusCode::ACCEPTED {
            return (status, v, pending);
        }
        assert_eq!(v["status"], "computing", "{v}");
        assert!(v["elapsed_seconds"].as_f64().unwrap() >= 0.0, "{v}");
        assert_eq!(headers[header::RETRY_AFTER], "2");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{uri} was still computing after 2000 asks");
}

#[tokio::test]
async fn past_the_deadline_the_answer_is_202_then_the_same_answer_when_ready() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (_, waiting) = server(&db);
    let (s, _, expected) = complete(&waiting, BACKTEST).await;
    assert_eq!(s, StatusCode::OK, "{expected}");
    std::fs::remove_dir_all(renown_graph::cache_dir(&db)).unwrap();

    for keep_after in [
        // Kept when done: the next asker reads it from what is kept.
        std::time::Duration::ZERO,
        // Not kept (too fast to keep): held in memory for the next asker.
        std::time::Duration::from_secs(3600),
    ] {
        let mut config = Config::new(db.clone());
        config.first_answer_within = Some(std::time::Duration::ZERO);
        config.keep_answers_after = keep_after;
        let app = router(AppState::new(config));
        let (s, answer, pending) = until_answered(&app, BACKTEST).await;
        assert_eq!(s, StatusCode::OK, "{answer}");
        assert!(pending >= 1, "no deadline can be met in no time");
        assert_eq!(answer, expected);
        assert_eq!(kept_files(&db), usize::from(keep_after.is_zero()));
        // A held answer is given once; asked again, it is computed again.
        let (s, again, _) = until_answered(&app, BACKTEST).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!(again, expected);
        let _ = std::fs::remove_dir_all(renown_graph::cache_dir(&db));
    }
}
