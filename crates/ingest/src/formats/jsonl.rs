//! renown's JSON Lines event schema (see [`crate::schema`]).

use super::{head_data_lines, Format};
use crate::lines::{for_each_line, utf8};
use crate::schema::SchemaRow;
use crate::{Input, ReadError, ReadOptions, Sink};

pub struct Jsonl;

fn parse(line: &[u8], platform: Option<&str>) -> Result<renown_model::Event, String> {
    let text = utf8(line)?;
    let row: SchemaRow = serde_json::from_str(text).map_err(|e| format!("bad JSON: {e}"))?;
    row.into_event(platform)
}

impl Format for Jsonl {
    fn name(&self) -> &'static str {
        "jsonl"
    }
    fn describe(&self) -> &'static str {
        "renown JSON Lines events: {\"time\",\"platform\",\"kind\",\"actor\",\"target\",...}"
    }
    fn sniff(&self, input: &Input) -> u8 {
        let schema_line = |l: &&[u8]| {
            serde_json::from_slice::<serde_json::Value>(l)
                .ok()
                .and_then(|v| {
                    v.as_object()
                        .map(|o| o.contains_key("kind") && o.contains_key("actor"))
                })
                .unwrap_or(false)
        };
        let lines = head_data_lines(input, 3);
        let named = input.inner_name.ends_with(".jsonl") || input.inner_name.ends_with(".ndjson");
        // A damaged line among the first few must not hide a file that is plainly ours: its
        // bad lines are then rejected one by one rather than the whole file refused.
        if !lines.is_empty() && lines.iter().all(schema_line) {
            if named {
                95
            } else {
                85
            }
        } else if named && lines.iter().any(schema_line) {
            80
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
        let platform = opts.platform.as_deref();
        for_each_line(&mut input.stream, sink, |no, line, sink| {
            match parse(line, platform) {
                Ok(e) => sink.record(no, e.into()),
                Err(reason) => sink.reject(no, reason),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_names_problems() {
        let e = parse(
            br#"{"time":1341100972,"platform":"twitter","kind":"retweet","actor":"1","target":"2","topics":["a"]}"#,
            None,
        )
        .unwrap();
        assert_eq!(e.kind, renown_model::Kind::Reshare);
        assert!(parse(b"{not json", None)
            .unwrap_err()
            .starts_with("bad JSON"));
        assert!(parse(b"\xff\xfe", None).unwrap_err().contains("UTF-8"));
        assert!(parse(
            br#"{"platform":"x","kind":"like","actor":"1","time":"soon"}"#,
            None
        )
        .unwrap_err()
        .contains("unparseable time"));
    }
}
