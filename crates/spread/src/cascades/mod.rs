//! Spread trees ("cascades") and who starts and carries them.
//!
//! Three ways a tree is known, in decreasing certainty:
//! - **items**: an event names the item it reshares, quotes or answers (`parent`), so each node
//!   hangs under the node that created that item. The first event creating an item owns it; a
//!   later event claiming the same item (Twitter15 lists some users under several parents) is
//!   dropped and counted.
//! - **tag**: a tag meme. An account's first use of a topic hangs under the account whose
//!   mention carrying that topic reached it first, before that use.
//! - **inferred**: a reshare or quote that names its target account but no item. All such
//!   reshares of one origin account form its cascade; a resharer hangs under the origin if it
//!   followed or engaged with it before, else under the earlier adopter through which it was
//!   exposed first (exposure time = the later of that adopter's reshare and the resharer's first
//!   follow of or engagement with it), else under the origin. Such edges are flagged `inferred`.
//!
//! An account answering or resharing its own item (a thread it continues, a self-reshare) is
//! not spread: the item already was its own. Such a node is folded into the item it answers
//! (anything answering it hangs there instead), as inferred and tag cascades leave out an
//! account's reshares and tags of itself; [`Anomalies::self_responses`] counts them.
//!
//! Structural virality (Goel, Anderson, Hofman & Watts 2016) is the mean shortest-path distance
//! over all ordered pairs of distinct nodes. It is computed exactly in linear time: an edge above
//! a subtree of `s` nodes lies on the path of `s·(n−s)` unordered pairs, so the sum over unordered
//! pairs is `W = Σ s·(n−s)` and the mean over ordered pairs is `2W / (n(n−1))`.

use crate::Result;
use renown_model::Kind;
use renown_store::{EventFilter, FullEventRow, Scope, Store};
use serde::Serialize;
// FxHash: keys are item ids and dense account ids, not attacker-chosen hash-flooding inputs
// at this scale, and SipHash made the map work the largest cost of rebuilding the trees.
use rustc_hash::FxHashMap as HashMap;

mod bytes;
mod credit;
mod exposure;
mod forest;
mod inferred;
mod memes;
#[cfg(test)]
mod tests;

pub use credit::account_spread;
pub use exposure::Exposure;
use forest::Forest;
pub use forest::{structural_virality, subtree_sizes};
use inferred::inferred;
use memes::tag_memes;

/// What a node's parent link rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The data names each node's parent item (a reshare's original, a reply's post).
    Items,
    /// A tag meme: an account's first use of a topic hangs under the account whose mention
    /// carrying it reached the account first.
    Tag,
    /// A reshare naming its target account but no item: it hangs under the origin or the earlier
    /// adopter that exposed it first.
    Inferred,
}

/// One adoption in a cascade: an account taking the item up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    /// Dense account id.
    pub account: u32,
    /// Index of the parent in `Cascade::nodes`; parents come before their children.
    pub parent: Option<u32>,
    /// Steps from the root (the root is 0).
    pub depth: u32,
    /// When it adopted; `None` for a timeless event.
    pub time: Option<i64>,
    /// How it adopted (post, reshare, quote, reply, …).
    pub kind: Kind,
    /// The store event this node is (absent for an origin the data only names).
    pub event: Option<i64>,
    /// True when the parent was chosen by exposure rather than named by the data.
    pub inferred: bool,
}

/// A cascade's shape and timing.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CascadeStats {
    /// Nodes, the root included.
    pub size: usize,
    /// The deepest node's depth.
    pub depth: u32,
    /// The most nodes at one depth.
    pub max_breadth: usize,
    /// The mean shortest-path distance over ordered pairs of distinct nodes (Goel et al. 2016):
    /// low for a broadcast from one account, high for long person-to-person chains.
    pub structural_virality: f64,
    /// The root's time, else the earliest node time.
    pub start: Option<i64>,
    /// The latest node time.
    pub end: Option<i64>,
    /// Seconds from `start` until the cascade had half its final size (rounded up).
    pub time_to_half: Option<i64>,
}

