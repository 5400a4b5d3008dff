//! Pull PageRank with the nodes that have no in-edge folded into one value and their part of
//! every gather summed once.
//!
//! With uniform teleport and dangling vectors, a node with no in-edge gathers nothing: its new
//! score is the iteration's base, the same for all of them, and at the start they all hold
//! 1/n. So those nodes (L: on engagement graphs the accounts that only engage, and isolated
//! ones) share one scalar β, and only the nodes with an in-edge (R) are stored and swept. The
//! iteration, exactly (n nodes, damping d, `W_u` the out-weight of u — its out-degree when
//! unweighted —, `w_uv` the weight of the edge u → v, 1 unweighted; D the dangling mass, the sum
//! of the scores of the nodes with `W_u = 0`):
//!
//! ```text
//! start:      β = 1/n,  x_v = 1/n for v in R
//! once:       c_v = Σ_{u ∈ L, W_u > 0} w_uv · (1 / W_u)              (per v in R, in f64)
//! iteration:  D  = Σ_{u ∈ L, W_u = 0} β + Σ_{u ∈ R, W_u = 0} x_u     (= |L₀|·β + Σ_R …)
//!             b  = d · D · (1/n) + (1 − d) · (1/n)
//!             x'_v = d · (β · c_v + Σ_{u ∈ R} x_u · (1 / W_u) · w_uv) + b    for v in R
//!             β' = b
//!             step = |L| · |β' − β| + Σ_{v ∈ R} |x'_v − x_v|
//! stop:       when step < tolerance × n (the pull kernel's rule), or after max_iterations
//! ```
//!
//! An iteration reads only R, the edges from R and the products `x_u / W_u` of R; the edges from
//! L are read once, to sum `c_v`. That is the pull kernel's iteration with the terms of each
//! gather grouped differently (`β · Σ w/W` for L's sources instead of `Σ (β/W) · w`), so the
//! scores differ from [`super::pagerank_with`]'s by rounding only: at most 1e-12 relative in
//! f64 (tested; 7.7e-14 measured on Higgs's engagement graph) and the same iteration counts on
//! every graph measured. The measures settle ties up to rounding (renown-measures' `ties`), so
//! their ranks are the pull kernel's (BENCHMARKS.md "The folded PageRank with L summed once").

use super::{gather, inverse_out_weights, totals, PageRank, PageRankOptions, Settled};
use super::{BLOCK_EDGES, BLOCK_NODES};
use crate::csr::{node_ranges, Csr};
use crate::real::Real;
use crate::Result;
use rayon::prelude::*;

/// The folded kernel is used when R holds at most this share of the nodes; above it, the
/// pull kernel runs (see BENCHMARKS.md for the measurement).
pub const FOLD_MAX_SHARE: f64 = 0.25;

/// Not a node of R, in the renumbering.
const NOT_R: u32 = u32::MAX;

/// The nodes with an in-edge, renumbered in node order, with their in-edges from R and the sum
/// of their in-edges from L.
struct Folded<T> {
    /// Original id of each node of R.
    nodes: Vec<u32>,
    /// 1 / out-weight of each node of R (0 when it has none).
    inv: Vec<T>,
    /// `c_v`: the in-edges from L of each node of R, `Σ w_uv / W_u`.
    from_l: Vec<T>,
    /// In-edges from R of the nodes of R in their original order, sources as indices in R.
    offsets: Vec<u64>,
    src: Vec<u32>,
    weights: Option<Vec<f32>>,
    /// |L|, and how many of L have no out-weight (dangling).
    l: usize,
    l_dangling: usize,
    /// Parallel work units over R (by in-edges from R).
    units: Vec<usize>,
}

