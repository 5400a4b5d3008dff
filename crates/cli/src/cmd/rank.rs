use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::{leaderboard, Direct, LeaderboardQuery, Params, TrustSeeds};
use renown_measures::MEASURES;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown rank --top 20
  renown rank --by followers --as-of 2025-06-30
  renown rank --by engagement --topic rust --format csv > engagement.csv
  renown rank --by reshares --format json | jq '.rows[0]'
  renown rank --by pagerank --graph engagement --as-of 2012-07-04
  renown rank --trust --seeds trusted.txt
  renown rank --per person          # accounts linked by `renown link` count as one person";

/// Rank accounts by a measure. Equal scores share a rank (1, 2, 2, 4); a measure or scope that
/// says nothing (every score equal, no event in scope) is reported on stderr and in JSON.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The measure (see --help for the list).
    #[arg(long, default_value = MEASURES[0].name, value_parser = measure_names())]
    pub by: String,
    /// How many accounts to show (0 = all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    /// The graph `--by pagerank` runs on: follows, or engagement weighted by kind.
    #[arg(long, value_enum, default_value_t)]
    pub graph: super::graph::GraphKind,
    /// With `--by earned`: discount accounts SybilRank does not trust (docs/AUDIT.md).
    #[arg(long)]
    pub trust: bool,
    /// Trust seeds for --trust, one account per line; default: spread over the graph's
    /// communities, never an account the follower audit flags (docs/AUDIT.md).
    #[arg(long, requires = "trust")]
    pub seeds: Option<std::path::PathBuf>,
    /// Rank persons (accounts linked by `renown link`, each other account alone) instead of
    /// accounts: a person's engagers count once across platforms, their own accounts'
    /// endorsements of each other count zero (docs/PERSONS.md).
    #[arg(long, value_enum, default_value_t)]
    pub per: PerArg,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// `--per account|person`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PerArg {
    #[default]
    Account,
    Person,
}

impl From<PerArg> for renown_app::Per {
    fn from(p: PerArg) -> renown_app::Per {
        match p {
            PerArg::Account => renown_app::Per::Account,
            PerArg::Person => renown_app::Per::Person,
        }
    }
}

pub(super) fn measure_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        MEASURES
            .iter()
            .map(|m| clap::builder::PossibleValue::new(m.name).help(m.describe)),
    )
}

pub fn run(args: Args, db: &Path, params: Params) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    let name = match (args.by.as_str(), args.graph) {
        ("pagerank", super::graph::GraphKind::Engagement) => "engagement-pagerank",
        (other, _) => other,
    };
    if args.trust && name != "earned" {
        anyhow::bail!("--trust applies to --by earned, not {name}");
    }
    if args.per == PerArg::Person {
        if args.trust {
            anyhow::bail!("--trust is per account; it does not combine with --per person yet");
        }
        return persons(&args, name, &store, params);
    }
    let query = LeaderboardQuery {
        measure: name.to_string(),
        limit: (args.top > 0).then_some(args.top),
        offset: 0,
        trust: args.trust.then(|| {
            args.seeds
                .clone()
                .map_or(TrustSeeds::Default, TrustSeeds::File)
        }),
    };
    let board = leaderboard(
        &Direct::with_params(&store, params),
        &args.scope.scope(),
        &query,
    )?;
    crate::output::warn(&board.warnings);
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, &board)?;
        std::io::Write::write_all(&mut out, b"\n")?;
        return Ok(Outcome::Clean);
    }
    // Parameters set in a file are echoed above the table (JSON always carries them).
    if let Some(p) = board.parameters.as_ref().filter(|p| p.source.is_some()) {
        if args.format == OutputFormat::Table {
            writeln!(out, "{}", p.header_line())?;
        }
    }
    // The followers column beside the followers measure would repeat the score.
    let with_followers = board.measure != "followers";
    let mut table = Table::new(if with_followers {
        &["rank", "account", "platform", "score", "followers"]
    } else {
        &["rank", "account", "platform", "score"]
    });
    for r in &board.rows {
        let mut row = vec![
            json!(r.rank),
            json!(r.account.account),
            json!(r.account.platform),
            json!(r.score),
        ];
        if with_followers {
            row.push(json!(r.followers));
        }
        table.push(row);
    }
    table.write(args.format, &mut out)?;
    Ok(Outcome::Clean)
}

fn persons(
    args: &Args,
    name: &str,
    store: &renown_app::Store,
    params: Params,
) -> anyhow::Result<Outcome> {
    let board = renown_app::person_leaderboard(
        &Direct::with_params(store, params),
        &args.scope.scope(),
        name,
        (args.top > 0).then_some(args.top),
        0,
    )?;
    crate::output::warn(&board.warnings);
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, &board)?;
        std::io::Write::write_all(&mut out, b"\n")?;
        return Ok(Outcome::Clean);
    }
    if let Some(p) = board.parameters.as_ref().filter(|p| p.source.is_some()) {
        if args.format == OutputFormat::Table {
            writeln!(out, "{}", p.header_line())?;
        }
    }
    let with_followers = board.measure != "followers";
    let mut header = vec!["rank", "person", "accounts", "score"];
    if with_followers {
        header.push("followers");
    }
    let mut table = Table::new(&header);
    for r in &board.rows {
        let accounts: Vec<String> = r
            .person
            .accounts
            .iter()
            .map(|a| a.account.clone())
            .collect();
        let mut row = vec![
            json!(r.rank),
            json!(r.person.label),
            json!(accounts.join(" ")),
            json!(r.score),
        ];
        if with_followers {
            row.push(json!(r.followers));
        }
        table.push(row);
    }
    table.write(args.format, &mut out)?;
    if args.format == OutputFormat::Table && board.linked == 0 {
        writeln!(
            out,
            "(no accounts are linked: every person is one account; see `renown link --help`)"
        )?;
    }
    Ok(Outcome::Clean)
}
