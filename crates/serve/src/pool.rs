//! Read-only store connections for blocking tasks. A rusqlite connection is `Send` but not
//! `Sync`, so each task takes one out of the pool and gives it back.

use crate::error::{ApiError, ApiResult};
use renown_store::Store;
use std::path::PathBuf;
use std::sync::Mutex;

/// Idle connections kept; more are opened under load and closed when returned.
const KEEP: usize = 8;

/// Read connections to one store, opened on demand and kept for the next request.
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Pool {
    /// A pool for the store at `path` (nothing opened yet).
    pub fn new(path: PathBuf) -> Pool {
        Pool {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The store's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Runs `f` with a connection pinned at the latest committed state, on the calling
    /// (blocking) thread: everything one request reads comes from one state, even while an
    /// ingest commits. The snapshot ends before the connection goes back to the pool, so an
    /// idle connection never holds the write-ahead log back.
    pub fn with<T>(&self, f: impl FnOnce(&Store) -> ApiResult<T>) -> ApiResult<T> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match taken {
            Some(s) => s,
            None => Store::open_read_only(&self.path).map_err(ApiError::from)?,
        };
        let snapshot = store.snapshot().map_err(ApiError::from)?;
        let out = f(&snapshot);
        if let Ok(store) = snapshot.into_store() {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < KEEP {
                idle.push(store);
            }
        }
        out
    }
}
