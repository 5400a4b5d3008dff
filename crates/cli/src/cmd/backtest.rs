use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::backtest::{
    backtest, parse_duration, Backtest, BacktestOptions, Target, DEFAULT_BOOTSTRAP, DEFAULT_K,
};
use renown_app::Scope;
use renown_measures::backtest::{Metric, METRICS};
use renown_measures::MEASURES;
use renown_model::format_time;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown backtest
  renown backtest --split 2012-07-03 --horizon 4d --k 100
  renown backtest --measures earned,engagement,reshares --target reshares --format csv
  renown backtest --bootstrap 0 --format json | jq '.splits[0].measures[0]'
  renown backtest --tune          # earned's parameters chosen on the earlier splits

Every measure is computed as of each split over the accounts active (acting or acted on) at or
before it, and scored against the target over the horizon after it: Spearman's rho and Kendall's
tau-b (average ranks), NDCG@k (gain = the target) and precision@k (top k by the measure that is in
the top k by the target). Ties: NDCG@k and precision@k are the expected value over all orderings
of tied accounts, never an order by id. Intervals are 95% percentile bootstraps over accounts;
`vs best` is a paired bootstrap of (measure - the baseline with the best point estimate), the
baselines being every measure but the candidate (earned). Default: three rolling origins at the
40%, 60% and 80% quantiles of the timed events, each with the horizon from the last one to the
newest event. The resamples are a Poisson bootstrap over accounts.";

/// Does a measure predict? Score every measure as of a split against what happened after it.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// A split: the end of this date (YYYY-MM-DD) or this instant (RFC 3339); repeat for
    /// several (default: three rolling origins over the store's time span).
    #[arg(long, value_parser = super::parse_as_of)]
    pub split: Vec<i64>,
    /// How long after each split the target counts: 90m, 36h, 7d, 2w, or seconds
    /// (default: from the last split to the newest event).
    #[arg(long, value_parser = parse_duration)]
    pub horizon: Option<i64>,
    /// The cut-off of NDCG@k and precision@k.
    #[arg(long, default_value_t = DEFAULT_K)]
    pub k: usize,
    /// Measures to score, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub measures: Vec<String>,
    /// What the measures should predict.
    #[arg(long, default_value = "distinct-engagers", value_parser = target_names())]
    pub target: String,
    /// Bootstrap resamples for the intervals (0: point estimates only).
    #[arg(long, default_value_t = DEFAULT_BOOTSTRAP)]
    pub bootstrap: usize,
    /// Seed of the resamples.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only events on this platform.
    #[arg(long)]
    pub platform: Option<String>,
    /// A known truth per account: CSV with a header and rows `platform:native_id,value` (the
    /// demo writes DIR/truth.csv). Each measure's Spearman with it is shown beside its scores.
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// Choose earned's parameters for this store on every split but the last (a coordinate
    /// search; only sets that pass the resistance scenarios — bought followers, a reshare ring —
    /// are admissible) and report them on the last split as `earned-tuned`, beside the defaults.
    #[arg(long)]
    pub tune: bool,
    /// Score persons (accounts linked by `renown link`): every measure and the target computed
    /// over persons — an engager linked across platforms is one distinct engager, engagement
    /// between a person's own accounts counts zero (docs/PERSONS.md).
    #[arg(long, value_enum, default_value_t)]
    pub per: super::rank::PerArg,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

fn target_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        Target::ALL
            .iter()
            .map(|t| clap::builder::PossibleValue::new(t.name()).help(t.describe())),
    )
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    for m in &args.measures {
        renown_measures::measure(m.trim())?;
    }
    let store = super::open_existing(db)?;
    let opts = BacktestOptions {
        splits: args.split.clone(),
        horizon: args.horizon,
        k: args.k,
        measures: args.measures.clone(),
        target: Target::parse(&args.target)?,
        bootstrap: args.bootstrap,
        seed: args.seed,
        candidate: MEASURES[0].name.to_string(),
        platform: None,
        truth: match &args.truth {
            Some(path) => Some(read_truth(&store, path)?),
            None => None,
        },
        // The app's backtest supplies the cascade reconstruction and the parameters.
        cascade_reach: None,
        tune: args.tune,
        params: Default::default(),
        per_person: args.per == super::rank::PerArg::Person,
    };
    let scope = Scope {
        platform: args.platform.clone(),
        ..Scope::default()
    };
    let result = backtest(&store, &scope, &opts, &params)?;
    for s in &result.splits {
        let split = format!("at the split of {}", format_time(s.split));
        crate::output::warn_where(&split, &s.warnings);
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &result)?;
            writeln!(out)?;
        }
        OutputFormat::Csv | OutputFormat::Parquet => {
            csv_table(&result).write(args.format, &mut out)?
        }
        OutputFormat::Table => {
            // Parameters set in a file are echoed above the report (JSON always carries them).
            for (measure, p) in result.parameters.iter().filter(|(_, p)| p.source.is_some()) {
                writeln!(out, "{measure}: {}", p.header_line())?;
            }
            write_text(&result, &mut out)?
        }
    }
    Ok(Outcome::Clean)
}

