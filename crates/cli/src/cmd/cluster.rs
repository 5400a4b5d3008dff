use crate::output::{OutputFormat, Table};
use crate::Outcome;
use anyhow::Context;
use renown_cluster::{ClusterConfig, Job, Measure};
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const EXAMPLES: &str = "\
Examples (docs/SCALE.md):
  renown --db shard-0.db ingest --shard 0/2 events.jsonl     (and 1/2 into shard-1.db)
  renown --db shard-1.db cluster rank --by pagerank --processes 2 --process 1 --hosts hosts.txt &
  renown --db shard-0.db cluster rank --by pagerank --processes 2 --process 0 --hosts hosts.txt
  renown --db shard-0.db cluster rank -n 2 -p 0 -h hosts.txt -w 2 --format json

Every process runs the same command but --process (-p) and its own --db (or --store). The
hosts file lists one host:port per process, in process order (timely's format; without it,
localhost:2101, localhost:2102, …). Process 0 prints the ranking; the others print a line on
stderr. A process that cannot be reached ends the run after --connect-timeout, a broken
connection at once, a silent one after --stall-timeout, with the process named; the stores
are only read, so run the same commands again.";

/// Runs on several processes (timely dataflow): `renown cluster rank`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: ClusterCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum ClusterCommand {
    Rank(RankArgs),
    Compare(CompareArgs),
    Update(UpdateArgs),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterMeasure {
    Followers,
    Engagement,
    Pagerank,
    Earned,
}

