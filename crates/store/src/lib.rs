//! The event log: one SQLite file, append-only and idempotent.
//!
//! Every event carries a 64-bit identity ([`renown_model::Event::identity`]); the writer keeps
//! the set of identities in memory and skips any it has, so writing the same record twice adds
//! nothing. Uniqueness is the writer's job rather than a SQL UNIQUE index because index
//! maintenance on random 64-bit keys cost 10× the ingest rate; an exclusive lock file
//! (`<db>.lock`) makes sure only one writer holds the set. Writes happen in batches, one
//! transaction each, in WAL mode: a killed process loses at most the batch in flight.
//! Accounts are interned to dense ids (`accounts.id - 1`) the graph stage uses directly.

pub mod links;
mod read;
mod schema;
pub mod tombstones;
mod write;

pub use read::{AccountInfo, EventFilter, EventRow, FullEventRow, RunInfo, Stats};
pub use write::{BatchCounts, RunId};

use rusqlite::Connection;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// The file is a SQLite database but not one renown can trust (a newer schema, a bad value).
    #[error("store {path} is corrupt or from a newer renown: {reason}")]
    Corrupt { path: String, reason: String },
    #[error("no account {0:?} in the store")]
    UnknownAccount(String),
    #[error("store {path} is being written by another process (lock {lock}): {source}")]
    Locked {
        path: String,
        lock: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The writer's in-memory view: interned accounts and every event identity in the store,
/// loaded at the first write under the writer lock.
#[derive(Default)]
struct Interner {
    platforms: HashMap<String, i64>,
    /// The platform of the previous event: nearly every file has one, so this skips a lookup.
    last_platform: Option<(Box<str>, i64)>,
    /// [`account_key`] → account. A 128-bit hash rather than the string itself: no heap string
    /// to chase and compare on every lookup, and a collision needs ~2^64 accounts.
    accounts: FxHashMap<u128, AccountSlot>,
    /// Lowercased topic name → id, filled as topics are written.
    topics: FxHashMap<Box<str>, i64>,
    next_account: i64,
    /// Events get explicit row ids (we are the only writer), so a batch's rows can be inserted
    /// many per statement and their topic links written without asking SQLite for the ids.
    next_event: i64,
    keys: FxHashSet<u64>,
    loaded: bool,
    /// Held for as long as this store writes.
    lock: Option<std::fs::File>,
}

/// The interner's key for (platform id, native id).
fn account_key(platform: i64, native_id: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128_with_seed(native_id.as_bytes(), platform as u64)
}

#[derive(Clone, Copy)]
struct AccountSlot {
    id: i64,
    has_handle: bool,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    interner: Interner,
}

impl Store {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| sqlite_err(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            interner: Interner::default(),
        };
        schema::prepare(&mut store)?;
        tombstones::prepare(&store.conn).map_err(|e| store.err(e))?;
        Ok(store)
    }

    /// Opens an existing store read-only; errors if it does not exist.
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
            interner: Interner::default(),
        };
        schema::check_version(&store)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for measures that need an SQL query the API does not cover.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        sqlite_err(&self.path, e)
    }
}

fn sqlite_err(path: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.display().to_string(),
        source,
    }
}
