//! The fake-account classifier as `renown train` saves it: the boosted trees, the calibration
//! of their scores, the threshold chosen for the user's costs, and the training domain.

use crate::calibrate::{
    choose, cross_validated_operating, precision_recall, Objective, Operating, Platt,
};
use crate::domain::{Domain, FeatureShift};
use crate::eval::{train_with_missing_copies, Report};
use crate::features::{expanded_names, with_missing_copies, Features};
use crate::gbdt::{Model, Params};
use crate::stats::roc_auc;
use crate::{AuditError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The saved classifier's format tag: a file with another is refused.
pub const FORMAT: &str = "renown-classifier-1";

/// The fake-account classifier `renown train` saves: trees, calibration, threshold and the
/// training domain it can speak for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classifier {
    /// [`FORMAT`].
    pub format: String,
    /// The gradient-boosted trees.
    pub model: Model,
    /// Fitted on the out-of-fold scores of cross-validation.
    pub calibration: Platt,
    /// Chosen on the calibrated out-of-fold probabilities; its precision and recall are those
    /// of cross-validation (the threshold chosen without the fold it is applied to).
    pub operating: Operating,
    /// The training distribution: outside it, `classify` abstains.
    pub domain: Domain,
}

/// Metrics of the saved classifier on some accounts; `None` where they mean nothing (one class
/// only, or no account).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SetMetrics {
    /// Area under the ROC curve of the calibrated probability.
    pub roc_auc: Option<f64>,
    /// Precision at the saved threshold.
    pub precision: Option<f64>,
    /// Recall at the saved threshold.
    pub recall: Option<f64>,
    /// F1 at the saved threshold.
    pub f1: Option<f64>,
}

impl SetMetrics {
    fn of(prob: &[f64], labels: &[bool], threshold: f64) -> SetMetrics {
        if !(labels.contains(&true) && labels.contains(&false)) {
            return SetMetrics::default();
        }
        let (precision, recall) = precision_recall(prob, labels, threshold);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        SetMetrics {
            roc_auc: roc_auc(prob, labels),
            precision: Some(precision),
            recall: Some(recall),
            f1: Some(f1),
        }
    }
}

/// The classifier on a labelled set it was not trained on (`renown train --eval`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Transfer {
    /// Accounts in the set.
    pub accounts: usize,
    /// Of them labelled fake.
    pub fakes: usize,
    /// Accounts inside the training domain (those `classify` does not abstain on).
    pub inside_training: usize,
    /// On every account, scored even outside the domain.
    pub all: SetMetrics,
    /// On the accounts inside the domain.
    pub inside: SetMetrics,
    /// Features whose distribution differs from training beyond chance ([`Domain::shift`]).
    pub shifted: Vec<FeatureShift>,
}

/// One account's verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Calibrated probability that the account is fake.
    pub probability: f64,
    /// `probability >= threshold`.
    pub fake: bool,
    /// Why the account lies outside the training distribution; empty inside it.
    pub outside: Vec<String>,
}

impl Classifier {
    /// Trains on every account of `x`, calibrated and thresholded with the out-of-fold
    /// predictions of `cv` (the [`crate::eval::evaluate`] report on the same accounts).
    pub fn train(
        x: &[Features],
        y: &[bool],
        cv: &Report,
        params: &Params,
        objective: Objective,
    ) -> Classifier {
        let model = train_with_missing_copies(x, y, params);
        let calibration = Platt::fit(&cv.out_of_fold, y);
        let calibrated: Vec<f64> = cv
            .out_of_fold
            .iter()
            .map(|&p| calibration.apply(p))
            .collect();
        let mut operating = choose(&calibrated, y, objective);
        let (precision, recall) =
            cross_validated_operating(&calibrated, y, &cv.folds_of, objective);
        operating.precision = precision;
        operating.recall = recall;
        Classifier {
            format: FORMAT.into(),
            model,
            calibration,
            operating,
            // The domain of what the trees saw: optional features may be missing.
            domain: Domain::of(x, &with_missing_copies(x, y, 0).0),
        }
    }

    /// The calibrated probability that `f` is fake, the verdict at the threshold, and why the
    /// account lies outside the training domain (empty when inside).
    pub fn judge(&self, f: &Features) -> Verdict {
        let probability = self.calibration.apply(self.model.predict(&f.expanded()));
        Verdict {
            probability,
            fake: probability >= self.operating.threshold,
            outside: self.domain.check(f),
        }
    }

    /// How the classifier does on `x` labelled `y`, at its threshold.
    pub fn transfer(&self, x: &[Features], y: &[bool]) -> Transfer {
        let verdicts: Vec<Verdict> = x.iter().map(|f| self.judge(f)).collect();
        let subset = |keep: &dyn Fn(&Verdict) -> bool| -> SetMetrics {
            let (p, l): (Vec<f64>, Vec<bool>) = verdicts
                .iter()
                .zip(y)
                .filter(|(v, _)| keep(v))
                .map(|(v, &l)| (v.probability, l))
                .unzip();
            SetMetrics::of(&p, &l, self.operating.threshold)
        };
        Transfer {
            accounts: y.len(),
            fakes: y.iter().filter(|&&l| l).count(),
            inside_training: verdicts.iter().filter(|v| v.outside.is_empty()).count(),
            all: subset(&|_| true),
            inside: subset(&|v| v.outside.is_empty()),
            shifted: self.domain.shift(x),
        }
    }

    /// Writes the classifier as JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let err = |reason: String| AuditError::Data {
            path: path.display().to_string(),
            reason,
        };
        let text = serde_json::to_string_pretty(self).map_err(|e| err(e.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|e| err(e.to_string()))
    }

    /// Reads a classifier saved by [`Classifier::save`] and checks this renown can use it.
    pub fn load(path: &Path) -> Result<Classifier> {
        let err = |reason: String| AuditError::Data {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let format = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("format")?.as_str().map(String::from));
        if format.as_deref() != Some(FORMAT) {
            return Err(err(format!(
                "not a {FORMAT} model (format {}); train one with `renown train`",
                format.unwrap_or_else(|| "unknown".into())
            )));
        }
        let c: Classifier = serde_json::from_str(&text)
            .map_err(|e| err(format!("line {}: not a renown model ({e})", e.line())))?;
        c.model.check(&expanded_names()).map_err(err)?;
        if c.domain.features.len() != crate::features::NAMES.len() {
            return Err(err("the model's domain has other features".into()));
        }
        Ok(c)
    }
}
