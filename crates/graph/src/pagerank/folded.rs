//! Pull PageRank with the nodes that have no in-edge folded into one value, bit for bit the
//! pull kernel's iteration.
//!
//! With uniform teleport and dangling vectors, a node with no in-edge gathers nothing: its new
//! score is the iteration's base `b = d · D / n + (1 − d) / n` (D the dangling mass), the same
//! for all of them, and at the start they all hold 1/n. So those nodes (L: on engagement graphs
//! the accounts that only engage, and isolated ones) share one scalar `β`, and only the nodes
//! with an in-edge (R) are stored and swept. A node of L contributes `β / W_u` per unit of
//! weight, which depends on `u` only through its out-weight `W_u`: the in-edges from L point
//! into a small table of `β · (1 / W)`, one entry per distinct out-weight of L, refreshed each
//! iteration, and the in-edges from R into R's compact contributions. Every in-edge list keeps
//! its order, so each node of R gathers the same products in the same order as in
//! [`super::pagerank_with`]; the dangling mass and the L1 step are added node by node in the
//! pull kernel's order and work units (a pass over a `u32` per node). The scores, the step and
//! the iteration count are the pull kernel's, to the bit (tested); an iteration reads the nodes
//! of R, the edges, and the compact arrays its gathers hit, instead of every node's arrays.
//! On engagement graphs, where most accounts only engage, that is a fifth of the nodes
//! (BENCHMARKS.md, "PageRank variants on the nodes with in-edges").

use super::{gather, inverse_out_weights, totals, PageRank, PageRankOptions, Settled};
use super::{BLOCK_EDGES, BLOCK_NODES};
use crate::csr::{node_ranges, Csr};
use crate::real::Real;
use crate::Result;
use rayon::prelude::*;
use std::collections::HashMap;

/// The folded kernel is used when R holds at most this share of the nodes; above it, the
/// pull kernel runs (see BENCHMARKS.md for the measurement).
pub const FOLD_MAX_SHARE: f64 = 0.25;

/// A node of L that is not dangling, in [`Folded::node`].
const L_NODE: u32 = u32::MAX;
/// A node of L without out-weight (its value is dangling mass).
const L_DANGLING: u32 = u32::MAX - 1;

/// The nodes with an in-edge, renumbered in node order, and every in-edge re-pointed.
struct Folded<T> {
    /// Per node: its index in R, or [`L_NODE`] / [`L_DANGLING`].
    node: Vec<u32>,
    /// Original id of each node of R.
    nodes: Vec<u32>,
    /// 1 / out-weight of each node of R (0 when it has none).
    inv: Vec<T>,
    /// The distinct 1 / out-weight of L's sources: table entry `k` is `β · inv_l[k]`.
    inv_l: Vec<T>,
    /// In-edges of the nodes of R in their original order: source = index in R, or
    /// `|R| + k` for a source of L with `inv_l[k]`.
    offsets: Vec<u64>,
    src: Vec<u32>,
    weights: Option<Vec<f32>>,
    /// The pull kernel's work units over all nodes (the order its sums are added in).
    parts: Vec<usize>,
}

