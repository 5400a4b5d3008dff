//! Whether an account lies inside the classifier's training distribution.
//!
//! Trees say nothing useful about inputs unlike any they were trained on: a value beyond every
//! training value falls into the last bin whatever it is, and a feature that was never missing
//! in training is routed by a default direction no example taught. [`Domain`] keeps, per
//! feature, the training range and how often it was missing; [`Domain::check`] lists the
//! reasons an account is outside it, so the classifier abstains and says why instead of
//! printing a confident score.

use crate::features::{Features, NAMES};
use serde::{Deserialize, Serialize};

/// A feature missing in less than this share of the training accounts must be present.
const RARELY_MISSING: f64 = 0.01;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureDomain {
    pub name: String,
    /// Share of training accounts without this feature.
    pub missing_share: f64,
    /// Least and greatest training value (NaN-free; absent when always missing).
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    pub features: Vec<FeatureDomain>,
}

impl Domain {
    /// The domain of the training accounts `x`.
    pub fn of(x: &[Features]) -> Domain {
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
        Domain { features }
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
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{FOLLOWERS, HAS_PICTURE};

    #[test]
    fn missing_and_out_of_range_features_are_named() {
        let mut train = vec![Features::default(); 3];
        for (i, f) in train.iter_mut().enumerate() {
            f.0[FOLLOWERS] = 10.0 * i as f64;
            f.0[HAS_PICTURE] = 1.0;
        }
        let d = Domain::of(&train);
        assert!(d.check(&train[1]).is_empty());
        let mut odd = train[1];
        odd.0[FOLLOWERS] = 1e6;
        odd.0[HAS_PICTURE] = f64::NAN;
        let why = d.check(&odd);
        assert_eq!(why.len(), 2, "{why:?}");
        assert!(why[0].starts_with("followers 1000000 above"), "{why:?}");
        assert!(why[1].starts_with("has_picture missing"), "{why:?}");
    }
}
