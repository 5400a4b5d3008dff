//! Bluesky: Jetstream NDJSON captures and repository CAR files.
//!
//! Records map the same way from both, so the same post read from a capture and from a repo is
//! one event (its at:// URI is the source id):
//! - `app.bsky.feed.post` → post; reply (target = the parent's author, always known from its
//!   at:// URI) or quote (`app.bsky.embed.record`, `recordWithMedia`); a reply that also quotes
//!   yields both. Facet mentions → mention events; facet tags and `tags` → topics.
//! - `app.bsky.feed.repost` → reshare, `app.bsky.feed.like` → like, `app.bsky.graph.follow` →
//!   follow; `app.bsky.actor.profile` and Jetstream identity events → profiles.
//! - A Jetstream delete (did + collection + rkey) is sent as a [`Deletion`] of the at:// URI:
//!   the store removes every event whose item is that URI and remembers the deletion (see
//!   `crates/store/src/tombstones.rs`).
//!
//! CAR files are CARv1 with DAG-CBOR blocks: the framing (varints, CIDs) is read here, the CBOR
//! by ciborium; records are found by walking the repository's Merkle search tree from the
//! commit, so each record's key (`collection/rkey`) is known. Block hashes are not verified.

use super::json::{self, Text};
use super::times;
use super::{head_data_lines, Format};
use crate::lines::for_each_line;
use crate::{Input, ReadError, ReadOptions, Sink};
use ciborium::Value;
use renown_model::{AccountRef, Deletion, Event, Kind, Profile, Record};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

pub struct Bluesky;

const PLATFORM: &str = "bluesky";

// ---- records (shared by JSON and CBOR) -------------------------------------------------------

