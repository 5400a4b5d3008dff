//! Reddit Pushshift dumps: NDJSON comments (`RC_*`) and submissions (`RS_*`), plain or `.zst`
//! (decompression is transparent, with the 2 GiB window those dumps need).
//!
//! Platform `reddit`; accounts are user names (the only id every year of the dumps carries).
//! - a submission → `post` (item `t3_<id>`, topic = subreddit);
//! - a comment → `reply` to the author of its parent (`parent_id`, a `t1_` comment or `t3_`
//!   submission) when that parent is in the same file, wherever it appears; otherwise the reply
//!   is kept unresolved (no target, `parent` set), never guessed.
//!
//! Resolution is deferred: a map item → author (base-36 ids packed into a `u64`, author names
//! interned to a `u32`: about 30 bytes per item) is filled as lines are read; a comment whose
//! parent is already known is emitted at once, the others (in a comments-only dump, mostly the
//! top-level ones, whose submission is in the RS file) wait as whole events (a few hundred bytes
//! each) and are emitted at the end, when every parent in the file has been seen.
//!
//! Schema drift across the years is tolerated: `created_utc` as number, string or missing (the
//! event then has no time); booleans as strings (renown reads none of them); fields added or
//! dropped. `[deleted]`/`[removed]` authors are not accounts: their records are skipped as actors
//! (counted in a warning) and, as parents, leave the replies to them unresolved.

use super::json::{self, Text};
use super::{head_data_lines, Format};
use crate::lines::{for_each_line, utf8};
use crate::{Input, ReadError, ReadOptions, Sink};
use renown_model::{check_range, AccountRef, Event, Kind};
use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::borrow::Cow;

pub struct Reddit;

const PLATFORM: &str = "reddit";
/// Interned author index for "item exists, author unknown".
const NOBODY: u32 = u32::MAX;
const COMMENT_TAG: u64 = 1 << 62;
const SUBMISSION_TAG: u64 = 2 << 62;

/// `created_utc` as the dumps write it over the years: integer, float or string.
enum Num<'a> {
    Int(i64),
    Float(f64),
    Text(Cow<'a, str>),
}

