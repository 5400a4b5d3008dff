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
/// Total trust is `n`, split equally over the seeds. Nodes of degree 0 get 0. Seeds out of
/// range or isolated are ignored; with no valid seed every score is 0.
pub fn sybilrank(g: &Csr, seeds: &[u32], iterations: Option<usize>) -> Vec<f64> {
    let n = g.n() as usize;
    let adj = g.in_adj();
    let degree: Vec<f64> = (0..g.n()).map(|v| f64::from(adj.degree(v))).collect();
    let seeds: Vec<usize> = seeds
        .iter()
        .map(|&s| s as usize)
        .filter(|&s| s < n && degree[s] > 0.0)
        .collect();
    let mut trust = vec![0.0; n];
    if seeds.is_empty() {
        return trust;
    }
    for &s in &seeds {
        trust[s] += n as f64 / seeds.len() as f64;
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
        // Pull form: each node collects its neighbours' shares.
        for (v, t) in trust.iter_mut().enumerate() {
            *t = adj
                .neighbors(v as u32)
                .iter()
                .map(|&u| share[u as usize])
                .sum();
        }
    }
    for (v, t) in trust.iter_mut().enumerate() {
        *t = if degree[v] > 0.0 { *t / degree[v] } else { 0.0 };
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
pub fn communities(g: &Csr, seed: u64) -> Vec<u32> {
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

/// Trusted seeds spread over communities, as Cao et al. advise (seeds in every community, so
/// no honest community is left without trust to receive).
///
/// `ranked` lists candidate accounts best first (by earned influence, or by degree) and already
/// leaves out accounts that must never be seeds. Walking the best `2 × k` connected
/// candidates, each is taken unless its community already holds its fair share of the `k`
/// seeds (`⌈k · members / connected accounts⌉`, at least one): the top candidates cannot pile
/// into one dense community, and a region none of whose members ranks among the best
/// candidates — a farm of fakes without earned influence or hubs — gets no seed.
pub fn spread_seeds(g: &Csr, community: &[u32], ranked: &[u32], k: usize) -> Vec<u32> {
    const POOL: usize = 2;
    let adj = g.in_adj();
    let connected = |v: u32| v < g.n() && adj.degree(v) > 0;
    let mut size: std::collections::HashMap<u32, usize> = Default::default();
    for v in (0..g.n()).filter(|&v| connected(v)) {
        *size.entry(community[v as usize]).or_default() += 1;
    }
    let total: usize = size.values().sum();
    let mut taken: std::collections::HashMap<u32, usize> = Default::default();
    let mut seeds = Vec::with_capacity(k);
    for &v in ranked
        .iter()
        .filter(|&&v| connected(v))
        .take(POOL.saturating_mul(k))
    {
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
    fn label_propagation_finds_the_cliques() {
        let g = cliques(&[10, 10, 10]);
        let c = communities(&g, 1);
        for block in c.chunks(10) {
            assert!(block.iter().all(|&l| l == block[0]), "{c:?}");
        }
        assert_ne!(c[0], c[10]);
        assert_ne!(c[10], c[20]);
    }

    #[test]
    fn seeds_spread_over_communities_instead_of_piling_into_the_densest() {
        let g = cliques(&[20, 10, 10]);
        let c = communities(&g, 1);
        // Candidates as an influence ranking might list them: the big clique's members first.
        let ranked: Vec<u32> = [0, 1, 2, 3, 20, 30, 4, 21, 5, 6, 31, 7].to_vec();
        // The top four would all sit in the big clique; its fair share of four is two.
        let seeds = spread_seeds(&g, &c, &ranked, 4);
        assert_eq!(seeds, [0, 1, 20, 30]);
        // Candidates left out (flagged) never become seeds.
        let allowed: Vec<u32> = ranked.iter().copied().filter(|&v| v % 2 == 1).collect();
        let some = spread_seeds(&g, &c, &allowed, 2);
        assert_eq!(some, [1, 21]);
        // Communities none of whose members ranks among the best 2 × k get no seed: by
        // degree, the best 4 are the big clique's, whose fair share of two is one.
        let seeds = spread_seeds(&g, &c, &by_degree(&g), 2);
        assert_eq!(seeds.len(), 1, "{seeds:?}");
        assert!(seeds[0] < 20);
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
