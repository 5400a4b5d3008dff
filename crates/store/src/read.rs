use crate::blocks::{AccountBlockView, BlockView};
use crate::{Result, Store, StoreError};
use renown_model::Kind;
use rustc_hash::FxHashSet;

/// The light row the graph stage reads: dense ids, kind, time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub time: Option<i64>,
    pub kind: Kind,
    /// Dense account id (account id − 1).
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

/// An [`EventFilter`] with its lookups done: what a block scan tests each event against.
struct Selection {
    /// Bit per `Kind::code`; 0 means every kind.
    kind_mask: i64,
    since: Option<i64>,
    until: Option<i64>,
    /// Events carrying the filter's topic.
    topic_events: Option<FxHashSet<i64>>,
    /// Indexed by dense account id: on the filter's platform.
    platform_accounts: Option<Vec<bool>>,
    /// Events deleted at their source.
    deleted: FxHashSet<i64>,
    /// Accounts in the store when the scan began: an event may name only ids `1..=accounts`.
    accounts: u32,
}

impl Selection {
    fn keeps(&self, id: i64, time: Option<i64>, kind: Kind, actor: u32) -> bool {
        (self.kind_mask == 0 || self.kind_mask & (1 << kind.code()) != 0)
            && time.is_none_or(|t| self.since.is_none_or(|s| t >= s))
            && time.is_none_or(|t| self.until.is_none_or(|u| t <= u))
            && self.topic_events.as_ref().is_none_or(|e| e.contains(&id))
            && self.platform_accounts.as_ref().is_none_or(|a| {
                a.get(dense(actor as i64) as usize)
                    .copied()
                    .unwrap_or(false)
            })
            && (self.deleted.is_empty() || !self.deleted.contains(&id))
    }

    /// Refuses an event naming an account the store does not have, so that every array a
    /// reader indexes by account id (sized by [`Store::account_count`]) holds it.
    fn known_accounts(
        &self,
        id: i64,
        actor: u32,
        target: Option<u32>,
    ) -> std::result::Result<(), String> {
        let known = |a: u32| (1..=self.accounts).contains(&a);
        if known(actor) && target.is_none_or(known) {
            return Ok(());
        }
        Err(format!(
            "event {id} names account {} but the store had {} when the scan began \
             (or it was read without a Snapshot while an ingest wrote)",
            if known(actor) {
                target.unwrap_or(0)
            } else {
                actor
            },
            self.accounts
        ))
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

    /// Calls `f(first event id, block)` for every event block, in id order; with a nonzero
    /// `kind_mask` (bit per `Kind::code`) only for blocks holding one of those kinds.
    pub(crate) fn for_each_block(
        &self,
        kind_mask: i64,
        mut f: impl FnMut(i64, &BlockView<'_>) -> Result<()>,
    ) -> Result<()> {
        self.for_each_blob(
            "SELECT id, count, data FROM event_blocks WHERE ?1 = 0 OR kinds & ?1 != 0 ORDER BY id",
            [kind_mask],
            "event",
            |first, count, blob, corrupt| {
                f(first, &BlockView::parse(blob, count).map_err(corrupt)?)
            },
        )
    }

    /// Calls `f(first id, count, blob, corrupt)` for every row `sql` selects as
    /// `(id, count, data)` from a block table; `corrupt` turns a decoding failure into the
    /// store's corruption error naming the block.
    fn for_each_blob<P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        what: &str,
        mut f: impl FnMut(i64, usize, &[u8], &dyn Fn(String) -> StoreError) -> Result<()>,
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let mut rows = st.query(params).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let first: i64 = r.get(0).map_err(|e| self.err(e))?;
            let count: i64 = r.get(1).map_err(|e| self.err(e))?;
            let corrupt = |reason: String| self.corrupt(format!("{what} block {first}: {reason}"));
            let blob = r
                .get_ref(2)
                .map_err(|e| self.err(e))?
                .as_blob()
                .map_err(|e| corrupt(e.to_string()))?;
            let count = usize::try_from(count).map_err(|_| corrupt(format!("count {count}")))?;
            f(first, count, blob, &corrupt)?;
        }
        Ok(())
    }

