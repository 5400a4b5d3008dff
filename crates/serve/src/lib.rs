#![warn(missing_docs)]
//! `renown serve`: the JSON API over the store and the dashboard embedded in the binary.
//!
//! Read-only unless a token is configured, in which case `POST /api/ingest` accepts a file in
//! any format the ingest crate reads. Store work runs on blocking threads with pooled read-only
//! connections; measure results are memoised per store state (see [`cache`]).
//!
//! Under abuse (docs/SERVER.md): requests name this server in `Host` ([`host`]), connections
//! are bounded and must send their headers in time ([`server`]), long computations take one of
//! a few slots and stop when their request goes away ([`jobs`]), and errors never carry
//! internals ([`error`]).

pub mod answers;
pub mod api;
pub mod assets;
pub mod audience;
pub mod backtest;
pub mod cache;
pub mod error;
pub mod host;
pub mod ingest;
pub mod insight;
pub mod jobs;
pub mod openapi;
pub mod params;
pub mod persons;
pub mod pool;
pub mod profile;
pub mod request;
pub mod seeds;
pub mod server;
pub mod spread;
pub mod view;
pub mod warm;

use axum::error_handling::HandleErrorLayer;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;

pub use error::{ApiError, ApiResult};

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The store served.
    pub db: PathBuf,
    /// Enables `POST /api/ingest`; requests must carry `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Largest accepted request body (ingest uploads).
    pub max_body: u64,
    /// Longest a read request may take before it is answered with 503.
    pub timeout: Duration,
    /// Longest an ingest may take.
    pub ingest_timeout: Duration,
    /// Host names accepted besides loopback names and the bound address (`--allow-host`).
    pub allowed_hosts: Vec<String>,
    /// The address listened on, for the `Host` check; [`serve`] sets it.
    pub bound: Option<IpAddr>,
    /// Long computations (see [`jobs`]) running at once.
    pub max_jobs: usize,
    /// Connection limits and the shutdown grace period.
    pub limits: server::Limits,
    /// The measures' parameters (`renown.toml` beside the store, `--config`); every answer that
    /// computes a measure uses them and echoes them where the CLI does.
    pub params: renown_app::Params,
    /// Answers that took at least this long are kept ([`answers`]); faster ones are computed
    /// again.
    pub keep_answers_after: Duration,
    /// A read request not answered by then gets `202` with a "computing" status while its
    /// answer is finished in the background ([`answers`]); `None` waits for every answer.
    pub first_answer_within: Option<Duration>,
}

impl Config {
    /// The defaults for serving the store at `db` (no ingest token, 60 s reads, 2 job slots).
    pub fn new(db: PathBuf) -> Config {
        Config {
            db,
            token: None,
            max_body: 256 << 20,
            timeout: Duration::from_secs(60),
            ingest_timeout: Duration::from_secs(3600),
            allowed_hosts: Vec::new(),
            bound: None,
            max_jobs: 2,
            limits: server::Limits::default(),
            params: renown_app::Params::default(),
            keep_answers_after: answers::KEEP_AFTER,
            first_answer_within: Some(answers::FIRST_ANSWER_WITHIN),
        }
    }
}

/// What every handler shares: the configuration, the store's connections and the answers kept.
pub struct AppState {
    /// How the server runs.
    pub config: Config,
    /// Read connections to the store, reused across requests.
    pub pool: pool::Pool,
    /// Lookups memoised per store state (accounts, ranked scores, models).
    pub caches: view::Caches,
    /// Whole answers kept per store state ([`answers`]).
    pub answers: answers::Kept,
    /// One ingest at a time: SQLite has one writer anyway, and this keeps uploads queued.
    pub ingest_lock: tokio::sync::Mutex<()>,
    /// The slots for long computations.
    pub jobs: jobs::Jobs,
    /// Which `Host` headers are accepted.
    pub host_policy: host::HostPolicy,
    /// Visitors' answers being computed now (the warm-up waits for none).
    pub visitors: answers::Visitors,
}

/// The state as handlers receive it.
pub type Shared = Arc<AppState>;

impl AppState {
    /// The state for `config`: no connection is opened until a request needs one.
    pub fn new(config: Config) -> Shared {
        Arc::new(AppState {
            pool: pool::Pool::new(config.db.clone()),
            caches: view::Caches::default(),
            answers: answers::Kept::default(),
            ingest_lock: tokio::sync::Mutex::new(()),
            jobs: jobs::Jobs::new(config.max_jobs),
            host_policy: host::HostPolicy::new(config.bound, &config.allowed_hosts),
            visitors: answers::Visitors::default(),
            config,
        })
    }

    /// Runs store work on a blocking thread with a pooled connection. If this future is
    /// dropped (client gone, timeout, shutdown), the work's [`jobs::current_cancel`] is set.
    pub async fn blocking<T: Send + 'static>(
        self: &Shared,
        f: impl FnOnce(&AppState, &renown_store::Store) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let state = self.clone();
        let cancel = renown_model::Cancel::new();
        let _cancel_when_abandoned = cancel.cancel_on_drop();
        let (out, cost) = tokio::task::spawn_blocking(move || {
            cache::costed(|| {
                jobs::with_cancel(cancel, || state.pool.with(|store| f(&state, store)))
            })
        })
        .await
        .map_err(|e| ApiError::internal(format!("a request worker failed: {e}")))?;
        answers::charge(cost);
        out
    }
}

