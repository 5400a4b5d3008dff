//! Cross-validated accuracy on the real InstaFake data (skipped when the data is absent).

use renown_audit::eval::evaluate;
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
    assert!(auc >= 0.95, "cross-validated ROC AUC {auc}");
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
