use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_audit::trust::{default_seeds, read_seeds, trust, trust_weights, SocialGraph};
use renown_measures::earned::{model, EarnedParams};
use renown_measures::{ranking, Scope, Scores};
use serde_json::json;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown trust --top 20
  renown trust --bottom --top 50 --format csv > least-trusted.csv
  renown trust --seeds trusted.txt --graph all

SybilRank (Cao et al. 2012): trust starts on seed accounts and spreads over the undirected social
graph for log2(n) steps, each account sharing its trust equally among its neighbours; accounts
are ranked by trust per connection. Fake accounts, which real people rarely connect back to, end
at the bottom. Seeds come from --seeds FILE (one account per line, # comments) or default to the
accounts with the most earned influence. --graph mutual (default) keeps only reciprocated
relationships (both follow or engage with each other), which an attacker cannot create alone;
--graph all keeps every follow and engagement. Accounts with no edge get trust 0.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphArg {
    Mutual,
    All,
}

/// Rank accounts by sybil-resistant trust (SybilRank) propagated from seed accounts.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Seed accounts, one per line; default: the top --seed-count accounts by earned influence.
    #[arg(long)]
    pub seeds: Option<PathBuf>,
    /// How many default seeds.
    #[arg(long, default_value_t = 20)]
    pub seed_count: usize,
    #[arg(long, value_enum, default_value_t = GraphArg::Mutual)]
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

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    let scope = Scope {
        as_of: args.as_of,
        topic: None,
        platform: args.platform.clone(),
    };
    let seeds = match &args.seeds {
        Some(p) => read_seeds(&store, p)?,
        None => default_seeds(&store, &scope, args.seed_count.max(1))?,
    };
    if seeds.is_empty() {
        anyhow::bail!("no seeds: no account has earned influence yet; pass --seeds FILE");
    }
    let kind = match args.graph {
        GraphArg::Mutual => SocialGraph::Mutual,
        GraphArg::All => SocialGraph::All,
    };
    let scores = trust(&store, &scope, &seeds, kind)?;
    let accounts = store.accounts()?;
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
    let mut t = Table::new(&["rank", "account", "trust", "seed"]);
    for (i, (id, s)) in order.iter().take(n).enumerate() {
        t.push(vec![
            json!(i + 1),
            json!(accounts[*id as usize].label()),
            json!(s),
            json!(seeds.contains(id)),
        ]);
    }
    t.write(args.format, &mut std::io::stdout().lock())?;
    Ok(Outcome::Clean)
}

/// Earned influence with SybilRank's discount, for `rank --trust`: each account passes on only
/// `min(1, trust / median trust)` of its base vote and endorsements (docs/AUDIT.md). The graph is
/// every follow and engagement (`--graph all`): the discount must reach accounts that no one
/// answers back, which the mutual graph does not see.
pub fn earned_with_trust(
    store: &renown_store::Store,
    scope: &Scope,
    seeds: Option<&Path>,
) -> anyhow::Result<Scores> {
    let seeds = match seeds {
        Some(p) => read_seeds(store, p)?,
        None => default_seeds(store, scope, 20)?,
    };
    if seeds.is_empty() {
        anyhow::bail!("no seeds: no account has earned influence yet; pass --seeds FILE");
    }
    let params = EarnedParams {
        trust: Some(trust_weights(store, scope, &seeds, SocialGraph::All)?),
        ..EarnedParams::default()
    };
    Ok(model(store, scope, &params)?.score)
}