/// Rank accounts on a cluster of processes, each reading its shard stores; same equations,
/// parameters (`renown.toml`, `--config`) and output as `renown rank`.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES, disable_help_flag = true)]
pub struct RankArgs {
    /// The measure: followers, engagement received, PageRank on the follow graph (× n), or
    /// earned influence.
    #[arg(long, value_enum)]
    pub by: ClusterMeasure,
    /// The graph `--by pagerank` runs on: follows, or engagement weighted by kind.
    #[arg(long, value_enum, default_value_t)]
    pub graph: super::graph::GraphKind,
    /// How many accounts to show (0 = all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// The scope, as `renown rank` reads it (the follow graph is not cut by topic).
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

/// Follow a ranking through time: the events in batches by date, each appended to the state
/// before (differential dataflow) and the ranking updated, not recomputed; after each batch
/// the answer `renown cluster rank --as-of DATE` gives, printed at once.
#[derive(clap::Args, Debug)]
#[command(after_help = UPDATE_EXAMPLES, disable_help_flag = true)]
#[command(group(clap::ArgGroup::new("batches").required(true).args(["every", "at"])))]
pub struct UpdateArgs {
    /// The measure: followers, engagement received, PageRank on the follow graph (× n), or
    /// earned influence.
    #[arg(long, value_enum)]
    pub by: ClusterMeasure,
    /// A batch every so long (90m, 36h, 7d, 2w, or seconds), cut at the last second before
    /// each whole multiple of it since 1970 (a day's batch is `--as-of` that day) over the
    /// events' span, then one with the rest.
    #[arg(long, value_parser = renown_measures::backtest::parse_duration)]
    pub every: Option<i64>,
    /// Batches ending at these dates (YYYY-MM-DD, the end of the day, or RFC 3339),
    /// ascending, comma-separated or repeated; then one with the rest.
    #[arg(long, value_delimiter = ',', value_parser = super::parse_as_of)]
    pub at: Vec<i64>,
    /// How many accounts to show per batch (0 = all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Only events up to this date (the last batch's date) and on this platform.
    #[command(flatten)]
    pub scope: super::DatedArgs,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// table or csv: one table per batch under a line naming it; json: one document per batch
    /// and line (JSON Lines), each `renown cluster rank --format json`'s.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

const UPDATE_EXAMPLES: &str = "\
Examples (docs/SCALE.md):
  renown --db shard-1.db cluster update --by pagerank --every 7d -n 2 -p 1 -h hosts.txt &
  renown --db shard-0.db cluster update --by pagerank --every 7d -n 2 -p 0 -h hosts.txt
  renown cluster update --by earned --at 2012-07-02,2012-07-04 --format json

Every process runs the same command but --process and its store. Each batch's answer equals
`renown cluster rank --as-of DATE` (counts exactly, PageRank and earned influence to 1e-9); the
last batch, with the events after the last date, is the answer as of --as-of (or of all).";

/// Where this process sits in the cluster and what it reads: the same for every cluster
/// command.
#[derive(clap::Args, Debug)]
pub struct ClusterArgs {
    /// Processes in the cluster (timely's -n).
    #[arg(long, short = 'n', default_value_t = 1)]
    pub processes: u32,
    /// This process's index, 0 to N-1 (timely's -p).
    #[arg(long, short = 'p', default_value_t = 0)]
    pub process: u32,
    /// One host:port per process, in order (timely's -h).
    #[arg(long, short = 'h')]
    pub hosts: Option<PathBuf>,
    /// Worker threads per process (timely's -w).
    #[arg(long, short = 'w', default_value_t = 1)]
    pub workers: u32,
    /// This process's shard stores (repeatable); default: --db, unless --events is given.
    #[arg(long)]
    pub store: Vec<PathBuf>,
    /// Event files this process reads directly, in any format `renown ingest` reads
    /// (repeatable): read into a scratch store in the temporary folder first (so duplicates
    /// are dropped as ingest drops them), removed after the run.
    #[arg(long)]
    pub events: Vec<PathBuf>,
    /// Seconds to wait for every process to connect.
    #[arg(long, default_value_t = 60)]
    pub connect_timeout: u64,
    /// Seconds without any round completing after which a silent process ends the run.
    #[arg(long, default_value_t = 600)]
    pub stall_timeout: u64,
}

/// Compare the measures on a cluster of processes: Spearman's rho and Kendall's tau-b over all
/// and top accounts, the output of `renown compare` (every measure gathered whole to process
/// 0, which correlates them).
#[derive(clap::Args, Debug)]
#[command(after_help = COMPARE_EXAMPLES, disable_help_flag = true)]
pub struct CompareArgs {
    /// Measures to compare, comma-separated (default: every measure the cluster computes:
    /// followers, engagement, pagerank, engagement-pagerank, earned).
    #[arg(long, value_delimiter = ',')]
    pub by: Vec<String>,
    /// Top sets, in percent of accounts, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [10.0, 1.0])]
    pub top_percent: Vec<f64>,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

const COMPARE_EXAMPLES: &str = "\
Examples (docs/SCALE.md):
  renown --db shard-1.db cluster compare -n 2 -p 1 -h hosts.txt &
  renown --db shard-0.db cluster compare -n 2 -p 0 -h hosts.txt --by earned,followers,pagerank

Every process runs the same command but --process and its store; the measures run one after the
other (each process connects once per measure). Process 0 prints what `renown compare` prints.";

/// `host:port` per process: the hosts file's lines (blank lines and `#` comments skipped), or
/// timely's default `localhost:2101…`.
fn addresses(args: &ClusterArgs) -> anyhow::Result<Vec<String>> {
    let Some(path) = &args.hosts else {
        return Ok((0..args.processes)
            .map(|i| format!("localhost:{}", 2101 + i))
            .collect());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the hosts file", path.display()))?;
    let hosts: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    if hosts.len() < args.processes as usize {
        anyhow::bail!(
            "{}: {} hosts for {} processes",
            path.display(),
            hosts.len(),
            args.processes
        );
    }
    Ok(hosts[..args.processes as usize].to_vec())
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    match args.command {
        ClusterCommand::Rank(a) => rank(a, db, params),
        ClusterCommand::Compare(a) => compare(a, db, params),
        ClusterCommand::Update(a) => update(a, db, params),
    }
}

/// This process's place in the cluster and its stores (with the scratch store of `--events`,
/// which must live until the run ends).
fn config_and_stores(
    c: &ClusterArgs,
    db: &Path,
) -> anyhow::Result<(ClusterConfig, Vec<PathBuf>, Option<Scratch>)> {
    if c.processes == 0 {
        anyhow::bail!("--processes must be at least 1");
    }
    let config = ClusterConfig {
        addresses: addresses(c)?,
        process: c.process,
        workers: c.workers,
        connect_timeout: Duration::from_secs(c.connect_timeout),
        stall_timeout: Duration::from_secs(c.stall_timeout.max(1)),
    };
    let scratch = Scratch::new(&c.events, c.process)?;
    let mut stores = c.store.clone();
    stores.extend(scratch.as_ref().map(|s| s.store.clone()));
    if stores.is_empty() {
        stores.push(db.to_path_buf());
    }
    Ok((config, stores, scratch))
}

/// Runs `measure` on the cluster with this process's part; process 0 gets the gathered rows.
fn run_job(
    c: &ClusterArgs,
    db: &Path,
    params: &renown_app::Params,
    measure: Measure,
    scope: &super::ScopeArgs,
    top: usize,
) -> anyhow::Result<renown_cluster::Outcome> {
    let (config, stores, _scratch) = config_and_stores(c, db)?;
    let job = Job {
        measure,
        as_of: scope.as_of,
        topic: scope.topic.clone(),
        platform: scope.platform.clone(),
        top,
        stores,
        earned: params.measures.earned.clone(),
        pagerank_damping: params.measures.pagerank_damping,
        pagerank_cap: None,
        load_chunk: renown_cluster::rank::LOAD_CHUNK,
    };
    let started = std::time::Instant::now();
    let outcome = renown_cluster::run(&config, &job)
        .with_context(|| format!("cluster process {}", c.process))?;
    let (records, bytes): (u64, u64) = outcome
        .traffic
        .iter()
        .flat_map(|t| &t.rounds)
        .fold((0, 0), |a, r| (a.0 + r.0, a.1 + r.1));
    // Per round, summed over this process's workers; the median round of a PageRank run is
    // one iteration's traffic.
    let rounds = outcome
        .traffic
        .iter()
        .map(|t| t.rounds.len())
        .max()
        .unwrap_or(0);
    let mut per_round: Vec<(u64, u64)> = (0..rounds)
        .map(|r| {
            outcome
                .traffic
                .iter()
                .filter_map(|t| t.rounds.get(r))
                .fold((0, 0), |a, x| (a.0 + x.0, a.1 + x.1))
        })
        .collect();
    per_round.sort_unstable_by_key(|r| r.1);
    let median = per_round
        .get(per_round.len() / 2)
        .copied()
        .unwrap_or((0, 0));
    eprintln!(
        "process {} of {}: {} in {} rounds, {:.2} s; sent {records} records (one per destination worker per round), {bytes} payload bytes to other processes (median round: {} records, {} bytes)",
        c.process,
        c.processes,
        measure.name(),
        outcome.rounds,
        started.elapsed().as_secs_f64(),
        median.0,
        median.1
    );
    Ok(outcome)
}

/// The cluster measure `renown rank --by NAME` / `renown compare --by NAME` names.
fn measure_named(name: &str) -> anyhow::Result<Measure> {
    ALL_MEASURES
        .iter()
        .copied()
        .find(|m| m.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = ALL_MEASURES.iter().map(|m| m.name()).collect();
            anyhow::anyhow!(
                "{name}: not a measure the cluster computes (it computes {})",
                names.join(", ")
            )
        })
}

const ALL_MEASURES: [Measure; 5] = [
    Measure::Followers,
    Measure::Engagement,
    Measure::PageRank,
    Measure::EngagementPageRank,
    Measure::Earned,
];

fn compare(args: CompareArgs, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    let names: Vec<String> = if args.by.is_empty() {
        ALL_MEASURES.iter().map(|m| m.name().to_string()).collect()
    } else {
        args.by.iter().map(|n| n.trim().to_string()).collect()
    };
    // The single machine's checks (two measures at least, top percents in (0, 100]), before
    // any process connects.
    let query = renown_app::CompareQuery {
        measures: names.clone(),
        top_percent: args.top_percent.clone(),
        per: renown_app::Per::Account,
    };
    let specs = renown_app::compare::measures_of(&query)?;
    let measures: Vec<Measure> = names
        .iter()
        .map(|n| measure_named(n))
        .collect::<anyhow::Result<_>>()?;
    // Every measure gathered whole on process 0, by account key.
    let mut gathered: Vec<HashMap<u64, f64>> = Vec::new();
    let mut keys: Vec<u64> = Vec::new();
    // The scope's warnings once, then each measure's own, as `renown compare` lists them.
    let mut warnings: Vec<renown_measures::Warning> = Vec::new();
    for &m in &measures {
        let outcome = run_job(&args.cluster, db, &params, m, &args.scope, 0)?;
        if let Some(board) = outcome.gathered {
            for w in &board.warnings {
                if !warnings.contains(w) {
                    warnings.push(w.clone());
                }
            }
            if keys.is_empty() {
                keys = board.rows.iter().map(|r| r.account.key).collect();
                keys.sort_unstable();
            }
            gathered.push(
                board
                    .rows
                    .iter()
                    .map(|r| (r.account.key, r.score))
                    .collect(),
            );
        }
    }
    if args.cluster.process != 0 {
        return Ok(Outcome::Clean);
    }
    // Ties up to rounding settled as `renown compare`'s scores are (renown_measures::ties).
    let scores: Vec<Vec<f64>> = gathered
        .iter()
        .map(|by_key| {
            let mut s: Vec<f64> = keys
                .iter()
                .map(|k| by_key.get(k).copied().unwrap_or(0.0))
                .collect();
            renown_measures::settle_ties(&mut s);
            s
        })
        .collect();
    let names: Vec<&'static str> = specs.iter().map(|s| s.name).collect();
    let mut table = renown_measures::compare::compare_scores(&names, &scores, &args.top_percent);
    table.warnings = warnings;
    let comparison = renown_app::compare::Comparison {
        table,
        scope: args.scope.scope(),
        per: renown_app::Per::Account,
        linked: None,
        parameters: params.echoed((), &names).parameters,
    };
    super::compare::write(&comparison, args.format)?;
    Ok(Outcome::Clean)
}

fn measure_of(by: ClusterMeasure, graph: super::graph::GraphKind) -> Measure {
    match by {
        ClusterMeasure::Followers => Measure::Followers,
        ClusterMeasure::Engagement => Measure::Engagement,
        ClusterMeasure::Pagerank => match graph {
            super::graph::GraphKind::Engagement => Measure::EngagementPageRank,
            _ => Measure::PageRank,
        },
        ClusterMeasure::Earned => Measure::Earned,
    }
}

fn rank(args: RankArgs, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    let measure = measure_of(args.by, args.graph);
    let outcome = run_job(&args.cluster, db, &params, measure, &args.scope, args.top)?;
    let Some(board) = outcome.gathered else {
        return Ok(Outcome::Clean);
    };
    crate::output::warn(&board.warnings);
    let board = Board {
        measure,
        scope: args.scope.scope(),
        board: &board,
        top: args.top,
        echo: params.echo(measure.name()),
        cluster: json!({
            "processes": args.cluster.processes,
            "workers": args.cluster.workers,
            "iterations": board.iterations,
            "delta": board.delta,
            "rounds": outcome.rounds,
        }),
    };
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, &board.document())?;
        out.write_all(b"\n")?;
        return Ok(Outcome::Clean);
    }
    // Parameters set in a file are echoed above the table, as `renown rank` does.
    if let Some(p) = board.echo.as_ref().filter(|p| p.source.is_some()) {
        if args.format == OutputFormat::Table {
            writeln!(out, "{}", p.header_line())?;
        }
    }
    board.table().write(args.format, &mut out)?;
    Ok(Outcome::Clean)
}

/// A gathered ranking as `renown cluster rank` prints it.
struct Board<'a> {
    measure: Measure,
    scope: renown_app::Scope,
    board: &'a renown_cluster::Gathered,
    top: usize,
    echo: Option<renown_app::config::Echo>,
    /// The run's `cluster` block.
    cluster: serde_json::Value,
}

