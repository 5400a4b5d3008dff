use crate::blocks::{BlockBuilder, BlockEvent};
use crate::write::{insert_account_block, insert_block};
use crate::{Result, Store, StoreError};
use renown_model::Kind;
use std::path::Path;

/// Bumped when the on-disk layout changes; older renown refuses newer stores.
pub const SCHEMA_VERSION: i64 = 3;

const DDL: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS platforms(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- Accounts in column blocks (see blocks.rs): ids id..id+count-1, dense from 1.
CREATE TABLE IF NOT EXISTS account_blocks(
    id INTEGER PRIMARY KEY,
    count INTEGER NOT NULL,
    data BLOB NOT NULL);
-- Handles learned after their account was written.
CREATE TABLE IF NOT EXISTS account_handles(id INTEGER PRIMARY KEY, handle TEXT NOT NULL);
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
-- Events in column blocks (see blocks.rs): ids id..id+count-1, with summaries that let a scan
-- skip blocks (kinds: bit per Kind code; times over the events that have one).
CREATE TABLE IF NOT EXISTS event_blocks(
    id INTEGER PRIMARY KEY,
    count INTEGER NOT NULL,
    run INTEGER NOT NULL,
    kinds INTEGER NOT NULL,
    min_time INTEGER,
    max_time INTEGER,
    data BLOB NOT NULL);
-- Events removed at their source (see tombstones.rs); blocks are never rewritten.
CREATE TABLE IF NOT EXISTS deleted_events(id INTEGER PRIMARY KEY);
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
    Ok(())
}

/// Creates an empty store at `path`, which must not exist yet, with two fsyncs where SQLite's
/// creation in place spends four and the unlink of a journal (the header's switch to WAL goes
/// through a synced rollback journal). On this machine's disk each costs 5-30 ms, and a new
/// store's ingest of a 1,000-line file took 70-160 ms of wall time for 10 ms of CPU
/// (BENCHMARKS.md, "Fewer fsyncs"): a Higgs ingest at 2 M events/s has 280 ms in all.
///
/// The tables are written under a temporary name with no journal and no syncing, the file is
/// synced once, linked to `path` (a link, unlike a rename, fails if `path` exists meanwhile: a
/// concurrent creator's store is kept and this one discarded) and the folder synced. Power
/// loss therefore leaves no store or a complete empty one, as SQLite's own creation does.
/// Returns false, having removed what it wrote, when it could not (a file system without hard
/// links, say): the caller then creates the store in place.
pub(crate) fn create_new(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".new-{}-{nanos}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let write = || -> rusqlite::Result<()> {
        let c = rusqlite::Connection::open(&tmp)?;
        c.pragma_update(None, "journal_mode", "OFF")?;
        c.pragma_update(None, "synchronous", "OFF")?;
        c.execute_batch("BEGIN")?;
        c.execute_batch(DDL)?;
        crate::tombstones::prepare(&c)?;
        c.execute(
            "INSERT INTO meta(key, value) VALUES ('schema_version', ?1)",
            [SCHEMA_VERSION.to_string()],
        )?;
        c.execute_batch("COMMIT")?;
        // Persistent in the header: every connection to the store uses the log.
        c.pragma_update(None, "journal_mode", "WAL")?;
        c.close().map_err(|(_, e)| e)
    };
    let placed = write().is_ok()
        && std::fs::File::open(&tmp).and_then(|f| f.sync_all()).is_ok()
        && match std::fs::hard_link(&tmp, path) {
            Ok(()) => {
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                // Without the folder synced the name may not survive power loss: then the
                // next open creates the store again, which loses nothing.
                let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
                true
            }
            // Someone else created it meanwhile: theirs is the store.
            Err(e) => e.kind() == std::io::ErrorKind::AlreadyExists,
        };
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut n = tmp.clone().into_os_string();
        n.push(suffix);
        let _ = std::fs::remove_file(n);
    }
    placed
}

