//! SybilRank (Cao, Sirivianos, Yang & Pregueiro 2012, "Aiding the Detection of Fake Accounts in
//! Large Scale Social Online Services", NSDI).
//!
//! Trust starts on seed accounts known to be real and spreads over the undirected social graph
//! by power iteration, each node splitting its trust equally among its neighbours. Run to
//! convergence, trust would become proportional to degree everywhere and say nothing; stopped
//! after O(log n) steps, it has mixed within the well-connected honest region but little has
//! crossed the few attack edges into a sybil region. Accounts are ranked by degree-normalized
//! trust (trust / degree), so hubs gain no advantage; sybils sink to the bottom.
//!
//! The graph is renown-graph's [`Csr`]: [`undirected`] symmetrises any directed graph (a
//! follow graph, an engagement graph), and the iteration pulls along its in-adjacency.

use crate::{AuditError, Result};
use renown_graph::{Csr, Directions, EdgeList};

/// The undirected simple graph under `g`: one edge each way per connected pair, self-loops
/// dropped, weights ignored (SybilRank runs on the unweighted social graph).
pub fn undirected(g: &Csr) -> Result<Csr> {
    let adj = g.in_adj();
    let mut el = EdgeList::new(g.n());
    for v in 0..g.n() {
        for &u in adj.neighbors(v) {
            if u != v {
                el.push(u, v);
                el.push(v, u);
            }
        }
    }
    el.merge_duplicates();
    Csr::from_edges_with(&el, Directions::PullOnly).map_err(|e| AuditError::Invalid(e.to_string()))
}

/// Degree-normalized trust of every node of the undirected graph `g` (as built by
/// [`undirected`]) after `iterations` steps (default ⌈log₂ n⌉).
///
/// Total trust is `n`, split over the seeds in proportion to their degree, capped at the median
/// seed's: the seeded communities start near the distribution the iteration converges to
/// (trust ∝ degree), so the early-terminated walk spends its steps reaching the accounts
/// between seeds; the cap keeps one hub seed that sits in a sybil region from carrying a
/// hub-sized share into it. On ego-Facebook with a sybil region behind 1,000 attack edges an
/// equal split loses 0.01 of ROC AUC at 500 attack edges and 0.06 at 1,000 (docs/AUDIT.md).
/// Nodes of degree 0 get 0. Seeds out of range or isolated are ignored; with no valid seed every
/// score is 0.
pub fn sybilrank(g: &Csr, seeds: &[u32], iterations: Option<usize>) -> Vec<f64> {
    sybilrank_split(g, seeds, iterations, SeedSplit::ByDegree)
}

/// How the seeds' initial trust is divided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedSplit {
    /// In proportion to each seed's degree (the default, see [`sybilrank`]).
    ByDegree,
    /// Equally, as the former default did.
    Equal,
}

/// [`sybilrank`] with the seeds' initial trust divided as `split` says.
pub fn sybilrank_split(
    g: &Csr,
    seeds: &[u32],
    iterations: Option<usize>,
    split: SeedSplit,
) -> Vec<f64> {
    sybilrank_with(g, seeds, iterations, split, EdgeWeight::Unit)
}

/// How much of a node's trust each of its edges carries, and what its score is divided by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeWeight {
    /// 1 per edge, score = trust / degree: the paper's SybilRank (the default).
    Unit,
    /// Each edge weighs 1 + the common neighbours of its ends ([`embeddedness`]), trust flows in
    /// proportion, and the score is trust per link: an account whose links close no triangle
    /// scores as low as its links are thin. An attack edge joins accounts with no common
    /// friends, so this reads the attack's structure rather than its cut — which is why it
    /// holds on ego-Facebook with 10,000 attack edges (ROC AUC 0.98 / 0.93 where the default
    /// gives 0.46 / 0.59) — but it is only as good as the honest graph is clustered: on
    /// Slashdot, whose honest links mostly close no triangle, it falls to 0.49 / 0.23 there
    /// (docs/AUDIT.md). Not a default; measured in the `sybil` example.
    Embedded,
    /// [`EdgeWeight::Embedded`] scaled by how clustered the graph's typical account is: each
    /// edge weighs 1 + c × its common neighbours, where c is the median, over accounts with a
    /// link, of the share of the account's links that close at least one triangle
    /// ([`typical_triangle_share`]). The triangle signal means something only where honest
    /// links close triangles; the median account is honest as long as sybils are a minority,
    /// so c reads the honest graph, not the attack. On a graph whose typical account closes no
    /// triangle c = 0 and this is [`EdgeWeight::Unit`] exactly; on a circle-of-friends graph
    /// c ≈ 1 and this is [`EdgeWeight::Embedded`]. Not a default: it meets the 10,000-edge
    /// goal on ego-Facebook and Slashdot, but on seven graphs not used to choose it (follower,
    /// blog, e-mail, co-authorship, Twitter activity) it reaches 0.90 at 10,000 attack edges on
    /// none (honest seeds or not), and with the default's seeds it loses up to 0.28 of ROC AUC
    /// at 500 (docs/AUDIT.md, `sybil -- --weights`).
    ScaledByClustering,
}

