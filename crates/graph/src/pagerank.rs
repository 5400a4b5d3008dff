//! PageRank (Page, Brin, Motwani & Winograd 1999) by pull-based power iteration over the
//! in-adjacency, with the conventions of networkx's `pagerank`: start uniform, dangling mass
//! redistributed by the dangling vector (by default the teleport vector), stop when the L1
//! change falls below `tolerance × n`.
//!
//! One fused pass per iteration: each node gathers `contrib[u] = x[u] / outweight(u)` from its
//! in-neighbours, writes its new score in place, and produces its own next contribution and the
//! next dangling sum, so the only random access is the gather. With unweighted edges and
//! uniform teleport (the common case), runs of nodes with the same short in-degree are summed by
//! code for that degree ([`short_runs`]).

use crate::csr::{node_ranges, Csr};
use crate::real::Real;
use crate::{GraphError, Result};
use rayon::prelude::*;

mod blocked;
mod folded;
mod gather;
mod pb;
pub use blocked::{pagerank_blocked, segment_bits, Blocked};
pub use folded::{folds, pagerank_folded, FOLD_MAX_SHARE};
pub use gather::Gather;
pub use pb::{pagerank_pb, Propagation};

/// In-edges per parallel work unit (power-law hubs make equal node counts uneven): a few
/// hundred units per iteration at scale 20 balance the threads.
const BLOCK_EDGES: u64 = 1 << 16;
/// Nodes per work unit at most.
const BLOCK_NODES: usize = 4096;
/// In-degrees up to this are summed by code specialised for the degree (see [`short_runs`]).
const SHORT: usize = 8;
/// A segment of nodes summed one by one (in-degree above [`SHORT`], or mixed).
const GENERAL: usize = usize::MAX;
/// Shorter runs are summed node by node: their bookkeeping would cost more than they save.
const MIN_RUN: usize = 16;

/// How PageRank runs; `Default` is networkx's: damping 0.85, up to 100 iterations, tolerance
/// 1e-6, uniform teleport, weighted edges when the graph has weights.
#[derive(Clone, Debug)]
pub struct PageRankOptions {
    /// Probability of following an edge (the rest teleports).
    pub damping: f64,
    /// Upper bound on iterations.
    pub max_iterations: usize,
    /// Stop when the L1 change of an iteration is below `tolerance × n`; 0 runs exactly
    /// `max_iterations` (for benchmarks).
    pub tolerance: f64,
    /// Teleport (personalization) vector over all `n` nodes, any positive scale; `None` is uniform.
    pub personalization: Option<Vec<f64>>,
    /// Where the mass of dangling nodes (no out-weight) goes; `None` follows the teleport vector.
    pub dangling: Option<Vec<f64>>,
    /// Use edge weights when the graph has them (`false` treats every edge as weight 1).
    pub weighted: bool,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        PageRankOptions {
            damping: 0.85,
            max_iterations: 100,
            tolerance: 1e-6,
            personalization: None,
            dangling: None,
            weighted: true,
        }
    }
}

/// Scores plus how the iteration ended.
#[derive(Clone, Debug)]
pub struct PageRank<T> {
    /// One score per node, summing to 1.
    pub scores: Vec<T>,
    /// Iterations run.
    pub iterations: usize,
    /// L1 change of the last iteration.
    pub delta: f64,
    /// Whether the tolerance was reached (always `false` with tolerance 0).
    pub converged: bool,
}

impl<T> PageRank<T> {
    /// Before the first iteration: no scores, an infinite change, not converged.
    pub(crate) fn not_started() -> PageRank<T> {
        PageRank {
            scores: Vec::new(),
            iterations: 0,
            delta: f64::INFINITY,
            converged: false,
        }
    }

    /// Records iteration `it` and its L1 change; whether iteration stops there (a positive
    /// `tolerance` reached: `delta < limit`, the tolerance × n).
    pub(crate) fn finish_iteration(
        &mut self,
        it: usize,
        delta: f64,
        tolerance: f64,
        limit: f64,
    ) -> bool {
        self.iterations = it;
        self.delta = delta;
        self.converged = tolerance > 0.0 && delta < limit;
        self.converged
    }
}

/// PageRank in `f64`; see [`PageRankOptions`]. Does not error on non-convergence: check
/// [`pagerank_with`]'s `converged` if it matters.
pub fn pagerank(g: &Csr, opts: &PageRankOptions) -> Result<Vec<f64>> {
    Ok(pagerank_with::<f64>(g, opts)?.scores)
}

