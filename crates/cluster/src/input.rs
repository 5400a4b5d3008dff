//! What one process reads: the accounts and the events of its shard stores, named by their
//! stable keys ([`crate::key::account_key`]) since every store numbers its accounts its own way.

use crate::key::{account_key, account_key_and_check};
use crate::{ClusterError, Result};
use renown_measures::ScopeFacts;
use renown_model::{Kind, DEFAULT_KIND_WEIGHTS};
use renown_store::{EventFilter, Snapshot};
use rustc_hash::FxHashSet;
use std::path::Path;

/// An account as a shard store names it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// The account's stable key, the same in every shard store.
    pub key: u64,
    /// The platform the account lives on (`mastodon`, `twitter`, …).
    pub platform: String,
    /// The platform's own id of the account.
    pub native_id: String,
    /// The account's handle, when the store knows one.
    pub handle: Option<String>,
}

/// What an event says to the measures here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum What {
    /// Starts a follow of the target.
    Follow,
    /// Ends a follow of the target.
    Unfollow,
    /// Any engagement kind (reshare, reply, mention, …), weighted by `Edge::weight`.
    Engage,
}

/// One event between two accounts, by key.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Edge {
    /// Follow, unfollow or engagement.
    pub what: What,
    /// The kind's default weight (renown-model's `DEFAULT_KIND_WEIGHTS`) for engagement, as
    /// the engagement graph weighs it; 1 for follows.
    pub weight: f32,
    /// The event's kind (`Kind::code`), for measures that weigh kinds their own way.
    pub kind: u8,
    /// The account that acted (follower, resharer, replier, …).
    pub actor: u64,
    /// The account acted on.
    pub target: u64,
    /// `i64::MIN` for a timeless event (they sort first, as in `StandingFollows`).
    pub time: i64,
    /// Store order (process, store, event): among follows and unfollows of one pair at one
    /// time the later-ingested wins, as on one machine.
    pub order: u64,
    /// For follows and unfollows, what they count in ([`FOR_COUNT`], [`FOR_GRAPH`]): under a
    /// topic the followers count reads only the follows carrying it, the follow graph every
    /// follow on the platform (as on one machine); without a topic both read all of them.
    pub uses: u8,
}

/// A follow the followers count reads.
pub const FOR_COUNT: u8 = 1;
/// A follow the follow graph (PageRank, earned influence) reads.
pub const FOR_GRAPH: u8 = 2;

/// What the measures read of each store: `renown rank`'s scope (its `as_of`, topic and
/// platform).
#[derive(Clone, Debug, Default)]
pub struct StoreScope {
    /// Only events up to this time (timeless events always).
    pub as_of: Option<i64>,
    /// Only engagement (and, for the followers count, follows) carrying this topic.
    pub topic: Option<String>,
    /// Only events on this platform.
    pub platform: Option<String>,
    /// Whether the measure reads the follow graph under a topic: PageRank does (the graph is
    /// not cut by topic); earned influence does not (no follows under a topic, as on one
    /// machine: follows carry none).
    pub graph_under_topic: bool,
}

/// The accounts and the events in scope of one shard store.
pub struct Shard {
    /// Every account the store holds.
    pub accounts: Vec<Account>,
    /// The events in scope, in store order.
    pub edges: Vec<Edge>,
}

/// Reads the store at `path`: every account, the follows and unfollows, and the events of the
/// other `kinds` (engagement), in `scope` (timeless events always; self-loops dropped).
/// `tag` numbers the store among all the stores of the cluster (for [`Edge::order`]).
pub fn read_store(path: &Path, scope: &StoreScope, kinds: &[Kind], tag: u64) -> Result<Shard> {
    let reader = StoreReader::open(path)?;
    let accounts = reader.accounts()?;
    let mut edges = Vec::new();
    reader.scan(scope, kinds, tag, usize::MAX, None, &mut |chunk| {
        if edges.is_empty() {
            edges = chunk;
        } else {
            edges.extend(chunk);
        }
    })?;
    Ok(Shard { accounts, edges })
}

/// One shard store open for reading: its accounts' keys first ([`StoreReader::open`]), then
/// its events in chunks of bounded size ([`StoreReader::scan`]), so a process never holds its
/// whole shard as events; names only for the accounts asked for ([`StoreReader::name`]).
pub struct StoreReader {
    path: std::path::PathBuf,
    snap: Snapshot,
    /// The key of each of the store's accounts, by dense id.
    keys: Vec<u64>,
    /// The check of each ([`crate::key::account_key_and_check`]), by dense id.
    checks: Vec<u64>,
}

impl StoreReader {
    /// Opens the store at `path` and keys every account it holds (its key and check, from
    /// the names as stored: no name is kept).
    pub fn open(path: &Path) -> Result<StoreReader> {
        if !path.is_file() {
            return Err(ClusterError::Input(format!(
                "{}: no such store (write one with `renown --db {} ingest --shard I/N …`)",
                path.display(),
                path.display()
            )));
        }
        let store_err =
            |e: renown_store::StoreError| ClusterError::Input(format!("{}: {e}", path.display()));
        let snap = Snapshot::open(path).map_err(store_err)?;
        let count = snap.account_count().map_err(store_err)? as usize;
        let mut keys = Vec::with_capacity(count);
        let mut checks = Vec::with_capacity(count);
        let mut buf = Vec::new();
        snap.for_each_account_name(|_, platform, native| {
            let (key, check) = account_key_and_check(platform, native, &mut buf);
            keys.push(key);
            checks.push(check);
        })
        .map_err(store_err)?;
        Ok(StoreReader {
            path: path.to_path_buf(),
            snap,
            keys,
            checks,
        })
    }

