use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_audit::trust::{
    default_seeds, read_seeds, social_graph, trust, trust_weights, SeedChoice, SocialGraph,
};
use renown_graph::Csr;
use renown_measures::earned::{model, EarnedParams};
use renown_measures::{competition_ranks, ranking, Scope, Scores};
use renown_store::Store;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown trust --top 20
  renown trust --bottom --top 50 --format csv > least-trusted.csv
  renown trust --seeds trusted.txt --graph mutual

SybilRank (Cao et al. 2012): trust starts on seed accounts and spreads over the undirected social
graph for log2(n) steps, each account sharing its trust equally among its neighbours; accounts
are ranked by trust per connection. Fake accounts, which real people rarely connect back to, end
at the bottom. Seeds come from --seeds FILE (one account per line, # comments) or, by default,
are spread over the graph's communities (label propagation): in each community its best
candidates by earned influence (by degree when no account has earned any, as on follow-only
data), never an account the follower audit flags (suspicious followers, and accounts whose
audience is mostly suspicious), at most the community's fair share of --seed-count (default: one
per 50 connected accounts, 10 to 100). The table output lists the seeds first. --graph all
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
    /// How many default seeds (default: one per 50 connected accounts, 10 to 100).
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
    /// As of the end of this date (YYYY-MM-DD) or instant (RFC 3339).
    #[arg(long, value_parser = super::parse_as_of)]
    pub as_of: Option<i64>,
    /// Only events on this platform.
    #[arg(long)]
    pub platform: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// The seeds from `--seeds FILE`, or the default ones with how they were chosen.
fn seeds_for(
    store: &Store,
    scope: &Scope,
    g: &Csr,
    file: Option<&Path>,
    count: Option<usize>,
) -> anyhow::Result<(Vec<u32>, Option<SeedChoice>)> {
    let (seeds, choice) = match file {
        Some(p) => (read_seeds(store, p)?, None),
        None => {
            let c = default_seeds(store, scope, g, count)?;
            (c.seeds.clone(), Some(c))
        }
    };
    if seeds.is_empty() {
        anyhow::bail!(
            "no seeds: the social graph has no account with a connection that the audit does not flag; pass --seeds FILE"
        );
    }
    Ok((seeds, choice))
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    super::warn_scope(&store, args.as_of, None, args.platform.as_deref())?;
    let scope = Scope {
        as_of: args.as_of,
        topic: None,
        platform: args.platform.clone(),
    };
    let kind = match args.graph {
        GraphArg::Mutual => SocialGraph::Mutual,
        GraphArg::All => SocialGraph::All,
    };
    let g = social_graph(&store, &scope, kind)?;
    let (seeds, choice) = seeds_for(
        &store,
        &scope,
        &g,
        args.seeds.as_deref(),
        args.seed_count.map(|c| c as usize),
    )?;
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

/// Earned influence with SybilRank's discount, for `rank --trust`: each account passes on only
/// `min(1, trust / median trust)` of its base vote and endorsements (docs/AUDIT.md). The graph is
/// every follow and engagement (`--graph all`, the default): the discount must reach accounts
/// that no one answers back, which the mutual graph does not see.
pub fn earned_with_trust(
    store: &renown_store::Store,
    scope: &Scope,
    seeds: Option<&Path>,
) -> anyhow::Result<Scores> {
    let g = social_graph(store, scope, SocialGraph::All)?;
    let (seeds, _) = seeds_for(store, scope, &g, seeds, None)?;
    let params = EarnedParams {
        trust: Some(trust_weights(store, scope, &g, &seeds)?),
        ..EarnedParams::default()
    };
    Ok(model(store, scope, &params)?.score)
}