/// The median, over accounts with at least one link, of the share of the account's links
/// that close at least one triangle, given `embeddedness` (as [`embeddedness`] returns it for
/// `g`). 0 for a graph without links.
pub fn typical_triangle_share(g: &Csr, embeddedness: &[f64]) -> f64 {
    let adj = g.in_adj();
    let mut shares: Vec<f64> = (0..g.n())
        .filter(|&v| adj.degree(v) > 0)
        .map(|v| {
            let closing = adj
                .range(v)
                .filter(|&slot| embeddedness[slot] > 1.0)
                .count();
            closing as f64 / f64::from(adj.degree(v))
        })
        .collect();
    if shares.is_empty() {
        return 0.0;
    }
    shares.sort_by(f64::total_cmp);
    let mid = shares.len() / 2;
    if shares.len() % 2 == 1 {
        shares[mid]
    } else {
        (shares[mid - 1] + shares[mid]) / 2.0
    }
}

/// Per slot of `g`'s in-adjacency (aligned with its targets), 1 + the number of common
/// neighbours of the slot's two ends. Symmetric, as the graph is: the weight of `u → v` is that
/// of `v → u`. Costs the sum of squared degrees.
pub fn embeddedness(g: &Csr) -> Vec<f64> {
    let adj = g.in_adj();
    let mut mark = vec![false; g.n() as usize];
    let mut weight = vec![1.0; adj.targets().len()];
    for v in 0..g.n() {
        let around = adj.neighbors(v);
        for &u in around {
            mark[u as usize] = true;
        }
        for (slot, &u) in adj.range(v).zip(around) {
            let common = adj
                .neighbors(u)
                .iter()
                .filter(|&&x| mark[x as usize])
                .count();
            weight[slot] += common as f64;
        }
        for &u in around {
            mark[u as usize] = false;
        }
    }
    weight
}

/// [`sybilrank`] with the seed split and the edge weights chosen.
pub fn sybilrank_with(
    g: &Csr,
    seeds: &[u32],
    iterations: Option<usize>,
    split: SeedSplit,
    edges: EdgeWeight,
) -> Vec<f64> {
    let n = g.n() as usize;
    let adj = g.in_adj();
    let weight = match edges {
        EdgeWeight::Embedded => embeddedness(g),
        EdgeWeight::ScaledByClustering => {
            let e = embeddedness(g);
            let c = typical_triangle_share(g, &e);
            e.into_iter().map(|w| 1.0 + c * (w - 1.0)).collect()
        }
        EdgeWeight::Unit => vec![1.0; adj.targets().len()],
    };
    // Weighted degree: the walk's stationary trust is proportional to it.
    let degree: Vec<f64> = (0..g.n())
        .map(|v| adj.range(v).map(|slot| weight[slot]).sum())
        .collect();
    let seeds: Vec<usize> = seeds
        .iter()
        .map(|&s| s as usize)
        .filter(|&s| s < n && degree[s] > 0.0)
        .collect();
    let mut trust = vec![0.0; n];
    if seeds.is_empty() {
        return trust;
    }
    // A seed's degree, capped at the median seed's: one hub seed that turns out to sit in a
    // sybil region (an engagement buyer ranks high by earned influence) cannot take a
    // hub-sized share of the trust into it.
    let mut seed_degrees: Vec<f64> = seeds.iter().map(|&s| degree[s]).collect();
    seed_degrees.sort_by(f64::total_cmp);
    let cap = seed_degrees[seed_degrees.len() / 2];
    let seed_weight = |s: usize| match split {
        SeedSplit::ByDegree => degree[s].min(cap),
        SeedSplit::Equal => 1.0,
    };
    let total: f64 = seeds.iter().map(|&s| seed_weight(s)).sum();
    for &s in &seeds {
        trust[s] += n as f64 * seed_weight(s) / total;
    }
    let steps = iterations.unwrap_or_else(|| default_iterations(n));
    let mut share = vec![0.0; n];
    for _ in 0..steps {
        for v in 0..n {
            share[v] = if degree[v] > 0.0 {
                trust[v] / degree[v]
            } else {
                0.0
            };
        }
        // Pull form: each node collects its neighbours' shares, times the edge's weight
        // (symmetric, so v's slot weighs the edge as u's does).
        for (v, t) in trust.iter_mut().enumerate() {
            let v = v as u32;
            *t = adj
                .range(v)
                .zip(adj.neighbors(v))
                .map(|(slot, &u)| share[u as usize] * weight[slot])
                .sum();
        }
    }
    for (v, t) in trust.iter_mut().enumerate() {
        // Per link: the links' count, whatever they weigh.
        let links = f64::from(adj.degree(v as u32));
        *t = if links > 0.0 { *t / links } else { 0.0 };
    }
    trust
}

