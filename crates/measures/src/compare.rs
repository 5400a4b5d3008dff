//! How far measures agree: Spearman's ρ and Kendall's τ-b between every pair of measures, over
//! all accounts and over the top accounts by each measure — the table of Cha et al. 2010
//! ("Measuring User Influence in Twitter: The Million Follower Fallacy", Table 3).

use crate::warning::{constant, Warning};
use crate::{
    measure, measured_all, ranking, top_cut, ExcludedTie, Log, MeasureSpec, Measured, Result,
    Scope, Scores, TopCut,
};
use rayon::prelude::*;
use renown_graph::EngagementParams;
use renown_model::Kind;
use renown_store::Store;
use serde::Serialize;

/// Every pairwise correlation, ready for a table or the API.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Accounts compared (every account in the store).
    pub accounts: usize,
    /// The measures compared, in the order asked.
    pub measures: Vec<String>,
    /// One row per pair and set.
    pub rows: Vec<Correlation>,
    /// What makes the scope or a measure degenerate (a constant measure, an empty scope).
    pub warnings: Vec<Warning>,
}

/// The agreement of two measures over one set of accounts.
#[derive(Clone, Debug, Serialize)]
pub struct Correlation {
    /// The first measure.
    pub a: String,
    /// The second measure.
    pub b: String,
    /// `all`, or `top 10% by <measure>`.
    pub set: String,
    /// Accounts in the set.
    pub n: usize,
    /// For a top set: the accounts asked for (the set is smaller when a tie was left out).
    pub requested: Option<usize>,
    /// For a top set: the tie at its boundary, left out whole rather than cut by account id.
    pub excluded_tie: Option<ExcludedTie>,
    /// Spearman's ρ with average ranks for ties; `None` when undefined (see `undefined`).
    pub spearman: Option<f64>,
    /// Kendall's τ-b; `None` when undefined.
    pub kendall: Option<f64>,
    /// Why the correlations are undefined on this set, if they are.
    pub undefined: Option<Undefined>,
}

/// Why a rank correlation has no value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Undefined {
    /// Fewer than two accounts in the set.
    TooFewAccounts {
        /// Accounts in the set.
        accounts: usize,
    },
    /// One measure gives every account in the set the same score.
    Constant {
        /// The constant measure.
        measure: String,
        /// The score every account has.
        score: f64,
    },
}

impl std::fmt::Display for Undefined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Undefined::TooFewAccounts { accounts: 1 } => {
                write!(f, "1 account in the set: no correlation")
            }
            Undefined::TooFewAccounts { accounts } => {
                write!(f, "{accounts} accounts in the set: no correlation")
            }
            Undefined::Constant { measure, score } => {
                write!(f, "{measure} is {score} for every account in the set")
            }
        }
    }
}

/// PageRank on the reshare graph (reshares and quotes, weighted by count) × n: the
/// "PageRank on the retweet graph" column of the Cha-style comparison.
pub fn reshare_pagerank(log: &Log, scope: &Scope) -> Result<Measured> {
    reshare_pagerank_damped(log, scope, crate::pagerank::DEFAULT_DAMPING)
}

/// [`reshare_pagerank`] with another damping (in [0, 1]).
pub fn reshare_pagerank_damped(log: &Log, scope: &Scope, damping: f64) -> Result<Measured> {
    log.check(scope)?;
    let p = EngagementParams::of(
        &scope.measures(),
        &[(Kind::Reshare, 1.0), (Kind::Quote, 1.0)],
    );
    crate::pagerank::scaled(&log.engagement_graph(&p)?, damping)
}

/// `reshare-pagerank`: PageRank on the reshare graph.
pub const RESHARE_PAGERANK: MeasureSpec = MeasureSpec {
    name: "reshare-pagerank",
    describe: "PageRank on the reshare (retweet) graph, weighted by count (× n)",
    follows: "PageRank (Kwak et al. 2010) on the retweet graph, as compared with retweets and \
              mentions in Cha et al. 2010",
    counts: false,
    reads: &[Kind::Reshare, Kind::Quote],
    of_log: reshare_pagerank,
};

