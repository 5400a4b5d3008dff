//! Compressed sparse row graphs: out- and in-adjacency over dense `u32` node ids, `u64` offsets,
//! optional `f32` edge weights, built from an edge list by a parallel counting sort.
//!
//! Duplicate edges are kept as parallel edges (a multigraph: their weights add up in every
//! kernel) unless the edge list was merged with [`EdgeList::merge_duplicates`]; self-loops are
//! kept. Within a node's neighbour list, edges keep the order of the edge list, so builds are
//! deterministic whatever the thread count.

use crate::buf::{Buf, SyncPtr};
use crate::{GraphError, Result};
use rayon::prelude::*;

/// Edges as parallel arrays (`src[i] → dst[i]`, weight `weights[i]`), over nodes `0..n`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeList {
    /// Nodes (ids are `0..n`).
    pub n: u32,
    /// Each edge's source.
    pub src: Vec<u32>,
    /// Each edge's destination.
    pub dst: Vec<u32>,
    /// Either `None` (every edge weighs 1) or one weight per edge.
    pub weights: Option<Vec<f32>>,
}

impl EdgeList {
    /// No edges over `n` nodes.
    pub fn new(n: u32) -> EdgeList {
        EdgeList {
            n,
            ..Default::default()
        }
    }

    /// From `(src, dst)` pairs; `n` is one more than the largest id (0 if there are no edges).
    pub fn from_pairs(pairs: &[(u32, u32)]) -> EdgeList {
        let n = pairs
            .iter()
            .map(|&(a, b)| a.max(b) as u64 + 1)
            .max()
            .unwrap_or(0);
        EdgeList {
            n: n as u32,
            src: pairs.iter().map(|p| p.0).collect(),
            dst: pairs.iter().map(|p| p.1).collect(),
            weights: None,
        }
    }

    /// Edges.
    pub fn len(&self) -> usize {
        self.src.len()
    }

    /// No edges.
    pub fn is_empty(&self) -> bool {
        self.src.is_empty()
    }

    /// Adds `src → dst` to an unweighted list.
    pub fn push(&mut self, src: u32, dst: u32) {
        debug_assert!(self.weights.is_none(), "push on a weighted edge list");
        self.src.push(src);
        self.dst.push(dst);
    }

    /// Adds `src → dst` weighing `w` (the edges before weigh 1).
    pub fn push_weighted(&mut self, src: u32, dst: u32, w: f32) {
        if self.weights.is_none() {
            self.weights = Some(vec![1.0; self.src.len()]);
        }
        self.src.push(src);
        self.dst.push(dst);
        self.weights.as_mut().expect("set above").push(w);
    }

    /// Merges parallel edges into one, summing weights (unweighted duplicates become one edge of
    /// weight 1). The result is sorted by `(src, dst)`.
    pub fn merge_duplicates(&mut self) {
        let m = self.len();
        let mut order: Vec<u64> = (0..m)
            .into_par_iter()
            .map(|i| (self.src[i] as u64) << 32 | self.dst[i] as u64)
            .collect();
        match self.weights.take() {
            None => {
                order.par_sort_unstable();
                order.dedup();
                self.src = order.iter().map(|k| (k >> 32) as u32).collect();
                self.dst = order.iter().map(|&k| k as u32).collect();
            }
            Some(w) => {
                // Keys beside their weights, sorted stably: each pair's weights are summed in
                // edge order (sorting indices by a key read through them cost a cache miss
                // per comparison).
                let mut keyed: Vec<(u64, f32)> = order.into_par_iter().zip(w).collect();
                keyed.par_sort_by_key(|e| e.0);
                let (mut src, mut dst, mut ws) = (Vec::new(), Vec::new(), Vec::new());
                let mut last = None;
                for &(k, w) in &keyed {
                    if last == Some(k) {
                        *ws.last_mut().expect("pushed with last") += w;
                    } else {
                        src.push((k >> 32) as u32);
                        dst.push(k as u32);
                        ws.push(w);
                        last = Some(k);
                    }
                }
                self.src = src;
                self.dst = dst;
                self.weights = Some(ws);
            }
        }
    }

