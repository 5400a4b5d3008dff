#![warn(missing_docs)]
//! The event log: one SQLite file, append-only and idempotent.
//!
//! Events are stored in column blocks, one `event_blocks` row per write batch (see `blocks.rs`):
//! read them through [`Store::scan_events`], or `renown export` for other tools.
//! Every event carries a 64-bit identity ([`renown_model::Event::identity`]); the writer keeps
//! the set of identities in memory and skips any it has, so writing the same record twice adds
//! nothing. Uniqueness is the writer's job rather than a SQL UNIQUE index because index
//! maintenance on random 64-bit keys cost 10× the ingest rate; an exclusive lock file
//! (`<db>.lock`) makes sure only one writer holds the set. Writes happen in batches, one
//! transaction each, in WAL mode: a killed process loses at most the batch in flight.
//! Accounts are interned to dense ids (account id − 1) the graph stage uses directly.
//! Readers take a [`Snapshot`]: one read transaction, so every query of one command or request
//! sees the same committed state while an ingest writes.

mod account_table;
mod attrs;
mod blocks;
pub mod columns;
pub mod links;
pub mod offline;
#[cfg(feature = "parquet")]
pub mod parquet;
mod read;
mod resolve;
mod schema;
mod scope;
mod snapshot;
pub mod tombstones;
mod write;

pub use columns::{AccountColumns, EventColumns, StringColumn, Validity};
pub use read::{AccountInfo, EventFilter, EventRow, FullEventRow, RunInfo, Stats};
pub use resolve::{EventIds, Names, ResolvedBatch, Resolver};
pub use scope::Scope;
pub use snapshot::Snapshot;
pub use write::{BatchCounts, RunId};

use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// Why the store could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The causes below are in the message and deliberately not `#[source]`: a chain printer
    // (`{:#}`) would print them twice.
    /// SQLite failed on the store file.
    #[error("store {path}: {cause}")]
    Sqlite {
        /// The store file.
        path: String,
        /// SQLite's error.
        cause: rusqlite::Error,
    },
    /// The file is a SQLite database but not one renown can trust (a newer schema, a bad value).
    #[error("store {path} is corrupt or from a newer renown: {reason}")]
    Corrupt {
        /// The store file.
        path: String,
        /// What was found wrong.
        reason: String,
    },
    /// The API was called out of order (a bug in the caller, not bad data).
    #[error("store misuse: {0}")]
    Misuse(String),
    /// No account matches what the caller named (an id, a handle).
    #[error("no account {0:?} in the store")]
    UnknownAccount(String),
    /// Another process holds the writer's lock: one writer at a time.
    #[error("store {path} is being written by another process (lock {lock}): {cause}")]
    Locked {
        /// The store file.
        path: String,
        /// The lock file (`<db>.lock`).
        lock: String,
        /// Why the lock could not be taken.
        cause: std::io::Error,
    },
    /// The lock file beside the store cannot be made (a read-only folder, a folder in its way).
    #[error("store {path}: cannot create its lock file {lock}: {cause}")]
    LockFile {
        /// The store file.
        path: String,
        /// The lock file (`<db>.lock`).
        lock: String,
        /// Why it could not be created.
        cause: std::io::Error,
    },
}

/// The store's result.
pub type Result<T> = std::result::Result<T, StoreError>;

/// One renown store: a SQLite file in WAL mode holding the event log, opened to write (holding
/// `<db>.lock`) or read-only; readers go through a [`Snapshot`] for one committed state.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Loaded at the first write; `None` again after a failed write (reloaded from disk).
    resolver: Option<Resolver>,
    /// The exclusive `<db>.lock`, held for as long as this store writes.
    writer_lock: Option<std::fs::File>,
}

/// Checkpoints the write-ahead log from another thread. Without it, the pages an ingest wrote
/// are copied into the database file (and synced) when the store closes, after the ingest,
/// which cost a quarter of a Higgs ingest; passive checkpoints between batches (at most one
/// per 100 ms, see `run.rs`) overlap that copy with the reading of the next ones. It never
/// blocks the writer and never loses anything: what it does not copy, the close does.
pub struct Checkpointer {
    conn: Connection,
}

impl Checkpointer {
    /// Copies what is committed and not yet in the database file, without waiting for locks.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(|e| sqlite_err(Path::new(self.conn.path().unwrap_or("")), e))
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            // Falls back to creating it in place below when it cannot.
            schema::create_new(path);
        }
        let conn = Connection::open(path).map_err(|e| sqlite_err(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            resolver: None,
            writer_lock: None,
        };
        schema::prepare(&mut store)?;
        tombstones::prepare(&store.conn).map_err(|e| store.err(e))?;
        schema::upgrade(&mut store)?;
        Ok(store)
    }

    /// Opens an existing store read-only; errors if it does not exist. Each query sees the
    /// latest commit: take a [`Snapshot`] to see one state across queries.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sqlite_err(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            resolver: None,
            writer_lock: None,
        };
        if schema::needs_upgrade(&store)? {
            // Written by an older renown: upgrade it once through a writable connection.
            drop(store);
            drop(Store::open(path)?);
            return Store::open_read_only(path);
        }
        schema::check_version(&store)?;
        Ok(store)
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for this crate's tests.
    #[cfg(test)]
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// A second connection that copies committed pages from the write-ahead log into the
    /// database file while this one goes on writing (see [`Checkpointer`]).
    pub fn checkpointer(&self) -> Result<Checkpointer> {
        let conn = Connection::open(&self.path).map_err(|e| self.err(e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.err(e))?;
        Ok(Checkpointer { conn })
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        sqlite_err(&self.path, e)
    }
}

fn sqlite_err(path: &Path, cause: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.display().to_string(),
        cause,
    }
}
