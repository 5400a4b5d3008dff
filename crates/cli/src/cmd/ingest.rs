use crate::output::thousands;
use crate::Outcome;
use renown_ingest::run::{Status, REJECTS_KEPT};
use renown_ingest::{
    detect, folder_files, format_by_name, ingest_input, ingest_path, open_input, Format,
    IngestOptions, Input, ReadOptions,
};
use renown_model::escape_controls;
use renown_model::Kind;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown ingest ../shared/data/higgs/higgs-activity_time.txt.gz
  renown ingest ../shared/data/slashdot/soc-Slashdot0902.txt.gz
  renown ingest --format snap --kind like --platform wiki votes.txt
  renown --db my.db ingest events.jsonl.zst exports/*.csv
  renown ingest --format jsonl exports/    (the files in the folder that are JSON Lines)
  renown --db a.db export - | renown --db b.db ingest -

Formats are detected from the content and name; --format forces one. A folder is read whole
by the readers of unpacked archives (Twitter, Mastodon, Twitter15); otherwise it stands for the
files in it that its reader recognises, and the others are named. `-` is standard input.
Bad records are counted, written to <db>.rejects.txt as `file:line: reason` (the first 1,000
of each run, then a count), and skipped; --strict stops at the first. A run in which every
record is rejected has failed: the file is not in that format. Ingesting the same file again
adds nothing.
Exit code: 0 clean, 3 partial (some records rejected, input damaged, or files of a folder
skipped), 1 failed.";

/// Read files into the store.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Files to ingest (plain, .gz or .zst), folders, or `-` for standard input.
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
    /// Keep only shard I of N (0 ≤ I < N): the events whose target account (the actor's when
    /// there is none) and the profiles whose account hash to I, for `renown cluster`
    /// (docs/SCALE.md); deletions go to every shard.
    #[arg(long, value_parser = renown_cluster::parse_shard, value_name = "I/N")]
    pub shard: Option<(u32, u32)>,
}

fn format_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(renown_ingest::format_names())
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
        keep: args.shard.map(|(shard, shards)| {
            renown_ingest::RecordFilter(std::sync::Arc::new(move |r: &renown_model::Record| {
                renown_cluster::keeps(r, shard, shards)
            }))
        }),
    };
    let forced = args.format.as_deref().and_then(format_by_name);
    let mut worst = Status::Clean;
    let mut reports = Vec::new();
    let mut folder_errors = Vec::new();
    'args: for file in &args.files {
        let (files, split) = match folder_to_split(file, forced) {
            None => (vec![file.clone()], false),
            Some(Ok(files)) => (files, true),
            Some(Err(e)) => {
                folder_errors.push(format!("{}: cannot list the folder: {e}", file.display()));
                worst = Status::Failed;
                continue;
            }
        };
        let mut skipped = Vec::new();
        let mut matched = 0usize;
        for path in &files {
            // A folder's files are read when their reader claims them; the rest are named.
            let input = match split.then(|| open_input(path)) {
                Some(Ok(input)) if !claims(forced, &input) => {
                    skipped.push(path.strip_prefix(file).unwrap_or(path).to_path_buf());
                    continue;
                }
                Some(Ok(input)) => Some(input),
                Some(Err(e)) => {
                    skipped.push(path.strip_prefix(file).unwrap_or(path).to_path_buf());
                    eprintln!(
                        "  warning: {}",
                        escape_controls(&format!("{}: cannot open: {e}", path.display()))
                    );
                    continue;
                }
                None => None,
            };
            matched += 1;
            let pb = super::progress_bar(
                std::fs::metadata(path).ok().map(|m| m.len()),
                &escape_controls(&path.file_name().unwrap_or_default().to_string_lossy()),
            );
            let mut progress = |bytes: u64, _size: Option<u64>, read: u64| {
                pb.set_position(bytes);
                pb.set_prefix(format!("{} records", thousands(read as i64)));
            };
            let report = match input {
                Some(input) => ingest_input(&mut store, input, &opts, &mut progress)?,
                None => ingest_path(&mut store, path, &opts, &mut progress)?,
            };
            pb.finish_and_clear();
            if !args.json {
                print_report(&report);
            }
            worst = worse(worst, report.status);
            reports.push(report);
            if worst == Status::Failed && args.strict {
                break 'args;
            }
        }
        if split {
            let what = forced.map_or("any format renown reads".to_string(), |f| {
                format!("{} data", f.name())
            });
            if matched == 0 {
                folder_errors.push(
                    escape_controls(&format!(
                        "{}: a folder with no file that looks like {what} ({} files looked at)",
                        file.display(),
                        files.len()
                    ))
                    .into_owned(),
                );
                worst = Status::Failed;
            } else if !skipped.is_empty() {
                // Input given and not read: the run is not clean.
                let names: Vec<String> = skipped
                    .iter()
                    .take(5)
                    .map(|p| p.display().to_string())
                    .collect();
                eprintln!(
                    "  skipped: {}",
                    escape_controls(&format!(
                        "{} of the {} files in {} do not look like {what}: {}{}",
                        skipped.len(),
                        files.len(),
                        file.display(),
                        names.join(", "),
                        if skipped.len() > names.len() {
                            ", …"
                        } else {
                            ""
                        }
                    ))
                );
                worst = worse(worst, Status::Partial);
            }
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
                .chain(folder_errors)
                .collect::<Vec<_>>()
                .join("; ");
            anyhow::bail!("{msg}")
        }
    }
}

fn worse(a: Status, b: Status) -> Status {
    match (a, b) {
        (_, Status::Failed) | (Status::Failed, _) => Status::Failed,
        (_, Status::Partial) | (Status::Partial, _) => Status::Partial,
        _ => Status::Clean,
    }
}

/// For a folder no reader takes whole, the files it stands for (`None`: read the path as is).
fn folder_to_split(
    path: &Path,
    forced: Option<&'static dyn Format>,
) -> Option<std::io::Result<Vec<PathBuf>>> {
    if !path.is_dir() {
        return None;
    }
    let whole = match forced {
        Some(format) => format.reads_folders(),
        None => open_input(path)
            .ok()
            .and_then(|input| detect(&input))
            .is_some(),
    };
    if whole {
        None
    } else {
        Some(folder_files(path))
    }
}

/// Whether a file of a folder is read: its forced reader, or any reader, recognises it.
fn claims(forced: Option<&'static dyn Format>, input: &Input) -> bool {
    match forced {
        Some(format) => format.sniff(input) > 0,
        None => detect(input).is_some(),
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
        escape_controls(&r.file),
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
            "  ... {} more rejects (the rejects file has the first {})",
            t(r.rejected - r.first_rejects.len() as u64),
            t(r.rejected.min(REJECTS_KEPT))
        );
    }
    if let Some(d) = &r.damage {
        eprintln!("  damaged: {d}");
    }
}
