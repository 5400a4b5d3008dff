use crate::Outcome;
use anyhow::Context;
use renown_store::offline::OfflineRow;
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
    let (rows, skipped) = read_rows(&args.file)?;
    if !db.exists() {
        anyhow::bail!(
            "no store at {} — ingest the accounts' data first",
            db.display()
        );
    }
    for column in &skipped {
        eprintln!(
            "{}:1: column {column:?} holds no number; left out",
            args.file.display()
        );
    }
    let mut store = renown_store::Store::open(db)?;
    let report = store.set_offline(&rows.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>())?;
    for (i, reason) in &report.unknown {
        eprintln!("{}:{}: {reason}", args.file.display(), rows[*i].0);
    }
    let mut measures: Vec<&str> = rows.iter().map(|(_, r)| r.measure.as_str()).collect();
    measures.sort_unstable();
    measures.dedup();
    println!(
        "stored {} offline figures ({} measures: {}); {} named no one or held no number",
        report.stored,
        measures.len(),
        measures.join(", "),
        report.unknown.len()
    );
    Ok(if report.unknown.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Partial
    })
}

/// Figures with the line each came from.
type Lined = Vec<(u64, OfflineRow)>;

/// The figures with their line numbers, and the columns left out for holding no number.
fn read_rows(path: &Path) -> anyhow::Result<(Lined, Vec<String>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{}: no header", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.len() < 2 {
        anyhow::bail!(
            "{}:1: the header needs a person/account column and at least one measure",
            path.display()
        );
    }
    let mut records = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        records.push((
            line,
            rec.with_context(|| format!("{}:{line}", path.display()))?,
        ));
    }
    let number = |s: &str| s.replace('_', "").parse::<f64>().ok();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for (c, measure) in headers.iter().enumerate().skip(1) {
        let cells = || {
            records
                .iter()
                .map(|(l, r)| (*l, r.get(0).unwrap_or(""), r.get(c).unwrap_or("")))
        };
        if !cells().any(|(_, _, v)| number(v).is_some()) {
            skipped.push(measure.clone());
            continue;
        }
        for (line, subject, cell) in cells() {
            if cell.is_empty() {
                continue;
            }
            // A cell that is no number is passed on as NaN: the store reports it by line.
            rows.push((
                line,
                OfflineRow {
                    subject: subject.to_string(),
                    measure: measure.clone(),
                    value: number(cell).unwrap_or(f64::NAN),
                },
            ));
        }
    }
    Ok((rows, skipped))
}
