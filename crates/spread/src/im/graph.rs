//! The diffusion graph: who can pass a message to whom, and with what probability.
//!
//! Edges are stored twice, as compact CSR over dense `u32` node ids: grouped by target (the
//! in-edges reverse-reachable sampling walks) and by source (the out-edges a forward Monte Carlo
//! simulation follows). Within each node's in-edges the probabilities are sorted from highest to
//! lowest, which is what subset sampling needs (see [`super::rr`]).
//!
//! When every in-edge of a node carries the same probability (weighted cascade: `1/indeg(v)`;
//! a constant `p`) no per-edge probability is stored at all, only one per node: half the
//! memory of an R-MAT graph, and the sampler jumps straight to the next live edge.

use super::ImError;

/// Where edge probabilities come from.
#[derive(Clone, Debug, PartialEq)]
pub enum EdgeProbabilities {
    /// Weighted cascade (Kempe et al. 2003): every in-edge of `v` has probability `1/indeg(v)`,
    /// counting parallel edges. Under LT this is the uniform choice among in-neighbours.
    WeightedCascade,
    /// The same probability on every edge.
    Constant(f32),
    /// One probability per edge, in the order the edges were given.
    PerEdge(Vec<f32>),
}

#[derive(Clone, Debug)]
enum Probs {
    /// Every in-edge of node `v` has probability `node[v]`.
    PerNode(Vec<f32>),
    /// `in_p[i]` for in-edge `i`, `out_p[j]` for out-edge `j`.
    PerEdge { in_p: Vec<f32>, out_p: Vec<f32> },
}

/// A directed graph with a propagation probability on every edge `u → v` (the chance that `u`,
/// once active, activates `v` under IC; `v`'s weight on `u` under LT).
#[derive(Clone, Debug)]
pub struct DiffusionGraph {
    n: u32,
    in_offsets: Vec<u64>,
    in_sources: Vec<u32>,
    out_offsets: Vec<u64>,
    out_targets: Vec<u32>,
    probs: Probs,
    /// With per-node probabilities: `1 / ln(1 − p_v)`, the scale of the sampler's geometric
    /// jumps, computed once rather than at every visit.
    inv_log_fail: Vec<f64>,
}

fn inv_log_fail(probs: &Probs) -> Vec<f64> {
    match probs {
        Probs::PerNode(p) => p.iter().map(|&p| 1.0 / (-(p as f64)).ln_1p()).collect(),
        Probs::PerEdge { .. } => Vec::new(),
    }
}

fn counting_offsets(n: u32, keys: &[u32]) -> Vec<u64> {
    let mut offsets = vec![0u64; n as usize + 1];
    for &k in keys {
        offsets[k as usize + 1] += 1;
    }
    for i in 0..n as usize {
        offsets[i + 1] += offsets[i];
    }
    offsets
}

impl DiffusionGraph {
    /// Builds the graph from edges `src[i] → dst[i]` over nodes `0..n`. Parallel edges are kept
    /// (each is an independent chance under IC); self-loops are dropped (they never activate
    /// anyone new).
    pub fn new(
        n: u32,
        src: &[u32],
        dst: &[u32],
        probabilities: EdgeProbabilities,
    ) -> Result<DiffusionGraph, ImError> {
        if src.len() != dst.len() {
            return Err(ImError::Invalid(format!(
                "{} edge sources but {} targets",
                src.len(),
                dst.len()
            )));
        }
        if let Some(i) = src.iter().zip(dst).position(|(&a, &b)| a >= n || b >= n) {
            return Err(ImError::Invalid(format!(
                "edge {i} ({} → {}) names a node ≥ n = {n}",
                src[i], dst[i]
            )));
        }
        let check_p = |p: f32, what: &str| {
            if p.is_finite() && (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(ImError::Invalid(format!(
                    "{what} probability {p} is outside [0, 1]"
                )))
            }
        };
        let per_edge = match &probabilities {
            EdgeProbabilities::PerEdge(p) => {
                if p.len() != src.len() {
                    return Err(ImError::Invalid(format!(
                        "{} edges but {} probabilities",
                        src.len(),
                        p.len()
                    )));
                }
                for &x in p {
                    check_p(x, "an edge")?;
                }
                Some(p)
            }
            EdgeProbabilities::Constant(p) => {
                check_p(*p, "the constant")?;
                None
            }
            EdgeProbabilities::WeightedCascade => None,
        };
        let keep: Vec<u32> = (0..src.len() as u32)
            .filter(|&i| src[i as usize] != dst[i as usize])
            .collect();
        let kept_dst: Vec<u32> = keep.iter().map(|&i| dst[i as usize]).collect();
        let kept_src: Vec<u32> = keep.iter().map(|&i| src[i as usize]).collect();
        let in_offsets = counting_offsets(n, &kept_dst);
        let out_offsets = counting_offsets(n, &kept_src);
        let m = keep.len();
        // Edge ids in in-order and out-order (stable: edges keep their input order per node).
        let mut in_order = vec![0u32; m];
        let mut next = in_offsets.clone();
        for (e, &v) in kept_dst.iter().enumerate() {
            in_order[next[v as usize] as usize] = e as u32;
            next[v as usize] += 1;
        }
        let mut out_order = vec![0u32; m];
        let mut next = out_offsets.clone();
        for (e, &u) in kept_src.iter().enumerate() {
            out_order[next[u as usize] as usize] = e as u32;
            next[u as usize] += 1;
        }
        drop(next);
        let probs = match (&probabilities, per_edge) {
            (_, Some(p)) => {
                let edge_p = |e: u32| p[keep[e as usize] as usize];
                // Sort each node's in-edges by probability, highest first.
                for v in 0..n as usize {
                    let r = in_offsets[v] as usize..in_offsets[v + 1] as usize;
                    in_order[r].sort_by(|&a, &b| edge_p(b).total_cmp(&edge_p(a)));
                }
                Probs::PerEdge {
                    in_p: in_order.iter().map(|&e| edge_p(e)).collect(),
                    out_p: out_order.iter().map(|&e| edge_p(e)).collect(),
                }
            }
            (EdgeProbabilities::Constant(p), None) => Probs::PerNode(vec![*p; n as usize]),
            _ => Probs::PerNode(
                (0..n as usize)
                    .map(|v| {
                        let d = in_offsets[v + 1] - in_offsets[v];
                        if d == 0 {
                            0.0
                        } else {
                            1.0 / d as f32
                        }
                    })
                    .collect(),
            ),
        };
        let in_sources = in_order.iter().map(|&e| kept_src[e as usize]).collect();
        let out_targets = out_order.iter().map(|&e| kept_dst[e as usize]).collect();
        Ok(DiffusionGraph {
            n,
            in_offsets,
            in_sources,
            out_offsets,
            out_targets,
            inv_log_fail: inv_log_fail(&probs),
            probs,
        })
    }

