//! Influence–Passivity (Romero, Galuba, Asur & Huberman 2011, "Influence and Passivity in Social
//! Media"): a HITS-like pair of scores where an account is influential when it moves accounts
//! that are hard to move (passive ones), and passive when it ignores even influential accounts.
//!
//! Edges `i → j` mean `j` was exposed to `i`: `j` follows `i`, or `j` reshared or quoted `i`.
//! `w_ij = S_ij / Q_i`, the share of `i`'s posts that `j` passed on. Then, as in the paper,
//!
//! ```text
//! u_ij = w_ij / Σ_k w_kj                 acceptance: of all j accepted, the part from i
//! v_ji = (1 - w_ji) / Σ_k (1 - w_jk)     rejection: of all rejections of j, the part by i
//! P_i  = Σ_{j: j→i} v_ji · I_j           passivity
//! I_i  = Σ_{j: i→j} u_ij · P_j           influence (the score)
//! ```
//!
//! iterated from `I = P = 1`, each normalised to sum 1, until the L1 change is below 1e-12 or
//! after 200 iterations. Departure: the paper counts the URLs `i` posted (`Q_i`); renown counts
//! `i`'s posts in scope, and where the data has no posts (Higgs) or fewer than some follower
//! reshared, uses the most any single account reshared of `i`, so that `w ≤ 1`.

use crate::{Log, MeasureError, MeasureSpec, Result, Scope, Scores};
use renown_graph::EngagementParams;
use renown_model::Kind;

/// The two scores.
pub struct InfluencePassivity {
    /// Per node: how much it moves accounts that are hard to move.
    pub influence: Vec<f64>,
    /// Per node: how hard it is to move.
    pub passivity: Vec<f64>,
    /// Iterations run.
    pub iterations: usize,
}

/// Influence and passivity over exposure edges `(i, j, w_ij)` between nodes `0..n`; an edge
/// naming a node `≥ n` is an error.
pub fn influence_passivity_of(n: usize, edges: &[(u32, u32, f64)]) -> Result<InfluencePassivity> {
    if let Some((i, j, _)) = edges
        .iter()
        .find(|&&(i, j, _)| i as usize >= n || j as usize >= n)
    {
        return Err(MeasureError::Invalid(format!(
            "exposure edge {i} → {j} names a node ≥ n = {n}"
        )));
    }
    let mut accepted = vec![0.0; n];
    let mut rejected = vec![0.0; n];
    for &(i, j, w) in edges {
        accepted[j as usize] += w;
        rejected[i as usize] += 1.0 - w;
    }
    let ratio = |x: f64, total: f64| if total > 0.0 { x / total } else { 0.0 };
    let u: Vec<f64> = edges
        .iter()
        .map(|&(_, j, w)| ratio(w, accepted[j as usize]))
        .collect();
    let v: Vec<f64> = edges
        .iter()
        .map(|&(i, _, w)| ratio(1.0 - w, rejected[i as usize]))
        .collect();
    // Only the nodes with an edge to gather take a value other than 0 after the first pass:
    // each side runs on its own nodes, in ascending order (the zeros left out add nothing to a
    // sum, so the sums are the same bits). Every edge's source has an edge out (it is on the
    // influence side) and its target one in (on the passivity side).
    let to_passive = Grouped::new(n, edges, |&(i, j, _)| (j, i), &v);
    let to_influential = Grouped::new(n, edges, |&(i, j, _)| (i, j), &u);
    let to_passive = to_passive.reading(&to_influential.nodes);
    let to_influential = to_influential.reading(&to_passive.nodes);
    let (mut inf, mut pas) = (vec![1.0; to_influential.len()], vec![1.0; to_passive.len()]);
    let (mut p, mut q) = (vec![0.0; to_passive.len()], vec![0.0; to_influential.len()]);
    let mut iterations = 0;
    for it in 1..=200 {
        iterations = it;
        // Edge i → j: j's rejection of influential i makes j passive.
        to_passive.gather(&inf, &mut p);
        let passive_change = normalise_and_change(&mut p, &pas);
        to_influential.gather(&p, &mut q);
        let influential_change = normalise_and_change(&mut q, &inf);
        let delta = if it == 1 {
            // Every node starts at 1: those left out went to 0 in this pass.
            let all = |x: &[f64], g: &Grouped| {
                g.spread(n, x).iter().map(|v| (v - 1.0).abs()).sum::<f64>()
            };
            all(&q, &to_influential) + all(&p, &to_passive)
        } else {
            influential_change + passive_change
        };
        std::mem::swap(&mut inf, &mut q);
        std::mem::swap(&mut pas, &mut p);
        if delta < 1e-12 {
            break;
        }
    }
    Ok(InfluencePassivity {
        influence: to_influential.spread(n, &inf),
        passivity: to_passive.spread(n, &pas),
        iterations,
    })
}

