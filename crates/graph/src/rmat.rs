//! Seeded R-MAT graphs (Chakrabarti, Zhan & Faloutsos 2004) with the Graph500 parameters
//! a = 0.57, b = 0.19, c = 0.19: `edge_factor · 2^scale` directed edges over `2^scale` nodes whose
//! ids are shuffled by a seeded permutation (so id order carries no locality). Self-loops and
//! duplicates are kept, as Graph500 does.
//!
//! Edges come in fixed chunks, each from its own seeded generator, so the output is identical
//! for any thread count and a chunk can be regenerated instead of stored: [`Rmat::pull_graph`]
//! builds a PageRank graph in two generation passes holding only the in-adjacency.

use crate::buf::SyncPtr;
use crate::csr::{offsets_and_cursors, Csr, EdgeList};
use crate::{GraphError, Result};
use rayon::prelude::*;

const CHUNK: u64 = 1 << 18;

/// An R-MAT generator: `2^scale` nodes, `edge_factor · 2^scale` edges, each placed by
/// recursively choosing a quadrant of the adjacency matrix with probabilities a, b, c and
/// 1 − a − b − c.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rmat {
    /// log₂ of the node count.
    pub scale: u32,
    /// Edges per node.
    pub edge_factor: u32,
    /// The random seed: the same seed, the same graph.
    pub seed: u64,
    /// Probability of the top-left quadrant (low source, low destination).
    pub a: f64,
    /// Probability of the top-right quadrant.
    pub b: f64,
    /// Probability of the bottom-left quadrant.
    pub c: f64,
}

impl Rmat {
    /// Graph500 parameters.
    pub fn graph500(scale: u32, edge_factor: u32, seed: u64) -> Result<Rmat> {
        if !(1..=31).contains(&scale) {
            return Err(GraphError::Invalid(format!(
                "scale must be 1..=31, not {scale}"
            )));
        }
        if edge_factor == 0 {
            return Err(GraphError::Invalid("edge factor must be ≥ 1".into()));
        }
        Ok(Rmat {
            scale,
            edge_factor,
            seed,
            a: 0.57,
            b: 0.19,
            c: 0.19,
        })
    }

    /// Nodes generated.
    pub fn nodes(&self) -> u32 {
        (1u64 << self.scale).min(u32::MAX as u64) as u32
    }

    /// Edges generated.
    pub fn edges(&self) -> u64 {
        (self.edge_factor as u64) << self.scale
    }

    /// Number of generation chunks.
    pub fn chunks(&self) -> u64 {
        self.edges().div_ceil(CHUNK)
    }

