use crate::{account_key, AccountSlot, Interner, Result, Store, StoreError};
use renown_model::{AccountRef, Profile, Record};
use rusqlite::{params, Statement, Transaction};

/// An ingest run's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunId(pub i64);

/// What one batch did to the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchCounts {
    pub added: u64,
    pub duplicate: u64,
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
        self.load_interner()?;
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
        for (id, pid) in stale {
            // We hold the writer lock, so a run still marked running is not being written.
            if pid != std::process::id() as i64 || !process_alive(pid) {
                self.conn
                    .execute(
                        "UPDATE ingest_runs SET status = 'interrupted' WHERE id = ?1",
                        [id],
                    )
                    .map_err(|e| self.err(e))?;
            }
        }
        self.conn
            .execute(
                "INSERT INTO ingest_runs(file, format, started, status, pid) VALUES (?1, ?2, ?3, 'running', ?4)",
                params![file, format, now(), std::process::id() as i64],
            )
            .map_err(|e| self.err(e))?;
        Ok(RunId(self.conn.last_insert_rowid()))
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
                Record::Profile(_) => (0, r),
            })
            .collect();
        self.write_keyed_batch(run, &keyed, rejected)
    }

    /// [`Store::write_batch`] with each event's identity already computed (the ingest pipeline
    /// hashes on its reader thread); profiles' keys are ignored.
    pub fn write_keyed_batch(
        &mut self,
        run: RunId,
        records: &[(u64, &Record)],
        rejected: u64,
    ) -> Result<BatchCounts> {
        self.load_interner()?;
        let Store {
            conn,
            interner,
            path,
        } = self;
        let err = |e| crate::sqlite_err(path, e);
        let tx = conn.transaction().map_err(err)?;
        let written = write_records(&tx, interner, run, records).and_then(|counts| {
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
            )?;
            Ok(counts)
        });
        match written.and_then(|c| tx.commit().map(|_| c)) {
            Ok(counts) => Ok(counts),
            Err(e) => {
                // Rolled back: what this batch interned (accounts, identities, topics) never
                // reached the disk. Reload everything next time.
                let lock = interner.lock.take();
                *interner = Interner {
                    lock,
                    ..Interner::default()
                };
                Err(err(e))
            }
        }
    }

    /// Marks the run finished with its final status (`clean`, `partial`, `failed`).
    pub fn finish_run(&mut self, run: RunId, status: &str, message: Option<&str>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE ingest_runs SET status = ?2, finished = ?3, message = ?4 WHERE id = ?1",
                params![run.0, status, now(), message],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Takes the writer lock and loads accounts and event identities, once per process.
    fn load_interner(&mut self) -> Result<()> {
        if self.interner.loaded {
            return Ok(());
        }
        let lock = match self.interner.lock.take() {
            Some(l) => l,
            None => self.take_writer_lock()?,
        };
        let mut interner = Interner {
            lock: Some(lock),
            ..Interner::default()
        };
        let c = &self.conn;
        let e = |e| crate::sqlite_err(&self.path, e);
        let mut st = c.prepare("SELECT id, name FROM platforms").map_err(e)?;
        let mut rows = st.query([]).map_err(e)?;
        while let Some(r) = rows.next().map_err(e)? {
            interner
                .platforms
                .insert(r.get(1).map_err(e)?, r.get(0).map_err(e)?);
        }
        let accounts: i64 = c
            .query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0))
            .map_err(e)?;
        interner.accounts.reserve(accounts as usize);
        let mut st = c
            .prepare("SELECT id, platform, native_id, handle IS NOT NULL FROM accounts")
            .map_err(e)?;
        let mut rows = st.query([]).map_err(e)?;
        while let Some(r) = rows.next().map_err(e)? {
            let id: i64 = r.get(0).map_err(e)?;
            let native = match r.get_ref(2).map_err(e)? {
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t),
                _ => "".into(),
            };
            interner.next_account = interner.next_account.max(id);
            interner.accounts.insert(
                account_key(r.get(1).map_err(e)?, &native),
                AccountSlot {
                    id,
                    has_handle: r.get(3).map_err(e)?,
                },
            );
        }
        let events: i64 = c
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .map_err(e)?;
        interner.keys.reserve(events as usize);
        let mut st = c.prepare("SELECT id, ekey FROM events").map_err(e)?;
        let mut rows = st.query([]).map_err(e)?;
        while let Some(r) = rows.next().map_err(e)? {
            interner.next_event = interner.next_event.max(r.get(0).map_err(e)?);
            interner.keys.insert(r.get::<_, i64>(1).map_err(e)? as u64);
        }
        interner.loaded = true;
        self.interner = interner;
        Ok(())
    }

    fn take_writer_lock(&self) -> Result<std::fs::File> {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let lock_path = self.path.with_file_name(name);
        let locked = |source| StoreError::Locked {
            path: self.path.display().to_string(),
            lock: lock_path.display().to_string(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(locked)?;
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

/// Prepared statements for one batch.
struct Statements<'t> {
    insert_account: Statement<'t>,
    set_handle: Statement<'t>,
    insert_platform: Statement<'t>,
}

impl Statements<'_> {
    fn platform_id(&mut self, interner: &mut Interner, name: &str) -> rusqlite::Result<i64> {
        if let Some((last, id)) = &interner.last_platform {
            if &**last == name {
                return Ok(*id);
            }
        }
        let id = match interner.platforms.get(name) {
            Some(&id) => id,
            None => {
                let id = self.insert_platform.insert([name])?;
                interner.platforms.insert(name.to_string(), id);
                id
            }
        };
        interner.last_platform = Some((name.into(), id));
        Ok(id)
    }

    fn account_id(
        &mut self,
        interner: &mut Interner,
        platform: i64,
        acc: &AccountRef,
    ) -> rusqlite::Result<i64> {
        let key = account_key(platform, &acc.id);
        if let Some(slot) = interner.accounts.get_mut(&key) {
            if !slot.has_handle {
                if let Some(h) = &acc.handle {
                    self.set_handle.execute(params![slot.id, h])?;
                    slot.has_handle = true;
                }
            }
            return Ok(slot.id);
        }
        interner.next_account += 1;
        let id = interner.next_account;
        self.insert_account
            .execute(params![id, platform, acc.id, acc.handle])?;
        interner.accounts.insert(
            key,
            AccountSlot {
                id,
                has_handle: acc.handle.is_some(),
            },
        );
        Ok(id)
    }
}

fn write_profile(
    tx: &Transaction<'_>,
    st: &mut Statements<'_>,
    interner: &mut Interner,
    p: &Profile,
) -> rusqlite::Result<()> {
    let platform = st.platform_id(interner, &p.platform)?;
    let account = st.account_id(interner, platform, &p.account)?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO account_attrs(account, key, num, text) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(account, key) DO UPDATE SET num = excluded.num, text = excluded.text",
    )?;
    for (k, v) in &p.numbers {
        upsert.execute(params![account, k, v, Option::<String>::None])?;
    }
    for (k, v) in &p.texts {
        upsert.execute(params![account, k, Option::<f64>::None, v])?;
    }
    Ok(())
}

