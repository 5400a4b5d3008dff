//! Probabilities that mean what they say, and a threshold for the costs the user names.
//!
//! - [`Platt`]: Platt scaling (Platt 1999) of the trees' scores, fitted on out-of-fold
//!   predictions, so a calibrated 0.8 is right about 80 % of the time on data like the training
//!   data (boosted trees push scores towards 0 and 1).
//! - [`Objective`] and [`choose`]: the threshold on calibrated probabilities for a minimum
//!   precision, a cost ratio, or the best F1; [`cross_validated_operating`] says what precision
//!   and recall it gives on accounts that took no part in choosing it.

use serde::{Deserialize, Serialize};

/// `p ↦ σ(a · logit(p) + b)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    /// The slope on the raw log-odds.
    pub a: f64,
    /// The shift.
    pub b: f64,
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Platt {
    /// Leaves probabilities as they are.
    pub const IDENTITY: Platt = Platt { a: 1.0, b: 0.0 };

    /// The calibrated probability of a raw one.
    pub fn apply(&self, p: f64) -> f64 {
        sigmoid(self.a * logit(p) + self.b)
    }

    /// Fits `a`, `b` by Newton's method on the log-loss, with Platt's smoothed targets
    /// (`(pos + 1) / (pos + 2)` and `1 / (neg + 2)`) so a separable training set does not send
    /// them to infinity.
    pub fn fit(scores: &[f64], labels: &[bool]) -> Platt {
        let pos = labels.iter().filter(|&&l| l).count() as f64;
        let neg = labels.len() as f64 - pos;
        if pos == 0.0 || neg == 0.0 {
            return Platt::IDENTITY;
        }
        let (hi, lo) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
        let x: Vec<f64> = scores.iter().map(|&p| logit(p)).collect();
        let t: Vec<f64> = labels.iter().map(|&l| if l { hi } else { lo }).collect();
        let loss = |a: f64, b: f64| -> f64 {
            x.iter()
                .zip(&t)
                .map(|(xi, ti)| {
                    let z = a * xi + b;
                    // log(1 + e^z) - t z, computed stably.
                    z.max(0.0) + (-z.abs()).exp().ln_1p() - ti * z
                })
                .sum()
        };
        let (mut a, mut b) = (1.0, 0.0);
        let mut current = loss(a, b);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
            for (xi, ti) in x.iter().zip(&t) {
                let p = sigmoid(a * xi + b);
                let d = p - ti;
                let w = (p * (1.0 - p)).max(1e-12);
                ga += d * xi;
                gb += d;
                haa += w * xi * xi;
                hab += w * xi;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-18 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            // Newton's step, halved until the loss does not grow (pure Newton can overshoot).
            let mut step = 1.0;
            while step > 1e-6 && loss(a - step * da, b - step * db) > current {
                step /= 2.0;
            }
            a -= step * da;
            b -= step * db;
            current = loss(a, b);
            if (step * da).abs() < 1e-10 && (step * db).abs() < 1e-10 {
                break;
            }
        }
        if a.is_finite() && b.is_finite() {
            Platt { a, b }
        } else {
            Platt::IDENTITY
        }
    }
}

/// What the threshold should achieve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// The most recall with precision at least this.
    PrecisionAt(f64),
    /// The least expected cost when a false alarm costs this many missed fakes.
    CostRatio(f64),
    /// The best F1.
    BestF1,
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Objective::PrecisionAt(p) => write!(f, "precision at least {p}"),
            Objective::CostRatio(c) => write!(f, "a false alarm costing {c} missed fakes"),
            Objective::BestF1 => write!(f, "the best F1"),
        }
    }
}

/// A threshold and what it gives.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operating {
    /// What the threshold was chosen for.
    pub objective: Objective,
    /// Call an account fake when its calibrated probability is at least this.
    pub threshold: f64,
    /// Precision at it, on the held-out predictions it was chosen on.
    pub precision: f64,
    /// Recall at it, on the same.
    pub recall: f64,
    /// Whether the objective could be met (a precision nothing reaches is not).
    pub met: bool,
}

/// True positives, false positives and false negatives of `prob >= threshold`.
fn counts(prob: &[f64], labels: &[bool], threshold: f64) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (&p, &l) in prob.iter().zip(labels) {
        match (p >= threshold, l) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            (false, false) => {}
        }
    }
    (tp, fp, fn_)
}

