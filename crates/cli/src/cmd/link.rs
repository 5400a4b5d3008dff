use crate::output::{OutputFormat, Table};
use crate::Outcome;
use anyhow::Context;
use renown_store::links::LinkRow;
use serde_json::json;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown link people.csv
  renown link --suggest
  renown link --suggest --format csv > suggested.csv
  renown link --list

The file is CSV with a header: person,platform,handle. `handle` is the account's handle
(@name, name@server for Mastodon) or its native id:
  person,platform,handle
  Dana Ruiz,twitter,@danaruiz
  Dana Ruiz,mastodon,@dana@indieweb.social
  Dana Ruiz,bluesky,did:plc:abc123

Linked accounts stay separate accounts; `renown rank --per person` and `renown explain
--per person` measure persons (docs/PERSONS.md). Links found in
exports are only listed by --suggest, each pair scored (rel=me both ways 0.95, a profile URL
naming a blog in the store 0.7 or another profile 0.6, the same handle on two platforms 0.35,
combined as independent evidence; priors, not calibrated): confirm them by adding rows to a
link file. Rows naming accounts not in the store are reported.
Exit code: 0 all rows linked, 3 some rows named no account.";

/// Declare accounts on different platforms to be one person, or list suggested links.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// CSV file of person,platform,handle rows.
    #[arg(required_unless_present_any = ["suggest", "list"])]
    pub file: Option<PathBuf>,
    /// List links that exports suggest (never applied automatically).
    #[arg(long, conflicts_with = "file")]
    pub suggest: bool,
    /// List the persons already linked.
    #[arg(long, conflicts_with_all = ["file", "suggest"])]
    pub list: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    if args.suggest || args.list {
        let store = super::open_existing(db)?;
        let accounts = store.accounts()?;
        let label = |d: u32| {
            accounts
                .get(d as usize)
                .map(|a| {
                    format!(
                        "{}:{}",
                        a.platform,
                        a.handle.clone().unwrap_or_else(|| a.native_id.clone())
                    )
                })
                .unwrap_or_default()
        };
        let table = if args.list {
            let mut t = Table::new(&["person", "accounts"]);
            for (person, ids) in store.persons()? {
                let names: Vec<String> = ids.iter().map(|&d| label(d)).collect();
                t.push(vec![json!(person), json!(names.join(" "))]);
            }
            t
        } else {
            // Scored pairs; nothing is linked until the analyst confirms them in a file.
            let mut t = Table::new(&["confidence", "account", "other", "linked", "reasons"]);
            for s in renown_app::suggest::suggest_links(&renown_app::Direct::new(&store))? {
                t.push(vec![
                    json!((s.confidence * 1000.0).round() / 1000.0),
                    json!(label(s.account.id)),
                    json!(label(s.other.id)),
                    json!(s.linked),
                    json!(s.reasons.join("; ")),
                ]);
            }
            t
        };
        if table.rows.is_empty() && args.format == OutputFormat::Table {
            eprintln!(
                "{}",
                if args.list {
                    "no persons linked yet (renown link FILE)"
                } else {
                    "no suggested links: ingest exports with profile links (a Mastodon backup's actor.json)"
                }
            );
        }
        table.write(args.format, &mut out)?;
        return Ok(Outcome::Clean);
    }
    let file = args
        .file
        .expect("clap requires FILE without --suggest/--list");
    let rows = read_rows(&file)?;
    if !db.exists() {
        anyhow::bail!(
            "no store at {} — ingest the accounts' data first",
            db.display()
        );
    }
    let mut store = renown_store::Store::open(db)?;
    let report = store.link_accounts(&rows.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>())?;
    for (i, reason) in &report.unknown {
        eprintln!("{}:{}: {reason}", file.display(), rows[*i].0);
    }
    println!(
        "linked {} accounts into {} persons{}; {} rows named no account",
        report.linked,
        store.persons()?.len(),
        if report.moved > 0 {
            format!(" ({} moved from another person)", report.moved)
        } else {
            String::new()
        },
        report.unknown.len()
    );
    Ok(if report.unknown.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Partial
    })
}

/// The rows with their line numbers; a malformed file is an error naming the line.
fn read_rows(path: &Path) -> anyhow::Result<Vec<(u64, LinkRow)>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{}: no header", path.display()))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).with_context(|| {
            format!(
                "{}:1: the header needs person,platform,handle",
                path.display()
            )
        })
    };
    let (p, pl, h) = (col("person")?, col("platform")?, col("handle")?);
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.with_context(|| format!("{}:{line}", path.display()))?;
        let get = |c: usize| rec.get(c).unwrap_or("").to_string();
        let row = LinkRow {
            person: get(p),
            platform: get(pl),
            handle: get(h),
        };
        if row.platform.is_empty() || row.handle.is_empty() {
            anyhow::bail!(
                "{}:{line}: platform and handle are required",
                path.display()
            );
        }
        rows.push((line, row));
    }
    Ok(rows)
}