impl<T: Real> Folded<T> {
    /// The fold of `g`, or `None` when R holds more than [`FOLD_MAX_SHARE`] of the nodes.
    fn new(g: &Csr, weighted: bool) -> Option<Folded<T>> {
        let n = g.n() as usize;
        let adj = g.in_adj();
        let (offsets, sources) = (adj.offsets(), adj.targets());
        let weights = if weighted { adj.weights() } else { None };
        if n >= NOT_R as usize {
            return None;
        }
        let r = (0..n).filter(|&v| offsets[v + 1] > offsets[v]).count();
        if r as f64 > FOLD_MAX_SHARE * n as f64 {
            return None;
        }
        let inv_all: Vec<f64> = inverse_out_weights(g, weights.is_some());
        let mut index = vec![NOT_R; n];
        let mut nodes = Vec::with_capacity(r);
        for v in 0..n {
            if offsets[v + 1] > offsets[v] {
                index[v] = nodes.len() as u32;
                nodes.push(v as u32);
            }
        }
        let l = n - r;
        let l_dangling = (0..n)
            .filter(|&v| index[v] == NOT_R && inv_all[v] == 0.0)
            .count();
        let edges = |v: u32| offsets[v as usize] as usize..offsets[v as usize + 1] as usize;
        let weight = |e: usize| weights.map_or(1.0, |w| w[e] as f64);
        // c_v, in edge order, in f64.
        let from_l: Vec<T> = nodes
            .par_iter()
            .map(|&v| {
                let mut c = 0.0f64;
                for e in edges(v) {
                    let u = sources[e] as usize;
                    if index[u] == NOT_R {
                        c += weight(e) * inv_all[u];
                    }
                }
                T::from_f64(c)
            })
            .collect();
        let mut new_offsets = Vec::with_capacity(r + 1);
        new_offsets.push(0u64);
        for &v in &nodes {
            let k = edges(v)
                .filter(|&e| index[sources[e] as usize] != NOT_R)
                .count();
            new_offsets.push(new_offsets.last().unwrap() + k as u64);
        }
        let from_r = |v: u32| edges(v).filter(|&e| index[sources[e] as usize] != NOT_R);
        let src: Vec<u32> = nodes
            .par_iter()
            .flat_map_iter(|&v| from_r(v).map(|e| index[sources[e] as usize]))
            .collect();
        let wts = weights.map(|w| {
            nodes
                .par_iter()
                .flat_map_iter(|&v| from_r(v).map(|e| w[e]))
                .collect()
        });
        let inv = nodes
            .iter()
            .map(|&v| T::from_f64(inv_all[v as usize]))
            .collect();
        let units = node_ranges(&new_offsets, BLOCK_EDGES, BLOCK_NODES);
        Some(Folded {
            nodes,
            inv,
            from_l,
            offsets: new_offsets,
            src,
            weights: wts,
            l,
            l_dangling,
            units,
        })
    }
}