/// Computes the named measures and compares them; `top_percents` such as `[10.0, 1.0]`. The
/// measures are computed in parallel on one [`Log`] of the store.
pub fn compare(
    store: &Store,
    scope: &Scope,
    names: &[&str],
    top_percents: &[f64],
) -> Result<Comparison> {
    let specs: Vec<&MeasureSpec> = names.iter().map(|n| measure(n)).collect::<Result<_>>()?;
    let log = Log::read(store, scope)?;
    let facts = log.facts(scope)?;
    let measured = measured_all(&log, scope, &specs)?;
    drop(log);
    let mut warnings = facts.warnings();
    for (spec, m) in specs.iter().zip(&measured) {
        warnings.extend(facts.measure_warnings(spec, m));
    }
    let scores: Vec<Scores> = measured.into_iter().map(|m| m.scores).collect();
    let mut c = compare_scores(names, &scores, top_percents);
    c.warnings = warnings;
    Ok(c)
}

/// One measure's scores ranked once for every pair it is in, all from its [`ranking`] order:
/// no pair sorts anything over all accounts.
struct Ranked {
    /// Average ranks (Spearman's).
    average: Vec<f64>,
    /// Dense ranks from 0: equal scores share one, the next score gets the next (Kendall's needs
    /// only the order and the ties, and integers bucket where scores would be sorted).
    dense: Vec<u32>,
    /// The accounts by ascending score (ties in any order).
    ascending: Vec<u32>,
    /// Where each dense rank's accounts start in `ascending`, and `n` last.
    starts: Vec<u32>,
    /// Pairs of accounts with equal scores (τ-b's ties in this measure).
    tied_pairs: u64,
    /// The top sets, one per percentage.
    tops: Vec<(TopCut, Vec<u32>)>,
}

/// Pairs among `t` items.
fn pairs(t: u64) -> u64 {
    t * t.saturating_sub(1) / 2
}

impl Ranked {
    /// From the measure's order ([`ranking`]: descending score, ties by id): the ascending order
    /// is its reverse, and the ties are its runs of equal scores.
    fn new(order: &[(u32, f64)], top_percents: &[f64]) -> Ranked {
        let n = order.len();
        let tops = top_percents
            .iter()
            .map(|&p| {
                let k = ((p / 100.0 * n as f64).ceil() as usize).clamp(0, n);
                let cut = top_cut(order, k);
                let ids = order[..cut.len].iter().map(|r| r.0).collect();
                (cut, ids)
            })
            .collect();
        let ascending: Vec<u32> = order.iter().rev().map(|r| r.0).collect();
        let score = |q: usize| order[n - 1 - q].1;
        let (mut average, mut dense) = (vec![0.0; n], vec![0u32; n]);
        let mut starts = Vec::new();
        let mut tied_pairs = 0;
        let mut first = 0;
        while first < n {
            // One tie: ascending positions first..=last.
            let mut last = first;
            while last + 1 < n && score(last + 1) == score(last) {
                last += 1;
            }
            let avg = (first + last) as f64 / 2.0 + 1.0;
            let rank = starts.len() as u32;
            for &id in &ascending[first..=last] {
                average[id as usize] = avg;
                dense[id as usize] = rank;
            }
            starts.push(first as u32);
            tied_pairs += pairs((last + 1 - first) as u64);
            first = last + 1;
        }
        starts.push(n as u32);
        Ranked {
            average,
            dense,
            ascending,
            starts,
            tied_pairs,
            tops,
        }
    }

    /// Distinct scores.
    fn distinct(&self) -> usize {
        self.starts.len() - 1
    }
}

/// Compares precomputed scores (one vector per measure, all the same length). A top set never
/// cuts through a tie: a tie at its boundary is left out whole ([`top_cut`]). Each measure is
/// ranked once; the pairs are correlated in parallel from the rank arrays.
pub fn compare_scores(names: &[&str], scores: &[Scores], top_percents: &[f64]) -> Comparison {
    let orders: Vec<Vec<(u32, f64)>> = scores.par_iter().map(|s| ranking(s)).collect();
    let scores: Vec<&[f64]> = scores.iter().map(Vec::as_slice).collect();
    let orders: Vec<&[(u32, f64)]> = orders.iter().map(Vec::as_slice).collect();
    compare_ordered(names, &scores, &orders, top_percents)
}