/// ⌈log₂ n⌉, the paper's early-termination point.
pub fn default_iterations(n: usize) -> usize {
    (n.max(2) as f64).log2().ceil() as usize
}

/// Communities of the undirected graph `g` by label propagation (Raghavan, Albert & Kumara
/// 2007): every node starts in its own community and repeatedly joins the one most of its
/// neighbours belong to, in a seeded random order, until nothing changes (at most 30 sweeps).
/// Returns each node's community label (the id of some member; isolated nodes keep their own).
///
/// The former default; [`louvain`] replaced it. On Slashdot label propagation ends in one giant
/// label plus thousands of fragments (modularity 0.02–0.10 against Louvain's 0.35–0.38), and
/// on ego-Facebook its partition swings from 47 to 339 communities between runs of the same
/// experiment; kept to reproduce the comparison (`examples/sybil.rs`).
pub fn label_propagation(g: &Csr, seed: u64) -> Vec<u32> {
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    let n = g.n();
    let adj = g.in_adj();
    let mut label: Vec<u32> = (0..n).collect();
    let mut order: Vec<u32> = (0..n).filter(|&v| adj.degree(v) > 0).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut seen: Vec<u32> = Vec::new();
    for _ in 0..30 {
        order.shuffle(&mut rng);
        let mut changed = 0usize;
        for &v in &order {
            seen.clear();
            seen.extend(adj.neighbors(v).iter().map(|&u| label[u as usize]));
            seen.sort_unstable();
            // The most frequent label; ties keep the current one, else one drawn at random
            // (always the smallest would let one label sweep across bridges in the first pass).
            let current = label[v as usize];
            let max = seen
                .chunk_by(|a, b| a == b)
                .map(<[u32]>::len)
                .max()
                .unwrap_or(0);
            let tied: Vec<u32> = seen
                .chunk_by(|a, b| a == b)
                .filter(|run| run.len() == max)
                .map(|run| run[0])
                .collect();
            if !tied.is_empty() && !tied.contains(&current) {
                label[v as usize] = tied[rng.gen_range(0..tied.len())];
                changed += 1;
            }
        }
        if changed == 0 {
            break;
        }
    }
    label
}

