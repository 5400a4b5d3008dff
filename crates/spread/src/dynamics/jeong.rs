//! Jeong, Néda & Barabási's (2003) cumulative kernel, for comparison: it ignores fitness.

use super::kernel::slope;
use super::{Growth, JeongPoint};

/// Jeong et al. (2003): sizes frozen at the median arrival, arrivals counted in the next tenth.
pub(super) fn jeong(g: &Growth) -> (Vec<JeongPoint>, Option<f64>) {
    let n = g.arrivals.len();
    if n < 20 {
        return (Vec::new(), None);
    }
    let t0 = g.arrivals[n / 2].0;
    let t1 = g.arrivals[(n / 2 + n / 10).min(n - 1)].0.max(t0 + 1);
    let mut k0 = vec![0u64; g.birth.len()];
    let mut gained = vec![0u64; g.birth.len()];
    for &(s, i) in &g.arrivals {
        if s < t0 {
            k0[i as usize] += 1;
        } else if s < t1 {
            gained[i as usize] += 1;
        }
    }
    let kmax = k0.iter().copied().max().unwrap_or(0) as usize;
    let mut nodes = vec![0u64; kmax + 1];
    let mut got = vec![0u64; kmax + 1];
    for i in 0..g.birth.len() {
        if g.birth[i] < t0 {
            nodes[k0[i] as usize] += 1;
            got[k0[i] as usize] += gained[i];
        }
    }
    let mut points = Vec::new();
    let mut kappa = 0.0;
    for k in 1..=kmax {
        if nodes[k] == 0 {
            continue;
        }
        let pi = got[k] as f64 / nodes[k] as f64;
        kappa += pi;
        points.push(JeongPoint {
            k: k as u64,
            accounts: nodes[k],
            pi,
            kappa,
        });
    }
    // Fit where the estimate rests on several accounts per size.
    let fit: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.accounts >= 5 && p.kappa > 0.0)
        .map(|p| ((p.k as f64).ln(), p.kappa.ln()))
        .collect();
    (points, slope(&fit).map(|s| s - 1.0))
}
