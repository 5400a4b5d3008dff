//! Greedy maximum coverage over RR sets: each round takes the node in the most not-yet-covered
//! sets. Coverage is submodular, so the greedy set covers at least (1 − 1/e) of the best
//! k-set's coverage; alongside it comes OPIM-C's data-dependent upper bound on that best
//! coverage (Tang et al. 2018): before round `i`, no k-set covers more than the sets already
//! covered plus the k largest current marginal coverages.

use super::rr::RrSets;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The greedy k-set over some RR sets, with what it covers and a bound on the best k-set.
#[derive(Clone, Debug, PartialEq)]
pub struct Greedy {
    /// Seeds in the order chosen.
    pub seeds: Vec<u32>,
    /// Sets each seed newly covered when it was chosen.
    pub gains: Vec<u64>,
    /// Sets covered by all seeds.
    pub covered: u64,
    /// An upper bound on the coverage of the best k-set among the allowed nodes.
    pub best_upper_bound: u64,
}

/// The greedy k-set over `rr` (nodes `0..n`), taking seeds only where `allowed` is true (every
/// node when `None`). When no allowed node covers anything more, the remaining seeds are the
/// lowest-numbered allowed nodes not yet chosen, each with gain 0.
pub fn greedy(rr: &RrSets, n: u32, k: usize, allowed: Option<&[bool]>) -> Greedy {
    let n = n as usize;
    // Inverted index: the sets each node is in.
    let mut cov = vec![0u32; n];
    for set in rr.iter() {
        for &v in set {
            cov[v as usize] += 1;
        }
    }
    let mut index_offsets = vec![0u64; n + 1];
    for v in 0..n {
        index_offsets[v + 1] = index_offsets[v] + cov[v] as u64;
    }
    let mut index = vec![0u32; rr.entries() as usize];
    {
        let mut next = index_offsets.clone();
        for (s, set) in rr.iter().enumerate() {
            for &v in set {
                index[next[v as usize] as usize] = s as u32;
                next[v as usize] += 1;
            }
        }
    }
    let is_allowed = |v: usize| allowed.is_none_or(|a| a[v]);
    let mut candidates: Vec<u32> = (0..n as u32)
        .filter(|&v| cov[v as usize] > 0 && is_allowed(v as usize))
        .collect();
    let mut set_covered = vec![false; rr.len() as usize];
    let mut chosen = vec![false; n];
    let mut out = Greedy {
        seeds: Vec::with_capacity(k),
        gains: Vec::with_capacity(k),
        covered: 0,
        best_upper_bound: u64::MAX,
    };
    let mut top: BinaryHeap<Reverse<u32>> = BinaryHeap::with_capacity(k + 1);
    for round in 0..=k {
        // One pass: drop nodes that cover nothing more, find the best, sum the k largest.
        candidates.retain(|&v| cov[v as usize] > 0);
        top.clear();
        let mut best: Option<u32> = None;
        for &v in &candidates {
            let c = cov[v as usize];
            if best.is_none_or(|b| c > cov[b as usize] || (c == cov[b as usize] && v < b)) {
                best = Some(v);
            }
            if top.len() < k {
                top.push(Reverse(c));
            } else if top.peek().is_some_and(|&Reverse(m)| c > m) {
                top.pop();
                top.push(Reverse(c));
            }
        }
        let top_sum: u64 = top.iter().map(|&Reverse(c)| c as u64).sum();
        out.best_upper_bound = out.best_upper_bound.min(out.covered + top_sum);
        if round == k {
            break;
        }
        let pick = match best {
            Some(v) => v,
            None => match (0..n as u32).find(|&v| is_allowed(v as usize) && !chosen[v as usize]) {
                Some(v) => v,
                None => break,
            },
        };
        chosen[pick as usize] = true;
        let gain = cov[pick as usize] as u64;
        out.seeds.push(pick);
        out.gains.push(gain);
        out.covered += gain;
        let r = index_offsets[pick as usize] as usize..index_offsets[pick as usize + 1] as usize;
        for &s in &index[r] {
            if !set_covered[s as usize] {
                set_covered[s as usize] = true;
                for &u in rr.get(s as usize) {
                    cov[u as usize] -= 1;
                }
            }
        }
    }
    out
}

/// Sets of `rr` each seed newly covers, taking the seeds in order: the marginal gains of a
/// fixed sequence, measured on sets that did not choose it.
pub fn marginal_coverage(rr: &RrSets, n: u32, seeds: &[u32]) -> Vec<u64> {
    let mut rank = vec![u32::MAX; n as usize];
    for (i, &s) in seeds.iter().enumerate() {
        rank[s as usize] = rank[s as usize].min(i as u32);
    }
    let mut gains = vec![0u64; seeds.len()];
    for set in rr.iter() {
        let first = set
            .iter()
            .map(|&v| rank[v as usize])
            .min()
            .unwrap_or(u32::MAX);
        if first != u32::MAX {
            gains[first as usize] += 1;
        }
    }
    gains
}
