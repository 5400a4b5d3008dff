//! Propagation probabilities learned from who actually took up whose items (Goyal, Bonchi &
//! Lakshmanan 2010, "Learning influence probabilities in social networks").
//!
//! For an account `v` and an engager `u`:
//! - `A_v`: items `v` put out — distinct items it authored (posts, reshares, quotes, replies,
//!   comments). Where the data has no item ids (Higgs: `A B time RT|RE`), each engagement
//!   event `v` performed counts as one item of `v`'s. Never less than the most items any one
//!   engager took up from `v` (an original post outside the data still existed).
//! - `A_v2u`: items of `v` that `u` took up — distinct parent items `u` reshared, quoted,
//!   replied to or commented on (events without item ids count one each). Mentions and likes
//!   are not taking an item up: they do not carry it to `u`'s audience.
//! - Bernoulli: `p(v→u) = A_v2u / A_v`; Jaccard: `p(v→u) = A_v2u / A_v|u` with
//!   `A_v|u = A_v + A_u − A_v2u` (items of either; the ones `u` took up from `v` are counted once).
//! - Prior: pairs with little history are shrunk toward their platform's rate `p₀ = ΣA_v2u /
//!   ΣA_v` over the graph's edges whose author `v` is on that platform, as a Beta prior worth
//!   `prior_items` items: `p = (A_v2u + prior_items · p₀) / (A_v + prior_items)`. Per platform,
//!   not pooled: a platform without a single take-up (a bare follow graph) has p₀ = 0, so its
//!   follows carry nothing rather than another platform's rate.
//!
//! The graph: every follow edge (followed → follower) as of the date, and every pair where one
//! took up the other's items. Where the data has no follows (Higgs) it is the engagement graph.
//! Everything is read as of `as_of` and, with a topic, from events tagged with it.

use super::graph::{DiffusionGraph, EdgeProbabilities};
use super::ImError;
use renown_model::Kind;
use renown_store::{EventFilter, Scope, Store};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::BTreeMap;

/// The ratio Goyal et al. estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LearnMethod {
    /// `A_v2u / A_v`: the share of `v`'s items `u` took up.
    Bernoulli,
    /// `A_v2u / A_v|u`: over the items of either.
    Jaccard,
}

/// What the diffusion graph is learned from, and how.
#[derive(Clone, Debug)]
pub struct LearnOptions {
    /// How a pair's take-ups become a probability.
    pub method: LearnMethod,
    /// The events learned from: as of the scope's date, on its topic and platform (the graph is
    /// the state at a date, so the window start and kinds are not read).
    pub scope: Scope,
    /// Weight of the prior, in items.
    pub prior_items: f64,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
            method: LearnMethod::Bernoulli,
            scope: Scope::default(),
            prior_items: 2.0,
        }
    }
}

/// What the learned graph rests on.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct LearnFacts {
    /// Accounts in the store (the graph's nodes).
    pub accounts: u32,
    /// Edges from follows (followed → follower).
    pub follow_edges: u64,
    /// Pairs where the engager took up at least one item.
    pub engaged_pairs: u64,
    /// Edges in the graph (follows ∪ engaged pairs).
    pub edges: u64,
    /// Take-up events read (reshares, quotes, replies, comments).
    pub take_ups: u64,
    /// The take-up rate over every edge, `ΣA_v2u / ΣA_v` (each edge is shrunk toward its own
    /// platform's rate, `prior_mean_by_platform`, not toward this).
    pub prior_mean: f64,
    /// The prior's mean p₀ of each platform with edges (the author's platform).
    pub prior_mean_by_platform: BTreeMap<String, f64>,
    /// Mean probability over the edges.
    pub mean_probability: f64,
}

/// Kinds that carry an item to the engager's audience.
pub const TAKE_UP_KINDS: [Kind; 4] = [Kind::Reshare, Kind::Quote, Kind::Reply, Kind::Comment];

/// Kinds that create an item of the actor's.
const ITEM_KINDS: [Kind; 5] = [
    Kind::Post,
    Kind::Reshare,
    Kind::Quote,
    Kind::Reply,
    Kind::Comment,
];

