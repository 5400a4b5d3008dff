//! One file per subcommand, each carrying its own usage text and examples.

mod audit;
mod backtest;
mod cascade;
mod cascades;
mod classify;
mod cluster;
mod compare;
mod completions;
mod demo;
mod dynamics;
mod explain;
mod export;
pub mod export_parquet;
mod gap;
mod generate;
mod graph;
mod graph_export;
mod ingest;
mod link;
mod offline;
mod pagerank;
mod profile;
mod rank;
mod scatter;
mod seeds;
mod serve;
mod simulate;
mod stats;
mod train;
mod trust;

use crate::Outcome;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "renown",
    version,
    about = "Measure earned influence in social media",
    long_about = "renown ingests the exports people actually have into one event log (SQLite), \
                  measures earned influence beside the naive baselines, and explains every number.",
    after_help = "Start with `renown demo`. Every command takes --help with examples."
)]
pub struct Cli {
    /// The store file (created if missing) [default: renown.db].
    #[arg(long, global = true, env = "RENOWN_DB")]
    pub db: Option<PathBuf>,
    /// The measures' parameters (TOML) [default: renown.toml beside the store, if present].
    #[arg(long, global = true, env = "RENOWN_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Ingest(ingest::Args),
    Link(link::Args),
    Offline(offline::Args),
    Stats(stats::Args),
    Rank(rank::Args),
    Compare(compare::Args),
    Backtest(backtest::Args),
    Explain(explain::Args),
    Profile(profile::Args),
    Scatter(scatter::Args),
    Gap(gap::Args),
    Export(export::Args),
    Demo(demo::Args),
    Cascades(cascades::Args),
    Cascade(cascade::Args),
    Dynamics(dynamics::Args),
    Seeds(seeds::Args),
    Simulate(simulate::Args),
    Pagerank(pagerank::Args),
    Generate(generate::Args),
    Graph(graph::Args),
    Audit(audit::Args),
    Train(train::Args),
    Classify(classify::Args),
    Trust(trust::Args),
    Serve(serve::Args),
    Cluster(cluster::Args),
    Completions(completions::CompletionArgs),
    Man(completions::ManArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let named = cli.db;
    let db = &named.clone().unwrap_or_else(|| PathBuf::from("renown.db"));
    // Read only by the commands whose measures take parameters.
    let params = || renown_app::Params::load(db, cli.config.as_deref());
    match cli.command {
        Command::Ingest(a) => ingest::run(a, db),
        Command::Link(a) => link::run(a, db),
        Command::Offline(a) => offline::run(a, db),
        Command::Stats(a) => stats::run(a, db),
        Command::Rank(a) => rank::run(a, db, params()?),
        Command::Compare(a) => compare::run(a, db, params()?),
        Command::Backtest(a) => backtest::run(a, db, params()?),
        Command::Explain(a) => explain::run(a, db, params()?),
        Command::Profile(a) => profile::run(a, db, params()?),
        Command::Scatter(a) => scatter::run(a, db, params()?),
        Command::Gap(a) => gap::run(a, db, params()?),
        Command::Export(a) => export::run(a, db),
        // `demo` makes its own store unless one is named.
        Command::Demo(a) => demo::run(a, named.as_deref()),
        Command::Cascades(a) => cascades::run(a, db),
        Command::Cascade(a) => cascade::run(a, db),
        Command::Dynamics(a) => dynamics::run(a, db),
        Command::Seeds(a) => seeds::run(a, db, params()?),
        Command::Simulate(a) => simulate::run(a, db),
        Command::Pagerank(a) => pagerank::run(a, db),
        Command::Generate(a) => generate::run(a, db),
        Command::Graph(a) => graph::run(a, db),
        Command::Audit(a) => audit::run(a, db, params()?),
        Command::Train(a) => train::run(a, db),
        Command::Classify(a) => classify::run(a, db),
        Command::Trust(a) => trust::run(a, db),
        Command::Serve(a) => serve::run(a, db, params()?),
        Command::Cluster(a) => cluster::run(a, db, params()?),
        Command::Completions(a) => completions::completions(a),
        Command::Man(a) => completions::man(a),
    }
}

/// Opens an existing store for reading, with a hint when it does not exist yet. The whole
/// command reads one committed state: an ingest running beside it is either all or not at all
/// of what it sees (see [`renown_store::Snapshot`]).
pub fn open_existing(db: &std::path::Path) -> anyhow::Result<renown_store::Snapshot> {
    Ok(renown_app::open::open_existing(db)?)
}

/// Warns on stderr when a scope matches no event or its date lies outside the data: for the
/// commands whose output has no place for warnings (rank, compare and explain carry them in JSON).
pub fn warn_scope(store: &renown_store::Store, scope: &renown_app::Scope) -> anyhow::Result<()> {
    crate::output::warn(&renown_measures::ScopeFacts::read(store, &scope.measures())?.warnings());
    Ok(())
}

/// Parses a `--as-of` value (a bare date means the end of that day, UTC: [`renown_app::scope`]).
pub fn parse_as_of(s: &str) -> Result<i64, String> {
    renown_app::scope::parse_as_of(s).map_err(|e| e.to_string())
}

/// The slice of the log a command reads: `--as-of`, `--topic`, `--platform`, declared once.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ScopeArgs {
    /// As of the end of this date (YYYY-MM-DD) or this instant (RFC 3339).
    #[arg(long, value_parser = parse_as_of)]
    pub as_of: Option<i64>,
    /// Only engagement on items carrying this hashtag/tag/category.
    #[arg(long)]
    pub topic: Option<String>,
    /// Only events on this platform.
    #[arg(long)]
    pub platform: Option<String>,
}

impl ScopeArgs {
    pub fn scope(&self) -> renown_app::Scope {
        renown_app::Scope::new(self.as_of, self.topic.clone(), self.platform.clone())
    }
}

/// `--as-of` and `--platform`: the scope of a command that is not topical (an audience, a
/// graph, one cascade).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct DatedArgs {
    /// As of the end of this date (YYYY-MM-DD) or this instant (RFC 3339).
    #[arg(long, value_parser = parse_as_of)]
    pub as_of: Option<i64>,
    /// Only events on this platform.
    #[arg(long)]
    pub platform: Option<String>,
}

impl DatedArgs {
    pub fn scope(&self) -> renown_app::Scope {
        renown_app::Scope::new(self.as_of, None, self.platform.clone())
    }
}

/// A stderr progress bar; hidden automatically when stderr is not a terminal.
pub fn progress_bar(len: Option<u64>, what: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let pb = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template(
                "{msg:30} [{bar:30}] {bytes}/{total_bytes} {elapsed} {prefix}",
            )
            .expect("static template")
            .progress_chars("=> "),
        ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed} {prefix}")
                .expect("static template"),
        ),
    };
    pb.set_message(what.to_string());
    pb
}

/// Starts the global rayon pool with `threads` workers.
pub fn set_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(t) = threads {
        if t == 0 {
            anyhow::bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .context("starting the thread pool")?;
    }
    Ok(())
}
