//! Resolving a batch against the writer's in-memory view, without touching SQLite: which events
//! are new (identity set), which account, platform and topic ids they get (new ones numbered
//! here), which handles to set. The ingest pipeline does this on its writer thread before the
//! batch's transaction, while the reader parses the next batch;
//! [`crate::Store::write_keyed_batch`] does both steps in one call.

use crate::account_table::AccountTable;
use crate::BatchCounts;
use renown_model::{AccountRef, CompactString, Record};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashMap;

/// The writer's in-memory view: every event identity in the store, and the interned platforms,
/// accounts and topics, loaded under the writer lock ([`crate::Store::take_resolver`]). The two
/// halves work independently ([`Resolver::split`]), so an ingest can decide which events are new
/// on one thread and name them on another.
#[derive(Default)]
pub struct Resolver {
    pub(crate) events: EventIds,
    pub(crate) names: Names,
}

/// Event identities seen so far, and the next event id.
#[derive(Default)]
pub struct EventIds {
    /// Events get explicit row ids (we are the only writer), so a batch's events form one block
    /// and their topic links are written without asking SQLite for the ids.
    pub(crate) next_event: i64,
    pub(crate) keys: FxHashSet<u64>,
}

/// Interned platforms, accounts and topics.
#[derive(Default)]
pub struct Names {
    pub(crate) platforms: HashMap<String, i64>,
    /// The platform of the previous event: nearly every file has one, so this skips a lookup.
    pub(crate) last_platform: Option<(Box<str>, i64)>,
    /// [`account_key`] → account. A 128-bit hash rather than the string itself: no heap string
    /// to chase and compare on every lookup, and a collision needs ~2^64 accounts.
    pub(crate) accounts: AccountTable,
    /// Lowercased topic name → id.
    pub(crate) topics: FxHashMap<Box<str>, i64>,
    pub(crate) next_platform: i64,
    pub(crate) next_account: i64,
    pub(crate) next_topic: i64,
}

/// The resolver's key for (platform id, native id).
///
/// The platform is hashed as part of the input, not passed as XXH3's seed: for short inputs XXH3
/// mixes its seed in linearly, so (platform 1, one id) and (platform 2, another id) collided
/// systematically — a store holding Slashdot and then Higgs merged 36,187 Higgs accounts into
/// Slashdot ones. With the platform in the input, distinct inputs collide only by chance (~2^-128).
pub(crate) fn account_key(platform: i64, native_id: &str) -> u128 {
    use xxhash_rust::xxh3::{xxh3_128, Xxh3};
    let id = native_id.as_bytes();
    let mut buf = [0u8; 64];
    if id.len() <= buf.len() - 8 {
        buf[..8].copy_from_slice(&platform.to_le_bytes());
        buf[8..8 + id.len()].copy_from_slice(id);
        xxh3_128(&buf[..8 + id.len()])
    } else {
        let mut h = Xxh3::new();
        h.update(&platform.to_le_bytes());
        h.update(id);
        h.digest128()
    }
}

/// What resolving decided for one record of a batch.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    /// An event already in the store (or earlier in this batch): nothing to write.
    Duplicate,
    Event {
        id: i64,
        key: u64,
        actor: i64,
        target: Option<i64>,
        /// Range of its topic ids in [`ResolvedBatch::topic_links`].
        topics: (u32, u32),
    },
    /// A profile or a deletion: the account it concerns.
    Account { account: i64 },
}

/// A batch resolved by [`Resolver::resolve`], ready for [`crate::Store::write_resolved_batch`]
/// together with the same records.
#[derive(Default)]
pub struct ResolvedBatch {
    pub(crate) slots: Vec<Slot>,
    pub(crate) new_platforms: Vec<(i64, String)>,
    /// (id, platform, native id, handle).
    pub(crate) new_accounts: Vec<(i64, i64, CompactString, Option<String>)>,
    /// Accounts first seen without a handle that now have one.
    pub(crate) handles: Vec<(i64, String)>,
    pub(crate) new_topics: Vec<(i64, String)>,
    pub(crate) topic_links: Vec<i64>,
    pub(crate) counts: BatchCounts,
}

impl ResolvedBatch {
    /// What writing the batch will do: events new and duplicate, profiles.
    pub fn counts(&self) -> BatchCounts {
        self.counts
    }
}

impl Resolver {
    /// Decides ids for `records` (each with its identity; profiles' keys are ignored) and
    /// marks their identities as seen. Only valid for the store it came from, and only if the
    /// result is written: after a failed write, drop the resolver (the store reloads).
    pub fn resolve<R: std::borrow::Borrow<Record>>(
        &mut self,
        records: &[(u64, R)],
    ) -> ResolvedBatch {
        let mut out = self.events.identify(records);
        self.names.name(records, &mut out);
        out
    }

