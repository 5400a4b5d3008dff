//! renown's CSV event schema (see [`crate::schema`]): a header row naming any subset of the
//! columns in any order; `kind` and `actor` (and `platform`, unless `--platform`) are required.

use super::Format;
use crate::schema::{SchemaRow, TimeField, TopicsField, CSV_HEADER};
use crate::{Input, ReadError, ReadOptions, Sink};

pub struct Csv;

fn header_fields(head: &[u8]) -> Vec<String> {
    let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(first)
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_ascii_lowercase())
        .collect()
}

impl Format for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }
    fn describe(&self) -> &'static str {
        "renown CSV events: header time,platform,kind,actor,actor_handle,target,target_handle,item,parent,topics,id"
    }
    fn sniff(&self, input: &Input) -> u8 {
        let h = header_fields(&input.head);
        if h.iter().any(|f| f == "kind") && h.iter().any(|f| f == "actor") {
            95
        } else {
            0
        }
    }
    fn read(
        &self,
        input: &mut Input,
        opts: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(&mut input.stream);
        let header = match rdr.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                return Err(ReadError::Format(format!(
                    "cannot read the CSV header: {e}"
                )))
            }
        };
        // Column index for each schema field, if present.
        let col = |name: &str| {
            header.iter().position(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .eq_ignore_ascii_case(name)
            })
        };
        let cols: Vec<Option<usize>> = CSV_HEADER.iter().map(|n| col(n)).collect();
        let mut record = csv::ByteRecord::new();
        let mut line: u64 = 1;
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {
                    line = record.position().map_or(line + 1, |p| p.line());
                    let mut cells: [Option<String>; 11] = Default::default();
                    let mut bad_utf8 = None;
                    for (i, c) in cols.iter().enumerate() {
                        if let Some(bytes) = c.and_then(|c| record.get(c)) {
                            match std::str::from_utf8(bytes) {
                                Ok(s) => cells[i] = Some(s.to_string()),
                                Err(_) => bad_utf8 = Some(CSV_HEADER[i]),
                            }
                        }
                    }
                    if let Some(field) = bad_utf8 {
                        sink.reject(line, format!("field `{field}` is not valid UTF-8"))?;
                        continue;
                    }
                    let [time, platform, kind, actor, actor_handle, target, target_handle, item, parent, topics, id] =
                        cells;
                    let row = SchemaRow {
                        time: time.map(TimeField::Text),
                        platform,
                        kind,
                        actor,
                        actor_handle,
                        target,
                        target_handle,
                        item,
                        parent,
                        topics: topics.map(TopicsField::Joined),
                        id,
                    };
                    match row.into_event(opts.platform.as_deref()) {
                        Ok(e) => sink.record(line, e.into())?,
                        Err(reason) => sink.reject(line, reason)?,
                    }
                }
                Err(e) => match e.kind() {
                    csv::ErrorKind::Io(_) => {
                        sink.damaged(
                            line + 1,
                            format!("input is damaged ({e}); rows before it were read"),
                        );
                        return Ok(());
                    }
                    _ => {
                        line = e.position().map_or(line + 1, |p| p.line());
                        sink.reject(line, format!("bad CSV row: {e}"))?;
                    }
                },
            }
        }
    }
}
