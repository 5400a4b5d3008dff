//! One committed state for a whole read.
//!
//! A measure asks the store several questions (the account count, then one or more event
//! scans, the state token that keys its caches). Asked one by one while an ingest commits
//! batches, they would answer from different states: a scan naming accounts the count did not
//! include, a cache filed under a state it was not built from. A [`Snapshot`] holds one SQLite
//! read transaction for its whole life; in WAL mode every query inside it sees the state
//! committed when it began and nothing later, while the writer goes on writing. Readers reach the
//! store only through `&Store`, which a snapshot hands out and which cannot write.

use crate::{Result, Store};
use std::ops::Deref;
use std::path::Path;

/// A store pinned at one committed state: every read through it (counts, scans, the state
/// token, raw SQL on [`Store::connection`]) sees that state and only it. Dereferences to
/// [`Store`] for reading; take it back with [`Snapshot::into_store`] to see later states.
pub struct Snapshot {
    store: Store,
}

impl Snapshot {
    /// Opens the store at `path` read-only, pinned at its latest committed state.
    pub fn open(path: &Path) -> Result<Snapshot> {
        Store::open_read_only(path)?.snapshot()
    }

    /// Ends the read transaction: the store sees new commits again (and the write-ahead log is
    /// free to be checkpointed past this state).
    pub fn into_store(self) -> Result<Store> {
        self.store
            .conn
            .execute_batch("COMMIT")
            .map_err(|e| self.store.err(e))?;
        Ok(self.store)
    }
}

impl Deref for Snapshot {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

impl Store {
    /// Pins this store at its latest committed state for every read until
    /// [`Snapshot::into_store`] (see [`Snapshot`]).
    pub fn snapshot(self) -> Result<Snapshot> {
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| self.err(e))?;
        // A deferred transaction takes its snapshot at its first read, so read now: the state is
        // the one committed when the snapshot was asked for, not when its first query runs.
        if let Err(e) = self.state_token() {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e);
        }
        Ok(Snapshot { store: self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EventFilter;
    use renown_model::{AccountRef, Event, Kind, Record};

    fn follow(actor: &str, target: &str) -> Record {
        let mut e = Event::new("twitter", Kind::Follow, AccountRef::new(actor));
        e.target = Some(AccountRef::new(target));
        Record::Event(e)
    }

    /// What a reader asks: the account count, the largest account id a scan names, the token.
    fn observe(store: &Store) -> (u32, Option<u32>, String) {
        let mut largest = None::<u32>;
        store
            .scan_events(&EventFilter::default(), |e| {
                largest = largest.max(Some(e.actor)).max(e.target);
            })
            .unwrap();
        (
            store.account_count().unwrap(),
            largest,
            store.state_token().unwrap(),
        )
    }

    #[test]
    fn a_snapshot_does_not_see_later_commits_until_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let mut writer = Store::open(&db).unwrap();
        let run = writer.begin_run("x", "test").unwrap();
        writer
            .write_batch(run, &[(1, follow("a", "b"))], 0)
            .unwrap();

        let snapshot = Snapshot::open(&db).unwrap();
        let before = observe(&snapshot);
        assert_eq!((before.0, before.1), (2, Some(1)));

        // New accounts commit while the snapshot is held.
        writer
            .write_batch(run, &[(2, follow("c", "d")), (3, follow("e", "a"))], 0)
            .unwrap();
        assert_eq!(observe(&snapshot), before, "the snapshot moved");
        assert_eq!(observe(&writer).0, 5);

        let later = snapshot.into_store().unwrap().snapshot().unwrap();
        let after = observe(&later);
        assert_eq!((after.0, after.1), (5, Some(4)));
        assert_ne!(after.2, before.2);
    }

    #[test]
    fn the_state_token_changes_with_every_commit() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let mut seen = vec![store.state_token().unwrap()];
        let mut changed = |store: &Store, what: &str| {
            let token = store.state_token().unwrap();
            assert!(!seen.contains(&token), "{what} left the token at {token}");
            seen.push(token);
        };
        let run = store.begin_run("x", "test").unwrap();
        changed(&store, "a run's start");
        store.write_batch(run, &[(1, follow("a", "b"))], 0).unwrap();
        changed(&store, "new events");
        let followers = |n: u64| {
            Record::Profile(renown_model::Profile {
                platform: "twitter".into(),
                account: AccountRef::with_handle("a", Some("@first".into())),
                facts: renown_model::ProfileFacts {
                    followers: Some(n),
                    ..Default::default()
                },
                ..Default::default()
            })
        };
        store.write_batch(run, &[(2, followers(10))], 0).unwrap();
        changed(&store, "a first profile");
        // The same rows, other values: no count of anything changes.
        store.write_batch(run, &[(3, followers(20))], 0).unwrap();
        changed(&store, "a profile count replaced in place");
        store.write_batch(run, &[(4, follow("a", "b"))], 0).unwrap();
        changed(&store, "a batch of duplicates");
        store.finish_run(run, "clean", None).unwrap();
        changed(&store, "a run's end");
    }

    #[test]
    fn an_event_naming_a_missing_account_is_a_corrupt_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db")).unwrap();
        let run = store.begin_run("x", "test").unwrap();
        store.write_batch(run, &[(1, follow("a", "b"))], 0).unwrap();
        store.write_batch(run, &[(2, follow("c", "a"))], 0).unwrap();
        // Lose the block that holds account 3 ("c"), which event 2 names.
        store
            .connection()
            .execute("DELETE FROM account_blocks WHERE id = 3", [])
            .unwrap();
        assert_eq!(store.account_count().unwrap(), 2);
        for full in [false, true] {
            let mut seen = 0;
            let scanned = if full {
                store.scan_events_full(&EventFilter::default(), |_| seen += 1)
            } else {
                store.scan_events(&EventFilter::default(), |_| seen += 1)
            };
            let err = scanned.expect_err("a scan handed out an account past the count");
            assert!(matches!(err, crate::StoreError::Corrupt { .. }), "{err}");
            assert!(err.to_string().contains("names account 3"), "{err}");
            assert_eq!(seen, 1, "the events before the bad one are read");
        }
    }
}
