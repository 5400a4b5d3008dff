//! HITS hubs and authorities (Kleinberg 1999) by power iteration: `a = Aᵀh`, `h = A a`, each
//! normalised to sum 1, until the L1 change of `a` and `h` together falls below `tolerance`.
//! The fixed point is the principal singular vector pair networkx's `hits` computes.

use crate::csr::{Adjacency, Csr};
use crate::real::Real;
use crate::sum::ordered_sum;
use crate::{GraphError, Result};
use rayon::prelude::*;

/// When the power iteration stops, and whether it reads weights.
#[derive(Clone, Debug)]
pub struct HitsOptions {
    /// Iterations at most.
    pub max_iterations: usize,
    /// Stop when the summed L1 change of hubs and authorities is below this.
    pub tolerance: f64,
    /// Use edge weights when the graph has them.
    pub weighted: bool,
}

impl Default for HitsOptions {
    fn default() -> Self {
        HitsOptions {
            max_iterations: 1000,
            tolerance: 1e-12,
            weighted: true,
        }
    }
}

/// Hub and authority scores, each summing to 1.
#[derive(Clone, Debug)]
pub struct Hits<T> {
    /// Per node: how much it points to good authorities.
    pub hubs: Vec<T>,
    /// Per node: how much good hubs point to it.
    pub authorities: Vec<T>,
    /// Iterations run.
    pub iterations: usize,
    /// The change fell below the tolerance before `max_iterations`.
    pub converged: bool,
}

/// `y[v] = Σ over v's neighbours u in `adj` of w·x[u]`, normalised to sum 1; returns the L1 change.
fn step<T: Real>(adj: &Adjacency, weighted: bool, x: &[T], y: &mut [T]) -> f64 {
    let w = if weighted { adj.weights() } else { None };
    let off = adj.offsets();
    let t = adj.targets();
    let mut fresh: Vec<T> = (0..y.len())
        .into_par_iter()
        .with_min_len(1024)
        .map(|v| {
            let (lo, hi) = (off[v] as usize, off[v + 1] as usize);
            match w {
                None => t[lo..hi].iter().map(|&u| x[u as usize]).sum(),
                Some(w) => t[lo..hi]
                    .iter()
                    .zip(&w[lo..hi])
                    .map(|(&u, &wt)| x[u as usize] * T::from_f32(wt))
                    .sum(),
            }
        })
        .collect();
    let s = ordered_sum(fresh.len(), |r| fresh[r].iter().map(|v| v.to_f64()).sum());
    if s > 0.0 {
        let inv = T::from_f64(1.0 / s);
        fresh.par_iter_mut().for_each(|v| *v = *v * inv);
    }
    let delta = ordered_sum(fresh.len(), |r| {
        fresh[r.clone()]
            .iter()
            .zip(&y[r])
            .map(|(a, b)| (*a - *b).abs().to_f64())
            .sum()
    });
    y.copy_from_slice(&fresh);
    delta
}

/// Hubs and authorities, each summing to 1 (all zero on a graph without edges).
pub fn hits<T: Real>(g: &Csr, opts: &HitsOptions) -> Result<Hits<T>> {
    let out = g.require_out("HITS")?;
    let n = g.n() as usize;
    if opts.tolerance.is_nan() || opts.tolerance < 0.0 {
        return Err(GraphError::Invalid("tolerance must be ≥ 0".into()));
    }
    let mut hubs = vec![T::from_f64(1.0 / n.max(1) as f64); n];
    let mut auth = vec![T::ZERO; n];
    let mut res = Hits {
        hubs: Vec::new(),
        authorities: Vec::new(),
        iterations: 0,
        converged: false,
    };
    for it in 1..=opts.max_iterations {
        let da = step(g.in_adj(), opts.weighted, &hubs, &mut auth);
        let dh = step(out, opts.weighted, &auth, &mut hubs);
        res.iterations = it;
        if da + dh < opts.tolerance {
            res.converged = true;
            break;
        }
    }
    res.hubs = hubs;
    res.authorities = auth;
    Ok(res)
}
