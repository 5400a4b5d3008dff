use crate::Outcome;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown offline offline.csv
  renown gap

The file is CSV with a header: the first column names whom a row is about — a person linked
by `renown link` (their name), or an account (platform:id, native id or @handle) — and every
other column is one offline measure: revenue, headcount, brand_rank, press_mentions,
pageviews, ... One number per cell; an empty cell is no figure. A column with no number at all
(a job title, a URL) is reported and left out. A measure whose name contains `rank` is a rank
(1 = biggest). Figures replace earlier ones of the same person (or account) and measure:
  person,revenue,press_mentions,brand_rank
  Dana Ruiz,1200000,14,
  mastodon:@ngo@social.example,,3,12
Exit code: 0 every figure stored, 3 some rows named no one or held no number.";

/// Store offline figures (revenue, pageviews, ...) of persons or accounts, for `renown gap`.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// CSV file: a person/account column, then one column per offline measure.
    pub file: PathBuf,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let file = renown_app::offline::read_offline(&args.file)?;
    if !db.exists() {
        anyhow::bail!(
            "no store at {} — ingest the accounts' data first",
            db.display()
        );
    }
    for column in &file.skipped_columns {
        eprintln!(
            "{}:1: column {column:?} holds no number; left out",
            args.file.display()
        );
    }
    let mut store = renown_store::Store::open(db)?;
    let report = renown_app::offline::store_offline(&mut store, &file)?;
    for r in &report.refused {
        eprintln!("{}:{}: {}", args.file.display(), r.line, r.reason);
    }
    println!(
        "stored {} offline figures ({} measures: {}); {} named no one or held no number",
        report.stored,
        report.measures.len(),
        report.measures.join(", "),
        report.refused.len()
    );
    Ok(if report.refused.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Partial
    })
}