    /// Ids of the events deleted at their source.
    fn deleted_events(&self) -> Result<FxHashSet<i64>> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM deleted_events")
            .map_err(|e| self.err(e))?;
        let ids = st
            .query_map([], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e));
        ids
    }

    fn selection(&self, filter: &EventFilter) -> Result<Selection> {
        let topic_events = match &filter.topic {
            None => None,
            Some(t) => {
                let mut st = self
                    .conn
                    .prepare(
                        "SELECT et.event FROM event_topics et JOIN topics t ON t.id = et.topic
                         WHERE t.name = ?1",
                    )
                    .map_err(|e| self.err(e))?;
                let ids = st
                    .query_map([t.to_lowercase()], |r| r.get(0))
                    .map_err(|e| self.err(e))?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(|e| self.err(e))?;
                Some(ids)
            }
        };
        let platform_accounts = match &filter.platform {
            None => None,
            Some(p) => {
                let wanted = p.to_lowercase();
                let ids: Vec<i64> = self
                    .platform_names()?
                    .into_iter()
                    .filter(|(_, name)| *name == wanted)
                    .map(|(id, _)| id)
                    .collect();
                let on: Vec<bool> = self
                    .account_platforms()?
                    .iter()
                    .map(|p| ids.contains(p))
                    .collect();
                Some(on)
            }
        };
        Ok(Selection {
            kind_mask: filter
                .kinds
                .as_ref()
                .map_or(0, |k| k.iter().fold(0, |m, k| m | 1 << k.code())),
            since: filter.since,
            until: filter.until,
            topic_events,
            platform_accounts,
            deleted: self.deleted_events()?,
            accounts: self.account_count()?,
        })
    }

    /// Calls `f` for every event passing `filter`, in insertion order.
    pub fn scan_events(&self, filter: &EventFilter, mut f: impl FnMut(EventRow)) -> Result<()> {
        let sel = self.selection(filter)?;
        self.for_each_block(sel.kind_mask, |first, b| {
            for i in 0..b.len() {
                let (id, time, kind, actor) = (first + i as i64, b.time(i), b.kind(i), b.actor(i));
                if sel.keeps(id, time, kind, actor) {
                    let target = b.target(i);
                    sel.known_accounts(id, actor, target)
                        .map_err(|reason| self.corrupt(reason))?;
                    f(EventRow {
                        time,
                        kind,
                        actor: actor - 1,
                        target: target.map(|t| t - 1),
                    });
                }
            }
            Ok(())
        })
    }

    /// Like [`Store::scan_events`] with items, parents and topics.
    pub fn scan_events_full(
        &self,
        filter: &EventFilter,
        mut f: impl FnMut(FullEventRow),
    ) -> Result<()> {
        let sel = self.selection(filter)?;
        let names: rustc_hash::FxHashMap<i64, String> =
            self.id_map("SELECT id, name FROM topics")?;
        // Topic links come in event order beside the blocks: a merge, not a lookup per event.
        let mut st = self
            .conn
            .prepare("SELECT event, topic FROM event_topics ORDER BY event, topic")
            .map_err(|e| self.err(e))?;
        let mut links = st.query([]).map_err(|e| self.err(e))?;
        let advance = |links: &mut rusqlite::Rows<'_>| -> Result<Option<(i64, i64)>> {
            match links.next().map_err(|e| self.err(e))? {
                Some(r) => Ok(Some((
                    r.get(0).map_err(|e| self.err(e))?,
                    r.get(1).map_err(|e| self.err(e))?,
                ))),
                None => Ok(None),
            }
        };
        let mut next_link = advance(&mut links)?;
        self.for_each_block(sel.kind_mask, |first, b| {
            for (i, (item, parent)) in b.items().zip(b.parents()).enumerate() {
                let id = first + i as i64;
                let mut topics = Vec::new();
                while let Some((event, topic)) = next_link.filter(|&(event, _)| event <= id) {
                    if event == id {
                        let name = names.get(&topic).ok_or_else(|| {
                            self.corrupt(format!("event {id} links to no topic {topic}"))
                        })?;
                        topics.push(name.clone());
                    }
                    next_link = advance(&mut links)?;
                }
                let (time, kind, actor) = (b.time(i), b.kind(i), b.actor(i));
                if !sel.keeps(id, time, kind, actor) {
                    continue;
                }
                let target = b.target(i);
                sel.known_accounts(id, actor, target)
                    .map_err(|reason| self.corrupt(reason))?;
                let corrupt = |reason| self.corrupt(format!("event {id}: {reason}"));
                f(FullEventRow {
                    id,
                    row: EventRow {
                        time,
                        kind,
                        actor: actor - 1,
                        target: target.map(|t| t - 1),
                    },
                    item: item.map_err(corrupt)?.map(str::to_string),
                    parent: parent.map_err(corrupt)?.map(str::to_string),
                    topics,
                });
            }
            Ok(())
        })
    }

    /// The latest event time, or `None` if no event has one.
    pub fn last_event_time(&self) -> Result<Option<i64>> {
        if self.deleted_events()?.is_empty() {
            return self
                .conn
                .query_row("SELECT MAX(max_time) FROM event_blocks", [], |r| r.get(0))
                .map_err(|e| self.err(e));
        }
        let mut last = None::<i64>;
        self.scan_events(&EventFilter::default(), |e| last = last.max(e.time))?;
        Ok(last)
    }

    /// Number of accounts; dense ids run `0..account_count()`.
    pub fn account_count(&self) -> Result<u32> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT COALESCE(MAX(id + count - 1), 0) FROM account_blocks",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(n as u32)
    }

    /// Calls `f(account id, platforms.id, native id, handle)` for every account, in id order.
    pub(crate) fn for_each_account(
        &self,
        mut f: impl FnMut(i64, i64, &str, Option<&str>) -> Result<()>,
    ) -> Result<()> {
        let late_handles: rustc_hash::FxHashMap<i64, String> =
            self.id_map("SELECT id, handle FROM account_handles")?;
        self.for_each_blob(
            "SELECT id, count, data FROM account_blocks ORDER BY id",
            [],
            "account",
            |first, count, blob, corrupt| {
                let block = AccountBlockView::parse(blob, count).map_err(corrupt)?;
                for (i, (native, handle)) in block.native_ids().zip(block.handles()).enumerate() {
                    let id = first + i as i64;
                    let handle = match late_handles.get(&id) {
                        Some(h) => Some(h.as_str()),
                        None => handle.map_err(corrupt)?,
                    };
                    f(
                        id,
                        block.platform(i),
                        native.map_err(corrupt)?.unwrap_or(""),
                        handle,
                    )?;
                }
                Ok(())
            },
        )
    }

    /// The rows of `sql` (`SELECT id, value ...`) as a map from id to value.
    fn id_map<V: rusqlite::types::FromSql>(
        &self,
        sql: &str,
    ) -> Result<rustc_hash::FxHashMap<i64, V>> {
        let mut st = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let map = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e));
        map
    }

    /// The platform id of every account, indexed by dense account id.
    fn account_platforms(&self) -> Result<Vec<i64>> {
        let mut platform_of = Vec::with_capacity(self.account_count()? as usize);
        self.for_each_account(|_, platform, _, _| {
            platform_of.push(platform);
            Ok(())
        })?;
        Ok(platform_of)
    }

    /// Platform names by id.
    fn platform_names(&self) -> Result<rustc_hash::FxHashMap<i64, String>> {
        self.id_map("SELECT id, name FROM platforms")
    }

    /// Every account, indexed by dense id.
    pub fn accounts(&self) -> Result<Vec<AccountInfo>> {
        let platforms = self.platform_names()?;
        let mut out = Vec::with_capacity(self.account_count()? as usize);
        self.for_each_account(|id, platform, native, handle| {
            if id != out.len() as i64 + 1 {
                return Err(self.corrupt("account ids are not dense".into()));
            }
            let platform = platforms.get(&platform).cloned().ok_or_else(|| {
                self.corrupt(format!("account {id} is on no known platform {platform}"))
            })?;
            out.push(AccountInfo {
                dense: dense(id),
                platform,
                native_id: native.to_string(),
                handle: handle.map(str::to_string),
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// Finds an account by `platform:native_id`, native id, or handle (with or without `@`);
    /// the first (lowest id) match of the first kind that matches.
    pub fn find_account(&self, query: &str) -> Result<u32> {
        let q = query.trim();
        let platforms = self.platform_names()?;
        let qualified = q.split_once(':').and_then(|(platform, native)| {
            let platform = platform.to_lowercase();
            let id = platforms.iter().find(|(_, name)| **name == platform)?.0;
            Some((*id, native))
        });
        let handle = q.trim_start_matches('@');
        let at_handle = format!("@{handle}");
        // Best match so far: (kind rank, id), rank 0 = platform:native, 1 = native, 2 = handle.
        let mut best: Option<(u8, i64)> = None;
        self.for_each_account(|id, platform, native, h| {
            let rank = if qualified == Some((platform, native)) {
                0
            } else if native == q {
                1
            } else if h.is_some_and(|h| h == handle || h == at_handle) {
                2
            } else {
                return Ok(());
            };
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, id));
            }
            Ok(())
        })?;
        match best {
            Some((_, id)) => Ok(dense(id)),
            None => Err(StoreError::UnknownAccount(q.to_string())),
        }
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
