//! Cache-blocked pull PageRank (CSR segmenting: Zhang, Kiriansky, Mendis, Zaharia & Amarasinghe,
//! "Making caches work for graph analytics", IEEE BigData 2017; the same goal as the propagation
//! blocking of Beamer, Asanović & Patterson, IPDPS 2017, without its per-iteration write of every
//! edge's contribution).
//!
//! The plain pull kernel gathers `contrib[u]` at random over all `n` sources; above a few hundred
//! thousand nodes those gathers miss the per-core L2 and wait on the shared L3 or DRAM. Here the
//! sources are cut into segments of `2^bits` consecutive ids whose contributions fit in a
//! quarter of an L2 (256 KiB), and the in-edges are regrouped segment by segment: for each segment, the
//! destinations that have an in-edge from it (ascending) with those in-edges' sources as 16-bit
//! offsets into the segment. An iteration walks the segments one after the other, both threads
//! on the same segment (each on its own destinations), adding into one accumulator per node;
//! then one streaming pass turns the accumulators into scores and next contributions. Every
//! gather hits a segment that stays in L2, and an edge costs 2 bytes of stream instead of 4; a
//! destination pays 4 bytes (its id) per segment it has in-edges from — few, as the loader
//! numbers nodes by degree, so most edges come from the first segments.
//!
//! Most of those (destination, segment) pairs have only a few in-edges (at R-MAT 20, 1.2 M pairs
//! for 16 M edges, 83 % of them with at most 8): summed one list after the other, every pair
//! ended in a mispredicted loop exit, which cost more than the gathers (BENCHMARKS.md, "Blocked
//! PageRank in runs of equal list length"). So each segment's destinations are ordered by their
//! list length (1, 2, …, 8, then longer, ascending ids within a length), and each run of equal
//! length is summed by code for that length, as the pull kernel does with runs of equal
//! in-degree; the longer lists are ordered by length too, so their loop exits mostly repeat the
//! previous one's and are predicted. Each list keeps its order and each accumulator its segment
//! order, so the scores are the same bits as summing pair by pair.

use super::gather::{add_lists, Gather};
use super::{sum_sources, PageRank, PageRankOptions, GENERAL, SHORT};
use crate::buf::SyncPtr;
use crate::csr::{node_ranges, Csr};
use crate::real::Real;
use crate::{GraphError, Result};
use rayon::prelude::*;
use std::any::TypeId;

/// Bytes of contributions per segment: a quarter of this machine's 1 MiB per-core L2, so the
/// segment, the accumulators being written and the edge stream share it; at most 2^16 sources
/// (16-bit offsets). 64 and 128 KiB segments measured no faster at R-MAT 20 and 22.
const SEGMENT_BYTES: usize = 256 << 10;
/// Work units of the layout (about equal in-edges each while it is built; about equal work
/// over all segments when it runs), so both threads stay busy on skewed segments.
const UNITS: u64 = 256;

/// In-edges of one segment of sources, grouped by destination, the destinations ordered by how
/// many in-edges they have from the segment (see [`Segment::group`]).
#[derive(Clone, Debug, Default)]
struct Segment {
    /// First source id of the segment.
    base: usize,
    /// Number of sources in the segment.
    len: usize,
    /// Destinations with at least one in-edge from the segment: run by run, ascending in a run
    /// (the longest lists' run by length, then id, unless built without `long_by_length`).
    dst: Vec<u32>,
    /// Source ids minus `base`, destination by destination in the order of `dst`.
    src: Vec<u16>,
    /// For the destinations of the [`GENERAL`] run only: the end of each one's sources in `src`
    /// (its start is the previous end, or the run's first edge).
    ends: Vec<u32>,
    /// Destinations with the same number of in-edges from the segment (1 to [`SHORT`]), then
    /// those with more: each run's lists are summed by code for their length, so no loop exit
    /// has to be predicted per destination.
    runs: Vec<Run>,
    /// Work units: (run, first destination, end) with indices into `dst`, about equal work each.
    tiles: Vec<(usize, usize, usize)>,
}

/// Consecutive destinations of a segment whose lists have the same length.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// The lists' length, or [`GENERAL`] (longer than [`SHORT`], lengths in `Segment::ends`).
    len: usize,
    /// The run's first destination in `Segment::dst`.
    start: usize,
    /// The run's first source in `Segment::src`.
    edge: usize,
}

