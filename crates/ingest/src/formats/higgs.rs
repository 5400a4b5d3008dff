//! SNAP Higgs activity lines: `userA userB unix_ts RT|MT|RE` — A retweeted, mentioned or replied
//! to B (De Domenico et al. 2013). Ids are anonymised, so the platform namespace is `higgs`.

use super::{head_data_lines, Format};
use crate::lines::{for_each_line, LineParser};
use crate::{Input, ReadError, ReadOptions, Sink, Stop};
use renown_model::{check_range, AccountRef, CompactString, Event, Kind};

pub struct Higgs;

fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|b| *b == b' ' || *b == b'\t')
        .filter(|f| !f.is_empty())
}

/// The id as stored: all ASCII digits (at most 20), so it fits inline in a `CompactString`
/// and costs no allocation (a `String` per id, then converted, was a tenth of the reader).
fn numeric_id(field: &[u8], what: &str) -> Result<CompactString, String> {
    match std::str::from_utf8(field) {
        Ok(id) if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(CompactString::from(id))
        }
        _ => Err(format!("{what} is not a numeric id")),
    }
}

fn parse(line: &[u8], platform: &CompactString) -> Result<Event, String> {
    let mut it = fields(line);
    let (Some(a), Some(b), Some(ts), Some(kind)) = (it.next(), it.next(), it.next(), it.next())
    else {
        return Err("expected 4 fields: userA userB unix_ts RT|MT|RE".into());
    };
    if it.next().is_some() {
        return Err("more than 4 fields".into());
    }
    let kind = match kind {
        b"RT" => Kind::Reshare,
        b"MT" => Kind::Mention,
        b"RE" => Kind::Reply,
        _ => return Err("interaction must be RT, MT or RE".into()),
    };
    let ts: i64 = std::str::from_utf8(ts)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or("timestamp is not an integer")?;
    let ts = check_range(ts).map_err(|e| e.to_string())?;
    let mut e = Event::new(
        platform.clone(),
        kind,
        AccountRef::new(numeric_id(a, "userA")?),
    );
    e.target = Some(AccountRef::new(numeric_id(b, "userB")?));
    e.time = Some(ts);
    Ok(e)
}

impl Format for Higgs {
    fn name(&self) -> &'static str {
        "higgs"
    }
    fn describe(&self) -> &'static str {
        "SNAP Higgs activity: `userA userB unix_ts RT|MT|RE`"
    }
    fn sniff(&self, input: &Input) -> u8 {
        let lines = head_data_lines(input, 8);
        let platform = CompactString::from("x");
        let ok = lines.iter().filter(|l| parse(l, &platform).is_ok()).count();
        // A few damaged lines among the first must not hide the format: they are rejected
        // one by one when the file is read.
        if !lines.is_empty() && ok == lines.len() {
            90
        } else if ok * 2 > lines.len() {
            70
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
        let lines = HiggsLines::new(opts);
        for_each_line(&mut input.stream, sink, |no, line, sink| {
            lines.parse_line(no, line, sink)
        })
    }
    fn line_parser(&self, _: &Input, opts: &ReadOptions) -> Option<Box<dyn LineParser>> {
        Some(Box::new(HiggsLines::new(opts)))
    }
}

/// One line at a time, with nothing carried between lines.
struct HiggsLines {
    platform: CompactString,
}

impl HiggsLines {
    fn new(opts: &ReadOptions) -> Self {
        HiggsLines {
            platform: opts.platform.as_deref().unwrap_or("higgs").into(),
        }
    }
}

impl LineParser for HiggsLines {
    fn parse_line(&self, no: u64, line: &[u8], sink: &mut dyn Sink) -> Result<(), Stop> {
        match parse(line, &self.platform) {
            Ok(e) => sink.record(no, e.into()),
            Err(reason) => sink.reject(no, reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_kinds_and_rejects_bad_lines() {
        let e = parse(b"223789 213163 1341100972 MT", &"higgs".into()).unwrap();
        assert_eq!(e.kind, Kind::Mention);
        assert_eq!(e.actor.id, "223789");
        assert_eq!(e.target.unwrap().id, "213163");
        assert_eq!(
            parse(b"1 2 1341100972 RT", &"h".into()).unwrap().kind,
            Kind::Reshare
        );
        assert_eq!(
            parse(b"1\t2\t1341100972\tRE", &"h".into()).unwrap().kind,
            Kind::Reply
        );
        assert!(parse(b"1 2 1341100972", &"h".into())
            .unwrap_err()
            .contains("4 fields"));
        assert!(parse(b"x 2 1341100972 RT", &"h".into())
            .unwrap_err()
            .contains("userA"));
        assert!(parse(b"1 2 99999999999 RT", &"h".into())
            .unwrap_err()
            .contains("outside"));
        assert!(parse(b"1 2 1341100972 XX", &"h".into())
            .unwrap_err()
            .contains("RT, MT"));
    }
}
