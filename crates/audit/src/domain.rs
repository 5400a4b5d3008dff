//! Whether an account lies inside the classifier's training distribution.
//!
//! Trees say nothing useful about inputs unlike any they were trained on: a value beyond every
//! training value falls into the last bin whatever it is, a feature that was never missing in
//! training is routed by a default direction no example taught, and a combination of values no
//! training account comes near is extrapolated from accounts that are not like it. [`Domain`]
//! keeps, per feature, the training range and how often it was missing, and the training
//! accounts themselves as ranks (each value's empirical CDF); [`Domain::check`] lists the
//! reasons an account is outside — a value out of range, a feature missing that training always
//! had, or no training account within the distance at which 99 % of training accounts have
//! their nearest neighbour — so the classifier abstains and says why instead of printing a
//! confident score.

use crate::features::{Features, NAMES};
use serde::{Deserialize, Serialize};

/// A feature missing in less than this share of the training accounts must be present.
const RARELY_MISSING: f64 = 0.01;

/// What the training accounts held of one feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureDomain {
    /// The feature's name.
    pub name: String,
    /// Share of training accounts without this feature.
    pub missing_share: f64,
    /// Least and greatest training value (NaN-free; absent when always missing).
    pub min: Option<f64>,
    /// See `min`.
    pub max: Option<f64>,
}

/// The training distribution a classifier was fitted on: what counts as inside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    /// Each feature's missing share and range.
    pub features: Vec<FeatureDomain>,
    /// Per feature, the sorted training values (the empirical CDF).
    pub sorted: Vec<Vec<f64>>,
    /// The training accounts as CDF values per feature (`None` where missing).
    pub points: Vec<Vec<Option<f32>>>,
    /// The distance within which 99 % of training accounts have another training account.
    pub neighbour_limit: f64,
}

/// One feature's shift between the training accounts and a set scored with the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureShift {
    /// The feature's name.
    pub name: String,
    /// Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs.
    pub ks: f64,
}

/// The two-sample KS critical value's coefficient at α = 0.001 (√(−ln(α/2)/2)).
const KS_COEFFICIENT_0001: f64 = 1.949;

/// Features two accounts must share for their distance to mean anything.
const MIN_SHARED: usize = 3;

/// Mean absolute CDF difference over the features both accounts have; `None` when they share
/// fewer than [`MIN_SHARED`].
fn distance(a: &[Option<f32>], b: &[Option<f32>]) -> Option<f64> {
    let (mut sum, mut shared) = (0.0, 0usize);
    for (x, y) in a.iter().zip(b) {
        if let (Some(x), Some(y)) = (x, y) {
            sum += f64::from((x - y).abs());
            shared += 1;
        }
    }
    (shared >= MIN_SHARED).then(|| sum / shared as f64)
}

impl Domain {
    /// The domain of the training accounts `training`; `seen` are the accounts the trees were
    /// trained on (`training` plus copies with optional features dropped), which set which
    /// features may be missing.
    pub fn of(training: &[Features], seen: &[Features]) -> Domain {
        let mut d = Domain::ranges(seen);
        d.sorted = (0..NAMES.len())
            .map(|j| {
                let mut v: Vec<f64> = training.iter().filter_map(|f| f.get(j)).collect();
                v.sort_by(f64::total_cmp);
                v
            })
            .collect();
        d.points = training.iter().map(|f| d.ranks(f)).collect();
        // Leave-one-out nearest-neighbour distances of the training accounts.
        let mut nearest: Vec<f64> = (0..d.points.len())
            .filter_map(|i| {
                (0..d.points.len())
                    .filter(|&k| k != i)
                    .filter_map(|k| distance(&d.points[i], &d.points[k]))
                    .reduce(f64::min)
            })
            .collect();
        nearest.sort_by(f64::total_cmp);
        d.neighbour_limit = nearest
            .get((nearest.len() as f64 * 0.99) as usize)
            .or(nearest.last())
            .copied()
            .unwrap_or(f64::INFINITY);
        d
    }

    /// Each feature's empirical CDF value (mid-rank among the training values).
    fn ranks(&self, f: &Features) -> Vec<Option<f32>> {
        (0..NAMES.len())
            .map(|j| {
                let s = self.sorted.get(j)?;
                let v = f.get(j)?;
                if s.is_empty() {
                    return None;
                }
                let below = s.partition_point(|&x| x < v);
                let upto = s.partition_point(|&x| x <= v);
                Some(((below + upto) as f64 / 2.0 / s.len() as f64) as f32)
            })
            .collect()
    }

