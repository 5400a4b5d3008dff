//! How far measures agree: Spearman's ρ and Kendall's τ-b between every pair of measures, over
//! all accounts and over the top accounts by each measure — the table of Cha et al. 2010
//! ("Measuring User Influence in Twitter: The Million Follower Fallacy", Table 3).

use crate::warning::{constant, Warning};
use crate::{
    compute_all, measure, ranking, top_cut, ExcludedTie, Log, MeasureSpec, Result, Scope, Scores,
    TopCut,
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
pub fn reshare_pagerank(log: &Log, scope: &Scope) -> Result<Scores> {
    reshare_pagerank_damped(log, scope, crate::pagerank::DEFAULT_DAMPING)
}

/// [`reshare_pagerank`] with another damping (in [0, 1]).
pub fn reshare_pagerank_damped(log: &Log, scope: &Scope, damping: f64) -> Result<Scores> {
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
    let scores = compute_all(&log, scope, &specs)?;
    drop(log);
    let mut warnings = facts.warnings();
    for (spec, s) in specs.iter().zip(&scores) {
        warnings.extend(facts.measure_warnings(spec, s));
    }
    let mut c = compare_scores(names, &scores, top_percents);
    c.warnings = warnings;
    Ok(c)
}

/// One measure's scores ranked once for every pair it is in.
struct Ranked {
    /// Average ranks (Spearman's).
    average: Vec<f64>,
    /// Dense ranks: equal scores share one, the next score gets the next (Kendall's needs only
    /// the order and the ties, and integers sort faster than scores).
    dense: Vec<u32>,
    /// The top sets, one per percentage.
    tops: Vec<(TopCut, Vec<u32>)>,
}

impl Ranked {
    fn new(scores: &[f64], top_percents: &[f64]) -> Ranked {
        let n = scores.len();
        let order = ranking(scores);
        let tops = top_percents
            .iter()
            .map(|&p| {
                let k = ((p / 100.0 * n as f64).ceil() as usize).clamp(0, n);
                let cut = top_cut(&order, k);
                let ids = order[..cut.len].iter().map(|r| r.0).collect();
                (cut, ids)
            })
            .collect();
        Ranked {
            average: average_ranks(scores),
            dense: dense_ranks(scores),
            tops,
        }
    }
}

/// Compares precomputed scores (one vector per measure, all the same length). A top set never
/// cuts through a tie: a tie at its boundary is left out whole ([`top_cut`]). Each measure is
/// ranked once; the pairs are correlated in parallel from the rank arrays.
pub fn compare_scores(names: &[&str], scores: &[Scores], top_percents: &[f64]) -> Comparison {
    let n = scores.first().map_or(0, Vec::len);
    let ranked: Vec<Ranked> = scores
        .par_iter()
        .map(|s| Ranked::new(s, top_percents))
        .collect();
    let pairs: Vec<(usize, usize)> = (0..names.len())
        .flat_map(|i| (i + 1..names.len()).map(move |j| (i, j)))
        .collect();
    let rows: Vec<Vec<Correlation>> = pairs
        .par_iter()
        .map(|&(i, j)| {
            let (x, y) = (&scores[i], &scores[j]);
            let pair = [names[i], names[j]];
            let mut rows = Vec::with_capacity(1 + 2 * top_percents.len());
            let mut all = correlation(pair, "all".into(), x, y, None, false);
            if all.n >= 2 {
                let (rx, ry) = (&ranked[i], &ranked[j]);
                all.spearman = pearson_of_ranks(&rx.average, &ry.average);
                all.kendall = kendall_tau_b_dense(&rx.dense, &ry.dense);
            }
            rows.push(all);
            for (t, &p) in top_percents.iter().enumerate() {
                for &by in &[i, j] {
                    let (cut, ids) = &ranked[by].tops[t];
                    let xs: Vec<f64> = ids.iter().map(|&v| x[v as usize]).collect();
                    let ys: Vec<f64> = ids.iter().map(|&v| y[v as usize]).collect();
                    let set = format!("top {p}% by {}", names[by]);
                    rows.push(correlation(pair, set, &xs, &ys, Some(cut), true));
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

fn correlation(
    [a, b]: [&str; 2],
    set: String,
    x: &[f64],
    y: &[f64],
    cut: Option<&TopCut>,
    correlate: bool,
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
        spearman: if correlate { spearman(x, y) } else { None },
        kendall: if correlate { kendall_tau_b(x, y) } else { None },
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
/// ties of each variable, which the dense ranks keep exactly.
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
    let pairs = |t: u64| t * t.saturating_sub(1) / 2;
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
    let mut buf = vec![0u32; n];
    let swaps = merge_count(&mut ys, &mut buf);
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
    let n0 = pairs(n as u64);
    let denom = ((n0 - tie_x) as f64) * ((n0 - tie_y) as f64);
    if denom <= 0.0 {
        return None;
    }
    let num = n0 as f64 - tie_x as f64 - tie_y as f64 + tie_xy as f64 - 2.0 * swaps as f64;
    Some(num / denom.sqrt())
}

/// Sorts `v` ascending (stable) and returns the number of inversions (strictly greater before).
fn merge_count(v: &mut [u32], buf: &mut [u32]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut swaps =
        merge_count(&mut v[..mid], &mut buf[..mid]) + merge_count(&mut v[mid..], &mut buf[mid..]);
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j] < v[i] {
            buf[k] = v[j];
            swaps += (mid - i) as u64;
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    k += mid - i;
    buf[k..k + n - j].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
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
}