/// Reads `platform:native_id,value` rows into a value per dense id. Accounts the store does
/// not know (a simulated account that never acted) are skipped and counted on stderr.
fn read_truth(store: &renown_store::Store, path: &Path) -> anyhow::Result<Vec<Option<f64>>> {
    let mut rows = Vec::new();
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| anyhow::anyhow!("--truth {}: {e}", path.display()))?;
    for (line, row) in reader.records().enumerate() {
        let row = row.map_err(|e| anyhow::anyhow!("--truth {}: {e}", path.display()))?;
        let (Some(account), Some(value)) = (row.get(0), row.get(1)) else {
            anyhow::bail!(
                "--truth {}:{}: expected account,value",
                path.display(),
                line + 2
            );
        };
        let value: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--truth {}:{}: {value:?} is not a number",
                    path.display(),
                    line + 2
                )
            })?;
        rows.push((account.trim().to_string(), value));
    }
    let (truth, unknown) = renown_app::backtest::truth_by_id(store, rows)?;
    if unknown > 0 {
        eprintln!("--truth: {unknown} accounts not in the store, skipped");
    }
    Ok(truth)
}

/// Per metric: the score, its interval, the best baseline and the paired difference to it.
const CSV_COLUMNS: [&str; 34] = [
    "split",
    "until",
    "accounts",
    "with_target",
    "measure",
    "spearman",
    "spearman_lo",
    "spearman_hi",
    "spearman_best_baseline",
    "spearman_vs_best",
    "spearman_vs_best_lo",
    "spearman_vs_best_hi",
    "kendall",
    "kendall_lo",
    "kendall_hi",
    "kendall_best_baseline",
    "kendall_vs_best",
    "kendall_vs_best_lo",
    "kendall_vs_best_hi",
    "ndcg",
    "ndcg_lo",
    "ndcg_hi",
    "ndcg_best_baseline",
    "ndcg_vs_best",
    "ndcg_vs_best_lo",
    "ndcg_vs_best_hi",
    "precision",
    "precision_lo",
    "precision_hi",
    "precision_best_baseline",
    "precision_vs_best",
    "precision_vs_best_lo",
    "precision_vs_best_hi",
    "truth_spearman",
];

/// One row per split and measure, every number in its own column.
fn csv_table(b: &Backtest) -> Table {
    debug_assert_eq!(CSV_COLUMNS.len(), 6 + 7 * METRICS.len());
    let mut t = Table::new(&CSV_COLUMNS);
    for s in &b.splits {
        for r in &s.measures {
            let mut row = vec![
                json!(format_time(s.split)),
                json!(format_time(s.until)),
                json!(s.accounts),
                json!(s.with_target),
                json!(r.measure),
            ];
            for m in &r.metrics {
                let d = m.vs_best.as_ref();
                row.extend([
                    json!(m.value),
                    json!(m.lo),
                    json!(m.hi),
                    json!(d.map(|d| &d.baseline)),
                    json!(d.map(|d| d.diff)),
                    json!(d.map(|d| d.lo)),
                    json!(d.map(|d| d.hi)),
                ]);
            }
            row.push(json!(r.truth_spearman));
            t.push(row);
        }
    }
    t
}