/// Divides `x` by its sum (when positive); returns the L1 distance to `before`.
fn normalise_and_change(x: &mut [f64], before: &[f64]) -> f64 {
    let s: f64 = x.iter().sum();
    let mut change = 0.0;
    for (v, b) in x.iter_mut().zip(before) {
        if s > 0.0 {
            *v /= s;
        }
        change += (*v - b).abs();
    }
    change
}

/// Edges grouped by the node they add to, in edge order within a node: for each, the node
/// read and the factor. Only the nodes with an edge are kept, ascending.
struct Grouped {
    /// The nodes added to, ascending.
    nodes: Vec<u32>,
    /// Node `nodes[g]`'s edges are `offsets[g]..offsets[g + 1]`.
    offsets: Vec<usize>,
    /// The node each edge reads: a node id, then (after [`Grouped::reading`]) its position
    /// among the nodes of the other side.
    read: Vec<u32>,
    factor: Vec<f64>,
}

impl Grouped {
    /// `ends(edge)`: the node the edge adds to and the node it reads.
    fn new(
        n: usize,
        edges: &[(u32, u32, f64)],
        ends: impl Fn(&(u32, u32, f64)) -> (u32, u32),
        factor_of: &[f64],
    ) -> Grouped {
        let mut first = vec![0usize; n + 1];
        for e in edges {
            first[ends(e).0 as usize + 1] += 1;
        }
        let nodes: Vec<u32> = (0..n as u32)
            .filter(|&v| first[v as usize + 1] > 0)
            .collect();
        for v in 0..n {
            first[v + 1] += first[v];
        }
        let offsets = nodes
            .iter()
            .map(|&v| first[v as usize])
            .chain([edges.len()])
            .collect();
        let (mut read, mut factor) = (vec![0u32; edges.len()], vec![0.0; edges.len()]);
        for (e, edge) in edges.iter().enumerate() {
            let (into, from) = ends(edge);
            let k = first[into as usize];
            first[into as usize] += 1;
            (read[k], factor[k]) = (from, factor_of[e]);
        }
        Grouped {
            nodes,
            offsets,
            read,
            factor,
        }
    }

    /// The same edges reading positions in `other` (ascending node ids, holding every node
    /// read) instead of node ids.
    fn reading(mut self, other: &[u32]) -> Grouped {
        for r in &mut self.read {
            *r = other.partition_point(|&v| v < *r) as u32;
        }
        self
    }

    fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Per node: Σ factor · x[read] over its edges, in edge order, into `out`.
    fn gather(&self, x: &[f64], out: &mut [f64]) {
        for (g, o) in out.iter_mut().enumerate() {
            let mut sum = 0.0;
            for k in self.offsets[g]..self.offsets[g + 1] {
                sum += self.factor[k] * x[self.read[k] as usize];
            }
            *o = sum;
        }
    }

    /// Values per kept node as a value per node of `0..n` (0 for the others).
    fn spread(&self, n: usize, x: &[f64]) -> Vec<f64> {
        let mut all = vec![0.0; n];
        for (&v, &x) in self.nodes.iter().zip(x) {
            all[v as usize] = x;
        }
        all
    }
}

/// Exposure edges from the store: reshares and quotes (counted), plus follows (weight 0).
fn exposure_edges(log: &Log, scope: &Scope) -> Result<Vec<(u32, u32, f64)>> {
    let n = log.accounts();
    let reshares = log.engagement_graph(&EngagementParams::of(
        &scope.measures(),
        &[(Kind::Reshare, 1.0), (Kind::Quote, 1.0)],
    ))?;
    let mut posts = vec![0.0f64; n];
    for r in log.events(scope.as_of, &[Kind::Post]) {
        posts[r.actor as usize] += 1.0;
    }
    // (i, j) keys: i influenced j; the resharer j → i edge becomes i → j.
    let mut pairs: Vec<(u64, f64)> = Vec::new();
    if let Some(out) = reshares.out_adj() {
        for j in 0..reshares.n() {
            let ws = out.neighbor_weights(j);
            for (k, &i) in out.neighbors(j).iter().enumerate() {
                pairs.push(((i as u64) << 32 | j as u64, ws.map_or(1.0, |w| w[k] as f64)));
            }
        }
    }
    if scope.topic.is_none() {
        let f = log.follow_graph(scope.as_of)?;
        if let Some(out) = f.out_adj() {
            for j in 0..f.n() {
                for &i in out.neighbors(j) {
                    pairs.push(((i as u64) << 32 | j as u64, 0.0));
                }
            }
        }
    }
    pairs.sort_unstable_by_key(|p| p.0);
    let mut merged: Vec<(u32, u32, f64)> = Vec::with_capacity(pairs.len());
    for (key, s) in pairs {
        let (i, j) = ((key >> 32) as u32, key as u32);
        match merged.last_mut() {
            Some(last) if last.0 == i && last.1 == j => last.2 += s,
            _ => merged.push((i, j, s)),
        }
    }
    let mut most = vec![0.0f64; n];
    for &(i, _, s) in &merged {
        most[i as usize] = most[i as usize].max(s);
    }
    for e in &mut merged {
        let q = posts[e.0 as usize].max(most[e.0 as usize]);
        e.2 = if q > 0.0 { (e.2 / q).min(1.0) } else { 0.0 };
    }
    Ok(merged)
}

