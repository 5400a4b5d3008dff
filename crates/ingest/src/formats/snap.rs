//! SNAP edge lists: `from to [time]`, tab or space separated, `#` comments. A `# Undirected`
//! header makes each line two events. Events are follows with unknown time unless a third column
//! holds a plausible unix time; `--kind` overrides the kind. Ids are anonymous integers, so the
//! platform namespace is the file's stem (`soc-slashdot0902`) unless `--platform` names one.

use super::{dataset_namespace, head_data_lines, Format};
use crate::input::HeadEnd;
use crate::lines::{for_each_line, LineParser};
use crate::{Input, ReadError, ReadOptions, Sink, Stop};
use renown_model::{check_range, AccountRef, CompactString, Event, Kind};

pub struct Snap;

struct Edge<'a> {
    from: &'a [u8],
    to: &'a [u8],
    time: Option<i64>,
}

fn is_id(f: &[u8]) -> bool {
    !f.is_empty() && f.len() <= 20 && f.iter().all(u8::is_ascii_digit)
}

fn parse(line: &[u8]) -> Result<Edge<'_>, String> {
    let mut it = line
        .split(|b| *b == b' ' || *b == b'\t' || *b == b',')
        .filter(|f| !f.is_empty());
    let (Some(from), Some(to)) = (it.next(), it.next()) else {
        return Err("expected at least 2 fields: from to".into());
    };
    if !is_id(from) {
        return Err("source node is not a numeric id".into());
    }
    if !is_id(to) {
        return Err("target node is not a numeric id".into());
    }
    // A third column is a time when it is a plausible unix time, else a weight (not an event field).
    let time = it
        .next()
        .and_then(|f| std::str::from_utf8(f).ok())
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|t| check_range(t).ok());
    Ok(Edge { from, to, time })
}

/// The id as stored. `parse` checked it is 1 to 20 ASCII digits, so it is valid UTF-8 and
/// fits inline; `from_utf8_lossy` built it piece by piece, an eighth of the reader's samples.
fn id(f: &[u8]) -> CompactString {
    match std::str::from_utf8(f) {
        Ok(text) => CompactString::from(text),
        Err(_) => CompactString::from_utf8_lossy(f),
    }
}

impl Format for Snap {
    fn name(&self) -> &'static str {
        "snap"
    }
    fn describe(&self) -> &'static str {
        "SNAP edge list: `from to [unix_time]`, `#` comments, optional `# Undirected` header"
    }
    fn sniff(&self, input: &Input) -> u8 {
        let lines = head_data_lines(input, 5);
        if !lines.is_empty() && lines.iter().all(|l| parse(l).is_ok()) {
            60
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
        let mut lines = SnapLines::new(input, opts, false);
        let mut seen_data = false;
        for_each_line(&mut input.stream, sink, |no, line, sink| {
            if is_comment(line) {
                if !seen_data {
                    lines.undirected = directedness(line).unwrap_or(lines.undirected);
                }
                return Ok(());
            }
            seen_data = true;
            lines.parse_line(no, line, sink)
        })
    }
    /// The header's `# Directed` / `# Undirected` counts only before the first data line, so
    /// once the head shows that line every later line parses on its own.
    fn line_parser(&self, input: &Input, opts: &ReadOptions) -> Option<Box<dyn LineParser>> {
        let mut lines: Vec<&[u8]> = input.head.split(|&b| b == b'\n').collect();
        if input.head_end != HeadEnd::End {
            lines.pop(); // cut
        }
        let mut undirected = false;
        for line in lines {
            // As the line driver delivers it: no `\r`, blank lines skipped.
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            if !is_comment(line) {
                return Some(Box::new(SnapLines::new(input, opts, undirected)));
            }
            undirected = directedness(line).unwrap_or(undirected);
        }
        None
    }
}

fn is_comment(line: &[u8]) -> bool {
    line.starts_with(b"#") || line.starts_with(b"%")
}

/// What a header line says of the edges: `Some(true)` for undirected.
fn directedness(comment: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(comment).to_ascii_lowercase();
    if text.contains("undirected") {
        Some(true)
    } else if text.contains("directed") {
        Some(false)
    } else {
        None
    }
}

/// Edge lines once the header is read; comment lines after the first data line are skipped.
struct SnapLines {
    platform: CompactString,
    kind: Kind,
    undirected: bool,
}

impl SnapLines {
    fn new(input: &Input, opts: &ReadOptions, undirected: bool) -> Self {
        SnapLines {
            platform: opts
                .platform
                .clone()
                .unwrap_or_else(|| dataset_namespace(&input.inner_name))
                .into(),
            kind: opts.kind.unwrap_or(Kind::Follow),
            undirected,
        }
    }
}

impl LineParser for SnapLines {
    fn parse_line(&self, no: u64, line: &[u8], sink: &mut dyn Sink) -> Result<(), Stop> {
        if is_comment(line) {
            return Ok(());
        }
        let edge = match parse(line) {
            Ok(e) => e,
            Err(reason) => return sink.reject(no, reason),
        };
        let make = |a: &[u8], b: &[u8]| {
            let mut e = Event::new(self.platform.clone(), self.kind, AccountRef::new(id(a)));
            e.target = Some(AccountRef::new(id(b)));
            e.time = edge.time;
            e
        };
        // Positions are 2·line and 2·line+1 so both directions of an undirected line are kept.
        sink.record(no * 2, make(edge.from, edge.to).into())?;
        if self.undirected && edge.from != edge.to {
            sink.record(no * 2 + 1, make(edge.to, edge.from).into())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::open_reader;
    use crate::lines::tests::Collect;
    use renown_model::Record;

    fn read(text: &str, name: &str, opts: ReadOptions) -> Collect {
        let mut input = open_reader(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            name.into(),
            name.into(),
            name.into(),
        )
        .unwrap();
        let mut sink = Collect::default();
        Snap.read(&mut input, &opts, &mut sink).unwrap();
        sink
    }

    #[test]
    fn directed_and_undirected_lists() {
        let c = read(
            "# Directed\n1\t2\n2 3\nx 1\n",
            "soc-Test.txt",
            ReadOptions::default(),
        );
        assert_eq!(c.records.len(), 2);
        assert_eq!(
            c.rejects,
            vec![(4, "source node is not a numeric id".to_string())]
        );
        let Record::Event(e) = &c.records[0].1 else {
            panic!()
        };
        assert_eq!((e.platform.as_str(), e.kind), ("soc-test", Kind::Follow));
        let c = read(
            "# Undirected graph\n1 2\n3 3\n",
            "g.txt",
            ReadOptions::default(),
        );
        assert_eq!(c.records.len(), 3, "self-loop is not doubled");
    }

    #[test]
    fn kind_and_platform_override_and_time_column() {
        let opts = ReadOptions {
            kind: Some(Kind::Link),
            platform: Some("web".into()),
        };
        let c = read("1 2 1341100972\n3 4 7\n", "x.txt", opts);
        let times: Vec<_> = c
            .records
            .iter()
            .map(|(_, r)| match r {
                Record::Event(e) => (e.kind, e.platform.clone(), e.time),
                _ => panic!(),
            })
            .collect();
        assert_eq!(
            times,
            vec![
                (Kind::Link, "web".into(), Some(1341100972)),
                (Kind::Link, "web".into(), None)
            ]
        );
    }
}