#[derive(Deserialize, Default)]
struct BskyRecord {
    #[serde(rename = "createdAt")]
    created_at: Option<String>,
    reply: Option<ReplyRef>,
    embed: Option<Embed>,
    #[serde(default)]
    facets: Vec<Facet>,
    #[serde(default)]
    tags: Vec<String>,
    subject: Option<Subject>,
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct ReplyRef {
    parent: StrongRef,
}

#[derive(Deserialize)]
struct StrongRef {
    uri: String,
}

#[derive(Deserialize)]
struct Embed {
    #[serde(rename = "$type")]
    kind: Option<String>,
    record: Option<EmbedRecord>,
}

/// `app.bsky.embed.record` holds a strong ref; `recordWithMedia` nests one more level.
#[derive(Deserialize)]
struct EmbedRecord {
    uri: Option<String>,
    record: Option<StrongRef>,
}

#[derive(Deserialize)]
struct Facet {
    #[serde(default)]
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    did: Option<String>,
    tag: Option<String>,
}

/// A follow's subject is a DID; a like's or repost's a strong ref.
enum Subject {
    Did(String),
    Ref(String),
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Subject, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Subject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a DID or a strong ref")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Subject, E> {
                Ok(Subject::Did(s.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Subject, A::Error> {
                StrongRef::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(|r| Subject::Ref(r.uri))
            }
        }
        d.deserialize_any(V)
    }
}

/// The repository (DID) an at:// URI points into.
fn did_of(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("at://")?;
    let did = rest.split('/').next()?;
    (!did.is_empty()).then_some(did)
}

fn at_uri(did: &str, collection: &str, rkey: &str) -> String {
    // By hand: `format!` was a tenth of the Jetstream reader's time.
    let mut uri = String::with_capacity(7 + did.len() + collection.len() + rkey.len());
    for part in ["at://", did, "/", collection, "/", rkey] {
        uri.push_str(part);
    }
    uri
}

/// What one record becomes. `fallback_time` is when the network saw it (Jetstream's time_us).
fn record_events(
    did: &str,
    collection: &str,
    rkey: &str,
    rec: &BskyRecord,
    fallback_time: Option<i64>,
    out: &mut Vec<Record>,
) -> Result<bool, String> {
    let uri = at_uri(did, collection, rkey);
    // createdAt is set by the client and sometimes absurd; the relay's clock is the fallback.
    let time = rec
        .created_at
        .as_deref()
        .and_then(|s| times::parse(s).ok())
        .or(fallback_time);
    let actor = AccountRef::new(did);
    let event = |kind: Kind, target: Option<&str>, parent: Option<&str>| {
        let mut e = Event::new(PLATFORM, kind, actor.clone());
        e.time = time;
        e.target = target.map(AccountRef::new);
        e.item = Some(uri.clone());
        e.parent = parent.map(str::to_string);
        e.source_id = Some(uri.clone());
        e
    };
    let subject_ref = || match &rec.subject {
        Some(Subject::Ref(u)) => Ok(u.as_str()),
        Some(Subject::Did(_)) => Err(format!("{collection}: subject is a DID, not a record")),
        None => Err(format!("{collection}: no subject")),
    };
    match collection {
        "app.bsky.feed.post" => {
            let parent = rec.reply.as_ref().map(|r| r.parent.uri.as_str());
            let quoted = rec.embed.as_ref().and_then(|e| match e.kind.as_deref() {
                Some("app.bsky.embed.record") => e.record.as_ref()?.uri.as_deref(),
                Some("app.bsky.embed.recordWithMedia") => {
                    e.record.as_ref()?.record.as_ref().map(|r| r.uri.as_str())
                }
                _ => None,
            });
            let mut topics: Vec<String> = rec
                .facets
                .iter()
                .flat_map(|f| f.features.iter().filter_map(|x| x.tag.clone()))
                .chain(rec.tags.iter().cloned())
                .collect();
            topics.dedup();
            let mut main = match (parent, quoted) {
                (Some(p), _) => event(Kind::Reply, did_of(p), Some(p)),
                (None, Some(q)) => event(Kind::Quote, did_of(q), Some(q)),
                (None, None) => event(Kind::Post, None, None),
            };
            main.topics = topics;
            let mut seen: Vec<renown_model::CompactString> =
                main.target.iter().map(|t| t.id.clone()).collect();
            out.push(Record::Event(main));
            if let (Some(_), Some(q)) = (parent, quoted) {
                out.push(Record::Event(event(Kind::Quote, did_of(q), Some(q))));
            }
            for m in rec
                .facets
                .iter()
                .flat_map(|f| f.features.iter().filter_map(|x| x.did.as_deref()))
            {
                if m != did && !seen.iter().any(|s| s == m) {
                    seen.push(m.into());
                    out.push(Record::Event(event(Kind::Mention, Some(m), None)));
                }
            }
        }
        "app.bsky.feed.repost" | "app.bsky.feed.like" => {
            let subject = subject_ref()?;
            let kind = if collection.ends_with("repost") {
                Kind::Reshare
            } else {
                Kind::Like
            };
            out.push(Record::Event(event(kind, did_of(subject), Some(subject))));
        }
        "app.bsky.graph.follow" => match &rec.subject {
            Some(Subject::Did(d)) => out.push(Record::Event(event(Kind::Follow, Some(d), None))),
            _ => return Err("app.bsky.graph.follow: subject is not a DID".into()),
        },
        "app.bsky.actor.profile" => {
            let mut p = Profile {
                platform: PLATFORM.into(),
                account: actor.clone(),
                ..Profile::default()
            };
            let bio = rec.description.as_deref().unwrap_or("");
            p.facts.set_bio(bio);
            if !bio.is_empty() {
                p.texts.push(("bio".into(), bio.to_string()));
            }
            if let Some(n) = rec.display_name.as_ref().filter(|n| !n.is_empty()) {
                p.texts.push(("display_name".into(), n.clone()));
            }
            out.push(Record::Profile(p));
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The deletion of the record `collection/rkey` in `did`'s repository.
fn deletion(did: &str, collection: &str, rkey: &str, time: Option<i64>) -> Record {
    Record::Deletion(Deletion {
        platform: PLATFORM.into(),
        account: AccountRef::new(did),
        item: at_uri(did, collection, rkey),
        time,
    })
}

/// Tallies records of collections renown does not use (blocks, lists, threadgates...).
#[derive(Default)]
struct Skipped(BTreeMap<String, u64>);

impl Skipped {
    fn report(self, sink: &mut dyn Sink) {
        if !self.0.is_empty() {
            let list: Vec<String> = self.0.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
            sink.warn(format!(
                "records of other collections skipped: {}",
                list.join(", ")
            ));
        }
    }
}

// ---- Jetstream -------------------------------------------------------------------------------

// Envelope strings are borrowed from the line where they have no escapes (they never do).
#[derive(Deserialize)]
struct JetEvent<'a> {
    #[serde(borrow)]
    did: Option<Text<'a>>,
    time_us: Option<i64>,
    #[serde(borrow)]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    commit: Option<Commit<'a>>,
    identity: Option<Identity>,
}

#[derive(Deserialize)]
struct Commit<'a> {
    #[serde(borrow)]
    operation: Cow<'a, str>,
    #[serde(borrow)]
    collection: Cow<'a, str>,
    #[serde(borrow)]
    rkey: Cow<'a, str>,
    // Boxed: the record is most of the event's size, and serde moves values up by copying.
    record: Option<Box<BskyRecord>>,
}

#[derive(Deserialize)]
struct Identity {
    handle: Option<String>,
}

fn jetstream_line(line: &[u8], out: &mut Vec<Record>, skipped: &mut Skipped) -> Result<(), String> {
    let ev: JetEvent = json::from_bytes(line).map_err(|e| format!("bad JSON: {e}"))?;
    let did = ev.did.as_deref().ok_or("no did")?;
    let time = ev.time_us.map(|us| us.div_euclid(1_000_000));
    match ev.kind.as_deref() {
        Some("commit") => {
            let c = ev.commit.ok_or("commit event without a commit")?;
            match &*c.operation {
                "create" | "update" => {
                    let rec = c.record.ok_or("create without a record")?;
                    if !record_events(did, &c.collection, &c.rkey, &rec, time, out)? {
                        *skipped.0.entry(c.collection.into_owned()).or_default() += 1;
                    }
                }
                "delete" => out.push(deletion(did, &c.collection, &c.rkey, time)),
                other => return Err(format!("unknown commit operation {other:?}")),
            }
        }
        Some("identity") => {
            if let Some(h) = ev.identity.and_then(|i| i.handle) {
                out.push(Record::Profile(Profile {
                    platform: PLATFORM.into(),
                    account: AccountRef::with_handle(did, Some(format!("@{h}"))),
                    ..Profile::default()
                }));
            }
        }
        Some("account") => {}
        Some(other) => return Err(format!("unknown event kind {other:?}")),
        None => return Err("no kind".into()),
    }
    Ok(())
}

// ---- CAR -------------------------------------------------------------------------------------

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("varint longer than 64 bits".into())
}

/// The length of the CID at the start of `buf` (CIDv0 or CIDv1).
fn cid_len(buf: &[u8]) -> Result<usize, String> {
    if buf.starts_with(&[0x12, 0x20]) {
        return if buf.len() >= 34 {
            Ok(34)
        } else {
            Err("truncated CID".into())
        };
    }
    let mut pos = 0;
    let version = varint(buf, &mut pos)?;
    if version != 1 {
        return Err(format!("CID version {version}"));
    }
    varint(buf, &mut pos)?; // codec
    varint(buf, &mut pos)?; // multihash function
    let len = varint(buf, &mut pos)? as usize;
    let end = pos.checked_add(len).ok_or("CID digest length overflows")?;
    if end > buf.len() {
        return Err("truncated CID".into());
    }
    Ok(end)
}

/// A DAG-CBOR link (tag 42: a zero byte, then the CID).
fn link(v: &Value) -> Option<&[u8]> {
    match v {
        Value::Tag(42, inner) => match inner.as_ref() {
            Value::Bytes(b) => b.strip_prefix(&[0]),
            _ => None,
        },
        _ => None,
    }
}

fn field<'v>(map: &'v Value, key: &str) -> Option<&'v Value> {
    match map {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

struct Car<'a> {
    roots: Vec<Vec<u8>>,
    blocks: HashMap<&'a [u8], &'a [u8]>,
}