/// Personalized PageRank: teleport (and dangling mass) only to `seeds`, uniformly — trust
/// propagation from a seed set (TrustRank, Gyöngyi et al. 2004). Repeated seeds count once.
/// Overrides `opts.personalization`.
pub fn personalized_pagerank(g: &Csr, seeds: &[u32], opts: &PageRankOptions) -> Result<Vec<f64>> {
    let p = seed_vector(g.n(), seeds)?;
    let opts = PageRankOptions {
        personalization: Some(p),
        ..opts.clone()
    };
    pagerank(g, &opts)
}

/// The indicator vector of a seed set, for [`PageRankOptions::personalization`].
pub fn seed_vector(n: u32, seeds: &[u32]) -> Result<Vec<f64>> {
    if seeds.is_empty() {
        return Err(GraphError::Invalid(
            "personalized PageRank needs at least one seed".into(),
        ));
    }
    let mut p = vec![0.0; n as usize];
    for &s in seeds {
        if s >= n {
            return Err(GraphError::Invalid(format!(
                "seed {s} is not a node (n = {n})"
            )));
        }
        p[s as usize] = 1.0;
    }
    Ok(p)
}

/// A teleport-like vector normalised to sum 1, or uniform.
enum Dist<T> {
    Uniform(T),
    Vector(Vec<T>),
}

impl<T: Real> Dist<T> {
    fn new(v: Option<&[f64]>, n: usize, what: &str) -> Result<Dist<T>> {
        let Some(v) = v else {
            return Ok(Dist::Uniform(T::from_f64(1.0 / n as f64)));
        };
        if v.len() != n {
            return Err(GraphError::Invalid(format!(
                "{what} vector has {} entries for {n} nodes",
                v.len()
            )));
        }
        if v.iter().any(|x| !x.is_finite() || *x < 0.0) {
            return Err(GraphError::Invalid(format!(
                "{what} vector has a negative or non-finite entry"
            )));
        }
        let s: f64 = v.iter().sum();
        if s <= 0.0 {
            return Err(GraphError::Invalid(format!("{what} vector sums to zero")));
        }
        Ok(Dist::Vector(v.iter().map(|x| T::from_f64(x / s)).collect()))
    }

    #[inline(always)]
    fn at(&self, v: usize) -> T {
        match self {
            Dist::Uniform(c) => *c,
            Dist::Vector(p) => p[v],
        }
    }
}

/// For the tests of the f32 kernels: `got` within 1e-5 relative of the pull kernel's `want`
/// on every node, and the same top 100 in the same order.
#[cfg(test)]
pub(crate) fn assert_f32_like_pull(got: &[f32], want: &[f32]) {
    let worst = got
        .iter()
        .zip(want)
        .map(|(a, b)| ((a - b) / b).abs())
        .fold(0.0, f32::max);
    assert!(worst < 1e-5, "relative difference {worst:e}");
    let top = |s: &[f32]| {
        let mut ids: Vec<usize> = (0..s.len()).collect();
        ids.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
        ids.truncate(100);
        ids
    };
    assert_eq!(top(got), top(want));
}

