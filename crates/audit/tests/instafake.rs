//! Cross-validated accuracy on the real InstaFake data (skipped when the data is absent).

use renown_audit::calibrate::Objective;
use renown_audit::classifier::Classifier;
use renown_audit::eval::evaluate;
use renown_audit::features::{BIO_LENGTH, FOLLOWERS, HAS_BIO, HAS_PICTURE, IS_PRIVATE};
use renown_audit::gbdt::Params;
use renown_audit::instafake;

#[test]
fn trained_model_beats_the_rule_sets_on_instafake() {
    let Some(dir) = renown_testdata::data("instafake") else {
        return;
    };
    let data = instafake::load(&dir).unwrap();
    assert_eq!(data.fake.len(), 1194);
    assert_eq!(data.fake.iter().filter(|&&f| f).count(), 200);
    let report = evaluate(&data.features, &data.fake, 5, 42, &Params::default());
    let model = &report.rows[0];
    let auc = model.metrics.roc_auc.unwrap();
    eprintln!("{}", serde_json::to_string_pretty(&report).unwrap());
    assert!(auc >= 0.98, "cross-validated ROC AUC {auc}");
    // Held-out accounts with their optional fields dropped at random still rank well.
    let masked = report.rows[1].metrics.roc_auc.unwrap();
    assert!(
        masked >= 0.95,
        "cross-validated ROC AUC without optional fields {masked}"
    );
    for row in report
        .rows
        .iter()
        .filter(|r| r.method.ends_with("(rule set)"))
    {
        assert!(
            row.metrics.mcc < model.metrics.mcc,
            "{} beats the model",
            row.method
        );
    }
}

#[test]
fn a_bad_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.json");
    std::fs::write(&p, "[{\"userFollowerCount\": \"many\"}]").unwrap();
    let e = instafake::load(&p).err().unwrap().to_string();
    assert!(e.contains("x.json") && e.contains("line 1"), "{e}");
}

#[test]
fn the_saved_classifier_is_calibrated_thresholded_and_knows_its_domain() {
    let Some(dir) = renown_testdata::data("instafake") else {
        return;
    };
    let data = instafake::load(&dir).unwrap();
    let params = Params::default();
    let report = evaluate(&data.features, &data.fake, 5, 42, &params);
    let c = Classifier::train(
        &data.features,
        &data.fake,
        &report,
        &params,
        Objective::PrecisionAt(0.9),
    );
    let op = c.operating;
    eprintln!("{op:?}");
    assert!(op.met);
    // Cross-validated: the threshold chosen without the fold it is applied to.
    assert!(op.precision >= 0.85 && op.recall >= 0.8, "{op:?}");
    // A typical fake: no bio, no posts, following far more than followed.
    let fake = data
        .features
        .iter()
        .zip(&data.fake)
        .find(|(f, &l)| l && f.get(FOLLOWERS) < Some(30.0))
        .unwrap()
        .0;
    let v = c.judge(fake);
    assert!(v.outside.is_empty() && v.fake, "{v:?}");
    // Without the bio, picture and privacy fields it is still inside the domain (training saw
    // such copies) and still called fake.
    let mut partial = *fake;
    for j in [HAS_BIO, BIO_LENGTH, HAS_PICTURE, IS_PRIVATE] {
        partial.0[j] = f64::NAN;
    }
    let v = c.judge(&partial);
    assert!(v.outside.is_empty() && v.fake, "{v:?}");
    // Followers far beyond anything in training: it abstains and says why.
    let mut huge = *fake;
    huge.0[FOLLOWERS] = 1e9;
    let v = c.judge(&huge);
    assert_eq!(v.outside.len(), 1, "{v:?}");
    assert!(v.outside[0].starts_with("followers"), "{v:?}");
    // Scored on another set (here InstaFake with every follower count a million times larger,
    // beyond the training range): every account is outside the domain, so the inside metrics
    // are absent, while the all-account ones are still reported.
    let shifted: Vec<_> = data
        .features
        .iter()
        .map(|f| {
            let mut g = *f;
            g.0[FOLLOWERS] = f.0[FOLLOWERS] * 1e6 + 1e7;
            g
        })
        .collect();
    let t = c.transfer(&shifted, &data.fake);
    assert_eq!((t.accounts, t.fakes, t.inside_training), (1194, 200, 0));
    assert_eq!(t.inside, Default::default());
    assert!(t.all.roc_auc.is_some() && t.all.f1.is_some(), "{t:?}");
    // The whole set's follower counts moved: the population check names that feature alone.
    assert_eq!(t.shifted.len(), 1, "{:?}", t.shifted);
    assert_eq!(t.shifted[0].name, "followers");
    let same = c.transfer(&data.features, &data.fake);
    assert!(same.shifted.is_empty(), "{:?}", same.shifted);
    assert!(same.inside_training > 1100, "{same:?}");
    assert!(same.inside.roc_auc.unwrap() > 0.99, "{same:?}");
    // Calibrated: the mean probability of the out-of-fold predictions matches the fake share.
    let mean: f64 = report
        .out_of_fold
        .iter()
        .map(|&p| c.calibration.apply(p))
        .sum::<f64>()
        / report.out_of_fold.len() as f64;
    assert!((mean - 200.0 / 1194.0).abs() < 0.02, "{mean}");
}
