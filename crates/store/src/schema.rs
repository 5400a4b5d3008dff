use crate::{Result, Store, StoreError};

/// Bumped when the on-disk layout changes; older renown refuses newer stores.
pub const SCHEMA_VERSION: i64 = 1;

const DDL: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS platforms(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS accounts(
    id INTEGER PRIMARY KEY,
    platform INTEGER NOT NULL REFERENCES platforms(id),
    native_id TEXT NOT NULL,
    handle TEXT);
CREATE TABLE IF NOT EXISTS ingest_runs(
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    format TEXT NOT NULL,
    started INTEGER NOT NULL,
    finished INTEGER,
    status TEXT NOT NULL,
    pid INTEGER,
    read INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0,
    duplicate INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    profiles INTEGER NOT NULL DEFAULT 0,
    message TEXT);
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY,
    ekey INTEGER NOT NULL,
    time INTEGER,
    kind INTEGER NOT NULL,
    actor INTEGER NOT NULL,
    target INTEGER,
    item TEXT,
    parent TEXT,
    run INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS event_topics(
    event INTEGER NOT NULL,
    topic INTEGER NOT NULL,
    PRIMARY KEY(event, topic)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_topics_by_topic ON event_topics(topic, event);
CREATE TABLE IF NOT EXISTS account_attrs(
    account INTEGER NOT NULL,
    key TEXT NOT NULL,
    num REAL,
    text TEXT,
    PRIMARY KEY(account, key)) WITHOUT ROWID;
";

pub(crate) fn prepare(store: &mut Store) -> Result<()> {
    let c = &store.conn;
    // WAL + NORMAL: a killed process loses nothing committed; only power loss can cost the last
    // transactions, never consistency.
    c.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| store.err(e))?;
    c.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| store.err(e))?;
    // Checkpoint the WAL every 64 MiB rather than every 4 MiB: an ingest batch is a few MiB, and
    // a checkpoint (copy + fsync) after nearly every batch cost as much as the inserts.
    c.pragma_update(None, "wal_autocheckpoint", 16_384i64)
        .map_err(|e| store.err(e))?;
    c.pragma_update(None, "cache_size", -262_144i64)
        .map_err(|e| store.err(e))?;
    c.pragma_update(None, "temp_store", "MEMORY")
        .map_err(|e| store.err(e))?;
    c.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(|e| store.err(e))?;
    c.execute_batch(DDL).map_err(|e| store.err(e))?;
    c.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?1)",
        [SCHEMA_VERSION.to_string()],
    )
    .map_err(|e| store.err(e))?;
    check_version(store)
}

pub(crate) fn check_version(store: &Store) -> Result<()> {
    let v: String = store
        .conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(..) | rusqlite::Error::QueryReturnedNoRows => {
                StoreError::Corrupt {
                    path: store.path.display().to_string(),
                    reason: format!("not a renown store ({e})"),
                }
            }
            other => store.err(other),
        })?;
    match v.parse::<i64>() {
        Ok(SCHEMA_VERSION) => Ok(()),
        _ => Err(StoreError::Corrupt {
            path: store.path.display().to_string(),
            reason: format!("schema version {v:?}, this renown reads {SCHEMA_VERSION}"),
        }),
    }
}
