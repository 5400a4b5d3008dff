//! Cache-blocked pull PageRank (CSR segmenting: Zhang, Kiriansky, Mendis, Zaharia & Amarasinghe,
//! "Making caches work for graph analytics", IEEE BigData 2017; the same goal as the propagation
//! blocking of Beamer, Asanović & Patterson, IPDPS 2017, without its per-iteration write of every
//! edge's contribution).
//!
//! The plain pull kernel gathers `contrib[u]` at random over all `n` sources; above a few hundred
//! thousand nodes those gathers miss the per-core L2 and wait on the shared L3 or DRAM. Here the
//! sources are cut into segments of `2^bits` consecutive ids whose contributions fit in half of
//! an L2 (256 KiB), and the in-edges are regrouped segment by segment: for each segment, the
//! destinations that have an in-edge from it (ascending) with those in-edges' sources as 16-bit
//! offsets into the segment. An iteration walks the segments one after the other, both threads
//! on the same segment (each on its own destinations), adding into one accumulator per node;
//! then one streaming pass turns the accumulators into scores and next contributions. Every
//! gather hits a segment that stays in L2, and an edge costs 2 bytes of stream instead of 4; a
//! destination pays 8 bytes (its id and list end) per segment it has in-edges from — few, as
//! the loader numbers nodes by degree, so most edges come from the first segments.

use super::{sum_sources, totals, PageRank, PageRankOptions, Settled};
use crate::buf::SyncPtr;
use crate::csr::{node_ranges, Csr};
use crate::real::Real;
use crate::{GraphError, Result};
use rayon::prelude::*;

/// Bytes of contributions per segment: half of this machine class's 512 KiB L2, so the
/// segment, the accumulators being written and the edge stream share it.
const SEGMENT_BYTES: usize = 256 << 10;
/// Destination ranges of the layout (about equal in-edges each): the work units of every
/// segment, so both threads stay busy on skewed segments.
const UNITS: u64 = 256;

/// In-edges of one segment of sources, grouped by destination.
#[derive(Debug, Default)]
struct Segment {
    /// First source id of the segment.
    base: usize,
    /// Number of sources in the segment.
    len: usize,
    /// Destinations with at least one in-edge from the segment, ascending.
    dst: Vec<u32>,
    /// End of each destination's sources in `src` (its start is the previous end, or 0).
    ends: Vec<u32>,
    /// Source ids minus `base`.
    src: Vec<u16>,
    /// Work units: boundaries in `dst` (empty units dropped).
    tiles: Vec<usize>,
}

/// A graph's in-edges regrouped by source segment, for [`pagerank_blocked`]. Built once per
/// graph (two passes over the in-adjacency) and reusable across runs and score types.
#[derive(Debug)]
pub struct Blocked {
    n: usize,
    m: u64,
    segments: Vec<Segment>,
}

impl Blocked {
    /// The layout with segments sized for `f32` scores (the CLI's default precision).
    pub fn new(g: &Csr) -> Result<Blocked> {
        Blocked::with_segment_bits(g, segment_bits::<f32>())
    }