/// The read routes with the answers they keep ([`answers`]), without the time limit: the
/// router serves them under it, the warm-up ([`warm`]) asks them directly.
pub fn read_routes(state: &Shared) -> Router<Shared> {
    Router::new()
        .route("/api/stats", get(api::stats))
        .route("/api/measures", get(api::measures))
        .route("/api/leaderboard", get(api::leaderboard))
        .route("/api/persons", get(persons::list))
        .route("/api/persons/{id}/explain", get(persons::explain))
        .route("/api/gap", get(persons::gap))
        .route("/api/accounts/{id}", get(api::account))
        .route("/api/accounts/{id}/timeline", get(api::timeline))
        .route("/api/accounts/{id}/explain", get(insight::explain))
        .route("/api/accounts/{id}/trajectory", get(insight::trajectory))
        .route("/api/accounts/{id}/profile", get(profile::account))
        .route("/api/compare", get(insight::compare))
        .route("/api/scatter", get(profile::scatter))
        .route("/api/accounts/{id}/spread", get(spread::account))
        .route("/api/cascades", get(spread::list))
        .route("/api/cascades/{*id}", get(spread::one))
        .route("/api/dynamics", get(spread::dynamics))
        .route("/api/backtest", get(backtest::backtest))
        .route("/api/seeds", get(seeds::seeds))
        .route("/api/accounts/{id}/audit", get(audience::account))
        .route("/api/accounts/{id}/fake", get(audience::fake))
        .route("/api/audit", get(audience::list))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api", get(api::not_found))
        .route("/api/{*rest}", get(api::not_found))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            answers::layer,
        ))
}

/// The whole application: API routes, ingest, and the dashboard as the fallback.
pub fn router(state: Shared) -> Router {
    let read_timeout = state.config.timeout;
    let ingest_timeout = state.config.ingest_timeout;
    let reads = read_routes(&state).layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(timed_out))
            .timeout(read_timeout),
    );
    let writes = Router::new()
        .route("/api/ingest", post(ingest::ingest))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(timed_out))
                .timeout(ingest_timeout),
        );
    reads
        .merge(writes)
        .fallback(assets::serve)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            host::check,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .with_state(state)
}

/// A handler that panicked: the panic text goes to the log, the caller gets a plain 500.
fn panicked(panic: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let text = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    ApiError::internal(format!("a request handler panicked: {text}")).into_response()
}

async fn timed_out(err: tower::BoxError) -> ApiError {
    if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the request took too long and was abandoned",
        )
    } else {
        ApiError::internal(err)
    }
}

#[derive(Debug, thiserror::Error)]
/// Why the server could not start or stopped.
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    /// The address could not be bound (in use, not ours, no permission).
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        #[source]
        /// What the system said.
        source: std::io::Error,
    },
    #[error(transparent)]
    /// The store could not be opened or read.
    Store(#[from] renown_store::StoreError),
    #[error("server failed: {0}")]
    /// The listener failed while serving.
    Io(#[from] std::io::Error),
}

/// Binds `addr` (port 0 picks a free one) and returns the listener with its real address, so the
/// caller can print the URL before serving.
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}

/// Serves until Ctrl-C (or SIGTERM), then finishes within the shutdown grace period.
pub async fn serve(
    listener: tokio::net::TcpListener,
    mut config: Config,
) -> Result<(), ServeError> {
    // Fail now, not at the first request, if the store cannot be read.
    renown_store::Store::open_read_only(&config.db)?;
    config.bound = Some(listener.local_addr()?.ip());
    let limits = config.limits.clone();
    let state = AppState::new(config);
    let app = router(state.clone());
    // The dashboard's first questions, asked now in the background: the first visitor finds
    // them answered (or under way, not started twice).
    tokio::spawn(warm::warm_up(state));
    server::serve_until(listener, app, &limits, shutdown_signal()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Runs the server on its own runtime until Ctrl-C; `ready` gets the bound address (the real
/// port when `addr` asked for port 0) before the first request is accepted.
pub fn run(
    config: Config,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = rt.block_on(async {
        renown_store::Store::open_read_only(&config.db)?;
        let listener = bind(addr).await?;
        ready(listener.local_addr()?);
        serve(listener, config).await
    });
    // Cancelled computations stop at their next check; do not wait on one that cannot.
    rt.shutdown_timeout(Duration::from_secs(1));
    served
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    #[tokio::test]
    async fn a_panic_is_a_plain_500_without_its_text() {
        let res = panicked(Box::new(format!(
            "index out of bounds at {}",
            "/src/x.rs:38"
        )));
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = to_bytes(res.into_body(), 1 << 16).await.unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains(error::INTERNAL_MESSAGE), "{body}");
        assert!(!body.contains("bounds") && !body.contains("/src"), "{body}");
    }
}
