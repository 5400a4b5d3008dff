//! renown's CSV event schema (see [`crate::schema`]): a header row naming any subset of the
//! columns in any order; `kind` and `actor` (and `platform`, unless `--platform`) are required.
//!
//! A record is one line, read by the shared line driver: its length is bounded like every line
//! format's, and a quote left open at the end of a line rejects that line alone (reading goes on
//! with the next), where a CSV parser that lets quoted fields run across lines would swallow the
//! rest of the file into one field.

use super::Format;
use crate::lines::for_each_line;
use crate::schema::{SchemaRow, TimeField, TopicsField, CSV_HEADER};
use crate::{Input, ReadError, ReadOptions, Sink};
use std::ops::Range;

pub struct Csv;

fn header_fields(head: &[u8]) -> Vec<String> {
    let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(first)
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_ascii_lowercase())
        .collect()
}

/// One line split into fields: `text` holds the unquoted bytes, `fields` their ranges in it.
#[derive(Default)]
struct Fields {
    text: Vec<u8>,
    fields: Vec<Range<usize>>,
}

impl Fields {
    fn get(&self, i: usize) -> Option<&[u8]> {
        self.fields.get(i).map(|r| &self.text[r.clone()])
    }
}

/// Splits one line by RFC 4180 rules: a field that starts with `"` is quoted, `""` inside it is
/// a quote; a quote elsewhere is an ordinary byte (as the `csv` crate reads it). A quoted field
/// still open at the end of the line is an error naming the column where it opened.
fn split_line(line: &[u8], out: &mut Fields) -> Result<(), String> {
    out.text.clear();
    out.fields.clear();
    if memchr::memchr(b'"', line).is_none() {
        // Most rows quote nothing: one copy and a comma search, no per-byte state machine.
        out.text.extend_from_slice(line);
        let mut start = 0;
        for comma in memchr::memchr_iter(b',', line) {
            out.fields.push(start..comma);
            start = comma + 1;
        }
        out.fields.push(start..line.len());
        return Ok(());
    }
    let mut start = 0; // where the current field begins in `out.text`
    let mut at_field_start = true;
    let mut quoted_from: Option<usize> = None; // column (0-based) of an open quote
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if quoted_from.is_some() {
            if b == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    out.text.push(b'"');
                    i += 1;
                } else {
                    quoted_from = None;
                }
            } else {
                out.text.push(b);
            }
        } else if b == b',' {
            out.fields.push(start..out.text.len());
            start = out.text.len();
            at_field_start = true;
            i += 1;
            continue;
        } else if b == b'"' && at_field_start {
            quoted_from = Some(i);
        } else {
            out.text.push(b);
        }
        at_field_start = false;
        i += 1;
    }
    if let Some(column) = quoted_from {
        return Err(format!(
            "the quoted field opened at column {} is not closed on this line (a CSV record is one line)",
            column + 1
        ));
    }
    out.fields.push(start..out.text.len());
    Ok(())
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
        // Column index of each schema field, once the header line is read.
        let mut cols: Option<[Option<usize>; 11]> = None;
        let mut header_error: Option<String> = None;
        let mut fields = Fields::default();
        for_each_line(&mut input.stream, sink, |line_no, line, sink| {
            let Some(cols) = &cols else {
                if let Err(reason) = split_line(line, &mut fields) {
                    header_error = Some(format!("cannot read the CSV header: {reason}"));
                    return Err(crate::Stop);
                }
                let names: Vec<String> = (0..fields.fields.len())
                    .map(|i| {
                        String::from_utf8_lossy(fields.get(i).unwrap_or_default())
                            .trim_start_matches('\u{feff}')
                            .trim()
                            .to_ascii_lowercase()
                    })
                    .collect();
                cols = Some(CSV_HEADER.map(|name| names.iter().position(|n| n == name)));
                return Ok(());
            };
            if let Err(reason) = split_line(line, &mut fields) {
                return sink.reject(line_no, reason);
            }
            let mut cells: [Option<String>; 11] = Default::default();
            for (i, c) in cols.iter().enumerate() {
                if let Some(bytes) = c.and_then(|c| fields.get(c)) {
                    match std::str::from_utf8(bytes) {
                        Ok(s) => cells[i] = Some(s.to_string()),
                        Err(_) => {
                            return sink.reject(
                                line_no,
                                format!("field `{}` is not valid UTF-8", CSV_HEADER[i]),
                            )
                        }
                    }
                }
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
                Ok(e) => sink.record(line_no, e.into()),
                Err(reason) => sink.reject(line_no, reason),
            }
        })
        .map_err(|e| match header_error {
            Some(reason) => ReadError::Format(reason),
            None => e,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::open_reader;
    use crate::lines::tests::Collect;
    use renown_model::Record;

    fn read(text: &[u8]) -> Collect {
        let mut input = open_reader(
            Box::new(std::io::Cursor::new(text.to_vec())),
            "x.csv".into(),
            "x.csv".into(),
            "x.csv".into(),
        )
        .unwrap();
        let mut sink = Collect::default();
        Csv.read(&mut input, &ReadOptions::default(), &mut sink)
            .unwrap();
        sink
    }

    fn actors(c: &Collect) -> Vec<(u64, String)> {
        c.records
            .iter()
            .map(|(line, r)| match r {
                Record::Event(e) => (*line, e.actor.id.to_string()),
                other => panic!("{other:?} from CSV"),
            })
            .collect()
    }

    #[test]
    fn splits_quoted_fields_like_rfc_4180() {
        let mut f = Fields::default();
        split_line(br#"a,"b,c","say ""hi""",,x"y"#, &mut f).unwrap();
        let got: Vec<&[u8]> = (0..f.fields.len()).map(|i| f.get(i).unwrap()).collect();
        assert_eq!(got, vec![&b"a"[..], b"b,c", br#"say "hi""#, b"", br#"x"y"#]);
        let err = split_line(br#"1,x,follow,"a2,,b2"#, &mut f).unwrap_err();
        assert!(err.contains("column 12"), "{err}");
    }

    /// One unmatched quote used to swallow every following row into one huge actor id.
    #[test]
    fn an_unclosed_quote_rejects_its_line_and_reading_resumes() {
        let mut text =
            b"time,platform,kind,actor,target\n,x,follow,a1,b1\n,x,follow,\"a2,,b2,,,,,\n".to_vec();
        for i in 0..1000 {
            text.extend_from_slice(format!(",x,follow,u{i},v{i}\n").as_bytes());
        }
        let c = read(&text);
        assert_eq!(c.records.len(), 1001);
        assert_eq!(c.rejects.len(), 1);
        assert_eq!(c.rejects[0].0, 3);
        assert!(c.rejects[0].1.contains("not closed"), "{:?}", c.rejects);
        let a = actors(&c);
        assert_eq!(a[0], (2, "a1".to_string()));
        assert_eq!(a[1], (4, "u0".to_string()));
        assert!(a.iter().all(|(_, id)| id.len() < 10));
    }

    #[test]
    fn a_record_longer_than_the_line_bound_is_rejected_unread() {
        let mut text = b"platform,kind,actor\nx,follow,".to_vec();
        text.resize(text.len() + crate::lines::MAX_LINE + 10, b'a');
        text.extend_from_slice(b"\nx,follow,ok\n");
        let c = read(&text);
        assert_eq!(actors(&c), vec![(3, "ok".to_string())]);
        assert_eq!(c.rejects.len(), 1);
        assert!(c.rejects[0].1.contains("longer than"), "{:?}", c.rejects);
    }

    #[test]
    fn header_with_bom_and_any_column_order() {
        let c = read(b"\xef\xbb\xbfActor,KIND,platform\r\n7,like,x\r\n");
        assert_eq!(actors(&c), vec![(2, "7".to_string())]);
    }
}
