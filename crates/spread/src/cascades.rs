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
//! Structural virality (Goel, Anderson, Hofman & Watts 2016) is the mean shortest-path distance
//! over all ordered pairs of distinct nodes. It is computed exactly in linear time: an edge above
//! a subtree of `s` nodes lies on the path of `s·(n−s)` unordered pairs, so the sum over unordered
//! pairs is `W = Σ s·(n−s)` and the mean over ordered pairs is `2W / (n(n−1))`.

use crate::Result;
use renown_model::Kind;
use renown_store::{EventFilter, FullEventRow, Store};
use serde::Serialize;
// FxHash: keys are item ids and dense account ids, not attacker-chosen hash-flooding inputs
// at this scale, and SipHash made the map work the largest cost of rebuilding the trees.
use rustc_hash::FxHashMap as HashMap;

/// What a node's parent link rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Items,
    Tag,
    Inferred,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    /// Dense account id.
    pub account: u32,
    /// Index of the parent in `Cascade::nodes`; parents come before their children.
    pub parent: Option<u32>,
    pub depth: u32,
    pub time: Option<i64>,
    pub kind: Kind,
    /// The store event this node is (absent for an origin the data only names).
    pub event: Option<i64>,
    /// True when the parent was chosen by exposure rather than named by the data.
    pub inferred: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CascadeStats {
    pub size: usize,
    pub depth: u32,
    pub max_breadth: usize,
    pub structural_virality: f64,
    /// The root's time, else the earliest node time.
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// Seconds from `start` until the cascade had half its final size (rounded up).
    pub time_to_half: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cascade {
    /// The root item, `tag/TOPIC/ACCOUNT` for tag memes, `from/ACCOUNT` for inferred cascades.
    pub id: String,
    pub origin: Origin,
    pub topic: Option<String>,
    /// Dense account id of the root.
    pub root: u32,
    pub stats: CascadeStats,
    pub nodes: Vec<Node>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AccountSpread {
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
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CascadeReport {
    /// Largest first.
    pub cascades: Vec<Cascade>,
    /// Accounts with any spread, by downstream reach then reach carried.
    pub accounts: Vec<AccountSpread>,
    pub anomalies: Anomalies,
}

#[derive(Clone, Debug)]
pub struct CascadeOptions {
    pub as_of: Option<i64>,
    /// Only events carrying this topic.
    pub topic: Option<String>,
    pub platform: Option<String>,
    /// Smallest cascade kept (2 = a root and one adopter).
    pub min_size: usize,
}

impl Default for CascadeOptions {
    fn default() -> Self {
        CascadeOptions {
            as_of: None,
            topic: None,
            platform: None,
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
        until: opts.as_of,
        topic: opts.topic.clone(),
        platform: opts.platform.clone(),
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

fn is_inferable(e: &FullEventRow) -> bool {
    matches!(e.row.kind, Kind::Reshare | Kind::Quote)
        && e.parent.is_none()
        && e.row.target.is_some()
}

/// Who saw whom, and since when: the first follow of or engagement with each account.
#[derive(Default)]
pub struct Exposure {
    /// Per account: (account it follows or engaged with, since; `None` = timeless).
    since: HashMap<u32, HashMap<u32, Option<i64>>>,
}

impl Exposure {
    fn from_store(store: &Store, opts: &CascadeOptions) -> Result<Exposure> {
        let mut kinds = renown_model::ENGAGEMENT_KINDS.to_vec();
        kinds.push(Kind::Follow);
        let filter = EventFilter {
            kinds: Some(kinds),
            since: None,
            until: opts.as_of,
            topic: None,
            platform: opts.platform.clone(),
        };
        let mut x = Exposure::default();
        store.scan_events(&filter, |e| {
            if let Some(t) = e.target {
                x.add(e.actor, t, e.time);
            }
        })?;
        Ok(x)
    }

    /// Records that `a` followed or engaged with `b` at `time`.
    pub fn add(&mut self, a: u32, b: u32, time: Option<i64>) {
        if a == b {
            return;
        }
        let slot = self.since.entry(a).or_default().entry(b).or_insert(time);
        *slot = match (*slot, time) {
            (None, _) | (_, None) => None,
            (Some(x), Some(y)) => Some(x.min(y)),
        };
    }

    /// When `a` could first see `b`'s shares, if before `t`.
    fn seen_before(&self, a: u32, b: u32, t: Option<i64>) -> Option<Option<i64>> {
        let s = *self.since.get(&a)?.get(&b)?;
        match (s, t) {
            (None, _) => Some(None),
            (Some(s), Some(t)) if s < t => Some(Some(s)),
            _ => None,
        }
    }
}

/// Flat forest under construction: one entry per node, parents by index.
struct Forest {
    account: Vec<u32>,
    parent: Vec<Option<usize>>,
    time: Vec<Option<i64>>,
    kind: Vec<Kind>,
    event: Vec<Option<i64>>,
    inferred: Vec<bool>,
}

impl Forest {
    fn new() -> Forest {
        Forest {
            account: Vec::new(),
            parent: Vec::new(),
            time: Vec::new(),
            kind: Vec::new(),
            event: Vec::new(),
            inferred: Vec::new(),
        }
    }

    fn push(&mut self, account: u32, time: Option<i64>, kind: Kind, event: Option<i64>) -> usize {
        self.account.push(account);
        self.parent.push(None);
        self.time.push(time);
        self.kind.push(kind);
        self.event.push(event);
        self.inferred.push(false);
        self.account.len() - 1
    }

    /// Cuts one link of every cycle; returns how many were cut.
    fn break_cycles(&mut self) -> u64 {
        // 0 = unvisited, 1 = on the current walk, 2 = known to reach a root.
        let mut state = vec![0u8; self.parent.len()];
        let mut cut = 0;
        let mut walk = Vec::new();
        for start in 0..self.parent.len() {
            let mut v = start;
            while state[v] == 0 {
                state[v] = 1;
                walk.push(v);
                match self.parent[v] {
                    Some(p) if state[p] == 1 => {
                        self.parent[v] = None;
                        cut += 1;
                        break;
                    }
                    Some(p) => v = p,
                    None => break,
                }
            }
            for w in walk.drain(..) {
                state[w] = 2;
            }
        }
        cut
    }

    /// Every tree of at least `min_size` nodes, nodes in breadth-first order.
    fn trees(&self, min_size: usize) -> Vec<(usize, Vec<usize>)> {
        let n = self.parent.len();
        let mut first_child = vec![usize::MAX; n];
        let mut next_sibling = vec![usize::MAX; n];
        // Insert in reverse so children come out in node (time) order.
        for v in (0..n).rev() {
            if let Some(p) = self.parent[v] {
                next_sibling[v] = first_child[p];
                first_child[p] = v;
            }
        }
        let mut out = Vec::new();
        for root in 0..n {
            if self.parent[root].is_some() || first_child[root] == usize::MAX {
                continue;
            }
            let mut order = vec![root];
            let mut i = 0;
            while i < order.len() {
                let mut c = first_child[order[i]];
                while c != usize::MAX {
                    order.push(c);
                    c = next_sibling[c];
                }
                i += 1;
            }
            if order.len() >= min_size {
                out.push((root, order));
            }
        }
        out
    }

    fn cascade(
        &self,
        order: &[usize],
        id: String,
        origin: Origin,
        topic: Option<String>,
    ) -> Cascade {
        let mut index = HashMap::with_capacity_and_hasher(order.len(), Default::default());
        for (i, &v) in order.iter().enumerate() {
            index.insert(v, i as u32);
        }
        let mut nodes: Vec<Node> = Vec::with_capacity(order.len());
        for &v in order {
            let parent = self.parent[v].map(|p| index[&p]);
            let depth = parent.map_or(0, |p| nodes[p as usize].depth + 1);
            nodes.push(Node {
                account: self.account[v],
                parent,
                depth,
                time: self.time[v],
                kind: self.kind[v],
                event: self.event[v],
                inferred: self.inferred[v],
            });
        }
        let stats = stats(&nodes);
        Cascade {
            id,
            origin,
            topic,
            root: nodes[0].account,
            stats,
            nodes,
        }
    }
}

/// Subtree sizes of a tree whose parents precede their children.
pub fn subtree_sizes(parents: &[Option<u32>]) -> Vec<u64> {
    let mut size = vec![1u64; parents.len()];
    for v in (1..parents.len()).rev() {
        if let Some(p) = parents[v] {
            size[p as usize] += size[v];
        }
    }
    size
}

/// Mean shortest-path distance over all ordered pairs of distinct nodes (Goel et al. 2016), in
/// linear time. `parents` must list parents before children (as [`Cascade::nodes`] does).
pub fn structural_virality(parents: &[Option<u32>]) -> f64 {
    let n = parents.len() as u64;
    if n < 2 {
        return 0.0;
    }
    let sizes = subtree_sizes(parents);
    // Sum over unordered pairs: each edge above a subtree of s nodes separates s·(n−s) pairs.
    let w: u128 = parents
        .iter()
        .zip(&sizes)
        .filter(|(p, _)| p.is_some())
        .map(|(_, &s)| (s * (n - s)) as u128)
        .sum();
    // Ordered pairs are twice the unordered ones: the mean is 2W / (n(n−1)), not W / (n(n−1)).
    (2 * w) as f64 / (n * (n - 1)) as f64
}

fn stats(nodes: &[Node]) -> CascadeStats {
    let parents: Vec<Option<u32>> = nodes.iter().map(|n| n.parent).collect();
    let depth = nodes.iter().map(|n| n.depth).max().unwrap_or(0);
    let mut breadth = vec![0usize; depth as usize + 1];
    for n in nodes {
        breadth[n.depth as usize] += 1;
    }
    let mut times: Vec<i64> = nodes.iter().filter_map(|n| n.time).collect();
    times.sort_unstable();
    let start = nodes[0].time.or(times.first().copied());
    let half = nodes.len().div_ceil(2);
    let time_to_half = match (start, times.len() == nodes.len()) {
        (Some(s), true) => Some((times[half - 1] - s).max(0)),
        // The root's time may be unknown (an inferred origin): count the adopters only.
        (Some(s), false) if times.len() + 1 == nodes.len() && nodes[0].time.is_none() => {
            Some(times[half.saturating_sub(2).min(times.len() - 1)] - s)
        }
        _ => None,
    };
    CascadeStats {
        size: nodes.len(),
        depth,
        max_breadth: breadth.into_iter().max().unwrap_or(0),
        structural_virality: structural_virality(&parents),
        start,
        end: times.last().copied(),
        time_to_half,
    }
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

/// Tag memes: each account's first use of a topic, under whoever tagged it with that topic first.
fn tag_memes(
    events: &[FullEventRow],
    min_size: usize,
    label: &dyn Fn(u32) -> String,
    anomalies: &mut Anomalies,
) -> Vec<Cascade> {
    // First use (time, event) of each (topic, account), events being in time order.
    let mut first_use: HashMap<(&str, u32), (Option<i64>, i64, Kind)> = HashMap::default();
    for e in events {
        for t in &e.topics {
            first_use
                .entry((t.as_str(), e.row.actor))
                .or_insert((e.row.time, e.id, e.row.kind));
        }
    }
    // The first tag of each (topic, account) by someone else, before the account's first use.
    let mut tagged_by: HashMap<(&str, u32), u32> = HashMap::default();
    for e in events.iter().filter(|e| e.row.kind == Kind::Mention) {
        let Some(target) = e.row.target.filter(|&t| t != e.row.actor) else {
            continue;
        };
        for t in &e.topics {
            let key = (t.as_str(), target);
            let Some(&(use_time, use_id, _)) = first_use.get(&key) else {
                continue;
            };
            if (e.row.time.unwrap_or(i64::MIN), e.id) < (use_time.unwrap_or(i64::MIN), use_id)
                || (e.row.time.is_some() && e.row.time == use_time)
            {
                tagged_by.entry(key).or_insert(e.row.actor);
            }
        }
    }
    if tagged_by.is_empty() {
        return Vec::new();
    }
    let mut by_topic: HashMap<&str, Vec<(u32, u32)>> = HashMap::default();
    for (&(topic, account), &tagger) in &tagged_by {
        by_topic.entry(topic).or_default().push((account, tagger));
    }
    let mut topics: Vec<_> = by_topic.into_iter().collect();
    topics.sort_by_key(|(t, _)| *t);
    let mut out = Vec::new();
    for (topic, mut links) in topics {
        links.sort_unstable();
        let mut forest = Forest::new();
        let mut node: HashMap<u32, usize> = HashMap::default();
        let mut accounts: Vec<u32> = links.iter().flat_map(|&(a, b)| [a, b]).collect();
        // Nodes in order of first use, so breadth-first children come out in time order.
        accounts.sort_unstable();
        accounts.dedup();
        accounts.sort_by_key(|a| {
            first_use
                .get(&(topic, *a))
                .map(|&(t, id, _)| (t.unwrap_or(i64::MIN), id))
        });
        for a in accounts {
            let (time, id, kind) = first_use
                .get(&(topic, a))
                .map_or((None, None, Kind::Mention), |&(t, id, k)| (t, Some(id), k));
            node.insert(a, forest.push(a, time, kind, id));
        }
        for (a, tagger) in links {
            forest.parent[node[&a]] = Some(node[&tagger]);
        }
        anomalies.cycles_cut += forest.break_cycles();
        for (root, order) in forest.trees(min_size) {
            let id = format!("tag/{topic}/{}", label(forest.account[root]));
            out.push(forest.cascade(&order, id, Origin::Tag, Some(topic.to_string())));
        }
    }
    out
}

/// Cascades of reshares that name an account but no item (Higgs): one per origin account.
fn inferred(
    events: &[FullEventRow],
    exposure: &Exposure,
    min_size: usize,
    label: &dyn Fn(u32) -> String,
    anomalies: &mut Anomalies,
) -> Vec<Cascade> {
    struct Tree {
        forest: Forest,
        /// Adopter → node; the origin is node 0.
        node: HashMap<u32, usize>,
    }
    let mut trees: HashMap<u32, Tree> = HashMap::default();
    for e in events.iter().filter(|e| is_inferable(e)) {
        let (a, t) = (e.row.actor, e.row.time);
        let Some(origin) = e.row.target.filter(|&o| o != a) else {
            continue;
        };
        let tree = trees.entry(origin).or_insert_with(|| {
            let mut forest = Forest::new();
            forest.push(origin, None, Kind::Post, None);
            Tree {
                forest,
                node: HashMap::from_iter([(origin, 0)]),
            }
        });
        if tree.node.contains_key(&a) {
            anomalies.repeat_adoptions += 1;
            continue;
        }
        // The origin's own post is the earliest exposure there is.
        let mut parent = 0usize;
        let mut via_exposure = false;
        if exposure.seen_before(a, origin, t).is_none() {
            let mut best: Option<((i64, i64), usize)> = None;
            let mut consider = |c: u32, v: usize| {
                if v == 0 {
                    return;
                }
                let tc = tree.forest.time[v];
                let adopted_before = match (tc, t) {
                    (Some(x), Some(y)) => x <= y,
                    _ => true,
                };
                if !adopted_before {
                    return;
                }
                if let Some(since) = exposure.seen_before(a, c, t) {
                    let exposed = tc.unwrap_or(i64::MIN).max(since.unwrap_or(i64::MIN));
                    let key = (exposed, v as i64);
                    if best.is_none_or(|(k, _)| key < k) {
                        best = Some((key, v));
                    }
                }
            };
            let mine = exposure.since.get(&a);
            match mine {
                Some(m) if m.len() < tree.node.len() => {
                    for c in m.keys() {
                        if let Some(&v) = tree.node.get(c) {
                            consider(*c, v);
                        }
                    }
                }
                Some(_) => {
                    for (&c, &v) in &tree.node {
                        consider(c, v);
                    }
                }
                None => {}
            }
            if let Some((_, v)) = best {
                parent = v;
                via_exposure = true;
            }
        }
        let v = tree.forest.push(a, t, e.row.kind, Some(e.id));
        tree.forest.parent[v] = Some(parent);
        tree.forest.inferred[v] = via_exposure;
        tree.node.insert(a, v);
    }
    let mut origins: Vec<_> = trees.into_iter().collect();
    origins.sort_by_key(|(o, _)| *o);
    let mut out = Vec::new();
    for (origin, tree) in origins {
        // Parents were always adopted earlier, so there are no cycles to break.
        for (_, order) in tree.forest.trees(min_size) {
            let id = format!("from/{}", label(origin));
            out.push(tree.forest.cascade(&order, id, Origin::Inferred, None));
        }
    }
    out
}

/// Who starts and who carries, summed over cascades.
pub fn account_spread(cascades: &[Cascade]) -> Vec<AccountSpread> {
    let mut by: HashMap<u32, AccountSpread> = HashMap::default();
    let mut updates: Vec<(u32, u64, u64, u64, f64, f64)> = Vec::new();
    for c in cascades {
        let parents: Vec<Option<u32>> = c.nodes.iter().map(|n| n.parent).collect();
        let sizes = subtree_sizes(&parents);
        // credit[v] = Σ over strict descendants d of 1/depth(d).
        let mut credit = vec![0f64; c.nodes.len()];
        for v in (1..c.nodes.len()).rev() {
            let p = c.nodes[v].parent.expect("non-root has a parent") as usize;
            credit[p] += credit[v] + 1.0 / c.nodes[v].depth as f64;
        }
        updates.push((c.root, 1, sizes[0] - 1, 0, credit[0], 0.0));
        for (v, n) in c.nodes.iter().enumerate().skip(1) {
            if sizes[v] > 1 && n.account != c.root {
                updates.push((n.account, 0, 0, sizes[v] - 1, 0.0, credit[v]));
            }
        }
    }
    for (a, started, down, carried, ini, amp) in updates {
        let s = by.entry(a).or_insert_with(|| AccountSpread {
            account: a,
            ..AccountSpread::default()
        });
        s.cascades_started += started;
        s.downstream_reach += down;
        s.reach_carried += carried;
        s.initiator_credit += ini;
        s.amplifier_credit += amp;
    }
    let mut out: Vec<AccountSpread> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.downstream_reach
            .cmp(&a.downstream_reach)
            .then(b.reach_carried.cmp(&a.reach_carried))
            .then(a.account.cmp(&b.account))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use renown_store::EventRow;

    /// All-pairs mean distance, pair by pair: each pair's path climbs to their lowest common
    /// ancestor (quadratic; independent of the subtree-size formula).
    pub(crate) fn brute_force_mean_distance(parents: &[Option<u32>]) -> f64 {
        let n = parents.len();
        if n < 2 {
            return 0.0;
        }
        let mut depth = vec![0u32; n];
        for v in 0..n {
            if let Some(p) = parents[v] {
                depth[v] = depth[p as usize] + 1;
            }
        }
        let up = |v: usize| parents[v].expect("not above the root") as usize;
        let mut total: u64 = 0;
        for i in 0..n {
            for j in i + 1..n {
                let (mut a, mut b) = (i, j);
                let mut d = 0u64;
                while depth[a] > depth[b] {
                    a = up(a);
                    d += 1;
                }
                while depth[b] > depth[a] {
                    b = up(b);
                    d += 1;
                }
                while a != b {
                    a = up(a);
                    b = up(b);
                    d += 2;
                }
                total += d;
            }
        }
        // Every unordered pair stands for two ordered ones.
        2.0 * total as f64 / (n * (n - 1)) as f64
    }

    #[test]
    fn structural_virality_counts_ordered_pairs_not_half_of_them() {
        // Two nodes: the only distance is 1, so the mean must be 1 (the halving pitfall gives 0.5).
        assert_eq!(structural_virality(&[None, Some(0)]), 1.0);
        // A path a-b-c: distances 1, 1, 2 → mean 4/3 (pitfall: 2/3).
        let path = [None, Some(0), Some(1)];
        assert!((structural_virality(&path) - 4.0 / 3.0).abs() < 1e-12);
        // A star of n nodes: mean 2(n−1)/n, approaching 2 (pitfall: approaching 1).
        let star: Vec<Option<u32>> = std::iter::once(None)
            .chain((1..100).map(|_| Some(0)))
            .collect();
        assert!((structural_virality(&star) - 2.0 * 99.0 / 100.0).abs() < 1e-12);
        for p in [&path[..], &star[..]] {
            assert!((structural_virality(p) - brute_force_mean_distance(p)).abs() < 1e-12);
        }
        assert_eq!(structural_virality(&[None]), 0.0);
    }

    fn ev(id: i64, time: i64, kind: Kind, actor: u32, target: Option<u32>) -> FullEventRow {
        FullEventRow {
            id,
            row: EventRow {
                time: Some(time),
                kind,
                actor,
                target,
            },
            item: None,
            parent: None,
            topics: Vec::new(),
        }
    }

    fn with_items(mut e: FullEventRow, item: &str, parent: Option<&str>) -> FullEventRow {
        e.item = Some(item.into());
        e.parent = parent.map(str::to_string);
        e
    }

    #[test]
    fn item_trees_with_duplicates_cycles_and_unseen_parents() {
        let events = vec![
            with_items(ev(1, 100, Kind::Post, 0, None), "p", None),
            with_items(ev(2, 110, Kind::Reshare, 1, Some(0)), "a", Some("p")),
            with_items(ev(3, 120, Kind::Reshare, 2, Some(1)), "b", Some("a")),
            with_items(ev(4, 130, Kind::Reply, 3, Some(0)), "c", Some("p")),
            // A second claim on item "b" under another parent: dropped.
            with_items(ev(5, 140, Kind::Reshare, 2, Some(0)), "b", Some("p")),
            // A two-cycle x <-> y: one link is cut, leaving a 2-node tree.
            with_items(ev(6, 150, Kind::Reshare, 4, Some(5)), "x", Some("y")),
            with_items(ev(7, 150, Kind::Reshare, 5, Some(4)), "y", Some("x")),
            // Parent item never seen: hangs under a stand-in for the target's item.
            with_items(ev(8, 160, Kind::Quote, 6, Some(7)), "q", Some("gone")),
        ];
        let r = reconstruct(events, &Exposure::default(), &[], 2);
        assert_eq!(r.anomalies.duplicate_items, 1);
        assert_eq!(r.anomalies.cycles_cut, 1);
        assert_eq!(r.anomalies.unseen_parents, 1);
        let sizes: Vec<usize> = r.cascades.iter().map(|c| c.stats.size).collect();
        assert_eq!(sizes, vec![4, 2, 2]);
        let big = &r.cascades[0];
        assert_eq!(big.id, "p");
        assert_eq!((big.stats.depth, big.stats.max_breadth), (2, 2));
        // Nodes at 100, 110, 120, 130: half (2 nodes) is reached at 110.
        assert_eq!(big.stats.time_to_half, Some(10));
        let root = r.accounts.iter().find(|a| a.account == 0).unwrap();
        assert_eq!((root.cascades_started, root.downstream_reach), (1, 3));
        // Account 1 carried account 2's reshare; 2 has depth 2, so credit 1/2 each to 0 and 1.
        let carrier = r.accounts.iter().find(|a| a.account == 1).unwrap();
        assert_eq!(carrier.reach_carried, 1);
        assert!((carrier.amplifier_credit - 0.5).abs() < 1e-12);
        assert!((root.initiator_credit - 2.5).abs() < 1e-12);
        let total: f64 = r
            .accounts
            .iter()
            .map(|a| a.initiator_credit + a.amplifier_credit)
            .sum();
        assert!((total - 5.0).abs() < 1e-12, "credits sum to the adopters");
    }

    #[test]
    fn tag_meme_follows_first_tag_before_first_use() {
        let tag = |id, t, a, b| {
            let mut e = with_items(ev(id, t, Kind::Mention, a, Some(b)), "m", None);
            e.topics = vec!["fivethings".into()];
            e
        };
        let post = |id, t, a| {
            let mut e = with_items(ev(id, t, Kind::Post, a, None), &format!("post{id}"), None);
            e.topics = vec!["fivethings".into()];
            e
        };
        let events = vec![
            post(1, 10, 0),
            tag(2, 10, 0, 1),
            tag(3, 10, 0, 2),
            post(4, 20, 1),
            tag(5, 20, 1, 3),
            // 2 is tagged again later by 1: the first tag (by 0) counts.
            tag(6, 25, 1, 2),
            post(7, 30, 2),
            post(8, 40, 3),
            // 4 used the topic before anyone tagged it: not part of the meme.
            post(9, 5, 4),
            tag(10, 20, 1, 4),
        ];
        let r = reconstruct(events, &Exposure::default(), &["demo:m1".into()], 2);
        let meme: Vec<&Cascade> = r
            .cascades
            .iter()
            .filter(|c| c.origin == Origin::Tag)
            .collect();
        assert_eq!(meme.len(), 1);
        let m = meme[0];
        assert_eq!(m.id, "tag/fivethings/demo:m1");
        let edges: Vec<(u32, Option<u32>)> = m
            .nodes
            .iter()
            .map(|n| (n.account, n.parent.map(|p| m.nodes[p as usize].account)))
            .collect();
        assert_eq!(
            edges,
            vec![(0, None), (1, Some(0)), (2, Some(0)), (3, Some(1))]
        );
    }

    #[test]
    fn inferred_parent_is_earliest_exposure() {
        let mut x = Exposure::default();
        // 3 follows 1 (timeless) and engaged with 2 at time 5.
        x.add(3, 1, None);
        x.add(3, 2, Some(5));
        // 4 follows the origin 0 itself.
        x.add(4, 0, None);
        let events = vec![
            ev(1, 10, Kind::Reshare, 1, Some(0)),
            ev(2, 8, Kind::Reshare, 2, Some(0)),
            ev(3, 20, Kind::Reshare, 3, Some(0)),
            ev(4, 30, Kind::Reshare, 4, Some(0)),
            ev(5, 40, Kind::Reshare, 3, Some(0)),
            ev(6, 50, Kind::Reshare, 5, Some(0)),
        ];
        let r = reconstruct(events, &x, &["t:0".into()], 2);
        let c = &r.cascades[0];
        assert_eq!((c.id.as_str(), c.origin), ("from/t:0", Origin::Inferred));
        let parent_of = |a: u32| {
            let n = c.nodes.iter().find(|n| n.account == a).unwrap();
            (c.nodes[n.parent.unwrap() as usize].account, n.inferred)
        };
        // 3 could see 2's share from time 8 and 1's from 10: 2 is the earlier exposure.
        assert_eq!(parent_of(3), (2, true));
        assert_eq!(parent_of(4), (0, false));
        assert_eq!(parent_of(5), (0, false));
        assert_eq!(r.anomalies.repeat_adoptions, 1);
        // Origin time unknown: start is the first adoption (8); half of 6 nodes = root + 2.
        assert_eq!(c.stats.start, Some(8));
        assert_eq!(c.stats.time_to_half, Some(2));
    }

    #[test]
    fn every_twitter15_tree_matches_brute_force() {
        let Some(dir) = renown_testdata::data("twitter15/tree") else {
            return;
        };
        let events = crate::tests::twitter15_events(dir.to_str().unwrap());
        let r = reconstruct(events, &Exposure::default(), &[], 1);
        let trees: Vec<&Cascade> = r
            .cascades
            .iter()
            .filter(|c| c.origin == Origin::Items)
            .collect();
        // One tree per file (a few files hold extra ROOT lines: further roots).
        assert!(trees.len() >= 1490, "{} trees", trees.len());
        // Quadratic per tree: split the trees over two threads.
        let mismatches: Vec<String> = std::thread::scope(|scope| {
            let halves: Vec<_> = trees
                .chunks(trees.len().div_ceil(2))
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .filter_map(|c| {
                                let parents: Vec<Option<u32>> =
                                    c.nodes.iter().map(|n| n.parent).collect();
                                let fast = c.stats.structural_virality;
                                let slow = brute_force_mean_distance(&parents);
                                ((fast - slow).abs() > 1e-9 * slow.max(1.0))
                                    .then(|| format!("{}: {fast} vs {slow}", c.id))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        assert!(mismatches.is_empty(), "{mismatches:?}");
        let checked = trees.len();
        eprintln!("structural virality matched brute force on {checked} Twitter15 trees");
    }
}
