use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_audit::calibrate::Objective;
use renown_audit::classifier::Classifier;
use renown_audit::eval::evaluate;
use renown_audit::gbdt::Params;
use renown_audit::instafake;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown train --data ../shared/data/instafake
  renown train --data ../shared/data/instafake --precision-at 0.9 --out fake-model.json
  renown train --data ../shared/data/instafake --cost-ratio 5 --eval other-labelled.json
  renown train --data accounts.json --format json

DATA is InstaFake's folder (fakeAccountData.json + realAccountData.json) or one JSON array of
accounts in its schema (userFollowerCount, userFollowingCount, userMediaCount,
userBiographyLength, userHasProfilPic, userIsPrivate, usernameLength, usernameDigitCount, isFake;
snake_case names and a plain username are accepted too; any field but isFake may be missing).
It prints the model's stratified k-fold cross-validated accuracy, precision, recall, F1, MCC and
ROC AUC beside the literature rule sets (Camisani-Calzolari, State of Search, Socialbakers) and
each of their criteria on the same accounts — in-domain figures: the folds come from one
dataset (the second row scores held-out accounts with their optional fields — bio, picture,
privacy, username — dropped at random; training sees such copies too, so a source without those
fields is scored, not guessed). It then calibrates the model's scores (Platt scaling on the out-of-fold predictions),
chooses the threshold for --precision-at P (the most recall with precision at least P) or
--cost-ratio C (a false alarm costs C missed fakes; default: the best F1), prints the precision
and recall cross-validation gives at it, trains on everything and saves the model for
`renown classify --model`. Each --eval FILE (labelled, same schema) is scored by the saved model:
ROC AUC and precision/recall/F1 at the threshold, on every account and on those inside the
training distribution (the ones `classify` does not abstain on).";

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
    /// Threshold for at least this precision (0 to 1), with the most recall.
    #[arg(long, conflicts_with = "cost_ratio", value_parser = unit_interval)]
    pub precision_at: Option<f64>,
    /// Threshold for the least cost when a false alarm costs this many missed fakes.
    #[arg(long, value_parser = positive)]
    pub cost_ratio: Option<f64>,
    /// Other labelled sets to report the saved model's performance on.
    #[arg(long, num_args = 1..)]
    pub eval: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

fn unit_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!("{s:?} is not a precision in (0, 1]")),
    }
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("{s:?} is not a positive number")),
    }
}

pub fn run(args: Args, _db: &Path) -> anyhow::Result<Outcome> {
    let data = instafake::load(&args.data)?;
    if !data.fake.contains(&true) || !data.fake.contains(&false) {
        anyhow::bail!(
            "{}: training needs both fake and real accounts",
            args.data.display()
        );
    }
    let params = Params {
        rounds: args.rounds.max(1),
        depth: args.depth as usize,
        ..Params::default()
    };
    let objective = match (args.precision_at, args.cost_ratio) {
        (Some(p), _) => Objective::PrecisionAt(p),
        (None, Some(c)) => Objective::CostRatio(c),
        (None, None) => Objective::BestF1,
    };
    let evals = args
        .eval
        .iter()
        .map(|p| instafake::load(p))
        .collect::<Result<Vec<_>, _>>()?;
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
    let classifier = Classifier::train(&data.features, &data.fake, &report, &params, objective);
    classifier.save(&args.out)?;
    let op = &classifier.operating;
    const EVAL_COLUMNS: [&str; 13] = [
        "set",
        "accounts",
        "fakes",
        "inside_training",
        "roc_auc",
        "precision",
        "recall",
        "f1",
        "inside_roc_auc",
        "inside_precision",
        "inside_recall",
        "inside_f1",
        "shifted_features",
    ];
    let mut eval_rows: Vec<Vec<serde_json::Value>> = Vec::new();
    for (path, set) in args.eval.iter().zip(&evals) {
        let t = classifier.transfer(&set.features, &set.fake);
        let mut row = vec![
            json!(path.display().to_string()),
            json!(t.accounts),
            json!(t.fakes),
            json!(t.inside_training),
        ];
        for m in [&t.all, &t.inside] {
            row.extend([
                json!(m.roc_auc),
                json!(m.precision),
                json!(m.recall),
                json!(m.f1),
            ]);
        }
        // Features whose distribution differs from training's (KS statistic), largest first.
        let shifted: Vec<String> = t
            .shifted
            .iter()
            .map(|s| format!("{} {:.2}", s.name, s.ks))
            .collect();
        row.push(json!(shifted.join(", ")));
        eval_rows.push(row);
    }
    let mut e = Table::new(&EVAL_COLUMNS);
    for r in &eval_rows {
        e.push(r.clone());
    }
    match args.format {
        OutputFormat::Parquet => {
            anyhow::bail!(
                "train prints two tables; a Parquet file holds one: use --format csv or json"
            )
        }
        OutputFormat::Json => {
            let mut v = serde_json::to_value(&report)?;
            v["calibration"] = serde_json::to_value(classifier.calibration)?;
            v["operating"] = json!({
                "objective": op.objective.to_string(),
                "threshold": op.threshold,
                "met": op.met,
                "cross_validated_precision": op.precision,
                "cross_validated_recall": op.recall,
            });
            v["model"] = json!(args.out.display().to_string());
            v["eval"] = eval_rows
                .iter()
                .map(|r| {
                    EVAL_COLUMNS
                        .iter()
                        .map(|c| c.to_string())
                        .zip(r.iter().cloned())
                        .collect::<serde_json::Map<_, _>>()
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        OutputFormat::Csv => {
            t.write(OutputFormat::Csv, &mut out)?;
            if !args.eval.is_empty() {
                writeln!(out)?;
                e.write(OutputFormat::Csv, &mut out)?;
            }
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{} accounts ({} fake), {}-fold stratified cross-validation, seed {} (in-domain: \
                 every fold comes from this dataset):\n",
                report.accounts, report.fakes, report.folds, report.seed
            )?;
            t.write(OutputFormat::Table, &mut out)?;
            let aucs: Vec<String> = report.fold_auc.iter().map(|a| format!("{a:.4}")).collect();
            writeln!(out, "\nROC AUC per fold: {}", aucs.join(", "))?;
            writeln!(
                out,
                "Calibrated threshold {:.3} for {}{}: cross-validated precision {:.3}, recall {:.3} \
                 (the threshold chosen without the fold it was applied to).",
                op.threshold,
                op.objective,
                if op.met { "" } else { " (not reachable: the closest)" },
                op.precision,
                op.recall
            )?;
            if !args.eval.is_empty() {
                writeln!(
                    out,
                    "\nThe saved model on the other labelled sets (at the threshold above; \
                     inside_* only on accounts inside the training distribution):\n"
                )?;
                e.write(OutputFormat::Table, &mut out)?;
            }
            writeln!(
                out,
                "\nTrained on all {} accounts; model saved to {} (use: renown classify --model {}).",
                report.accounts,
                args.out.display(),
                args.out.display()
            )?;
        }
    }
    if args.format != OutputFormat::Table {
        eprintln!("model saved to {}", args.out.display());
    }
    Ok(Outcome::Clean)
}
