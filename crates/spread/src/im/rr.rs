//! Reverse-reachable (RR) sets (Borgs et al. 2014): pick a node `v` uniformly at random and a
//! random live-edge world; the RR set is everyone who would have reached `v` in that world. A
//! seed set's expected spread is `n ×` the probability that it meets a random RR set, so the
//! share of sampled RR sets a set covers estimates its spread.
//!
//! - IC: a reverse breadth-first search that keeps each in-edge `u → v` with its probability.
//!   Rather than flip one coin per in-edge, *subset sampling* (SUBSIM, Guo et al. 2020) jumps
//!   from one live edge to the next with a geometric draw, so a node costs O(1 + live edges),
//!   not O(in-degree): under weighted cascade a node of in-degree `d` has on average one live
//!   in-edge. With per-edge probabilities sorted from highest to lowest, the jump uses the
//!   current (largest remaining) probability as an envelope and accepts with `p_j / p_envelope`.
//! - LT: each node keeps at most one in-edge, chosen with its weight; the RR set is a reverse
//!   random walk that stops at a node that keeps none or at one already visited.
//!
//! Storage is one flat `Vec<u32>` of node ids plus `u64` offsets: 4 bytes per entry and 8 per
//! set. Sets are generated in chunks of [`CHUNK`] on all threads, each chunk from its own
//! random stream numbered in order, so the sets do not depend on the number of threads.

use super::graph::DiffusionGraph;
use super::rng::Rng;
use super::Model;
use rayon::prelude::*;
use std::cell::RefCell;

/// RR sets per random stream (and per unit of parallel work).
pub const CHUNK: u64 = 1024;

/// A collection of RR sets in one flat array.
#[derive(Clone, Debug, Default)]
pub struct RrSets {
    nodes: Vec<u32>,
    offsets: Vec<u64>,
    /// Random streams used so far: the next batch continues from here.
    streams: u64,
}

