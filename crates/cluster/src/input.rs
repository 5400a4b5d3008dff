//! What one process reads: the accounts and the events of its shard stores, named by their
//! stable keys ([`crate::key::account_key`]) since every store numbers its accounts its own way.

use crate::key::account_key;
use crate::{ClusterError, Result};
use renown_model::{Kind, DEFAULT_KIND_WEIGHTS};
use renown_store::{EventFilter, Snapshot};
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
}

/// The accounts and the events in scope of one shard store.
pub struct Shard {
    /// Every account the store holds.
    pub accounts: Vec<Account>,
    /// The events in scope, in store order.
    pub edges: Vec<Edge>,
}

/// Reads the store at `path`: every account, the follows and unfollows, and the events of the
/// other `kinds` (engagement), up to `as_of` (timeless events always; self-loops dropped).
/// `tag` numbers the store among all the stores of the cluster (for [`Edge::order`]).
pub fn read_store(path: &Path, as_of: Option<i64>, kinds: &[Kind], tag: u64) -> Result<Shard> {
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
    let infos = snap.accounts().map_err(store_err)?;
    let accounts: Vec<Account> = infos
        .into_iter()
        .map(|a| Account {
            key: account_key(&a.platform, &a.native_id),
            platform: a.platform,
            native_id: a.native_id,
            handle: a.handle,
        })
        .collect();
    let mut kinds = kinds.to_vec();
    kinds.extend([Kind::Follow, Kind::Unfollow]);
    kinds.sort_unstable_by_key(|k| k.code());
    kinds.dedup();
    let mut edges = Vec::new();
    let mut position = 0u64;
    let mut bad = None;
    snap.scan_events(
        &EventFilter {
            kinds: Some(kinds),
            ..EventFilter::default()
        },
        |r| {
            position += 1;
            let Some(target) = r.target.filter(|&t| t != r.actor) else {
                return;
            };
            if r.time.is_some_and(|t| as_of.is_some_and(|a| t > a)) {
                return;
            }
            let (Some(a), Some(b)) = (
                accounts.get(r.actor as usize),
                accounts.get(target as usize),
            ) else {
                bad = Some(r.actor.max(target));
                return;
            };
            let (what, weight) = match r.kind {
                Kind::Follow => (What::Follow, 1.0),
                Kind::Unfollow => (What::Unfollow, 1.0),
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
                actor: a.key,
                target: b.key,
                time: r.time.unwrap_or(i64::MIN),
                order: tag << 40 | position,
            });
        },
    )
    .map_err(store_err)?;
    if let Some(id) = bad {
        return Err(ClusterError::Input(format!(
            "{}: an event names account {id}, beyond the store's {} accounts",
            path.display(),
            accounts.len()
        )));
    }
    Ok(Shard { accounts, edges })
}