fn with_interval(value: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> Value {
    match (value, lo, hi) {
        (Some(v), Some(l), Some(h)) => json!(format!("{v:.3} [{l:.3}, {h:.3}]")),
        (Some(v), _, _) => json!(format!("{v:.3}")),
        _ => json!("undefined"),
    }
}

fn difference(m: &Metric) -> Value {
    match &m.vs_best {
        Some(d) => {
            let sign = if d.lo > 0.0 {
                " better"
            } else if d.hi < 0.0 {
                " worse"
            } else {
                ""
            };
            json!(format!("{:+.3} [{:+.3}, {:+.3}]{sign}", d.diff, d.lo, d.hi))
        }
        None => json!(""),
    }
}

pub fn write_text(b: &Backtest, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "Target: {} over {} after each split; k = {}; {} bootstrap resamples (95% intervals).",
        b.target.name(),
        describe_seconds(b.horizon_seconds),
        b.k,
        b.bootstrap
    )?;
    writeln!(out, "Ties: {}.", b.ties)?;
    for s in &b.splits {
        writeln!(
            out,
            "\nSplit {} (target until {}): {} accounts active before it, {} with a target above 0{}.\n",
            format_time(s.split),
            format_time(s.until),
            s.accounts,
            s.with_target,
            if s.truth_accounts > 0 {
                format!(", {} with a known truth", s.truth_accounts)
            } else {
                String::new()
            }
        )?;
        let mut columns = vec![
            "measure",
            "spearman",
            "kendall",
            "ndcg@k",
            "precision@k",
            "spearman vs best",
            "ndcg@k vs best",
        ];
        if s.truth_accounts > 0 {
            columns.push("truth spearman");
        }
        let mut t = Table::new(&columns);
        for r in &s.measures {
            let mut row = vec![json!(r.measure)];
            row.extend(r.metrics.iter().map(|m| with_interval(m.value, m.lo, m.hi)));
            row.push(difference(&r.metrics[0]));
            row.push(difference(&r.metrics[2]));
            if s.truth_accounts > 0 {
                row.push(json!(r.truth_spearman));
            }
            t.push(row);
        }
        t.write(OutputFormat::Table, out)?;
        let best = |i: usize| s.best_baseline[i].as_deref().unwrap_or("none");
        writeln!(
            out,
            "\nBest baseline: spearman {}, kendall {}, ndcg {}, precision {}.",
            best(0),
            best(1),
            best(2),
            best(3)
        )?;
    }
    if let Some(t) = &b.tuning {
        let dates: Vec<String> = t.tuned_on.iter().map(|&s| format_time(s)).collect();
        writeln!(
            out,
            "\nearned-tuned: parameters chosen on the splits {} only ({} parameter sets scored, \
             mean spearman + ndcg@k {:.4} vs the defaults' {:.4}); reported on the last split \
             above.",
            dates.join(", "),
            t.evaluated,
            t.objective,
            t.default_objective
        )?;
        if t.changed.is_empty() {
            writeln!(out, "  No change beat the defaults on those splits.")?;
        }
        for c in &t.changed {
            writeln!(out, "  {c}")?;
        }
        let r = &t.resistance;
        writeln!(
            out,
            "  Resistance under them: follower-buyer ranks {} with {} and {} with {} bought \
             followers (a move under {} allowed); best ring member ranks {} (it must rank below the top {}).",
            r.buyer_rank[0],
            renown_measures::earned_tune::BOUGHT[0],
            r.buyer_rank[1],
            renown_measures::earned_tune::BOUGHT[1],
            r.buyer_allowed_move,
            r.ring_best_rank,
            renown_measures::earned_tune::RING_OUT_OF_TOP
        )?;
        for x in &t.rejected_by_resistance {
            writeln!(
                out,
                "  Refused (resistance fails: ring member at rank {}, buyer moved {}): {} \
                 (objective {:.4}).",
                x.resistance.ring_best_rank,
                x.resistance.buyer_rank[0].abs_diff(x.resistance.buyer_rank[1]),
                x.changed.join(", "),
                x.objective
            )?;
        }
    }
    Ok(())
}

fn describe_seconds(s: i64) -> String {
    if s % 86_400 == 0 {
        format!("{} d", s / 86_400)
    } else if s >= 86_400 {
        format!("{:.1} d", s as f64 / 86_400.0)
    } else {
        format!("{:.1} h", s as f64 / 3600.0)
    }
}
