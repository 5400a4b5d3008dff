//! The server under abuse: hostile hosts, huge parameters and decompression bombs, computations
//! nobody waits for, slow and numerous sockets, shutdown. In-process (`oneshot`) where the
//! router alone decides, over real sockets where the accept loop does.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use renown_serve::server::{serve_until, Limits};
use renown_serve::{router, AppState, Config, Shared};
use serde_json::Value;
use std::io::Write;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

mod common;
use common::{demo_store, events_jsonl, store_of};

const TOKEN: &str = "test-token-0123456789";

struct Fixture {
    dir: tempfile::TempDir,
    state: Shared,
    app: Router,
}

fn fixture_with(accounts: usize, adjust: impl FnOnce(&mut Config)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = if accounts == 200 {
        demo_store(dir.path())
    } else {
        store_of(dir.path(), accounts)
    };
    let mut config = Config::new(db);
    // Every answer waited for: what these tests check must not depend on this machine's speed.
    config.first_answer_within = None;
    adjust(&mut config);
    let state = AppState::new(config);
    Fixture {
        app: router(state.clone()),
        state,
        dir,
    }
}

fn fixture(adjust: impl FnOnce(&mut Config)) -> Fixture {
    fixture_with(200, adjust)
}

struct Answer {
    status: StatusCode,
    retry_after: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        retry_after,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn upload(body: Vec<u8>) -> Request<Body> {
    Request::post("/api/ingest?name=feed.jsonl.gz")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(body))
        .unwrap()
}