fn write_topics(
    tx: &Transaction<'_>,
    interner: &mut Interner,
    event_id: i64,
    topics: &[String],
) -> rusqlite::Result<()> {
    let mut link =
        tx.prepare_cached("INSERT OR IGNORE INTO event_topics(event, topic) VALUES (?1, ?2)")?;
    for t in topics {
        let name = t.to_lowercase();
        let tid = match interner.topics.get(name.as_str()) {
            Some(&id) => id,
            None => {
                tx.prepare_cached("INSERT OR IGNORE INTO topics(name) VALUES (?1)")?
                    .execute([&name])?;
                let id: i64 = tx
                    .prepare_cached("SELECT id FROM topics WHERE name = ?1")?
                    .query_row([&name], |r| r.get(0))?;
                interner.topics.insert(name.into_boxed_str(), id);
                id
            }
        };
        link.execute(params![event_id, tid])?;
    }
    Ok(())
}

/// One `events` row waiting to be inserted.
struct EventRow<'a> {
    id: i64,
    key: u64,
    time: Option<i64>,
    kind: u8,
    actor: i64,
    target: Option<i64>,
    item: Option<&'a str>,
    parent: Option<&'a str>,
}

/// Rows per INSERT statement: per-statement overhead dominated one row per statement.
const ROWS_PER_INSERT: usize = 64;
const EVENT_COLUMNS: usize = 9;