/// [`compare_scores`] given each measure's [`ranking`] order as well (a caller that ranked the
/// scores already saves sorting them again). `orders[m]` must be `ranking(scores[m])`.
pub fn compare_ordered(
    names: &[&str],
    scores: &[&[f64]],
    orders: &[&[(u32, f64)]],
    top_percents: &[f64],
) -> Comparison {
    assert_eq!(scores.len(), orders.len());
    let n = scores.first().map_or(0, |s| s.len());
    let ranked: Vec<Ranked> = orders
        .par_iter()
        .map(|order| Ranked::new(order, top_percents))
        .collect();
    let pairs: Vec<(usize, usize)> = (0..names.len())
        .flat_map(|i| (i + 1..names.len()).map(move |j| (i, j)))
        .collect();
    let rows: Vec<Vec<Correlation>> = pairs
        .par_iter()
        .map(|&(i, j)| {
            let (x, y) = (scores[i], scores[j]);
            let pair = [names[i], names[j]];
            let (rx, ry) = (&ranked[i], &ranked[j]);
            let mut rows = Vec::with_capacity(1 + 2 * top_percents.len());
            let mut all = correlation(pair, "all".into(), x, y, None);
            if all.n >= 2 {
                all.spearman = pearson_of_ranks(&rx.average, &ry.average);
                all.kendall = kendall_tau_b_ranked(rx, ry);
            }
            rows.push(all);
            for (t, &p) in top_percents.iter().enumerate() {
                for (by, other) in [(i, j), (j, i)] {
                    let (by, other, by_name) = (&ranked[by], &ranked[other], names[by]);
                    let (cut, ids) = &by.tops[t];
                    let xs: Vec<f64> = ids.iter().map(|&v| x[v as usize]).collect();
                    let ys: Vec<f64> = ids.iter().map(|&v| y[v as usize]).collect();
                    let set = format!("top {p}% by {by_name}");
                    let mut row = correlation(pair, set, &xs, &ys, Some(cut));
                    let along = |r: &Ranked| -> Vec<u32> {
                        ids.iter().map(|&v| r.dense[v as usize]).collect()
                    };
                    let (rho, tau) = top_set_correlations(&along(by), &along(other));
                    row.spearman = rho;
                    row.kendall = tau;
                    rows.push(row);
                }
            }
            rows
        })
        .collect();
    Comparison {
        accounts: n,
        measures: names.iter().map(|s| s.to_string()).collect(),
        rows: rows.into_iter().flatten().collect(),
        warnings: Vec::new(),
    }
}

/// Kendall's τ-b over all accounts from two measures' rank arrays, with no comparison sort: the
/// accounts in ascending order of one measure, bucketed (stably) by their dense rank in the
/// other, are in (other, one) order; each bucket is then a run ascending in the one measure, so
/// the discordant pairs are the inversions counted by merging those runs (O(n log buckets)).
/// The measure with fewer distinct scores buckets: fewer runs to merge.
fn kendall_tau_b_ranked(x: &Ranked, y: &Ranked) -> Option<f64> {
    let n = x.dense.len();
    if n < 2 {
        return None;
    }
    let (bucket, within) = if x.distinct() <= y.distinct() {
        (x, y)
    } else {
        (y, x)
    };
    let mut next = bucket.starts.clone();
    let mut seq = vec![0u32; n];
    for &id in &within.ascending {
        let slot = &mut next[bucket.dense[id as usize] as usize];
        seq[*slot as usize] = within.dense[id as usize];
        *slot += 1;
    }
    // Ties in both: equal neighbours inside one bucket (each bucket is ascending).
    let mut tied_both = 0;
    for b in bucket.starts.windows(2) {
        let run = &seq[b[0] as usize..b[1] as usize];
        let mut length = 1u64;
        for w in run.windows(2) {
            if w[0] == w[1] {
                length += 1;
            } else {
                tied_both += pairs(length);
                length = 1;
            }
        }
        tied_both += pairs(length);
    }
    let discordant = inversions(&mut seq);
    tau_b(n, x.tied_pairs, y.tied_pairs, tied_both, discordant)
}

