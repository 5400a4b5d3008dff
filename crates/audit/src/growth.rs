//! Growth anomalies: days on which an account gained followers far above its own baseline.
//!
//! The baseline is robust — the median of the account's daily gains plus `k` scaled median
//! absolute deviations (1.4826·MAD estimates σ for normal data) — so one spike cannot hide
//! itself by inflating the mean and standard deviation, as it would with a z-score.

use crate::stats::median_mad;
use serde::Serialize;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// When a day's follower gain counts as anomalous: beyond the median by `k` scaled MADs and by
/// at least `min_excess`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrowthConfig {
    /// How many scaled MADs above the median a day must be.
    pub k: f64,
    /// The least excess over the median that counts, so quiet accounts (median 0, MAD 0) are not
    /// flagged for a handful of follows.
    pub min_excess: f64,
}

impl Default for GrowthConfig {
    fn default() -> Self {
        GrowthConfig {
            k: 5.0,
            min_excess: 10.0,
        }
    }
}

/// One anomalous day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anomaly {
    /// Start of the UTC day (unix seconds).
    pub day: i64,
    /// Followers gained that day.
    pub gained: u32,
    /// The account's median daily gain.
    pub baseline: f64,
    /// What a day had to exceed to count.
    pub threshold: f64,
}

/// Anomalous days among `gains` (times of new follows, any order), counting every day from the
/// first gain to `end` (zero-gain days included).
pub fn anomalies(gains: &[i64], end: Option<i64>, cfg: &GrowthConfig) -> Vec<Anomaly> {
    let Some(&first) = gains.iter().min() else {
        return Vec::new();
    };
    let first_day = first.div_euclid(DAY);
    let last = gains
        .iter()
        .max()
        .copied()
        .unwrap_or(first)
        .max(end.unwrap_or(first));
    let days = (last.div_euclid(DAY) - first_day + 1) as usize;
    let mut per_day = vec![0u32; days];
    for &t in gains {
        per_day[(t.div_euclid(DAY) - first_day) as usize] += 1;
    }
    let values: Vec<f64> = per_day.iter().map(|&c| f64::from(c)).collect();
    let (med, mad) = median_mad(&values);
    let threshold = med + (cfg.k * 1.4826 * mad).max(cfg.min_excess);
    per_day
        .iter()
        .enumerate()
        .filter(|(_, &c)| f64::from(c) > threshold)
        .map(|(i, &c)| Anomaly {
            day: (first_day + i as i64) * DAY,
            gained: c,
            baseline: med,
            threshold,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_stands_out_of_a_noisy_baseline() {
        // 100 days of 20 ± 5 follows, then 300 on day 60.
        let mut gains = Vec::new();
        for d in 0..100i64 {
            let c = if d == 60 { 300 } else { 15 + (d * 7 % 11) };
            for i in 0..c {
                gains.push(d * DAY + i * 60);
            }
        }
        let a = anomalies(&gains, None, &GrowthConfig::default());
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].day, 60 * DAY);
        assert_eq!(a[0].gained, 300);
    }

    #[test]
    fn quiet_accounts_are_not_flagged_for_a_few_follows() {
        let gains = [0, DAY * 3, DAY * 3 + 5, DAY * 3 + 9, DAY * 40];
        assert!(anomalies(&gains, None, &GrowthConfig::default()).is_empty());
        assert!(anomalies(&[], Some(10), &GrowthConfig::default()).is_empty());
    }
}