    /// The seeded id permutation.
    pub fn permutation(&self) -> Vec<u32> {
        let n = self.nodes();
        let mut p: Vec<u32> = (0..n).collect();
        let mut rng = SplitMix(self.seed ^ 0x0005_eed0_f1d5);
        for i in (1..n as usize).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            p.swap(i, j);
        }
        p
    }

    /// Calls `f(src, dst)` for every edge of chunk `k`, in order (ids before permutation).
    pub fn chunk(&self, k: u64, mut f: impl FnMut(u32, u32)) {
        let lo = k * CHUNK;
        let hi = (lo + CHUNK).min(self.edges());
        let mut rng = SplitMix(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ k.wrapping_add(1));
        // 16-bit thresholds: four levels per 64-bit draw.
        let ta = (self.a * 65536.0) as u32;
        let tb = ((self.a + self.b) * 65536.0) as u32;
        let tc = ((self.a + self.b + self.c) * 65536.0) as u32;
        for _ in lo..hi {
            let (mut s, mut d) = (0u32, 0u32);
            let mut bits = 0u64;
            for level in 0..self.scale {
                if level % 4 == 0 {
                    bits = rng.next();
                }
                let r = (bits & 0xffff) as u32;
                bits >>= 16;
                let (si, di) = if r < ta {
                    (0, 0)
                } else if r < tb {
                    (0, 1)
                } else if r < tc {
                    (1, 0)
                } else {
                    (1, 1)
                };
                s = s << 1 | si;
                d = d << 1 | di;
            }
            f(s, d);
        }
    }

    /// All edges in memory (8 bytes each).
    pub fn edge_list(&self) -> EdgeList {
        let perm = self.permutation();
        let parts: Vec<(Vec<u32>, Vec<u32>)> = (0..self.chunks())
            .into_par_iter()
            .map(|k| {
                let (mut s, mut d) = (Vec::new(), Vec::new());
                self.chunk(k, |a, b| {
                    s.push(perm[a as usize]);
                    d.push(perm[b as usize]);
                });
                (s, d)
            })
            .collect();
        let mut el = EdgeList::new(self.nodes());
        el.src.reserve(self.edges() as usize);
        el.dst.reserve(self.edges() as usize);
        for (s, d) in parts {
            el.src.extend_from_slice(&s);
            el.dst.extend_from_slice(&d);
        }
        el
    }

    /// A pull-only graph built by generating the edges twice (count, then scatter): about
    /// 4 bytes per edge at the peak, so scale 26 (a billion edges) fits in a laptop's memory.
    pub fn pull_graph(&self) -> Result<Csr> {
        let n = self.nodes() as usize;
        let perm = self.permutation();
        let threads = rayon::current_num_threads().max(1) as u64;
        let per = self.chunks().div_ceil(threads).max(1);
        let groups: Vec<(u64, u64)> = (0..threads)
            .map(|t| (t * per, ((t + 1) * per).min(self.chunks())))
            .filter(|r| r.0 < r.1)
            .collect();
        let counted: Vec<(Vec<u32>, Vec<u32>)> = groups
            .par_iter()
            .map(|&(lo, hi)| {
                let (mut ins, mut outs) = (vec![0u32; n], vec![0u32; n]);
                for k in lo..hi {
                    self.chunk(k, |a, b| {
                        outs[perm[a as usize] as usize] += 1;
                        ins[perm[b as usize] as usize] += 1;
                    });
                }
                (ins, outs)
            })
            .collect();
        let mut out_degree = vec![0u32; n];
        let mut parts = Vec::with_capacity(counted.len());
        for (ins, outs) in counted {
            out_degree
                .par_iter_mut()
                .zip(outs.par_iter())
                .for_each(|(d, x)| *d += x);
            parts.push(ins);
        }
        let offsets = offsets_and_cursors(n, &mut parts);
        let mut sources = vec![0u32; offsets[n] as usize];
        let sp = SyncPtr(sources.as_mut_ptr());
        let offs = &offsets;
        let perm = &perm;
        groups
            .par_iter()
            .zip(parts.par_iter_mut())
            .for_each(|(&(lo, hi), cur)| {
                for k in lo..hi {
                    self.chunk(k, |a, b| {
                        let b = perm[b as usize] as usize;
                        let at = offs[b] as usize + cur[b] as usize;
                        cur[b] += 1;
                        // SAFETY: as in the counting sort: group t's slots for node b follow
                        // those of groups 0..t, counted from the same deterministic edges.
                        unsafe { sp.write(at, perm[a as usize]) };
                    });
                }
            });
        drop(parts);
        Csr::from_in_adjacency(offsets, sources, None, out_degree)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough to drive R-MAT.
struct SplitMix(u64);

impl SplitMix {
    #[inline(always)]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_skewed_and_both_builds_agree() {
        let r = Rmat::graph500(10, 8, 42).unwrap();
        let el = r.edge_list();
        assert_eq!(el.len() as u64, r.edges());
        assert_eq!(el, r.edge_list());
        assert_ne!(el, Rmat::graph500(10, 8, 43).unwrap().edge_list());
        let full = Csr::from_edges(&el).unwrap();
        let mut indeg: Vec<u32> = (0..full.n()).map(|v| full.in_degree(v)).collect();
        indeg.sort_unstable();
        // Power law: the top node has far more than the mean in-degree of 8.
        assert!(*indeg.last().unwrap() > 80, "{:?}", indeg.last());
        let pull = r.pull_graph().unwrap();
        assert_eq!(pull.in_adj().offsets(), full.in_adj().offsets());
        assert_eq!(pull.in_adj().targets(), full.in_adj().targets());
        for v in 0..full.n() {
            assert_eq!(pull.out_degree(v), full.out_degree(v));
        }
    }
}
