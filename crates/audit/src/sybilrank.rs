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