fn parse_car(bytes: &[u8]) -> Result<Car<'_>, String> {
    let mut pos = 0;
    let header_len = varint(bytes, &mut pos)? as usize;
    let header_end = pos
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or("truncated CAR header")?;
    let header: Value =
        ciborium::from_reader(&bytes[pos..header_end]).map_err(|e| format!("CAR header: {e}"))?;
    match field(&header, "version") {
        Some(Value::Integer(v)) if i128::from(*v) == 1 => {}
        _ => return Err("not a CARv1 file (header version is not 1)".into()),
    }
    let roots = match field(&header, "roots") {
        Some(Value::Array(a)) => a.iter().filter_map(link).map(<[u8]>::to_vec).collect(),
        _ => Vec::new(),
    };
    pos = header_end;
    let mut blocks = HashMap::new();
    while pos < bytes.len() {
        let len = varint(bytes, &mut pos)? as usize;
        let end = pos
            .checked_add(len)
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| format!("block at byte {pos} runs past the end of the file"))?;
        let block = &bytes[pos..end];
        let cl = cid_len(block)?;
        blocks.insert(&block[..cl], &block[cl..]);
        pos = end;
    }
    Ok(Car { roots, blocks })
}

const MAX_MST_DEPTH: usize = 128;

/// Every (key, record CID) of the Merkle search tree rooted at `node`, in key order.
fn walk_mst(
    car: &Car<'_>,
    node: &[u8],
    seen: &mut HashSet<Vec<u8>>,
    out: &mut Vec<(String, Vec<u8>)>,
    missing: &mut u64,
    depth: usize,
) -> Result<(), String> {
    // Real trees are a few levels deep; a crafted chain must not exhaust the stack.
    if depth > MAX_MST_DEPTH {
        return Err(format!("MST deeper than {MAX_MST_DEPTH} levels"));
    }
    if !seen.insert(node.to_vec()) {
        return Ok(());
    }
    let Some(bytes) = car.blocks.get(node) else {
        *missing += 1; // partial CARs (diffs) leave subtrees out
        return Ok(());
    };
    let v: Value = ciborium::from_reader(*bytes).map_err(|e| format!("MST node: {e}"))?;
    if let Some(l) = field(&v, "l").and_then(link) {
        walk_mst(car, l, seen, out, missing, depth + 1)?;
    }
    let mut key: Vec<u8> = Vec::new();
    if let Some(Value::Array(entries)) = field(&v, "e") {
        for e in entries {
            let p = match field(e, "p") {
                Some(Value::Integer(i)) => {
                    usize::try_from(i128::from(*i)).map_err(|_| "bad MST prefix")?
                }
                _ => return Err("MST entry without a prefix length".into()),
            };
            let Some(Value::Bytes(k)) = field(e, "k") else {
                return Err("MST entry without a key".into());
            };
            if p > key.len() {
                return Err("MST prefix longer than the previous key".into());
            }
            key.truncate(p);
            key.extend_from_slice(k);
            let value = field(e, "v")
                .and_then(link)
                .ok_or("MST entry without a value link")?;
            out.push((String::from_utf8_lossy(&key).into_owned(), value.to_vec()));
            if let Some(t) = field(e, "t").and_then(link) {
                walk_mst(car, t, seen, out, missing, depth + 1)?;
            }
        }
    }
    Ok(())
}

