//! Deletions: a source that deletes a record (a Bluesky Jetstream `delete` keyed by did,
//! collection and rkey) must remove what it deletes.
//!
//! Design: a reader sends a [`renown_model::Deletion`] of the deleted item's id (for Bluesky its
//! at:// URI, which is also the `item` of every event the record produced). The writer turns it,
//! inside the same write transaction, into: a row in `tombstones` (the deletion is remembered,
//! with its time), and the ids of every event written so far whose `item` is that id in
//! `deleted_events` (their topic links removed). Event blocks are never rewritten: scans skip deleted ids. Only items with
//! a scheme prefix (`at://`) are deletable, so no other platform's items can be hit; those
//! events are indexed by item in `event_items` as they are written.
//!
//! A create that arrives *after* its delete in a later run is kept: the tombstone is only applied
//! when it is written. [`Store::tombstone_count`] and [`Store::is_tombstoned`] expose the table.

use crate::{Result, Store};
use rusqlite::{params, OptionalExtension, Transaction};

const DDL: &str = "
CREATE TABLE IF NOT EXISTS tombstones(
    item TEXT PRIMARY KEY,
    account INTEGER NOT NULL,
    time INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_items(
    item TEXT NOT NULL,
    event INTEGER NOT NULL,
    PRIMARY KEY(item, event)) WITHOUT ROWID;
";

/// Installs the tables (idempotent; run at open).
pub(crate) fn prepare(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(DDL)
}

/// Whether a source can delete events with this item.
pub(crate) fn deletable(item: &str) -> bool {
    item.starts_with("at://")
}

/// Remembers that event `id` has the deletable `item`.
pub(crate) fn index_item(tx: &Transaction<'_>, item: &str, id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO event_items(item, event) VALUES (?1, ?2)")?
        .execute(params![item, id])?;
    Ok(())
}

/// Applies a deletion of `item` by `account` at `time` (unix seconds, if known) to every event
/// written so far. An item no source can delete (see [`deletable`]) is left alone.
pub(crate) fn apply(
    tx: &Transaction<'_>,
    account: i64,
    item: &str,
    time: Option<i64>,
) -> rusqlite::Result<()> {
    if !deletable(item) {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT OR REPLACE INTO tombstones(item, account, time) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![item, account, time])?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO deleted_events(id) SELECT event FROM event_items WHERE item = ?1",
    )?
    .execute([item])?;
    tx.prepare_cached(
        "DELETE FROM event_topics WHERE event IN (SELECT event FROM event_items WHERE item = ?1)",
    )?
    .execute([item])?;
    // What is deleted stays deleted; a create arriving later is indexed anew.
    tx.prepare_cached("DELETE FROM event_items WHERE item = ?1")?
        .execute([item])?;
    Ok(())
}

impl Store {
    /// Deletions recorded so far.
    pub fn tombstone_count(&self) -> Result<u64> {
        let has: bool = self
            .conn
            .query_row(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'tombstones'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if !has {
            return Ok(0);
        }
        self.conn
            .query_row("SELECT COUNT(*) FROM tombstones", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    /// Whether `item` was deleted at its source, and when.
    pub fn is_tombstoned(&self, item: &str) -> Result<Option<Option<i64>>> {
        self.conn
            .query_row("SELECT time FROM tombstones WHERE item = ?1", [item], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use renown_model::{AccountRef, Deletion, Event, Kind, Record};

    fn post(uri: &str, topic: &str) -> Record {
        let mut e = Event::new("bluesky", Kind::Post, AccountRef::new("did:a"));
        e.item = Some(uri.into());
        e.source_id = Some(uri.into());
        e.topics = vec![topic.into()];
        Record::Event(e)
    }

    fn delete(uri: &str) -> Record {
        Record::Deletion(Deletion {
            platform: "bluesky".into(),
            account: AccountRef::new("did:a"),
            item: uri.into(),
            time: Some(1_700_000_000),
        })
    }

    fn events(store: &Store) -> u64 {
        store.stats().unwrap().events
    }

    #[test]
    fn a_delete_removes_what_it_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let run = store.begin_run("x", "bluesky").unwrap();
        let (a, b) = (
            "at://did:a/app.bsky.feed.post/1",
            "at://did:a/app.bsky.feed.post/2",
        );
        store
            .write_batch(run, &[(1, post(a, "x")), (2, post(b, "y"))], 0)
            .unwrap();
        assert_eq!(events(&store), 2);
        store.write_batch(run, &[(3, delete(a))], 0).unwrap();
        assert_eq!(events(&store), 1);
        assert_eq!(store.tombstone_count().unwrap(), 1);
        assert_eq!(store.is_tombstoned(a).unwrap(), Some(Some(1_700_000_000)));
        assert_eq!(store.is_tombstoned(b).unwrap(), None);
        let links: i64 = store
            .connection()
            .query_row("SELECT COUNT(*) FROM event_topics", [], |r| r.get(0))
            .unwrap();
        assert_eq!(links, 1);
        let attrs: i64 = store
            .connection()
            .query_row("SELECT COUNT(*) FROM account_attrs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(attrs, 0, "a deletion is no profile attribute");
        // An item no source can delete is left alone.
        store
            .write_batch(run, &[(4, delete("https://example.org/b"))], 0)
            .unwrap();
        assert_eq!(store.tombstone_count().unwrap(), 1);
        // The same delete again (a re-ingested capture) is harmless.
        store.write_batch(run, &[(3, delete(a))], 0).unwrap();
        assert_eq!((events(&store), store.tombstone_count().unwrap()), (1, 1));
    }
}
