//! Events as a Parquet file (`renown export --format parquet`): the columns of the JSON Lines
//! and CSV exports, typed (a UTC timestamp, a list of topics), plus each account's dense id so
//! the rows join the graph exports' node ids. pandas, polars, DuckDB and Spark read it as is.
//!
//! Written with Parquet's low-level column writer (no Arrow): one row group per million events,
//! dictionary-encoded strings, zstd pages.

use crate::columns::{AccountColumns, EventColumns, StringColumn};
use crate::read::EventFilter;
use crate::{Store, StoreError};
use parquet::basic::{Compression, ZstdLevel};
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::io::Write;
use std::sync::Arc;

/// The file's schema, in Parquet's message syntax; the column order is the order
/// [`write_columns`] writes them.
pub const PARQUET_SCHEMA: &str = "
message renown_event {
  required int64 event_id;
  optional int64 time (TIMESTAMP(MILLIS, true));
  required binary platform (STRING);
  required binary kind (STRING);
  required int32 actor_account (INTEGER(32, false));
  required binary actor (STRING);
  optional binary actor_handle (STRING);
  optional int32 target_account (INTEGER(32, false));
  optional binary target (STRING);
  optional binary target_handle (STRING);
  optional binary item (STRING);
  optional binary parent (STRING);
  required group topics (LIST) {
    repeated group list {
      required binary element (STRING);
    }
  }
}";

/// Events per row group: big enough for fast scans, small enough that a reader can skip.
const ROW_GROUP: usize = 1 << 20;

/// Why a Parquet export failed.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The Parquet writer failed (usually the output: a full disk, a closed pipe).
    #[error("writing Parquet: {0}")]
    Write(#[from] parquet::errors::ParquetError),
}

/// What an export wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParquetSummary {
    /// Events written.
    pub events: u64,
    /// Row groups written (2^20 events each, the last one fewer).
    pub row_groups: u64,
}

impl Store {
    /// Writes the events passing `filter` to `out` as Parquet (see [`PARQUET_SCHEMA`]).
    pub fn write_parquet<W: Write + Send>(
        &self,
        filter: &EventFilter,
        out: W,
    ) -> Result<ParquetSummary, ParquetError> {
        let events = self.event_columns(filter)?;
        let accounts = self.account_columns()?;
        Ok(write_columns(&events, &accounts, out)?)
    }
}

/// Writes `events` (named through `accounts`) as Parquet.
pub fn write_columns<W: Write + Send>(
    events: &EventColumns,
    accounts: &AccountColumns,
    out: W,
) -> parquet::errors::Result<ParquetSummary> {
    let schema = Arc::new(parse_message_type(PARQUET_SCHEMA)?);
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1)?))
        .set_created_by(format!("renown {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = SerializedFileWriter::new(out, schema, Arc::new(props))?;
    let mut row_groups = 0;
    let mut start = 0;
    // An empty store still gets one (empty) row group, so readers see the schema's columns.
    while start < events.len() || row_groups == 0 {
        let end = (start + ROW_GROUP).min(events.len());
        let mut group = writer.next_row_group()?;
        let mut column = 0;
        while let Some(mut col) = group.next_column()? {
            write_column(column, events, accounts, start..end, &mut col)?;
            col.close()?;
            column += 1;
        }
        group.close()?;
        row_groups += 1;
        start = end;
    }
    writer.close()?;
    Ok(ParquetSummary {
        events: events.len() as u64,
        row_groups,
    })
}

fn bytes(s: &str) -> ByteArray {
    ByteArray::from(s.as_bytes().to_vec())
}

/// Values and definition levels of an optional column over `rows`.
fn optional<T>(
    rows: std::ops::Range<usize>,
    mut value: impl FnMut(usize) -> Option<T>,
) -> (Vec<T>, Vec<i16>) {
    let mut values = Vec::with_capacity(rows.len());
    let mut levels = Vec::with_capacity(rows.len());
    for i in rows {
        match value(i) {
            Some(v) => {
                values.push(v);
                levels.push(1);
            }
            None => levels.push(0),
        }
    }
    (values, levels)
}

fn write_column(
    column: usize,
    e: &EventColumns,
    a: &AccountColumns,
    rows: std::ops::Range<usize>,
    col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
) -> parquet::errors::Result<()> {
    let name = |c: &StringColumn, account: u32| c.get(account as usize).map(bytes);
    let strings = |c: &StringColumn| optional(rows.clone(), |i| c.get(i).map(bytes));
    let required_strings = |f: &dyn Fn(usize) -> ByteArray| rows.clone().map(f).collect::<Vec<_>>();
    let target = |i: usize| e.target_validity.is_valid(i).then(|| e.target[i]);
    match column {
        0 => {
            col.typed::<Int64Type>()
                .write_batch(&e.id[rows.clone()], None, None)?;
        }
        1 => {
            let (v, d) = optional(rows, |i| {
                e.time_validity
                    .is_valid(i)
                    .then(|| e.time[i].saturating_mul(1000))
            });
            col.typed::<Int64Type>().write_batch(&v, Some(&d), None)?;
        }
        2 => {
            let v = required_strings(&|i| name(&a.platform, e.actor[i]).unwrap_or_default());
            col.typed::<ByteArrayType>().write_batch(&v, None, None)?;
        }
        3 => {
            let v = required_strings(&|i| bytes(e.kind_of(i).name()));
            col.typed::<ByteArrayType>().write_batch(&v, None, None)?;
        }
        4 => {
            let v: Vec<i32> = e.actor[rows].iter().map(|&x| x as i32).collect();
            col.typed::<Int32Type>().write_batch(&v, None, None)?;
        }
        5 => {
            let v = required_strings(&|i| name(&a.native_id, e.actor[i]).unwrap_or_default());
            col.typed::<ByteArrayType>().write_batch(&v, None, None)?;
        }
        6 => {
            let (v, d) = optional(rows, |i| name(&a.handle, e.actor[i]));
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&d), None)?;
        }
        7 => {
            let (v, d) = optional(rows, |i| target(i).map(|t| t as i32));
            col.typed::<Int32Type>().write_batch(&v, Some(&d), None)?;
        }
        8 => {
            let (v, d) = optional(rows, |i| target(i).and_then(|t| name(&a.native_id, t)));
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&d), None)?;
        }
        9 => {
            let (v, d) = optional(rows, |i| target(i).and_then(|t| name(&a.handle, t)));
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&d), None)?;
        }
        10 => {
            let (v, d) = strings(&e.item);
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&d), None)?;
        }
        11 => {
            let (v, d) = strings(&e.parent);
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&d), None)?;
        }
        12 => {
            // A required list of required strings: definition level 0 is an empty list, 1 an
            // element; repetition level 0 starts a row, 1 continues its list.
            let (mut v, mut d, mut r) = (Vec::new(), Vec::new(), Vec::new());
            for i in rows {
                let (from, to) = (e.topic_offsets[i] as usize, e.topic_offsets[i + 1] as usize);
                if from == to {
                    d.push(0);
                    r.push(0);
                }
                for t in from..to {
                    v.push(e.topic_values.get(t).map(bytes).unwrap_or_default());
                    d.push(1);
                    r.push(if t == from { 0 } else { 1 });
                }
            }
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&d), Some(&r))?;
        }
        _ => {
            return Err(parquet::errors::ParquetError::General(format!(
                "the schema has a column {column} the writer does not know"
            )))
        }
    }
    Ok(())
}