impl<T: Real> Folded<T> {
    /// The fold of `g`, or `None` when R holds more than [`FOLD_MAX_SHARE`] of the nodes.
    fn new(g: &Csr, weighted: bool) -> Option<Folded<T>> {
        let n = g.n() as usize;
        let adj = g.in_adj();
        let (offsets, sources) = (adj.offsets(), adj.targets());
        let weights = if weighted { adj.weights() } else { None };
        if n >= L_DANGLING as usize {
            return None;
        }
        let r = (0..n).filter(|&v| offsets[v + 1] > offsets[v]).count();
        if r as f64 > FOLD_MAX_SHARE * n as f64 {
            return None;
        }
        let inv_all: Vec<T> = inverse_out_weights(g, weights.is_some());
        let mut node = vec![L_NODE; n];
        let mut nodes = Vec::with_capacity(r);
        for v in 0..n {
            if offsets[v + 1] > offsets[v] {
                node[v] = nodes.len() as u32;
                nodes.push(v as u32);
            } else if inv_all[v] == T::ZERO {
                node[v] = L_DANGLING;
            }
        }
        // The table: one entry per distinct 1 / out-weight among L's sources (by bits).
        let mut slot: HashMap<u64, u32> = HashMap::new();
        let mut inv_l = Vec::new();
        let mut table = vec![0u32; n];
        for (u, &iu) in inv_all.iter().enumerate() {
            if node[u] >= L_DANGLING && g.out_degree(u as u32) > 0 {
                let k = *slot.entry(iu.to_f64().to_bits()).or_insert_with(|| {
                    inv_l.push(iu);
                    (inv_l.len() - 1) as u32
                });
                table[u] = r as u32 + k;
            }
        }
        let mut new_offsets = Vec::with_capacity(r + 1);
        new_offsets.push(0u64);
        for &v in &nodes {
            let k = offsets[v as usize + 1] - offsets[v as usize];
            new_offsets.push(new_offsets.last().unwrap() + k);
        }
        let src: Vec<u32> = nodes
            .par_iter()
            .flat_map_iter(|&v| {
                sources[offsets[v as usize] as usize..offsets[v as usize + 1] as usize]
                    .iter()
                    .map(|&u| match node[u as usize] {
                        i if i < L_DANGLING => i,
                        _ => table[u as usize],
                    })
            })
            .collect();
        let wts = weights.map(|w| {
            nodes
                .par_iter()
                .flat_map_iter(|&v| {
                    w[offsets[v as usize] as usize..offsets[v as usize + 1] as usize]
                        .iter()
                        .copied()
                })
                .collect()
        });
        let inv = nodes.iter().map(|&v| inv_all[v as usize]).collect();
        Some(Folded {
            node,
            nodes,
            inv,
            inv_l,
            offsets: new_offsets,
            src,
            weights: wts,
            parts: node_ranges(offsets, BLOCK_EDGES, BLOCK_NODES),
        })
    }
}

/// PageRank with uniform teleport and dangling vectors by the folded iteration (see the
/// module) when R holds at most [`FOLD_MAX_SHARE`] of the nodes; otherwise, and with a
/// personalization or dangling vector, [`super::pagerank_with`]. Either way the pull kernel's
/// scores, step and iteration count, to the bit, on any number of threads.
pub fn pagerank_folded<T: Real>(g: &Csr, opts: &PageRankOptions) -> Result<PageRank<T>> {
    g.check_nodes()?;
    super::check_options(opts)?;
    let n = g.n() as usize;
    if n == 0 || opts.personalization.is_some() || opts.dangling.is_some() {
        return super::pagerank_with(g, opts);
    }
    let Some(f) = Folded::<T>::new(g, opts.weighted) else {
        return super::pagerank_with(g, opts);
    };
    Ok(f.run(n, opts))
}

/// Whether [`pagerank_folded`] folds `g` (rather than running the pull kernel) with uniform
/// vectors: for benchmarks and tests.
pub fn folds(g: &Csr, weighted: bool) -> bool {
    g.n() > 0 && Folded::<f64>::new(g, weighted).is_some()
}