/// One spread tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cascade {
    /// The root item, `tag/TOPIC/ACCOUNT` for tag memes, `from/ACCOUNT` for inferred cascades.
    pub id: String,
    /// What its parent links rest on.
    pub origin: Origin,
    /// The topic of a tag meme.
    pub topic: Option<String>,
    /// Dense account id of the root.
    pub root: u32,
    /// Its shape and timing.
    pub stats: CascadeStats,
    /// Every node, parents before their children.
    pub nodes: Vec<Node>,
}

/// One account's part in the cascades: what it started and what it carried.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AccountSpread {
    /// Dense account id.
    pub account: u32,
    /// Cascades (of at least `min_size` nodes) it is the root of.
    pub cascades_started: u64,
    /// Nodes below it in the cascades it started.
    pub downstream_reach: u64,
    /// Nodes below it in cascades others started: the spread it carried for them.
    pub reach_carried: u64,
    /// Each non-root node is one unit of spread, shared equally by all its ancestors: the share
    /// it got as a root ...
    pub initiator_credit: f64,
    /// ... and as an intermediate (amplifier).
    pub amplifier_credit: f64,
}

/// Data oddities met while rebuilding the trees.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Anomalies {
    /// Events claiming an item an earlier event already created.
    pub duplicate_items: u64,
    /// Parent items not in the data: the node hangs under a stand-in for the target's item.
    pub unseen_parents: u64,
    /// Parent links cut because they closed a cycle.
    pub cycles_cut: u64,
    /// Inferred reshares by an account already in that origin's cascade.
    pub repeat_adoptions: u64,
    /// Responses to the account's own item (a self-reshare, a reply continuing its own
    /// thread): no one else took the item up, so each is folded into the item it answers
    /// (its own responders hang there) and adds no node.
    pub self_responses: u64,
}

/// Every cascade in a scope, every account's part in them, and the data's oddities.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CascadeReport {
    /// Largest first.
    pub cascades: Vec<Cascade>,
    /// Accounts with any spread, by downstream reach then reach carried.
    pub accounts: Vec<AccountSpread>,
    /// What was odd in the data.
    pub anomalies: Anomalies,
}

/// Which cascades to rebuild.
#[derive(Clone, Debug)]
pub struct CascadeOptions {
    /// The slice of the log: as of its date, on its topic and platform. A cascade is whole up to
    /// its date, so the scope's window start and kinds are not read.
    pub scope: Scope,
    /// Smallest cascade kept (2 = a root and one adopter).
    pub min_size: usize,
}

impl Default for CascadeOptions {
    fn default() -> Self {
        CascadeOptions {
            scope: Scope::default(),
            min_size: 2,
        }
    }
}

/// Kinds that create a spread node when they name a parent item or target.
const SPREAD_KINDS: [Kind; 7] = [
    Kind::Post,
    Kind::Reply,
    Kind::Comment,
    Kind::Reshare,
    Kind::Quote,
    Kind::Mention,
    Kind::Link,
];

/// Rebuilds every cascade in the store's scope.
pub fn cascades(store: &Store, opts: &CascadeOptions) -> Result<CascadeReport> {
    let filter = EventFilter {
        kinds: Some(SPREAD_KINDS.to_vec()),
        since: None,
        until: opts.scope.as_of,
        topic: opts.scope.topic.clone(),
        platform: opts.scope.platform.clone(),
    };
    let mut events = Vec::new();
    store.scan_events_full(&filter, |e| events.push(e))?;
    let labels: Vec<String> = store
        .accounts()?
        .into_iter()
        .map(|a| format!("{}:{}", a.platform, a.native_id))
        .collect();
    let needs_exposure = events.iter().any(is_inferable);
    let exposure = if needs_exposure {
        Exposure::from_store(store, opts)?
    } else {
        Exposure::default()
    };
    Ok(reconstruct(events, &exposure, &labels, opts.min_size))
}

