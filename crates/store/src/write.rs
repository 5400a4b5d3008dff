use crate::blocks::{AccountBlockBuilder, BlockBuilder, BlockEvent};
use crate::resolve::{account_key, ResolvedBatch, Resolver, Slot};
use crate::tombstones;
use crate::{attrs, Result, Store, StoreError};
use renown_model::{Profile, Record};
use rusqlite::{params, Transaction};
use std::borrow::Borrow;

/// Counts the store's commits in `meta`: [`Store::state_token`] starts with it, so the token
/// changes with every write, including those that add no event or account (a run's row, a
/// handle or profile count replaced in place, a person link). Call inside the write's
/// transaction.
pub(crate) fn bump_generation(c: &rusqlite::Connection) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO meta(key, value) VALUES ('generation', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [],
    )
    .map(|_| ())
}

/// An ingest run's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunId(pub i64);

/// What one batch did to the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// Events new to the store.
    pub added: u64,
    /// Events it already held, skipped.
    pub duplicate: u64,
    /// Profiles written.
    pub profiles: u64,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn process_alive(pid: i64) -> bool {
    // Linux-only check; elsewhere we assume alive and leave the run marked running.
    let proc = std::path::Path::new("/proc");
    !proc.exists() || proc.join(pid.to_string()).exists()
}

