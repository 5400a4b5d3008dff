use crate::{AccountSlot, Interner, Result, Store};
use renown_model::{AccountRef, Profile, Record};
use rusqlite::{params, Connection, Transaction};

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
            if pid != std::process::id() as i64 && !process_alive(pid) {
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
        self.load_interner()?;
        let Store {
            conn,
            interner,
            path,
        } = self;
        let err = |e| crate::sqlite_err(path, e);
        let tx = conn.transaction().map_err(err)?;
        let counts = write_records(&tx, interner, run, records).map_err(err)?;
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
        match tx.commit() {
            Ok(()) => Ok(counts),
            Err(e) => {
                // The transaction rolled back: forget accounts interned during it.
                interner.loaded = false;
                interner.accounts.clear();
                interner.platforms.clear();
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

    fn load_interner(&mut self) -> Result<()> {
        if self.interner.loaded {
            return Ok(());
        }
        let mut interner = Interner::default();
        {
            let mut st = self
                .conn
                .prepare("SELECT id, name FROM platforms")
                .map_err(|e| self.err(e))?;
            let mut rows = st.query([]).map_err(|e| self.err(e))?;
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                interner.platforms.insert(
                    r.get(1).map_err(|e| self.err(e))?,
                    r.get(0).map_err(|e| self.err(e))?,
                );
            }
            let mut st = self
                .conn
                .prepare("SELECT id, platform, native_id, handle IS NOT NULL FROM accounts")
                .map_err(|e| self.err(e))?;
            let mut rows = st.query([]).map_err(|e| self.err(e))?;
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let get = |i| -> rusqlite::Result<i64> { r.get(i) };
                let native: String = r.get(2).map_err(|e| self.err(e))?;
                interner
                    .accounts
                    .entry(get(1).map_err(|e| self.err(e))?)
                    .or_default()
                    .insert(
                        native.into_boxed_str(),
                        AccountSlot {
                            id: get(0).map_err(|e| self.err(e))?,
                            has_handle: r.get(3).map_err(|e| self.err(e))?,
                        },
                    );
            }
        }
        interner.loaded = true;
        self.interner = interner;
        Ok(())
    }
}

fn platform_id(tx: &Connection, interner: &mut Interner, name: &str) -> rusqlite::Result<i64> {
    if let Some(&id) = interner.platforms.get(name) {
        return Ok(id);
    }
    tx.execute("INSERT OR IGNORE INTO platforms(name) VALUES (?1)", [name])?;
    let id: i64 = tx.query_row("SELECT id FROM platforms WHERE name = ?1", [name], |r| {
        r.get(0)
    })?;
    interner.platforms.insert(name.to_string(), id);
    Ok(id)
}

fn account_id(
    tx: &Transaction<'_>,
    interner: &mut Interner,
    platform: i64,
    acc: &AccountRef,
) -> rusqlite::Result<i64> {
    // Look up by &str: no allocation on the hot path.
    let by_id = interner.accounts.entry(platform).or_default();
    if let Some(slot) = by_id.get_mut(acc.id.as_str()) {
        if !slot.has_handle {
            if let Some(h) = &acc.handle {
                tx.prepare_cached("UPDATE accounts SET handle = ?2 WHERE id = ?1")?
                    .execute(params![slot.id, h])?;
                slot.has_handle = true;
            }
        }
        return Ok(slot.id);
    }
    tx.prepare_cached("INSERT INTO accounts(platform, native_id, handle) VALUES (?1, ?2, ?3)")?
        .execute(params![platform, acc.id, acc.handle])?;
    let id = tx.last_insert_rowid();
    by_id.insert(
        acc.id.as_str().into(),
        AccountSlot {
            id,
            has_handle: acc.handle.is_some(),
        },
    );
    Ok(id)
}

fn topic_id(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    tx.prepare_cached("INSERT OR IGNORE INTO topics(name) VALUES (?1)")?
        .execute([name])?;
    tx.prepare_cached("SELECT id FROM topics WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
}

fn write_profile(
    tx: &Transaction<'_>,
    interner: &mut Interner,
    p: &Profile,
) -> rusqlite::Result<()> {
    let platform = platform_id(tx, interner, &p.platform)?;
    let account = account_id(tx, interner, platform, &p.account)?;
    let mut st = tx.prepare_cached(
        "INSERT INTO account_attrs(account, key, num, text) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(account, key) DO UPDATE SET num = excluded.num, text = excluded.text",
    )?;
    for (k, v) in &p.numbers {
        st.execute(params![account, k, v, Option::<String>::None])?;
    }
    for (k, v) in &p.texts {
        st.execute(params![account, k, Option::<f64>::None, v])?;
    }
    Ok(())
}

fn write_records(
    tx: &Transaction<'_>,
    interner: &mut Interner,
    run: RunId,
    records: &[(u64, Record)],
) -> rusqlite::Result<BatchCounts> {
    let mut counts = BatchCounts::default();
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO events(ekey, time, kind, actor, target, item, parent, run)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (position, record) in records {
        let e = match record {
            Record::Event(e) => e,
            Record::Profile(p) => {
                write_profile(tx, interner, p)?;
                counts.profiles += 1;
                continue;
            }
        };
        // Identity first: a duplicate costs one index probe, and interns nothing new.
        let key = e.identity(*position) as i64;
        let platform = platform_id(tx, interner, &e.platform)?;
        let actor = account_id(tx, interner, platform, &e.actor)?;
        let target = match &e.target {
            Some(t) => Some(account_id(tx, interner, platform, t)?),
            None => None,
        };
        let changed = insert.execute(params![
            key,
            e.time,
            e.kind.code(),
            actor,
            target,
            e.item,
            e.parent,
            run.0
        ])?;
        if changed == 0 {
            counts.duplicate += 1;
            continue;
        }
        counts.added += 1;
        if !e.topics.is_empty() {
            let event_id = tx.last_insert_rowid();
            let mut link = tx.prepare_cached(
                "INSERT OR IGNORE INTO event_topics(event, topic) VALUES (?1, ?2)",
            )?;
            for t in &e.topics {
                let tid = topic_id(tx, &t.to_lowercase())?;
                link.execute(params![event_id, tid])?;
            }
        }
    }
    Ok(counts)
}