impl<T: Real> Folded<T> {
    fn run(&self, n: usize, opts: &PageRankOptions) -> PageRank<T> {
        let r = self.nodes.len();
        let a = T::from_f64(1.0 / n as f64);
        let d = T::from_f64(opts.damping);
        let teleport_share = T::from_f64(1.0 - opts.damping);
        let mut beta = a;
        let mut x: Vec<T> = vec![a; r];
        let mut next_x: Vec<T> = vec![T::ZERO; r];
        // Contributions: R's, then the table.
        let mut contrib: Vec<T> = x
            .iter()
            .zip(&self.inv)
            .map(|(&v, &i)| v * i)
            .chain(self.inv_l.iter().map(|&i| a * i))
            .collect();
        let mut next_contrib: Vec<T> = vec![T::ZERO; contrib.len()];
        // As the pull kernel starts: every dangling node's 1/n, in node order.
        let mut dangling_sum: f64 = (0..n)
            .filter(|&v| match self.node[v] {
                L_DANGLING => true,
                L_NODE => false,
                i => self.inv[i as usize] == T::ZERO,
            })
            .map(|_| a.to_f64())
            .sum();
        let units = node_ranges(&self.offsets, BLOCK_EDGES, BLOCK_NODES);
        let limit = opts.tolerance * n as f64;
        let weights = self.weights.as_deref();
        let mut out = PageRank::not_started();
        for it in 1..=opts.max_iterations {
            let spread = d * T::from_f64(dangling_sum);
            let base = spread * a + teleport_share * a;
            let track = opts.tolerance > 0.0 || it == opts.max_iterations;
            // R's new scores and contributions, unit by unit.
            {
                let contrib_ref: &[T] = &contrib;
                let (src, offsets) = (&self.src[..], &self.offsets[..]);
                let mut chunks = Vec::with_capacity(units.len());
                let (mut xr, mut cr) = (&mut next_x[..], &mut next_contrib[..r]);
                for w in units.windows(2) {
                    let (xa, xb) = xr.split_at_mut(w[1] - w[0]);
                    let (ca, cb) = cr.split_at_mut(w[1] - w[0]);
                    chunks.push((w[0], xa, ca));
                    (xr, cr) = (xb, cb);
                }
                chunks.into_par_iter().for_each(|(start, xs, cs)| {
                    for (k, (xv, cv)) in xs.iter_mut().zip(cs.iter_mut()).enumerate() {
                        let v = start + k;
                        let nv = d * gather(contrib_ref, src, weights, offsets, v) + base;
                        *xv = nv;
                        *cv = nv * self.inv[v];
                    }
                });
            }
            for (c, &i) in next_contrib[r..].iter_mut().zip(&self.inv_l) {
                *c = base * i;
            }
            // The step and the dangling mass, node by node in the pull kernel's units.
            let (old, new) = (&x[..], &next_x[..]);
            let settled: Vec<Settled> = self
                .parts
                .par_windows(2)
                .map(|w| {
                    let mut s = Settled::default();
                    for &i in &self.node[w[0]..w[1]] {
                        let (nv, ov, dangling) = match i {
                            L_NODE => (base, beta, false),
                            L_DANGLING => (base, beta, true),
                            i => {
                                let i = i as usize;
                                (new[i], old[i], self.inv[i] == T::ZERO)
                            }
                        };
                        if track {
                            s.delta += (nv - ov).abs().to_f64();
                        }
                        if dangling {
                            s.dangling += nv.to_f64();
                        }
                    }
                    s
                })
                .collect();
            let (delta, next_dangling) = totals(&settled);
            std::mem::swap(&mut x, &mut next_x);
            std::mem::swap(&mut contrib, &mut next_contrib);
            dangling_sum = next_dangling;
            beta = base;
            out.iterations = it;
            out.delta = delta;
            if opts.tolerance > 0.0 && delta < limit {
                out.converged = true;
                break;
            }
        }
        let mut scores = vec![beta; n];
        for (&v, &s) in self.nodes.iter().zip(&x) {
            scores[v as usize] = s;
        }
        out.scores = scores;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::EdgeList;
    use crate::rmat::Rmat;

    /// An engagement-like graph: `n` accounts, the first `n / 5` engaged with (the only ones
    /// with in-edges), edges from anyone; a few engaged accounts engage nobody (dangling nodes
    /// of R), the last ten accounts are isolated, and with weights one account's only edge
    /// weighs 0 (a node of L without out-weight).
    fn engagement(n: u32, m: usize, seed: u64, weighted: bool) -> EdgeList {
        let mut x = seed;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let engaged = n / 5;
        let mut el = EdgeList::new(n);
        for _ in 0..m {
            let a = (next() % (n as u64 - 10)) as u32;
            if a < engaged && a.is_multiple_of(7) {
                continue;
            }
            let b = (next() % engaged as u64) as u32;
            if weighted {
                el.push_weighted(a, b, (next() % 1000) as f32 / 100.0 + 0.01);
            } else {
                el.push(a, b);
            }
        }
        if weighted {
            el.push_weighted(n - 11, 1, 0.0);
        }
        el
    }

    /// The fold runs the pull kernel's iteration to the bit: the same scores, last step,
    /// iteration count and convergence, weighted or not, in f64 and f32, at a fixed count or to a
    /// tolerance.
    #[test]
    fn folded_kernel_gives_the_pull_kernels_bits() {
        fn same<T: Real>(g: &Csr, opts: &PageRankOptions, what: &str) {
            let want = super::super::pagerank_with::<T>(g, opts).unwrap();
            let got = pagerank_folded::<T>(g, opts).unwrap();
            assert_eq!(got.iterations, want.iterations, "{what}");
            assert_eq!(got.converged, want.converged, "{what}");
            assert_eq!(got.delta.to_bits(), want.delta.to_bits(), "{what}");
            assert!(
                got.scores
                    .iter()
                    .zip(&want.scores)
                    .all(|(a, b)| a.to_f64().to_bits() == b.to_f64().to_bits()),
                "{what}: scores differ"
            );
        }
        for weighted in [true, false] {
            let g = Csr::from_edges(&engagement(5000, 12_000, 11, weighted)).unwrap();
            assert!(folds(&g, true), "weighted {weighted}");
            for opts in [
                PageRankOptions {
                    tolerance: 0.0,
                    max_iterations: 20,
                    ..Default::default()
                },
                PageRankOptions {
                    tolerance: 1e-10 / 5000.0,
                    max_iterations: 1000,
                    ..Default::default()
                },
                PageRankOptions {
                    damping: 0.5,
                    tolerance: 1e-15,
                    max_iterations: 1000,
                    weighted: false,
                    ..Default::default()
                },
            ] {
                let what = format!("weighted {weighted}, {opts:?}");
                same::<f64>(&g, &opts, &what);
                same::<f32>(&g, &opts, &what);
                let got = pagerank_folded::<f64>(&g, &opts).unwrap();
                assert!((got.scores.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                // Nodes without in-edges share one score; the isolated ones hold it too.
                let lone = got.scores[4999];
                assert!(got.scores[1000..].iter().all(|&s| s == lone));
            }
        }
    }

    /// The same bits on any number of threads (fixed work units, added in order).
    #[test]
    fn folded_kernel_gives_the_same_bits_on_any_thread_count() {
        let g = Csr::from_edges(&engagement(60_000, 150_000, 3, true)).unwrap();
        let opts = PageRankOptions {
            tolerance: 1e-10 / 60_000.0,
            max_iterations: 300,
            ..Default::default()
        };
        crate::pagerank::assert_same_bits_on_any_thread_count(|| {
            pagerank_folded::<f64>(&g, &opts).unwrap().scores
        });
    }

    /// Where folding saves too little (every node has an in-edge), or with a personalization
    /// vector, the pull kernel runs: the same bits as `pagerank_with` (as when it folds).
    #[test]
    fn without_a_fold_the_pull_kernel_runs() {
        let cycle = EdgeList::from_pairs(&(0..100).map(|v| (v, (v + 1) % 100)).collect::<Vec<_>>());
        let g = Csr::from_edges(&cycle).unwrap();
        assert!(!folds(&g, true));
        let opts = PageRankOptions::default();
        let bits = |s: &[f64]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let assert_pull_bits = |g: &Csr, opts: &PageRankOptions| {
            let pull = super::super::pagerank_with::<f64>(g, opts).unwrap();
            assert_eq!(
                bits(&pagerank_folded::<f64>(g, opts).unwrap().scores),
                bits(&pull.scores)
            );
        };
        assert_pull_bits(&g, &opts);
        let g = Csr::from_edges(&engagement(2000, 5000, 5, true)).unwrap();
        let opts = PageRankOptions {
            personalization: Some((0..2000).map(|v| (v % 3) as f64).collect()),
            ..Default::default()
        };
        assert_pull_bits(&g, &opts);
        // An R-MAT graph: folded or not (by its share), the pull kernel's iteration.
        let r = Rmat::graph500(10, 8, 3).unwrap().pull_graph().unwrap();
        let opts = PageRankOptions::default();
        let want = super::super::pagerank_with::<f64>(&r, &opts).unwrap();
        let got = pagerank_folded::<f64>(&r, &opts).unwrap();
        assert_eq!(got.iterations, want.iterations);
        assert_eq!(bits(&got.scores), bits(&want.scores));
        assert!(
            pagerank_folded::<f64>(&Csr::from_edges(&EdgeList::new(0)).unwrap(), &opts)
                .unwrap()
                .scores
                .is_empty()
        );
    }
}