impl Store {
    /// Records the start of an ingest run. Runs left `running` by a process that no longer
    /// exists are marked `interrupted` first.
    pub fn begin_run(&mut self, file: &str, format: &str) -> Result<RunId> {
        let resolver = self.take_resolver()?;
        self.resolver = Some(resolver);
        let stale: Vec<(i64, i64)> = {
            let mut st = self
                .conn
                .prepare("SELECT id, COALESCE(pid, 0) FROM ingest_runs WHERE status = 'running'")
                .map_err(|e| self.err(e))?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.err(e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| self.err(e))?
        };
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        for (id, pid) in stale {
            // We hold the writer lock, so a run still marked running is not being written.
            if pid != std::process::id() as i64 || !process_alive(pid) {
                tx.execute(
                    "UPDATE ingest_runs SET status = 'interrupted' WHERE id = ?1",
                    [id],
                )
                .map_err(|e| self.err(e))?;
            }
        }
        tx.execute(
            "INSERT INTO ingest_runs(file, format, started, status, pid) VALUES (?1, ?2, ?3, 'running', ?4)",
            params![file, format, now(), std::process::id() as i64],
        )
        .map_err(|e| self.err(e))?;
        let run = RunId(tx.last_insert_rowid());
        bump_generation(&tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(run)
    }

    /// Writes a batch of records in one transaction and adds its counts to the run's row.
    /// `position` is each record's place in its source (see `Event::identity`).
    pub fn write_batch(
        &mut self,
        run: RunId,
        records: &[(u64, Record)],
        rejected: u64,
    ) -> Result<BatchCounts> {
        let keyed: Vec<(u64, &Record)> = records
            .iter()
            .map(|(position, r)| match r {
                Record::Event(e) => (e.identity(*position), r),
                Record::Profile(_) | Record::Deletion(_) => (0, r),
            })
            .collect();
        self.write_keyed_batch(run, &keyed, rejected)
    }

    /// [`Store::write_batch`] with each event's identity already computed; profiles' keys are
    /// ignored. Resolves and writes in one call.
    pub fn write_keyed_batch<R: Borrow<Record>>(
        &mut self,
        run: RunId,
        records: &[(u64, R)],
        rejected: u64,
    ) -> Result<BatchCounts> {
        let mut resolver = self.take_resolver()?;
        let resolved = resolver.resolve(records);
        let counts = self.write_resolved_batch(run, records, &resolved, rejected)?;
        // Only a batch that reached the disk keeps what it interned; after a failure the
        // resolver is dropped and reloaded.
        self.resolver = Some(resolver);
        Ok(counts)
    }

    /// Writes `records` as [`Resolver::resolve`] decided (`resolved` must come from this store's
    /// resolver, for these records) in one transaction, and adds the counts to the run's row.
    /// On an error nothing of the batch is stored, and the resolver that resolved it must be
    /// dropped.
    pub fn write_resolved_batch<R: Borrow<Record>>(
        &mut self,
        run: RunId,
        records: &[(u64, R)],
        resolved: &ResolvedBatch,
        rejected: u64,
    ) -> Result<BatchCounts> {
        let matches = records.len() == resolved.slots.len()
            && records.iter().zip(&resolved.slots).all(|((_, r), slot)| {
                matches!(
                    (r.borrow(), slot),
                    (
                        Record::Profile(_) | Record::Deletion(_),
                        Slot::Account { .. }
                    ) | (Record::Event(_), Slot::Event { .. } | Slot::Duplicate)
                )
            });
        if !matches {
            return Err(StoreError::Misuse(
                "a resolved batch was written with other records than it resolved".into(),
            ));
        }
        let Store { conn, path, .. } = self;
        let err = |e| crate::sqlite_err(path, e);
        let tx = conn.transaction().map_err(err)?;
        let counts = resolved.counts;
        write_records(&tx, run, records, resolved).map_err(err)?;
        tx.execute(
            "UPDATE ingest_runs SET read = read + ?2, added = added + ?3, duplicate = duplicate + ?4,
             rejected = rejected + ?5, profiles = profiles + ?6 WHERE id = ?1",
            params![
                run.0,
                (records.len() as u64 - counts.profiles) as i64,
                counts.added as i64,
                counts.duplicate as i64,
                rejected as i64,
                counts.profiles as i64
            ],
        )
        .map_err(err)?;
        bump_generation(&tx).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(counts)
    }

    /// Takes the writer lock (once) and the in-memory view of the store, loading it from disk
    /// unless a previous write left it here. Give it back with [`Store::put_resolver`] once
    /// everything it resolved is written; drop it otherwise.
    pub fn take_resolver(&mut self) -> Result<Resolver> {
        if self.writer_lock.is_none() {
            self.writer_lock = Some(self.take_writer_lock()?);
        }
        match self.resolver.take() {
            Some(r) => Ok(r),
            None => self.load_resolver(),
        }
    }

    /// Returns a resolver taken by [`Store::take_resolver`] whose batches were all written.
    pub fn put_resolver(&mut self, resolver: Resolver) {
        self.resolver = Some(resolver);
    }

    /// Marks the run finished with its final status (`clean`, `partial`, `failed`).
    pub fn finish_run(&mut self, run: RunId, status: &str, message: Option<&str>) -> Result<()> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        tx.execute(
            "UPDATE ingest_runs SET status = ?2, finished = ?3, message = ?4 WHERE id = ?1",
            params![run.0, status, now(), message],
        )
        .map_err(|e| self.err(e))?;
        bump_generation(&tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Loads platforms, accounts, topics and event identities from the store.
    fn load_resolver(&self) -> Result<Resolver> {
        let mut r = Resolver::default();
        let c = &self.conn;
        let e = |e| crate::sqlite_err(&self.path, e);
        let mut st = c.prepare("SELECT id, name FROM platforms").map_err(e)?;
        let mut rows = st.query([]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            let id: i64 = row.get(0).map_err(e)?;
            r.names.next_platform = r.names.next_platform.max(id);
            r.names.platforms.insert(row.get(1).map_err(e)?, id);
        }
        let mut st = c.prepare("SELECT id, name FROM topics").map_err(e)?;
        let mut rows = st.query([]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            let id: i64 = row.get(0).map_err(e)?;
            r.names.next_topic = r.names.next_topic.max(id);
            let name: String = row.get(1).map_err(e)?;
            r.names.topics.insert(name.into_boxed_str(), id);
        }
        r.names.accounts.reserve(self.account_count()? as usize);
        self.for_each_account(|id, platform, native, handle| {
            r.names.next_account = r.names.next_account.max(id);
            r.names
                .accounts
                .insert(account_key(platform, native), id, handle.is_some());
            Ok(())
        })?;
        let events: i64 = c
            .query_row(
                "SELECT COALESCE(SUM(count), 0) FROM event_blocks",
                [],
                |row| row.get(0),
            )
            .map_err(e)?;
        r.events.keys.reserve(events as usize);
        self.for_each_block(0, |first, block| {
            r.events.next_event = r.events.next_event.max(first + block.len() as i64 - 1);
            r.events.keys.extend((0..block.len()).map(|i| block.key(i)));
            Ok(())
        })?;
        Ok(r)
    }

    fn take_writer_lock(&self) -> Result<std::fs::File> {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let lock_path = self.path.with_file_name(name);
        let locked = |cause| StoreError::Locked {
            path: self.path.display().to_string(),
            lock: lock_path.display().to_string(),
            cause,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|cause| StoreError::LockFile {
                path: self.path.display().to_string(),
                lock: lock_path.display().to_string(),
                cause,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(locked(std::io::Error::new(
                std::io::ErrorKind::WouldBlock,
                "another renown process is ingesting into this store; wait for it to finish",
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(locked(e)),
        }
    }
}

fn write_profile(tx: &Transaction<'_>, account: i64, p: &Profile) -> rusqlite::Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO account_attrs(account, key, num, text) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(account, key) DO UPDATE SET num = excluded.num, text = excluded.text",
    )?;
    let facts = attrs::fact_numbers(&p.facts);
    for (k, v) in facts.chain(p.numbers.iter().map(|(k, v)| (k.as_str(), *v))) {
        upsert.execute(params![account, k, v, Option::<String>::None])?;
    }
    if let Some(name) = &p.facts.username {
        upsert.execute(params![account, attrs::USERNAME, Option::<f64>::None, name])?;
    }
    for link in &p.suggested_links {
        let key = format!("{}{}", crate::links::SUGGEST_PREFIX, link.url);
        upsert.execute(params![account, key, Option::<f64>::None, link.why])?;
    }
    for (k, v) in &p.texts {
        upsert.execute(params![account, k, Option::<f64>::None, v])?;
    }
    Ok(())
}

/// The platforms, accounts, handles and topics a batch introduces, before its events.
fn write_new_names(tx: &Transaction<'_>, resolved: &ResolvedBatch) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached("INSERT INTO platforms(id, name) VALUES (?1, ?2)")?;
    for (id, name) in &resolved.new_platforms {
        st.execute(params![id, name])?;
    }
    // A large file brings hundreds of thousands of accounts: one block.
    insert_account_block(tx, &resolved.new_accounts, &mut Vec::new())?;
    let mut st =
        tx.prepare_cached("INSERT OR REPLACE INTO account_handles(id, handle) VALUES (?1, ?2)")?;
    for (id, handle) in &resolved.handles {
        st.execute(params![id, handle])?;
    }
    let mut st = tx.prepare_cached("INSERT INTO topics(id, name) VALUES (?1, ?2)")?;
    for (id, name) in &resolved.new_topics {
        st.execute(params![id, name])?;
    }
    Ok(())
}

/// Inserts `accounts` (id, platform, native id, handle; consecutive ids) as one
/// `account_blocks` row; `blob` is scratch space.
pub(crate) fn insert_account_block<N: AsRef<str>>(
    tx: &Transaction<'_>,
    accounts: &[(i64, i64, N, Option<String>)],
    blob: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    let Some(first) = accounts.first().map(|a| a.0) else {
        return Ok(());
    };
    let mut block = AccountBlockBuilder::default();
    for (i, (id, platform, native_id, handle)) in accounts.iter().enumerate() {
        if *id != first + i as i64 {
            return Err(misuse(format!(
                "account id {id} does not follow the block starting at {first}"
            )));
        }
        block
            .push(*platform, native_id.as_ref(), handle.as_deref())
            .map_err(misuse)?;
    }
    block.encode(blob);
    tx.prepare_cached("INSERT INTO account_blocks(id, count, data) VALUES (?1, ?2, ?3)")?
        .execute(params![first, accounts.len() as i64, &blob[..]])?;
    Ok(())
}

/// Inserts `block` (events `first..first + block.len()` of `run`) as one `event_blocks` row;
/// `blob` is scratch space.
pub(crate) fn insert_block(
    tx: &Transaction<'_>,
    first: i64,
    run: i64,
    block: &BlockBuilder,
    blob: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    if block.is_empty() {
        return Ok(());
    }
    block.encode(blob);
    tx.prepare_cached(
        "INSERT INTO event_blocks(id, count, run, kinds, min_time, max_time, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        first,
        block.len() as i64,
        run,
        block.kind_mask,
        block.min_time,
        block.max_time,
        &blob[..]
    ])?;
    Ok(())
}

fn write_records<R: Borrow<Record>>(
    tx: &Transaction<'_>,
    run: RunId,
    records: &[(u64, R)],
    resolved: &ResolvedBatch,
) -> rusqlite::Result<()> {
    write_new_names(tx, resolved)?;
    let mut link =
        tx.prepare_cached("INSERT OR IGNORE INTO event_topics(event, topic) VALUES (?1, ?2)")?;
    let mut block = BlockBuilder::default();
    let mut first = None;
    for ((_, record), slot) in records.iter().zip(&resolved.slots) {
        match (record.borrow(), *slot) {
            (Record::Profile(p), Slot::Account { account }) => write_profile(tx, account, p)?,
            (Record::Deletion(d), Slot::Account { account }) => {
                tombstones::apply(tx, account, &d.item, d.time)?
            }
            (
                Record::Event(e),
                Slot::Event {
                    id,
                    key,
                    actor,
                    target,
                    topics,
                },
            ) => {
                // The resolver numbers a batch's events consecutively: a block is an id range.
                let first = *first.get_or_insert(id);
                if id != first + block.len() as i64 {
                    return Err(misuse(format!(
                        "event id {id} does not follow the block starting at {first}"
                    )));
                }
                let item = e.item.as_deref();
                block
                    .push(&BlockEvent {
                        key,
                        time: e.time,
                        kind: e.kind,
                        actor,
                        target,
                        item,
                        parent: e.parent.as_deref(),
                    })
                    .map_err(misuse)?;
                for &topic in &resolved.topic_links[topics.0 as usize..topics.1 as usize] {
                    link.execute(params![id, topic])?;
                }
                if let Some(item) = item.filter(|i| tombstones::deletable(i)) {
                    tombstones::index_item(tx, item, id)?;
                }
            }
            // Duplicates, and pairs `write_resolved_batch` has already ruled out.
            _ => {}
        }
    }
    if let Some(first) = first {
        insert_block(tx, first, run.0, &block, &mut Vec::new())?;
    }
    Ok(())
}

/// A write the block format cannot hold, reported through SQLite's error type so the batch
/// rolls back like any failed insert.
fn misuse(reason: String) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(reason.into())
}
