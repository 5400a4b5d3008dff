//! Tabular output for every command: aligned text for people, CSV and JSON for programs.

use clap::ValueEnum;
use serde_json::{Map, Value};
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Table,
    Csv,
    Json,
    /// A Parquet file of the table (rank, compare, audit, cascades: the long tables).
    Parquet,
}

/// A table: named columns, rows of JSON values (numbers stay numbers in CSV and JSON).
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn write(&self, format: OutputFormat, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            OutputFormat::Table => self.write_text(out),
            OutputFormat::Csv => self.write_csv(out),
            OutputFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.json_rows())?;
                writeln!(out)
            }
            OutputFormat::Parquet => crate::cmd::export_parquet::write_table(self, out),
        }
    }

    /// The rows as JSON objects keyed by column.
    pub fn json_rows(&self) -> Vec<Value> {
        self.rows.iter().map(|r| self.object(r)).collect()
    }

    fn object(&self, row: &[Value]) -> Value {
        let mut m = Map::new();
        for (c, v) in self.columns.iter().zip(row) {
            m.insert((*c).to_string(), v.clone());
        }
        Value::Object(m)
    }

    fn write_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.columns).map_err(csv_io)?;
        for r in &self.rows {
            w.write_record(r.iter().map(cell_text)).map_err(csv_io)?;
        }
        w.flush()
    }

    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            // Ids and handles come from input files: no terminal control sequences.
            .map(|r| {
                r.iter()
                    .map(|v| renown_model::escape_controls(&display(v)).into_owned())
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([self.columns[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..self.columns.len())
            .map(|i| {
                !self.rows.is_empty()
                    && self.rows.iter().all(|r| r[i].is_number() || r[i].is_null())
            })
            .collect();
        let line = |out: &mut dyn Write, row: &[String]| -> std::io::Result<()> {
            let mut s = String::new();
            for (i, c) in row.iter().enumerate() {
                let pad = widths[i].saturating_sub(c.chars().count());
                if i > 0 {
                    s.push_str("  ");
                }
                if numeric[i] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    if i + 1 < row.len() {
                        s.push_str(&" ".repeat(pad));
                    }
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        let header: Vec<String> = self.columns.iter().map(|c| c.to_string()).collect();
        line(out, &header)?;
        for r in &cells {
            line(out, r)?;
        }
        Ok(())
    }
}

/// A CSV error as the I/O error it wraps, so a closed pipe stays recognisable as one.
pub fn csv_io(e: csv::Error) -> std::io::Error {
    match e.kind() {
        csv::ErrorKind::Io(io) => std::io::Error::new(io.kind(), e),
        _ => std::io::Error::other(e),
    }
}

/// Reports what makes the numbers degenerate, on stderr so it never mixes with data.
pub fn warn(warnings: &[renown_measures::Warning]) {
    for w in warnings {
        eprintln!("renown: warning: {w}");
    }
}

/// [`warn`] for warnings that hold only in part of an answer (`where_`: "at the split of …").
pub fn warn_where(where_: &str, warnings: &[renown_measures::Warning]) {
    for w in warnings {
        eprintln!("renown: warning: {where_}: {w}");
    }
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Human form: floats to four significant decimals, integers with thousands separators.
fn display(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(0.0);
            if f != 0.0 && f.abs() < 0.001 {
                format!("{f:.3e}")
            } else {
                format!("{f:.4}")
            }
        }
        Value::Number(n) => n.as_i64().map_or_else(|| n.to_string(), thousands),
        other => cell_text(other),
    }
}

pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_agree_on_content() {
        let mut t = Table::new(&["account", "score"]);
        t.push(vec![json!("@a"), json!(1234567)]);
        t.push(vec![json!("b,c"), json!(0.5)]);
        let mut text = Vec::new();
        t.write(OutputFormat::Table, &mut text).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "account      score\n@a       1,234,567\nb,c         0.5000\n"
        );
        let mut csv = Vec::new();
        t.write(OutputFormat::Csv, &mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "account,score\n@a,1234567\n\"b,c\",0.5\n"
        );
        let mut js = Vec::new();
        t.write(OutputFormat::Json, &mut js).unwrap();
        let v: Value = serde_json::from_slice(&js).unwrap();
        assert_eq!(v[1]["score"], json!(0.5));
    }
}
