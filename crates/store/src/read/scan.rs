//! Scanning events: a filter's lookups done once (`Selection`), then the blocks read in id order.

use super::*;

/// An [`EventFilter`] with its lookups done: what a block scan tests each event against.
pub(super) struct Selection {
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

impl Store {
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
    pub(super) fn for_each_blob<P: rusqlite::Params>(
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
    pub(super) fn deleted_events(&self) -> Result<FxHashSet<i64>> {
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

    pub(super) fn selection(&self, filter: &EventFilter) -> Result<Selection> {
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
}