impl Board<'_> {
    fn rows(&self) -> Vec<serde_json::Value> {
        self.board
            .rows
            .iter()
            .map(|r| {
                let a = &r.account;
                json!({
                    "id": a.key,
                    "account": a.handle.clone().unwrap_or_else(|| format!("{}:{}", a.platform, a.native_id)),
                    "platform": a.platform,
                    "native_id": a.native_id,
                    "handle": a.handle,
                    "rank": r.rank,
                    "score": score(r.score, self.measure.counts()),
                    "followers": score(r.followers, true),
                })
            })
            .collect()
    }

    /// `renown rank --format json`'s document, with the run's `cluster` block.
    fn document(&self) -> serde_json::Value {
        let total = self.board.total;
        json!({
            "measure": self.measure.name(),
            "scope": self.scope,
            "total": total,
            "limit": if self.top == 0 { total as usize } else { self.top },
            "offset": 0,
            "warnings": self.board.warnings,
            "parameters": self.echo,
            "rows": self.rows(),
            "cluster": self.cluster,
        })
    }

    fn table(&self) -> Table {
        let with_followers = self.measure != Measure::Followers;
        let mut table = Table::new(if with_followers {
            &["rank", "account", "platform", "score", "followers"]
        } else {
            &["rank", "account", "platform", "score"]
        });
        for r in &self.rows() {
            let mut row = vec![
                r["rank"].clone(),
                r["account"].clone(),
                r["platform"].clone(),
                r["score"].clone(),
            ];
            if with_followers {
                row.push(r["followers"].clone());
            }
            table.push(row);
        }
        table
    }
}

