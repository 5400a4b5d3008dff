use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_measures::{competition_ranks, measure, ranking, Scope, ScopeFacts, MEASURES};
use serde_json::json;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown rank --top 20
  renown rank --by followers --as-of 2025-06-30
  renown rank --by engagement --topic rust --format csv > engagement.csv
  renown rank --by reshares --format json | jq '.rows[0]'
  renown rank --by pagerank --graph engagement --as-of 2012-07-04
  renown rank --trust --seeds trusted.txt";

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
    /// The score as it was at the end of this date (YYYY-MM-DD) or at this instant (RFC 3339).
    #[arg(long, value_parser = super::parse_as_of)]
    pub as_of: Option<i64>,
    /// Only engagement on items carrying this hashtag/tag/category.
    #[arg(long)]
    pub topic: Option<String>,
    /// Only events on this platform.
    #[arg(long)]
    pub platform: Option<String>,
    /// The graph `--by pagerank` runs on: follows, or engagement weighted by kind.
    #[arg(long, value_enum, default_value_t)]
    pub graph: super::graph::GraphKind,
    /// With `--by earned`: discount accounts SybilRank does not trust (docs/AUDIT.md).
    #[arg(long)]
    pub trust: bool,
    /// Trust seeds for --trust, one account per line; default: the top 20 by earned influence.
    #[arg(long, requires = "trust")]
    pub seeds: Option<std::path::PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

fn measure_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        MEASURES
            .iter()
            .map(|m| clap::builder::PossibleValue::new(m.name).help(m.describe)),
    )
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    let scope = Scope {
        as_of: args.as_of,
        topic: args.topic.clone(),
        platform: args.platform.clone(),
    };
    let spec = match (args.by.as_str(), args.graph) {
        ("pagerank", super::graph::GraphKind::Engagement) => measure("engagement-pagerank")?,
        _ => measure(&args.by)?,
    };
    let facts = ScopeFacts::read(&store, &scope)?;
    let scores = match (args.trust, spec.name) {
        (false, _) => (spec.compute)(&store, &scope)?,
        (true, "earned") => super::trust::earned_with_trust(&store, &scope, args.seeds.as_deref())?,
        (true, other) => anyhow::bail!("--trust applies to --by earned, not {other}"),
    };
    let followers = if spec.name == "followers" {
        None
    } else {
        Some(renown_measures::counts::followers(&store, &scope)?)
    };
    let mut warnings = facts.warnings();
    warnings.extend(facts.measure_warnings(spec, &scores));
    crate::output::warn(&warnings);
    let accounts = store.accounts()?;
    let order = ranking(&scores);
    let ranks = competition_ranks(&order);
    let n = if args.top == 0 {
        order.len()
    } else {
        args.top.min(order.len())
    };
    let mut table = Table::new(if followers.is_some() {
        &["rank", "account", "platform", "score", "followers"]
    } else {
        &["rank", "account", "platform", "score"]
    });
    for ((id, score), rank) in order.iter().zip(ranks).take(n) {
        let a = &accounts[*id as usize];
        let mut row = vec![
            json!(rank),
            json!(a.label()),
            json!(a.platform),
            crate::output::score(*score, spec.counts),
        ];
        if let Some(f) = &followers {
            row.push(json!(f[*id as usize] as i64));
        }
        table.push(row);
    }
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Json {
        let report = json!({
            "measure": spec.name,
            "accounts": order.len(),
            "warnings": warnings,
            "rows": table.json_rows(),
        });
        serde_json::to_writer_pretty(&mut out, &report)?;
        std::io::Write::write_all(&mut out, b"\n")?;
    } else {
        table.write(args.format, &mut out)?;
    }
    Ok(Outcome::Clean)
}