/// Communities of the undirected graph `g` by the Louvain method (Blondel, Guillaume, Lambiotte
/// & Lefebvre 2008): nodes move greedily to the neighbouring community that most increases
/// modularity, in a seeded random order, until no move helps; communities then become the nodes
/// of a weighted graph and the process repeats until no level merges anything. Returns each
/// node's community label (the id of some member; isolated nodes keep their own).
pub fn louvain(g: &Csr, seed: u64) -> Vec<u32> {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let adj = g.in_adj();
    // The current level's graph: weighted adjacency (self-loops hold merged internal weight).
    let mut graph: Vec<Vec<(u32, f64)>> = (0..g.n())
        .map(|v| adj.neighbors(v).iter().map(|&u| (u, 1.0)).collect())
        .collect();
    // Original node -> node of the current level.
    let mut node_of: Vec<u32> = (0..g.n()).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let two_m: f64 = graph.iter().flatten().map(|&(_, w)| w).sum();
    if two_m == 0.0 {
        return node_of;
    }
    loop {
        let m = graph.len();
        let strength: Vec<f64> = graph
            .iter()
            .map(|e| e.iter().map(|&(_, w)| w).sum())
            .collect();
        let mut community: Vec<u32> = (0..m as u32).collect();
        let mut total = strength.clone();
        let mut order: Vec<u32> = (0..m as u32)
            .filter(|&v| strength[v as usize] > 0.0)
            .collect();
        // Weight from the moving node to each neighbouring community, reset after each node.
        let mut to_community = vec![0.0f64; m];
        let mut touched: Vec<u32> = Vec::new();
        let mut moved_any = false;
        for _ in 0..30 {
            order.shuffle(&mut rng);
            let mut moved = 0usize;
            for &v in &order {
                let v = v as usize;
                let own = community[v];
                for &(u, w) in &graph[v] {
                    if u as usize != v {
                        let c = community[u as usize];
                        if to_community[c as usize] == 0.0 {
                            touched.push(c);
                        }
                        to_community[c as usize] += w;
                    }
                }
                let k = strength[v];
                total[own as usize] -= k;
                // Modularity gain of joining c, up to terms that do not depend on c.
                let gain = |c: u32, w: f64| w - total[c as usize] * k / two_m;
                let mut best = own;
                let mut best_gain = gain(own, to_community[own as usize]);
                for &c in &touched {
                    let gc = gain(c, to_community[c as usize]);
                    if gc > best_gain + 1e-12 {
                        best = c;
                        best_gain = gc;
                    }
                }
                total[best as usize] += k;
                if best != own {
                    community[v] = best;
                    moved += 1;
                }
                for &c in &touched {
                    to_community[c as usize] = 0.0;
                }
                to_community[own as usize] = 0.0;
                touched.clear();
            }
            if moved == 0 {
                break;
            }
            moved_any = true;
        }
        if !moved_any {
            break;
        }
        // Aggregate: communities become the next level's nodes.
        let mut index = vec![u32::MAX; m];
        let mut next = 0u32;
        for &c in &community {
            let c = c as usize;
            if index[c] == u32::MAX {
                index[c] = next;
                next += 1;
            }
        }
        let mut merged: Vec<std::collections::HashMap<u32, f64>> =
            vec![Default::default(); next as usize];
        for v in 0..m {
            let cv = index[community[v] as usize];
            for &(u, w) in &graph[v] {
                let cu = index[community[u as usize] as usize];
                *merged[cv as usize].entry(cu).or_default() += w;
            }
        }
        graph = merged
            .into_iter()
            .map(|e| {
                let mut e: Vec<(u32, f64)> = e.into_iter().collect();
                e.sort_unstable_by_key(|&(u, _)| u);
                e
            })
            .collect();
        for x in node_of.iter_mut() {
            *x = index[community[*x as usize] as usize];
        }
        if next as usize == m {
            break;
        }
    }
    // Label each community by its smallest member, as label propagation labels by a member's id.
    let mut label = vec![u32::MAX; graph.len()];
    for (v, &c) in node_of.iter().enumerate() {
        if label[c as usize] == u32::MAX {
            label[c as usize] = v as u32;
        }
    }
    node_of.iter().map(|&c| label[c as usize]).collect()
}

/// Trusted seeds spread over communities, as Cao et al. advise (seeds in every community, so
/// no honest community is left without trust to receive).
///
/// `ranked` lists candidate accounts best first (by earned influence, or by degree) and already
/// leaves out accounts that must never be seeds. Walking the best tenth of the connected
/// candidates (at least `k`), each is taken unless its community already holds its fair share
/// of the `k` seeds (`⌈k · members / connected accounts⌉`, at least one): the top candidates
/// cannot pile into one dense community, every community with a member among the best tenth
/// gets seeds, and a region none of whose members ranks among them — a farm of fakes without
/// earned influence or hubs — gets none. The tenth is the widest pool measured to keep seeds out
/// of a generated sybil region (on ego-Facebook a quarter let 17–19 of 100 seeds into a sybil
/// region of mean degree 40; `2 × k`, the former pool, seeded 28 of 100 and left circles dark).
pub fn spread_seeds(g: &Csr, community: &[u32], ranked: &[u32], k: usize) -> Vec<u32> {
    let adj = g.in_adj();
    let connected = (0..g.n()).filter(|&v| adj.degree(v) > 0).count();
    spread_seeds_within(g, community, ranked, k, (connected / 10).max(k))
}