/// The iteration of the kernels that sum every node's in-edges by a layout of their own
/// (`propagate(contrib, acc)` adds each node's in-edge contributions into `acc[node]`): the
/// same options, stopping rule and passes as [`pagerank_with`], the sums in the layout's
/// order (scores agree to rounding). Options a layout does not cover (a personalization or
/// dangling vector, edge weights), and the empty graph, run [`pagerank_with`].
fn pagerank_by_layout<T: Real>(
    g: &Csr,
    opts: &PageRankOptions,
    mut propagate: impl FnMut(&[T], &mut [T]),
) -> Result<PageRank<T>> {
    let weighted = opts.weighted && g.in_adj().weights().is_some();
    if g.n() == 0 || opts.personalization.is_some() || opts.dangling.is_some() || weighted {
        return pagerank_with(g, opts);
    }
    check_options(opts)?;
    let n = g.n() as usize;
    let inv: Vec<T> = inverse_out_weights(g, false);
    let d = T::from_f64(opts.damping);
    let uniform = T::from_f64(1.0 / n as f64);
    let teleport = T::from_f64(1.0 - opts.damping) * uniform;
    let mut x: Vec<T> = vec![uniform; n];
    let mut contrib: Vec<T> = x.par_iter().zip(&inv).map(|(&a, &b)| a * b).collect();
    let mut dangling_sum: f64 = inv
        .iter()
        .filter(|&&i| i == T::ZERO)
        .map(|_| uniform.to_f64())
        .sum();
    let mut acc: Vec<T> = vec![T::ZERO; n];
    // Streaming passes over the nodes in fixed ranges (not per thread), their sums added in
    // range order: the same bits on any run and any thread count.
    let chunk = 1 << 14;
    let limit = opts.tolerance * n as f64;
    let mut out = PageRank::not_started();
    for it in 1..=opts.max_iterations {
        propagate(&contrib, &mut acc);
        let c = d * T::from_f64(dangling_sum) * uniform + teleport;
        let track = opts.tolerance > 0.0 || it == opts.max_iterations;
        let settled: Vec<Settled> = x
            .par_chunks_mut(chunk)
            .zip(contrib.par_chunks_mut(chunk))
            .zip(acc.par_chunks_mut(chunk))
            .zip(inv.par_chunks(chunk))
            .map(|(((xs, cs), sums), ivs)| {
                let mut settled = Settled::default();
                for (((xv, cv), sv), &iv) in xs.iter_mut().zip(cs).zip(sums).zip(ivs) {
                    let nv = d * *sv + c;
                    *sv = T::ZERO;
                    settled.set(nv, xv, cv, iv, track);
                }
                settled
            })
            .collect();
        let (delta, next_dangling) = totals(&settled);
        dangling_sum = next_dangling;
        if out.finish_iteration(it, delta, opts.tolerance, limit) {
            break;
        }
    }
    out.scores = x;
    Ok(out)
}

/// PageRank with scores of type `T` (`f32` for speed, `f64` for precision).
pub fn pagerank_with<T: Real>(g: &Csr, opts: &PageRankOptions) -> Result<PageRank<T>> {
    g.check_nodes()?;
    let n = g.n() as usize;
    check_options(opts)?;
    if n == 0 {
        return Ok(PageRank {
            scores: Vec::new(),
            iterations: 0,
            delta: 0.0,
            converged: true,
        });
    }
    let tele: Dist<T> = Dist::new(opts.personalization.as_deref(), n, "personalization")?;
    let dang: Dist<T> = match &opts.dangling {
        Some(d) => Dist::new(Some(d), n, "dangling")?,
        None => match &tele {
            Dist::Uniform(c) => Dist::Uniform(*c),
            Dist::Vector(p) => Dist::Vector(p.clone()),
        },
    };
    let adj = g.in_adj();
    let weights = if opts.weighted { adj.weights() } else { None };
    let inv: Vec<T> = inverse_out_weights(g, weights.is_some());
    let d = T::from_f64(opts.damping);
    let teleport_share = T::from_f64(1.0 - opts.damping);
    let mut x: Vec<T> = vec![T::from_f64(1.0 / n as f64); n];
    let mut contrib: Vec<T> = x.par_iter().zip(&inv).map(|(&a, &b)| a * b).collect();
    let mut next_contrib: Vec<T> = vec![T::ZERO; n];
    let mut dangling_sum: f64 = x
        .iter()
        .zip(&inv)
        .filter(|(_, &i)| i == T::ZERO)
        .map(|(a, _)| a.to_f64())
        .sum();
    let offsets = adj.offsets();
    let sources = adj.targets();
    let bounds = node_ranges(offsets, BLOCK_EDGES, BLOCK_NODES);
    let segments = short_runs(offsets, &bounds, MIN_RUN);
    let limit = opts.tolerance * n as f64;
    let mut out = PageRank::not_started();
    for it in 1..=opts.max_iterations {
        let spread = d * T::from_f64(dangling_sum);
        let contrib_ref: &[T] = &contrib;
        // With no tolerance the change is only reported, after the last iteration.
        let track = opts.tolerance > 0.0 || it == opts.max_iterations;
        // One node's new score from its in-edges; the teleport and dangling terms are a
        // constant when both vectors are uniform (the common case), so hoist them.
        let (delta, next_dangling) = match (&dang, &tele, weights) {
            (Dist::Uniform(a), Dist::Uniform(b), None) => {
                let scorer = ShortRuns {
                    segments: &segments,
                    contrib: contrib_ref,
                    sources,
                    offsets,
                    d,
                    c: spread * *a + teleport_share * *b,
                };
                sweep(&bounds, &mut x, &mut next_contrib, &inv, track, &scorer)
            }
            (Dist::Uniform(a), Dist::Uniform(b), _) => {
                let c = spread * *a + teleport_share * *b;
                sweep(
                    &bounds,
                    &mut x,
                    &mut next_contrib,
                    &inv,
                    track,
                    &PerNode(|v| d * gather(contrib_ref, sources, weights, offsets, v) + c),
                )
            }
            _ => sweep(
                &bounds,
                &mut x,
                &mut next_contrib,
                &inv,
                track,
                &PerNode(|v| {
                    d * gather(contrib_ref, sources, weights, offsets, v)
                        + spread * dang.at(v)
                        + teleport_share * tele.at(v)
                }),
            ),
        };
        std::mem::swap(&mut contrib, &mut next_contrib);
        dangling_sum = next_dangling;
        if out.finish_iteration(it, delta, opts.tolerance, limit) {
            break;
        }
    }
    out.scores = x;
    Ok(out)
}