/// Learns the diffusion graph (nodes = the store's dense account ids).
pub fn learn(store: &Store, opts: &LearnOptions) -> Result<(DiffusionGraph, LearnFacts), ImError> {
    let err = |e: renown_store::StoreError| ImError::Invalid(e.to_string());
    if !(opts.prior_items.is_finite() && opts.prior_items >= 0.0) {
        return Err(ImError::Invalid(format!(
            "the prior weight must be ≥ 0, got {}",
            opts.prior_items
        )));
    }
    let n = store.account_count().map_err(err)?;
    let mut kinds: Vec<Kind> = ITEM_KINDS.to_vec();
    kinds.push(Kind::Follow);
    kinds.push(Kind::Unfollow);
    let filter = EventFilter {
        kinds: Some(kinds),
        since: None,
        until: opts.scope.as_of,
        topic: opts.scope.topic.clone(),
        platform: opts.scope.platform.clone(),
    };
    // Authors of items; items each account put out; take-ups per pair (distinct parents).
    let mut author: FxHashMap<String, u32> = FxHashMap::default();
    let mut items = vec![0u64; n as usize];
    let mut follows: FxHashSet<(u32, u32)> = FxHashSet::default();
    // Take-ups whose author is only known through the parent item: resolved after the scan,
    // since a reply may be stored before the item it answers.
    let mut pending: Vec<(u32, Option<u32>, Option<String>)> = Vec::new();
    store
        .scan_events_full(&filter, |e| {
            let r = e.row;
            match r.kind {
                Kind::Follow => {
                    if let Some(t) = r.target {
                        if t != r.actor {
                            follows.insert((t, r.actor));
                        }
                    }
                }
                Kind::Unfollow => {
                    if let Some(t) = r.target {
                        follows.remove(&(t, r.actor));
                    }
                }
                k => {
                    match &e.item {
                        Some(item) => {
                            if author.insert(item.clone(), r.actor).is_none() {
                                items[r.actor as usize] += 1;
                            }
                        }
                        None => items[r.actor as usize] += 1,
                    }
                    if TAKE_UP_KINDS.contains(&k) {
                        pending.push((r.actor, r.target, e.parent));
                    }
                }
            }
        })
        .map_err(err)?;
    let mut take_ups: FxHashMap<(u32, u32), u64> = FxHashMap::default();
    let mut seen_parent: FxHashSet<(u32, String)> = FxHashSet::default();
    let mut take_up_events = 0u64;
    for (u, target, parent) in pending {
        let v = match (&parent, target) {
            (_, Some(t)) => Some(t),
            (Some(p), None) => author.get(p).copied(),
            (None, None) => None,
        };
        let Some(v) = v else { continue };
        if v == u {
            continue;
        }
        // The same engager taking up the same item twice counts once.
        if let Some(p) = parent {
            if !seen_parent.insert((u, p)) {
                continue;
            }
        }
        take_up_events += 1;
        *take_ups.entry((v, u)).or_insert(0) += 1;
    }
    // A_v is at least what any one engager took up from v.
    for (&(v, _), &c) in &take_ups {
        items[v as usize] = items[v as usize].max(c);
    }
    let mut edges: Vec<((u32, u32), u64)> = take_ups.iter().map(|(&k, &c)| (k, c)).collect();
    let engaged_pairs = edges.len() as u64;
    let follow_edges = follows.len() as u64;
    for &pair in &follows {
        if !take_ups.contains_key(&pair) {
            edges.push((pair, 0));
        }
    }
    edges.sort_unstable();
    let denominator = |v: u32, u: u32, c: u64| -> f64 {
        match opts.method {
            LearnMethod::Bernoulli => items[v as usize] as f64,
            LearnMethod::Jaccard => {
                (items[v as usize] + items[u as usize]).saturating_sub(c) as f64
            }
        }
    };
    // p₀ per platform (the author's): each platform's own take-up rate. Pooled over platforms,
    // one platform's rate gave the follow edges of another platform that has no items at all
    // its probability: Slashdot's 948k follows stored beside Higgs' take-ups each got 0.17, the
    // cascades percolated and `renown seeds` ran for more than 10 minutes in 6.9 GB.
    let accounts = store.accounts().map_err(err)?;
    let mut platforms: Vec<&str> = Vec::new();
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    let platform_of: Vec<usize> = accounts
        .iter()
        .map(|a| {
            *index.entry(a.platform.as_str()).or_insert_with(|| {
                platforms.push(a.platform.as_str());
                platforms.len() - 1
            })
        })
        .collect();
    let mut rates = vec![(0.0f64, 0.0f64); platforms.len()];
    let (mut hits, mut trials) = (0.0, 0.0);
    for &((v, u), c) in &edges {
        let (h, d) = (c as f64, denominator(v, u, c));
        let r = &mut rates[platform_of[v as usize]];
        r.0 += h;
        r.1 += d;
        hits += h;
        trials += d;
    }
    let rate = |(h, t): (f64, f64)| if t > 0.0 { h / t } else { 0.0 };
    let prior_mean = rate((hits, trials));
    let prior_of: Vec<f64> = rates.iter().map(|&r| rate(r)).collect();
    let mut prior_mean_by_platform = BTreeMap::new();
    for &((v, _), _) in &edges {
        let i = platform_of[v as usize];
        prior_mean_by_platform.insert(platforms[i].to_string(), prior_of[i]);
    }
    let m = opts.prior_items;
    let probs: Vec<f32> = edges
        .iter()
        .map(|&((v, u), c)| {
            let d = denominator(v, u, c);
            let p0 = prior_of[platform_of[v as usize]];
            let p = if d + m > 0.0 {
                (c as f64 + m * p0) / (d + m)
            } else {
                p0
            };
            p.clamp(0.0, 1.0) as f32
        })
        .collect();
    let mean_probability = if probs.is_empty() {
        0.0
    } else {
        probs.iter().map(|&p| p as f64).sum::<f64>() / probs.len() as f64
    };
    let src: Vec<u32> = edges.iter().map(|e| e.0 .0).collect();
    let dst: Vec<u32> = edges.iter().map(|e| e.0 .1).collect();
    let facts = LearnFacts {
        accounts: n,
        follow_edges,
        engaged_pairs,
        edges: edges.len() as u64,
        take_ups: take_up_events,
        prior_mean,
        prior_mean_by_platform,
        mean_probability,
    };
    let g = DiffusionGraph::new(n, &src, &dst, EdgeProbabilities::PerEdge(probs))?;
    Ok((g, facts))
}