    /// The two halves, to resolve on two threads: [`EventIds::identify`] then [`Names::name`]
    /// on each batch, in the same batch order.
    pub fn split(self) -> (EventIds, Names) {
        (self.events, self.names)
    }

    /// Puts the halves of [`Resolver::split`] back together.
    pub fn join(events: EventIds, names: Names) -> Resolver {
        Resolver { events, names }
    }
}

impl EventIds {
    /// The first half of [`Resolver::resolve`]: which events are new, and their ids. Accounts
    /// and topics are left for [`Names::name`].
    pub fn identify<R: std::borrow::Borrow<Record>>(
        &mut self,
        records: &[(u64, R)],
    ) -> ResolvedBatch {
        let mut out = ResolvedBatch {
            slots: Vec::with_capacity(records.len()),
            ..ResolvedBatch::default()
        };
        for (key, record) in records {
            let slot = match record.borrow() {
                // A deletion comes where a profile used to carry it: counted with them.
                Record::Profile(_) | Record::Deletion(_) => {
                    out.counts.profiles += 1;
                    Slot::Account { account: 0 }
                }
                Record::Event(_) if !self.keys.insert(*key) => {
                    out.counts.duplicate += 1;
                    Slot::Duplicate
                }
                Record::Event(_) => {
                    self.next_event += 1;
                    out.counts.added += 1;
                    Slot::Event {
                        id: self.next_event,
                        key: *key,
                        actor: 0,
                        target: None,
                        topics: (0, 0),
                    }
                }
            };
            out.slots.push(slot);
        }
        out
    }
}

impl Names {
    /// The second half of [`Resolver::resolve`]: interns the accounts, platforms and topics of
    /// the new events and profiles of a batch [`EventIds::identify`] returned.
    pub fn name<R: std::borrow::Borrow<Record>>(
        &mut self,
        records: &[(u64, R)],
        out: &mut ResolvedBatch,
    ) {
        // Platforms and account keys first, so that the lookups below can prefetch the table
        // entries of the accounts a few records ahead.
        let mut slots = std::mem::take(&mut out.slots);
        let mut keys: Vec<(i64, u128, Option<u128>)> = Vec::with_capacity(records.len());
        for ((_, record), slot) in records.iter().zip(&slots) {
            let (platform, actor, target) = match (record.borrow(), slot) {
                (Record::Profile(p), Slot::Account { .. }) => {
                    (p.platform.as_str(), &p.account, None)
                }
                (Record::Deletion(d), Slot::Account { .. }) => {
                    (d.platform.as_str(), &d.account, None)
                }
                (Record::Event(e), Slot::Event { .. }) => {
                    (e.platform.as_str(), &e.actor, e.target.as_ref())
                }
                _ => continue,
            };
            let platform = self.platform_id(out, platform);
            let key = |a: &AccountRef| account_key(platform, &a.id);
            keys.push((platform, key(actor), target.map(key)));
        }
        const AHEAD: usize = 8;
        let named = records
            .iter()
            .zip(&mut slots)
            .filter(|(_, slot)| matches!(slot, Slot::Account { .. } | Slot::Event { .. }));
        for (i, ((_, record), slot)) in named.enumerate() {
            if let Some(&(_, actor, target)) = keys.get(i + AHEAD) {
                self.accounts.prefetch(actor);
                if let Some(t) = target {
                    self.accounts.prefetch(t);
                }
            }
            let (platform, actor_key, target_key) = keys[i];
            match (record.borrow(), slot) {
                (Record::Profile(p), Slot::Account { account }) => {
                    *account = self.account_id(out, platform, actor_key, &p.account);
                }
                (Record::Deletion(d), Slot::Account { account }) => {
                    *account = self.account_id(out, platform, actor_key, &d.account);
                }
                (
                    Record::Event(e),
                    Slot::Event {
                        actor,
                        target,
                        topics,
                        ..
                    },
                ) => {
                    *actor = self.account_id(out, platform, actor_key, &e.actor);
                    *target = e
                        .target
                        .as_ref()
                        .zip(target_key)
                        .map(|(t, key)| self.account_id(out, platform, key, t));
                    let first = out.topic_links.len() as u32;
                    for t in &e.topics {
                        let id = self.topic_id(out, t);
                        out.topic_links.push(id);
                    }
                    *topics = (first, out.topic_links.len() as u32);
                }
                _ => unreachable!("filtered above"),
            }
        }
        out.slots = slots;
    }

    fn platform_id(&mut self, out: &mut ResolvedBatch, name: &str) -> i64 {
        if let Some((last, id)) = &self.last_platform {
            if &**last == name {
                return *id;
            }
        }
        let id = match self.platforms.get(name) {
            Some(&id) => id,
            None => {
                self.next_platform += 1;
                let id = self.next_platform;
                self.platforms.insert(name.to_string(), id);
                out.new_platforms.push((id, name.to_string()));
                id
            }
        };
        self.last_platform = Some((name.into(), id));
        id
    }

