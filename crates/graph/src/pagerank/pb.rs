//! PageRank by propagation blocking (Beamer, Asanović & Patterson, "Reducing PageRank
//! communication via propagation blocking", IPDPS 2017), in its deterministic form (DPB): the
//! destinations of the edges are binned once, when the layout is built, and an iteration only
//! writes the contributions.
//!
//! The destinations are cut into bins of at most [`BIN_NODES`] consecutive nodes (32 KiB of
//! `f32` accumulators: one core's L1) and about [`BIN_EDGES`] in-edges. An iteration has two
//! phases. Binning: the sources, in chunks of consecutive ids (in parallel), stream their
//! contributions; each source copies its `contrib[u]` once per in-edge into the bins of the
//! destinations it points to, as runs of `(bin, count)` built once (a source's edges into
//! one bin share its value), each chunk writing its own stretch of every bin. Accumulation: the
//! bins (in parallel) each add their stretch of contributions into their destinations'
//! accumulators, by 16-bit offsets built once; those 32 KiB stay in L1, so no access of the
//! iteration is random beyond L1. Then the streaming pass of the other kernels makes the
//! scores and next contributions.
//!
//! What it costs per edge and iteration (against the floor's 4 bytes): 4 bytes written and 4 read
//! back (the contribution; plus the read for ownership of the written line unless the
//! processor streams it), 2 bytes of destination offset, and 4 bytes per (source, bin) run.
//! Each destination adds its contributions in ascending source order, one accumulator (the pull
//! kernel adds in four): scores agree with the pull kernel's to rounding, not bit for bit.

use super::{PageRank, PageRankOptions};
use crate::buf::SyncPtr;
use crate::csr::{counts, node_ranges, Csr};
use crate::edgelist::prefix_sums;
use crate::real::Real;
use crate::{GraphError, Result};
use rayon::prelude::*;

/// Destinations per bin at most: 32 KiB of `f32` accumulators, this machine's L1.
const BIN_NODES: usize = 1 << 13;
/// In-edges per bin, about (a bin is a unit of parallel work).
const BIN_EDGES: u64 = 1 << 16;
/// Out-edges per source chunk, about (a chunk is a unit of parallel work).
const CHUNK_EDGES: u64 = 1 << 16;
/// A run's count is 16 bits (a bin has at most [`BIN_NODES`] destinations, so only repeated
/// edges make more; those are split into several runs).
const RUN_MAX: usize = u16::MAX as usize;

/// A graph's edges binned by destination for [`pagerank_pb`]. Built once per graph.
#[derive(Debug)]
pub struct Propagation {
    n: usize,
    m: u64,
    /// Bin `b` holds destinations `bins[b]..bins[b + 1]`.
    bins: Vec<usize>,
    /// Bin `b`'s contributions are `slots[b]..slots[b + 1]` of the iteration's buffer.
    slots: Vec<usize>,
    /// Source chunk `c` is sources `chunks[c]..chunks[c + 1]`.
    chunks: Vec<usize>,
    /// Where chunk `c` writes first into bin `b`: `start[c * bins + b]`.
    start: Vec<usize>,
    /// Source `u`'s runs are `runs[run_at[u]..run_at[u + 1]]`.
    run_at: Vec<u64>,
    /// `(bin << 16) | count`: `count` copies of the source's contribution go to `bin`, the
    /// source's bins ascending.
    runs: Vec<u32>,
    /// Destination of each slot, minus its bin's first node.
    dst: Vec<u16>,
}

impl Propagation {
    /// Bins `g`'s in-edges (unweighted).
    pub fn new(g: &Csr) -> Result<Propagation> {
        Propagation::with_sizes(g, BIN_NODES, BIN_EDGES, CHUNK_EDGES)
    }