/// The damping and tolerance are in range.
fn check_options(opts: &PageRankOptions) -> Result<()> {
    if !(0.0..=1.0).contains(&opts.damping) {
        return Err(GraphError::Invalid(format!(
            "damping must be in [0, 1], not {}",
            opts.damping
        )));
    }
    if opts.tolerance.is_nan() || opts.tolerance < 0.0 {
        return Err(GraphError::Invalid("tolerance must be ≥ 0".into()));
    }
    Ok(())
}

/// 1 / out-weight (out-degree when not `weighted`) of every node, 0 for dangling nodes.
fn inverse_out_weights<T: Real>(g: &Csr, weighted: bool) -> Vec<T> {
    if weighted {
        g.out_weights()
            .into_par_iter()
            .map(|w| {
                if w > 0.0 {
                    T::from_f64(1.0 / w)
                } else {
                    T::ZERO
                }
            })
            .collect()
    } else {
        (0..g.n())
            .into_par_iter()
            .map(|v| match g.out_degree(v) {
                0 => T::ZERO,
                d => T::from_f64(1.0 / d as f64),
            })
            .collect()
    }
}

/// The new scores of the nodes of one work unit, in order.
trait Scorer<T>: Sync {
    /// Calls `f` with the new score of every node of work unit `part` (`start..end`).
    fn scores(&self, part: usize, start: usize, end: usize, f: impl FnMut(T));
}

/// Any score function, node by node.
struct PerNode<F>(F);

impl<T, F: Fn(usize) -> T + Sync> Scorer<T> for PerNode<F> {
    #[inline(always)]
    fn scores(&self, _: usize, start: usize, end: usize, mut f: impl FnMut(T)) {
        (start..end).for_each(|v| f((self.0)(v)));
    }
}

/// Unweighted edges, uniform teleport and dangling vectors (the common case): `d × Σ contrib +
/// c`, with runs of nodes of equal short in-degree summed by code for that degree.
struct ShortRuns<'a, T> {
    segments: &'a [Vec<(usize, usize, usize)>],
    contrib: &'a [T],
    sources: &'a [u32],
    offsets: &'a [u64],
    d: T,
    c: T,
}

impl<T: Real> Scorer<T> for ShortRuns<'_, T> {
    #[inline(always)]
    fn scores(&self, part: usize, _: usize, _: usize, mut f: impl FnMut(T)) {
        let (d, c) = (self.d, self.c);
        for &(start, end, degree) in &self.segments[part] {
            if degree == GENERAL {
                for v in start..end {
                    f(d * gather(self.contrib, self.sources, None, self.offsets, v) + c);
                }
                continue;
            }
            let lists = &self.sources[self.offsets[start] as usize..self.offsets[end] as usize];
            match degree {
                0 => (start..end).for_each(|_| f(c)),
                1 => fixed::<T, 1>(lists, self.contrib, d, c, &mut f),
                2 => fixed::<T, 2>(lists, self.contrib, d, c, &mut f),
                3 => fixed::<T, 3>(lists, self.contrib, d, c, &mut f),
                4 => fixed::<T, 4>(lists, self.contrib, d, c, &mut f),
                5 => fixed::<T, 5>(lists, self.contrib, d, c, &mut f),
                6 => fixed::<T, 6>(lists, self.contrib, d, c, &mut f),
                7 => fixed::<T, 7>(lists, self.contrib, d, c, &mut f),
                _ => fixed::<T, SHORT>(lists, self.contrib, d, c, &mut f),
            }
        }
    }
}