// By hand rather than `#[serde(untagged)]`, which buffers the value first: this is per line.
impl<'de: 'a, 'a> Deserialize<'de> for Num<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Num<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num<'a>, E> {
                Ok(Num::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Num<'a>, E> {
                Ok(i64::try_from(v).map_or(Num::Float(v as f64), Num::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Num<'a>, E> {
                Ok(Num::Float(v))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Num<'a>, E> {
                Ok(Num::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Num<'a>, E> {
                Ok(Num::Text(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow, default)]
    author: Option<Text<'a>>,
    #[serde(borrow, default)]
    id: Option<Text<'a>>,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    parent_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    link_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    subreddit: Option<Text<'a>>,
    #[serde(borrow, default)]
    created_utc: Option<Num<'a>>,
    #[serde(borrow, default)]
    title: Option<Text<'a>>,
}

/// `t1_abc` / `abc` with a type tag → a packed key, when the id is canonical base 36.
fn pack(tag: u64, id: &str) -> Option<u64> {
    if id.is_empty() || id.len() > 11 || id.starts_with('0') {
        return None;
    }
    let mut v: u64 = 0;
    for b in id.bytes() {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'z' => b - b'a' + 10,
            _ => return None,
        } as u64;
        v = v.checked_mul(36)?.checked_add(d)?;
    }
    (v < (1 << 62)).then_some(v | tag)
}

#[cfg(test)]
fn unpack(key: u64) -> String {
    let prefix = if key & SUBMISSION_TAG != 0 {
        "t3_"
    } else {
        "t1_"
    };
    let mut v = key & ((1 << 62) - 1);
    let mut digits = Vec::new();
    while v > 0 {
        let d = (v % 36) as u8;
        digits.push(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        v /= 36;
    }
    digits.reverse();
    format!("{prefix}{}", String::from_utf8(digits).unwrap_or_default())
}

/// Key for a full name (`t1_x`, `t3_x`): packed when canonical, else hashed (distinct tag space).
fn key_of(full: &str) -> Option<u64> {
    let (tag, id) = if let Some(id) = full.strip_prefix("t1_") {
        (COMMENT_TAG, id)
    } else if let Some(id) = full.strip_prefix("t3_") {
        (SUBMISSION_TAG, id)
    } else {
        return None;
    };
    Some(pack(tag, id).unwrap_or_else(|| {
        // Non-canonical ids (never seen in real dumps) still resolve, via a hash whose top bits
        // are 11 so it cannot meet a packed key.
        xxhash_rust::xxh3::xxh3_64(full.as_bytes()) | (3 << 62)
    }))
}

fn is_deleted(author: &str) -> bool {
    matches!(author, "[deleted]" | "[removed]" | "")
}

fn time_of(n: &Option<Num<'_>>) -> Result<Option<i64>, String> {
    let t = match n {
        None => return Ok(None),
        Some(Num::Int(i)) => *i,
        Some(Num::Float(f)) if f.is_finite() => *f as i64,
        Some(Num::Float(_)) => return Err("created_utc is not a finite number".into()),
        Some(Num::Text(s)) if s.trim().is_empty() => return Ok(None),
        Some(Num::Text(s)) => {
            let s = s.trim();
            match s.parse::<i64>() {
                Ok(i) => i,
                Err(_) => s
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| f as i64)
                    .ok_or_else(|| "created_utc is not a number".to_string())?,
            }
        }
    };
    check_range(t)
        .map(Some)
        .map_err(|e| format!("created_utc: {e}"))
}

/// A reply waiting for its parent to be seen.
struct Pending {
    position: u64,
    event: Event,
    parent: u64,
}

#[derive(Default)]
struct State {
    /// item key → interned author (or [`NOBODY`]).
    authors_of: FxHashMap<u64, u32>,
    names: Vec<String>,
    interned: FxHashMap<String, u32>,
    pending: Vec<Pending>,
    deleted: u64,
}

impl State {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.interned.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.interned.insert(name.to_string(), i);
        i
    }
    fn author(&self, key: u64) -> Option<Option<AccountRef>> {
        self.authors_of
            .get(&key)
            .map(|&i| (i != NOBODY).then(|| AccountRef::new(self.names[i as usize].clone())))
    }
}

fn on_line(
    state: &mut State,
    no: u64,
    line: &[u8],
    platform: &str,
    sink: &mut dyn Sink,
) -> Result<(), crate::Stop> {
    let raw: Raw<'_> = match json::from_bytes(line) {
        Ok(r) => r,
        Err(e) => {
            return sink.reject(
                no,
                match utf8(line) {
                    Err(r) => r,
                    Ok(_) => format!("bad JSON: {e}"),
                },
            )
        }
    };
    // A comment has a parent; a submission has a title. `name` settles it when present.
    let full = match (&raw.name, &raw.id) {
        (Some(n), _) if n.starts_with("t1_") || n.starts_with("t3_") => n.to_string(),
        (_, Some(id)) if !id.is_empty() => {
            let comment = raw.parent_id.is_some() || (raw.link_id.is_some() && raw.title.is_none());
            format!("{}{id}", if comment { "t1_" } else { "t3_" })
        }
        _ => {
            return sink.reject(
                no,
                "no id or name: neither a comment nor a submission".into(),
            )
        }
    };
    let Some(key) = key_of(&full) else {
        return sink.reject(no, "id is not a comment (t1_) or submission (t3_)".into());
    };
    let time = match time_of(&raw.created_utc) {
        Ok(t) => t,
        Err(r) => return sink.reject(no, r),
    };
    let author = raw
        .author
        .as_deref()
        .map(str::trim)
        .filter(|a| !is_deleted(a));
    let author_idx = match author {
        Some(a) => state.intern(a),
        None => NOBODY,
    };
    state.authors_of.insert(key, author_idx);
    let Some(author) = author else {
        state.deleted += 1;
        return Ok(());
    };
    let topics = raw
        .subreddit
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| vec![s.to_string()])
        .unwrap_or_default();
    let is_comment = full.starts_with("t1_");
    let mut e = Event::new(
        platform,
        if is_comment { Kind::Reply } else { Kind::Post },
        AccountRef::new(author),
    );
    e.time = time;
    e.item = Some(full.clone());
    e.topics = topics;
    e.source_id = Some(full);
    if !is_comment {
        return sink.record(no, e.into());
    }
    // Old dumps lack parent_id on top-level comments: the link is then the parent.
    let parent = raw
        .parent_id
        .as_deref()
        .or(raw.link_id.as_deref())
        .map(str::trim);
    let Some(parent_key) = parent.and_then(key_of) else {
        return sink.reject(no, "comment without a t1_/t3_ parent_id or link_id".into());
    };
    e.parent = parent.map(str::to_string);
    match state.author(parent_key) {
        Some(target) => {
            e.target = target;
            sink.record(no, e.into())
        }
        None => {
            state.pending.push(Pending {
                position: no,
                event: e,
                parent: parent_key,
            });
            Ok(())
        }
    }
}