    /// Nodes.
    pub fn n(&self) -> u32 {
        self.n
    }

    /// Edges kept (self-loops dropped).
    pub fn m(&self) -> u64 {
        self.in_sources.len() as u64
    }

    #[inline]
    pub(crate) fn in_range(&self, v: u32) -> std::ops::Range<usize> {
        self.in_offsets[v as usize] as usize..self.in_offsets[v as usize + 1] as usize
    }

    #[inline]
    pub(crate) fn in_sources(&self) -> &[u32] {
        &self.in_sources
    }

    #[inline]
    pub(crate) fn out_range(&self, u: u32) -> std::ops::Range<usize> {
        self.out_offsets[u as usize] as usize..self.out_offsets[u as usize + 1] as usize
    }

    #[inline]
    pub(crate) fn out_targets(&self) -> &[u32] {
        &self.out_targets
    }

    /// `Some(p)` when every in-edge of `v` has probability `p`.
    #[inline]
    pub(crate) fn uniform_in_p(&self, v: u32) -> Option<f32> {
        match &self.probs {
            Probs::PerNode(p) => Some(p[v as usize]),
            Probs::PerEdge { .. } => None,
        }
    }

    /// `1 / ln(1 − p)` for [`Self::uniform_in_p`]'s `p` (only with per-node probabilities).
    #[inline]
    pub(crate) fn uniform_inv_log_fail(&self, v: u32) -> f64 {
        self.inv_log_fail[v as usize]
    }

    /// Probability of in-edge `i` (an index into [`Self::in_sources`]) of node `v`.
    #[inline]
    pub(crate) fn in_p(&self, v: u32, i: usize) -> f32 {
        match &self.probs {
            Probs::PerNode(p) => p[v as usize],
            Probs::PerEdge { in_p, .. } => in_p[i],
        }
    }

    /// Probability of out-edge `j` (an index into [`Self::out_targets`]).
    #[inline]
    pub(crate) fn out_p(&self, j: usize) -> f32 {
        match &self.probs {
            Probs::PerNode(p) => p[self.out_targets[j] as usize],
            Probs::PerEdge { out_p, .. } => out_p[j],
        }
    }

    /// The in-edges of `v` as `(source, probability)`, highest probability first.
    pub fn in_edges(&self, v: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.in_range(v)
            .map(move |i| (self.in_sources[i], self.in_p(v, i)))
    }

    /// The largest total in-weight of any node: the linear threshold model needs it ≤ 1.
    pub fn max_in_weight(&self) -> f64 {
        (0..self.n)
            .map(|v| self.in_edges(v).map(|(_, p)| p as f64).sum::<f64>())
            .fold(0.0, f64::max)
    }

    /// For the linear threshold model: scales down the in-weights of every node whose total
    /// exceeds 1 so that they sum to exactly 1 (each node's weights must form a sub-distribution
    /// over its in-neighbours). Returns how many nodes were rescaled.
    pub fn normalize_for_lt(&mut self) -> u32 {
        let scale: Vec<f32> = (0..self.n)
            .map(|v| {
                let t: f64 = self.in_edges(v).map(|(_, p)| p as f64).sum();
                if t > 1.0 + 1e-6 {
                    (1.0 / t) as f32
                } else {
                    1.0
                }
            })
            .collect();
        let over = scale.iter().filter(|&&s| s < 1.0).count() as u32;
        if over == 0 {
            return 0;
        }
        match &mut self.probs {
            Probs::PerNode(p) => {
                for (p, s) in p.iter_mut().zip(&scale) {
                    *p *= s;
                }
                self.inv_log_fail = inv_log_fail(&self.probs);
            }
            Probs::PerEdge { in_p, out_p } => {
                for (v, s) in scale.iter().enumerate() {
                    let r = self.in_offsets[v] as usize..self.in_offsets[v + 1] as usize;
                    for p in &mut in_p[r] {
                        *p *= s;
                    }
                }
                for (p, &v) in out_p.iter_mut().zip(&self.out_targets) {
                    *p *= scale[v as usize];
                }
            }
        }
        over
    }
}
