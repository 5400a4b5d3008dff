use crate::output::{OutputFormat, Table};
use crate::Outcome;
use anyhow::{bail, Context};
use renown_app::seeds::{seeds, SeedsQuery};
use renown_spread::im::report::{self, allowed_mask, seeds_on_graph, Probabilities, SeedsReport};
use renown_spread::im::{ImOptions, Model};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown seeds --k 10                                  # who to engage, learned probabilities
  renown seeds --k 10 --compare                        # beside top-k by followers, PageRank, earned
  renown seeds --k 20 --model lt --epsilon 0.05 --as-of 2012-07-04
  renown seeds --k 50 --as-of 2012-07-03 --compare --holdout   # vs what happened after
  renown seeds --k 10 --probabilities constant:0.05 --exclude staff.txt --seeds-out seeds.txt
  renown seeds --input graph.el --probabilities weighted-cascade --k 50 --threads 1 --format json

Influence maximization (Kempe, Kleinberg & Tardos 2003): the k accounts which, if they took a
message up, would carry it furthest under the independent cascade (ic) or linear threshold (lt)
model. OPIM-C (Tang et al. 2018) over reverse-reachable sets guarantees a seed set within
1 − 1/e − ε of the best possible with probability ≥ 1 − δ (δ = 1/n by default); each seed comes
with its marginal gain, the set with its expected spread and a martingale interval.

Probabilities: `learned` (default) — the share of an account's items each follower/engager took
up (reshare, quote, reply, comment; Goyal, Bonchi & Lakshmanan 2010, Bernoulli; `learned:jaccard`
for the Jaccard variant), shrunk toward the graph-wide rate for pairs with little history; the
graph is follows ∪ take-ups as of --as-of (the engagement graph where follows are missing).
`weighted-cascade`: 1/in-degree. `constant:P`. --exclude/--candidates name accounts one per line
(handle or platform:id; ids with --input).";

/// Who to engage: a near-optimal seed set for spreading a message.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// How many seeds.
    #[arg(long)]
    pub k: usize,
    /// Diffusion model.
    #[arg(long, default_value = "ic")]
    pub model: Model,
    /// Approximation slack: the set is (1 − 1/e − ε)-optimal.
    #[arg(long, default_value_t = report::DEFAULT_EPSILON)]
    pub epsilon: f64,
    /// Failure probability of the guarantee [default: 1/n].
    #[arg(long)]
    pub delta: Option<f64>,
    /// learned | learned:jaccard | weighted-cascade | constant:P
    #[arg(long, default_value = "learned")]
    pub probabilities: Probabilities,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    /// Accounts that may not be seeds (one per line).
    #[arg(long)]
    pub exclude: Option<PathBuf>,
    /// Seeds only from these accounts (one per line).
    #[arg(long)]
    pub candidates: Option<PathBuf>,
    /// Also simulate top-k by followers, PageRank and earned influence under the same model.
    #[arg(long)]
    pub compare: bool,
    /// With --compare and --as-of: also count what each set's accounts actually reached after
    /// the date (an out-of-sample check of the learned model).
    #[arg(long, requires_all = ["compare", "as_of"])]
    pub holdout: bool,
    /// Monte Carlo runs per strategy for --compare.
    #[arg(long, default_value_t = report::DEFAULT_SIMS)]
    pub sims: u64,
    /// Write the chosen seeds here, one per line (input for `renown simulate --seeds`).
    #[arg(long)]
    pub seeds_out: Option<PathBuf>,
    /// Run on an edge-list file (`src dst` per line, ids 0..n-1) instead of the store.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Random seed.
    #[arg(long, default_value_t = report::DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Non-empty, non-comment lines of an account list.
pub fn read_list(path: &Path) -> anyhow::Result<Vec<(usize, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect())
}

/// Resolves an account list against the store (or as node ids below `n` for an edge list).
pub fn resolve_list(
    path: &Path,
    store: Option<&renown_store::Store>,
    n: u32,
) -> anyhow::Result<Vec<u32>> {
    read_list(path)?
        .into_iter()
        .map(|(line, name)| {
            let found = match store {
                Some(s) => s.find_account(&name).ok(),
                None => name.parse::<u32>().ok().filter(|&v| v < n),
            };
            found.with_context(|| format!("{}:{line}: no account {name:?}", path.display()))
        })
        .collect()
}

