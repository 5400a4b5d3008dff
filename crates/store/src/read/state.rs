//! The store as a whole: its state token, the ingest runs and the counts behind `renown stats`.

use super::*;

impl Store {
    /// Names the committed state: it changes with every write (the commit count, then what a
    /// writer that did not count commits would still change). The key for caches derived from
    /// the store.
    pub fn state_token(&self) -> Result<String> {
        self.conn
            .query_row(
                "SELECT COALESCE((SELECT value FROM meta WHERE key = 'generation'), '0') || '-' ||
                        (SELECT COALESCE(MAX(id + count - 1), 0) FROM event_blocks) || '-' ||
                        (SELECT COALESCE(MAX(id + count - 1), 0) FROM account_blocks) || '-' ||
                        (SELECT COUNT(*) FROM account_handles) || '-' ||
                        (SELECT COUNT(*) FROM account_attrs) || '-' ||
                        (SELECT COUNT(*) FROM deleted_events)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Every ingest run, oldest first.
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

    /// What is in the store: accounts, events by kind and platform, time range, runs (one scan
    /// of the events).
    pub fn stats(&self) -> Result<Stats> {
        let one = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, Option<i64>>(0))
                .map(|v| v.unwrap_or(0) as u64)
                .map_err(|e| self.err(e))
        };
        let platform_of = self.account_platforms()?;
        let platform_names = self.platform_names()?;
        let responses = [
            Kind::Reply,
            Kind::Comment,
            Kind::Quote,
            Kind::Reshare,
            Kind::Like,
        ];
        let mut kinds = [0u64; 256];
        let mut platforms = rustc_hash::FxHashMap::<i64, u64>::default();
        let (mut events, mut timeless, mut unresolved) = (0u64, 0u64, 0u64);
        let (mut first_time, mut last_time) = (None::<i64>, None::<i64>);
        self.scan_events(&EventFilter::default(), |e| {
            events += 1;
            kinds[e.kind.code() as usize] += 1;
            let platform = platform_of.get(e.actor as usize).copied().unwrap_or(0);
            *platforms.entry(platform).or_default() += 1;
            match e.time {
                Some(t) => {
                    first_time = Some(first_time.map_or(t, |f| f.min(t)));
                    last_time = Some(last_time.map_or(t, |l| l.max(t)));
                }
                None => timeless += 1,
            }
            if e.target.is_none() && responses.contains(&e.kind) {
                unresolved += 1;
            }
        })?;
        let by_kind = Kind::ALL
            .iter()
            .filter(|k| kinds[k.code() as usize] > 0)
            .map(|&k| (k, kinds[k.code() as usize]))
            .collect();
        let mut by_platform: Vec<(String, u64)> = platforms
            .into_iter()
            .map(|(p, n)| {
                let name = platform_names.get(&p).cloned().ok_or_else(|| {
                    self.corrupt(format!("{n} events by accounts of no known platform"))
                })?;
                Ok((name, n))
            })
            .collect::<Result<_>>()?;
        by_platform.sort();
        Ok(Stats {
            accounts: self.account_count()? as u64,
            events,
            by_kind,
            by_platform,
            first_time,
            last_time,
            timeless,
            unresolved,
            profiles: one("SELECT COUNT(DISTINCT account) FROM account_attrs")?,
            topics: one("SELECT COUNT(*) FROM topics")?,
            runs: self.runs()?,
        })
    }
}