fn read_car(bytes: &[u8], sink: &mut dyn Sink) -> Result<(), ReadError> {
    let car = parse_car(bytes).map_err(ReadError::Format)?;
    let root = car
        .roots
        .first()
        .ok_or_else(|| ReadError::Format("CAR without a root".into()))?;
    let commit_bytes = car
        .blocks
        .get(root.as_slice())
        .ok_or_else(|| ReadError::Format("the root commit block is missing".into()))?;
    let commit: Value = ciborium::from_reader(*commit_bytes)
        .map_err(|e| ReadError::Format(format!("commit block: {e}")))?;
    let did = match field(&commit, "did") {
        Some(Value::Text(d)) => d.clone(),
        _ => {
            return Err(ReadError::Format(
                "the root is not a repository commit (no did)".into(),
            ))
        }
    };
    let data = field(&commit, "data")
        .and_then(link)
        .ok_or_else(|| ReadError::Format("commit without a data link".into()))?;
    let mut entries = Vec::new();
    let mut missing = 0;
    walk_mst(
        &car,
        data,
        &mut HashSet::new(),
        &mut entries,
        &mut missing,
        0,
    )
    .map_err(ReadError::Format)?;
    if missing > 0 {
        sink.warn(format!(
            "{missing} tree nodes are not in the file (a partial CAR); their records are not read"
        ));
    }
    let mut skipped = Skipped::default();
    let mut out = Vec::new();
    for (i, (key, cid)) in entries.iter().enumerate() {
        let no = i as u64 + 1;
        let result = (|| {
            let (collection, rkey) = key
                .split_once('/')
                .ok_or("record key is not collection/rkey")?;
            let block = car
                .blocks
                .get(cid.as_slice())
                .ok_or("record block missing")?;
            let rec: BskyRecord =
                ciborium::from_reader(*block).map_err(|e| format!("bad DAG-CBOR: {e}"))?;
            if !record_events(&did, collection, rkey, &rec, None, &mut out)? {
                *skipped.0.entry(collection.to_string()).or_default() += 1;
            }
            Ok::<(), String>(())
        })();
        match result {
            Ok(()) => {
                for r in out.drain(..) {
                    sink.record(no, r)?;
                }
            }
            Err(reason) => {
                out.clear();
                sink.reject(no, format!("record {no} ({key}): {reason}"))?;
            }
        }
    }
    skipped.report(sink);
    Ok(())
}