    /// Bins of at most `bin_nodes` (≤ 65,536) destinations and about `bin_edges` in-edges,
    /// source chunks of about `chunk_edges` out-edges.
    fn with_sizes(
        g: &Csr,
        bin_nodes: usize,
        bin_edges: u64,
        chunk_edges: u64,
    ) -> Result<Propagation> {
        assert!((1..=1 << 16).contains(&bin_nodes));
        g.check_nodes()?;
        let n = g.n() as usize;
        let adj = g.in_adj();
        let (offsets, sources) = (adj.offsets(), adj.targets());
        let bins = node_ranges(offsets, bin_edges, bin_nodes);
        let nb = bins.len() - 1;
        if nb > 1 << 16 {
            return Err(GraphError::Invalid(format!(
                "{nb} destination bins: at most 65,536 fit a run"
            )));
        }
        let out_at = prefix_sums(&counts(n, sources))?;
        let chunks = node_ranges(&out_at, chunk_edges, usize::MAX);
        let nc = chunks.len() - 1;
        let mut chunk_of = vec![0u32; n];
        for c in 0..nc {
            chunk_of[chunks[c]..chunks[c + 1]].fill(c as u32);
        }
        // Per bin: its in-edges as (source, destination offset), sorted by source, then
        // destination: the order the binning pass writes them in (chunks in order, sources
        // ascending in a chunk).
        let binned: Vec<Vec<u64>> = bins
            .par_windows(2)
            .map(|w| {
                let mut e: Vec<u64> = Vec::with_capacity((offsets[w[1]] - offsets[w[0]]) as usize);
                for v in w[0]..w[1] {
                    for &u in &sources[offsets[v] as usize..offsets[v + 1] as usize] {
                        e.push((u as u64) << 16 | (v - w[0]) as u64);
                    }
                }
                e.sort_unstable();
                e
            })
            .collect();
        let mut slots = Vec::with_capacity(nb + 1);
        slots.push(0usize);
        for e in &binned {
            slots.push(slots.last().unwrap() + e.len());
        }
        // Where each chunk's stretch of each bin starts.
        let mut start = vec![0usize; nc * nb];
        for (b, e) in binned.iter().enumerate() {
            let mut at = slots[b];
            let mut i = 0;
            for c in 0..nc {
                start[c * nb + b] = at;
                while i < e.len() && chunk_of[(e[i] >> 16) as usize] as usize == c {
                    i += 1;
                    at += 1;
                }
            }
        }
        let dst: Vec<u16> = binned
            .iter()
            .flat_map(|e| e.iter().map(|&x| (x & 0xffff) as u16))
            .collect();
        // Runs: per source, per bin it points into (ascending), how many edges.
        let mut per_source: Vec<u32> = vec![0; n];
        let run_lists: Vec<Vec<(u32, u32)>> = binned
            .par_iter()
            .map(|e| {
                let mut r: Vec<(u32, u32)> = Vec::new();
                for &x in e {
                    let u = (x >> 16) as u32;
                    match r.last_mut() {
                        Some((lu, k)) if *lu == u && (*k as usize) < RUN_MAX => *k += 1,
                        _ => r.push((u, 1)),
                    }
                }
                r
            })
            .collect();
        for r in &run_lists {
            for &(u, _) in r {
                per_source[u as usize] += 1;
            }
        }
        let run_at = prefix_sums(&per_source)?;
        let mut runs = vec![0u32; *run_at.last().unwrap() as usize];
        let mut fill: Vec<u64> = run_at[..n].to_vec();
        for (b, r) in run_lists.iter().enumerate() {
            for &(u, k) in r {
                runs[fill[u as usize] as usize] = (b as u32) << 16 | k;
                fill[u as usize] += 1;
            }
        }
        Ok(Propagation {
            n,
            m: g.m(),
            bins,
            slots,
            chunks,
            start,
            run_at,
            runs,
            dst,
        })
    }

    /// Number of destination bins.
    pub fn bins(&self) -> usize {
        self.bins.len() - 1
    }

