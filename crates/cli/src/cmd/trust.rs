use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::TrustSeeds;
use renown_audit::trust::{social_graph, trust, SocialGraph};
use renown_measures::{competition_ranks, ranking};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown trust --top 20
  renown trust --bottom --top 50 --format csv > least-trusted.csv
  renown trust --seeds trusted.txt --graph mutual

SybilRank (Cao et al. 2012): trust starts on seed accounts (split in proportion to their
connections) and spreads over the undirected social graph for log2(n) steps, each account
sharing its trust equally among its neighbours; accounts are ranked by trust per connection.
Fake accounts, which real people rarely connect back to, end at the bottom. Seeds come from
--seeds FILE (one account per line, # comments) or, by default, are spread over the graph's
communities (Louvain): candidates are the best tenth of the accounts by earned influence (by
degree when no account has earned any, as on follow-only data), never an account the follower
audit flags (suspicious followers, and accounts whose audience is mostly suspicious); each
community takes its best candidates up to its fair share of --seed-count (default: one per 50
connected accounts, 20 to 100). The table output lists the seeds first. --graph all
(default) keeps every follow and engagement; --graph mutual keeps only reciprocated
relationships, which an attacker cannot create alone but which leaves every honest account
without a returned link at trust 0. Accounts with no edge get trust 0.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphArg {
    Mutual,
    All,
}

/// Rank accounts by sybil-resistant trust (SybilRank) propagated from seed accounts.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Seed accounts, one per line; default: spread over communities (see below).
    #[arg(long)]
    pub seeds: Option<PathBuf>,
    /// How many default seeds (default: one per 50 connected accounts, 20 to 100).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub seed_count: Option<u64>,
    #[arg(long, value_enum, default_value_t = GraphArg::All)]
    pub graph: GraphArg,
    /// How many accounts to show (0 = all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Show the least trusted accounts first (among those with any connection).
    #[arg(long)]
    pub bottom: bool,
    #[command(flatten)]
    pub scope: super::DatedArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    super::warn_scope(&store, &args.scope.scope())?;
    let scope = args.scope.scope().measures();
    let kind = match args.graph {
        GraphArg::Mutual => SocialGraph::Mutual,
        GraphArg::All => SocialGraph::All,
    };
    let g = social_graph(&store, &scope, kind)?;
    let from = match (&args.seeds, args.seed_count) {
        (Some(file), _) => TrustSeeds::File(file.clone()),
        (None, Some(count)) => TrustSeeds::Count(count as usize),
        (None, None) => TrustSeeds::Default,
    };
    let (seeds, choice) = renown_app::trust::seeds(&store, &args.scope.scope(), &g, &from)?;
    let scores = trust(&g, &seeds);
    let accounts = store.accounts()?;
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Table {
        let names: Vec<String> = seeds
            .iter()
            .map(|&s| renown_model::escape_controls(&accounts[s as usize].label()).into_owned())
            .collect();
        match &choice {
            Some(c) => writeln!(
                out,
                "{} seeds, the best by {} in each of {} communities ({} accounts the audit flags left out): {}\n",
                seeds.len(),
                c.ranked_by,
                c.communities,
                c.excluded,
                names.join(", ")
            )?,
            None => writeln!(out, "{} seeds from the file: {}\n", seeds.len(), names.join(", "))?,
        }
    }
    let mut order = ranking(&scores);
    if args.bottom {
        order.retain(|&(_, s)| s > 0.0);
        order.reverse();
    }
    let n = if args.top == 0 {
        order.len()
    } else {
        args.top.min(order.len())
    };
    let ranks = competition_ranks(&order);
    let mut t = Table::new(&["rank", "account", "trust", "seed"]);
    for ((id, s), rank) in order.iter().zip(ranks).take(n) {
        t.push(vec![
            json!(rank),
            json!(accounts[*id as usize].label()),
            json!(s),
            json!(seeds.binary_search(id).is_ok()),
        ]);
    }
    t.write(args.format, &mut out)?;
    Ok(Outcome::Clean)
}
