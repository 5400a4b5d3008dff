use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::dynamics::{dynamics, DynamicsQuery, Period, Progress, Stage, DEFAULT_BOOTSTRAP};
use renown_app::ranks_by;
use renown_model::Kind;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown dynamics                                   # engagement received, by month
  renown dynamics --kind reshare,mention --period day
  renown dynamics --kind follow --top 30            # follower growth
  renown dynamics --part kernel --format csv > kernel.csv
  renown dynamics --format json | jq .alpha

Does the big get bigger? Each arrival (a follow, reshare, mention... received) is modelled as
going to an account with probability proportional to A(k)·fitness, k its size at the time.
α is the exponent of A(k) ~ k^α (1 = linear preferential attachment, 0 = size does not matter),
with a 95 % bootstrap interval; fitness is the growth its size does not explain (Bianconi-
Barabási), estimated jointly with A(k) as in PAFit. Concentration: Gini and top-1 % share of
arrivals per period, among accounts that received any.";

/// Rich-get-richer dynamics: attachment kernel, fitness, concentration over time.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// What counts as an arrival (comma-separated kinds; default: all engagement kinds).
    #[arg(long, value_delimiter = ',')]
    pub kind: Vec<Kind>,
    /// Calendar period for concentration.
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    pub period: PeriodArg,
    /// Bootstrap replicates for α's interval (all are fitted: there is no early stop).
    #[arg(long, default_value_t = DEFAULT_BOOTSTRAP)]
    pub bootstrap: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Accounts in the fitness list (0 = all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Fewest arrivals for an account to be in the fitness list.
    #[arg(long, default_value_t = 5)]
    pub min_arrivals: u64,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    /// Which part to print (CSV needs one part).
    #[arg(long, value_enum, default_value_t = Part::All)]
    pub part: Part,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    All,
    Summary,
    Kernel,
    Jeong,
    Concentration,
    Fitness,
}