/// The stored schema version.
fn version(store: &Store) -> Result<String> {
    store
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
        })
}

/// Whether the store was written by an older renown whose layout [`upgrade`] converts.
pub(crate) fn needs_upgrade(store: &Store) -> Result<bool> {
    Ok(matches!(version(store)?.as_str(), "1" | "2"))
}

/// Brings a store of an older layout to this one (after [`prepare`] and the tombstone tables),
/// in one transaction: a failure leaves it as it was.
pub(crate) fn upgrade(store: &mut Store) -> Result<()> {
    if needs_upgrade(store)? {
        let from = version(store)?;
        let Store { conn, path, .. } = store;
        let tx = conn.transaction().map_err(|e| crate::sqlite_err(path, e))?;
        let steps = || -> std::result::Result<(), Upgrade> {
            if from == "1" {
                events_to_blocks(&tx)?;
            }
            attrs_to_facts(&tx)?;
            Ok(())
        };
        steps().map_err(|e| match e {
            Upgrade::Sqlite(e) => crate::sqlite_err(path, e),
            Upgrade::Corrupt(reason) => StoreError::Corrupt {
                path: path.display().to_string(),
                reason,
            },
        })?;
        tx.commit().map_err(|e| crate::sqlite_err(path, e))?;
    }
    check_version(store)
}

enum Upgrade {
    Sqlite(rusqlite::Error),
    Corrupt(String),
}

impl From<rusqlite::Error> for Upgrade {
    fn from(e: rusqlite::Error) -> Self {
        Upgrade::Sqlite(e)
    }
}

/// Layout 1 → 2: the row-per-event `events` table becomes column blocks, one per run and run of
/// consecutive ids (at most [`UPGRADE_BLOCK`] events), and its at:// items the tombstone index;
/// the `accounts` table becomes account blocks.
fn events_to_blocks(tx: &rusqlite::Transaction<'_>) -> std::result::Result<(), Upgrade> {
    accounts_to_blocks(tx)?;
    tx.execute_batch(
        "DROP TRIGGER IF EXISTS tombstone_applies;
         DROP INDEX IF EXISTS events_by_at_item;
         INSERT OR IGNORE INTO event_items(item, event)
             SELECT item, id FROM events WHERE item GLOB 'at://*';",
    )?;
    let mut st = tx.prepare(
        "SELECT id, ekey, time, kind, actor, target, item, parent, run FROM events ORDER BY id",
    )?;
    let mut rows = st.query([])?;
    let mut block = BlockBuilder::default();
    let (mut first, mut run, mut blob) = (0i64, 0i64, Vec::new());
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let this_run: i64 = r.get(8)?;
        if id != first + block.len() as i64 || this_run != run || block.len() == UPGRADE_BLOCK {
            insert_block(tx, first, run, &block, &mut blob)?;
            (block, first, run) = (BlockBuilder::default(), id, this_run);
        }
        let code: u8 = r.get(3)?;
        let kind = Kind::from_code(code)
            .ok_or_else(|| Upgrade::Corrupt(format!("event {id}: kind code {code} is unknown")))?;
        let item: Option<String> = r.get(6)?;
        let parent: Option<String> = r.get(7)?;
        block
            .push(&BlockEvent {
                key: r.get::<_, i64>(1)? as u64,
                time: r.get(2)?,
                kind,
                actor: r.get(4)?,
                target: r.get(5)?,
                item: item.as_deref(),
                parent: parent.as_deref(),
            })
            .map_err(|reason| Upgrade::Corrupt(format!("event {id}: {reason}")))?;
    }
    insert_block(tx, first, run, &block, &mut blob)?;
    drop(rows);
    drop(st);
    tx.execute_batch("DROP TABLE events;")?;
    Ok(())
}