/// PageRank with uniform teleport and dangling vectors by the folded iteration (see the
/// module) when R holds at most [`FOLD_MAX_SHARE`] of the nodes; otherwise, and with a
/// personalization or dangling vector, [`super::pagerank_with`]. The same bits on any number
/// of threads; the pull kernel's scores up to rounding when it folds.
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
        let mut contrib: Vec<T> = self.inv.iter().map(|&i| a * i).collect();
        let mut next_contrib: Vec<T> = vec![T::ZERO; r];
        let r_dangling = self.inv.iter().filter(|&&i| i == T::ZERO).count();
        let mut dangling_sum: f64 = (self.l_dangling + r_dangling) as f64 * a.to_f64();
        let limit = opts.tolerance * n as f64;
        let weights = self.weights.as_deref();
        let (l, l_dangling) = (self.l as f64, self.l_dangling as f64);
        let mut out = PageRank::not_started();
        for it in 1..=opts.max_iterations {
            let spread = d * T::from_f64(dangling_sum);
            let base = spread * a + teleport_share * a;
            let track = opts.tolerance > 0.0 || it == opts.max_iterations;
            let settled: Vec<Settled> = {
                let contrib_ref: &[T] = &contrib;
                let (src, offsets) = (&self.src[..], &self.offsets[..]);
                let mut chunks = Vec::with_capacity(self.units.len());
                let (mut xr, mut cr) = (&mut x[..], &mut next_contrib[..]);
                for w in self.units.windows(2) {
                    let (xa, xb) = xr.split_at_mut(w[1] - w[0]);
                    let (ca, cb) = cr.split_at_mut(w[1] - w[0]);
                    chunks.push((w[0], xa, ca));
                    (xr, cr) = (xb, cb);
                }
                chunks
                    .into_par_iter()
                    .map(|(start, xs, cs)| {
                        let mut s = Settled::default();
                        for (k, (xv, cv)) in xs.iter_mut().zip(cs.iter_mut()).enumerate() {
                            let v = start + k;
                            let pulled = gather(contrib_ref, src, weights, offsets, v);
                            let nv = d * (beta * self.from_l[v] + pulled) + base;
                            s.set(nv, xv, cv, self.inv[v], track);
                        }
                        s
                    })
                    .collect()
            };
            let (delta_r, dangling_r) = totals(&settled);
            let delta = if track {
                l * (base - beta).abs().to_f64() + delta_r
            } else {
                0.0
            };
            dangling_sum = l_dangling * base.to_f64() + dangling_r;
            std::mem::swap(&mut contrib, &mut next_contrib);
            beta = base;
            if out.finish_iteration(it, delta, opts.tolerance, limit) {
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

    /// The verifier: the textbook power iteration, serial, over every node and edge in f64
    /// (networkx's conventions, as `pagerank_with`): scores and iterations run.
    fn serial(g: &Csr, opts: &PageRankOptions) -> (Vec<f64>, usize) {
        let n = g.n() as usize;
        let adj = g.in_adj();
        let (offsets, sources) = (adj.offsets(), adj.targets());
        let weights = if opts.weighted { adj.weights() } else { None };
        let weight = |e: usize| weights.map_or(1.0, |w| w[e] as f64);
        let mut out = vec![0.0f64; n];
        for (e, &u) in sources.iter().enumerate() {
            out[u as usize] += weight(e);
        }
        let (d, nf) = (opts.damping, n as f64);
        let mut x = vec![1.0 / nf; n];
        for it in 1..=opts.max_iterations {
            let dangling: f64 = (0..n).filter(|&u| out[u] == 0.0).map(|u| x[u]).sum();
            let mut next = vec![d * dangling / nf + (1.0 - d) / nf; n];
            for (v, nv) in next.iter_mut().enumerate() {
                let (lo, hi) = (offsets[v] as usize, offsets[v + 1] as usize);
                for (e, &u) in (lo..hi).zip(&sources[lo..hi]) {
                    let u = u as usize;
                    *nv += d * x[u] * weight(e) / out[u];
                }
            }
            let step: f64 = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
            x = next;
            if opts.tolerance > 0.0 && step < opts.tolerance * nf {
                return (x, it);
            }
        }
        (x, opts.max_iterations)
    }

    /// The largest relative difference between two score vectors.
    fn worst(a: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| ((x - y) / x).abs())
            .fold(0.0, f64::max)
    }

    /// The fold runs the pull kernel's iteration up to rounding: in f64 its scores are within
    /// 1e-12 relative of the serial verifier's and of the pull kernel's, with the same iteration
    /// counts and convergence, weighted or not, at a fixed count or to a tolerance; in f32
    /// within 1e-4 of the verifier (f32 rounding, as the pull kernel in f32).
    #[test]
    fn folded_kernel_equals_the_serial_verifier_and_the_pull_kernel() {
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
                    tolerance: 1e-14 / 5000.0,
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
                let (want, iterations) = serial(&g, &opts);
                let pull = super::super::pagerank_with::<f64>(&g, &opts).unwrap();
                let got = pagerank_folded::<f64>(&g, &opts).unwrap();
                assert_eq!(got.iterations, iterations, "{what}");
                assert_eq!(got.iterations, pull.iterations, "{what}");
                assert_eq!(got.converged, pull.converged, "{what}");
                assert!(worst(&want, &got.scores) <= 1e-12, "{what}");
                assert!(worst(&pull.scores, &got.scores) <= 1e-12, "{what}");
                assert!((got.scores.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                // Nodes without in-edges share one score; the isolated ones hold it too.
                let lone = got.scores[4999];
                assert!(got.scores[1000..].iter().all(|&s| s == lone));
                let single = pagerank_folded::<f32>(&g, &opts).unwrap();
                let single: Vec<f64> = single.scores.iter().map(|&s| s as f64).collect();
                assert!(worst(&want, &single) <= 1e-4, "{what}: f32");
            }
        }
    }

    /// The same bits on any number of threads (fixed work units, added in order).
    #[test]
    fn folded_kernel_gives_the_same_bits_on_any_thread_count() {
        let g = Csr::from_edges(&engagement(60_000, 150_000, 3, true)).unwrap();
        let opts = PageRankOptions {
            tolerance: 1e-14 / 60_000.0,
            max_iterations: 300,
            ..Default::default()
        };
        crate::pagerank::assert_same_bits_on_any_thread_count(|| {
            pagerank_folded::<f64>(&g, &opts).unwrap().scores
        });
    }

    /// Where folding saves too little (every node has an in-edge), or with a personalization
    /// vector, the pull kernel runs: the same bits as `pagerank_with`.
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
        // An R-MAT graph: folded or not (by its share), the pull kernel's iteration up to
        // rounding.
        let r = Rmat::graph500(10, 8, 3).unwrap().pull_graph().unwrap();
        let opts = PageRankOptions::default();
        let want = super::super::pagerank_with::<f64>(&r, &opts).unwrap();
        let got = pagerank_folded::<f64>(&r, &opts).unwrap();
        assert_eq!(got.iterations, want.iterations);
        assert!(worst(&want.scores, &got.scores) <= 1e-12);
        assert!(
            pagerank_folded::<f64>(&Csr::from_edges(&EdgeList::new(0)).unwrap(), &opts)
                .unwrap()
                .scores
                .is_empty()
        );
    }
}