/// On a terminal (stderr), what the fit is doing and how many replicates are done; nothing
/// otherwise.
fn progress_bar() -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("static template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let one_table = matches!(args.format, OutputFormat::Csv | OutputFormat::Parquet);
    if one_table && args.part == Part::All {
        anyhow::bail!(
            "CSV and Parquet hold one table: add --part summary|kernel|jeong|concentration|fitness"
        );
    }
    let store = super::open_existing(db)?;
    let mut scope = args.scope.scope();
    if !args.kind.is_empty() {
        scope.kinds = Some(args.kind.clone());
    }
    super::warn_scope(&store, &scope)?;
    let query = DynamicsQuery {
        period: match args.period {
            PeriodArg::Day => Period::Day,
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
        },
        bootstrap: args.bootstrap,
        seed: args.seed,
        min_arrivals: args.min_arrivals,
    };
    let bar = progress_bar();
    let shown = bar.clone();
    let progress = Progress::new(move |stage| match stage {
        Stage::Fitting => shown.set_message("fitting the kernel and fitness"),
        Stage::Replicates { done, total } => {
            if shown.length().is_none() {
                shown.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg} [{bar:30}] {pos}/{len} {elapsed}",
                    )
                    .expect("static template")
                    .progress_chars("=> "),
                );
                shown.set_message("bootstrap replicates for alpha's interval");
                shown.set_length(total as u64);
            }
            shown.set_position(done as u64);
        }
    });
    let answer = dynamics(
        &store,
        &scope,
        &query,
        (args.top > 0).then_some(args.top),
        progress,
    );
    bar.finish_and_clear();
    let answer = answer?;
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Json && args.part == Part::All {
        serde_json::to_writer_pretty(&mut out, &answer)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    let r = &answer.report;
    let show = |p: Part| args.part == Part::All || args.part == p;
    let titled = args.format == OutputFormat::Table && args.part == Part::All;
    if show(Part::Summary) {
        let mut t = Table::new(&["measure", "value", "low_95", "high_95", "note"]);
        let kinds: Vec<&str> = r.kinds.iter().map(|k| k.name()).collect();
        t.push(vec![
            json!("arrivals"),
            json!(r.arrivals),
            json!(null),
            json!(null),
            json!(format!(
                "{} received by {} accounts over {} time steps ({} without time left out)",
                kinds.join("+"),
                r.accounts,
                r.steps,
                r.timeless
            )),
        ]);
        match &r.alpha {
            Some(a) => t.push(vec![
                json!("alpha"),
                json!(a.value),
                json!(a.low),
                json!(a.high),
                json!(format!(
                    "A(k) ~ k^alpha with fitness, {} bootstrap replicates; {} iterations{}",
                    a.replicates,
                    r.iterations,
                    if r.converged { "" } else { " (not converged)" }
                )),
            ]),
            None => t.push(vec![
                json!("alpha"),
                json!(null),
                json!(null),
                json!(null),
                json!("too few sizes with enough arrivals to fit"),
            ]),
        }
        t.push(vec![
            json!("alpha_no_fitness"),
            json!(r.alpha_no_fitness),
            json!(null),
            json!(null),
            json!("every fitness fixed at 1 (Newman 2001)"),
        ]);
        t.push(vec![
            json!("alpha_jeong"),
            json!(r.alpha_jeong),
            json!(null),
            json!(null),
            json!("cumulative kernel (Jeong et al. 2003), ignores fitness"),
        ]);
        if titled {
            writeln!(out, "Summary")?;
        }
        t.write(args.format, &mut out)?;
    }
    if show(Part::Kernel) {
        let mut t = Table::new(&[
            "k_low",
            "k_high",
            "k",
            "arrivals",
            "A",
            "A_no_fitness",
            "note",
        ]);
        for p in &r.kernel {
            t.push(vec![
                json!(p.k_low),
                json!(p.k_high),
                json!(p.k),
                json!(p.arrivals),
                json!(p.a),
                json!(p.a_no_fitness),
                json!(if p.too_few_arrivals {
                    "under 10 arrivals: too few to read, not in alpha's fit"
                } else {
                    ""
                }),
            ]);
        }
        if titled {
            writeln!(out, "\nKernel A(k) (A(1) = 1)")?;
        }
        t.write(args.format, &mut out)?;
    }
    if show(Part::Jeong) {
        let mut t = Table::new(&["k", "accounts", "pi", "kappa"]);
        for p in &r.jeong {
            t.push(vec![
                json!(p.k),
                json!(p.accounts),
                json!(p.pi),
                json!(p.kappa),
            ]);
        }
        if titled {
            writeln!(
                out,
                "\nJeong cumulative kernel (sizes at the median arrival)"
            )?;
        }
        if args.part == Part::Jeong || !titled {
            t.write(args.format, &mut out)?;
        } else {
            writeln!(out, "{} points (--part jeong to list them)", r.jeong.len())?;
        }
    }
    if show(Part::Concentration) {
        let mut t = Table::new(&["period", "accounts", "arrivals", "gini", "top1_share"]);
        for p in &r.concentration {
            t.push(vec![
                json!(p.period),
                json!(p.accounts),
                json!(p.arrivals),
                json!(p.gini),
                json!(p.top1_share),
            ]);
        }
        if titled {
            writeln!(out, "\nConcentration of arrivals per period")?;
        }
        t.write(args.format, &mut out)?;
    }
    if show(Part::Fitness) {
        let mut t = Table::new(&["rank", "account", "fitness", "arrivals"]);
        let ranks = ranks_by(&r.fitness, |f| f.fitness);
        for (f, rank) in r.fitness.iter().zip(ranks) {
            t.push(vec![
                json!(rank),
                json!(f.label),
                json!(f.fitness),
                json!(f.arrivals),
            ]);
        }
        if titled {
            writeln!(
                out,
                "\nFittest accounts (growth their size does not explain; ≥ {} arrivals)",
                args.min_arrivals
            )?;
        }
        t.write(args.format, &mut out)?;
    }
    Ok(Outcome::Clean)
}