    fn check(&self) -> Result<()> {
        if self.src.len() != self.dst.len() {
            return Err(GraphError::Invalid(format!(
                "edge list has {} sources but {} targets",
                self.src.len(),
                self.dst.len()
            )));
        }
        if let Some(w) = &self.weights {
            if w.len() != self.src.len() {
                return Err(GraphError::Invalid(format!(
                    "edge list has {} edges but {} weights",
                    self.src.len(),
                    w.len()
                )));
            }
            if let Some(i) = w.iter().position(|x| !x.is_finite() || *x < 0.0) {
                return Err(GraphError::Invalid(format!(
                    "edge {i} has weight {} (weights must be finite and ≥ 0)",
                    w[i]
                )));
            }
        }
        let n = self.n;
        let bad = self
            .src
            .par_iter()
            .zip(self.dst.par_iter())
            .position_any(|(&a, &b)| a >= n || b >= n);
        if let Some(i) = bad {
            return Err(GraphError::Invalid(format!(
                "edge {i} ({} → {}) names a node ≥ n = {n}",
                self.src[i], self.dst[i]
            )));
        }
        Ok(())
    }
}

/// One direction of a graph: the neighbours of `v` are `targets[offsets[v]..offsets[v+1]]`.
#[derive(Debug)]
pub struct Adjacency {
    pub(crate) offsets: Buf<u64>,
    pub(crate) targets: Buf<u32>,
    pub(crate) weights: Option<Buf<f32>>,
}

impl Adjacency {
    /// `n + 1` offsets into [`Adjacency::targets`].
    #[inline]
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// All neighbour lists, concatenated.
    #[inline]
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// Edge weights aligned with [`Adjacency::targets`], if the graph is weighted.
    #[inline]
    pub fn weights(&self) -> Option<&[f32]> {
        self.weights.as_deref()
    }

    /// Where `v`'s edges lie in [`Adjacency::targets`].
    #[inline]
    pub fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize
    }

    /// `v`'s neighbours (parallel edges repeat them).
    #[inline]
    pub fn neighbors(&self, v: u32) -> &[u32] {
        &self.targets[self.range(v)]
    }

    /// The weights of `v`'s edges, aligned with [`Adjacency::neighbors`].
    #[inline]
    pub fn neighbor_weights(&self, v: u32) -> Option<&[f32]> {
        let r = self.range(v);
        self.weights.as_deref().map(|w| &w[r])
    }

    /// `v`'s edges in this direction.
    #[inline]
    pub fn degree(&self, v: u32) -> u32 {
        (self.offsets[v as usize + 1] - self.offsets[v as usize]) as u32
    }

    /// Sum of `v`'s edge weights (its degree when unweighted).
    #[inline]
    pub fn weighted_degree(&self, v: u32) -> f64 {
        match self.neighbor_weights(v) {
            Some(w) => w.iter().map(|&x| x as f64).sum(),
            None => self.degree(v) as f64,
        }
    }

    fn nodes(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
}

/// The outgoing side of a graph: full lists, or only degrees for pull-only graphs built for
/// PageRank at minimum memory (see [`crate::edgelist`]).
#[derive(Debug)]
pub(crate) enum Out {
    Full(Adjacency),
    Degrees(Buf<u32>),
}

/// A directed graph in CSR form over nodes `0..n`, with both edge directions.
///
/// Invariant, checked by every constructor (and by the snapshot cache when it maps a file):
/// every neighbour id is `< n` and offsets never decrease. Kernels index per-node arrays by
/// neighbour id without bounds checks on the strength of it.
#[derive(Debug)]
pub struct Csr {
    pub(crate) n: u32,
    pub(crate) m: u64,
    pub(crate) out: Out,
    pub(crate) inn: Adjacency,
}

/// Which directions a build keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Directions {
    /// Out- and in-adjacency (every kernel works).
    #[default]
    Both,
    /// In-adjacency and out-degrees only: enough for PageRank, half the memory.
    PullOnly,
}

impl Csr {
    /// Builds both directions from `edges` (parallel counting sort; ids must be `< edges.n`).
    pub fn from_edges(edges: &EdgeList) -> Result<Csr> {
        Csr::from_edges_with(edges, Directions::Both)
    }

