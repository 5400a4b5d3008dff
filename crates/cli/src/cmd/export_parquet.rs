//! `renown export --format parquet`: the events as one Parquet file (see
//! `renown_store::parquet` for the columns).

use crate::output::Table;
use crate::Outcome;
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType, ZstdLevel};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use renown_store::EventFilter;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

pub fn run(output: &Path, db: &Path) -> anyhow::Result<Outcome> {
    let t = Instant::now();
    let store = super::open_existing(db)?;
    let summary = if output.as_os_str() == "-" {
        // Parquet's footer comes last, so a pipe gets the file whole.
        let mut buf = Vec::new();
        let s = store.write_parquet(&EventFilter::default(), &mut buf)?;
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(&buf)?;
        out.flush()?;
        s
    } else {
        let file = std::fs::File::create(output)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", output.display()))?;
        store.write_parquet(&EventFilter::default(), std::io::BufWriter::new(file))?
    };
    eprintln!(
        "{} events written as Parquet ({} row groups) in {:.3} s",
        summary.events,
        summary.row_groups,
        t.elapsed().as_secs_f64()
    );
    Ok(Outcome::Clean)
}

/// A table (`rank`, `compare`, `audit`, `cascades` … `--format parquet`) as one Parquet file.
/// Each column's type is read from its values: whole numbers only → INT64, any other number →
/// DOUBLE, true/false → BOOLEAN, anything else (strings, or values of mixed kinds) → UTF-8
/// text (JSON text for arrays and objects). Every column is OPTIONAL: null stays null.
pub fn write_table(table: &Table, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // The file writer needs `Write + Send`; the footer comes last, so the file is built whole.
    let mut buf = Vec::new();
    table_file(table, &mut buf).map_err(std::io::Error::other)?;
    out.write_all(&buf)?;
    out.flush()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ColumnKind {
    Int,
    Double,
    Bool,
    Text,
}

fn column_kind(values: impl Iterator<Item = Value> + Clone) -> ColumnKind {
    let present = values.filter(|v| !v.is_null());
    if present
        .clone()
        .all(|v| v.is_i64() || v.is_u64() && v.as_i64().is_some())
    {
        ColumnKind::Int
    } else if present.clone().all(|v| v.is_number()) {
        ColumnKind::Double
    } else if present.clone().all(|v| v.is_boolean()) {
        ColumnKind::Bool
    } else {
        ColumnKind::Text
    }
}

fn table_file<W: std::io::Write + Send>(table: &Table, out: W) -> parquet::errors::Result<()> {
    let column = |c: usize| table.rows.iter().map(move |r| r[c].clone());
    let kinds: Vec<ColumnKind> = (0..table.columns.len())
        .map(|c| column_kind(column(c)))
        .collect();
    let fields = table
        .columns
        .iter()
        .zip(&kinds)
        .map(|(name, kind)| {
            let physical = match kind {
                ColumnKind::Int => PhysicalType::INT64,
                ColumnKind::Double => PhysicalType::DOUBLE,
                ColumnKind::Bool => PhysicalType::BOOLEAN,
                ColumnKind::Text => PhysicalType::BYTE_ARRAY,
            };
            let logical = (*kind == ColumnKind::Text).then_some(LogicalType::String);
            Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        })
        .collect::<parquet::errors::Result<Vec<_>>>()?;
    let schema = Type::group_type_builder("table")
        .with_fields(fields)
        .build()?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1)?))
        .set_created_by(format!("renown {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props))?;
    let mut group = writer.next_row_group()?;
    let mut c = 0;
    while let Some(mut col) = group.next_column()? {
        let levels: Vec<i16> = column(c).map(|v| i16::from(!v.is_null())).collect();
        let present = || column(c).filter(|v| !v.is_null());
        match kinds[c] {
            ColumnKind::Int => {
                let v: Vec<i64> = present().filter_map(|v| v.as_i64()).collect();
                col.typed::<Int64Type>()
                    .write_batch(&v, Some(&levels), None)?;
            }
            ColumnKind::Double => {
                let v: Vec<f64> = present().filter_map(|v| v.as_f64()).collect();
                col.typed::<DoubleType>()
                    .write_batch(&v, Some(&levels), None)?;
            }
            ColumnKind::Bool => {
                let v: Vec<bool> = present().filter_map(|v| v.as_bool()).collect();
                col.typed::<BoolType>()
                    .write_batch(&v, Some(&levels), None)?;
            }
            ColumnKind::Text => {
                let v: Vec<ByteArray> = present()
                    .map(|v| match v {
                        Value::String(s) => ByteArray::from(s.into_bytes()),
                        other => ByteArray::from(other.to_string().into_bytes()),
                    })
                    .collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&v, Some(&levels), None)?;
            }
        }
        col.close()?;
        c += 1;
    }
    group.close()?;
    writer.close()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use serde_json::json;

    #[test]
    fn a_table_round_trips_with_its_column_types_and_nulls() {
        let mut t = Table::new(&["rank", "account", "score", "flag", "mixed"]);
        t.push(vec![json!(1), json!("a"), json!(2), json!(true), json!(1)]);
        t.push(vec![
            json!(2),
            json!(null),
            json!(0.5),
            json!(null),
            json!("x"),
        ]);
        let mut file = tempfile::tempfile().unwrap();
        write_table(&t, &mut file).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let schema = reader.metadata().file_metadata().schema_descr();
        let types: Vec<_> = (0..5).map(|i| schema.column(i).physical_type()).collect();
        assert_eq!(
            types,
            [
                PhysicalType::INT64,
                PhysicalType::BYTE_ARRAY,
                PhysicalType::DOUBLE,
                PhysicalType::BOOLEAN,
                PhysicalType::BYTE_ARRAY
            ]
        );
        // The values themselves are read back by pyarrow in python/tests/test_exports.py.
        assert_eq!(reader.metadata().file_metadata().num_rows(), 2);
    }
}
