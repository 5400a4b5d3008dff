//! One measure against another, account by account (earned influence against followers, say):
//! the points of a scatter plot, the accounts furthest from agreeing on each side (followers
//! without earning, earning without followers), and how much the two measures' top-k sets
//! overlap — where a ranking decides who is seen.

use crate::{ranking, top_cut, ExcludedTie};
use serde::Serialize;

/// How many points and outliers a scatter returns, and which top-k sets it compares.
#[derive(Clone, Debug)]
pub struct ScatterOptions {
    /// Most points returned; a larger store gets its top accounts by each measure, the outliers
    /// and an even sample of the rest.
    pub max_points: usize,
    /// Outliers named on each side.
    pub outliers: usize,
    /// Top-k sizes whose overlap is reported (sizes not below the account count are skipped).
    pub ks: Vec<usize>,
}

impl Default for ScatterOptions {
    fn default() -> Self {
        ScatterOptions {
            max_points: 2000,
            outliers: 5,
            ks: vec![10, 100, 1000],
        }
    }
}

/// Which way an account disagrees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outlier {
    /// High on `x`, low on `y` on log scales (followers without earning).
    XWithoutY,
    /// High on `y`, low on `x` (earning without followers).
    YWithoutX,
}

/// One account's point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Dense account id.
    pub dense_id: u32,
    /// Its score under the x measure.
    pub x: f64,
    /// Its score under the y measure.
    pub y: f64,
    /// Percentile of `x` and of `y` among all accounts (mid-rank of ties, 0–1).
    pub x_percentile: f64,
    /// See `x_percentile`.
    pub y_percentile: f64,
    /// Which way it disagrees, when it is one of the named outliers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlier: Option<Outlier>,
}

/// The overlap of the two measures' top-k sets.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopAgreement {
    /// The top-set size asked for.
    pub k: usize,
    /// Accounts in each top set: fewer than `k` when a tie at the boundary was left out.
    pub x_set: usize,
    /// See `x_set`.
    pub y_set: usize,
    /// The tie left out of the x top set, if one was.
    pub x_excluded_tie: Option<ExcludedTie>,
    /// The tie left out of the y top set, if one was.
    pub y_excluded_tie: Option<ExcludedTie>,
    /// Accounts in both.
    pub overlap: usize,
    /// `overlap` over the smaller set; `None` when a set is empty.
    pub share: Option<f64>,
}

/// Two measures side by side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scatter {
    /// Accounts scored.
    pub accounts: usize,
    /// Accounts with `x = 0`, with `y = 0`, and with both (off a log axis).
    pub zero_x: usize,
    /// See `zero_x`.
    pub zero_y: usize,
    /// See `zero_x`.
    pub zero_both: usize,
    /// The points returned (every account, or a sample keeping the tops and the outliers).
    pub points: Vec<Point>,
    /// Fewer points than accounts are returned.
    pub sampled: bool,
    /// The top-k overlaps, one per k below the account count.
    pub agreement: Vec<TopAgreement>,
}

/// Mid-rank percentile of every score: (accounts below + half the accounts tied) / n.
fn percentiles(order: &[(u32, f64)]) -> Vec<f64> {
    let n = order.len();
    let mut out = vec![0.0; n];
    // `order` is descending: walk it from the bottom.
    let mut below = 0;
    let mut i = n;
    while i > 0 {
        let score = order[i - 1].1;
        let mut j = i;
        while j > 0 && order[j - 1].1 == score {
            j -= 1;
        }
        let tied = i - j;
        let p = (below as f64 + tied as f64 / 2.0) / n as f64;
        for &(id, _) in &order[j..i] {
            out[id as usize] = p;
        }
        below += tied;
        i = j;
    }
    out
}