/// The work of a destination of a segment beyond its in-edges (reading its id, adding into its
/// accumulator), in in-edges, for sizing work units.
const PAIR_COST: usize = 4;

impl Segment {
    /// Reorders the destinations (ascending, with `ends` over all of them) into runs of equal
    /// list length (the [`GENERAL`] run by length too when `long_by_length`, else by id), each
    /// destination's list unchanged, and cuts the runs into work units of about `budget`
    /// (in-edges plus [`PAIR_COST`] per destination).
    fn group(&mut self, budget: usize, long_by_length: bool) {
        let class = |len: usize| len.min(SHORT + 1) - 1;
        let span = |ends: &[u32], p: usize| {
            let start = if p == 0 { 0 } else { ends[p - 1] as usize };
            (start, ends[p] as usize)
        };
        let mut pairs = [0usize; SHORT + 1];
        let mut edges = [0usize; SHORT + 1];
        for p in 0..self.dst.len() {
            let (a, b) = span(&self.ends, p);
            pairs[class(b - a)] += 1;
            edges[class(b - a)] += b - a;
        }
        let mut runs = Vec::new();
        let (mut pair_at, mut edge_at) = ([0usize; SHORT + 1], [0usize; SHORT + 1]);
        let (mut p, mut e) = (0, 0);
        for c in 0..=SHORT {
            (pair_at[c], edge_at[c]) = (p, e);
            if pairs[c] > 0 {
                let len = if c < SHORT { c + 1 } else { GENERAL };
                runs.push(Run {
                    len,
                    start: p,
                    edge: e,
                });
            }
            p += pairs[c];
            e += edges[c];
        }
        let mut dst = vec![0u32; self.dst.len()];
        let mut src = vec![0u16; self.src.len()];
        let mut ends = Vec::with_capacity(pairs[SHORT]);
        let mut order: Vec<usize> = (0..self.dst.len()).collect();
        if long_by_length {
            // Stable: ascending ids within a length.
            order.sort_by_key(|&q| {
                let (a, b) = span(&self.ends, q);
                b - a
            });
        }
        for q in order {
            let v = self.dst[q];
            let (a, b) = span(&self.ends, q);
            let c = class(b - a);
            dst[pair_at[c]] = v;
            pair_at[c] += 1;
            src[edge_at[c]..edge_at[c] + b - a].copy_from_slice(&self.src[a..b]);
            edge_at[c] += b - a;
            if c == SHORT {
                ends.push(edge_at[c] as u32);
            }
        }
        let mut tiles = Vec::new();
        for (r, run) in runs.iter().enumerate() {
            let end = run.start
                + if run.len == GENERAL {
                    ends.len()
                } else {
                    pairs[run.len - 1]
                };
            let (mut first, mut work) = (run.start, 0);
            for q in run.start..end {
                work += PAIR_COST
                    + if run.len == GENERAL {
                        let i = q - run.start;
                        ends[i] as usize
                            - if i == 0 {
                                run.edge
                            } else {
                                ends[i - 1] as usize
                            }
                    } else {
                        run.len
                    };
                if work >= budget {
                    tiles.push((r, first, q + 1));
                    (first, work) = (q + 1, 0);
                }
            }
            if first < end {
                tiles.push((r, first, end));
            }
        }
        (self.dst, self.src, self.ends, self.runs, self.tiles) = (dst, src, ends, runs, tiles);
    }

