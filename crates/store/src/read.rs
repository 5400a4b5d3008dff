use crate::{Result, Store, StoreError};
use renown_model::Kind;
use rusqlite::types::Value;

/// The light row the graph stage reads: dense ids, kind, time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub time: Option<i64>,
    pub kind: Kind,
    /// Dense account id (`accounts.id - 1`).
    pub actor: u32,
    pub target: Option<u32>,
}

/// Everything about an event, for measures that follow items (cascades, explanations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullEventRow {
    pub id: i64,
    pub row: EventRow,
    pub item: Option<String>,
    pub parent: Option<String>,
    pub topics: Vec<String>,
}

/// Which events to read. Events without a time are timeless facts (a static follow graph) and
/// pass every time bound.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub kinds: Option<Vec<Kind>>,
    /// Inclusive lower bound on time.
    pub since: Option<i64>,
    /// Inclusive upper bound on time (the `--as-of` date).
    pub until: Option<i64>,
    /// Only events carrying this topic (case-insensitive).
    pub topic: Option<String>,
    /// Only events on this platform.
    pub platform: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    pub dense: u32,
    pub platform: String,
    pub native_id: String,
    pub handle: Option<String>,
}

impl AccountInfo {
    /// `handle` if known, else `platform:native_id`.
    pub fn label(&self) -> String {
        match &self.handle {
            Some(h) => h.clone(),
            None => format!("{}:{}", self.platform, self.native_id),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    pub id: i64,
    pub file: String,
    pub format: String,
    pub started: i64,
    pub finished: Option<i64>,
    pub status: String,
    pub read: u64,
    pub added: u64,
    pub duplicate: u64,
    pub rejected: u64,
    pub profiles: u64,
    pub message: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub accounts: u64,
    pub events: u64,
    pub by_kind: Vec<(Kind, u64)>,
    pub by_platform: Vec<(String, u64)>,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    pub timeless: u64,
    /// Responses (reply, comment, quote, reshare, like) whose target account is not in the data.
    pub unresolved: u64,
    pub profiles: u64,
    pub topics: u64,
    pub runs: Vec<RunInfo>,
}

impl EventFilter {
    fn sql(&self) -> (String, Vec<Value>) {
        let mut clauses = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(kinds) = &self.kinds {
            let codes: Vec<String> = kinds.iter().map(|k| k.code().to_string()).collect();
            clauses.push(format!("e.kind IN ({})", codes.join(",")));
        }
        if let Some(s) = self.since {
            args.push(Value::Integer(s));
            clauses.push(format!("(e.time IS NULL OR e.time >= ?{})", args.len()));
        }
        if let Some(u) = self.until {
            args.push(Value::Integer(u));
            clauses.push(format!("(e.time IS NULL OR e.time <= ?{})", args.len()));
        }
        if let Some(t) = &self.topic {
            args.push(Value::Text(t.to_lowercase()));
            clauses.push(format!(
                "e.id IN (SELECT et.event FROM event_topics et JOIN topics t ON t.id = et.topic WHERE t.name = ?{})",
                args.len()
            ));
        }
        if let Some(p) = &self.platform {
            args.push(Value::Text(p.to_lowercase()));
            clauses.push(format!(
                "e.actor IN (SELECT a.id FROM accounts a JOIN platforms p ON p.id = a.platform WHERE p.name = ?{})",
                args.len()
            ));
        }
        let wher = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (wher, args)
    }
}

fn dense(id: i64) -> u32 {
    (id - 1) as u32
}

impl Store {
    fn corrupt(&self, reason: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.display().to_string(),
            reason,
        }
    }

    /// Calls `f` for every event passing `filter`, in insertion order.
    pub fn scan_events(&self, filter: &EventFilter, mut f: impl FnMut(EventRow)) -> Result<()> {
        let (wher, args) = filter.sql();
        let sql =
            format!("SELECT e.time, e.kind, e.actor, e.target FROM events e {wher} ORDER BY e.id");
        let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = st
            .query(rusqlite::params_from_iter(args))
            .map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let code: u8 = r.get(1).map_err(|e| self.err(e))?;
            let kind = Kind::from_code(code)
                .ok_or_else(|| self.corrupt(format!("event kind code {code} is unknown")))?;
            f(EventRow {
                time: r.get(0).map_err(|e| self.err(e))?,
                kind,
                actor: dense(r.get(2).map_err(|e| self.err(e))?),
                target: r
                    .get::<_, Option<i64>>(3)
                    .map_err(|e| self.err(e))?
                    .map(dense),
            });
        }
        Ok(())
    }