    /// The id of the account with `key` ([`account_key`] of `platform` and `acc.id`).
    fn account_id(
        &mut self,
        out: &mut ResolvedBatch,
        platform: i64,
        key: u128,
        acc: &AccountRef,
    ) -> i64 {
        if let Some(found) = self.accounts.get(key) {
            if !found.has_handle {
                if let Some(h) = &acc.handle {
                    out.handles.push((found.id, h.clone()));
                    self.accounts.set_handle(&found);
                }
            }
            return found.id;
        }
        self.next_account += 1;
        let id = self.next_account;
        out.new_accounts
            .push((id, platform, acc.id.clone(), acc.handle.clone()));
        self.accounts.insert(key, id, acc.handle.is_some());
        id
    }

    fn topic_id(&mut self, out: &mut ResolvedBatch, topic: &str) -> i64 {
        let name = topic.to_lowercase();
        if let Some(&id) = self.topics.get(name.as_str()) {
            return id;
        }
        self.next_topic += 1;
        let id = self.next_topic;
        out.new_topics.push((id, name.clone()));
        self.topics.insert(name.into_boxed_str(), id);
        id
    }
}

#[cfg(test)]
mod tests {
    use crate::{Store, StoreError};
    use renown_model::{AccountRef, Event, Kind, Record};

    fn tagged(platform: &str, actor: &str, target: &str, tags: &[&str]) -> Record {
        let mut e = Event::new(platform, Kind::Mention, AccountRef::new(actor));
        e.target = Some(AccountRef::new(target));
        e.topics = tags.iter().map(|t| t.to_string()).collect();
        Record::Event(e)
    }

    fn count(store: &Store, table: &str) -> i64 {
        store
            .connection()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn ids_decided_in_memory_match_what_a_reopened_store_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("r.db");
        let batch = [
            (1, tagged("x", "a", "b", &["Rust", "rust"])),
            (2, tagged("y", "a", "c", &["RUST", "go"])),
        ];
        {
            let mut store = Store::open(&db).unwrap();
            let run = store.begin_run("f", "test").unwrap();
            let c = store.write_batch(run, &batch, 0).unwrap();
            assert_eq!((c.added, c.duplicate), (2, 0));
        }
        // A new process: everything reloaded, nothing added twice, ids continue.
        let mut store = Store::open(&db).unwrap();
        let run = store.begin_run("f", "test").unwrap();
        let c = store.write_batch(run, &batch, 0).unwrap();
        assert_eq!((c.added, c.duplicate), (0, 2));
        let more = [(3, tagged("y", "c", "d", &["go", "zig"]))];
        assert_eq!(store.write_batch(run, &more, 0).unwrap().added, 1);
        assert_eq!(count(&store, "platforms"), 2);
        assert_eq!(store.account_count().unwrap(), 5, "a, b on x; a, c, d on y");
        assert_eq!(count(&store, "topics"), 3, "rust, go, zig");
        assert_eq!(count(&store, "event_topics"), 5);
        assert_eq!(store.stats().unwrap().events, 3);
    }

    #[test]
    fn the_same_ids_on_two_platforms_are_two_accounts() {
        // Numeric ids on two platforms: what a store holding Slashdot and Higgs sees.
        let mut resolver = crate::Resolver::default();
        let batch: Vec<(u64, Record)> = ["slashdot", "higgs"]
            .iter()
            .flat_map(|p| (0..60_000).map(move |i| (*p, i)))
            .enumerate()
            .map(|(n, (p, i))| {
                let mut e = Event::new(p, Kind::Follow, AccountRef::new(i.to_string()));
                e.target = Some(AccountRef::new(format!("{}", 1_000_000 + i)));
                (n as u64, Record::Event(e))
            })
            .collect();
        let resolved = resolver.resolve(&batch);
        assert_eq!(resolved.new_accounts.len(), 240_000);
        // Long ids take the streaming path; the key must not depend on which path hashed it.
        let long = "x".repeat(100);
        assert_ne!(super::account_key(1, &long), super::account_key(2, &long));
        assert_eq!(
            super::account_key(7, "12345"),
            xxhash_rust::xxh3::xxh3_128(&[&7i64.to_le_bytes()[..], b"12345"].concat())
        );
    }

    #[test]
    fn a_resolved_batch_written_with_other_records_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        let run = store.begin_run("f", "test").unwrap();
        let mut resolver = store.take_resolver().unwrap();
        let resolved = resolver.resolve(&[(7, tagged("x", "a", "b", &[]))]);
        let err = store.write_resolved_batch(run, &[] as &[(u64, Record)], &resolved, 0);
        assert!(matches!(err, Err(StoreError::Misuse(_))), "{:?}", err.err());
        assert_eq!(store.stats().unwrap().events, 0);
    }
}