fn insert_events_sql(rows: usize) -> String {
    let one = format!("({})", ["?"; EVENT_COLUMNS].join(","));
    format!(
        "INSERT INTO events(id, ekey, time, kind, actor, target, item, parent, run) VALUES {}",
        vec![one; rows].join(",")
    )
}

/// Inserts the pending rows (64 per statement when full) and empties the buffer.
fn insert_events(
    tx: &Transaction<'_>,
    full: &mut Statement<'_>,
    rows: &mut Vec<EventRow<'_>>,
    run: RunId,
) -> rusqlite::Result<()> {
    match rows.len() {
        0 => {}
        ROWS_PER_INSERT => bind_events(full, rows, run)?,
        n => bind_events(&mut tx.prepare(&insert_events_sql(n))?, rows, run)?,
    }
    rows.clear();
    Ok(())
}

fn bind_events(st: &mut Statement<'_>, rows: &[EventRow<'_>], run: RunId) -> rusqlite::Result<()> {
    for (i, r) in rows.iter().enumerate() {
        let at = i * EVENT_COLUMNS;
        st.raw_bind_parameter(at + 1, r.id)?;
        st.raw_bind_parameter(at + 2, r.key as i64)?;
        st.raw_bind_parameter(at + 3, r.time)?;
        st.raw_bind_parameter(at + 4, r.kind)?;
        st.raw_bind_parameter(at + 5, r.actor)?;
        st.raw_bind_parameter(at + 6, r.target)?;
        st.raw_bind_parameter(at + 7, r.item)?;
        st.raw_bind_parameter(at + 8, r.parent)?;
        st.raw_bind_parameter(at + 9, run.0)?;
    }
    st.raw_execute()?;
    Ok(())
}

fn write_records(
    tx: &Transaction<'_>,
    interner: &mut Interner,
    run: RunId,
    records: &[(u64, &Record)],
) -> rusqlite::Result<BatchCounts> {
    let mut insert_full = tx.prepare(&insert_events_sql(ROWS_PER_INSERT))?;
    let mut pending: Vec<EventRow<'_>> = Vec::with_capacity(ROWS_PER_INSERT);
    let mut st = Statements {
        insert_account: tx.prepare(
            "INSERT INTO accounts(id, platform, native_id, handle) VALUES (?1, ?2, ?3, ?4)",
        )?,
        set_handle: tx.prepare("UPDATE accounts SET handle = ?2 WHERE id = ?1")?,
        insert_platform: tx.prepare("INSERT INTO platforms(name) VALUES (?1)")?,
    };
    let mut counts = BatchCounts::default();
    for &(key, record) in records {
        let e = match record {
            Record::Event(e) => e,
            Record::Profile(p) => {
                // A profile can be a tombstone whose trigger deletes earlier events of this
                // batch: they must be in the table first.
                insert_events(tx, &mut insert_full, &mut pending, run)?;
                write_profile(tx, &mut st, interner, p)?;
                counts.profiles += 1;
                continue;
            }
        };
        // Identity first: a duplicate costs one hash probe and interns nothing.
        if !interner.keys.insert(key) {
            counts.duplicate += 1;
            continue;
        }
        let platform = st.platform_id(interner, &e.platform)?;
        let actor = st.account_id(interner, platform, &e.actor)?;
        let target = match &e.target {
            Some(t) => Some(st.account_id(interner, platform, t)?),
            None => None,
        };
        interner.next_event += 1;
        let id = interner.next_event;
        pending.push(EventRow {
            id,
            key,
            time: e.time,
            kind: e.kind.code(),
            actor,
            target,
            item: e.item.as_deref(),
            parent: e.parent.as_deref(),
        });
        if pending.len() == ROWS_PER_INSERT {
            insert_events(tx, &mut insert_full, &mut pending, run)?;
        }
        counts.added += 1;
        if !e.topics.is_empty() {
            write_topics(tx, interner, id, &e.topics)?;
        }
    }
    insert_events(tx, &mut insert_full, &mut pending, run)?;
    Ok(counts)
}