/// [`spread_seeds`] walking the best `pool` connected candidates (the former default walked
/// `2 × k`).
pub fn spread_seeds_within(
    g: &Csr,
    community: &[u32],
    ranked: &[u32],
    k: usize,
    pool: usize,
) -> Vec<u32> {
    let adj = g.in_adj();
    let connected = |v: u32| v < g.n() && adj.degree(v) > 0;
    let mut size: std::collections::HashMap<u32, usize> = Default::default();
    for v in (0..g.n()).filter(|&v| connected(v)) {
        *size.entry(community[v as usize]).or_default() += 1;
    }
    let total: usize = size.values().sum();
    let mut taken: std::collections::HashMap<u32, usize> = Default::default();
    let mut seeds = Vec::with_capacity(k);
    for &v in ranked.iter().filter(|&&v| connected(v)).take(pool) {
        if seeds.len() == k {
            break;
        }
        let c = community[v as usize];
        let cap = (k * size[&c]).div_ceil(total.max(1)).max(1);
        let t = taken.entry(c).or_default();
        if *t < cap {
            *t += 1;
            seeds.push(v);
        }
    }
    seeds.sort_unstable();
    seeds
}

/// The default number of seeds for a graph with `connected` accounts that have an edge: one
/// per 50, at least 20 and at most 100.
pub fn default_seed_count(connected: usize) -> usize {
    (connected / 50).clamp(20, 100)
}

