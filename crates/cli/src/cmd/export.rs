use crate::Outcome;
use renown_ingest::schema::{SchemaRow, CSV_HEADER};
use renown_model::{AccountRef, Event};
use renown_store::{AccountInfo, EventFilter, FullEventRow};
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
        /// JSON Lines are built in `buffer` and written a mebibyte at a time: rows go straight
        /// into it (a line buffer copied into a `BufWriter` cost a quarter of the export).
        Json {
            out: Box<dyn Write>,
            buffer: Vec<u8>,
        },
    }
    const CHUNK: usize = 1 << 20;
    let mut writer = if as_csv {
        // Fewer, larger writes: the default 8 KiB buffer made one system call per ~50 rows.
        let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(CHUNK, out));
        w.write_record(CSV_HEADER).map_err(crate::output::csv_io)?;
        Writer::Csv(Box::new(w))
    } else {
        Writer::Json {
            out,
            buffer: Vec::with_capacity(CHUNK + (64 << 10)),
        }
    };
    let mut failure: Option<std::io::Error> = None;
    let account = |id: u32| {
        let a = &accounts[id as usize];
        (
            a.platform.clone(),
            AccountRef::with_handle(a.native_id.clone(), a.handle.clone()),
        )
    };
    // JSON Lines: each account's fields escaped once, each row written into one buffer.
    let json = (!as_csv).then(|| JsonRows::new(&accounts));
    store.scan_events_full(&EventFilter::default(), |r| {
        if failure.is_some() {
            return;
        }
        let res = match (&mut writer, &json) {
            (Writer::Json { out, buffer }, Some(json)) => {
                json.row(&r, buffer);
                if buffer.len() >= CHUNK {
                    let written = out.write_all(buffer);
                    buffer.clear();
                    written
                } else {
                    Ok(())
                }
            }
            (Writer::Csv(w), _) => {
                let (platform, actor) = account(r.row.actor);
                let mut e = Event::new(platform, r.row.kind, actor);
                e.time = r.row.time;
                e.target = r.row.target.map(|t| account(t).1);
                e.item = r.item;
                e.parent = r.parent;
                e.topics = r.topics;
                w.write_record(SchemaRow::from_event(&e, true).csv_cells())
                    .map_err(crate::output::csv_io)
            }
            (Writer::Json { .. }, None) => {
                unreachable!("JSON rows are prepared for JSON output")
            }
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
        Writer::Json { mut out, buffer } => {
            out.write_all(&buffer)?;
            out.flush()?
        }
    }
    Ok(Outcome::Clean)
}

/// The JSON Lines form of events, byte for byte what serde writes for [`SchemaRow`] (same
/// keys, order and escaping), without building a row per event: an account's
/// `"actor":…,"actor_handle":…` and `"target":…` parts are escaped once up front.
struct JsonRows {
    /// Per account: `"platform":"…",`.
    platform: Pieces,
    /// Per account: `"actor":"…"` and `,"actor_handle":"…"` when it has one.
    actor: Pieces,
    /// Per account: `,"target":"…"` and `,"target_handle":"…"` when it has one.
    target: Pieces,
}

/// Byte strings, one per account, in one allocation (a box each was a million allocations on
/// Higgs).
#[derive(Default)]
struct Pieces {
    bytes: Vec<u8>,
    /// `ends[i]` is where piece `i` ends (and piece `i + 1` begins).
    ends: Vec<usize>,
}

impl Pieces {
    fn push(&mut self, piece: &[u8]) {
        self.bytes.extend_from_slice(piece);
        self.ends.push(self.bytes.len());
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// Appends `s` as a JSON string (quotes included), escaped as serde_json escapes it.
fn json_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing to memory cannot fail");
}

impl JsonRows {
    fn new(accounts: &[AccountInfo]) -> JsonRows {
        let mut rows = JsonRows {
            platform: Pieces::default(),
            actor: Pieces::default(),
            target: Pieces::default(),
        };
        let mut b = Vec::new();
        for a in accounts {
            b.clear();
            b.extend_from_slice(b"\"platform\":");
            json_str(&mut b, &a.platform);
            b.push(b',');
            rows.platform.push(&b);
            for (key, list) in [("actor", &mut rows.actor), ("target", &mut rows.target)] {
                b.clear();
                if key == "target" {
                    b.push(b',');
                }
                b.push(b'"');
                b.extend_from_slice(key.as_bytes());
                b.extend_from_slice(b"\":");
                json_str(&mut b, &a.native_id);
                if let Some(h) = &a.handle {
                    b.extend_from_slice(b",\"");
                    b.extend_from_slice(key.as_bytes());
                    b.extend_from_slice(b"_handle\":");
                    json_str(&mut b, h);
                }
                list.push(&b);
            }
        }
        rows
    }

    /// Appends one event's line, newline included.
    fn row(&self, r: &FullEventRow, out: &mut Vec<u8>) {
        out.push(b'{');
        if let Some(t) = r.row.time {
            out.extend_from_slice(b"\"time\":\"");
            renown_model::write_time(t, out);
            out.extend_from_slice(b"\",");
        }
        let actor = r.row.actor as usize;
        out.extend_from_slice(self.platform.get(actor));
        out.extend_from_slice(b"\"kind\":\"");
        out.extend_from_slice(r.row.kind.name().as_bytes());
        out.extend_from_slice(b"\",");
        out.extend_from_slice(self.actor.get(actor));
        if let Some(t) = r.row.target {
            out.extend_from_slice(self.target.get(t as usize));
        }
        for (key, value) in [(&b",\"item\":"[..], &r.item), (b",\"parent\":", &r.parent)] {
            if let Some(v) = value {
                out.extend_from_slice(key);
                json_str(out, v);
            }
        }
        if !r.topics.is_empty() {
            out.extend_from_slice(b",\"topics\":[");
            for (k, t) in r.topics.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                json_str(out, t);
            }
            out.push(b']');
        }
        out.extend_from_slice(b"}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use renown_model::Kind;
    use renown_store::EventRow;

    /// The prepared writer gives serde's bytes for every shape of row: handles or none,
    /// target or none, item, parent, topics, no time, and text that needs escaping.
    #[test]
    fn json_rows_equal_serde_rows() {
        let acct = |platform: &str, id: &str, handle: Option<&str>| AccountInfo {
            dense: 0,
            platform: platform.into(),
            native_id: id.into(),
            handle: handle.map(Into::into),
        };
        let accounts = vec![
            acct("higgs", "1", None),
            acct("twitter", "42", Some("some\"one\\ é\u{1}")),
            acct("mastodon", "https://x.y/@a\n", Some("a")),
        ];
        let rows = JsonRows::new(&accounts);
        let mut cases = Vec::new();
        for (time, target, item, parent, topics) in [
            (Some(1_341_100_972), None, None, None, vec![]),
            (None, Some(1u32), None, None, vec![]),
            (
                Some(631_152_000),
                Some(2),
                Some("i\"1"),
                Some("p\t2"),
                vec!["t1", "é|\u{7f}"],
            ),
            (Some(4_102_444_800), Some(0), None, Some("p"), vec!["only"]),
        ] {
            for actor in 0..3u32 {
                for kind in [Kind::Follow, Kind::Reshare, Kind::Like] {
                    cases.push(FullEventRow {
                        id: 1,
                        row: EventRow {
                            time,
                            kind,
                            actor,
                            target,
                        },
                        item: item.map(Into::into),
                        parent: parent.map(Into::into),
                        topics: topics.iter().map(|t: &&str| t.to_string()).collect(),
                    });
                }
            }
        }
        for r in &cases {
            let a = &accounts[r.row.actor as usize];
            let mut e = Event::new(
                a.platform.clone(),
                r.row.kind,
                AccountRef::with_handle(a.native_id.clone(), a.handle.clone()),
            );
            e.time = r.row.time;
            e.target = r.row.target.map(|t| {
                let b = &accounts[t as usize];
                AccountRef::with_handle(b.native_id.clone(), b.handle.clone())
            });
            e.item = r.item.clone();
            e.parent = r.parent.clone();
            e.topics = r.topics.clone();
            let mut want = serde_json::to_vec(&SchemaRow::from_event(&e, false)).unwrap();
            want.push(b'\n');
            let mut got = Vec::new();
            rows.row(r, &mut got);
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }
}
