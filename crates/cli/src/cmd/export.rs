use crate::Outcome;
use renown_ingest::schema::{SchemaRow, CSV_HEADER};
use renown_model::{AccountRef, Event};
use renown_store::EventFilter;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown export events.jsonl
  renown export --format csv events.csv
  renown export --format parquet events.parquet
  renown export - | head          # JSON Lines on stdout

The files use renown's own event schema, so `renown ingest` reads them back unchanged, and
pandas (read_json(lines=True) / read_csv / read_parquet), polars and DuckDB read them directly.
The Parquet file has typed columns (a UTC timestamp, a list of topics) and each account's dense
id (actor_account, target_account), the node id of `renown graph export`.";

/// Write every event in the store as JSON Lines or CSV.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Output file, or `-` for stdout.
    pub output: PathBuf,
    /// Write CSV instead of JSON Lines (the same as --format csv).
    #[arg(long, conflicts_with = "format")]
    pub as_csv: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: EventsFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventsFormat {
    /// JSON Lines in renown's event schema (`renown ingest` reads it back).
    #[default]
    Jsonl,
    /// CSV in renown's event schema.
    Csv,
    /// Apache Parquet, typed columns.
    Parquet,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    if args.format == EventsFormat::Parquet {
        return super::export_parquet::run(&args.output, db);
    }
    let as_csv = args.as_csv || args.format == EventsFormat::Csv;
    let store = super::open_existing(db)?;
    let accounts = store.accounts()?;
    let out: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(&args.output)?)
    };
    enum Writer {
        Csv(Box<csv::Writer<std::io::BufWriter<Box<dyn Write>>>>),
        Json(std::io::BufWriter<Box<dyn Write>>),
    }
    let out = std::io::BufWriter::new(out);
    let mut writer = if as_csv {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(CSV_HEADER).map_err(crate::output::csv_io)?;
        Writer::Csv(Box::new(w))
    } else {
        Writer::Json(out)
    };
    let mut failure: Option<std::io::Error> = None;
    let account = |id: u32| {
        let a = &accounts[id as usize];
        (
            a.platform.clone(),
            AccountRef::with_handle(a.native_id.clone(), a.handle.clone()),
        )
    };
    store.scan_events_full(&EventFilter::default(), |r| {
        if failure.is_some() {
            return;
        }
        let (platform, actor) = account(r.row.actor);
        let mut e = Event::new(platform, r.row.kind, actor);
        e.time = r.row.time;
        e.target = r.row.target.map(|t| account(t).1);
        e.item = r.item;
        e.parent = r.parent;
        e.topics = r.topics;
        let res = match &mut writer {
            Writer::Csv(w) => w
                .write_record(SchemaRow::from_event(&e, true).csv_cells())
                .map_err(crate::output::csv_io),
            Writer::Json(w) => serde_json::to_writer(&mut *w, &SchemaRow::from_event(&e, false))
                .map_err(std::io::Error::from)
                .and_then(|_| w.write_all(b"\n")),
        };
        if let Err(e) = res {
            failure = Some(e);
        }
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    match writer {
        Writer::Csv(mut w) => w.flush()?,
        Writer::Json(mut w) => w.flush()?,
    }
    Ok(Outcome::Clean)
}
