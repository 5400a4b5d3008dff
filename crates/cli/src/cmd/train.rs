use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_audit::eval::evaluate;
use renown_audit::features::expanded_names;
use renown_audit::gbdt::{train, Params};
use renown_audit::{features::Features, instafake};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown train --data ../shared/data/instafake
  renown train --data ../shared/data/instafake --out fake-model.json --folds 10 --seed 7
  renown train --data accounts.json --format json

DATA is InstaFake's folder (fakeAccountData.json + realAccountData.json) or one JSON array of
accounts in its schema (userFollowerCount, userFollowingCount, userMediaCount,
userBiographyLength, userHasProfilPic, userIsPrivate, usernameLength, usernameDigitCount, isFake).
It prints the model's stratified k-fold cross-validated accuracy, precision, recall, F1, MCC and
ROC AUC beside the literature rule sets (Camisani-Calzolari, State of Search, Socialbakers) and
each of their criteria on the same accounts, then trains on everything and saves the model for
`renown classify --model`.";

/// Train the fake-account classifier on labelled profiles and report its cross-validated accuracy.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Labelled accounts: InstaFake's folder or a JSON file in its schema.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to save the model.
    #[arg(long, default_value = "renown-model.json")]
    pub out: PathBuf,
    /// Cross-validation folds (2 or more).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(2..=50))]
    pub folds: u64,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Boosting rounds.
    #[arg(long, default_value_t = Params::default().rounds)]
    pub rounds: usize,
    /// Tree depth.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=8))]
    pub depth: u64,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, _db: &Path) -> anyhow::Result<Outcome> {
    let data = instafake::load(&args.data)?;
    let params = Params {
        rounds: args.rounds.max(1),
        depth: args.depth as usize,
        ..Params::default()
    };
    let report = evaluate(
        &data.features,
        &data.fake,
        args.folds as usize,
        args.seed,
        &params,
    );
    let mut out = std::io::stdout().lock();
    let mut t = Table::new(&[
        "method",
        "judged",
        "accuracy",
        "precision",
        "recall",
        "f1",
        "mcc",
        "roc_auc",
    ]);
    for r in &report.rows {
        let m = &r.metrics;
        t.push(vec![
            json!(r.method),
            json!(r.judged),
            json!(m.accuracy),
            json!(m.precision),
            json!(m.recall),
            json!(m.f1),
            json!(m.mcc),
            json!(m.roc_auc),
        ]);
    }
    if args.format == OutputFormat::Table {
        writeln!(
            out,
            "{} accounts ({} fake), {}-fold stratified cross-validation, seed {}:\n",
            report.accounts, report.fakes, report.folds, report.seed
        )?;
    }
    t.write(args.format, &mut out)?;
    let rows: Vec<Vec<f64>> = data.features.iter().map(Features::expanded).collect();
    let model = train(&rows, &data.fake, expanded_names(), &params);
    model.save(&args.out)?;
    if args.format == OutputFormat::Table {
        let aucs: Vec<String> = report.fold_auc.iter().map(|a| format!("{a:.4}")).collect();
        writeln!(out, "\nROC AUC per fold: {}", aucs.join(", "))?;
        writeln!(
            out,
            "Trained on all {} accounts; model saved to {} (use: renown classify --model {}).",
            report.accounts,
            args.out.display(),
            args.out.display()
        )?;
    } else {
        eprintln!("model saved to {}", args.out.display());
    }
    Ok(Outcome::Clean)
}