    /// The layout with segments of `2^bits` sources (`1 ≤ bits ≤ 16`, so offsets fit 16 bits).
    pub fn with_segment_bits(g: &Csr, bits: u32) -> Result<Blocked> {
        if !(1..=16).contains(&bits) {
            return Err(GraphError::Invalid(format!(
                "segment bits must be in 1..=16, not {bits}"
            )));
        }
        g.check_nodes()?;
        let n = g.n() as usize;
        let adj = g.in_adj();
        let (offsets, sources) = (adj.offsets(), adj.targets());
        let width = 1usize << bits;
        let count = n.div_ceil(width).max(1);
        let units = node_ranges(offsets, (g.m() / UNITS).max(1024), usize::MAX);
        // Pass 1: per unit and segment, (destinations, edges).
        let tallies: Vec<Vec<(u32, u32)>> = units
            .par_windows(2)
            .map(|w| {
                let mut tally = vec![(0u32, 0u32); count];
                let mut last = vec![u32::MAX; count];
                for v in w[0]..w[1] {
                    for &u in &sources[offsets[v] as usize..offsets[v + 1] as usize] {
                        let s = (u >> bits) as usize;
                        tally[s].1 += 1;
                        if last[s] != v as u32 {
                            last[s] = v as u32;
                            tally[s].0 += 1;
                        }
                    }
                }
                tally
            })
            .collect();
        // Where each unit's part of each segment starts.
        let mut starts = vec![vec![(0usize, 0usize); count]; tallies.len()];
        let mut segments: Vec<Segment> = (0..count)
            .map(|s| {
                let (mut pairs, mut edges) = (0usize, 0usize);
                let mut tiles = vec![0];
                for (unit, tally) in tallies.iter().enumerate() {
                    starts[unit][s] = (pairs, edges);
                    pairs += tally[s].0 as usize;
                    edges += tally[s].1 as usize;
                    if pairs > *tiles.last().expect("starts with 0") {
                        tiles.push(pairs);
                    }
                }
                Segment {
                    base: s * width,
                    len: width.min(n - (s * width).min(n)),
                    dst: vec![0; pairs],
                    ends: vec![0; pairs],
                    src: vec![0; edges],
                    tiles,
                }
            })
            .collect();
        if segments.iter().any(|s| s.src.len() > u32::MAX as usize) {
            return Err(GraphError::Invalid(
                "a segment has more than 2^32 in-edges".into(),
            ));
        }
        // Pass 2: each unit writes its own (disjoint) ranges of every segment's arrays.
        let ptrs: Vec<(SyncPtr<u32>, SyncPtr<u32>, SyncPtr<u16>)> = segments
            .iter_mut()
            .map(|s| {
                (
                    SyncPtr(s.dst.as_mut_ptr()),
                    SyncPtr(s.ends.as_mut_ptr()),
                    SyncPtr(s.src.as_mut_ptr()),
                )
            })
            .collect();
        units
            .par_windows(2)
            .zip(starts.par_iter())
            .for_each(|(w, start)| {
                let mut pair_at: Vec<usize> = start.iter().map(|p| p.0).collect();
                let mut edge_at: Vec<usize> = start.iter().map(|p| p.1).collect();
                let mut last = vec![u32::MAX; count];
                let mut here = vec![0u32; count];
                let mut touched = Vec::new();
                for v in w[0]..w[1] {
                    let list = &sources[offsets[v] as usize..offsets[v + 1] as usize];
                    for &u in list {
                        let s = (u >> bits) as usize;
                        if last[s] != v as u32 {
                            last[s] = v as u32;
                            here[s] = 0;
                            touched.push(s);
                        }
                        here[s] += 1;
                    }
                    // `here[s]` becomes where v's next source of segment s goes.
                    for &s in &touched {
                        let (dst, ends, _) = ptrs[s];
                        let end = edge_at[s] + here[s] as usize;
                        // SAFETY: pass 1 counted exactly these pairs and edges for this unit
                        // and segment, and `starts` gives every unit disjoint ranges.
                        unsafe {
                            dst.write(pair_at[s], v as u32);
                            ends.write(pair_at[s], end as u32);
                        }
                        pair_at[s] += 1;
                        here[s] = edge_at[s] as u32;
                        edge_at[s] = end;
                    }
                    for &u in list {
                        let s = (u >> bits) as usize;
                        // SAFETY: as above; `here[s]` stays below the end written for v.
                        unsafe {
                            ptrs[s]
                                .2
                                .write(here[s] as usize, (u as usize - s * width) as u16)
                        };
                        here[s] += 1;
                    }
                    touched.clear();
                }
            });
        Ok(Blocked {
            n,
            m: g.m(),
            segments,
        })
    }

    /// Number of source segments.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// (destination, segment) pairs: the layout's per-destination overhead, 8 bytes each.
    pub fn pairs(&self) -> usize {
        self.segments.iter().map(|s| s.dst.len()).sum()
    }

    /// Bytes held by the layout.
    pub fn bytes(&self) -> usize {
        self.segments
            .iter()
            .map(|s| s.dst.len() * 8 + s.src.len() * 2 + s.tiles.len() * 8)
            .sum()
    }
}

/// Source bits per segment for scores of type `T`: [`SEGMENT_BYTES`] of contributions.
pub fn segment_bits<T>() -> u32 {
    (SEGMENT_BYTES / std::mem::size_of::<T>()).ilog2().min(16)
}

/// PageRank of `g` over its blocked layout `b` (built from `g`): the same iteration as
/// [`super::pagerank_with`] — same options, same stopping rule — with the in-edges summed segment
/// by segment, so each node's sum is added in another order (scores agree to rounding). Options
/// the layout does not cover (a personalization or dangling vector, edge weights) run the plain
/// pull kernel.
pub fn pagerank_blocked<T: Real>(
    g: &Csr,
    b: &Blocked,
    opts: &PageRankOptions,
) -> Result<PageRank<T>> {
    if b.n != g.n() as usize || b.m != g.m() {
        return Err(GraphError::Invalid(
            "the blocked layout was built from another graph".into(),
        ));
    }
    let weighted = opts.weighted && g.in_adj().weights().is_some();
    if opts.personalization.is_some() || opts.dangling.is_some() || weighted {
        return super::pagerank_with(g, opts);
    }
    super::check_options(opts)?;
    let n = b.n;
    if n == 0 {
        return Ok(PageRank {
            scores: Vec::new(),
            iterations: 0,
            delta: 0.0,
            converged: true,
        });
    }
    let inv: Vec<T> = super::inverse_out_weights(g, false);
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
        let sums = SyncPtr(acc.as_mut_ptr());
        for seg in &b.segments {
            let cs = &contrib[seg.base..seg.base + seg.len];
            seg.tiles.par_windows(2).for_each(|w| {
                let mut start = if w[0] == 0 {
                    0
                } else {
                    seg.ends[w[0] - 1] as usize
                };
                for p in w[0]..w[1] {
                    let end = seg.ends[p] as usize;
                    let v = seg.dst[p] as usize;
                    // SAFETY: within one segment each destination appears once, in one tile;
                    // `v < n` (it came from the graph's node range).
                    unsafe { *sums.at(v) += sum_sources(cs, &seg.src[start..end]) };
                    start = end;
                }
            });
        }
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
        out.iterations = it;
        out.delta = delta;
        if opts.tolerance > 0.0 && delta < limit {
            out.converged = true;
            break;
        }
    }
    out.scores = x;
    Ok(out)
}
