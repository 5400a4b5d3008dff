//! Degrees, reciprocity and a summary of a graph's shape (for `renown graph stats`).

use crate::csr::Csr;
use crate::wcc::{component_sizes, weakly_connected_components};
use rayon::prelude::*;

/// In- and out-degree of every node (parallel edges counted each).
pub fn degrees(g: &Csr) -> (Vec<u32>, Vec<u32>) {
    let ins = (0..g.n()).into_par_iter().map(|v| g.in_degree(v)).collect();
    let outs = (0..g.n())
        .into_par_iter()
        .map(|v| g.out_degree(v))
        .collect();
    (ins, outs)
}

/// Share of distinct edges `u → v` (self-loops included in the count) whose reverse `v → u`
/// exists, with `u ≠ v` — networkx's `overall_reciprocity` on the simple digraph.
pub fn reciprocity(g: &Csr) -> crate::Result<f64> {
    let out = g.require_out("reciprocity")?;
    let sorted: Vec<Vec<u32>> = (0..g.n())
        .into_par_iter()
        .map(|v| {
            let mut l = out.neighbors(v).to_vec();
            l.sort_unstable();
            l.dedup();
            l
        })
        .collect();
    let (all, mutual) = (0..g.n() as usize)
        .into_par_iter()
        .map(|u| {
            let mut m = 0u64;
            for &v in &sorted[u] {
                if v as usize != u && sorted[v as usize].binary_search(&(u as u32)).is_ok() {
                    m += 1;
                }
            }
            (sorted[u].len() as u64, m)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Ok(if all == 0 {
        0.0
    } else {
        mutual as f64 / all as f64
    })
}

/// Quantiles of a degree sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct DegreeSummary {
    /// Mean degree.
    pub mean: f64,
    /// Median degree (nearest rank).
    pub median: u32,
    /// 90th percentile.
    pub p90: u32,
    /// 99th percentile.
    pub p99: u32,
    /// Largest degree.
    pub max: u32,
    /// Nodes with degree 0.
    pub zero: u64,
}

/// The mean, quantiles, maximum and zeros of a degree sequence (all 0 when it is empty).
pub fn summarize(deg: &[u32]) -> DegreeSummary {
    if deg.is_empty() {
        return DegreeSummary {
            mean: 0.0,
            median: 0,
            p90: 0,
            p99: 0,
            max: 0,
            zero: 0,
        };
    }
    let mut d = deg.to_vec();
    d.par_sort_unstable();
    let q = |f: f64| d[((d.len() - 1) as f64 * f).round() as usize];
    DegreeSummary {
        mean: d.iter().map(|&x| x as f64).sum::<f64>() / d.len() as f64,
        median: q(0.5),
        p90: q(0.9),
        p99: q(0.99),
        max: *d.last().expect("non-empty"),
        zero: d.iter().take_while(|&&x| x == 0).count() as u64,
    }
}

/// Everything `renown graph stats` prints.
#[derive(Clone, Debug)]
pub struct GraphStats {
    /// Nodes.
    pub nodes: u32,
    /// Edges (parallel ones counted once each as stored).
    pub edges: u64,
    /// Edges from a node to itself.
    pub self_loops: u64,
    /// Nodes with neither in- nor out-edges.
    pub isolated: u64,
    /// In-degree distribution.
    pub in_degree: DegreeSummary,
    /// Out-degree distribution.
    pub out_degree: DegreeSummary,
    /// Share of edges whose reverse edge exists too (see [`reciprocity`]).
    pub reciprocity: f64,
    /// Weakly connected components.
    pub components: u64,
    /// Nodes in the largest of them.
    pub largest_component: u64,
}

/// Size, degrees, reciprocity and components of `g` (which needs its out-adjacency).
pub fn graph_stats(g: &Csr) -> crate::Result<GraphStats> {
    let (ins, outs) = degrees(g);
    let out = g.require_out("graph stats")?;
    let self_loops = (0..g.n())
        .into_par_iter()
        .map(|v| out.neighbors(v).iter().filter(|&&u| u == v).count() as u64)
        .sum();
    let isolated = ins
        .par_iter()
        .zip(&outs)
        .filter(|(a, b)| **a == 0 && **b == 0)
        .count() as u64;
    let labels = weakly_connected_components(g);
    let sizes = component_sizes(&labels);
    Ok(GraphStats {
        nodes: g.n(),
        edges: g.m(),
        self_loops,
        isolated,
        in_degree: summarize(&ins),
        out_degree: summarize(&outs),
        reciprocity: reciprocity(g)?,
        components: sizes.len() as u64,
        largest_component: sizes.first().copied().unwrap_or(0),
    })
}
