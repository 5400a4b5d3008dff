use crate::output::{thousands, OutputFormat, Table};
use crate::Outcome;
use renown_app::{compare, CompareQuery, Direct};
use renown_measures::compare::Correlation;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown compare
  renown compare --by earned,reshares,mentions,replies,pagerank
  renown compare --top-percent 10,1 --format csv > correlations.csv
  renown compare --as-of 2012-07-04 --format json | jq '.rows[0]'

For every pair of measures: Spearman's rho and Kendall's tau-b over all accounts, then over the
top accounts by each of the two measures (Cha et al. 2010, Table 3). A top set never cuts through
a tie: when the accounts at its boundary tie with accounts beyond it, the whole tie is left out
and the note says so. A blank correlation has its reason in the note.";

/// Rank correlations between measures (Spearman, Kendall) over all and top accounts.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Measures to compare, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub by: Vec<String>,
    /// Top sets, in percent of accounts, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [10.0, 1.0])]
    pub top_percent: Vec<f64>,
    /// Compare the measures over persons (accounts linked by `renown link`): every measure is
    /// computed on the log of persons, never summed over accounts (docs/PERSONS.md).
    #[arg(long, value_enum, default_value_t)]
    pub per: super::rank::PerArg,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    let query = CompareQuery {
        measures: args.by.clone(),
        top_percent: args.top_percent.clone(),
        per: args.per.into(),
    };
    // Checked before the store is opened: a wrong flag is a usage error whatever the store.
    renown_app::compare::measures_of(&query)?;
    let store = super::open_existing(db)?;
    let c = compare(
        &Direct::with_params(&store, params),
        &args.scope.scope(),
        &query,
    )?;
    write(&c, args.format)
}

/// Prints a comparison as `renown compare` does (warnings on stderr); `renown cluster compare`
/// prints its gathered comparison with it.
pub(crate) fn write(
    c: &renown_app::compare::Comparison,
    format: OutputFormat,
) -> anyhow::Result<Outcome> {
    crate::output::warn(&c.table.warnings);
    let mut out = std::io::stdout().lock();
    if format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, c)?;
        std::io::Write::write_all(&mut out, b"\n")?;
        return Ok(Outcome::Clean);
    }
    // Parameters set in a file are echoed above the table (JSON always carries them).
    if format == OutputFormat::Table {
        for (measure, p) in c.parameters.iter().filter(|(_, p)| p.source.is_some()) {
            writeln!(out, "{measure}: {}", p.header_line())?;
        }
    }
    let mut table = Table::new(&[
        "measure_a",
        "measure_b",
        "set",
        if c.per == renown_app::Per::Person {
            "persons"
        } else {
            "accounts"
        },
        "spearman",
        "kendall",
        "note",
    ]);
    for r in &c.table.rows {
        table.push(vec![
            json!(r.a),
            json!(r.b),
            json!(r.set),
            json!(r.n),
            json!(r.spearman),
            json!(r.kendall),
            json!(note(r)),
        ]);
    }
    table.write(format, &mut out)?;
    Ok(Outcome::Clean)
}

/// Why a cell is blank, and what a top set left out.
fn note(r: &Correlation) -> String {
    let mut parts = Vec::new();
    if let (Some(tie), Some(requested)) = (&r.excluded_tie, r.requested) {
        parts.push(format!(
            "{} of {} asked for: a tie of {} accounts at {} left out",
            thousands(r.n as i64),
            thousands(requested as i64),
            thousands(tie.accounts as i64),
            tie.score
        ));
    }
    if let Some(why) = &r.undefined {
        parts.push(why.to_string());
    }
    parts.join("; ")
}