thread_local! {
    /// A visited bit per node for the thread's current RR set; all zero between sets.
    static VISITED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

impl RrSets {
    /// No sets yet.
    pub fn new() -> RrSets {
        RrSets {
            nodes: Vec::new(),
            offsets: vec![0],
            streams: 0,
        }
    }

    /// Number of RR sets.
    pub fn len(&self) -> u64 {
        self.offsets.len() as u64 - 1
    }

    /// No sets.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total node entries over all sets.
    pub fn entries(&self) -> u64 {
        self.nodes.len() as u64
    }

    /// Bytes held (capacity, not just length).
    pub fn bytes(&self) -> u64 {
        (self.nodes.capacity() * 4 + self.offsets.capacity() * 8) as u64
    }

    /// The nodes of set `i`.
    #[inline]
    pub fn get(&self, i: usize) -> &[u32] {
        &self.nodes[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Every set, in the order sampled.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.len() as usize).map(|i| self.get(i))
    }

    /// Adds RR sets until there are `target` (nothing if there are already that many).
    pub fn grow_to(&mut self, g: &DiffusionGraph, model: Model, target: u64, seed: u64) {
        if target > self.len() {
            self.extend(g, model, target - self.len(), seed);
        }
    }

    /// Samples `count` more RR sets, in parallel on the current rayon pool.
    pub fn extend(&mut self, g: &DiffusionGraph, model: Model, count: u64, seed: u64) {
        if count == 0 || g.n() == 0 {
            return;
        }
        let chunks = count.div_ceil(CHUNK);
        // Enough chunks per round to keep every thread busy, few enough that the per-chunk
        // buffers stay small next to the collection itself.
        let per_round = (rayon::current_num_threads() as u64 * 8).max(1);
        let mut done = 0;
        while done < chunks {
            let round = per_round.min(chunks - done);
            let parts: Vec<(Vec<u32>, Vec<u32>)> = (done..done + round)
                .into_par_iter()
                .map(|c| {
                    let sets = CHUNK.min(count - c * CHUNK);
                    let mut rng = Rng::new(seed, self.streams + c);
                    sample_chunk(g, model, sets, &mut rng)
                })
                .collect();
            for (nodes, lens) in parts {
                let mut end = *self.offsets.last().expect("offsets start with 0");
                self.offsets.reserve(lens.len());
                for l in lens {
                    end += l as u64;
                    self.offsets.push(end);
                }
                self.nodes.extend_from_slice(&nodes);
            }
            done += round;
        }
        self.streams += chunks;
    }

    /// How many sets contain at least one node of `chosen` (a mask over nodes).
    pub fn coverage(&self, chosen: &[bool]) -> u64 {
        (0..self.len() as usize)
            .into_par_iter()
            .filter(|&i| self.get(i).iter().any(|&v| chosen[v as usize]))
            .count() as u64
    }
}

fn sample_chunk(
    g: &DiffusionGraph,
    model: Model,
    sets: u64,
    rng: &mut Rng,
) -> (Vec<u32>, Vec<u32>) {
    VISITED.with(|cell| {
        let mut visited = cell.borrow_mut();
        let words = (g.n() as usize).div_ceil(64);
        if visited.len() < words {
            visited.resize(words, 0);
        }
        let mut nodes = Vec::with_capacity(sets as usize * 4);
        let mut lens = Vec::with_capacity(sets as usize);
        for _ in 0..sets {
            let start = nodes.len();
            let root = rng.below(g.n());
            match model {
                Model::Ic => sample_ic(g, root, rng, &mut visited, &mut nodes),
                Model::Lt => sample_lt(g, root, rng, &mut visited, &mut nodes),
            }
            for &v in &nodes[start..] {
                visited[v as usize >> 6] &= !(1u64 << (v & 63));
            }
            lens.push((nodes.len() - start) as u32);
        }
        (nodes, lens)
    })
}

/// Marks `v` and appends it to the set unless it was already there.
#[inline]
fn visit(v: u32, visited: &mut [u64], out: &mut Vec<u32>) -> bool {
    let (w, b) = (v as usize >> 6, 1u64 << (v & 63));
    if visited[w] & b != 0 {
        return false;
    }
    visited[w] |= b;
    out.push(v);
    true
}

fn sample_ic(
    g: &DiffusionGraph,
    root: u32,
    rng: &mut Rng,
    visited: &mut [u64],
    out: &mut Vec<u32>,
) {
    let mut head = out.len();
    visit(root, visited, out);
    let all_sources = g.in_sources();
    while head < out.len() {
        let v = out[head];
        head += 1;
        let range = g.in_range(v);
        if range.is_empty() {
            continue;
        }
        let sources = &all_sources[range.clone()];
        match g.uniform_in_p(v) {
            Some(p) if p >= 1.0 => {
                for &u in sources {
                    visit(u, visited, out);
                }
            }
            Some(p) if p > 0.0 => {
                let inv_log_fail = g.uniform_inv_log_fail(v);
                let mut i = rng.failures_before_success(inv_log_fail);
                while i < sources.len() as u64 {
                    visit(sources[i as usize], visited, out);
                    i += 1 + rng.failures_before_success(inv_log_fail);
                }
            }
            Some(_) => {}
            None => {
                // Probabilities sorted from highest to lowest: the one at `i` bounds the rest.
                let mut i = 0usize;
                while i < sources.len() {
                    let envelope = g.in_p(v, range.start + i);
                    if envelope >= 1.0 {
                        visit(sources[i], visited, out);
                        i += 1;
                        continue;
                    }
                    if envelope <= 0.0 {
                        break;
                    }
                    let jump = rng.failures_before_success(1.0 / (-(envelope as f64)).ln_1p());
                    if jump >= (sources.len() - i) as u64 {
                        break;
                    }
                    i += jump as usize;
                    let p = g.in_p(v, range.start + i);
                    if p >= envelope || rng.unit() * (envelope as f64) < p as f64 {
                        visit(sources[i], visited, out);
                    }
                    i += 1;
                }
            }
        }
    }
}

fn sample_lt(
    g: &DiffusionGraph,
    root: u32,
    rng: &mut Rng,
    visited: &mut [u64],
    out: &mut Vec<u32>,
) {
    visit(root, visited, out);
    let all_sources = g.in_sources();
    let mut v = root;
    loop {
        let range = g.in_range(v);
        if range.is_empty() {
            return;
        }
        let x = rng.unit();
        let picked = match g.uniform_in_p(v) {
            Some(p) if p > 0.0 => {
                let i = (x / p as f64) as usize;
                (i < range.len()).then(|| range.start + i)
            }
            Some(_) => None,
            None => {
                let mut rest = x;
                let mut found = None;
                for i in range.clone() {
                    rest -= g.in_p(v, i) as f64;
                    if rest < 0.0 {
                        found = Some(i);
                        break;
                    }
                }
                found
            }
        };
        match picked {
            Some(i) if visit(all_sources[i], visited, out) => v = all_sources[i],
            _ => return,
        }
    }
}