/// Every account's influence score in `scope`.
pub fn influence(log: &Log, scope: &Scope) -> Result<Scores> {
    let n = log.accounts();
    let edges = exposure_edges(log, scope)?;
    Ok(influence_passivity_of(n, &edges)?.influence)
}

/// `influence-passivity`: the influence half of Romero et al.'s influence–passivity.
pub const INFLUENCE_PASSIVITY: MeasureSpec = MeasureSpec {
    name: "influence-passivity",
    describe: "influence in the Influence-Passivity model: moving accounts that are hard to move",
    follows: "Romero, Galuba, Asur & Huberman 2011, Influence and Passivity in Social Media",
    counts: false,
    reads: &[Kind::Reshare, Kind::Quote],
    of_log: influence,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_a_passive_account_counts_more() {
        // 0 and 1 each influence one follower fully; 0's follower (2) ignores 3 entirely
        // (passive), 1's follower (4) accepts everything from everyone.
        let edges = [
            (0, 2, 0.5),
            (3, 2, 0.0),
            (1, 4, 0.5),
            (3, 4, 0.0),
            (5, 4, 1.0),
            (5, 2, 0.0),
        ];
        let r = influence_passivity_of(6, &edges).unwrap();
        assert!((r.influence.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(r.passivity[2] > r.passivity[4], "{:?}", r.passivity);
        assert!(r.influence[0] > r.influence[1], "{:?}", r.influence);
    }

    /// The iteration as a serial scatter over the edge list (the code before the gather).
    fn serial(n: usize, edges: &[(u32, u32, f64)]) -> Vec<f64> {
        let (mut accepted, mut rejected) = (vec![0.0; n], vec![0.0; n]);
        for &(i, j, w) in edges {
            accepted[j as usize] += w;
            rejected[i as usize] += 1.0 - w;
        }
        let ratio = |x: f64, t: f64| if t > 0.0 { x / t } else { 0.0 };
        let u: Vec<f64> = edges
            .iter()
            .map(|&(_, j, w)| ratio(w, accepted[j as usize]))
            .collect();
        let v: Vec<f64> = edges
            .iter()
            .map(|&(i, _, w)| ratio(1.0 - w, rejected[i as usize]))
            .collect();
        let normalise = |x: &mut [f64]| {
            let s: f64 = x.iter().sum();
            if s > 0.0 {
                x.iter_mut().for_each(|v| *v /= s);
            }
        };
        let (mut inf, mut pas) = (vec![1.0; n], vec![1.0; n]);
        for _ in 0..200 {
            let mut p = vec![0.0; n];
            for (e, &(i, j, _)) in edges.iter().enumerate() {
                p[j as usize] += v[e] * inf[i as usize];
            }
            normalise(&mut p);
            let mut q = vec![0.0; n];
            for (e, &(i, j, _)) in edges.iter().enumerate() {
                q[i as usize] += u[e] * p[j as usize];
            }
            normalise(&mut q);
            let delta: f64 = q.iter().zip(&inf).map(|(a, b)| (a - b).abs()).sum::<f64>()
                + p.iter().zip(&pas).map(|(a, b)| (a - b).abs()).sum::<f64>();
            (inf, pas) = (q, p);
            if delta < 1e-12 {
                break;
            }
        }
        inf
    }

    #[test]
    fn the_gather_gives_the_serial_scatters_bits() {
        let mut s = 99u64;
        let mut next = |m: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % m
        };
        // Unsorted, with repeated pairs: the gather must keep the edge order per node. Dense
        // (every node on both sides) and sparse (most nodes without an edge, or on one side
        // only: the gather leaves them out).
        for (n, m, sources, targets) in [(300, 3000, 300, 300), (3000, 700, 400, 2500)] {
            let edges: Vec<(u32, u32, f64)> = (0..m)
                .map(|_| {
                    let (i, j) = (next(sources) as u32, next(targets) as u32);
                    (i, j, next(1000) as f64 / 1000.0)
                })
                .collect();
            let got = influence_passivity_of(n as usize, &edges).unwrap();
            assert_eq!(got.influence, serial(n as usize, &edges), "{n} nodes");
            assert!(got.iterations > 1, "{n} nodes");
        }
    }

    #[test]
    fn an_edge_past_the_accounts_is_an_error() {
        let err = influence_passivity_of(2, &[(0, 1, 0.5), (1, 2, 1.0)])
            .err()
            .expect("an edge to node 2 of 2 was accepted");
        assert!(
            err.to_string().contains("1 → 2 names a node ≥ n = 2"),
            "{err}"
        );
    }
}
