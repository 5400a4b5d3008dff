//! Deletions: a source that deletes a record (a Bluesky Jetstream `delete` keyed by did,
//! collection and rkey) must remove what it deletes.
//!
//! Design: readers yield only events and profiles, so a reader sends a deletion as a profile
//! attribute on the deleting account whose key is [`TOMBSTONE_PREFIX`] + the deleted item's id
//! (for Bluesky its at:// URI, which is also the `item` of every event the record produced).
//! Triggers installed here turn that attribute, inside the same write transaction, into:
//! a row in `tombstones` (the deletion is remembered, with its time), the removal of every event
//! whose `item` is that id (with its topic links), and the removal of the attribute itself.
//! Only items with a scheme prefix (`at://`) are matched, so no other platform's items can be hit.
//!
//! A create that arrives *after* its delete in a later run is kept: the tombstone is only applied
//! when it is written. [`Store::tombstone_count`] and [`Store::is_tombstoned`] expose the table.

use crate::{Result, Store};
use rusqlite::OptionalExtension;

/// The attribute-key prefix a reader uses to send a deletion.
pub const TOMBSTONE_PREFIX: &str = "tombstone:";

const DDL: &str = "
CREATE TABLE IF NOT EXISTS tombstones(
    item TEXT PRIMARY KEY,
    account INTEGER NOT NULL,
    time INTEGER) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_at_item ON events(item) WHERE item GLOB 'at://*';
CREATE TRIGGER IF NOT EXISTS tombstone_applies AFTER INSERT ON account_attrs
WHEN NEW.key GLOB 'tombstone:at://*'
BEGIN
    INSERT OR REPLACE INTO tombstones(item, account, time)
        VALUES (substr(NEW.key, 11), NEW.account, CAST(NEW.num AS INTEGER));
    DELETE FROM event_topics WHERE event IN
        (SELECT id FROM events WHERE item = substr(NEW.key, 11) AND item GLOB 'at://*');
    DELETE FROM events WHERE item = substr(NEW.key, 11) AND item GLOB 'at://*';
    DELETE FROM account_attrs WHERE account = NEW.account AND key = NEW.key;
END;
";

/// Installs the table, the partial index and the trigger (idempotent; run at open).
pub(crate) fn prepare(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(DDL)
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
    use renown_model::{AccountRef, Event, Kind, Profile, Record};

    fn post(uri: &str, topic: &str) -> Record {
        let mut e = Event::new("bluesky", Kind::Post, AccountRef::new("did:a"));
        e.item = Some(uri.into());
        e.source_id = Some(uri.into());
        e.topics = vec![topic.into()];
        Record::Event(e)
    }

    fn delete(uri: &str) -> Record {
        Record::Profile(Profile {
            platform: "bluesky".into(),
            account: AccountRef::new("did:a"),
            numbers: vec![(format!("{TOMBSTONE_PREFIX}{uri}"), 1_700_000_000.0)],
            texts: vec![],
        })
    }

    fn events(store: &Store) -> i64 {
        store
            .connection()
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .unwrap()
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
        assert_eq!(attrs, 0, "the carrier attribute does not stay behind");
        // The same delete again (a re-ingested capture) is harmless.
        store.write_batch(run, &[(3, delete(a))], 0).unwrap();
        assert_eq!((events(&store), store.tombstone_count().unwrap()), (1, 1));
    }
}