    /// Builds the directions `dirs` asks for from `edges` (ids must be `< edges.n`).
    pub fn from_edges_with(edges: &EdgeList, dirs: Directions) -> Result<Csr> {
        edges.check()?;
        let n = edges.n as usize;
        let w = edges.weights.as_deref();
        let inn = group(n, &edges.dst, &edges.src, w);
        let out = match dirs {
            Directions::Both => Out::Full(group(n, &edges.src, &edges.dst, w)),
            Directions::PullOnly => Out::Degrees(Buf::Owned(counts(n, &edges.src))),
        };
        Ok(Csr {
            n: edges.n,
            m: edges.len() as u64,
            out,
            inn,
        })
    }

    /// A pull-only graph from a prepared in-adjacency and out-degrees.
    pub fn from_in_adjacency(
        in_offsets: Vec<u64>,
        in_sources: Vec<u32>,
        in_weights: Option<Vec<f32>>,
        out_degree: Vec<u32>,
    ) -> Result<Csr> {
        let n = out_degree.len();
        if n > u32::MAX as usize
            || in_offsets.len() != n + 1
            || in_offsets.last().copied() != Some(in_sources.len() as u64)
            || in_weights
                .as_ref()
                .is_some_and(|w| w.len() != in_sources.len())
        {
            return Err(GraphError::Invalid(
                "in-adjacency arrays do not fit together".into(),
            ));
        }
        if in_offsets.par_windows(2).any(|w| w[0] > w[1]) {
            return Err(GraphError::Invalid("in-adjacency offsets decrease".into()));
        }
        if in_sources.par_iter().any(|&u| u as usize >= n) {
            return Err(GraphError::Invalid(format!(
                "an in-neighbour id is ≥ n = {n}"
            )));
        }
        Ok(Csr {
            n: n as u32,
            m: in_sources.len() as u64,
            out: Out::Degrees(out_degree.into()),
            inn: Adjacency {
                offsets: in_offsets.into(),
                targets: in_sources.into(),
                weights: in_weights.map(Buf::Owned),
            },
        })
    }

    /// Number of nodes.
    #[inline]
    pub fn n(&self) -> u32 {
        self.n
    }

    /// Number of edges (parallel edges counted each).
    #[inline]
    pub fn m(&self) -> u64 {
        self.m
    }

    /// In-adjacency: `in_adj().neighbors(v)` are the sources of edges into `v`.
    #[inline]
    pub fn in_adj(&self) -> &Adjacency {
        &self.inn
    }

    /// Out-adjacency; `None` only for pull-only graphs ([`Directions::PullOnly`]).
    #[inline]
    pub fn out_adj(&self) -> Option<&Adjacency> {
        match &self.out {
            Out::Full(a) => Some(a),
            Out::Degrees(_) => None,
        }
    }

    /// The out-adjacency, or an error naming the kernel that needs it.
    pub fn require_out(&self, kernel: &str) -> Result<&Adjacency> {
        self.out_adj().ok_or_else(|| {
            GraphError::Invalid(format!(
                "{kernel} needs out-adjacency; this graph is pull-only"
            ))
        })
    }

    /// Edges leaving `v` (known in both layouts).
    #[inline]
    pub fn out_degree(&self, v: u32) -> u32 {
        match &self.out {
            Out::Full(a) => a.degree(v),
            Out::Degrees(d) => d[v as usize],
        }
    }

    /// Edges reaching `v`.
    #[inline]
    pub fn in_degree(&self, v: u32) -> u32 {
        self.inn.degree(v)
    }

    /// Whether edges carry weights.
    pub fn is_weighted(&self) -> bool {
        self.inn.weights.is_some()
    }

    /// Sum of out-edge weights per node (out-degree when unweighted), in parallel.
    pub fn out_weights(&self) -> Vec<f64> {
        match &self.out {
            Out::Full(a) => (0..self.n)
                .into_par_iter()
                .map(|v| a.weighted_degree(v))
                .collect(),
            Out::Degrees(d) => match self.inn.weights() {
                None => d.par_iter().map(|&x| x as f64).collect(),
                Some(w) => {
                    let mut s = vec![0.0; self.n as usize];
                    for (u, wt) in self.inn.targets().iter().zip(w) {
                        s[*u as usize] += *wt as f64;
                    }
                    s
                }
            },
        }
    }