    /// Adds each destination's sum over its in-edges from this segment (`contrib` is the
    /// segment's slice) into `sums`, work unit by work unit in parallel.
    #[inline(always)]
    fn add_into<T: Real>(&self, contrib: &[T], sums: SyncPtr<T>, gather: Gather) {
        let variant = gather != Gather::Scalar && TypeId::of::<T>() == TypeId::of::<f32>();
        self.tiles.par_iter().for_each(|&(r, first, end)| {
            let run = self.runs[r];
            let dst = &self.dst[first..end];
            if run.len == GENERAL {
                let i = first - run.start;
                let mut start = if i == 0 {
                    run.edge
                } else {
                    self.ends[i - 1] as usize
                };
                if variant {
                    // SAFETY: `T` is `f32` (checked above), so the casts keep type and length;
                    // `gather` is available (`Blocked::with_gather`); the lists' offsets are
                    // below the segment's length, `contrib`'s; each destination appears once
                    // in the segment, so in one tile.
                    unsafe {
                        let contrib = std::slice::from_raw_parts(
                            contrib.as_ptr().cast::<f32>(),
                            contrib.len(),
                        );
                        let sums = SyncPtr(sums.0.cast::<f32>());
                        add_lists(
                            gather,
                            dst,
                            &self.ends[i..i + dst.len()],
                            start,
                            &self.src,
                            contrib,
                            sums,
                        );
                    }
                    return;
                }
                for (&v, &stop) in dst.iter().zip(&self.ends[i..i + dst.len()]) {
                    let stop = stop as usize;
                    // SAFETY: within one segment each destination appears once, in one tile;
                    // `v < n` (it came from the graph's node range).
                    unsafe { *sums.at(v as usize) += sum_sources(contrib, &self.src[start..stop]) };
                    start = stop;
                }
                return;
            }
            let lists = &self.src[run.edge + (first - run.start) * run.len..];
            match run.len {
                1 => fixed::<T, 1>(dst, lists, contrib, sums),
                2 => fixed::<T, 2>(dst, lists, contrib, sums),
                3 => fixed::<T, 3>(dst, lists, contrib, sums),
                4 => fixed::<T, 4>(dst, lists, contrib, sums),
                5 => fixed::<T, 5>(dst, lists, contrib, sums),
                6 => fixed::<T, 6>(dst, lists, contrib, sums),
                7 => fixed::<T, 7>(dst, lists, contrib, sums),
                _ => fixed::<T, SHORT>(dst, lists, contrib, sums),
            }
        });
    }
}

/// Adds `Σ contrib[u]` over each destination's list of exactly `K` sources (`lists` starts
/// with the first destination's) into its accumulator.
#[inline(always)]
fn fixed<T: Real, const K: usize>(dst: &[u32], lists: &[u16], contrib: &[T], sums: SyncPtr<T>) {
    for (&v, list) in dst.iter().zip(lists.as_chunks::<K>().0) {
        // SAFETY: as in `Segment::add_into`.
        unsafe { *sums.at(v as usize) += sum_sources(contrib, list) };
    }
}

/// A graph's in-edges regrouped by source segment, for [`pagerank_blocked`]. Built once per
/// graph (two passes over the in-adjacency) and reusable across runs and score types.
#[derive(Clone, Debug)]
pub struct Blocked {
    n: usize,
    m: u64,
    segments: Vec<Segment>,
    /// How `f32` runs sum the lists of more than [`SHORT`] sources.
    gather: Gather,
}

impl Blocked {
    /// The layout with segments sized for `f32` scores (the CLI's default precision).
    pub fn new(g: &Csr) -> Result<Blocked> {
        Blocked::with_segment_bits(g, segment_bits::<f32>())
    }

    /// The layout with segments of `2^bits` sources (`1 ≤ bits ≤ 16`, so offsets fit 16 bits).
    pub fn with_segment_bits(g: &Csr, bits: u32) -> Result<Blocked> {
        Blocked::with_layout(g, bits, bits, true)
    }

    /// The layout with segments of `2^bits` sources, the first one cut in two: its first
    /// `2^hot_bits` sources (the busiest, as the loader numbers nodes by degree) apart, so
    /// their gathers hit L1 (`1 ≤ hot_bits ≤ bits ≤ 16`; `hot_bits == bits` is no cut). Measured
    /// no faster than no cut at R-MAT 20 and 22 (the extra pairs cost what L1 saves;
    /// BENCHMARKS.md, "PageRank against the memory floor, session 11").
    pub fn with_hot_tier(g: &Csr, bits: u32, hot_bits: u32) -> Result<Blocked> {
        Blocked::with_layout(g, bits, hot_bits, true)
    }

