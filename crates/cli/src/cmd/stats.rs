use crate::output::{thousands, OutputFormat, Table};
use crate::Outcome;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown stats
  renown --db higgs.db stats --format json";

/// Summarise the store: accounts, events by kind and platform, time span, ingest history.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    let s = renown_app::stats(&store)?;
    if args.format == OutputFormat::Parquet {
        anyhow::bail!("stats prints several small tables: use --format table, csv or json");
    }
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&s)?)?;
        return Ok(Outcome::Clean);
    }
    let t = |n: u64| thousands(n as i64);
    writeln!(out, "store       {}", db.display())?;
    writeln!(out, "accounts    {}", t(s.accounts))?;
    writeln!(
        out,
        "events      {} ({} without a time)",
        t(s.events),
        t(s.timeless)
    )?;
    if let (Some(a), Some(b)) = (&s.first_time, &s.last_time) {
        writeln!(out, "time span   {a} .. {b}")?;
    }
    writeln!(out, "topics      {}", t(s.topics))?;
    writeln!(
        out,
        "profiles    {} accounts carry profile attributes",
        t(s.profiles)
    )?;
    writeln!(
        out,
        "unresolved  {} responses whose target account is not in the data",
        t(s.unresolved)
    )?;
    writeln!(out)?;
    let mut kinds = Table::new(&["kind", "events"]);
    for (k, n) in &s.by_kind.0 {
        kinds.push(vec![json!(k), json!(n)]);
    }
    kinds.write(args.format, &mut out)?;
    writeln!(out)?;
    let mut platforms = Table::new(&["platform", "events"]);
    for (p, n) in &s.by_platform.0 {
        platforms.push(vec![json!(p), json!(n)]);
    }
    platforms.write(args.format, &mut out)?;
    writeln!(out)?;
    let mut runs = Table::new(&[
        "run",
        "file",
        "format",
        "status",
        "started",
        "read",
        "added",
        "duplicate",
        "rejected",
    ]);
    for r in &s.runs {
        runs.push(vec![
            json!(r.id),
            json!(r.file),
            json!(r.format),
            json!(r.status),
            json!(r.started),
            json!(r.read),
            json!(r.added),
            json!(r.duplicate),
            json!(r.rejected),
        ]);
    }
    runs.write(args.format, &mut out)?;
    Ok(Outcome::Clean)
}