/// The `cascade-reach` target of `renown backtest` ([`renown_measures::backtest::ReachFn`]):
/// per account (dense id), the nodes that joined the cascades it started in `(split, until]`,
/// the trees rebuilt from the events up to `until` — an item posted before the split and
/// reshared after it counts, as does a reshare of a reshare. Timeless nodes count as before.
pub fn reach_after(
    store: &Store,
    platform: Option<&str>,
    split: i64,
    until: i64,
) -> renown_measures::Result<Vec<f64>> {
    let opts = CascadeOptions {
        scope: Scope::new(Some(until), None, platform.map(str::to_string)),
        ..CascadeOptions::default()
    };
    let report = cascades(store, &opts).map_err(|e| match e {
        crate::SpreadError::Store(s) => renown_measures::MeasureError::Store(s),
        other => renown_measures::MeasureError::Invalid(other.to_string()),
    })?;
    let mut reach = vec![0.0; store.account_count()? as usize];
    for c in &report.cascades {
        let after = c
            .nodes
            .iter()
            .filter(|n| n.parent.is_some() && n.time.is_some_and(|t| t > split && t <= until))
            .count();
        if let Some(r) = reach.get_mut(c.root as usize) {
            *r += after as f64;
        }
    }
    Ok(reach)
}

fn is_inferable(e: &FullEventRow) -> bool {
    matches!(e.row.kind, Kind::Reshare | Kind::Quote)
        && e.parent.is_none()
        && e.row.target.is_some()
}

fn order_key(e: &FullEventRow) -> (i64, i64) {
    (e.row.time.unwrap_or(i64::MIN), e.id)
}

/// Rebuilds the cascades from events (any order). `labels` names accounts by dense id in ids.
pub fn reconstruct(
    mut events: Vec<FullEventRow>,
    exposure: &Exposure,
    labels: &[String],
    min_size: usize,
) -> CascadeReport {
    events.sort_by_key(order_key);
    let mut anomalies = Anomalies::default();
    let label = |a: u32| {
        labels
            .get(a as usize)
            .cloned()
            .unwrap_or_else(|| a.to_string())
    };
    let mut out: Vec<Cascade> = Vec::new();
    let min_size = min_size.max(1);

    // Items: the first creator of each item owns it.
    let mut items = Forest::new();
    let mut item_node: HashMap<&str, usize> = HashMap::default();
    let mut item_of: Vec<&str> = Vec::new();
    let mut pending: Vec<(usize, &str, Option<u32>)> = Vec::new();
    for e in &events {
        let (Some(item), false) = (e.item.as_deref(), e.row.kind == Kind::Mention) else {
            continue;
        };
        if item_node.contains_key(item) {
            anomalies.duplicate_items += 1;
            continue;
        }
        let v = items.push(e.row.actor, e.row.time, e.row.kind, Some(e.id));
        item_node.insert(item, v);
        item_of.push(item);
        if let Some(p) = e.parent.as_deref() {
            pending.push((v, p, e.row.target));
        }
    }
    for (v, p, target) in pending {
        let parent = match item_node.get(p) {
            Some(&pv) if pv != v => Some(pv),
            Some(_) => None,
            None => target.map(|t| {
                anomalies.unseen_parents += 1;
                let pv = items.push(t, None, Kind::Post, None);
                item_node.insert(p, pv);
                item_of.push(p);
                pv
            }),
        };
        items.parent[v] = parent;
    }
    anomalies.cycles_cut += items.break_cycles();
    anomalies.self_responses += items.fold_self_responses();
    for (_, order) in items.trees(min_size) {
        let id = item_of[order[0]].to_string();
        out.push(items.cascade(&order, id, Origin::Items, None));
    }

    out.extend(tag_memes(&events, min_size, &label, &mut anomalies));
    out.extend(inferred(
        &events,
        exposure,
        min_size,
        &label,
        &mut anomalies,
    ));

    out.sort_by(|a, b| {
        b.stats
            .size
            .cmp(&a.stats.size)
            .then(a.stats.start.cmp(&b.stats.start))
            .then(a.id.cmp(&b.id))
    });
    let accounts = account_spread(&out);
    CascadeReport {
        cascades: out,
        accounts,
        anomalies,
    }
}