/// Precision and recall of `prob >= threshold` (0 where undefined).
pub fn precision_recall(prob: &[f64], labels: &[bool], threshold: f64) -> (f64, f64) {
    let (tp, fp, fn_) = counts(prob, labels, threshold);
    let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
    (div(tp, tp + fp), div(tp, tp + fn_))
}

/// The threshold on `prob` that best meets `objective` for `labels`.
pub fn choose(prob: &[f64], labels: &[bool], objective: Objective) -> Operating {
    let mut candidates: Vec<f64> = prob.to_vec();
    candidates.sort_by(f64::total_cmp);
    candidates.dedup();
    // (score, threshold, met): the highest score wins, ties to the higher threshold.
    let mut best: Option<(f64, f64, bool)> = None;
    for &t in &candidates {
        let (precision, recall) = precision_recall(prob, labels, t);
        let (score, met) = match objective {
            Objective::PrecisionAt(want) if precision >= want => (1.0 + recall, true),
            // Not reachable: the highest precision seen, so the caller can say so.
            Objective::PrecisionAt(_) => (precision - 1.0, false),
            Objective::CostRatio(c) => {
                let (_, fp, fn_) = counts(prob, labels, t);
                (-(c * fp + fn_), true)
            }
            Objective::BestF1 => {
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                (f1, true)
            }
        };
        if best.is_none_or(|b| score >= b.0) {
            best = Some((score, t, met));
        }
    }
    let (_, threshold, met) = best.unwrap_or((0.0, 0.5, false));
    let (precision, recall) = precision_recall(prob, labels, threshold);
    Operating {
        objective,
        threshold,
        precision,
        recall,
        met,
    }
}

/// The precision and recall the threshold rule gives on unseen accounts: for each fold, the
/// threshold is chosen on the other folds' out-of-fold probabilities and applied to this one;
/// the pooled calls are scored. Returns (precision, recall).
pub fn cross_validated_operating(
    prob: &[f64],
    labels: &[bool],
    folds: &[usize],
    objective: Objective,
) -> (f64, f64) {
    let k = folds.iter().max().map_or(0, |&m| m + 1);
    let mut called = vec![false; prob.len()];
    for f in 0..k {
        let (p, l): (Vec<f64>, Vec<bool>) = (0..prob.len())
            .filter(|&i| folds[i] != f)
            .map(|i| (prob[i], labels[i]))
            .unzip();
        let t = choose(&p, &l, objective).threshold;
        for i in (0..prob.len()).filter(|&i| folds[i] == f) {
            called[i] = prob[i] >= t;
        }
    }
    let as_prob: Vec<f64> = called.iter().map(|&c| f64::from(u8::from(c))).collect();
    precision_recall(&as_prob, labels, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_fixes_overconfident_scores() {
        // Scores of 0.99 that are right 70 % of the time, 0.01 right 90 % of the time.
        let mut s = Vec::new();
        let mut l = Vec::new();
        for i in 0..100 {
            s.push(0.99);
            l.push(i < 70);
            s.push(0.01);
            l.push(i < 10);
        }
        let c = Platt::fit(&s, &l);
        assert!((c.apply(0.99) - 0.7).abs() < 0.03, "{}", c.apply(0.99));
        assert!((c.apply(0.01) - 0.1).abs() < 0.03, "{}", c.apply(0.01));
    }

    #[test]
    fn thresholds_follow_the_objective() {
        let prob = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9];
        let labels = [false, false, true, false, true, false, true, true];
        let strict = choose(&prob, &labels, Objective::PrecisionAt(1.0));
        assert_eq!(strict.threshold, 0.8);
        assert_eq!((strict.precision, strict.recall), (1.0, 0.5));
        assert!(strict.met);
        let loose = choose(&prob, &labels, Objective::PrecisionAt(0.5));
        assert_eq!(loose.threshold, 0.3);
        assert_eq!(loose.recall, 1.0);
        // False alarms ten times as costly as misses: only the sure ones are called.
        let costly = choose(&prob, &labels, Objective::CostRatio(10.0));
        assert_eq!(costly.threshold, 0.8);
        let unreachable = choose(&[0.5, 0.5], &[true, false], Objective::PrecisionAt(0.9));
        assert!(!unreachable.met);
    }
}