    /// Number of (source, bin) runs.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Bytes held by the layout (the per-iteration buffer of `m` contributions not included).
    pub fn bytes(&self) -> usize {
        self.dst.len() * 2 + self.runs.len() * 4 + self.run_at.len() * 8 + self.start.len() * 8
    }

    /// Bytes an iteration moves through memory beyond L2 for scores of type `T`, by the
    /// layout (contributions written once and read once, destination offsets, runs and their
    /// offsets, the sources' contributions; the streaming pass over the nodes not included).
    pub fn bytes_per_iteration<T>(&self) -> usize {
        let t = std::mem::size_of::<T>();
        self.dst.len() * (2 * t + 2) + self.runs.len() * 4 + self.run_at.len() * 8 + self.n * t
    }

    /// One propagation step: adds each node's `Σ contrib[u]` over its in-edges into `acc`,
    /// through `buf` (one slot per edge).
    fn propagate<T: Real>(&self, contrib: &[T], buf: &mut [T], acc: &mut [T]) {
        assert!(contrib.len() == self.n && acc.len() == self.n && buf.len() == self.dst.len());
        let nb = self.bins();
        let out = SyncPtr(buf.as_mut_ptr());
        self.chunks.par_windows(2).enumerate().for_each(|(c, w)| {
            let mut cursor = self.start[c * nb..(c + 1) * nb].to_vec();
            for (u, &x) in (w[0]..w[1]).zip(&contrib[w[0]..w[1]]) {
                let runs = &self.runs[self.run_at[u] as usize..self.run_at[u + 1] as usize];
                for &r in runs {
                    let (b, k) = ((r >> 16) as usize, (r & 0xffff) as usize);
                    let at = cursor[b];
                    for i in at..at + k {
                        // SAFETY: the build gave chunk c exactly this many slots of bin b,
                        // from `start[c * nb + b]`, disjoint from every other chunk's, all
                        // below `buf.len()`.
                        unsafe { out.write(i, x) };
                    }
                    cursor[b] = at + k;
                }
            }
        });
        let sums = SyncPtr(acc.as_mut_ptr());
        let buf: &[T] = buf;
        self.bins.par_windows(2).enumerate().for_each(|(b, w)| {
            let (lo, hi) = (self.slots[b], self.slots[b + 1]);
            for (&o, &x) in self.dst[lo..hi].iter().zip(&buf[lo..hi]) {
                debug_assert!(w[0] + (o as usize) < w[1]);
                // SAFETY: offsets were built as destination minus the bin's first node, so
                // `w[0] + o < w[1] ≤ n`; each bin is one task, and bins are disjoint.
                unsafe { *sums.at(w[0] + o as usize) += x };
            }
        });
    }
}