fn looks_like_car(head: &[u8]) -> bool {
    let mut pos = 0;
    let Ok(len) = varint(head, &mut pos) else {
        return false;
    };
    let end = pos.saturating_add(len as usize).min(head.len());
    let h = &head[pos..end];
    (1..200).contains(&len)
        && memchr::memmem::find(h, b"roots").is_some()
        && memchr::memmem::find(h, b"version").is_some()
}

impl Format for Bluesky {
    fn name(&self) -> &'static str {
        "bluesky"
    }
    fn describe(&self) -> &'static str {
        "Bluesky Jetstream NDJSON captures and repository CAR files"
    }
    fn sniff(&self, input: &Input) -> u8 {
        if input.is_dir {
            return 0;
        }
        if looks_like_car(&input.head) {
            return 95;
        }
        let lines = head_data_lines(input, 2);
        let jetstream = !lines.is_empty()
            && lines.iter().all(|l| {
                serde_json::from_slice::<serde_json::Value>(l).is_ok_and(|v| {
                    v.get("did").is_some() && (v.get("commit").is_some() || v.get("kind").is_some())
                })
            });
        if jetstream {
            95
        } else {
            0
        }
    }
    fn read(
        &self,
        input: &mut Input,
        _opts: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        if looks_like_car(&input.head) {
            let bytes = input.read_all(super::archive::MAX_MEMBER)?;
            return read_car(&bytes, sink);
        }
        let mut skipped = Skipped::default();
        let mut out = Vec::new();
        for_each_line(
            &mut input.stream,
            sink,
            |no, line, sink| match jetstream_line(line, &mut out, &mut skipped) {
                Ok(()) => {
                    for r in out.drain(..) {
                        sink.record(no, r)?;
                    }
                    Ok(())
                }
                Err(reason) => {
                    out.clear();
                    sink.reject(no, reason)
                }
            },
        )?;
        skipped.report(sink);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::tests::Collect;
    use std::path::Path;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/formats/");

    fn read(path: &Path) -> Option<Collect> {
        if !renown_testdata::present(path) {
            return None;
        }
        let mut input = crate::open_input(path).unwrap();
        assert_eq!(Bluesky.sniff(&input), 95);
        let mut sink = Collect::default();
        Bluesky
            .read(&mut input, &ReadOptions::default(), &mut sink)
            .unwrap();
        Some(sink)
    }

    fn events(c: &Collect) -> Vec<&Event> {
        c.records
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn jetstream_sample() {
        let Some(c) = read(&Path::new(SAMPLES).join("bluesky_jetstream.ndjson")) else {
            return;
        };
        assert!(c.rejects.is_empty(), "{:?}", c.rejects);
        let got: Vec<(Kind, Option<&str>)> = events(&c)
            .iter()
            .map(|e| (e.kind, e.target.as_ref().map(|t| t.id.as_str())))
            .collect();
        assert_eq!(
            got,
            [
                (Kind::Post, None),
                (Kind::Reply, Some("did:plc:k77e63e2jxhevskb75l2gpio")),
                (Kind::Reply, Some("did:plc:jpkjnmydclkafjyicv3s6hcx")),
                (Kind::Quote, Some("did:plc:jpkjnmydclkafjyicv3s6hcx")),
                (Kind::Like, Some("did:plc:ecjyiwkyae3k3d46iy7d6u3h")),
                (Kind::Like, Some("did:plc:lrw4cnptopspeg5tthztcliw")),
                (Kind::Reshare, Some("did:plc:7umb3asmcopiogfmpuxbhbbl")),
                (Kind::Follow, Some("did:plc:bggek3ttucom3nj5ufe2ocu5")),
            ]
        );
        let ev = events(&c);
        assert_eq!(ev[0].topics, ["Cavs"]);
        assert_eq!(ev[0].time, Some(1767409065));
        // The delete is the last record: a deletion of the post's URI.
        let Record::Deletion(d) = &c.records.last().unwrap().1 else {
            panic!("deletion last")
        };
        assert_eq!(
            d.item,
            "at://did:plc:bm3ix5bznclbq2jtst2u2q4w/app.bsky.feed.post/3mbifxsf4wc24"
        );
        assert_eq!(c.records.len(), 9);
    }

    #[test]
    fn car_sample() {
        let Some(c) = read(&Path::new(SAMPLES).join("atproto_repo_min.car")) else {
            return;
        };
        assert!(c.rejects.is_empty(), "{:?}", c.rejects);
        let ev = events(&c);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].kind, Kind::Follow);
        assert_eq!(ev[0].actor.id, "did:plc:dwcyhpgjtqmnwzjhocewd6g2");
        assert_eq!(
            ev[0].target.as_ref().unwrap().id,
            "did:plc:bggek3ttucom3nj5ufe2ocu5"
        );
        // The same follow as in the Jetstream capture: one identity, so one event in the store.
        assert_eq!(
            ev[0].item.as_deref(),
            Some("at://did:plc:dwcyhpgjtqmnwzjhocewd6g2/app.bsky.graph.follow/3mbifyrvwco2l")
        );
        let j = read(&Path::new(SAMPLES).join("bluesky_jetstream.ndjson")).unwrap();
        let jf = events(&j)
            .into_iter()
            .find(|e| e.kind == Kind::Follow)
            .unwrap();
        assert_eq!(jf.identity(7), ev[0].identity(1));
    }

    #[test]
    fn damaged_car_is_refused_not_panicking() {
        let car = Path::new(SAMPLES).join("atproto_repo_min.car");
        if !renown_testdata::present(&car) {
            return;
        }
        let bytes = std::fs::read(car).unwrap();
        for cut in [1, 10, 60, 200, bytes.len() - 5] {
            let mut sink = Collect::default();
            let r = read_car(&bytes[..cut], &mut sink);
            assert!(
                r.is_err() || !sink.rejects.is_empty() || !sink.warnings.is_empty(),
                "cut {cut}"
            );
        }
        let mut flipped = bytes.clone();
        for i in (0..flipped.len()).step_by(7) {
            flipped[i] ^= 0x5a;
            let mut sink = Collect::default();
            let _ = read_car(&flipped, &mut sink);
            flipped[i] ^= 0x5a;
        }
    }

    #[test]
    fn bad_lines_and_mentions() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("j.ndjson");
        std::fs::write(
            &path,
            concat!(
                r#"{"did":"did:a","time_us":1700000000000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"1","record":{"createdAt":"0001-01-01T00:00:00Z","facets":[{"features":[{"$type":"app.bsky.richtext.facet#mention","did":"did:b"},{"$type":"app.bsky.richtext.facet#mention","did":"did:b"}]}],"embed":{"$type":"app.bsky.embed.recordWithMedia","record":{"record":{"uri":"at://did:c/app.bsky.feed.post/9","cid":"x"}}}}}}"#,
                "\n{\"did\":\"did:a\",\"kind\":\"commit\"}\n",
                r#"{"did":"did:a","kind":"commit","commit":{"operation":"create","collection":"app.bsky.graph.block","rkey":"2","record":{"subject":"did:z"}}}"#,
                "\n",
                r#"{"did":"did:a","kind":"identity","identity":{"did":"did:a","handle":"alice.test"}}"#,
                "\n{oops\n"
            ),
        )
        .unwrap();
        let mut input = crate::open_input(&path).unwrap();
        let mut c = Collect::default();
        Bluesky
            .read(&mut input, &ReadOptions::default(), &mut c)
            .unwrap();
        let ev = events(&c);
        assert_eq!(ev.len(), 2);
        assert_eq!((ev[0].kind, ev[0].time), (Kind::Quote, Some(1_700_000_000)));
        assert_eq!(ev[1].kind, Kind::Mention);
        let lines: Vec<u64> = c.rejects.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 5]);
        assert!(c.warnings[0].contains("app.bsky.graph.block ×1"));
        assert!(
            matches!(&c.records[2].1, Record::Profile(p) if p.account.handle.as_deref() == Some("@alice.test"))
        );
    }
}