    /// [`Blocked::with_hot_tier`], and with `long_by_length` (the default) the lists longer
    /// than [`SHORT`] ordered by length too (ascending ids within a length) instead of by id:
    /// the same bits (each list and each accumulator's order unchanged), fewer mispredicted
    /// loop exits (BENCHMARKS.md, "PageRank against the memory floor, session 11"); `false` is
    /// the layout before, for probes.
    #[doc(hidden)]
    pub fn with_layout(g: &Csr, bits: u32, hot_bits: u32, long_by_length: bool) -> Result<Blocked> {
        if !(1..=16).contains(&bits) || !(1..=bits).contains(&hot_bits) {
            return Err(GraphError::Invalid(format!(
                "segment bits must be in 1..=16 and hot bits in 1..=bits, not {bits} and {hot_bits}"
            )));
        }
        g.check_nodes()?;
        let n = g.n() as usize;
        let adj = g.in_adj();
        let (offsets, sources) = (adj.offsets(), adj.targets());
        let width = 1usize << bits;
        let hot = 1usize << hot_bits;
        // Segment s starts at bases[s]; with a hot tier, segment 0 is [0, hot) and 1 is
        // [hot, width), then one per `width` sources.
        let split = usize::from(hot < width && hot < n);
        let mut bases: Vec<usize> = (0..n.div_ceil(width).max(1)).map(|k| k * width).collect();
        if split == 1 {
            bases.insert(1, hot);
        }
        let count = bases.len();
        let seg_of = move |u: u32| {
            let u = u as usize;
            (u >> bits) + split * usize::from(u >= hot)
        };
        let units = node_ranges(offsets, (g.m() / UNITS).max(1024), usize::MAX);
        // Pass 1: per unit and segment, (destinations, edges).
        let tallies: Vec<Vec<(u32, u32)>> = units
            .par_windows(2)
            .map(|w| {
                let mut tally = vec![(0u32, 0u32); count];
                let mut last = vec![u32::MAX; count];
                for v in w[0]..w[1] {
                    for &u in &sources[offsets[v] as usize..offsets[v + 1] as usize] {
                        let s = seg_of(u);
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
                for (unit, tally) in tallies.iter().enumerate() {
                    starts[unit][s] = (pairs, edges);
                    pairs += tally[s].0 as usize;
                    edges += tally[s].1 as usize;
                }
                let end = bases.get(s + 1).copied().unwrap_or(n.max(bases[s]));
                Segment {
                    base: bases[s],
                    len: end - bases[s],
                    dst: vec![0; pairs],
                    ends: vec![0; pairs],
                    src: vec![0; edges],
                    ..Segment::default()
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
                        let s = seg_of(u);
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
                        let s = seg_of(u);
                        // SAFETY: as above; `here[s]` stays below the end written for v.
                        unsafe {
                            ptrs[s]
                                .2
                                .write(here[s] as usize, (u as usize - bases[s]) as u16)
                        };
                        here[s] += 1;
                    }
                    touched.clear();
                }
            });
        let pairs: usize = segments.iter().map(|s| s.dst.len()).sum();
        let budget = ((g.m() as usize + PAIR_COST * pairs) / UNITS as usize).max(4096);
        segments
            .par_iter_mut()
            .for_each(|s| s.group(budget, long_by_length));
        Ok(Blocked {
            n,
            m: g.m(),
            segments,
            gather: Gather::Scalar,
        })
    }

    /// The layout summing its long lists in `f32` by `gather` (a new layout takes
    /// [`Gather::Scalar`]); an error if this CPU lacks it.
    pub fn with_gather(mut self, gather: Gather) -> Result<Blocked> {
        if !gather.available() {
            return Err(GraphError::Invalid(format!(
                "this CPU cannot run the {gather:?} gathers"
            )));
        }
        self.gather = gather;
        Ok(self)
    }

    /// How `f32` runs sum the lists of more than 8 sources.
    pub fn gather(&self) -> Gather {
        self.gather
    }

    /// One propagation step: adds each node's `Σ contrib[u]` over its in-edges into its entry
    /// of `acc`, segment by segment (both have one entry per node).
    pub fn propagate<T: Real>(&self, contrib: &[T], acc: &mut [T]) {
        assert!(contrib.len() == self.n && acc.len() == self.n);
        let sums = SyncPtr(acc.as_mut_ptr());
        for seg in &self.segments {
            seg.add_into(&contrib[seg.base..seg.base + seg.len], sums, self.gather);
        }
    }

    /// For cost probes (`examples/pagerank_probe.rs`), not for scores: a copy holding only the
    /// segments in `keep`, each offset masked to its low `mask_bits` bits when given (so every
    /// gather hits the first `2^mask_bits` sources of its segment: the same loop with its
    /// gathers in L1). [`Blocked::propagate`] on it runs the same code on fewer or other
    /// addresses.
    #[doc(hidden)]
    pub fn probe_copy(&self, keep: std::ops::Range<usize>, mask_bits: Option<u32>) -> Blocked {
        let mut segments = self.segments[keep].to_vec();
        if let Some(bits) = mask_bits {
            let mask = ((1u32 << bits.min(16)) - 1) as u16;
            for s in &mut segments {
                s.src.iter_mut().for_each(|o| *o &= mask);
            }
        }
        Blocked {
            n: self.n,
            m: self.m,
            segments,
            gather: self.gather,
        }
    }

    /// In-edges held (all of the graph's unless this is a [`Blocked::probe_copy`]).
    pub fn edges(&self) -> usize {
        self.segments.iter().map(|s| s.src.len()).sum()
    }

    /// Number of source segments.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// (destination, segment) pairs: the layout's per-destination overhead (4 bytes each, 8 for
    /// those with more than 8 in-edges from the segment).
    pub fn pairs(&self) -> usize {
        self.segments.iter().map(|s| s.dst.len()).sum()
    }

    /// Bytes held by the layout.
    pub fn bytes(&self) -> usize {
        self.segments
            .iter()
            .map(|s| s.dst.len() * 4 + s.ends.len() * 4 + s.src.len() * 2 + s.tiles.len() * 24)
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
    super::pagerank_by_layout(g, opts, |contrib: &[T], acc: &mut [T]| {
        b.propagate(contrib, acc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pagerank::pagerank_with;
    use crate::rmat::Rmat;

    /// Every segment holds exactly the graph's in-edges from its sources, each destination's
    /// list in the graph's order, in a run of its length (runs by length, ascending
    /// destinations in a run, by length first with `long_by_length`), and the work units cover
    /// every destination once; with a hot tier too.
    #[test]
    fn segments_hold_every_in_edge_in_runs_of_equal_length() {
        let g = Rmat::graph500(12, 16, 5).unwrap().pull_graph().unwrap();
        let adj = g.in_adj();
        let (offsets, sources) = (adj.offsets(), adj.targets());
        for (bits, hot_bits, by_length) in [
            (1, 1, false),
            (4, 4, false),
            (8, 8, false),
            (11, 11, false),
            (16, 16, false),
            (8, 3, false),
            (16, 12, false),
            (8, 8, true),
            (16, 12, true),
        ] {
            let b = Blocked::with_layout(&g, bits, hot_bits, by_length).unwrap();
            let mut seen = 0;
            for seg in &b.segments {
                let mut lists = Vec::new();
                for (r, run) in seg.runs.iter().enumerate() {
                    let end = seg.runs.get(r + 1).map_or(seg.dst.len(), |next| next.start);
                    let mut edge = run.edge;
                    let mut last = None;
                    for p in run.start..end {
                        let stop = if run.len == GENERAL {
                            seg.ends[p - run.start] as usize
                        } else {
                            edge + run.len
                        };
                        let len = stop - edge;
                        assert!(if run.len == GENERAL {
                            len > SHORT
                        } else {
                            len == run.len
                        });
                        let key = (if by_length { len } else { 0 }, seg.dst[p]);
                        assert!(last < Some(key), "ascending ids (by length first) in a run");
                        last = Some(key);
                        lists.push((seg.dst[p], &seg.src[edge..stop]));
                        edge = stop;
                    }
                    if r + 1 < seg.runs.len() {
                        assert_eq!(edge, seg.runs[r + 1].edge);
                        assert!(seg.runs[r + 1].len > run.len);
                    } else {
                        assert_eq!(edge, seg.src.len());
                    }
                }
                lists.sort_by_key(|l| l.0);
                for (v, list) in lists {
                    let v = v as usize;
                    let want: Vec<u32> = sources[offsets[v] as usize..offsets[v + 1] as usize]
                        .iter()
                        .copied()
                        .filter(|&u| (seg.base..seg.base + seg.len).contains(&(u as usize)))
                        .collect();
                    let got: Vec<u32> = list
                        .iter()
                        .map(|&o| (seg.base + o as usize) as u32)
                        .collect();
                    assert_eq!(got, want, "{bits} bits, node {v}");
                    seen += want.len();
                }
                let mut covered: Vec<usize> = Vec::new();
                for &(r, first, end) in &seg.tiles {
                    assert!(first < end && seg.runs[r].start <= first);
                    assert!(end <= seg.runs.get(r + 1).map_or(seg.dst.len(), |n| n.start));
                    covered.extend(first..end);
                }
                assert_eq!(covered, (0..seg.dst.len()).collect::<Vec<_>>());
            }
            assert_eq!(seen, g.m() as usize, "{bits} bits");
        }
    }

    /// Ordering the long lists by length changes no bit of the scores, in `f32` and `f64`.
    #[test]
    fn long_lists_by_length_give_the_same_bits() {
        let g = Rmat::graph500(13, 16, 3).unwrap().pull_graph().unwrap();
        let opts = PageRankOptions {
            tolerance: 0.0,
            max_iterations: 20,
            ..Default::default()
        };
        for bits in [6, 10] {
            let by_id = Blocked::with_layout(&g, bits, bits, false).unwrap();
            let by_length = Blocked::with_layout(&g, bits, bits, true).unwrap();
            let reordered = |(x, y): (&Segment, &Segment)| x.dst != y.dst;
            assert!(by_id
                .segments
                .iter()
                .zip(&by_length.segments)
                .any(reordered));
            let a = pagerank_blocked::<f32>(&g, &by_id, &opts).unwrap().scores;
            let b = pagerank_blocked::<f32>(&g, &by_length, &opts)
                .unwrap()
                .scores;
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
            let a = pagerank_blocked::<f64>(&g, &by_id, &opts).unwrap().scores;
            let b = pagerank_blocked::<f64>(&g, &by_length, &opts)
                .unwrap()
                .scores;
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }

    /// Every gather variant this CPU runs gives the pull kernel's `f32` scores to rounding (the
    /// same top 100), the same bits on 1 and 3 threads and on a repeat; `Packed` the same bits
    /// as `Scalar` (the same order of additions); `f64` runs ignore the variant.
    #[test]
    fn every_gather_variant_agrees_with_the_pull_kernel_and_repeats() {
        let g = Rmat::graph500(14, 16, 4).unwrap().pull_graph().unwrap();
        let opts = PageRankOptions {
            tolerance: 0.0,
            max_iterations: 20,
            ..Default::default()
        };
        let pull = pagerank_with::<f32>(&g, &opts).unwrap().scores;
        // 10 bits: many segments, and lists of more than 8 sources in each.
        let layout = Blocked::with_segment_bits(&g, 10).unwrap();
        let run = |b: &Blocked, threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| pagerank_blocked::<f32>(&g, b, &opts).unwrap().scores)
        };
        let bits = |s: &[f32]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let scalar = run(&layout.clone().with_gather(Gather::Scalar).unwrap(), 2);
        let f64_scalar = pagerank_blocked::<f64>(&g, &layout, &opts).unwrap().scores;
        for gather in Gather::ALL {
            let Ok(b) = layout.clone().with_gather(gather) else {
                assert!(!gather.available());
                continue;
            };
            assert_eq!(b.gather(), gather);
            let got = run(&b, 1);
            crate::pagerank::assert_f32_like_pull(&got, &pull);
            assert_eq!(bits(&got), bits(&run(&b, 3)), "{gather:?}");
            assert_eq!(bits(&got), bits(&run(&b, 1)), "{gather:?}");
            if gather == Gather::Packed {
                assert_eq!(bits(&got), bits(&scalar));
            }
            let f64s = pagerank_blocked::<f64>(&g, &b, &opts).unwrap().scores;
            assert!(f64s
                .iter()
                .zip(&f64_scalar)
                .all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }

    /// In `f32` (the benchmark's precision) the blocked kernel's scores stay within 1e-5
    /// relative of the pull kernel's, node by node, and rank the top 100 nodes the same.
    #[test]
    fn f32_scores_agree_with_the_pull_kernel() {
        let g = Rmat::graph500(14, 16, 2).unwrap().pull_graph().unwrap();
        let opts = PageRankOptions {
            tolerance: 0.0,
            max_iterations: 20,
            ..Default::default()
        };
        let want = pagerank_with::<f32>(&g, &opts).unwrap().scores;
        let b = Blocked::new(&g).unwrap();
        let got = pagerank_blocked::<f32>(&g, &b, &opts).unwrap().scores;
        crate::pagerank::assert_f32_like_pull(&got, &want);
    }
}