/// PageRank of `g` over its binned layout `p` (built from `g`): the same iteration as
/// [`super::pagerank_with`] (same options, same stopping rule), each node's sum added in
/// ascending source order (scores agree to rounding). Options the layout does not cover (a
/// personalization or dangling vector, edge weights) run the plain pull kernel.
pub fn pagerank_pb<T: Real>(
    g: &Csr,
    p: &Propagation,
    opts: &PageRankOptions,
) -> Result<PageRank<T>> {
    if p.n != g.n() as usize || p.m != g.m() {
        return Err(GraphError::Invalid(
            "the binned layout was built from another graph".into(),
        ));
    }
    // The binned contributions, allocated at the first iteration (not when the options fall
    // back to the pull kernel).
    let mut buf: Vec<T> = Vec::new();
    super::pagerank_by_layout(g, opts, |contrib: &[T], acc: &mut [T]| {
        buf.resize(p.dst.len(), T::ZERO);
        p.propagate(contrib, &mut buf, acc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pagerank::pagerank_with;
    use crate::rmat::Rmat;

    /// Every in-edge is in exactly one slot: its destination's bin, inside its source's chunk's
    /// stretch, written by one of its source's runs.
    #[test]
    fn every_in_edge_has_one_slot_written_by_its_source() {
        let g = Rmat::graph500(12, 16, 5).unwrap().pull_graph().unwrap();
        let p = Propagation::with_sizes(&g, 256, 4096, 4096).unwrap();
        let nb = p.bins();
        assert!(
            nb > 1 && p.chunks.len() > 2,
            "the test graph spans several bins and chunks"
        );
        // Replay the binning pass with each source's id as its value.
        let mut owner = vec![u32::MAX; p.dst.len()];
        for c in 0..p.chunks.len() - 1 {
            let mut cursor = p.start[c * nb..(c + 1) * nb].to_vec();
            for u in p.chunks[c]..p.chunks[c + 1] {
                let mut last_bin = None;
                for &r in &p.runs[p.run_at[u] as usize..p.run_at[u + 1] as usize] {
                    let (b, k) = ((r >> 16) as usize, (r & 0xffff) as usize);
                    assert!(
                        k >= 1 && last_bin < Some(b),
                        "bins ascend in a source's runs"
                    );
                    last_bin = Some(b);
                    for o in &mut owner[cursor[b]..cursor[b] + k] {
                        assert_eq!(*o, u32::MAX, "a slot written twice");
                        *o = u as u32;
                    }
                    cursor[b] += k;
                }
            }
            for (b, &at) in cursor.iter().enumerate() {
                let end = if c + 2 < p.chunks.len() {
                    p.start[(c + 1) * nb + b]
                } else {
                    p.slots[b + 1]
                };
                assert_eq!(at, end, "chunk {c} fills its stretch of bin {b}");
            }
        }
        let mut got: Vec<(u32, u32)> = Vec::new();
        for b in 0..nb {
            let (lo, hi) = (p.slots[b], p.slots[b + 1]);
            for (&o, &d) in owner[lo..hi].iter().zip(&p.dst[lo..hi]) {
                let v = p.bins[b] + d as usize;
                assert!(v < p.bins[b + 1]);
                got.push((o, v as u32));
            }
        }
        let adj = g.in_adj();
        let mut want: Vec<(u32, u32)> = (0..g.n())
            .flat_map(|v| adj.neighbors(v).iter().map(move |&u| (u, v)))
            .collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
    }

    /// In `f64` the scores equal the pull kernel's to 1e-12 relative; in `f32` (the benchmark's
    /// precision) to 1e-5 relative node by node, the top 100 nodes ranked the same.
    #[test]
    fn scores_agree_with_the_pull_kernel() {
        let g = Rmat::graph500(14, 16, 2).unwrap().pull_graph().unwrap();
        let opts = PageRankOptions {
            tolerance: 0.0,
            max_iterations: 20,
            ..Default::default()
        };
        let p = Propagation::new(&g).unwrap();
        let want = pagerank_with::<f64>(&g, &opts).unwrap().scores;
        // The default sizes (one bin here) and small ones (many bins and chunks).
        let small = Propagation::with_sizes(&g, 512, 8192, 8192).unwrap();
        assert!(small.bins() > 16);
        for layout in [&p, &small] {
            let got = pagerank_pb::<f64>(&g, layout, &opts).unwrap().scores;
            for (a, b) in got.iter().zip(&want) {
                assert!(((a - b) / b).abs() < 1e-12, "{a} against {b}");
            }
        }
        let want = pagerank_with::<f32>(&g, &opts).unwrap().scores;
        let got = pagerank_pb::<f32>(&g, &p, &opts).unwrap().scores;
        crate::pagerank::assert_f32_like_pull(&got, &want);
        // A stopping tolerance stops as the pull kernel does.
        let opts = PageRankOptions::default();
        let a = pagerank_pb::<f64>(&g, &p, &opts).unwrap();
        let b = pagerank_with::<f64>(&g, &opts).unwrap();
        assert_eq!((a.iterations, a.converged), (b.iterations, b.converged));
    }
}