    /// Like [`Store::scan_events`] with items, parents and topics.
    pub fn scan_events_full(
        &self,
        filter: &EventFilter,
        mut f: impl FnMut(FullEventRow),
    ) -> Result<()> {
        let (wher, args) = filter.sql();
        let sql = format!(
            "SELECT e.id, e.time, e.kind, e.actor, e.target, e.item, e.parent,
                (SELECT group_concat(t.name, char(31)) FROM event_topics et JOIN topics t ON t.id = et.topic WHERE et.event = e.id)
             FROM events e {wher} ORDER BY e.id"
        );
        let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = st
            .query(rusqlite::params_from_iter(args))
            .map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let code: u8 = r.get(2).map_err(|e| self.err(e))?;
            let kind = Kind::from_code(code)
                .ok_or_else(|| self.corrupt(format!("event kind code {code} is unknown")))?;
            let topics: Option<String> = r.get(7).map_err(|e| self.err(e))?;
            f(FullEventRow {
                id: r.get(0).map_err(|e| self.err(e))?,
                row: EventRow {
                    time: r.get(1).map_err(|e| self.err(e))?,
                    kind,
                    actor: dense(r.get(3).map_err(|e| self.err(e))?),
                    target: r
                        .get::<_, Option<i64>>(4)
                        .map_err(|e| self.err(e))?
                        .map(dense),
                },
                item: r.get(5).map_err(|e| self.err(e))?,
                parent: r.get(6).map_err(|e| self.err(e))?,
                topics: topics
                    .map(|t| t.split('\u{1f}').map(str::to_string).collect())
                    .unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// Number of accounts; dense ids run `0..account_count()`.
    pub fn account_count(&self) -> Result<u32> {
        let n: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM accounts", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))?;
        Ok(n as u32)
    }

    /// Every account, indexed by dense id.
    pub fn accounts(&self) -> Result<Vec<AccountInfo>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT a.id, p.name, a.native_id, a.handle FROM accounts a
                 JOIN platforms p ON p.id = a.platform ORDER BY a.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(AccountInfo {
                    dense: dense(r.get(0)?),
                    platform: r.get(1)?,
                    native_id: r.get(2)?,
                    handle: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let out: Vec<AccountInfo> = rows
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        if out.iter().enumerate().any(|(i, a)| a.dense as usize != i) {
            return Err(self.corrupt("account ids are not dense".into()));
        }
        Ok(out)
    }

    /// Finds an account by `platform:native_id`, native id, or handle (with or without `@`).
    pub fn find_account(&self, query: &str) -> Result<u32> {
        let q = query.trim();
        let by = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<Option<i64>> {
            let mut st = self.conn.prepare(sql).map_err(|e| self.err(e))?;
            let ids: Vec<i64> = st
                .query_map(args, |r| r.get(0))
                .map_err(|e| self.err(e))?
                .collect::<rusqlite::Result<_>>()
                .map_err(|e| self.err(e))?;
            Ok(ids.first().copied())
        };
        if let Some((platform, native)) = q.split_once(':') {
            if let Some(id) = by(
                "SELECT a.id FROM accounts a JOIN platforms p ON p.id = a.platform
                 WHERE p.name = ?1 AND a.native_id = ?2",
                &[&platform.to_lowercase(), &native],
            )? {
                return Ok(dense(id));
            }
        }
        if let Some(id) = by(
            "SELECT id FROM accounts WHERE native_id = ?1 ORDER BY id",
            &[&q],
        )? {
            return Ok(dense(id));
        }
        let handle = q.trim_start_matches('@');
        if let Some(id) = by(
            "SELECT id FROM accounts WHERE handle = ?1 OR handle = ?2 ORDER BY id",
            &[&handle, &format!("@{handle}")],
        )? {
            return Ok(dense(id));
        }
        Err(StoreError::UnknownAccount(q.to_string()))
    }

    /// Numeric profile attributes (`followers_count`, ...) of every account that has any.
    pub fn numeric_attributes(&self, key: &str) -> Result<Vec<(u32, f64)>> {
        let mut st = self
            .conn
            .prepare("SELECT account, num FROM account_attrs WHERE key = ?1 AND num IS NOT NULL ORDER BY account")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([key], |r| Ok((dense(r.get(0)?), r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Changes whenever an ingest adds anything: the key for caches derived from the store.
    pub fn state_token(&self) -> Result<String> {
        self.conn
            .query_row(
                "SELECT (SELECT COALESCE(MAX(id),0) FROM events) || '-' ||
                        (SELECT COALESCE(MAX(id),0) FROM accounts) || '-' ||
                        (SELECT COUNT(*) FROM account_attrs)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    pub fn runs(&self) -> Result<Vec<RunInfo>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, file, format, started, finished, status, read, added, duplicate,
                        rejected, profiles, message FROM ingest_runs ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(RunInfo {
                    id: r.get(0)?,
                    file: r.get(1)?,
                    format: r.get(2)?,
                    started: r.get(3)?,
                    finished: r.get(4)?,
                    status: r.get(5)?,
                    read: r.get::<_, i64>(6)? as u64,
                    added: r.get::<_, i64>(7)? as u64,
                    duplicate: r.get::<_, i64>(8)? as u64,
                    rejected: r.get::<_, i64>(9)? as u64,
                    profiles: r.get::<_, i64>(10)? as u64,
                    message: r.get(11)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    pub fn stats(&self) -> Result<Stats> {
        let one = |sql: &str| -> Result<i64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, Option<i64>>(0))
                .map(|v| v.unwrap_or(0))
                .map_err(|e| self.err(e))
        };
        let opt = |sql: &str| -> Result<Option<i64>> {
            self.conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        let mut by_kind = Vec::new();
        {
            let mut st = self
                .conn
                .prepare("SELECT kind, COUNT(*) FROM events GROUP BY kind ORDER BY kind")
                .map_err(|e| self.err(e))?;
            let mut rows = st.query([]).map_err(|e| self.err(e))?;
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let code: u8 = r.get(0).map_err(|e| self.err(e))?;
                let kind = Kind::from_code(code)
                    .ok_or_else(|| self.corrupt(format!("event kind code {code} is unknown")))?;
                by_kind.push((kind, r.get::<_, i64>(1).map_err(|e| self.err(e))? as u64));
            }
        }
        let mut by_platform = Vec::new();
        {
            let mut st = self
                .conn
                .prepare(
                    "SELECT p.name, COUNT(*) FROM events e JOIN accounts a ON a.id = e.actor
                     JOIN platforms p ON p.id = a.platform GROUP BY p.name ORDER BY p.name",
                )
                .map_err(|e| self.err(e))?;
            let mut rows = st.query([]).map_err(|e| self.err(e))?;
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                by_platform.push((
                    r.get(0).map_err(|e| self.err(e))?,
                    r.get::<_, i64>(1).map_err(|e| self.err(e))? as u64,
                ));
            }
        }
        let responses: Vec<String> = [
            Kind::Reply,
            Kind::Comment,
            Kind::Quote,
            Kind::Reshare,
            Kind::Like,
        ]
        .iter()
        .map(|k| k.code().to_string())
        .collect();
        Ok(Stats {
            accounts: one("SELECT COUNT(*) FROM accounts")? as u64,
            events: one("SELECT COUNT(*) FROM events")? as u64,
            by_kind,
            by_platform,
            first_time: opt("SELECT MIN(time) FROM events")?,
            last_time: opt("SELECT MAX(time) FROM events")?,
            timeless: one("SELECT COUNT(*) FROM events WHERE time IS NULL")? as u64,
            unresolved: one(&format!(
                "SELECT COUNT(*) FROM events WHERE target IS NULL AND kind IN ({})",
                responses.join(",")
            ))? as u64,
            profiles: one("SELECT COUNT(DISTINCT account) FROM account_attrs")? as u64,
            topics: one("SELECT COUNT(*) FROM topics")? as u64,
            runs: self.runs()?,
        })
    }
}
