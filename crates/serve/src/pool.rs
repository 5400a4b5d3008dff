//! Read-only store connections for blocking tasks. A rusqlite connection is `Send` but not
//! `Sync`, so each task takes one out of the pool and gives it back.

use crate::error::{ApiError, ApiResult};
use renown_store::Store;
use std::path::PathBuf;
use std::sync::Mutex;

/// Idle connections kept; more are opened under load and closed when returned.
const KEEP: usize = 8;

pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Pool {
    pub fn new(path: PathBuf) -> Pool {
        Pool {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Runs `f` with a connection, on the calling (blocking) thread.
    pub fn with<T>(&self, f: impl FnOnce(&Store) -> ApiResult<T>) -> ApiResult<T> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match taken {
            Some(s) => s,
            None => Store::open_read_only(&self.path).map_err(ApiError::from)?,
        };
        let out = f(&store);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < KEEP {
            idle.push(store);
        }
        out
    }
}
