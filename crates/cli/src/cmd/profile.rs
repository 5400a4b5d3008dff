use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::Direct;
use renown_measures::profile::{Flows, InfluenceProfile};
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown profile @ada_writes
  renown profile demo:c1 --limit 20 --topic rust
  renown profile twitter:12345 --format json | jq '.topics.listed'

ACCOUNT is platform:id, a native id, or a handle. Influencer of: the accounts that endorse it,
with the earned influence each passes to it (shares of its score). Influenced by: the accounts it
endorses, with the influence it passes to each. By topic: its earned influence split over the
topics of the engagement that earned it (standing follows carry none). An account nobody endorses
in the scope earned nothing to split: its shares are undefined (null in JSON), not 0 %. `csv`
lists both sides' accounts, one row per flow.";

/// Whom an account influences and is influenced by, and its earned influence by topic.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The account (platform:id, native id or @handle).
    pub account: String,
    /// Accounts listed by name on each side (the rest are summed); topics list at least 12.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    /// `table` prints a report; `json` the full structure (= GET /api/accounts/{id}/profile);
    /// `csv` the flows.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    let id = store.find_account(&args.account)?;
    let scope = args.scope.scope();
    super::warn_scope(&store, &scope)?;
    let answer = renown_app::profile(&Direct::with_params(&store, params), &scope, id, args.limit)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &answer)?;
            writeln!(out)?;
        }
        OutputFormat::Csv | OutputFormat::Parquet => {
            flows_table(&answer.profile).write(args.format, &mut out)?
        }
        OutputFormat::Table => report(&answer.profile, &mut out)?,
    }
    Ok(Outcome::Clean)
}

/// Both sides' listed flows, one row each.
fn flows_table(p: &InfluenceProfile) -> Table {
    let mut t = Table::new(&["direction", "account", "contribution", "share"]);
    for (direction, flows) in [
        ("influencer_of", &p.influencer_of),
        ("influenced_by", &p.influenced_by),
    ] {
        for f in &flows.listed {
            t.push(vec![
                json!(direction),
                json!(f.account),
                json!(f.contribution),
                json!(f.share),
            ]);
        }
    }
    t
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn side(title: &str, flows: &Flows, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "\n{title} ({} accounts, {:.4} in all):",
        flows.accounts, flows.total
    )?;
    let mut t = Table::new(&["account", "contribution", "share"]);
    for f in &flows.listed {
        t.push(vec![
            json!(f.account),
            json!(f.contribution),
            json!(pct(f.share)),
        ]);
    }
    t.write(OutputFormat::Table, out)?;
    if flows.accounts > flows.listed.len() {
        writeln!(
            out,
            "... and {} more ({})",
            flows.accounts - flows.listed.len(),
            pct(flows.other_share)
        )?;
    }
    Ok(())
}

fn report(p: &InfluenceProfile, out: &mut dyn Write) -> anyhow::Result<()> {
    let account = renown_model::escape_controls(&p.account);
    match p.top_endorsers_share {
        Some(top) => writeln!(
            out,
            "{account}: earned influence {:.4} from {} endorsers; the top {} give {}",
            p.score,
            p.endorsers,
            p.top_endorsers,
            pct(top)
        )?,
        None => writeln!(
            out,
            "{account}: earned influence {:.4} from {} endorsers: nothing earned in this scope, \
             so no share to split",
            p.score, p.endorsers
        )?,
    }
    side("Influencer of (its endorsers)", &p.influencer_of, out)?;
    side("Influenced by (whom it endorses)", &p.influenced_by, out)?;
    let topics = &p.topics;
    let (Some(untagged), Some(follows)) = (topics.untagged_share, topics.follow_share) else {
        writeln!(out, "\nBy topic: undefined (no earned influence to split)")?;
        return Ok(());
    };
    writeln!(
        out,
        "\nBy topic ({} topics; untagged engagement {}, standing follows {}):",
        topics.topics,
        pct(untagged),
        pct(follows)
    )?;
    let mut t = Table::new(&["topic", "contribution", "share", "actions"]);
    for part in &topics.listed {
        t.push(vec![
            json!(part.topic),
            json!(part.contribution),
            json!(pct(part.share)),
            json!(part.actions),
        ]);
    }
    t.write(OutputFormat::Table, out)?;
    if topics.topics > topics.listed.len() {
        writeln!(
            out,
            "... and {} more topics ({})",
            topics.topics - topics.listed.len(),
            topics.other_share.map_or_else(|| "undefined".into(), pct)
        )?;
    }
    Ok(())
}