/// Accounts by degree in `g`, highest first (ties by id): the candidate order when nothing
/// better is known.
pub fn by_degree(g: &Csr) -> Vec<u32> {
    let adj = g.in_adj();
    let mut order: Vec<u32> = (0..g.n()).collect();
    order.sort_by_key(|&v| (std::cmp::Reverse(adj.degree(v)), v));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: u32, edges: &[(u32, u32)]) -> Csr {
        let mut el = EdgeList::new(n);
        for &(a, b) in edges {
            el.push(a, b);
        }
        undirected(&Csr::from_edges(&el).unwrap()).unwrap()
    }

    #[test]
    fn an_edge_weighs_one_plus_its_common_neighbours() {
        // A triangle 0-1-2 with a pendant 3 on 2.
        let g = graph(4, &[(0, 1), (1, 2), (2, 0), (2, 3)]);
        let w = embeddedness(&g);
        let adj = g.in_adj();
        for v in 0..4 {
            for (slot, &u) in adj.range(v).zip(adj.neighbors(v)) {
                let expected = if u == 3 || v == 3 { 1.0 } else { 2.0 };
                assert_eq!(w[slot], expected, "{v}-{u}");
            }
        }
    }

    #[test]
    fn triangle_weighting_sinks_sybils_whose_links_close_no_triangle() {
        // Honest: four 5-cliques in a ring. Sybils: a 20-cycle, each sybil also befriending
        // two honest accounts two cliques apart — more attack edges (40) than sybil edges
        // (20), the regime where the cut says little.
        let mut edges = Vec::new();
        for c in 0..4u32 {
            for a in 0..5 {
                for b in a + 1..5 {
                    edges.push((5 * c + a, 5 * c + b));
                }
            }
            edges.push((5 * c + 4, (5 * c + 5) % 20));
        }
        for i in 0..20u32 {
            edges.push((20 + i, 20 + (i + 1) % 20));
            edges.push((20 + i, i));
            edges.push((20 + i, (i + 10) % 20));
        }
        let g = graph(40, &edges);
        let separated = |t: &[f64]| {
            let honest_min = t[..20].iter().cloned().fold(f64::INFINITY, f64::min);
            let sybil_max = t[20..].iter().cloned().fold(0.0, f64::max);
            honest_min > sybil_max
        };
        // One seed per community, as the default seeding places them.
        let seeds = [0, 5, 10, 15];
        let split = SeedSplit::ByDegree;
        let embedded = sybilrank_with(&g, &seeds, None, split, EdgeWeight::Embedded);
        assert!(separated(&embedded), "{embedded:?}");
        let unit = sybilrank_with(&g, &seeds, None, split, EdgeWeight::Unit);
        assert!(!separated(&unit), "{unit:?}");
        // No sybil link closes a triangle and half the accounts are sybils, so the median
        // share falls between the sybils' 0 and the least honest share (4 of 7 links): c = 2/7,
        // and even weights scaled down that far separate the regions.
        let c = typical_triangle_share(&g, &embeddedness(&g));
        assert!((c - 2.0 / 7.0).abs() < 1e-12, "{c}");
        let scaled = sybilrank_with(&g, &seeds, None, split, EdgeWeight::ScaledByClustering);
        assert!(separated(&scaled), "{scaled:?}");
        assert_eq!(unit, sybilrank(&g, &seeds, None));
    }

    #[test]
    fn the_typical_share_of_triangle_closing_links_is_a_median_over_linked_accounts() {
        // A triangle 0-1-2 with a pendant 3 on 2, and an isolated 4: shares 1, 1, 2/3, 0.
        let g = graph(5, &[(0, 1), (1, 2), (2, 0), (2, 3)]);
        let c = typical_triangle_share(&g, &embeddedness(&g));
        assert!((c - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12, "{c}");
        let star = graph(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        assert_eq!(typical_triangle_share(&star, &embeddedness(&star)), 0.0);
        let empty = graph(3, &[]);
        assert_eq!(typical_triangle_share(&empty, &embeddedness(&empty)), 0.0);
    }

    #[test]
    fn scaled_weights_are_unit_weights_where_the_typical_account_closes_no_triangle() {
        // A path with one triangle at its end: most accounts close none, c = 0.
        let g = graph(
            8,
            &[
                (0, 1),
                (1, 2),
                (2, 0),
                (2, 3),
                (3, 4),
                (4, 5),
                (5, 6),
                (6, 7),
            ],
        );
        assert_eq!(typical_triangle_share(&g, &embeddedness(&g)), 0.0);
        let split = SeedSplit::ByDegree;
        let scaled = sybilrank_with(&g, &[4], None, split, EdgeWeight::ScaledByClustering);
        assert_eq!(
            scaled,
            sybilrank_with(&g, &[4], None, split, EdgeWeight::Unit)
        );
        assert_ne!(
            scaled,
            sybilrank_with(&g, &[4], None, split, EdgeWeight::Embedded)
        );
    }

    #[test]
    fn trust_stays_on_the_honest_side_of_a_narrow_cut() {
        // Two 20-cliques joined by one attack edge; seed in the first.
        let mut edges = Vec::new();
        for base in [0u32, 20] {
            for a in 0..20 {
                for b in a + 1..20 {
                    edges.push((base + a, base + b));
                }
            }
        }
        edges.push((5, 25));
        let mut el = EdgeList::new(40);
        for (a, b) in edges {
            el.push(a, b);
        }
        let g = undirected(&Csr::from_edges(&el).unwrap()).unwrap();
        let t = sybilrank(&g, &[0], None);
        let honest_min = t[..20].iter().cloned().fold(f64::INFINITY, f64::min);
        let sybil_max = t[20..].iter().cloned().fold(0.0, f64::max);
        assert!(honest_min > sybil_max, "{honest_min} {sybil_max}");
        // Trust is conserved by the iteration (before normalization).
        let total: f64 = t
            .iter()
            .enumerate()
            .map(|(v, x)| x * f64::from(g.in_adj().degree(v as u32)))
            .sum();
        assert!((total - 40.0).abs() < 1e-9, "{total}");
    }

    /// Cliques of the given sizes, each joined to the next by one edge.
    fn cliques(sizes: &[u32]) -> Csr {
        let n: u32 = sizes.iter().sum();
        let mut el = EdgeList::new(n);
        let mut base = 0;
        for &s in sizes {
            for a in 0..s {
                for b in a + 1..s {
                    el.push(base + a, base + b);
                }
            }
            if base + s < n {
                el.push(base, base + s);
            }
            base += s;
        }
        undirected(&Csr::from_edges(&el).unwrap()).unwrap()
    }

    #[test]
    fn label_propagation_and_louvain_find_the_cliques() {
        let g = cliques(&[10, 10, 10]);
        for c in [label_propagation(&g, 1), louvain(&g, 1)] {
            for block in c.chunks(10) {
                assert!(block.iter().all(|&l| l == block[0]), "{c:?}");
            }
            assert_ne!(c[0], c[10]);
            assert_ne!(c[10], c[20]);
        }
        // Labels are the smallest member's id.
        assert_eq!(
            &louvain(&g, 7)[..],
            &[[0u32; 10], [10; 10], [20; 10]].concat()[..]
        );
    }

    #[test]
    fn louvain_leaves_isolated_nodes_alone_and_handles_an_empty_graph() {
        let g = undirected(&Csr::from_edges(&EdgeList::new(3)).unwrap()).unwrap();
        assert_eq!(louvain(&g, 1), vec![0, 1, 2]);
        let mut el = EdgeList::new(4);
        el.push(0, 1);
        let g = undirected(&Csr::from_edges(&el).unwrap()).unwrap();
        assert_eq!(louvain(&g, 1), vec![0, 0, 2, 3]);
    }

    #[test]
    fn seeds_spread_over_communities_instead_of_piling_into_the_densest() {
        let g = cliques(&[40, 20, 20]);
        let c = louvain(&g, 1);
        // Candidates as an influence ranking might list them: the big clique's members first.
        let ranked: Vec<u32> = [0, 1, 2, 3, 40, 60, 4, 41, 5, 6, 61, 7].to_vec();
        // The top four would all sit in the big clique; its fair share of four is two.
        let seeds = spread_seeds(&g, &c, &ranked, 4);
        assert_eq!(seeds, [0, 1, 40, 60]);
        // Candidates left out (flagged) never become seeds.
        let allowed: Vec<u32> = ranked.iter().copied().filter(|&v| v % 2 == 1).collect();
        let some = spread_seeds(&g, &c, &allowed, 2);
        assert_eq!(some, [1, 41]);
        // Communities none of whose members ranks among the best tenth (8 of 80) get no seed:
        // by degree, the best 8 are the big clique's, whose fair share of two is one.
        let seeds = spread_seeds(&g, &c, &by_degree(&g), 2);
        assert_eq!(seeds.len(), 1, "{seeds:?}");
        assert!(seeds[0] < 40);
        // The pool is the best tenth, not 2 × k: with two seeds to place, a small community's
        // candidate at rank 6 gets one (the former pool of four stopped short of it) …
        assert_eq!(spread_seeds(&g, &c, &[0, 1, 2, 3, 4, 40], 2), [0, 40]);
        assert_eq!(spread_seeds_within(&g, &c, &[0, 1, 2, 3, 4, 40], 2, 4), [0]);
        // … but a candidate beyond the best tenth (rank 9 of 80) is not taken.
        let late: Vec<u32> = (0..8).chain([40]).collect();
        assert_eq!(spread_seeds(&g, &c, &late, 2), [0]);
    }

    #[test]
    fn seed_trust_is_split_by_degree() {
        // A star's hub (degree 3) and a pendant pair's end (degree 1) as seeds, no steps:
        // trust per connection is equal on both.
        let mut el = EdgeList::new(6);
        for (a, b) in [(0, 1), (0, 2), (0, 3), (4, 5)] {
            el.push(a, b);
        }
        let g = undirected(&Csr::from_edges(&el).unwrap()).unwrap();
        let t = sybilrank(&g, &[0, 4], Some(0));
        assert!((t[0] - t[4]).abs() < 1e-12, "{t:?}");
        assert!(
            (t[0] * 3.0 + t[4] - 6.0).abs() < 1e-12,
            "total trust is n: {t:?}"
        );
        // A hub among low-degree seeds gets no more than the median seed's share.
        let mut el = EdgeList::new(8);
        for (a, b) in [(0, 1), (0, 2), (0, 3), (4, 5), (6, 7)] {
            el.push(a, b);
        }
        let g = undirected(&Csr::from_edges(&el).unwrap()).unwrap();
        let t = sybilrank(&g, &[0, 4, 6], Some(0));
        assert!((t[0] * 3.0 - t[4]).abs() < 1e-12, "{t:?}");
        assert!((t[4] - 8.0 / 3.0).abs() < 1e-12, "{t:?}");
        let equal = sybilrank_split(&g, &[0, 4], Some(0), SeedSplit::Equal);
        assert!((equal[0] * 3.0 - equal[4]).abs() < 1e-12, "{equal:?}");
    }

    #[test]
    fn no_seeds_no_trust_and_isolated_nodes_get_zero() {
        let mut el = EdgeList::new(3);
        el.push(0, 1);
        el.push(1, 0);
        let g = undirected(&Csr::from_edges(&el).unwrap()).unwrap();
        assert_eq!(g.in_adj().degree(0), 1, "the pair is one undirected edge");
        assert_eq!(sybilrank(&g, &[], None), vec![0.0; 3]);
        assert_eq!(sybilrank(&g, &[2, 9], None), vec![0.0; 3]);
        assert_eq!(sybilrank(&g, &[0], Some(1))[2], 0.0);
    }
}