/// Spearman's ρ and Kendall's τ-b over a top set. `by` holds the dense ranks of the measure the
/// set is the top of, along the set's order (so non-increasing), and `other` the other measure's
/// at the same positions: any integers that keep each measure's order and ties give the same
/// values as its scores. One sort of the set by `other` gives both `other`'s average ranks and
/// the (other, by) order whose inversions are the discordant pairs. Either measure may be the
/// first of the pair: both correlations are symmetric, to the bit.
fn top_set_correlations(by: &[u32], other: &[u32]) -> (Option<f64>, Option<f64>) {
    let m = by.len();
    if m < 2 {
        return (None, None);
    }
    let mut by_average = vec![0.0; m];
    let mut tied_by = 0;
    let mut first = 0;
    while first < m {
        let mut last = first;
        while last + 1 < m && by[last + 1] == by[first] {
            last += 1;
        }
        // Positions first..=last descending are m-1-last..=m-1-first ascending.
        let avg = ((m - 1 - last) + (m - 1 - first)) as f64 / 2.0 + 1.0;
        by_average[first..=last].fill(avg);
        tied_by += pairs((last + 1 - first) as u64);
        first = last + 1;
    }
    // By `other` ascending, then by `by` ascending: later positions have lower `by`.
    let mut keys: Vec<u64> = other
        .iter()
        .enumerate()
        .map(|(p, &o)| (o as u64) << 32 | (m - 1 - p) as u64)
        .collect();
    keys.sort_unstable();
    let position = |k: u64| m - 1 - (k as u32 as usize);
    let mut other_average = vec![0.0; m];
    let (mut tied_other, mut tied_both) = (0, 0);
    let mut first = 0;
    while first < m {
        let mut last = first;
        while last + 1 < m && keys[last + 1] >> 32 == keys[first] >> 32 {
            last += 1;
        }
        let avg = (first + last) as f64 / 2.0 + 1.0;
        let mut length = 1u64;
        for q in first..=last {
            let p = position(keys[q]);
            other_average[p] = avg;
            if q > first {
                if by[p] == by[position(keys[q - 1])] {
                    length += 1;
                } else {
                    tied_both += pairs(length);
                    length = 1;
                }
            }
        }
        tied_both += pairs(length);
        tied_other += pairs((last + 1 - first) as u64);
        first = last + 1;
    }
    let mut seq: Vec<u32> = keys.iter().map(|&k| by[position(k)]).collect();
    drop(keys);
    let discordant = inversions(&mut seq);
    (
        pearson_of_ranks(&by_average, &other_average),
        tau_b(m, tied_by, tied_other, tied_both, discordant),
    )
}

/// τ-b from its counts over `n` items: pairs tied in x, in y, in both, and discordant. Every
/// count is an integer below 2^53, so the sums are exact and the result does not depend on
/// which variable is x.
fn tau_b(n: usize, tied_x: u64, tied_y: u64, tied_both: u64, discordant: u64) -> Option<f64> {
    let n0 = pairs(n as u64);
    let denom = ((n0 - tied_x) as f64) * ((n0 - tied_y) as f64);
    if denom <= 0.0 {
        return None;
    }
    let num =
        n0 as f64 - tied_x as f64 - tied_y as f64 + tied_both as f64 - 2.0 * discordant as f64;
    Some(num / denom.sqrt())
}

fn correlation(
    [a, b]: [&str; 2],
    set: String,
    x: &[f64],
    y: &[f64],
    cut: Option<&TopCut>,
) -> Correlation {
    let undefined = if x.len() < 2 {
        Some(Undefined::TooFewAccounts { accounts: x.len() })
    } else if let Some(score) = constant(x) {
        Some(Undefined::Constant {
            measure: a.to_string(),
            score,
        })
    } else {
        constant(y).map(|score| Undefined::Constant {
            measure: b.to_string(),
            score,
        })
    };
    Correlation {
        a: a.to_string(),
        b: b.to_string(),
        set,
        n: x.len(),
        requested: cut.map(|c| c.requested),
        excluded_tie: cut.and_then(|c| c.excluded_tie.clone()),
        spearman: None,
        kendall: None,
        undefined,
    }
}

/// Ranks 1..n with ties given their average rank.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Dense ranks from 0: equal scores share one, the next score gets the next.
pub fn dense_ranks(x: &[f64]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..x.len() as u32).collect();
    idx.par_sort_unstable_by(|&a, &b| x[a as usize].total_cmp(&x[b as usize]));
    let mut r = vec![0u32; x.len()];
    let mut rank = 0;
    for w in 0..idx.len() {
        if w > 0 && x[idx[w] as usize] != x[idx[w - 1] as usize] {
            rank += 1;
        }
        r[idx[w] as usize] = rank;
    }
    r
}

/// Spearman's ρ: Pearson's correlation of the average ranks.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len());
    if x.len() < 2 {
        return None;
    }
    pearson_of_ranks(&average_ranks(x), &average_ranks(y))
}