/// `d × Σ + c` for consecutive lists of exactly `K` sources each.
#[inline(always)]
fn fixed<T: Real, const K: usize>(lists: &[u32], contrib: &[T], d: T, c: T, f: &mut impl FnMut(T)) {
    for list in lists.as_chunks::<K>().0 {
        f(d * sum_sources(contrib, list) + c);
    }
}

/// Splits every work unit into runs of at least `min_run` nodes with the same in-degree ≤
/// [`SHORT`] and [`GENERAL`] stretches (everything else, merged), as `(start, end, degree)`.
/// Nodes ordered by in-degree (the loader's default) make the runs long: three quarters of an
/// R-MAT graph's nodes have in-degree ≤ 8, and in a run no offsets are read and no loop exit has
/// to be predicted per node. The minimum keeps an unordered graph at a few bytes per node.
fn short_runs(
    offsets: &[u64],
    bounds: &[usize],
    min_run: usize,
) -> Vec<Vec<(usize, usize, usize)>> {
    let close = |segments: &mut Vec<(usize, usize, usize)>, start: usize, end: usize, degree| {
        let degree = if end - start < min_run {
            GENERAL
        } else {
            degree
        };
        match segments.last_mut() {
            Some(last) if last.2 == GENERAL && degree == GENERAL => last.1 = end,
            _ => segments.push((start, end, degree)),
        }
    };
    bounds
        .windows(2)
        .map(|w| {
            let mut segments = Vec::new();
            let mut run = (w[0], GENERAL);
            for v in w[0]..w[1] {
                let degree = match (offsets[v + 1] - offsets[v]) as usize {
                    k if k <= SHORT => k,
                    _ => GENERAL,
                };
                if degree != run.1 {
                    if v > run.0 {
                        close(&mut segments, run.0, v, run.1);
                    }
                    run = (v, degree);
                }
            }
            if w[1] > run.0 {
                close(&mut segments, run.0, w[1], run.1);
            }
            segments
        })
        .collect()
}

/// One fused pass over every block: `scorer` gives each node's new score; writes it into `x`,
/// its next contribution into `next`, and returns the L1 change (0 unless `track`) and the next
/// dangling mass.
#[inline(always)]
fn sweep<T: Real>(
    bounds: &[usize],
    x: &mut [T],
    next: &mut [T],
    inv: &[T],
    track: bool,
    scorer: &impl Scorer<T>,
) -> (f64, f64) {
    let mut parts = Vec::with_capacity(bounds.len());
    let (mut xr, mut nr) = (x, next);
    for w in bounds.windows(2) {
        let (xa, xb) = xr.split_at_mut(w[1] - w[0]);
        let (na, nb) = nr.split_at_mut(w[1] - w[0]);
        parts.push((w[0], xa, na));
        (xr, nr) = (xb, nb);
    }
    let settled: Vec<Settled> = parts
        .into_par_iter()
        .enumerate()
        .map(|(part, (base, xs, cs))| {
            let mut settled = Settled::default();
            let ivs = &inv[base..base + xs.len()];
            let end = base + xs.len();
            let mut slots = xs.iter_mut().zip(cs.iter_mut()).zip(ivs);
            scorer.scores(part, base, end, |nv| {
                let Some(((xv, cv), &iv)) = slots.next() else {
                    return;
                };
                settled.set(nv, xv, cv, iv, track);
            });
            settled
        })
        .collect();
    totals(&settled)
}

/// What the nodes of one part left for the iteration's bookkeeping: the L1 change of their
/// scores (when tracked) and the new scores of the dangling ones (the next dangling mass).
#[derive(Clone, Copy, Default)]
struct Settled {
    delta: f64,
    dangling: f64,
}

impl Settled {
    /// Writes node's new score `nv` over `x`, its contribution `nv · inv` over `c`, and counts it.
    #[inline(always)]
    fn set<T: Real>(&mut self, nv: T, x: &mut T, c: &mut T, inv: T, track: bool) {
        if track {
            self.delta += (nv - *x).abs().to_f64();
        }
        *x = nv;
        *c = nv * inv;
        if inv == T::ZERO {
            self.dangling += nv.to_f64();
        }
    }
}

