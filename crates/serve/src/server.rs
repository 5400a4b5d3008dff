//! The accept loop: a bounded number of connections, a deadline for request headers, and a
//! shutdown that finishes in bounded time.
//!
//! A client that opens sockets and never finishes its requests would otherwise hold one
//! connection (and one file descriptor) each until the process runs out and stops accepting.
//! Here headers must arrive within `header_timeout`, and at `max_connections` a new connection
//! closes the oldest one with no request being handled (idle, still sending headers, or
//! receiving an answer already computed); only when every connection is running a handler is
//! the newcomer turned away.

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

#[derive(Clone, Debug)]
/// Connection limits and the shutdown grace period.
pub struct Limits {
    /// Open connections at most.
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// Time running requests get to finish after a shutdown signal before they are dropped
    /// (which cancels their computations).
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(3),
        }
    }
}

/// One open connection as the accept loop sees it.
#[derive(Default)]
struct Connection {
    /// Requests being answered now.
    busy: AtomicUsize,
    /// Notified to close the connection at once.
    evict: Notify,
}

#[derive(Default)]
struct Table {
    next_id: u64,
    /// By id, so the oldest comes first.
    open: BTreeMap<u64, Arc<Connection>>,
}

impl Table {
    /// Makes room for one more connection: closes the oldest one without a request in
    /// progress. False when every connection is busy.
    fn make_room(&mut self, max: usize) -> bool {
        if self.open.len() < max.max(1) {
            return true;
        }
        let idle = self
            .open
            .iter()
            .find(|(_, c)| c.busy.load(Ordering::Acquire) == 0)
            .map(|(&id, _)| id);
        match idle.and_then(|id| self.open.remove(&id)) {
            Some(conn) => {
                conn.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Counts a request as in progress on its connection for as long as it lives.
struct Busy(Arc<Connection>);

impl Busy {
    fn new(conn: Arc<Connection>) -> Busy {
        conn.busy.fetch_add(1, Ordering::AcqRel);
        Busy(conn)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, lets running
/// requests finish for `limits.shutdown_grace` and drops the rest.
pub async fn serve_until(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) {
    let table = Arc::new(Mutex::new(Table::default()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let tcp = tokio::select! {
            _ = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    // Out of file descriptors, most often: wait for some to close.
                    crate::error::log(&format!("cannot accept a connection: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let (id, conn) = {
            let mut t = table.lock().unwrap_or_else(|p| p.into_inner());
            if !t.make_room(limits.max_connections) {
                continue; // dropping the socket closes it
            }
            let id = t.next_id;
            t.next_id += 1;
            let conn = Arc::new(Connection::default());
            t.open.insert(id, conn.clone());
            (id, conn)
        };
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let table = table.clone();
        let mut stop = stop_rx.clone();
        let header_timeout = limits.header_timeout;
        tasks.spawn(async move {
            let in_progress = conn.clone();
            let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                let busy = Busy::new(in_progress.clone());
                let answer = app.clone().oneshot(req.map(Body::new));
                async move {
                    let res = answer.await;
                    drop(busy);
                    res
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let http = builder.serve_connection(TokioIo::new(tcp), service);
            tokio::pin!(http);
            let stopping = tokio::select! {
                // Errors here are the client's (a reset, headers too slow): nothing to report.
                _ = http.as_mut() => false,
                _ = conn.evict.notified() => false,
                _ = stop.wait_for(|stopping| *stopping) => true,
            };
            if stopping {
                // Finishes the request in progress, if any, then closes.
                http.as_mut().graceful_shutdown();
                let _ = http.await;
            }
            table
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .open
                .remove(&id);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        // Dropping a request's future cancels the computation it waits for (see `jobs`).
        tasks.shutdown().await;
    }
}