/// Layout 2 → 3: profile facts stored under each platform's own name (`tweet_count`,
/// `has_description`) or measured from text attributes (a bio's length) get their canonical
/// key ([`crate::attrs`]), the first listed name winning as the audit read them. The old rows
/// stay: they are what the source said.
fn attrs_to_facts(tx: &rusqlite::Transaction<'_>) -> std::result::Result<(), Upgrade> {
    use crate::attrs;
    for &(key, legacy) in attrs::LEGACY_NUMBERS {
        for old in legacy {
            tx.execute(
                "INSERT OR IGNORE INTO account_attrs(account, key, num, text)
                 SELECT account, ?1, num, NULL FROM account_attrs WHERE key = ?2 AND num IS NOT NULL",
                [key, old],
            )?;
        }
    }
    let texts = |keys: &[&str]| {
        keys.iter()
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(",")
    };
    tx.execute_batch(&format!(
        "INSERT INTO account_attrs(account, key, num, text)
             SELECT account, '{bio}', MAX(length(text)), NULL FROM account_attrs
             WHERE key IN ({bio_texts}) AND text IS NOT NULL GROUP BY account
         ON CONFLICT(account, key) DO UPDATE SET num = MAX(COALESCE(num, 0), excluded.num);
         INSERT INTO account_attrs(account, key, num, text)
             SELECT account, '{picture}', MAX(trim(text) != ''), NULL FROM account_attrs
             WHERE key IN ({picture_texts}) AND text IS NOT NULL GROUP BY account
         ON CONFLICT(account, key) DO UPDATE SET num = MAX(COALESCE(num, 0), excluded.num);
         UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version';",
        bio = attrs::BIO_LENGTH,
        picture = attrs::HAS_PICTURE,
        bio_texts = texts(attrs::LEGACY_BIO_TEXTS),
        picture_texts = texts(attrs::LEGACY_PICTURE_TEXTS),
    ))?;
    Ok(())
}

fn accounts_to_blocks(tx: &rusqlite::Transaction<'_>) -> std::result::Result<(), Upgrade> {
    let mut st = tx.prepare("SELECT id, platform, native_id, handle FROM accounts ORDER BY id")?;
    let mut rows = st.query([])?;
    let mut accounts: Vec<(i64, i64, String, Option<String>)> = Vec::new();
    while let Some(r) = rows.next()? {
        accounts.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
    }
    drop(rows);
    drop(st);
    if accounts
        .iter()
        .enumerate()
        .any(|(i, a)| a.0 != i as i64 + 1)
    {
        return Err(Upgrade::Corrupt("account ids are not dense".into()));
    }
    for chunk in accounts.chunks(UPGRADE_BLOCK) {
        insert_account_block(tx, chunk, &mut Vec::new())?;
    }
    tx.execute_batch("DROP TABLE accounts;")?;
    Ok(())
}

/// Events per block when converting a layout-1 store.
const UPGRADE_BLOCK: usize = 50_000;

