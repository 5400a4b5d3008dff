//! Small statistics the audit reports with: intervals, robust baselines, classifier metrics.

use serde::Serialize;

/// The Wilson score interval (Wilson 1927) for `successes` out of `n` at normal quantile `z`
/// (1.96 for 95 %). Unlike the normal approximation it stays inside [0, 1] and widens for small
/// `n`, so a 3-follower account gets (0.29, 1.0), not a confident 100 %.
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Median of a slice (sorted copy); 0 for an empty slice.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Median and median absolute deviation (unscaled).
pub fn median_mad(values: &[f64]) -> (f64, f64) {
    let med = median(values);
    let dev: Vec<f64> = values.iter().map(|v| (v - med).abs()).collect();
    (med, median(&dev))
}

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative, ties counting half (Mann–Whitney U). `None` without both classes.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let pos = labels.iter().filter(|&&l| l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    // Sum of positive ranks with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if labels[k] {
                rank_sum += avg_rank;
            }
        }
        i = j + 1;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// Binary classification metrics, positives being fakes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Share of accounts called right.
    pub accuracy: f64,
    /// Share of accounts called fake that are.
    pub precision: f64,
    /// Share of fakes called fake.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Matthews correlation coefficient: 0 for chance, 1 for perfect, robust to class imbalance.
    pub mcc: f64,
    /// `None` for hard rules that give no score to rank by.
    pub roc_auc: Option<f64>,
}

impl Metrics {
    /// Metrics of hard predictions, with an optional score for ROC AUC.
    pub fn of(predicted: &[bool], labels: &[bool], scores: Option<&[f64]>) -> Metrics {
        let (mut tp, mut fp, mut tn, mut fn_) = (0f64, 0f64, 0f64, 0f64);
        for (&p, &l) in predicted.iter().zip(labels) {
            match (p, l) {
                (true, true) => tp += 1.0,
                (true, false) => fp += 1.0,
                (false, false) => tn += 1.0,
                (false, true) => fn_ += 1.0,
            }
        }
        let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
        let precision = div(tp, tp + fp);
        let recall = div(tp, tp + fn_);
        let mcc_den = ((tp + fp) * (tp + fn_) * (tn + fp) * (tn + fn_)).sqrt();
        Metrics {
            accuracy: div(tp + tn, tp + tn + fp + fn_),
            precision,
            recall,
            f1: div(2.0 * precision * recall, precision + recall),
            mcc: div(tp * tn - fp * fn_, mcc_den),
            roc_auc: scores.and_then(|s| roc_auc(s, labels)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_is_wide_for_small_samples_and_narrow_for_large() {
        let (lo, hi) = wilson(3, 3, 1.96);
        assert!(lo < 0.5 && hi > 0.999, "{lo} {hi}");
        let (lo, hi) = wilson(900, 1000, 1.96);
        assert!(lo > 0.87 && hi < 0.92, "{lo} {hi}");
        assert_eq!(wilson(0, 0, 1.96), (0.0, 1.0));
    }

    #[test]
    fn median_and_mad() {
        assert_eq!(median_mad(&[1.0, 2.0, 3.0, 4.0, 100.0]), (3.0, 1.0));
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn auc_counts_ties_half() {
        assert_eq!(roc_auc(&[0.1, 0.9], &[false, true]), Some(1.0));
        assert_eq!(roc_auc(&[0.9, 0.1], &[false, true]), Some(0.0));
        assert_eq!(roc_auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(roc_auc(&[0.5], &[true]), None);
    }

    #[test]
    fn metrics_of_a_confusion_matrix() {
        let m = Metrics::of(
            &[true, true, false, false],
            &[true, false, false, true],
            None,
        );
        assert_eq!(m.accuracy, 0.5);
        assert_eq!(m.precision, 0.5);
        assert_eq!(m.recall, 0.5);
        assert_eq!(m.mcc, 0.0);
    }
}
