use super::seeds::{edge_list_graph, resolve_list};
use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_spread::im::report::{Probabilities, SimulateReport};
use renown_spread::im::{simulate, Model};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown seeds --k 10 --seeds-out seeds.txt && renown simulate --seeds seeds.txt
  renown simulate --seeds staff.txt --sims 100000 --model lt
  renown simulate --input graph.el --probabilities weighted-cascade --seeds ids.txt --sims 10000

Monte Carlo spread of any seed set (one account per line: handle or platform:id; node ids with
--input) under the same model and probabilities as `renown seeds`: the mean number of accounts
reached (seeds included) with its 95 % interval.";

/// Expected spread of a seed set by Monte Carlo simulation.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The seed accounts, one per line.
    #[arg(long)]
    pub seeds: PathBuf,
    /// Simulation runs.
    #[arg(long, default_value_t = 10_000)]
    pub sims: u64,
    #[arg(long, default_value = "ic")]
    pub model: Model,
    /// learned | learned:jaccard | weighted-cascade | constant:P
    #[arg(long, default_value = "learned")]
    pub probabilities: Probabilities,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    /// Run on an edge-list file (`src dst` per line, ids 0..n-1) instead of the store.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    super::set_threads(args.threads)?;
    let report = match &args.input {
        Some(path) => {
            let start = std::time::Instant::now();
            let mut g = edge_list_graph(path, &args.probabilities)?;
            if args.model == Model::Lt {
                g.normalize_for_lt();
            }
            let seeds = resolve_list(&args.seeds, None, g.n())?;
            SimulateReport {
                model: args.model,
                probabilities: args.probabilities.label(),
                as_of: None,
                topic: None,
                seeds: seeds.iter().map(|v| v.to_string()).collect(),
                spread: simulate(&g, args.model, &seeds, args.sims, args.seed)?,
                seconds: start.elapsed().as_secs_f64(),
            }
        }
        None => {
            let store = super::open_existing(db)?;
            let scope = args.scope.scope();
            super::warn_scope(&store, &scope)?;
            let n = store.account_count()?;
            let seeds = resolve_list(&args.seeds, Some(&store), n)?;
            renown_app::seeds::simulate(
                &store,
                &scope,
                args.model,
                args.probabilities,
                &seeds,
                args.sims,
                args.seed,
            )?
        }
    };
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    let s = &report.spread;
    let mut t = Table::new(&[
        "seeds",
        "simulations",
        "spread",
        "std_error",
        "low_95",
        "high_95",
    ]);
    t.push(vec![
        json!(report.seeds.len()),
        json!(s.simulations),
        json!(s.mean),
        json!(s.std_error),
        json!(s.low),
        json!(s.high),
    ]);
    t.write(args.format, &mut out)?;
    if args.format == OutputFormat::Table {
        eprintln!(
            "{} model, {} probabilities, {:.2} s",
            report.model.name(),
            report.probabilities,
            report.seconds
        );
    }
    Ok(Outcome::Clean)
}