pub(crate) fn check_version(store: &Store) -> Result<()> {
    let v = version(store)?;
    match v.parse::<i64>() {
        Ok(SCHEMA_VERSION) => Ok(()),
        _ => Err(StoreError::Corrupt {
            path: store.path.display().to_string(),
            reason: format!("schema version {v:?}, this renown reads {SCHEMA_VERSION}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use crate::{EventFilter, Store};
    use renown_model::Kind;

    /// The names in `dir`, sorted.
    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    /// A store made under a temporary name and linked into place is a complete WAL store with
    /// every table, equal in its schema to one SQLite creates in place, and leaves nothing else.
    #[test]
    fn a_new_store_is_made_aside_and_linked_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("made.db");
        assert!(super::create_new(&made));
        assert_eq!(names(dir.path()), ["made.db"]);
        let in_place = dir.path().join("in-place.db");
        {
            let store = Store {
                conn: rusqlite::Connection::open(&in_place).unwrap(),
                path: in_place.clone(),
                resolver: None,
                writer_lock: None,
            };
            let mut store = store;
            super::prepare(&mut store).unwrap();
            crate::tombstones::prepare(&store.conn).unwrap();
        }
        let schema = |p: &std::path::Path| -> Vec<(String, String)> {
            let c = rusqlite::Connection::open(p).unwrap();
            let mode: String = c
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
            let mut st = c
                .prepare("SELECT name, sql FROM sqlite_master ORDER BY name")
                .unwrap();
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?)))
                .unwrap();
            rows.map(|r| {
                let (n, sql) = r.unwrap();
                (n, sql.unwrap_or_default())
            })
            .collect()
        };
        let (a, b) = (schema(&made), schema(&in_place));
        assert!(a.iter().any(|(n, _)| n == "event_blocks"));
        assert_eq!(a, b);
        // Opened, written and read like any store.
        let mut store = Store::open(&made).unwrap();
        assert!(!super::needs_upgrade(&store).unwrap());
        write_one_event(&mut store, Kind::Mention, "1");
        assert_eq!(store.account_count().unwrap(), 1);
    }

    /// Writes one Higgs event of `kind` at account `native_id` as an ingest run.
    fn write_one_event(store: &mut Store, kind: Kind, native_id: &str) {
        let run = store.begin_run("f", "higgs").unwrap();
        let e = renown_model::Event::new("higgs", kind, renown_model::AccountRef::new(native_id));
        store
            .write_batch(run, &[(1, renown_model::Record::from(e))], 0)
            .unwrap();
    }

    /// An existing store is never replaced (the link fails and the temporary copy is removed);
    /// a folder that does not exist makes creation fail cleanly and `open` report it as before.
    #[test]
    fn creating_aside_keeps_an_existing_store_and_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            write_one_event(&mut Store::open(&path).unwrap(), Kind::Reply, "7");
        }
        // As a concurrent creator that lost the race would: its copy is dropped.
        assert!(super::create_new(&path));
        assert_eq!(names(dir.path()), ["s.db", "s.db.lock"]);
        assert_eq!(Store::open(&path).unwrap().account_count().unwrap(), 1);
        let missing = dir.path().join("no-such-folder").join("s.db");
        assert!(!super::create_new(&missing));
        assert!(Store::open(&missing).is_err());
        assert_eq!(names(dir.path()), ["s.db", "s.db.lock"]);
    }

    /// The layout-1 tables as renown 0.1 wrote them (one row per event, a tombstone trigger).
    const V1: &str = "
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE platforms(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE accounts(id INTEGER PRIMARY KEY, platform INTEGER NOT NULL,
            native_id TEXT NOT NULL, handle TEXT);
        CREATE TABLE events(id INTEGER PRIMARY KEY, ekey INTEGER NOT NULL, time INTEGER,
            kind INTEGER NOT NULL, actor INTEGER NOT NULL, target INTEGER, item TEXT,
            parent TEXT, run INTEGER NOT NULL);
        CREATE TABLE topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE event_topics(event INTEGER NOT NULL, topic INTEGER NOT NULL,
            PRIMARY KEY(event, topic)) WITHOUT ROWID;
        CREATE TABLE tombstones(item TEXT PRIMARY KEY, account INTEGER NOT NULL, time INTEGER)
            WITHOUT ROWID;
        CREATE INDEX events_by_at_item ON events(item) WHERE item GLOB 'at://*';
        CREATE TRIGGER tombstone_applies AFTER INSERT ON platforms BEGIN SELECT 1; END;
        INSERT INTO platforms VALUES (1, 'bluesky');
        INSERT INTO accounts VALUES (1, 1, 'did:a', 'a'), (2, 1, 'did:b', NULL);
        INSERT INTO topics VALUES (1, 'rust');
        -- Event 3 was deleted by a tombstone: ids have a gap; run 2 starts at event 5.
        INSERT INTO events VALUES
            (1, 11, 100, 3, 1, NULL, 'at://a/1', NULL, 1),
            (2, 12, NULL, 1, 2, 1, NULL, NULL, 1),
            (4, 14, 300, 4, 2, 1, 'at://b/9', 'at://a/1', 1),
            (5, 15, 400, 6, 2, 1, NULL, 'at://a/1', 2);
        INSERT INTO event_topics VALUES (1, 1), (4, 1);
    ";

    #[test]
    fn a_layout_1_store_is_upgraded_with_every_event_and_link() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("v1.db");
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(V1)
            .unwrap();
        // Read-only opening upgrades too (through one writable open).
        let store = Store::open_read_only(&db).unwrap();
        let mut rows = Vec::new();
        store
            .scan_events_full(&EventFilter::default(), |r| rows.push(r))
            .unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, [1, 2, 4, 5]);
        assert_eq!(rows[0].row.kind, Kind::Post);
        assert_eq!((rows[1].row.time, rows[1].row.target), (None, Some(0)));
        assert_eq!(rows[2].item.as_deref(), Some("at://b/9"));
        assert_eq!(rows[3].parent.as_deref(), Some("at://a/1"));
        assert_eq!(rows[0].topics, ["rust"]);
        assert_eq!(rows[2].topics, ["rust"]);
        let blocks: i64 = store
            .connection()
            .query_row("SELECT COUNT(*) FROM event_blocks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(blocks, 3, "split at the gap and at the new run");
        drop(store);
        // Writing continues after the highest id, and a known identity is still a duplicate.
        let mut store = Store::open(&db).unwrap();
        let run = store.begin_run("f", "test").unwrap();
        let mut e = renown_model::Event::new(
            "bluesky",
            Kind::Post,
            renown_model::AccountRef::new("did:a"),
        );
        e.item = Some("at://a/2".into());
        let record = renown_model::Record::Event(e);
        let c = store
            .write_keyed_batch(run, &[(15, &record), (99, &record)], 0)
            .unwrap();
        assert_eq!((c.added, c.duplicate), (1, 1));
        let mut ids = Vec::new();
        store
            .scan_events_full(&EventFilter::default(), |r| ids.push(r.id))
            .unwrap();
        assert_eq!(ids, [1, 2, 4, 5, 6]);
    }

    #[test]
    fn a_layout_2_store_gets_its_profile_facts_under_canonical_keys() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("v2.db");
        let mut store = Store::open(&db).unwrap();
        let run = store.begin_run("f", "test").unwrap();
        let post = |id: &str| {
            renown_model::Record::Event(renown_model::Event::new(
                "twitter",
                Kind::Post,
                renown_model::AccountRef::new(id),
            ))
        };
        store
            .write_batch(run, &[(1, post("1")), (2, post("2"))], 0)
            .unwrap();
        drop(store);
        // What renown with layout 2 stored for a Twitter v2 user and a hand-made profile.
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(
                "INSERT INTO account_attrs(account, key, num, text) VALUES
                    (1, 'tweet_count', 5000, NULL), (1, 'followers_count', 120, NULL),
                    (1, 'has_description', 1, NULL), (1, 'bio', NULL, 'writes about rust'),
                    (2, 'statuses_count', 7, NULL), (2, 'media_count', 9, NULL),
                    (2, 'protected', 1, NULL), (2, 'avatar', NULL, ' '),
                    (2, 'has_description', 0, NULL);
                 UPDATE meta SET value = '2' WHERE key = 'schema_version';",
            )
            .unwrap();
        let store = Store::open_read_only(&db).unwrap();
        let facts = store.profile_facts().unwrap();
        assert_eq!(facts[0].posts, Some(5000));
        assert_eq!(facts[0].followers, Some(120));
        assert_eq!(facts[0].has_bio, Some(true));
        assert_eq!(facts[0].bio_length, Some(17));
        assert_eq!(
            facts[1].posts,
            Some(7),
            "statuses_count comes before media_count"
        );
        assert_eq!(facts[1].private, Some(true));
        assert_eq!(
            facts[1].has_picture,
            Some(false),
            "a blank avatar is no picture"
        );
        assert_eq!((facts[1].has_bio, facts[1].bio_length), (Some(false), None));
    }
}
