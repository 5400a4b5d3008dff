//! Honest accuracy: stratified k-fold cross-validation of the trained model beside the rule
//! sets on the same accounts.

use crate::features::{drop_optional, expanded_names, with_missing_copies, Features};
use crate::gbdt::{self, Params};
use crate::rules::{criterion_says_fake, RuleSet, RULE_SETS};
use crate::stats::{roc_auc, Metrics};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Fold of each example: each class shuffled with `seed` and dealt round-robin, so every fold
/// holds the same share of fakes.
pub fn stratified_folds(labels: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold = vec![0; labels.len()];
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        idx.shuffle(&mut rng);
        for (j, i) in idx.into_iter().enumerate() {
            fold[i] = j % k.max(1);
        }
    }
    fold
}

/// One row of the evaluation table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The classifier or rule set evaluated.
    pub method: String,
    /// Accounts the method could judge (rules skip accounts missing every input they need).
    pub judged: usize,
    /// How it did on them.
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// A cross-validated evaluation of the classifier beside the rule sets (`renown train`).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Labelled accounts.
    pub accounts: usize,
    /// Of them fake.
    pub fakes: usize,
    /// Cross-validation folds.
    pub folds: usize,
    /// The seed the folds were drawn with.
    pub seed: u64,
    /// ROC AUC of each fold's held-out predictions.
    pub fold_auc: Vec<f64>,
    /// One row per method.
    pub rows: Vec<Row>,
    /// The model's out-of-fold probability of each account, and its fold.
    #[serde(skip)]
    pub out_of_fold: Vec<f64>,
    /// See `out_of_fold`.
    #[serde(skip)]
    pub folds_of: Vec<usize>,
}

/// Seed of the dropped optional features in training copies and in the masked evaluation.
const MISSING_SEED: u64 = 17;

/// Out-of-fold probabilities of the trained model: of each held-out account as it is, and with
/// its optional features dropped at random (what a source without them gives), and the ROC AUC
/// of each fold. Each fold trains on its accounts plus copies with optional features dropped
/// ([`with_missing_copies`]), as the saved model does.
pub fn cross_validate(
    x: &[Features],
    y: &[bool],
    k: usize,
    seed: u64,
    params: &Params,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    use rand::SeedableRng;
    let folds = stratified_folds(y, k, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(MISSING_SEED ^ seed);
    let masked: Vec<Vec<f64>> = x
        .iter()
        .map(|f| drop_optional(f, &mut rng).expanded())
        .collect();
    let rows: Vec<Vec<f64>> = x.iter().map(Features::expanded).collect();
    let mut prob = vec![0.0; y.len()];
    let mut prob_masked = vec![0.0; y.len()];
    let mut fold_auc = Vec::new();
    for f in 0..k {
        let (train_x, train_y): (Vec<Features>, Vec<bool>) = (0..y.len())
            .filter(|&i| folds[i] != f)
            .map(|i| (x[i], y[i]))
            .unzip();
        let (train_x, train_y) = with_missing_copies(&train_x, &train_y, MISSING_SEED + f as u64);
        let train_rows: Vec<Vec<f64>> = train_x.iter().map(Features::expanded).collect();
        let model = gbdt::train(&train_rows, &train_y, expanded_names(), params);
        let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == f).collect();
        for &i in &test {
            prob[i] = model.predict(&rows[i]);
            prob_masked[i] = model.predict(&masked[i]);
        }
        let p: Vec<f64> = test.iter().map(|&i| prob[i]).collect();
        let l: Vec<bool> = test.iter().map(|&i| y[i]).collect();
        if let Some(a) = roc_auc(&p, &l) {
            fold_auc.push(a);
        }
    }
    (prob, prob_masked, fold_auc)
}

/// Trains the model every fold trains: on `x` plus copies with optional features dropped.
pub fn train_with_missing_copies(x: &[Features], y: &[bool], params: &Params) -> gbdt::Model {
    let (xs, ys) = with_missing_copies(x, y, MISSING_SEED);
    let rows: Vec<Vec<f64>> = xs.iter().map(Features::expanded).collect();
    gbdt::train(&rows, &ys, expanded_names(), params)
}

/// The model (cross-validated) beside every rule set and every evaluable single criterion.
pub fn evaluate(x: &[Features], y: &[bool], k: usize, seed: u64, params: &Params) -> Report {
    let (prob, prob_masked, fold_auc) = cross_validate(x, y, k, seed, params);
    let predicted: Vec<bool> = prob.iter().map(|&p| p >= 0.5).collect();
    let predicted_masked: Vec<bool> = prob_masked.iter().map(|&p| p >= 0.5).collect();
    let mut rows = vec![
        Row {
            method: format!("gbdt ({k}-fold CV)"),
            judged: y.len(),
            metrics: Metrics::of(&predicted, y, Some(&prob)),
        },
        Row {
            method: format!("gbdt, optional fields dropped at random ({k}-fold CV)"),
            judged: y.len(),
            metrics: Metrics::of(&predicted_masked, y, Some(&prob_masked)),
        },
    ];
    for set in RULE_SETS {
        rows.push(rule_set_row(set, x, y));
        for c in set.evaluable() {
            let judged: Vec<(bool, bool)> = x
                .iter()
                .zip(y)
                .filter_map(|(f, &l)| criterion_says_fake(set, c, f).map(|p| (p, l)))
                .collect();
            let (p, l): (Vec<bool>, Vec<bool>) = judged.into_iter().unzip();
            if l.is_empty() {
                // Evaluable in general, but these accounts lack its inputs (e.g. age).
                continue;
            }
            rows.push(Row {
                method: format!("  {} {}", c.id, c.text),
                judged: l.len(),
                metrics: Metrics::of(&p, &l, None),
            });
        }
    }
    Report {
        accounts: y.len(),
        fakes: y.iter().filter(|&&l| l).count(),
        folds: k,
        seed,
        fold_auc,
        rows,
        out_of_fold: prob,
        folds_of: stratified_folds(y, k, seed),
    }
}

fn rule_set_row(set: &RuleSet, x: &[Features], y: &[bool]) -> Row {
    let verdicts: Vec<_> = x.iter().map(|f| set.judge(f)).collect();
    let predicted: Vec<bool> = verdicts.iter().map(|v| v.fake).collect();
    let scores: Vec<f64> = verdicts.iter().map(|v| v.score).collect();
    Row {
        method: format!("{} (rule set)", set.name),
        judged: verdicts.iter().filter(|v| v.evaluated > 0).count(),
        metrics: Metrics::of(&predicted, y, Some(&scores)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_and_seeded() {
        let labels: Vec<bool> = (0..100).map(|i| i % 5 == 0).collect();
        let f = stratified_folds(&labels, 5, 1);
        for k in 0..5 {
            let in_fold: Vec<usize> = (0..100).filter(|&i| f[i] == k).collect();
            assert_eq!(in_fold.len(), 20);
            assert_eq!(in_fold.iter().filter(|&&i| labels[i]).count(), 4);
        }
        assert_eq!(f, stratified_folds(&labels, 5, 1));
        assert_ne!(f, stratified_folds(&labels, 5, 2));
    }
}
