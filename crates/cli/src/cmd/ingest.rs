use crate::output::thousands;
use crate::Outcome;
use renown_ingest::run::Status;
use renown_ingest::{ingest_path, IngestOptions, ReadOptions, FORMATS};
use renown_model::Kind;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown ingest ../shared/data/higgs/higgs-activity_time.txt.gz
  renown ingest ../shared/data/slashdot/soc-Slashdot0902.txt.gz
  renown ingest --format snap --kind like --platform wiki votes.txt
  renown --db my.db ingest events.jsonl.zst exports/*.csv

Formats are detected from the content and name; --format forces one.
Bad records are counted, written to <db>.rejects.txt as `file:line: reason`, and skipped;
--strict stops at the first. Ingesting the same file again adds nothing.
Exit code: 0 clean, 3 partial (some records rejected or input damaged), 1 failed.";

/// Read files into the store.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Files to ingest (plain, .gz or .zst).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Force the input format instead of detecting it.
    #[arg(long, value_parser = format_names())]
    pub format: Option<String>,
    /// Event kind for edge lists (default follow).
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// Platform namespace for the accounts (default: chosen by the reader).
    #[arg(long)]
    pub platform: Option<String>,
    /// Stop at the first bad record.
    #[arg(long)]
    pub strict: bool,
    /// Print the run reports as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

fn format_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(FORMATS.iter().map(|f| f.name()))
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

pub fn rejects_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".rejects.txt");
    db.with_file_name(name)
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let mut store = renown_store::Store::open(db)?;
    let opts = IngestOptions {
        format: args.format.clone(),
        read: ReadOptions {
            kind: args.kind,
            platform: args.platform.clone(),
        },
        strict: args.strict,
        rejects_path: Some(rejects_path(db)),
    };
    let mut worst = Status::Clean;
    let mut reports = Vec::new();
    for file in &args.files {
        let pb = super::progress_bar(
            std::fs::metadata(file).ok().map(|m| m.len()),
            &file.file_name().unwrap_or_default().to_string_lossy(),
        );
        let mut progress = |bytes: u64, _size: Option<u64>, read: u64| {
            pb.set_position(bytes);
            pb.set_prefix(format!("{} records", thousands(read as i64)));
        };
        let report = ingest_path(&mut store, file, &opts, &mut progress)?;
        pb.finish_and_clear();
        if !args.json {
            print_report(&report);
        }
        worst = match (worst, report.status) {
            (_, Status::Failed) | (Status::Failed, _) => Status::Failed,
            (_, Status::Partial) | (Status::Partial, _) => Status::Partial,
            _ => Status::Clean,
        };
        reports.push(report);
        if worst == Status::Failed && args.strict {
            break;
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    match worst {
        Status::Clean => Ok(Outcome::Clean),
        Status::Partial => Ok(Outcome::Partial),
        Status::Failed => {
            let msg = reports
                .iter()
                .filter_map(|r| r.error.clone())
                .collect::<Vec<_>>()
                .join("; ");
            anyhow::bail!("{msg}")
        }
    }
}

fn print_report(r: &renown_ingest::RunReport) {
    if r.status == Status::Failed && r.read == 0 && r.rejected == 0 {
        return; // nothing was read: the error at the end says why
    }
    let t = |n: u64| thousands(n as i64);
    let rate = if r.seconds > 0.0 {
        format!(
            " in {:.2}s ({}/s)",
            r.seconds,
            t((r.read as f64 / r.seconds) as u64)
        )
    } else {
        String::new()
    };
    let mut line = format!(
        "{} [{}]: read {}, added {}, duplicate {}, rejected {}",
        r.file,
        if r.format.is_empty() { "?" } else { &r.format },
        t(r.read),
        t(r.added),
        t(r.duplicate),
        t(r.rejected)
    );
    if r.profiles > 0 {
        line.push_str(&format!(", profiles {}", t(r.profiles)));
    }
    line.push_str(&rate);
    println!("{line}");
    if r.read > 0 && r.added == 0 && r.duplicate == r.read - r.profiles {
        println!("  already in the store: nothing new");
    }
    if r.repeated > 0 {
        println!(
            "  {} records repeat an earlier record of this file exactly; kept, as the source lists them separately",
            t(r.repeated)
        );
    }
    for w in r.warnings.iter().take(5) {
        eprintln!("  warning: {w}");
    }
    for rej in &r.first_rejects {
        eprintln!("  rejected: {rej}");
    }
    if r.rejected > r.first_rejects.len() as u64 {
        eprintln!(
            "  ... {} more rejects in the rejects file",
            t(r.rejected - r.first_rejects.len() as u64)
        );
    }
    if let Some(d) = &r.damage {
        eprintln!("  damaged: {d}");
    }
}