/// `x` and `y` are scores indexed by dense account id, of equal length.
pub fn scatter(x: &[f64], y: &[f64], opts: &ScatterOptions) -> Scatter {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let (ox, oy) = (ranking(x), ranking(y));
    let (px, py) = (percentiles(&ox), percentiles(&oy));

    // The furthest from agreeing as a log plot shows them: each score as its place on a log
    // scale from 0 to the measure's maximum (ln(1 + s) / ln(1 + max)), and the largest gap
    // each way. Percentiles would name the edge of a crowd of tied zeros instead of the account
    // with thousands of followers and next to no earned influence.
    let log_place = |v: &[f64]| {
        let top = v.iter().copied().fold(0.0f64, f64::max).ln_1p();
        v.iter()
            .map(|&s| {
                if top > 0.0 {
                    s.max(0.0).ln_1p() / top
                } else {
                    0.0
                }
            })
            .collect::<Vec<f64>>()
    };
    let (lx, ly) = (log_place(x), log_place(y));
    let extremes = |gap: &dyn Fn(usize) -> f64| {
        let mut ids: Vec<usize> = (0..n).filter(|&i| gap(i) > 0.0).collect();
        ids.sort_by(|&a, &b| gap(b).total_cmp(&gap(a)).then(a.cmp(&b)));
        ids.truncate(opts.outliers);
        ids
    };
    let x_only = extremes(&|i| lx[i] - ly[i]);
    let y_only = extremes(&|i| ly[i] - lx[i]);
    let mut outlier = vec![None; n];
    for &i in &x_only {
        outlier[i] = Some(Outlier::XWithoutY);
    }
    for &i in &y_only {
        outlier[i] = Some(Outlier::YWithoutX);
    }

    let mut keep = vec![n <= opts.max_points; n];
    if n > opts.max_points {
        let top = opts.max_points / 4;
        for &(id, _) in ox.iter().take(top).chain(oy.iter().take(top)) {
            keep[id as usize] = true;
        }
        for i in x_only.iter().chain(&y_only) {
            keep[*i] = true;
        }
        let taken = keep.iter().filter(|&&k| k).count();
        let rest = opts.max_points.saturating_sub(taken);
        if rest > 0 {
            let stride = n.div_ceil(rest).max(1);
            for i in (0..n).step_by(stride) {
                keep[i] = true;
            }
        }
    }
    let points: Vec<Point> = (0..n)
        .filter(|&i| keep[i])
        .map(|i| Point {
            dense_id: i as u32,
            x: x[i],
            y: y[i],
            x_percentile: px[i],
            y_percentile: py[i],
            outlier: outlier[i],
        })
        .collect();

    let agreement = opts
        .ks
        .iter()
        .filter(|&&k| k > 0 && k < n)
        .map(|&k| {
            let (cx, cy) = (top_cut(&ox, k), top_cut(&oy, k));
            let mut in_x = vec![false; n];
            for &(id, _) in &ox[..cx.len] {
                in_x[id as usize] = true;
            }
            let overlap = oy[..cy.len]
                .iter()
                .filter(|(id, _)| in_x[*id as usize])
                .count();
            let smaller = cx.len.min(cy.len);
            TopAgreement {
                k,
                x_set: cx.len,
                y_set: cy.len,
                x_excluded_tie: cx.excluded_tie,
                y_excluded_tie: cy.excluded_tie,
                overlap,
                share: (smaller > 0).then(|| overlap as f64 / smaller as f64),
            }
        })
        .collect();

    Scatter {
        accounts: n,
        zero_x: x.iter().filter(|&&v| v == 0.0).count(),
        zero_y: y.iter().filter(|&&v| v == 0.0).count(),
        zero_both: x
            .iter()
            .zip(y)
            .filter(|(a, b)| **a == 0.0 && **b == 0.0)
            .count(),
        sampled: points.len() < n,
        points,
        agreement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_give_ties_their_mid_rank() {
        let order = ranking(&[3.0, 1.0, 1.0, 0.0]);
        assert_eq!(percentiles(&order), [0.875, 0.5, 0.5, 0.125]);
    }

    #[test]
    fn outliers_are_the_largest_disagreements_each_way() {
        // Account 0: many followers, no earning; account 5: earning, no followers.
        let followers = [100.0, 50.0, 40.0, 30.0, 20.0, 0.0, 10.0];
        let earned = [0.0, 5.0, 4.0, 3.0, 2.0, 9.0, 1.0];
        let s = scatter(
            &followers,
            &earned,
            &ScatterOptions {
                outliers: 1,
                ..ScatterOptions::default()
            },
        );
        let named: Vec<(u32, Outlier)> = s
            .points
            .iter()
            .filter_map(|p| p.outlier.map(|o| (p.dense_id, o)))
            .collect();
        assert_eq!(named, [(0, Outlier::XWithoutY), (5, Outlier::YWithoutX)]);
        assert_eq!((s.zero_x, s.zero_y, s.zero_both), (1, 1, 0));
        assert!(!s.sampled);
    }

    #[test]
    fn a_follower_buyer_outranks_a_crowd_of_unendorsed_accounts() {
        // Account 0 bought 5,000 followers and earns a little; accounts 1..=50 have 90
        // followers and earn nothing; 51..=99 earn and have a few followers.
        let mut followers = vec![5000.0];
        let mut earned = vec![1.0];
        followers.extend(std::iter::repeat_n(90.0, 50));
        earned.extend(std::iter::repeat_n(0.0, 50));
        followers.extend((51..100).map(|i| (i % 7) as f64));
        earned.extend((51..100).map(|i| (i % 40) as f64));
        let s = scatter(
            &followers,
            &earned,
            &ScatterOptions {
                outliers: 1,
                ..ScatterOptions::default()
            },
        );
        let first = s
            .points
            .iter()
            .find(|p| p.outlier == Some(Outlier::XWithoutY))
            .unwrap();
        assert_eq!(first.dense_id, 0);
    }

    #[test]
    fn top_k_overlap_counts_accounts_in_both_sets_and_leaves_boundary_ties_out() {
        let x: Vec<f64> = (0..20).map(|i| 20.0 - i as f64).collect();
        let mut y = x.clone();
        y.swap(0, 19); // the top account by x is last by y
        let s = scatter(
            &x,
            &y,
            &ScatterOptions {
                ks: vec![10, 50],
                ..ScatterOptions::default()
            },
        );
        assert_eq!(s.agreement.len(), 1, "k = 50 is not below 20 accounts");
        let a = &s.agreement[0];
        assert_eq!((a.x_set, a.y_set, a.overlap), (10, 10, 9));
        assert_eq!(a.share, Some(0.9));

        let tied = vec![1.0; 20];
        let t = scatter(&x, &tied, &ScatterOptions::default());
        assert_eq!(t.agreement[0].y_set, 0);
        assert_eq!(t.agreement[0].share, None);
        assert_eq!(t.agreement[0].y_excluded_tie.as_ref().unwrap().accounts, 20);
    }

    #[test]
    fn a_large_store_is_sampled_but_keeps_its_tops_and_outliers() {
        let n = 10_000;
        let x: Vec<f64> = (0..n).map(|i| (i % 97) as f64).collect();
        let y: Vec<f64> = (0..n).map(|i| (i % 89) as f64).collect();
        let opts = ScatterOptions {
            max_points: 400,
            ..ScatterOptions::default()
        };
        let s = scatter(&x, &y, &opts);
        assert!(s.sampled);
        assert!(s.points.len() <= opts.max_points + 2 * opts.outliers + 100);
        assert_eq!(
            s.points.iter().filter(|p| p.outlier.is_some()).count(),
            2 * opts.outliers
        );
        let best = ranking(&y)[0].0;
        assert!(s.points.iter().any(|p| p.dense_id == best));
    }
}