impl Format for Reddit {
    fn name(&self) -> &'static str {
        "reddit"
    }
    fn describe(&self) -> &'static str {
        "Reddit Pushshift NDJSON dump (RC_* comments, RS_* submissions), plain or .zst"
    }
    fn sniff(&self, input: &Input) -> u8 {
        let lines = head_data_lines(input, 3);
        let looks = !lines.is_empty()
            && lines.iter().all(|l| {
                serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(l)
                    .map(|o| {
                        o.contains_key("subreddit")
                            && ["parent_id", "link_id", "num_comments", "title", "selftext"]
                                .iter()
                                .any(|k| o.contains_key(*k))
                    })
                    .unwrap_or(false)
            });
        let name = input.inner_name.to_ascii_uppercase();
        match (looks, name.starts_with("RC_") || name.starts_with("RS_")) {
            (true, true) => 98,
            (true, false) => 92,
            _ => 0,
        }
    }
    fn read(
        &self,
        input: &mut Input,
        opts: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let platform = opts.platform.as_deref().unwrap_or(PLATFORM).to_string();
        let mut state = State::default();
        for_each_line(&mut input.stream, sink, |no, line, sink| {
            on_line(&mut state, no, line, &platform, sink)
        })?;
        let pending = std::mem::take(&mut state.pending);
        let mut unresolved = 0u64;
        for p in pending {
            let mut e = p.event;
            e.target = state.author(p.parent).flatten();
            if e.target.is_none() {
                unresolved += 1;
            }
            sink.record(p.position, e.into())?;
        }
        if state.deleted > 0 {
            sink.warn(format!(
                "{} records by [deleted] or [removed] authors were skipped (no account to credit); replies to them stay unresolved",
                state.deleted
            ));
        }
        if unresolved > 0 {
            sink.warn(format!(
                "{unresolved} replies answer an item not in this file (or by a deleted author) and are kept unresolved"
            ));
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

    fn read(text: &str) -> Collect {
        let mut input = open_reader(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            "RC_x".into(),
            "RC_x".into(),
            "RC_x".into(),
        )
        .unwrap();
        let mut sink = Collect::default();
        Reddit
            .read(&mut input, &ReadOptions::default(), &mut sink)
            .unwrap();
        sink
    }

    fn events(c: &Collect) -> Vec<(u64, &Event)> {
        let mut v: Vec<_> = c
            .records
            .iter()
            .map(|(p, r)| match r {
                Record::Event(e) => (*p, e),
                _ => panic!(),
            })
            .collect();
        v.sort_by_key(|(p, _)| *p);
        v
    }

    #[test]
    fn packs_ids_round_trip() {
        for full in ["t1_c0299ap", "t3_58hakw", "t1_z", "t3_1uqrin"] {
            assert_eq!(unpack(key_of(full).unwrap()), full);
        }
        assert_ne!(key_of("t1_abc"), key_of("t3_abc"));
        assert!(
            key_of("t1_0ab").is_some(),
            "non-canonical ids still get a key"
        );
        assert_ne!(key_of("t1_0ab"), key_of("t1_ab"));
    }

    #[test]
    fn replies_resolve_forwards_and_backwards() {
        let c = read(concat!(
            // A reply whose parent comes later in the file.
            r#"{"author":"bob","id":"b2","parent_id":"t1_a1","link_id":"t3_s1","subreddit":"rust","created_utc":"1341100972"}"#,
            "\n",
            r#"{"author":"ann","id":"a1","parent_id":"t3_s1","link_id":"t3_s1","subreddit":"rust","created_utc":1341100973}"#,
            "\n",
            r#"{"author":"sue","id":"s1","name":"t3_s1","title":"T","subreddit":"rust","created_utc":1341100900.0}"#,
            "\n",
            r#"{"author":"cy","id":"c3","parent_id":"t1_gone","subreddit":"rust"}"#,
            "\n",
            r#"{"author":"[deleted]","id":"d4","parent_id":"t1_a1","subreddit":"rust","created_utc":1341100999}"#,
            "\n",
            r#"{"author":"eve","id":"e5","parent_id":"t1_d4","subreddit":"rust","created_utc":1341101000}"#,
            "\n",
            r#"{"author":"x","id":"x6","parent_id":"t1_a1","created_utc":"soon"}"#,
            "\n",
        ));
        let ev = events(&c);
        let got: Vec<_> = ev
            .iter()
            .map(|(p, e)| {
                (
                    *p,
                    e.kind,
                    e.actor.id.as_str(),
                    e.target.as_ref().map(|t| t.id.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, Kind::Reply, "bob", Some("ann")),
                (2, Kind::Reply, "ann", Some("sue")),
                (3, Kind::Post, "sue", None),
                (4, Kind::Reply, "cy", None),
                (6, Kind::Reply, "eve", None),
            ]
        );
        assert_eq!(ev[0].1.time, Some(1341100972));
        assert_eq!(ev[2].1.time, Some(1341100900));
        assert_eq!(
            ev[3].1.time, None,
            "missing created_utc is no time, not an error"
        );
        assert_eq!(ev[3].1.parent.as_deref(), Some("t1_gone"));
        assert_eq!(ev[0].1.topics, vec!["rust"]);
        assert_eq!(c.rejects.len(), 1);
        assert!(c.rejects[0].1.contains("created_utc"));
        assert_eq!(c.warnings.len(), 2);
    }
}
