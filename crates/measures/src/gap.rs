//! The translation gap: how far a person's earned influence is from what their offline size
//! predicts.
//!
//! Across the persons with an offline figure, `log10 earned` is regressed on `log10 offline`
//! by the Theil–Sen estimator (Theil 1950, "A rank-invariant method of linear and polynomial
//! regression analysis"; Sen 1968, "Estimates of the regression coefficient based on Kendall's
//! tau", JASA 63:1379–1389): the slope is the median of the slopes between all pairs of points,
//! the intercept the median of `y − slope · x`. Up to 29 % of the points can be arbitrarily
//! wrong without moving it — the celebrities and the unknown prolific writers this question
//! is about must not bend the line they are measured against, as they would bend least squares.
//! A person's gap is their residual: `log10(earned / expected)`, −1 meaning ten times less
//! than persons of that offline size earn.
//!
//! Why a log scale rather than ranks: offline figures (pageviews, revenue) and earned influence
//! are heavy-tailed and the question is multiplicative ("does ten times the fame earn ten times
//! the engagement?"); on ranks a celebrity a thousand times bigger offline than anyone is just
//! rank 1, and their gap shrinks to a few rank places. Zeros have no logarithm: a zero earned
//! score or offline figure is floored at half the smallest positive one (a detection limit),
//! and a figure named `…rank…` is a rank (1 = biggest) and enters as `−log10 rank`.

use serde::Serialize;

/// A fitted line `y = intercept + slope · x`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Line {
    /// Change in y per unit of x.
    pub slope: f64,
    /// y at x = 0.
    pub intercept: f64,
}

/// The median of `v` (the mean of the middle two for an even length); `None` when empty.
pub fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Pairs beyond which the slopes are taken from a deterministic sample of pairs (every
/// `stride`-th pair) rather than all of them: 5 million slopes (3,163 points) fit in 40 MB.
const MAX_PAIRS: usize = 5_000_000;

/// The Theil–Sen line through `(x, y)`; `None` with fewer than two distinct `x` (no slope is
/// defined).
pub fn theil_sen(x: &[f64], y: &[f64]) -> Option<Line> {
    let n = x.len().min(y.len());
    let pairs = n * n.saturating_sub(1) / 2;
    let stride = pairs.div_ceil(MAX_PAIRS).max(1);
    let mut slopes = Vec::with_capacity(pairs.min(MAX_PAIRS));
    let mut k = 0usize;
    for i in 0..n {
        for j in i + 1..n {
            k += 1;
            if !k.is_multiple_of(stride) || x[i] == x[j] {
                continue;
            }
            slopes.push((y[j] - y[i]) / (x[j] - x[i]));
        }
    }
    let slope = median(&mut slopes)?;
    let mut offsets: Vec<f64> = (0..n).map(|i| y[i] - slope * x[i]).collect();
    let intercept = median(&mut offsets)?;
    Some(Line { slope, intercept })
}

/// `log10 v`, with values at or below zero floored at half the smallest positive value of
/// `all`; `None` when no value is positive.
pub fn log_floored(all: &[f64]) -> Option<(Vec<f64>, f64)> {
    let smallest = all
        .iter()
        .copied()
        .filter(|&v| v > 0.0)
        .min_by(f64::total_cmp)?;
    let floor = smallest / 2.0;
    Some((all.iter().map(|&v| v.max(floor).log10()).collect(), floor))
}

/// The robust scale of residuals: 1.4826 × their median absolute deviation (the normal's σ
/// when they are normal).
pub fn mad_scale(residuals: &[f64]) -> f64 {
    let mut r = residuals.to_vec();
    let Some(m) = median(&mut r) else {
        return 0.0;
    };
    let mut dev: Vec<f64> = residuals.iter().map(|v| (v - m).abs()).collect();
    1.4826 * median(&mut dev).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theil_sen_ignores_outliers_least_squares_would_follow() {
        // y = 1 + 2x on 8 points, two of them wildly off.
        let x: Vec<f64> = (0..8).map(f64::from).collect();
        let mut y: Vec<f64> = x.iter().map(|x| 1.0 + 2.0 * x).collect();
        y[7] = -100.0;
        y[0] = 50.0;
        let line = theil_sen(&x, &y).unwrap();
        assert_eq!(line.slope, 2.0);
        assert_eq!(line.intercept, 1.0);
    }

    #[test]
    fn no_slope_without_two_distinct_x() {
        assert_eq!(theil_sen(&[1.0], &[2.0]), None);
        assert_eq!(theil_sen(&[3.0, 3.0, 3.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(theil_sen(&[], &[]), None);
    }

    #[test]
    fn medians_logs_and_scales() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        let (logs, floor) = log_floored(&[0.0, 10.0, 100.0]).unwrap();
        assert_eq!(floor, 5.0);
        assert_eq!(logs[1..], [1.0, 2.0]);
        assert!((logs[0] - 5f64.log10()).abs() < 1e-12);
        assert_eq!(log_floored(&[0.0, -1.0]), None);
        // Residuals 0, 0, 1, 1, 5 → median 1, deviations 1, 1, 0, 0, 4 → MAD 1.
        assert!((mad_scale(&[0.0, 0.0, 1.0, 1.0, 5.0]) - 1.4826).abs() < 1e-12);
    }
}