/// The parts' (change, dangling mass), added in part order — not as work stealing split them,
/// so the same bits on any run and any number of threads.
fn totals(parts: &[Settled]) -> (f64, f64) {
    parts
        .iter()
        .fold((0.0, 0.0), |a, s| (a.0 + s.delta, a.1 + s.dangling))
}

/// A source id in an in-edge list: a node id (`u32`), or an offset into a segment of the
/// blocked layout (`u16`).
trait SourceId: Copy {
    fn index(self) -> usize;
}

impl SourceId for u32 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

impl SourceId for u16 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

/// `Σ contrib[u]` over `sources`, in four independent sums so a hub's long list is not one
/// serial chain of dependent adds.
#[inline(always)]
fn sum_sources<T: Real, I: SourceId>(contrib: &[T], sources: &[I]) -> T {
    // SAFETY: every source indexes `contrib`: a `Csr` only holds neighbour ids < n (checked by
    // each of its constructors, see `Csr`) and `contrib` has n entries; a blocked segment's
    // offsets are below its length (they are ids of the segment minus its base), and `contrib`
    // is the segment's slice; the folded kernel's sources are ids in R below its count of
    // sources, and its `contrib` has an entry per node of R (`folded.rs`).
    let at = |u: I| unsafe { *contrib.get_unchecked(u.index()) };
    let mut acc = [T::ZERO; 4];
    let mut it = sources.chunks_exact(4);
    for c in &mut it {
        acc[0] += at(c[0]);
        acc[1] += at(c[1]);
        acc[2] += at(c[2]);
        acc[3] += at(c[3]);
    }
    for &u in it.remainder() {
        acc[0] += at(u);
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// `Σ contrib[u] (× weight)` over `v`'s in-edges.
#[inline(always)]
fn gather<T: Real>(
    contrib: &[T],
    sources: &[u32],
    weights: Option<&[f32]>,
    offsets: &[u64],
    v: usize,
) -> T {
    let (lo, hi) = (offsets[v] as usize, offsets[v + 1] as usize);
    let srcs = &sources[lo..hi];
    let Some(w) = weights else {
        return sum_sources(contrib, srcs);
    };
    // SAFETY: as in `sum_sources`.
    let at = |u: u32| unsafe { *contrib.get_unchecked(u as usize) };
    let mut acc = [T::ZERO; 4];
    let ws = &w[lo..hi];
    let mut it = srcs.chunks_exact(4).zip(ws.chunks_exact(4));
    for (c, k) in &mut it {
        acc[0] += at(c[0]) * T::from_f32(k[0]);
        acc[1] += at(c[1]) * T::from_f32(k[1]);
        acc[2] += at(c[2]) * T::from_f32(k[2]);
        acc[3] += at(c[3]) * T::from_f32(k[3]);
    }
    let tail = srcs.len() / 4 * 4;
    for (&u, &k) in srcs[tail..].iter().zip(&ws[tail..]) {
        acc[0] += at(u) * T::from_f32(k);
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// Asserts that `run` gives the same bits on 2 and 3 threads as on 1: the kernels sum in fixed
/// ranges and add the ranges in order, whatever the threads.
#[cfg(test)]
pub(crate) fn assert_same_bits_on_any_thread_count(run: impl Fn() -> Vec<f64> + Sync) {
    let on = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(&run)
    };
    let one = on(1);
    for threads in [2, 3] {
        assert!(
            on(threads)
                .iter()
                .zip(&one)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{threads} threads"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::EdgeList;

    #[test]
    fn short_runs_cover_every_node_once() {
        // In-degrees 0 0 1 1 9 2 | 2 2 5: two work units.
        let mut offsets = vec![0u64];
        for k in [0, 0, 1, 1, 9, 2, 2, 2, 5] {
            offsets.push(offsets.last().unwrap() + k);
        }
        let bounds = [0, 6, 9];
        assert_eq!(
            short_runs(&offsets, &bounds, 1),
            [
                vec![(0, 2, 0), (2, 4, 1), (4, 5, GENERAL), (5, 6, 2)],
                vec![(6, 8, 2), (8, 9, 5)]
            ]
        );
        // Runs below the minimum join the stretches summed node by node.
        assert_eq!(
            short_runs(&offsets, &bounds, 2),
            [
                vec![(0, 2, 0), (2, 4, 1), (4, 6, GENERAL)],
                vec![(6, 8, 2), (8, 9, GENERAL)]
            ]
        );
        assert_eq!(
            short_runs(&offsets, &bounds, 16),
            [vec![(0, 6, GENERAL)], vec![(6, 9, GENERAL)]]
        );
    }

    /// The blocked kernel runs the same iteration as the pull kernel: with any segment width
    /// (one segment, many, one source each) the scores agree to rounding, iteration counts and
    /// convergence are the same, and a layout of another graph is refused.
    #[test]
    fn blocked_kernel_matches_the_pull_kernel() {
        use crate::rmat::Rmat;
        let g = Rmat::graph500(12, 8, 3).unwrap().pull_graph().unwrap();
        for opts in [
            PageRankOptions {
                tolerance: 0.0,
                max_iterations: 20,
                ..Default::default()
            },
            PageRankOptions {
                tolerance: 1e-12,
                max_iterations: 1000,
                ..Default::default()
            },
        ] {
            let want = pagerank_with::<f64>(&g, &opts).unwrap();
            for bits in [1, 5, 9, 16] {
                let b = Blocked::with_segment_bits(&g, bits).unwrap();
                assert_eq!(b.segments(), (g.n() as usize).div_ceil(1 << bits));
                assert!(b.pairs() <= g.m() as usize);
                let got = pagerank_blocked::<f64>(&g, &b, &opts).unwrap();
                assert_eq!(got.iterations, want.iterations, "{bits} bits");
                assert_eq!(got.converged, want.converged, "{bits} bits");
                let worst = got
                    .scores
                    .iter()
                    .zip(&want.scores)
                    .map(|(a, b)| ((a - b) / b).abs())
                    .fold(0.0, f64::max);
                assert!(worst < 1e-12, "{bits} bits: relative difference {worst:e}");
            }
        }
        // The same bits on any thread count (sums in fixed ranges, added in order), on a graph
        // with more nodes than one range.
        let g = Rmat::graph500(15, 4, 3).unwrap().pull_graph().unwrap();
        let b = Blocked::with_segment_bits(&g, 12).unwrap();
        let opts = PageRankOptions::default();
        crate::pagerank::assert_same_bits_on_any_thread_count(|| {
            pagerank_blocked::<f64>(&g, &b, &opts).unwrap().scores
        });
        let other = Rmat::graph500(11, 8, 3).unwrap().pull_graph().unwrap();
        let b = Blocked::with_segment_bits(&other, 8).unwrap();
        assert!(pagerank_blocked::<f32>(&g, &b, &PageRankOptions::default()).is_err());
        assert!(Blocked::with_segment_bits(&g, 17).is_err());
        assert!(Blocked::with_segment_bits(&g, 0).is_err());
    }

    #[test]
    fn cycle_is_uniform_and_star_center_wins() {
        let g = Csr::from_edges(&EdgeList::from_pairs(&[(0, 1), (1, 2), (2, 0)])).unwrap();
        let pr = pagerank(&g, &PageRankOptions::default()).unwrap();
        for s in &pr {
            assert!((s - 1.0 / 3.0).abs() < 1e-9);
        }
        let g = Csr::from_edges(&EdgeList::from_pairs(&[(1, 0), (2, 0), (3, 0)])).unwrap();
        let pr = pagerank(&g, &PageRankOptions::default()).unwrap();
        assert!((pr.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(pr[0] > pr[1] && (pr[1] - pr[3]).abs() < 1e-12);
    }

    #[test]
    fn personalized_mass_stays_near_seeds() {
        // 0 → 1 → 2, and 3 → 4 unconnected to the seed.
        let g = Csr::from_edges(&EdgeList::from_pairs(&[(0, 1), (1, 2), (3, 4)])).unwrap();
        let pr = personalized_pagerank(&g, &[0], &PageRankOptions::default()).unwrap();
        assert_eq!(pr[3], 0.0);
        assert_eq!(pr[4], 0.0);
        assert!(pr[0] > 0.0 && pr[1] > 0.0 && pr[2] > 0.0);
        assert!(personalized_pagerank(&g, &[9], &PageRankOptions::default()).is_err());
        assert!(personalized_pagerank(&g, &[], &PageRankOptions::default()).is_err());
    }
}