    /// Sum of in-edge weights per node (in-degree when unweighted).
    pub fn in_weights(&self) -> Vec<f64> {
        (0..self.n)
            .into_par_iter()
            .map(|v| self.inn.weighted_degree(v))
            .collect()
    }

    /// Approximate heap bytes held (mapped snapshots count their mapped size).
    pub fn bytes(&self) -> usize {
        fn adj(a: &Adjacency) -> usize {
            a.offsets.len() * 8
                + a.targets.len() * 4
                + a.weights.as_ref().map_or(0, |w| w.len() * 4)
        }
        adj(&self.inn)
            + match &self.out {
                Out::Full(a) => adj(a),
                Out::Degrees(d) => d.len() * 4,
            }
    }

    pub(crate) fn check_nodes(&self) -> Result<()> {
        if self.inn.nodes() != self.n as usize {
            return Err(GraphError::Invalid("offsets do not match n".into()));
        }
        Ok(())
    }
}

/// Cuts nodes `0..n` (`offsets` has `n + 1` entries) into consecutive ranges of about
/// `edges` edges and at most `max_nodes` nodes each (at least one node): parallel work units
/// balanced by edges, since equal node counts are uneven on power-law graphs. Returns the
/// range boundaries, `0` first and `n` last.
pub(crate) fn node_ranges(offsets: &[u64], edges: u64, max_nodes: usize) -> Vec<usize> {
    let n = offsets.len().saturating_sub(1);
    let mut bounds = vec![0];
    let mut v = 0;
    while v < n {
        // Nodes v.. whose lists end within the budget (offsets never decrease, see `Csr`).
        let within = offsets[v + 1..=n].partition_point(|&o| o <= offsets[v] + edges);
        let end = (v + within)
            .clamp(v + 1, v.saturating_add(max_nodes.max(1)))
            .min(n);
        bounds.push(end);
        v = end;
    }
    bounds
}

/// Degree count of each key (per node), in parallel.
pub(crate) fn counts(n: usize, keys: &[u32]) -> Vec<u32> {
    let parts = chunk_counts(n, keys);
    let mut total = vec![0u32; n];
    total.par_iter_mut().enumerate().for_each(|(v, t)| {
        *t = parts.iter().map(|c| c[v]).sum();
    });
    total
}

fn chunk_len(m: usize) -> usize {
    let t = rayon::current_num_threads().max(1);
    m.div_ceil(t).clamp(1, u32::MAX as usize)
}

/// Per-chunk key counts: the first pass of the counting sort.
fn chunk_counts(n: usize, keys: &[u32]) -> Vec<Vec<u32>> {
    keys.par_chunks(chunk_len(keys.len()))
        .map(|ks| {
            let mut c = vec![0u32; n];
            for &k in ks {
                c[k as usize] += 1;
            }
            c
        })
        .collect()
}

/// Turns per-chunk counts into `n + 1` offsets, and each chunk's counts into its starting
/// cursor relative to the node's offset (so chunk `c` writes after chunks `0..c`).
pub(crate) fn offsets_and_cursors(n: usize, parts: &mut [Vec<u32>]) -> Vec<u64> {
    let mut offsets = vec![0u64; n + 1];
    let ptrs: Vec<SyncPtr<u32>> = parts.iter_mut().map(|p| SyncPtr(p.as_mut_ptr())).collect();
    offsets[1..].par_iter_mut().enumerate().for_each(|(v, o)| {
        let mut run = 0u32;
        for p in &ptrs {
            // SAFETY: each v is visited by one thread; v < n = every part's length.
            unsafe {
                let c = p.0.add(v);
                let x = *c;
                *c = run;
                run += x;
            }
        }
        *o = run as u64;
    });
    for v in 0..n {
        offsets[v + 1] += offsets[v];
    }
    offsets
}