    /// Ranges and missing shares of `x`, without the density part.
    fn ranges(x: &[Features]) -> Domain {
        let features = NAMES
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let present: Vec<f64> = x.iter().filter_map(|f| f.get(j)).collect();
                let missing_share = if x.is_empty() {
                    1.0
                } else {
                    1.0 - present.len() as f64 / x.len() as f64
                };
                FeatureDomain {
                    name: name.to_string(),
                    missing_share,
                    min: present.iter().copied().reduce(f64::min),
                    max: present.iter().copied().reduce(f64::max),
                }
            })
            .collect();
        Domain {
            features,
            sorted: Vec::new(),
            points: Vec::new(),
            neighbour_limit: f64::INFINITY,
        }
    }

    /// The features whose distribution in `set` differs from the training accounts' beyond
    /// chance (two-sample KS test at α = 0.001 over the accounts that carry the feature),
    /// largest shift first. Per-account checks ([`Domain::check`]) see an account unlike the
    /// training ones; this sees a population that is, even when each of its accounts lies
    /// within range: a set with a shifted feature is one on which the cross-validated figures
    /// are not a promise.
    pub fn shift(&self, set: &[Features]) -> Vec<FeatureShift> {
        let mut out: Vec<FeatureShift> = self
            .sorted
            .iter()
            .enumerate()
            .filter_map(|(j, train)| {
                let mut other: Vec<f64> = set.iter().filter_map(|f| f.get(j)).collect();
                if train.is_empty() || other.is_empty() {
                    return None;
                }
                other.sort_by(f64::total_cmp);
                let ks = ks_statistic(train, &other);
                let (n, m) = (train.len() as f64, other.len() as f64);
                let critical = KS_COEFFICIENT_0001 * ((n + m) / (n * m)).sqrt();
                (ks > critical).then(|| FeatureShift {
                    name: NAMES[j].to_string(),
                    ks,
                })
            })
            .collect();
        out.sort_by(|a, b| b.ks.total_cmp(&a.ks));
        out
    }

    /// Why `f` lies outside the training distribution; empty when it lies inside.
    pub fn check(&self, f: &Features) -> Vec<String> {
        let mut out = Vec::new();
        for (j, d) in self.features.iter().enumerate() {
            match f.get(j) {
                None if d.missing_share < RARELY_MISSING => {
                    out.push(format!(
                        "{} missing (present in every training account)",
                        d.name
                    ));
                }
                Some(v) => {
                    if let Some(max) = d.max.filter(|&m| v > m) {
                        out.push(format!("{} {v} above the training maximum {max}", d.name));
                    }
                    if let Some(min) = d.min.filter(|&m| v < m) {
                        out.push(format!("{} {v} below the training minimum {min}", d.name));
                    }
                }
                None => {}
            }
        }
        let me = self.ranks(f);
        let nearest = self
            .points
            .iter()
            .filter_map(|p| distance(&me, p))
            .reduce(f64::min);
        // (Sharing too few features with every training account, it has no distance: the
        // range and missingness checks above are all that can be said.)
        if let Some(d) = nearest.filter(|&d| d > self.neighbour_limit) {
            out.push(format!(
                "unlike any training account (nearest at {d:.3}; 99% of training accounts have one within {:.3})",
                self.neighbour_limit
            ));
        }
        out
    }
}

/// The largest gap between the empirical CDFs of two sorted samples.
fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let (mut i, mut j, mut gap) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        // Step past every copy of the smaller value in both samples, then compare.
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        gap = gap.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    gap
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{FOLLOWERS, FOLLOWING, HAS_PICTURE, POSTS};

    #[test]
    fn ks_is_the_largest_cdf_gap() {
        assert_eq!(ks_statistic(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 0.0);
        assert_eq!(ks_statistic(&[1.0, 2.0], &[3.0, 4.0]), 1.0);
        // Ties step together: after 2, a is at 1 and b still at 1/4.
        assert_eq!(ks_statistic(&[1.0, 2.0], &[1.0, 3.0, 3.0, 3.0]), 0.75);
    }

    #[test]
    fn a_shifted_population_names_its_features() {
        let train: Vec<Features> = (0..300)
            .map(|i| {
                let mut f = Features::default();
                f.0[FOLLOWERS] = f64::from(i % 100);
                f.0[POSTS] = f64::from(i % 50);
                f
            })
            .collect();
        let d = Domain::of(&train, &train);
        assert!(d.shift(&train).is_empty());
        // Same posts, followers all in the top half: inside the range one by one.
        let moved: Vec<Features> = train
            .iter()
            .map(|f| {
                let mut g = *f;
                g.0[FOLLOWERS] = 49.0 + f.0[FOLLOWERS] / 2.0;
                g
            })
            .collect();
        assert!(moved.iter().all(|f| d.check(f).is_empty()));
        let s = d.shift(&moved);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].name, "followers");
        assert!((s[0].ks - 0.5).abs() < 0.02, "{s:?}");
    }

    #[test]
    fn missing_and_out_of_range_features_are_named() {
        let mut train = vec![Features::default(); 3];
        for (i, f) in train.iter_mut().enumerate() {
            f.0[FOLLOWERS] = 10.0 * i as f64;
            f.0[HAS_PICTURE] = 1.0;
        }
        let d = Domain::of(&train, &train);
        assert!(d.check(&train[1]).is_empty());
        let mut odd = train[1];
        odd.0[FOLLOWERS] = 1e6;
        odd.0[HAS_PICTURE] = f64::NAN;
        let why = d.check(&odd);
        assert!(why[0].starts_with("followers 1000000 above"), "{why:?}");
        assert!(why[1].starts_with("has_picture missing"), "{why:?}");
    }

    #[test]
    fn a_combination_no_training_account_comes_near_is_named() {
        // Training: followers and following rise together; posts follow them.
        let train: Vec<Features> = (0..200)
            .map(|i| {
                let mut f = Features::default();
                f.0[FOLLOWERS] = i as f64;
                f.0[FOLLOWING] = i as f64;
                f.0[POSTS] = i as f64;
                f
            })
            .collect();
        let d = Domain::of(&train, &train);
        let mut typical = Features::default();
        typical.0[FOLLOWERS] = 100.5;
        typical.0[FOLLOWING] = 99.5;
        typical.0[POSTS] = 100.0;
        assert!(d.check(&typical).is_empty(), "{:?}", d.check(&typical));
        // Every value within range, but the combination is nowhere near the training accounts.
        let mut odd = typical;
        odd.0[FOLLOWERS] = 199.0;
        odd.0[FOLLOWING] = 0.0;
        let why = d.check(&odd);
        assert_eq!(why.len(), 1, "{why:?}");
        assert!(why[0].starts_with("unlike any training account"), "{why:?}");
    }
}
