//! Forward Monte Carlo simulation of a seed set's spread, and the exact spread on small graphs
//! by enumerating every live-edge world (the yardstick for the estimators).

use super::graph::DiffusionGraph;
use super::rng::Rng;
use super::{ImError, Model};
use rayon::prelude::*;
use serde::Serialize;
use std::cell::RefCell;

/// Simulations per random stream.
const SIMS_PER_STREAM: u64 = 16;

/// The Monte Carlo estimate of a seed set's expected spread (seeds included).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SpreadEstimate {
    /// Simulations run.
    pub simulations: u64,
    /// Mean number of activated nodes.
    pub mean: f64,
    /// Standard error of the mean.
    pub std_error: f64,
    /// 95 % confidence interval (normal approximation: the mean of thousands of runs).
    pub low: f64,
    /// Its upper end.
    pub high: f64,
}

thread_local! {
    /// Per-thread scratch: an "active" stamp and, for LT, the weight received so far and the
    /// threshold drawn, per node; `touched` lists the nodes to reset.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Default)]
struct Scratch {
    active: Vec<bool>,
    received: Vec<f64>,
    threshold: Vec<f64>,
    touched: Vec<u32>,
    queue: Vec<u32>,
}

/// Runs `sims` independent diffusions from `seeds` on the current rayon pool. Deterministic for
/// a given `seed` whatever the thread count.
pub fn simulate(
    g: &DiffusionGraph,
    model: Model,
    seeds: &[u32],
    sims: u64,
    seed: u64,
) -> Result<SpreadEstimate, ImError> {
    if sims == 0 {
        return Err(ImError::Invalid("simulations must be at least 1".into()));
    }
    if let Some(&s) = seeds.iter().find(|&&s| s >= g.n()) {
        return Err(ImError::Invalid(format!(
            "seed {s} is not a node (n = {})",
            g.n()
        )));
    }
    let streams = sims.div_ceil(SIMS_PER_STREAM);
    let (sum, sum_sq) = (0..streams)
        .into_par_iter()
        .map(|c| {
            let runs = SIMS_PER_STREAM.min(sims - c * SIMS_PER_STREAM);
            let mut rng = Rng::new(seed, c);
            SCRATCH.with(|cell| {
                let mut s = cell.borrow_mut();
                let n = g.n() as usize;
                if s.active.len() < n {
                    s.active.resize(n, false);
                    s.received.resize(n, 0.0);
                    s.threshold.resize(n, -1.0);
                }
                let (mut sum, mut sum_sq) = (0f64, 0f64);
                for _ in 0..runs {
                    let x = run_once(g, model, seeds, &mut rng, &mut s) as f64;
                    sum += x;
                    sum_sq += x * x;
                }
                (sum, sum_sq)
            })
        })
        .reduce(|| (0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    let n = sims as f64;
    let mean = sum / n;
    let var = if sims > 1 {
        ((sum_sq - sum * sum / n) / (n - 1.0)).max(0.0)
    } else {
        0.0
    };
    let std_error = (var / n).sqrt();
    Ok(SpreadEstimate {
        simulations: sims,
        mean,
        std_error,
        low: mean - 1.96 * std_error,
        high: mean + 1.96 * std_error,
    })
}

fn run_once(
    g: &DiffusionGraph,
    model: Model,
    seeds: &[u32],
    rng: &mut Rng,
    s: &mut Scratch,
) -> u64 {
    let Scratch {
        active,
        received,
        threshold,
        touched,
        queue,
    } = s;
    queue.clear();
    for &v in seeds {
        if !active[v as usize] {
            active[v as usize] = true;
            queue.push(v);
        }
    }
    let targets = g.out_targets();
    let mut head = 0;
    while head < queue.len() {
        let u = queue[head];
        head += 1;
        for j in g.out_range(u) {
            let v = targets[j];
            if active[v as usize] {
                continue;
            }
            let p = g.out_p(j) as f64;
            let fire = match model {
                Model::Ic => p > 0.0 && (p >= 1.0 || rng.unit() < p),
                Model::Lt => {
                    if threshold[v as usize] < 0.0 {
                        // First weight to reach v: draw its threshold in (0, 1].
                        threshold[v as usize] = rng.unit_open0();
                        touched.push(v);
                    }
                    received[v as usize] += p;
                    received[v as usize] >= threshold[v as usize]
                }
            };
            if fire {
                active[v as usize] = true;
                queue.push(v);
            }
        }
    }
    for &v in queue.iter() {
        active[v as usize] = false;
    }
    for &v in touched.iter() {
        received[v as usize] = 0.0;
        threshold[v as usize] = -1.0;
    }
    touched.clear();
    queue.len() as u64
}

/// The exact expected spread of `seeds`, by enumerating every live-edge world: under IC each
/// edge is live or not (2^m worlds), under LT each node keeps one in-edge or none
/// (∏ (indeg + 1) worlds). For tests and tiny graphs (at most 64 nodes and 2^22 worlds).
pub fn exact_spread(g: &DiffusionGraph, model: Model, seeds: &[u32]) -> Result<f64, ImError> {
    Ok(exact_spreads(g, model, &[seeds.to_vec()])?[0])
}

/// [`exact_spread`] of several seed sets over one enumeration of the worlds.
pub fn exact_spreads(
    g: &DiffusionGraph,
    model: Model,
    seed_sets: &[Vec<u32>],
) -> Result<Vec<f64>, ImError> {
    const MAX_WORLDS: f64 = (1u64 << 22) as f64;
    let n = g.n();
    if n > 64 {
        return Err(ImError::Invalid(format!(
            "{n} nodes is too many to enumerate worlds (at most 64)"
        )));
    }
    let edges: Vec<(u32, u32, f64)> = (0..n)
        .flat_map(|v| g.in_edges(v).map(move |(u, p)| (u, v, p as f64)))
        .collect();
    let worlds = match model {
        Model::Ic => 2f64.powi(edges.len() as i32),
        Model::Lt => (0..n).map(|v| g.in_edges(v).count() as f64 + 1.0).product(),
    };
    if worlds > MAX_WORLDS {
        return Err(ImError::Invalid(format!(
            "{worlds} live-edge worlds is too many to enumerate"
        )));
    }
    let seed_masks: Vec<u64> = seed_sets
        .iter()
        .map(|s| s.iter().fold(0u64, |m, &v| m | 1u64 << v))
        .collect();
    let mut totals = vec![0.0; seed_sets.len()];
    // Adds one world: who each node reaches over the live edges, then each set's reach.
    let mut add_world = |p: f64, live: &[(u32, u32)]| {
        let mut out = vec![0u64; n as usize];
        for &(u, v) in live {
            out[u as usize] |= 1u64 << v;
        }
        let reach: Vec<u64> = (0..n as usize)
            .map(|s| {
                let mut seen = 1u64 << s;
                let mut frontier = seen;
                while frontier != 0 {
                    let mut next = 0u64;
                    let mut f = frontier;
                    while f != 0 {
                        let u = f.trailing_zeros() as usize;
                        f &= f - 1;
                        next |= out[u];
                    }
                    frontier = next & !seen;
                    seen |= next;
                }
                seen
            })
            .collect();
        for (t, &m) in totals.iter_mut().zip(&seed_masks) {
            let mut covered = 0u64;
            let mut bits = m;
            while bits != 0 {
                covered |= reach[bits.trailing_zeros() as usize];
                bits &= bits - 1;
            }
            *t += p * covered.count_ones() as f64;
        }
    };
    match model {
        Model::Ic => {
            for mask in 0u64..(1u64 << edges.len()) {
                let mut p = 1.0;
                let mut live = Vec::new();
                for (i, &(u, v, q)) in edges.iter().enumerate() {
                    if mask >> i & 1 == 1 {
                        p *= q;
                        live.push((u, v));
                    } else {
                        p *= 1.0 - q;
                    }
                }
                if p > 0.0 {
                    add_world(p, &live);
                }
            }
        }
        Model::Lt => {
            // Each node's options: (probability, kept in-edge source or none).
            let options: Vec<Vec<(f64, Option<u32>)>> = (0..n)
                .map(|v| {
                    let ins: Vec<(u32, f32)> = g.in_edges(v).collect();
                    let none = 1.0 - ins.iter().map(|&(_, p)| p as f64).sum::<f64>();
                    let mut o: Vec<(f64, Option<u32>)> =
                        ins.iter().map(|&(u, p)| (p as f64, Some(u))).collect();
                    o.push((none.max(0.0), None));
                    o
                })
                .collect();
            let mut choice = vec![0usize; n as usize];
            loop {
                let mut p = 1.0;
                let mut live = Vec::new();
                for v in 0..n as usize {
                    let (q, src) = options[v][choice[v]];
                    p *= q;
                    if let Some(u) = src {
                        live.push((u, v as u32));
                    }
                }
                if p > 0.0 {
                    add_world(p, &live);
                }
                // Next combination (odometer).
                let mut v = 0;
                while v < n as usize {
                    choice[v] += 1;
                    if choice[v] < options[v].len() {
                        break;
                    }
                    choice[v] = 0;
                    v += 1;
                }
                if v == n as usize {
                    break;
                }
            }
        }
    }
    Ok(totals)
}