/// The diffusion graph of an edge-list file with weighted-cascade or constant probabilities.
pub fn edge_list_graph(
    path: &Path,
    probabilities: &Probabilities,
) -> anyhow::Result<renown_spread::im::DiffusionGraph> {
    if matches!(probabilities, Probabilities::Learned(_)) {
        bail!("--input takes weighted-cascade or constant:P probabilities (learned ones come from a store)");
    }
    let el = renown_graph::read_edge_list(path, None)?;
    Ok(probabilities.apply(el.n, &el.src, &el.dst)?)
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    super::set_threads(args.threads)?;
    let report = match &args.input {
        Some(path) => {
            if args.compare {
                bail!("--compare needs a store (followers, PageRank and earned come from it)");
            }
            let mut g = edge_list_graph(path, &args.probabilities)?;
            if args.model == Model::Lt {
                g.normalize_for_lt();
            }
            let list = |p: &Option<PathBuf>| -> anyhow::Result<Option<Vec<u32>>> {
                p.as_deref()
                    .map(|p| resolve_list(p, None, g.n()))
                    .transpose()
            };
            let candidates = list(&args.candidates)?;
            let exclude = list(&args.exclude)?.unwrap_or_default();
            let opts = ImOptions {
                k: args.k,
                model: args.model,
                epsilon: args.epsilon,
                delta: args.delta,
                allowed: allowed_mask(g.n(), candidates.as_deref(), &exclude),
                seed: args.seed,
            };
            // An edge list: no measure is computed, no parameters to echo.
            renown_app::Params::default().echoed(
                seeds_on_graph(&g, &opts, &args.probabilities, &|v| v.to_string())?,
                &[],
            )
        }
        None => {
            let store = super::open_existing(db)?;
            let scope = args.scope.scope();
            super::warn_scope(&store, &scope)?;
            let n = store.account_count()?;
            let list = |p: &Option<PathBuf>| -> anyhow::Result<Option<Vec<u32>>> {
                p.as_deref()
                    .map(|p| resolve_list(p, Some(&store), n))
                    .transpose()
            };
            let candidates = list(&args.candidates)?;
            let exclude = list(&args.exclude)?.unwrap_or_default();
            seeds(
                &store,
                &scope,
                &SeedsQuery {
                    k: args.k,
                    model: args.model,
                    probabilities: args.probabilities,
                    epsilon: args.epsilon,
                    delta: args.delta,
                    exclude,
                    candidates,
                    compare_sims: if args.compare { args.sims } else { 0 },
                    holdout: args.holdout,
                    seed: args.seed,
                },
                &params,
            )?
        }
    };
    if let Some(path) = &args.seeds_out {
        let text: String = report
            .seeds
            .iter()
            .map(|s| format!("{}\n", s.account))
            .collect();
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.format == OutputFormat::Table {
        // Parameters set in a file are echoed above the comparison (JSON always carries them).
        let mut out = std::io::stdout().lock();
        for (measure, p) in report.parameters.iter().filter(|(_, p)| p.source.is_some()) {
            writeln!(out, "{measure}: {}", p.header_line())?;
        }
    }
    render(&report, args.format)?;
    Ok(Outcome::Clean)
}

fn render(
    r: &renown_app::config::WithParameters<SeedsReport>,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, r)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut seeds = Table::new(&["order", "account", "marginal_gain"]);
    for s in &r.seeds {
        seeds.push(vec![
            json!(s.order),
            json!(s.account),
            json!(s.marginal_gain),
        ]);
    }
    let mut compared = Table::new(&[
        "strategy", "spread", "low_95", "high_95", "accounts", "note",
    ]);
    for c in &r.comparison {
        compared.push(vec![
            json!(c.strategy),
            json!(c.spread.mean),
            json!(c.spread.low),
            json!(c.spread.high),
            json!(c.accounts.join(" ")),
            json!(c.note),
        ]);
    }
    if matches!(format, OutputFormat::Csv | OutputFormat::Parquet) {
        // One table per CSV (or Parquet) file: the comparison when asked for, else the seeds.
        let t = if r.comparison.is_empty() {
            &seeds
        } else {
            &compared
        };
        t.write(format, &mut out)?;
        return Ok(());
    }
    seeds.write(format, &mut out)?;
    if !r.comparison.is_empty() {
        writeln!(out)?;
        compared.write(format, &mut out)?;
    }
    let s = &r.selection;
    eprintln!(
        "{} model, {} probabilities, {} accounts, {} edges: expected spread {:.1} (interval {:.1}–{:.1} with probability ≥ 1 − {:.2e}); {}; {} RR sets ({:.1} MB) in {:.2} s",
        r.model.name(),
        r.probabilities,
        r.nodes,
        r.edges,
        s.spread,
        s.spread_low,
        s.spread_high,
        s.delta,
        if s.certified {
            format!(
                "certified ≥ {:.3} of the optimum (asked 1 − 1/e − ε = {:.3})",
                s.ratio,
                1.0 - 1.0 / std::f64::consts::E - s.epsilon
            )
        } else {
            format!(
                "guaranteed by the worst-case sample size (the data-dependent bound showed {:.3})",
                s.ratio
            )
        },
        s.rr_sets,
        s.rr_bytes as f64 / 1e6,
        r.seconds
    );
    Ok(())
}