    /// Every account's `(key, check)`, by dense id.
    pub fn keyed(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.keys.iter().copied().zip(self.checks.iter().copied())
    }

    /// Every account the store holds, named.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let infos = self.snap.accounts().map_err(|e| self.store_err(e))?;
        Ok(self.named(infos))
    }

    /// The accounts among the store's whose key `wanted` holds, named.
    pub fn name(&self, wanted: &FxHashSet<u64>) -> Result<Vec<Account>> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<u32> = (0..self.keys.len() as u32)
            .filter(|&i| wanted.contains(&self.keys[i as usize]))
            .collect();
        let infos = self
            .snap
            .accounts_with_ids(&ids)
            .map_err(|e| self.store_err(e))?;
        Ok(self.named(infos))
    }

    /// `infos` with their keys.
    fn named(&self, infos: Vec<renown_store::AccountInfo>) -> Vec<Account> {
        infos
            .into_iter()
            .map(|a| Account {
                key: account_key(&a.platform, &a.native_id),
                platform: a.platform,
                native_id: a.native_id,
                handle: a.handle,
            })
            .collect()
    }

    fn store_err(&self, e: renown_store::StoreError) -> ClusterError {
        ClusterError::Input(format!("{}: {e}", self.path.display()))
    }

    /// Streams the follows and unfollows and the events of the other `kinds` in `scope` to
    /// `sink`, in store order, in chunks of at most `chunk` events. `tag` numbers the store
    /// among all the stores of the cluster (for [`Edge::order`]). With `facts`, every event on
    /// the scope's topic and platform, of any kind and at any time, is added to them in the
    /// same scan (what the single machine's warnings read).
    pub fn scan(
        &self,
        scope: &StoreScope,
        kinds: &[Kind],
        tag: u64,
        chunk: usize,
        mut facts: Option<&mut ScopeFacts>,
        sink: &mut dyn FnMut(Vec<Edge>),
    ) -> Result<()> {
        let path = &self.path;
        let store_err =
            |e: renown_store::StoreError| ClusterError::Input(format!("{}: {e}", path.display()));
        let keys = &self.keys;
        let chunk = chunk.max(1);
        let follows = vec![Kind::Follow, Kind::Unfollow];
        let mut engagement: Vec<Kind> = kinds
            .iter()
            .copied()
            .filter(|k| !follows.contains(k))
            .collect();
        engagement.sort_unstable_by_key(|k| k.code());
        engagement.dedup();
        // One scan without a topic (every kind at once, as before scopes); under a topic the
        // engagement and the follows the count reads carry it, the graph's follows need not.
        let scans: Vec<(Vec<Kind>, Option<String>, u8)> = match &scope.topic {
            None => {
                let mut all = engagement;
                all.extend(follows);
                all.sort_unstable_by_key(|k| k.code());
                vec![(all, None, FOR_COUNT | FOR_GRAPH)]
            }
            Some(topic) => {
                let mut topical = engagement;
                topical.extend(follows.iter().copied());
                topical.sort_unstable_by_key(|k| k.code());
                let mut scans = vec![(topical, Some(topic.clone()), FOR_COUNT)];
                if scope.graph_under_topic {
                    scans.push((follows, None, FOR_GRAPH));
                }
                scans
            }
        };
        let mut edges = Vec::new();
        let mut position = 0u64;
        let mut bad = None;
        for (i, (kinds, topic, uses)) in scans.into_iter().enumerate() {
            let graph_only = uses == FOR_GRAPH;
            // The first scan reads the scope's topic and platform: with facts, every kind.
            let mut facts = facts.as_deref_mut().filter(|_| i == 0);
            let mut wanted = [false; 256];
            for k in &kinds {
                wanted[k.code() as usize] = true;
            }
            self.snap
                .scan_events(
                    &EventFilter {
                        kinds: if facts.is_some() { None } else { Some(kinds) },
                        topic,
                        platform: scope.platform.clone(),
                        ..EventFilter::default()
                    },
                    |r| {
                        if let Some(f) = facts.as_deref_mut() {
                            f.add(r);
                            if !wanted[r.kind.code() as usize] {
                                return;
                            }
                        }
                        position += 1;
                        let Some(target) = r.target.filter(|&t| t != r.actor) else {
                            return;
                        };
                        if r.time.is_some_and(|t| scope.as_of.is_some_and(|a| t > a)) {
                            return;
                        }
                        let (Some(&a), Some(&b)) =
                            (keys.get(r.actor as usize), keys.get(target as usize))
                        else {
                            bad = Some(r.actor.max(target));
                            return;
                        };
                        let (what, weight) = match r.kind {
                            Kind::Follow => (What::Follow, 1.0),
                            Kind::Unfollow => (What::Unfollow, 1.0),
                            // The graph's scan reads follows only.
                            _ if graph_only => return,
                            kind => (
                                What::Engage,
                                DEFAULT_KIND_WEIGHTS
                                    .iter()
                                    .find(|kw| kw.0 == kind)
                                    .map_or(0.0, |kw| kw.1),
                            ),
                        };
                        edges.push(Edge {
                            what,
                            weight,
                            kind: r.kind.code(),
                            actor: a,
                            target: b,
                            time: r.time.unwrap_or(i64::MIN),
                            order: tag << 40 | position,
                            uses,
                        });
                        if edges.len() >= chunk {
                            sink(std::mem::take(&mut edges));
                        }
                    },
                )
                .map_err(store_err)?;
        }
        if !edges.is_empty() {
            sink(edges);
        }
        if let Some(id) = bad {
            return Err(ClusterError::Input(format!(
                "{}: an event names account {id}, beyond the store's {} accounts",
                path.display(),
                keys.len()
            )));
        }
        Ok(())
    }
}