/// Counting sort of `vals` (and weights) by `keys` into an adjacency over `n` nodes.
pub(crate) fn group(n: usize, keys: &[u32], vals: &[u32], weights: Option<&[f32]>) -> Adjacency {
    let m = keys.len();
    let mut parts = chunk_counts(n, keys);
    let offsets = offsets_and_cursors(n, &mut parts);
    let mut targets: Vec<u32> = Vec::with_capacity(m);
    let mut ws: Option<Vec<f32>> = weights.map(|_| Vec::with_capacity(m));
    let tp = SyncPtr(targets.as_mut_ptr());
    let wp = ws.as_mut().map(|w| SyncPtr(w.as_mut_ptr()));
    let chunk = chunk_len(m);
    parts.par_iter_mut().enumerate().for_each(|(c, cursor)| {
        let lo = c * chunk;
        let hi = (lo + chunk).min(m);
        for i in lo..hi {
            let k = keys[i] as usize;
            let at = offsets[k] as usize + cursor[k] as usize;
            cursor[k] += 1;
            // SAFETY: the cursors of distinct chunks cover disjoint slots of [0, m), and every
            // slot is written exactly once before the length is set below.
            unsafe {
                tp.write(at, vals[i]);
                if let (Some(wp), Some(w)) = (wp, weights) {
                    wp.write(at, w[i]);
                }
            }
        }
    });
    // SAFETY: all m slots were written by the scatter above.
    unsafe {
        targets.set_len(m);
        if let Some(w) = ws.as_mut() {
            w.set_len(m);
        }
    }
    Adjacency {
        offsets: offsets.into(),
        targets: targets.into(),
        weights: ws.map(Buf::Owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_both_directions_in_edge_order() {
        let el = EdgeList::from_pairs(&[(0, 1), (2, 1), (0, 2), (1, 1), (0, 1), (3, 0)]);
        let g = Csr::from_edges(&el).unwrap();
        assert_eq!((g.n(), g.m()), (4, 6));
        let out = g.out_adj().unwrap();
        assert_eq!(out.neighbors(0), &[1, 2, 1]);
        assert_eq!(out.neighbors(1), &[1]);
        assert_eq!(out.neighbors(3), &[0]);
        assert_eq!(g.in_adj().neighbors(1), &[0, 2, 1, 0]);
        assert_eq!(g.in_adj().neighbors(3), &[] as &[u32]);
        assert_eq!(g.in_degree(1), 4);
        assert_eq!(g.out_degree(0), 3);
    }

    #[test]
    fn rejects_ids_out_of_range_and_bad_weights() {
        let mut el = EdgeList::new(2);
        el.push(0, 2);
        assert!(Csr::from_edges(&el).is_err());
        let mut el = EdgeList::new(2);
        el.push_weighted(0, 1, f32::NAN);
        assert!(Csr::from_edges(&el).is_err());
    }

    #[test]
    fn merges_duplicates_summing_weights() {
        let mut el = EdgeList::new(3);
        el.push_weighted(1, 2, 1.0);
        el.push_weighted(0, 1, 2.0);
        el.push_weighted(1, 2, 0.5);
        el.merge_duplicates();
        assert_eq!(el.src, vec![0, 1]);
        assert_eq!(el.dst, vec![1, 2]);
        assert_eq!(el.weights, Some(vec![2.0, 1.5]));
        let g = Csr::from_edges(&el).unwrap();
        assert_eq!(g.in_adj().neighbor_weights(2), Some(&[1.5f32][..]));
        assert_eq!(g.out_weights(), vec![2.0, 1.5, 0.0]);
    }

    #[test]
    fn node_ranges_balance_edges_and_cover_every_node() {
        // Degrees 10, 0, 0, 1, 1, 1, 7, 0.
        let offsets = [0u64, 10, 10, 10, 11, 12, 13, 20, 20];
        assert_eq!(node_ranges(&offsets, 3, 100), vec![0, 1, 6, 7, 8]);
        assert_eq!(node_ranges(&offsets, 100, 3), vec![0, 3, 6, 8]);
        // Nodes without edges fit any budget.
        assert_eq!(
            node_ranges(&offsets, 0, usize::MAX),
            vec![0, 1, 3, 4, 5, 6, 7, 8]
        );
        assert_eq!(node_ranges(&[0], 5, 5), vec![0]);
    }
}