async fn runs(app: &Router) -> usize {
    get(app, "/api/stats").await.json()["runs"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn hosts_other_than_this_server_are_refused() {
    let f = fixture(|c| c.allowed_hosts = vec!["renown.example.org".into()]);
    let with_host = |host: &str| {
        Request::get("/api/measures")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap()
    };
    for host in [
        "localhost:7878",
        "127.0.0.1:7878",
        "[::1]:7878",
        "renown.example.org",
    ] {
        let a = send(&f.app, with_host(host)).await;
        assert_eq!(a.status, StatusCode::OK, "{host}: {}", a.body);
    }
    // A rebinding page's name, on the API and on the dashboard alike.
    for uri in ["/api/measures", "/"] {
        let req = Request::get(uri)
            .header(header::HOST, "attacker.example:7878")
            .body(Body::empty())
            .unwrap();
        let a = send(&f.app, req).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{uri}: {}", a.body);
        assert!(a.json()["error"].as_str().unwrap().contains("--allow-host"));
    }
}

#[tokio::test]
async fn errors_carry_no_paths_or_panic_text() {
    let f = fixture(|c| c.token = Some(TOKEN.into()));
    let dir = f.dir.path().display().to_string();

    // Ingested files are named without their directory.
    let stats = get(&f.app, "/api/stats").await;
    assert_eq!(stats.status, StatusCode::OK);
    assert!(!stats.body.contains(&dir), "{}", stats.body);
    assert_eq!(stats.json()["runs"][0]["file"], "events.jsonl");

    // A store locked by another writer: 503 with Retry-After, and no lock file path.
    let mut writer = renown_store::Store::open(&f.state.config.db).unwrap();
    let _held = writer.take_resolver().unwrap();
    let a = send(&f.app, upload(events_jsonl(8, 50))).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
    assert!(a.retry_after.is_some());
    assert!(
        !a.body.contains(&dir) && !a.body.contains(".lock"),
        "{}",
        a.body
    );
    drop(_held);
    drop(writer);

    // A panic in request work: a plain 500, the text only in the log.
    let err = f
        .state
        .blocking(|_, _| -> renown_serve::ApiResult<()> {
            panic!("index out of bounds in {}", "/secret/path.rs")
        })
        .await
        .unwrap_err();
    assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!err.message.contains("secret") && !err.message.contains("panicked"));

    // A store that cannot be opened: a plain 500 without its path.
    let g = fixture(|_| {});
    std::fs::remove_file(&g.state.config.db).unwrap();
    let a = get(&g.app, "/api/stats").await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", a.body);
    assert!(
        !a.body.contains(&g.dir.path().display().to_string()),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn uploads_that_decompress_beyond_the_limit_are_413_and_store_nothing() {
    let limit = 200_000u64;
    let f = fixture(|c| {
        c.token = Some(TOKEN.into());
        c.max_body = limit;
    });
    let feed = events_jsonl(8, 100);
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut written = 0u64;
    while written <= 4 * limit {
        bomb.write_all(&feed).unwrap();
        written += feed.len() as u64;
    }
    let bomb = bomb.finish().unwrap();
    assert!((bomb.len() as u64) < limit, "{} bytes", bomb.len());
    let before = runs(&f.app).await;
    let a = send(&f.app, upload(bomb)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.body);
    assert!(a.json()["error"].as_str().unwrap().contains("decompresses"));
    assert_eq!(runs(&f.app).await, before, "nothing ingested");

    // Under the limit once decompressed: accepted.
    let mut small = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    small
        .write_all(&feed[..(limit as usize / 2).min(feed.len())])
        .unwrap();
    let small = small.finish().unwrap();
    let a = send(&f.app, upload(small)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

#[tokio::test]
async fn bootstrap_is_bounded_and_long_computations_take_a_slot() {
    let f = fixture(|c| c.max_jobs = 1);
    let a = get(&f.app, "/api/dynamics?bootstrap=201").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert!(a.body.contains("at most 200"), "{}", a.body);

    // Every slot taken: 503 at once, with Retry-After.
    let slot = f.state.jobs.start().unwrap();
    let started = Instant::now();
    let a = get(&f.app, "/api/dynamics?bootstrap=5").await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
    assert!(a.retry_after.is_some());
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(slot);
    let a = get(&f.app, "/api/dynamics?bootstrap=5").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(f.state.jobs.running(), 0);
}

/// Waits up to `within` for the running long computations to drop to zero.
async fn jobs_finish(state: &Shared, within: Duration) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if state.jobs.running() == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Waits up to `within` for a long computation to be running.
async fn job_starts(state: &Shared, within: Duration) {
    let until = Instant::now() + within;
    while state.jobs.running() == 0 {
        assert!(Instant::now() < until, "the computation did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A request that would compute for long (the most bootstrap replicates on a larger store).
const LONG: &str = "/api/dynamics?bootstrap=200";
const LONG_ACCOUNTS: usize = 1500;

#[tokio::test]
async fn timed_out_and_abandoned_requests_stop_their_computation() {
    let f = fixture_with(LONG_ACCOUNTS, |_| {});
    let mut config = f.state.config.clone();
    config.timeout = Duration::from_millis(300);
    let impatient = AppState::new(config);
    let a = get(&router(impatient.clone()), LONG).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
    assert!(
        jobs_finish(&impatient, Duration::from_secs(2)).await,
        "the computation outlived its timed-out request"
    );

    let app = f.app.clone();
    let request = tokio::spawn(async move { get(&app, LONG).await });
    job_starts(&f.state, Duration::from_secs(10)).await;
    request.abort(); // the client went away
    assert!(
        jobs_finish(&f.state, Duration::from_secs(2)).await,
        "the computation outlived its abandoned request"
    );

    // Answered 202 past the first-answer deadline: the computation goes on for the next
    // asker; a client gone before the deadline still cancels it.
    let mut config = f.state.config.clone();
    config.first_answer_within = Some(Duration::from_secs(60));
    let patient = AppState::new(config.clone());
    let app = router(patient.clone());
    let request = tokio::spawn(async move { get(&app, LONG).await });
    job_starts(&patient, Duration::from_secs(10)).await;
    request.abort();
    assert!(
        jobs_finish(&patient, Duration::from_secs(2)).await,
        "the computation outlived a request abandoned before its deadline"
    );
    config.first_answer_within = Some(Duration::from_millis(50));
    let hasty = AppState::new(config);
    let a = get(&router(hasty.clone()), LONG).await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
    assert_eq!(a.retry_after.as_deref(), Some("2"));
    assert_eq!(a.json()["status"], "computing", "{}", a.body);
    job_starts(&hasty, Duration::from_secs(10)).await;
    assert!(
        !jobs_finish(&hasty, Duration::from_millis(300)).await,
        "the computation stopped when its asker was told 202"
    );
}

/// Serves `f` on a free loopback port until `stop` fires.
async fn listen(
    f: &Fixture,
    limits: Limits,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = f.app.clone();
    let server = tokio::spawn(async move {
        serve_until(listener, app, &limits, async {
            let _ = stopped.await;
        })
        .await
    });
    (addr, stop, server)
}

/// A request that sends its first header lines and never finishes them.
async fn half_sent(addr: std::net::SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /api/measures HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    s
}

/// The status line of `GET uri`, or None when no answer came within `within`.
async fn probe(addr: std::net::SocketAddr, uri: &str, within: Duration) -> Option<String> {
    tokio::time::timeout(within, async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        let req = format!("GET {uri} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.ok()?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.ok()?;
        let text = String::from_utf8_lossy(&out);
        text.lines().next().map(str::to_string)
    })
    .await
    .ok()
    .flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_sockets_beyond_the_limit_do_not_stop_the_server() {
    // Few enough descriptors that unbounded slow sockets exhaust them, as 1,100 did at the
    // usual limit of 1,024 (this binary's other tests need only a few dozen).
    let slow = 300;
    lower_descriptor_limit(512);
    let f = fixture(|_| {});
    let limits = Limits {
        max_connections: 64,
        ..Limits::default()
    };
    let (addr, stop, server) = listen(&f, limits).await;
    let mut sockets = Vec::new();
    for _ in 0..slow {
        sockets.push(half_sent(addr).await);
    }
    let started = Instant::now();
    let status = probe(addr, "/api/measures", Duration::from_secs(1)).await;
    assert_eq!(
        status.as_deref(),
        Some("HTTP/1.1 200 OK"),
        "no answer within 1 s behind {slow} slow sockets"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    drop(sockets);
    stop.send(()).unwrap();
    server.await.unwrap();
}

fn lower_descriptor_limit(to: u64) {
    // SAFETY: getrlimit/setrlimit with a valid pointer to an rlimit; no memory is shared.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        lim.rlim_cur = lim.rlim_cur.min(to as libc::rlim_t);
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &lim), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_must_arrive_in_time() {
    let f = fixture(|_| {});
    let limits = Limits {
        header_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let (addr, stop, server) = listen(&f, limits).await;
    let half = half_sent(addr).await;
    let silent = TcpStream::connect(addr).await.unwrap();
    for (what, mut s) in [
        ("a half-sent request", half),
        ("a silent connection", silent),
    ] {
        let mut buf = [0u8; 256];
        // The server closes the connection (possibly after a 408); reading then ends.
        let closed = tokio::time::timeout(Duration::from_secs(3), async {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "{what} held its connection");
    }
    stop.send(()).unwrap();
    server.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_within_five_seconds_and_cancels_work() {
    let f = fixture_with(LONG_ACCOUNTS, |_| {});
    let (addr, stop, server) = listen(&f, Limits::default()).await;
    let _slow = half_sent(addr).await;
    let long = tokio::spawn(probe(addr, LONG, Duration::from_secs(60)));
    job_starts(&f.state, Duration::from_secs(10)).await;
    let started = Instant::now();
    stop.send(()).unwrap();
    server.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shutdown took {:?}",
        started.elapsed()
    );
    assert!(
        jobs_finish(&f.state, Duration::from_secs(1)).await,
        "the computation outlived the server"
    );
    // The long request was dropped, or answered if its computation ended within the grace
    // period (how long it runs depends on the machine); never anything else. New connections are
    // refused.
    if let Some(status) = long.await.unwrap() {
        assert!(status.contains(" 200 "), "{status}");
    }
    assert_eq!(
        probe(addr, "/api/measures", Duration::from_secs(1)).await,
        None
    );
}
