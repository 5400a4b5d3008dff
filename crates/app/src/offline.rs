//! Offline figures: `renown offline FILE.csv` and the Python package's `Store.offline` read a
//! file here and store it ([`renown_store::Store::set_offline`]); `renown gap` reads them back.
//!
//! The file is CSV with a header: the first column names whom a row is about (a linked person's
//! name, or an account), every other column is one offline measure. A column without any number
//! (a job title) is left out and reported; an empty cell is no figure; a cell that is not a
//! number is stored as not-a-number, which the store refuses by line.

use crate::AppError;
use renown_store::offline::OfflineRow;
use renown_store::Store;
use serde::Serialize;
use std::path::Path;

/// An offline-figures file, read.
#[derive(Clone, Debug, PartialEq)]
pub struct OfflineFile {
    /// Each figure with the file line it came from (the header is line 1).
    pub rows: Vec<(u64, OfflineRow)>,
    /// Columns that hold no number at all, left out.
    pub skipped_columns: Vec<String>,
}

/// What storing a file did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OfflineStored {
    /// Figures stored (replacing earlier ones of the same subject and measure).
    pub stored: u64,
    /// The measures the file holds, sorted.
    pub measures: Vec<String>,
    /// Columns that hold no number at all, left out.
    pub skipped_columns: Vec<String>,
    /// Figures not stored: the file line and why (naming no one, not a number).
    pub refused: Vec<Refused>,
}

/// A figure the store refused.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Refused {
    /// The line of the file (the header is line 1).
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// Reads an offline-figures CSV file.
pub fn read_offline(path: &Path) -> crate::Result<OfflineFile> {
    let invalid = |what: String| AppError::Invalid(format!("{}: {what}", path.display()));
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| invalid(format!("cannot read: {e}")))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| invalid(format!("no header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.len() < 2 {
        return Err(invalid(
            "line 1: the header needs a person/account column and at least one measure".into(),
        ));
    }
    let mut records = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        records.push((line, rec.map_err(|e| invalid(format!("line {line}: {e}")))?));
    }
    let number = |s: &str| s.replace('_', "").parse::<f64>().ok();
    let mut rows = Vec::new();
    let mut skipped_columns = Vec::new();
    for (c, measure) in headers.iter().enumerate().skip(1) {
        let cells = || {
            records
                .iter()
                .map(|(l, r)| (*l, r.get(0).unwrap_or(""), r.get(c).unwrap_or("")))
        };
        if !cells().any(|(_, _, v)| number(v).is_some()) {
            skipped_columns.push(measure.clone());
            continue;
        }
        for (line, subject, cell) in cells() {
            if cell.is_empty() {
                continue;
            }
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
    Ok(OfflineFile {
        rows,
        skipped_columns,
    })
}

/// Stores a file's figures, replacing earlier ones of the same subject and measure.
pub fn store_offline(store: &mut Store, file: &OfflineFile) -> crate::Result<OfflineStored> {
    let rows: Vec<OfflineRow> = file.rows.iter().map(|(_, r)| r.clone()).collect();
    let report = store.set_offline(&rows)?;
    let mut measures: Vec<String> = rows.iter().map(|r| r.measure.clone()).collect();
    measures.sort_unstable();
    measures.dedup();
    Ok(OfflineStored {
        stored: report.stored,
        measures,
        skipped_columns: file.skipped_columns.clone(),
        refused: report
            .unknown
            .into_iter()
            .map(|(i, reason)| Refused {
                line: file.rows[i].0,
                reason,
            })
            .collect(),
    })
}
