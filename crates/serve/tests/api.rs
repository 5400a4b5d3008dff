//! The API in-process (tower `oneshot`), on a small simulated store.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use renown_serve::{router, AppState, Config};
use serde_json::{json, Value};
use tower::ServiceExt;

mod common;
use common::{demo_store, events_jsonl};

const TOKEN: &str = "test-token-0123456789";

struct Fixture {
    _dir: tempfile::TempDir,
    app: Router,
}

fn fixture(token: Option<&str>, max_body: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut config = Config::new(db);
    // Every answer waited for: what these tests check must not depend on this machine's speed.
    config.first_answer_within = None;
    config.token = token.map(str::to_string);
    config.max_body = max_body;
    Fixture {
        app: router(AppState::new(config)),
        _dir: dir,
    }
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, v)
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Value) {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// The complete answer of a progressive route (the backtest, whose partial answers say
/// `pending`), asked again until it comes.
async fn complete(app: &Router, uri: &str) -> (StatusCode, Value) {
    for _ in 0..5000 {
        let (s, v) = get(app, uri).await;
        if s != StatusCode::OK || v.get("pending").is_none() {
            return (s, v);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{uri} was still partial after 5000 asks");
}

fn post(uri: &str, token: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut b = Request::post(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body)).unwrap()
}

fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not a JSON error: {v}"))
}

#[tokio::test]
async fn leaderboard_pages_are_slices_of_one_ranking() {
    let f = fixture(None, 1 << 20);
    let (s, all) = get(&f.app, "/api/leaderboard?measure=engagement&limit=30").await;
    assert_eq!(s, StatusCode::OK, "{all}");
    let rows = all["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 30);
    assert!(all["total"].as_u64().unwrap() > 200);
    for (i, pair) in rows.windows(2).enumerate() {
        assert!(
            pair[0]["score"].as_f64() >= pair[1]["score"].as_f64(),
            "row {i}"
        );
        // Standard competition ranks: a tie shares the rank of its first row.
        let rank = |r: &Value| r["rank"].as_u64().unwrap() as usize;
        let expected = if pair[1]["score"] == pair[0]["score"] {
            rank(&pair[0])
        } else {
            i + 2
        };
        assert_eq!(rank(&pair[1]), expected, "row {}", i + 1);
    }
    assert_eq!(rows[0]["rank"], 1);
    // Counts are integers.
    assert!(rows.iter().all(|r| r["score"].is_u64()), "{all}");
    assert_eq!(all["warnings"], Value::Array(vec![]));
    // A scope that matches nothing says so, in the leaderboard and in the comparison.
    let (_, none) = get(&f.app, "/api/leaderboard?topic=nothing-like-this").await;
    assert_eq!(
        none["warnings"][0]["code"], "scope-matches-nothing",
        "{none}"
    );
    let (_, c) = get(&f.app, "/api/compare?measures=followers,replies&topic=none").await;
    assert_eq!(c["warnings"][0]["code"], "scope-matches-nothing", "{c}");
    assert!(c["rows"][0]["undefined"]["reason"].is_string(), "{c}");
    assert!(rows.iter().all(|r| r["followers"].is_number()));
    let (_, page) = get(
        &f.app,
        "/api/leaderboard?measure=engagement&limit=5&offset=10",
    )
    .await;
    assert_eq!(page["rows"].as_array().unwrap()[..], rows[10..15]);
    // Past the end: an empty page, not an error.
    let (s, past) = get(&f.app, "/api/leaderboard?offset=100000").await;
    assert_eq!(s, StatusCode::OK);
    assert!(past["rows"].as_array().unwrap().is_empty());
    // The default measure is the registry's first.
    let (_, def) = get(&f.app, "/api/leaderboard?limit=1").await;
    assert_eq!(def["measure"], renown_measures::MEASURES[0].name);
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_message() {
    let f = fixture(None, 1 << 20);
    for (uri, needle) in [
        ("/api/leaderboard?measure=nope", "nope"),
        ("/api/leaderboard?limit=abc", "limit"),
        ("/api/leaderboard?limit=5000", "at most"),
        ("/api/leaderboard?offset=-1", "offset"),
        ("/api/leaderboard?as_of=yesterday", "as_of"),
        ("/api/leaderboard?colour=red", "colour"),
        ("/api/stats?x=1", "x"),
        ("/api/accounts/0?as_of=2024-13-45", "as_of"),
    ] {
        let (s, v) = get(&f.app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(error_of(&v).contains(needle), "{uri}: {v}");
    }
}

#[tokio::test]
async fn accounts_resolve_and_unknown_ones_are_404() {
    let f = fixture(None, 1 << 20);
    let (_, lb) = get(&f.app, "/api/leaderboard?measure=engagement&limit=1").await;
    let top = &lb["rows"][0];
    let id = top["id"].as_u64().unwrap();
    let (s, a) = get(&f.app, &format!("/api/accounts/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["account"], top["account"]);
    let engagement = a["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "engagement")
        .unwrap();
    assert_eq!(engagement["rank"], 1);
    assert_eq!(engagement["score"], top["score"]);
    // The same account by platform:native_id.
    let by_native = format!(
        "/api/accounts/{}:{}",
        a["platform"].as_str().unwrap(),
        a["native_id"].as_str().unwrap()
    );
    let (s, b) = get(&f.app, &by_native).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["id"], a["id"]);

    let (s, tl) = get(&f.app, &format!("/api/accounts/{id}/timeline")).await;
    assert_eq!(s, StatusCode::OK, "{tl}");
    let points = tl["points"].as_array().unwrap();
    assert!(!points.is_empty());
    let engaged: u64 = points.iter().map(|p| p[2].as_u64().unwrap()).sum();
    assert_eq!(
        engaged + tl["timeless_engagement"].as_u64().unwrap(),
        top["score"].as_f64().unwrap() as u64
    );
    assert!(tl["top_engagers"].as_array().unwrap().len() <= 10);

    for uri in [
        "/api/accounts/nosuch:account",
        "/api/accounts/99999999/timeline",
    ] {
        let (s, v) = get(&f.app, uri).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert!(error_of(&v).contains("no account"), "{v}");
    }
    let (s, v) = get(&f.app, "/api/nothing-here").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    error_of(&v);
}

#[tokio::test]
async fn writes_need_a_configured_and_matching_token() {
    let body = events_jsonl(8, 100);
    // Read-only server: refused whatever the request carries.
    let ro = fixture(None, 1 << 30);
    let (s, v) = send(
        &ro.app,
        post("/api/ingest?name=e.jsonl", Some(TOKEN), body.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(error_of(&v).contains("read-only"));

    let f = fixture(Some(TOKEN), 1 << 30);
    let (s, v) = send(&f.app, post("/api/ingest?name=e.jsonl", None, body.clone())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    for wrong in [
        "",
        "test-token-012345678",
        "test-token-0123456789x",
        "TEST-TOKEN-0123456789",
    ] {
        let (s, v) = send(
            &f.app,
            post("/api/ingest?name=e.jsonl", Some(wrong), body.clone()),
        )
        .await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::UNAUTHORIZED,
            "{wrong:?}: {s}"
        );
        error_of(&v);
    }
    // Nothing was written by the refused requests.
    let (_, before) = get(&f.app, "/api/stats").await;
    let (_, lb_before) = get(&f.app, "/api/leaderboard?measure=engagement&limit=1000").await;
    let (s, report) = send(&f.app, post("/api/ingest?name=e.jsonl", Some(TOKEN), body)).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["status"], "clean");
    assert_eq!(report["file"], "upload:e.jsonl");
    let (_, after) = get(&f.app, "/api/stats").await;
    let added = report["added"].as_u64().unwrap();
    assert!(added > 0);
    assert_eq!(
        after["events"].as_u64().unwrap(),
        before["events"].as_u64().unwrap() + added
    );
    // Cached rankings follow the new state.
    let (_, lb_after) = get(&f.app, "/api/leaderboard?measure=engagement&limit=1000").await;
    assert_ne!(before["state"], after["state"]);
    assert_ne!(lb_before["rows"], lb_after["rows"]);

    let (s, v) = send(
        &f.app,
        post("/api/ingest?format=klingon", Some(TOKEN), b"x".to_vec()),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // The one message every surface gives for a format name not registered.
    let named = renown_ingest::format_named("klingon").err().unwrap();
    assert_eq!(error_of(&v), named);
    assert!(
        named.starts_with("unknown format \"klingon\" (one of: higgs, "),
        "{named}"
    );
    let (s, v) = send(&f.app, post("/api/ingest", Some(TOKEN), Vec::new())).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("empty"));
    // Unreadable content: 422 with the report.
    let (s, v) = send(
        &f.app,
        post("/api/ingest?name=x.bin", Some(TOKEN), vec![0u8, 1, 2, 3]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["report"]["status"], "failed");
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let f = fixture(Some(TOKEN), 10_000);
    let big = events_jsonl(9, 100);
    assert!(big.len() > 10_000);
    // Streamed without a length: refused when the count passes the limit.
    let (s, v) = send(
        &f.app,
        post("/api/ingest?name=e.jsonl", Some(TOKEN), big.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    error_of(&v);
    // Declared length: refused before reading.
    let mut req = post("/api/ingest?name=e.jsonl", Some(TOKEN), big.clone());
    req.headers_mut().insert(
        header::CONTENT_LENGTH,
        big.len().to_string().parse().unwrap(),
    );
    let (s, _) = send(&f.app, req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (_, stats) = get(&f.app, "/api/stats").await;
    assert_eq!(
        stats["runs"].as_array().unwrap().len(),
        1,
        "nothing ingested"
    );
}

#[tokio::test]
async fn static_files_are_served_and_traversal_is_404() {
    let f = fixture(None, 1 << 20);
    let res = f
        .app
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    for ok in ["/app.js", "/style.css", "/vendor/uPlot.iife.min.js"] {
        let (s, _) = get(&f.app, ok).await;
        assert_eq!(s, StatusCode::OK, "{ok}");
    }
    for bad in [
        "/../Cargo.toml",
        "/..%2fCargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/vendor/../../Cargo.toml",
        "/vendor/..%5c..%5cCargo.toml",
        "/....//Cargo.toml",
        "//etc/passwd",
        "/src/lib.rs",
        "/nope.js",
    ] {
        let (s, _) = get(&f.app, bad).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}");
    }
    let (s, v) = send(
        &f.app,
        Request::builder()
            .method(Method::DELETE)
            .uri("/api/stats")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    error_of(&v);
}

#[tokio::test]
async fn every_documented_route_answers() {
    let f = fixture(Some(TOKEN), 1 << 30);
    let spec = renown_serve::openapi::spec();
    let (s, served) = get(&f.app, "/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(served, spec);
    let (_, lb) = get(&f.app, "/api/leaderboard?limit=1").await;
    let id = lb["rows"][0]["id"].to_string();
    let (_, cascades) = get(&f.app, "/api/cascades?limit=1").await;
    let cascade = cascades["rows"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the demo has cascades: {cascades}"))
        .to_string();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 14);
    for (path, ops) in paths {
        let uri = if path == "/api/backtest" {
            // As for the dynamics: the resamples take long in a debug build.
            format!("{path}?bootstrap=0")
        } else if path == "/api/dynamics" {
            // The bootstrap is what takes long in a debug build; the route is what is tested.
            format!("{path}?bootstrap=0")
        } else if path.starts_with("/api/cascades/") {
            path.replace("{id}", &cascade)
        } else {
            path.replace("{id}", &id)
        };
        for method in ops.as_object().unwrap().keys() {
            let req = match method.as_str() {
                "get" => Request::get(&uri).body(Body::empty()).unwrap(),
                "post" => post(
                    &format!("{uri}?name=e.jsonl"),
                    Some(TOKEN),
                    events_jsonl(3, 50),
                ),
                other => panic!("undocumented method {other}"),
            };
            let (s, v) = send(&f.app, req).await;
            assert!(s.is_success(), "{method} {uri}: {s} {v}");
        }
    }
}

#[tokio::test]
async fn explanations_comparisons_and_cascades() {
    let f = fixture(None, 1 << 20);
    let (_, lb) = get(&f.app, "/api/leaderboard?measure=earned&limit=1").await;
    let top = &lb["rows"][0];
    let id = top["id"].as_u64().unwrap();

    let (s, e) = get(&f.app, &format!("/api/accounts/{id}/explain?endorsers=5")).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(
        e["score"], top["score"],
        "the explanation explains the leaderboard's score"
    );
    assert_eq!(e["rank"], 1);
    assert!(e["endorsers"].as_array().unwrap().len() <= 5);
    assert!(e.get("trajectory").is_none());

    // Computed in the background: the score and rank now at once, the points when ready.
    let uri = format!("/api/accounts/{id}/trajectory?months=3");
    let (s, t) = get(&f.app, &uri).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!((&t["score"], &t["rank"]), (&top["score"], &json!(1)), "{t}");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut t = t;
    while t["pending"] == true {
        assert!(t["points"].as_array().unwrap().is_empty(), "{t}");
        assert!(
            std::time::Instant::now() < until,
            "the trajectory never came"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        t = get(&f.app, &uri).await.1;
    }
    assert_eq!(t["pending"], false, "{t}");
    assert_eq!(t["score"], top["score"]);
    let points = t["points"].as_array().unwrap();
    assert!(!points.is_empty() && points.len() <= 3, "{t}");
    let (s, v) = get(&f.app, &format!("/api/accounts/{id}/trajectory?months=99")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("months"));

    let (s, c) = get(
        &f.app,
        "/api/compare?measures=earned,followers,engagement&top=10",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let rows = c["rows"].as_array().unwrap();
    // 3 pairs over all accounts, and over each measure's top 10 %.
    assert!(rows.len() >= 3, "{c}");
    for r in rows {
        if let Some(rho) = r["spearman"].as_f64() {
            assert!((-1.0..=1.0).contains(&rho), "{r}");
        }
    }
    for (uri, needle) in [
        ("/api/compare?measures=earned", "two"),
        ("/api/compare?measures=earned,nope", "nope"),
        ("/api/compare?top=0", "top"),
        ("/api/dynamics?period=year", "period"),
    ] {
        let (s, v) = get(&f.app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(error_of(&v).contains(needle), "{uri}: {v}");
    }

    let (s, list) = get(&f.app, "/api/cascades?limit=3").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let first = &list["rows"][0];
    let sizes: Vec<u64> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["size"].as_u64().unwrap())
        .collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "largest first: {sizes:?}"
    );
    let cid = first["id"].as_str().unwrap();
    let (s, tree) = get(&f.app, &format!("/api/cascades/{cid}?limit=1000")).await;
    assert_eq!(s, StatusCode::OK, "{tree}");
    assert_eq!(tree["nodes_total"], first["size"]);
    let nodes = tree["nodes"].as_array().unwrap();
    assert!(nodes[0]["parent"].is_null());
    for (i, n) in nodes.iter().enumerate().skip(1) {
        // Parents come before children.
        assert!(n["parent"].as_u64().unwrap() < i as u64);
    }
    let (s, v) = get(&f.app, "/api/cascades/no/such/cascade").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    error_of(&v);

    let (s, d) = get(&f.app, "/api/dynamics?period=week&limit=5&bootstrap=2").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert!(d["fitness"].as_array().unwrap().len() <= 5);
    assert!(d["concentration"].as_array().unwrap().len() > 1);
}

#[tokio::test]
async fn profiles_and_the_scatter_agree_with_the_other_routes() {
    let f = fixture(None, 1 << 20);
    let (_, lb) = get(&f.app, "/api/leaderboard?measure=earned&limit=1").await;
    let top = &lb["rows"][0];
    let id = top["id"].as_u64().unwrap();

    let (s, p) = get(&f.app, &format!("/api/accounts/{id}/profile?limit=5")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["score"], top["score"]);
    let (_, e) = get(&f.app, &format!("/api/accounts/{id}/explain?endorsers=5")).await;
    let ids = |v: &Value, key: &str| -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x[key].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(&p["influencer_of"]["listed"], "dense_id"),
        ids(&e["endorsers"], "dense_id"),
        "the profile's endorsers are the explanation's"
    );
    assert!(p["influenced_by"]["listed"].as_array().unwrap().len() <= 5);
    assert!(p["topics"]["listed"].is_array());

    let (s, sc) = get(&f.app, "/api/scatter?points=300").await;
    assert_eq!(s, StatusCode::OK, "{sc}");
    assert_eq!(
        (sc["x"].as_str(), sc["y"].as_str()),
        (Some("followers"), Some("earned"))
    );
    let points = sc["points"].as_array().unwrap();
    let top_point = points
        .iter()
        .find(|pt| pt["dense_id"].as_u64() == Some(id))
        .expect("the top earned account is drawn");
    assert_eq!(top_point["y"], top["score"]);
    assert_eq!(top_point["x"].as_f64(), top["followers"].as_f64());
    assert!(points.iter().any(|pt| pt["outlier"] == "x-without-y"));
    assert!(points.iter().any(|pt| pt["outlier"] == "y-without-x"));

    for (uri, needle) in [
        ("/api/scatter?x=earned&y=earned", "different"),
        ("/api/scatter?x=nope", "nope"),
        ("/api/scatter?points=many", "points"),
        ("/api/accounts/1/profile?limit=-1", "limit"),
    ] {
        let (s, v) = get(&f.app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(error_of(&v).contains(needle), "{uri}: {v}");
    }
}

#[tokio::test]
async fn dynamics_answers_the_point_estimate_first_and_the_clis_interval_when_ready() {
    let f = fixture(None, 1 << 20);
    let (s, first) = get(&f.app, "/api/dynamics?limit=3").await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["bootstrap"], 100, "the CLI's replicates");
    let (_, point) = get(&f.app, "/api/dynamics?limit=3&bootstrap=0").await;
    assert_eq!(point["alpha"]["replicates"], 0);
    assert_eq!(first["alpha"]["value"], point["alpha"]["value"]);
    if first["interval_pending"] == true {
        assert!(first["alpha"]["low"].is_null(), "no interval yet: {first}");
    }
    // Asked again, the interval comes from the background computation.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(300);
    let full = loop {
        let (s, d) = get(&f.app, "/api/dynamics?limit=3").await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert!(d.get("interval_error").is_none(), "{d}");
        if d["interval_pending"] == false {
            break d;
        }
        assert!(std::time::Instant::now() < until, "the interval never came");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(full["alpha"]["replicates"], 100);
    assert_eq!(full["alpha"]["value"], point["alpha"]["value"]);
    let (low, high) = (
        full["alpha"]["low"].as_f64().unwrap(),
        full["alpha"]["high"].as_f64().unwrap(),
    );
    assert!(low <= high, "{full}");
    // The same as waiting for 100 replicates (same seed): the CLI's interval.
    let (_, waited) = get(&f.app, "/api/dynamics?limit=3&bootstrap=100").await;
    assert_eq!(waited["alpha"], full["alpha"]);
    assert_eq!(waited["interval_pending"], false);
}

#[tokio::test]
async fn fake_account_rules_judge_accounts_with_profiles_and_say_when_there_is_none() {
    let doc = r#"{"data":[
 {"id":"10","author_id":"1","text":"hello @carol99","created_at":"2024-01-01T00:00:00Z",
  "entities":{"mentions":[{"username":"carol99","id":"4"}]}}],
 "includes":{"users":[
  {"id":"1","username":"alice","profile_image_url":"https://example.org/a.png","public_metrics":{"followers_count":120,"following_count":80,"tweet_count":5000},"description":"writes about rust"},
  {"id":"4","username":"carol99","public_metrics":{"followers_count":3,"following_count":900,"tweet_count":0},"description":""}]}}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search.json");
    std::fs::write(&path, doc).unwrap();
    let db = dir.path().join("p.db");
    let mut store = renown_store::Store::open(&db).unwrap();
    let report = renown_ingest::ingest_path(
        &mut store,
        &path,
        &renown_ingest::IngestOptions::default(),
        &mut |_, _, _| {},
    )
    .unwrap();
    assert!(report.error.is_none(), "{report:?}");
    drop(store);
    let mut config = Config::new(db);
    config.first_answer_within = None;
    let app = router(AppState::new(config));

    let (s, carol) = get(&app, "/api/accounts/@carol99/fake").await;
    assert_eq!(s, StatusCode::OK, "{carol}");
    assert_eq!(carol["profile"], true);
    let votes = carol["fake_votes"].as_u64().unwrap();
    assert!(
        votes >= 2,
        "3 followers, 900 followed, no posts, no bio: {carol}"
    );
    let against: Vec<&str> = carol["rule_sets"][0]["against"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(
        against.iter().any(|t| t.contains("biography")),
        "{against:?}"
    );
    let (_, alice) = get(&app, "/api/accounts/@alice/fake").await;
    assert_eq!(alice["profile"], true);
    assert!(alice["fake_votes"].as_u64().unwrap() < votes, "{alice}");

    // The simulated store has no profiles: the answer says so.
    let f = fixture(None, 1 << 20);
    let (s, none) = get(&f.app, "/api/accounts/1/fake").await;
    assert_eq!(s, StatusCode::OK, "{none}");
    assert_eq!(none["profile"], false);
    let (s, _) = get(&f.app, "/api/accounts/no:such/fake").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// `/api/backtest` serialises the same struct the CLI prints, with the same defaults, and
/// refuses what it cannot do with a 400.
#[tokio::test]
async fn backtest_is_the_library_result_with_the_cli_defaults() {
    use renown_measures::backtest::{backtest, BacktestOptions};
    let f = fixture(None, 1 << 20);
    let (s, served) = complete(
        &f.app,
        "/api/backtest?bootstrap=20&measures=earned,engagement",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{served}");
    let store = renown_store::Store::open_read_only(&f._dir.path().join("t.db")).unwrap();
    let opts = BacktestOptions {
        bootstrap: 20,
        measures: vec!["earned".into(), "engagement".into()],
        ..BacktestOptions::default()
    };
    // Through text, as the response was (serde_json's parsing may differ from the value in
    // the last bit).
    let text = serde_json::to_string(&backtest(&store, &opts).unwrap()).unwrap();
    let direct: Value = serde_json::from_str(&text).unwrap();
    let mut served = served;
    // Beside the library's result: the parameters of the scored measures that take any.
    let parameters = served
        .as_object_mut()
        .unwrap()
        .remove("parameters")
        .unwrap();
    assert_eq!(
        parameters["earned"]["half_life_days"], 365.0,
        "{parameters}"
    );
    assert!(parameters.get("engagement").is_none(), "{parameters}");
    assert_eq!(served, direct);
    assert_eq!(served["k"], 100);
    assert_eq!(served["target"], "distinct-engagers");
    assert_eq!(served["splits"].as_array().unwrap().len(), 3);
    // Memoised by its options: the same question again gets the same answer, another question
    // (fewer resamples, one measure) its own.
    let (s, again) = complete(
        &f.app,
        "/api/backtest?bootstrap=20&measures=earned,engagement",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["splits"], served["splits"]);
    let (s, other) = complete(&f.app, "/api/backtest?bootstrap=10&measures=earned").await;
    assert_eq!(s, StatusCode::OK, "{other}");
    assert_eq!(other["bootstrap"], 10, "{other}");
    assert_ne!(other["splits"], served["splits"]);
    // `tune=true` as `renown backtest --tune`: earned's parameters chosen on the earlier
    // splits, reported on the last as earned-tuned; a question of its own in the memo.
    let (s, tuned) = complete(
        &f.app,
        "/api/backtest?bootstrap=20&measures=earned,engagement&tune=true",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{tuned}");
    let direct_tuned = backtest(
        &store,
        &BacktestOptions {
            tune: true,
            ..opts.clone()
        },
    )
    .unwrap();
    let direct_tuned: Value =
        serde_json::from_str(&serde_json::to_string(&direct_tuned).unwrap()).unwrap();
    assert_eq!(tuned["tuning"], direct_tuned["tuning"]);
    assert_eq!(tuned["splits"], direct_tuned["splits"]);
    let last = tuned["splits"][2]["measures"].as_array().unwrap();
    assert!(
        last.iter().any(|m| m["measure"] == "earned-tuned"),
        "{tuned}"
    );
    assert!(served.get("tuning").is_none(), "{served}");
    let (s, v) = get(&f.app, "/api/backtest?tune=maybe").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v.to_string().contains("tune"), "{v}");
    // Nothing asked: the defaults, e.g. the CLI's number of resamples.
    let none = renown_serve::params::Params::parse(None, &renown_serve::backtest::PARAMS).unwrap();
    assert_eq!(
        renown_serve::backtest::options(&none).unwrap(),
        BacktestOptions::default()
    );
    for (uri, word) in [
        ("/api/backtest?target=fame", "target"),
        ("/api/backtest?horizon=3y", "horizon"),
        ("/api/backtest?split=yesterday", "split"),
        ("/api/backtest?bootstrap=5000", "bootstrap"),
        ("/api/backtest?k=0", "k"),
        ("/api/backtest?measures=klout", "klout"),
    ] {
        let (s, v) = get(&f.app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(v.to_string().contains(word), "{uri}: {v}");
    }
}

#[tokio::test]
async fn every_yes_no_parameter_refuses_other_values_with_the_same_400() {
    let f = fixture(Some(TOKEN), 1 << 20);
    for (uri, key) in [
        ("/api/leaderboard?measure=earned&trust=yes", "trust"),
        ("/api/backtest?tune=yes", "tune"),
        ("/api/seeds?compare=yes", "compare"),
        ("/api/seeds?holdout=yes", "holdout"),
    ] {
        let (s, v) = get(&f.app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(
            error_of(&v),
            format!("{key} must be true or false, not \"yes\""),
            "{uri}"
        );
    }
    let (s, v) = send(
        &f.app,
        post(
            "/api/ingest?name=e.jsonl&strict=yes",
            Some(TOKEN),
            Vec::new(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(error_of(&v), "strict must be true or false, not \"yes\"");
}

/// `/api/audit?per=person` pages one list (kept per scope and state, as the accounts' table),
/// each page what `renown audit --all --per person` computes for it.
#[tokio::test]
async fn the_person_audit_is_paged_from_one_list_as_the_library_pages_it() {
    use renown_app::audit::AuditQuery;
    let f = fixture(None, 1 << 20);
    let (s, all) = get(&f.app, "/api/audit?per=person&limit=1000").await;
    assert_eq!(s, StatusCode::OK, "{all}");
    let rows = all["rows"].as_array().unwrap();
    assert!(rows.len() >= 4, "{all}");
    assert_eq!(all["total"], rows.len());
    let store = renown_store::Store::open_read_only(&f._dir.path().join("t.db")).unwrap();
    for (offset, limit) in [(0, 2), (2, 3), (rows.len() - 1, 5), (rows.len() + 3, 5)] {
        let (s, page) = get(
            &f.app,
            &format!("/api/audit?per=person&limit={limit}&offset={offset}"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let end = (offset + limit).min(rows.len());
        assert_eq!(
            page["rows"].as_array().unwrap()[..],
            rows[offset.min(end)..end]
        );
        let query = AuditQuery {
            limit: Some(limit),
            offset,
            ..AuditQuery::default()
        };
        let direct = renown_app::person_audit_all(
            &renown_app::Direct::new(&store),
            &Default::default(),
            &query,
        )
        .unwrap();
        let direct: Value = serde_json::from_str(&serde_json::to_string(&direct).unwrap()).unwrap();
        assert_eq!(page, direct, "offset {offset}, limit {limit}");
    }
}
