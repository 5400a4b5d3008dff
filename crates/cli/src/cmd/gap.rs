use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::gap::GapRow;
use renown_app::{Direct, GapQuery};
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown offline offline.csv && renown gap
  renown gap --measure revenue --top 20
  renown gap --format json | jq '.big_offline_not_earned'

Persons are accounts linked by `renown link` (each other account alone); earned influence is
computed over persons. The gap is log10(earned / expected), the expected earned of a person of
that offline size read off a Theil-Sen line of log10 earned on log10 offline through every
person with the figure (docs/PERSONS.md). -1: a tenth of what persons that big offline earn.
With no offline figures, or fewer than three persons with one, the gap is undefined.";

/// Each person's offline size against their earned influence: who is big offline and has not
/// earned online, and who earned online without offline weight.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The offline measure (a column of the offline file) [default: the one most persons have].
    #[arg(long)]
    pub measure: Option<String>,
    /// Persons listed each way (0 = all that qualify).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    /// `table` prints both lists; `csv` every person with the figure; `json` everything.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    let gap = renown_app::gap(
        &Direct::with_params(&store, params),
        &args.scope.scope(),
        &GapQuery {
            offline_measure: args.measure.clone(),
            limit: (args.top > 0).then_some(args.top),
        },
    )?;
    crate::output::warn(&gap.warnings);
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &gap)?;
            writeln!(out)?;
        }
        OutputFormat::Csv | OutputFormat::Parquet => {
            table(&gap.rows).write(args.format, &mut out)?
        }
        OutputFormat::Table => {
            let measure = gap.offline_measure.as_deref().unwrap_or("(none)");
            writeln!(
                out,
                "{} of {} persons have {measure}{}",
                gap.persons,
                gap.persons_ranked,
                if gap.offline_is_rank {
                    " (a rank: 1 = biggest)"
                } else {
                    ""
                }
            )?;
            match (&gap.fit, &gap.undefined) {
                (Some(line), _) => writeln!(
                    out,
                    "Theil-Sen line: log10 earned = {:.3} + {:.3} x log10 {measure}{}; gap listed beyond +-{:.3} (residual scale {:.3})",
                    line.intercept,
                    line.slope,
                    if gap.offline_is_rank { " (negated)" } else { "" },
                    gap.cut.unwrap_or(0.0),
                    gap.residual_scale.unwrap_or(0.0)
                )?,
                (None, Some(why)) => writeln!(out, "translation gap: undefined ({why})")?,
                (None, None) => {}
            }
            if gap.fit.is_some() {
                writeln!(out, "\nBig offline, not earned online:")?;
                table(&gap.big_offline_not_earned).write(OutputFormat::Table, &mut out)?;
                writeln!(out, "\nEarned online without offline weight:")?;
                table(&gap.earned_without_offline_weight).write(OutputFormat::Table, &mut out)?;
            } else if !gap.rows.is_empty() {
                writeln!(out)?;
                table(&gap.rows).write(OutputFormat::Table, &mut out)?;
            }
        }
    }
    Ok(Outcome::Clean)
}

fn table(rows: &[GapRow]) -> Table {
    let mut t = Table::new(&[
        "person",
        "offline",
        "offline_rank",
        "earned",
        "earned_rank",
        "expected_earned",
        "gap",
    ]);
    for r in rows {
        t.push(vec![
            json!(r.person.label),
            json!(r.offline),
            json!(r.offline_rank),
            json!(r.earned),
            json!(r.earned_rank),
            r.expected_earned.map_or(json!("undefined"), |v| json!(v)),
            r.gap.map_or(json!("undefined"), |v| json!(v)),
        ]);
    }
    t
}