fn update(args: UpdateArgs, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    if args.format == OutputFormat::Parquet {
        anyhow::bail!("cluster update prints a ranking per batch: --format table, csv or json");
    }
    let measure = measure_of(args.by, super::graph::GraphKind::default());
    let (config, stores, _scratch) = config_and_stores(&args.cluster, db)?;
    let cuts = match args.every {
        Some(period) => renown_cluster::incremental::Cuts::Every(period),
        None => renown_cluster::incremental::Cuts::Times(args.at.clone()),
    };
    let mut plan = renown_cluster::incremental::Plan::new(stores, cuts, vec![measure]);
    plan.until = args.scope.as_of;
    plan.platform = args.scope.platform.clone();
    plan.top = args.top;
    plan.damping = params.measures.pagerank_damping;
    plan.earned = params.measures.earned.clone();
    // Each batch printed as soon as process 0 has it (on its first worker's thread).
    let failed: Arc<Mutex<Option<std::io::Error>>> = Arc::new(Mutex::new(None));
    let write_failed = Arc::clone(&failed);
    let echo = params.echo(measure.name());
    let (format, top, platform) = (args.format, args.top, args.scope.platform.clone());
    let (processes, workers) = (args.cluster.processes, args.cluster.workers);
    if let Some(p) = echo.as_ref().filter(|p| p.source.is_some()) {
        if format == OutputFormat::Table && args.cluster.process == 0 {
            println!("{}", p.header_line());
        }
    }
    plan.sink = Some(Arc::new(move |u: renown_cluster::incremental::Update| {
        let Some(board) = u.board(measure) else {
            return;
        };
        let board = Board {
            measure,
            scope: renown_app::Scope::new(u.as_of, None, platform.clone()),
            board,
            top,
            echo: echo.clone(),
            cluster: json!({
                "processes": processes,
                "workers": workers,
                "iterations": board.iterations,
                "delta": board.delta,
                "batch": u.batch,
                "appended": u.events,
                "seconds": u.seconds,
            }),
        };
        let mut out = std::io::stdout().lock();
        let written = if format == OutputFormat::Json {
            serde_json::to_writer(&mut out, &board.document())
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
        } else {
            let date = u.as_of.map_or_else(
                || "every event".to_string(),
                |t| format!("as of {}", renown_model::format_time(t)),
            );
            writeln!(
                out,
                "# batch {}: {date}, {} events appended, {:.2} s",
                u.batch, u.events, u.seconds
            )
            .and_then(|()| board.table().write(format, &mut out))
        };
        if let Err(e) = written.and_then(|()| out.flush()) {
            write_failed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e);
        }
    }));
    let started = std::time::Instant::now();
    renown_cluster::incremental::run(&config, &plan)
        .with_context(|| format!("cluster process {}", args.cluster.process))?;
    if let Some(e) = failed.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(anyhow::Error::from(e).context("writing the rankings"));
    }
    eprintln!(
        "process {} of {}: {} updated batch by batch in {:.2} s",
        args.cluster.process,
        args.cluster.processes,
        measure.name(),
        started.elapsed().as_secs_f64()
    );
    Ok(Outcome::Clean)
}

/// A scratch store holding `--events` files, removed when dropped.
struct Scratch {
    dir: PathBuf,
    store: PathBuf,
}

impl Scratch {
    fn new(files: &[PathBuf], process: u32) -> anyhow::Result<Option<Scratch>> {
        if files.is_empty() {
            return Ok(None);
        }
        let dir =
            std::env::temp_dir().join(format!("renown-cluster-{}-{process}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("{}: cannot create the scratch folder", dir.display()))?;
        let scratch = Scratch {
            store: dir.join("events.db"),
            dir,
        };
        let mut store = renown_store::Store::open(&scratch.store)?;
        for file in files {
            let report = renown_ingest::ingest_path(
                &mut store,
                file,
                &renown_ingest::IngestOptions::default(),
                &mut |_, _, _| {},
            )?;
            if let Some(e) = report.error {
                anyhow::bail!("--events {e}");
            }
            if report.rejected > 0 {
                eprintln!(
                    "  warning: {}: {} records rejected",
                    renown_model::escape_controls(&file.display().to_string()),
                    report.rejected
                );
            }
        }
        Ok(Some(scratch))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A count as an integer, as `renown rank` prints it.
fn score(value: f64, counts: bool) -> serde_json::Value {
    if counts && value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}