/// Pearson's correlation of two average-rank arrays over the same accounts (ranks 1..n).
fn pearson_of_ranks(rx: &[f64], ry: &[f64]) -> Option<f64> {
    let mean = (rx.len() as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(ry) {
        let (dx, dy) = (a - mean, b - mean);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (rx.len() >= 2 && sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Kendall's τ-b in O(n log n) (Knight 1966): sort by (x, y), count discordant pairs as the
/// swaps of a merge sort by y, and correct for ties in x, in y and in both.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len());
    if x.len() < 2 {
        return None;
    }
    kendall_tau_b_dense(&dense_ranks(x), &dense_ranks(y))
}

/// [`kendall_tau_b`] of dense ranks ([`dense_ranks`]): τ-b depends only on the order and the
/// ties of each variable, which the dense ranks keep exactly. The serial definition the fast
/// paths of [`compare_scores`] are checked against: one sort by (x, y), then the inversions.
fn kendall_tau_b_dense(x: &[u32], y: &[u32]) -> Option<f64> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let mut keys: Vec<u64> = x
        .iter()
        .zip(y)
        .map(|(&a, &b)| (a as u64) << 32 | b as u64)
        .collect();
    keys.par_sort_unstable();
    let (mut tie_x, mut tie_xy) = (0u64, 0u64);
    let (mut run_x, mut run_xy) = (1u64, 1u64);
    for w in keys.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a >> 32 == b >> 32 {
            run_x += 1;
            if a == b {
                run_xy += 1;
            } else {
                tie_xy += pairs(run_xy);
                run_xy = 1;
            }
        } else {
            tie_x += pairs(run_x);
            tie_xy += pairs(run_xy);
            run_x = 1;
            run_xy = 1;
        }
    }
    tie_x += pairs(run_x);
    tie_xy += pairs(run_xy);
    let mut ys: Vec<u32> = keys.iter().map(|&k| k as u32).collect();
    drop(keys);
    let swaps = inversions(&mut ys);
    let mut tie_y = 0u64;
    let mut run = 1u64;
    for w in ys.windows(2) {
        if w[0] == w[1] {
            run += 1;
        } else {
            tie_y += pairs(run);
            run = 1;
        }
    }
    tie_y += pairs(run);
    tau_b(n, tie_x, tie_y, tie_xy, swaps)
}

/// Sorts `v` ascending and returns its inversions (pairs `i < j` with `v[i] > v[j]`), merging
/// its non-decreasing runs pairwise, level by level: O(n log runs), and a sequence made of few
/// runs (one per distinct score of a measure) costs few passes.
fn inversions(v: &mut Vec<u32>) -> u64 {
    let n = v.len();
    let mut bounds = vec![0];
    bounds.extend((1..n).filter(|&i| v[i] < v[i - 1]));
    bounds.push(n);
    if bounds.len() <= 2 {
        return 0;
    }
    let mut source = std::mem::take(v);
    let mut target = vec![0u32; n];
    let mut swaps = 0;
    while bounds.len() > 2 {
        let mut merged = Vec::with_capacity(bounds.len() / 2 + 2);
        let mut r = 0;
        while r + 2 < bounds.len() {
            let (lo, mid, hi) = (bounds[r], bounds[r + 1], bounds[r + 2]);
            swaps += merge_counting(&source[lo..mid], &source[mid..hi], &mut target[lo..hi]);
            merged.push(lo);
            r += 2;
        }
        if r + 1 < bounds.len() {
            let (lo, hi) = (bounds[r], bounds[r + 1]);
            target[lo..hi].copy_from_slice(&source[lo..hi]);
            merged.push(lo);
        }
        merged.push(n);
        bounds = merged;
        std::mem::swap(&mut source, &mut target);
    }
    *v = source;
    swaps
}

/// Merges the ascending `a` and `b` into `out` (stable: `a` first among equals) and returns the
/// pairs (an element of `a`, a smaller one of `b`).
fn merge_counting(a: &[u32], b: &[u32], out: &mut [u32]) -> u64 {
    let (mut i, mut j, mut k) = (0, 0, 0);
    let mut swaps = 0;
    while i < a.len() && j < b.len() {
        if b[j] < a[i] {
            out[k] = b[j];
            swaps += (a.len() - i) as u64;
            j += 1;
        } else {
            out[k] = a[i];
            i += 1;
        }
        k += 1;
    }
    out[k..k + a.len() - i].copy_from_slice(&a[i..]);
    k += a.len() - i;
    out[k..].copy_from_slice(&b[j..]);
    swaps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The O(n²) definition of τ-b.
    fn tau_b_naive(x: &[f64], y: &[f64]) -> Option<f64> {
        let (mut c, mut d, mut tx, mut ty) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..x.len() {
            for j in i + 1..x.len() {
                let a = (x[i] - x[j]).signum() * (x[i] != x[j]) as i32 as f64;
                let b = (y[i] - y[j]).signum() * (y[i] != y[j]) as i32 as f64;
                if a == 0.0 && b == 0.0 {
                } else if a == 0.0 {
                    tx += 1.0;
                } else if b == 0.0 {
                    ty += 1.0;
                } else if a == b {
                    c += 1.0;
                } else {
                    d += 1.0;
                }
            }
        }
        let den: f64 = (c + d + tx) * (c + d + ty);
        (den > 0.0).then(|| (c - d) / den.sqrt())
    }

    #[test]
    fn kendall_matches_the_definition_with_ties() {
        let mut s = 12345u64;
        let mut next = |m: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % m) as f64
        };
        for len in [2usize, 3, 7, 50, 301] {
            for m in [2u64, 5, 1000] {
                let x: Vec<f64> = (0..len).map(|_| next(m)).collect();
                let y: Vec<f64> = (0..len).map(|_| next(m)).collect();
                let (a, b) = (kendall_tau_b(&x, &y), tau_b_naive(&x, &y));
                match (a, b) {
                    (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{a} vs {b}"),
                    (a, b) => assert_eq!(a, b),
                }
            }
        }
    }

    /// A generator of small integers (scores with many ties).
    fn lcg(seed: u64) -> impl FnMut(u64) -> f64 {
        let mut s = seed;
        move |m: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % m) as f64
        }
    }

    #[test]
    fn inversions_match_the_count_of_every_pair() {
        let mut next = lcg(7);
        for len in [0usize, 1, 2, 3, 10, 257, 1000] {
            for m in [1u64, 2, 3, 50, 100_000] {
                let v: Vec<u32> = (0..len).map(|_| next(m) as u32).collect();
                let mut expected = 0u64;
                for i in 0..len {
                    for j in i + 1..len {
                        expected += (v[i] > v[j]) as u64;
                    }
                }
                let mut sorted = v.clone();
                assert_eq!(inversions(&mut sorted), expected, "{v:?}");
                let mut reference = v.clone();
                reference.sort();
                assert_eq!(sorted, reference);
            }
        }
    }

    /// The fast path (rank arrays, no sort per pair) against the simple definition, row by row
    /// and to the bit: each correlation from the set's scores alone, ranked afresh.
    #[test]
    fn compare_from_rank_arrays_equals_the_definition_with_heavy_ties() {
        let mut next = lcg(99);
        for (len, tops) in [
            (1usize, vec![50.0]),
            (2, vec![50.0]),
            (37, vec![10.0, 50.0]),
        ] {
            for m in [1u64, 2, 3, 7] {
                let scores: Vec<Scores> = (0..3)
                    .map(|_| (0..len).map(|_| next(m)).collect())
                    .collect();
                check_against_definition(&scores, &tops);
            }
        }
        // Larger, with scores from few distinct values to all distinct, a constant one, and
        // -0.0 beside 0.0 (equal scores).
        let len = 2_000;
        let mut scores: Vec<Scores> = [2u64, 5, 40, 1_000_000]
            .iter()
            .map(|&m| (0..len).map(|_| next(m)).collect())
            .collect();
        scores.push(vec![3.0; len]);
        scores.push(
            (0..len)
                .map(|i| if i % 3 == 0 { -0.0 } else { next(4) })
                .collect(),
        );
        check_against_definition(&scores, &[10.0, 1.0, 50.0, 100.0]);
    }

    fn check_against_definition(scores: &[Scores], tops: &[f64]) {
        let names: Vec<String> = (0..scores.len()).map(|m| format!("m{m}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let c = compare_scores(&names, scores, tops);
        let index = |name: &str| names.iter().position(|n| *n == name).unwrap();
        for row in &c.rows {
            let (x, y) = (&scores[index(&row.a)], &scores[index(&row.b)]);
            let ids: Vec<u32> = match row.set.strip_prefix("top ") {
                None => (0..x.len() as u32).collect(),
                Some(rest) => {
                    let (percent, by) = rest.split_once("% by ").unwrap();
                    let order = ranking(&scores[index(by)]);
                    let k = (percent.parse::<f64>().unwrap() / 100.0 * x.len() as f64).ceil();
                    let cut = top_cut(&order, k as usize);
                    order[..cut.len].iter().map(|r| r.0).collect()
                }
            };
            assert_eq!(row.n, ids.len(), "{row:?}");
            let xs: Vec<f64> = ids.iter().map(|&v| x[v as usize]).collect();
            let ys: Vec<f64> = ids.iter().map(|&v| y[v as usize]).collect();
            let same = |a: Option<f64>, b: Option<f64>| a.map(f64::to_bits) == b.map(f64::to_bits);
            assert!(same(row.spearman, spearman(&xs, &ys)), "{row:?}");
            assert!(same(row.kendall, kendall_tau_b(&xs, &ys)), "{row:?}");
            if xs.len() <= 400 {
                match (row.kendall, tau_b_naive(&xs, &ys)) {
                    (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{a} vs {b}"),
                    (a, b) => assert_eq!(a, b),
                }
            }
        }
    }

    #[test]
    fn spearman_and_kendall_on_known_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(spearman(&x, &[2.0, 4.0, 6.0, 8.0, 10.0]), Some(1.0));
        assert_eq!(kendall_tau_b(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        // scipy.stats.spearmanr([1,2,3,4,5],[5,6,7,8,7]) = 0.8207826816681233
        let r = spearman(&x, &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap();
        assert!((r - 0.8207826816681233).abs() < 1e-12, "{r}");
        // scipy.stats.kendalltau(...) (tau-b) = 0.7378647873726218
        let t = kendall_tau_b(&x, &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap();
        assert!((t - 0.7378647873726218).abs() < 1e-12, "{t}");
        assert_eq!(spearman(&x, &[1.0; 5]), None);
    }

    #[test]
    fn comparison_lists_every_pair_and_top_set() {
        let a = vec![5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let b = vec![1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let c = compare_scores(&["a", "b"], &[a, b], &[50.0]);
        assert_eq!(c.rows.len(), 3);
        assert_eq!(c.rows[1].set, "top 50% by a");
        assert_eq!(c.rows[1].n, 5);
        assert_eq!(c.rows[1].spearman, Some(-1.0));
    }

    #[test]
    fn a_top_set_leaves_out_a_tie_rather_than_cutting_it_by_id() {
        // 2 accounts with replies, 8 tied at 0: a top 50% (5 accounts) used to take 3 of the
        // zeros by id, so the correlation depended on the order the accounts were ingested.
        let replies = vec![0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0];
        let other = vec![1.0, 2.0, 3.0, 9.0, 4.0, 5.0, 8.0, 6.0, 7.0, 0.5];
        let c = compare_scores(&["replies", "other"], &[replies, other], &[50.0]);
        let top = &c.rows[1];
        assert_eq!(top.set, "top 50% by replies");
        assert_eq!((top.n, top.requested), (2, Some(5)));
        assert_eq!(
            top.excluded_tie,
            Some(ExcludedTie {
                score: 0.0,
                accounts: 8
            })
        );
        assert_eq!(top.spearman, Some(1.0));
        assert_eq!(top.undefined, None);
    }

    #[test]
    fn an_undefined_correlation_says_why() {
        let flat = vec![1.0; 6];
        let varied = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let c = compare_scores(&["pagerank", "replies"], &[flat, varied], &[10.0]);
        assert_eq!(c.rows[0].spearman, None);
        assert_eq!(
            c.rows[0].undefined,
            Some(Undefined::Constant {
                measure: "pagerank".into(),
                score: 1.0
            })
        );
        // The top 10% by pagerank cuts through its one tie: nothing is left.
        assert_eq!(
            c.rows[1].undefined,
            Some(Undefined::TooFewAccounts { accounts: 0 })
        );
    }

    #[test]
    fn too_few_accounts_counts_in_words() {
        let say = |accounts| Undefined::TooFewAccounts { accounts }.to_string();
        assert_eq!(say(0), "0 accounts in the set: no correlation");
        assert_eq!(say(1), "1 account in the set: no correlation");
    }
}
