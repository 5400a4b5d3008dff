//! Ingest throughput of the social readers (twitter-v2, twitter-archive, mastodon, bluesky):
//! events per second from files into a counting sink (parse + map, no store), best of 3 runs;
//! then the same inputs end to end into a fresh SQLite store (`ingest_path`), once.
//!
//! Run: `cargo bench -p renown-ingest --bench social [-- [--reader-only] READER...]`. Inputs are the real samples in
//! ../shared/formats (and the real Mastodon backup in ../shared/data/mastodon) repeated with
//! perturbed ids into a temp dir, so every record is distinct.

mod common;
use common::{cpu_seconds, size};
use renown_ingest::{format_by_name, ingest_path, open_input, CountingSink, IngestOptions};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const FORMATS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/formats");
const MASTODON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/mastodon");

fn sample(name: &str) -> String {
    std::fs::read_to_string(Path::new(FORMATS).join(name))
        .unwrap_or_else(|e| panic!("{name}: {e} (the benchmark needs ../shared/formats)"))
}

/// Twitter v2 stream lines: the sample-stream post with its user, and the two lookup tweets
/// (a reply with a mention, a post with a mention), ids perturbed per line.
fn twitter_v2(lines: usize) -> Vec<u8> {
    let stream: Value = serde_json::from_str(
        sample("twitter_v2_sample_stream.ndjson")
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let lookup: Value = serde_json::from_str(&sample("twitter_v2_tweets_lookup.json")).unwrap();
    let templates = [
        stream,
        json!({"data": lookup["data"][0]}),
        json!({"data": lookup["data"][1]}),
    ];
    let mut out = Vec::new();
    for i in 0..lines {
        let mut v = templates[i % 3].clone();
        v["data"]["id"] = json!((1_000_000_000 + i).to_string());
        v["data"]["author_id"] = json!((i % 100_000).to_string());
        if let Some(u) = v.pointer_mut("/includes/users/0") {
            u["id"] = json!((i % 100_000).to_string());
        }
        serde_json::to_writer(&mut out, &v).unwrap();
        out.push(b'\n');
    }
    out
}

/// A tweets.js with the archive sample tweet repeated (ids perturbed).
fn twitter_archive(tweets: usize) -> Vec<u8> {
    let text = sample("twitter_archive_tweets.js");
    let json = &text[text.find('=').unwrap() + 1..];
    let items: Vec<Value> = serde_json::from_str(json).unwrap();
    let mut all = Vec::with_capacity(tweets);
    for i in 0..tweets {
        let mut t = items[0].clone();
        t["tweet"]["id_str"] = json!((2_000_000_000u64 + i as u64).to_string());
        t["tweet"]["in_reply_to_user_id_str"] = json!((i % 50_000).to_string());
        all.push(t);
    }
    let mut out = b"window.YTD.tweets.part0 = ".to_vec();
    serde_json::to_writer_pretty(&mut out, &all).unwrap();
    out
}

/// A Mastodon backup folder: the real outbox and likes repeated `copies` times.
fn mastodon(dir: &Path, copies: usize) -> PathBuf {
    let root = dir.join("mastodon-backup");
    std::fs::create_dir_all(&root).unwrap();
    let src = Path::new(MASTODON);
    let outbox: Value =
        serde_json::from_slice(&std::fs::read(src.join("outbox.json")).unwrap()).unwrap();
    let likes: Value =
        serde_json::from_slice(&std::fs::read(src.join("likes.json")).unwrap()).unwrap();
    let items = outbox["orderedItems"].as_array().unwrap();
    let mut all = Vec::with_capacity(items.len() * copies);
    let mut all_likes = Vec::new();
    for c in 0..copies {
        for it in items {
            let mut it = it.clone();
            if let Some(id) = it["id"].as_str() {
                it["id"] = json!(format!("{id}{c}"));
            }
            if let Some(id) = it["object"]["id"].as_str() {
                it["object"]["id"] = json!(format!("{id}{c}"));
            }
            all.push(it);
        }
        for l in likes["orderedItems"].as_array().unwrap() {
            all_likes.push(json!(format!("{}{c}", l.as_str().unwrap())));
        }
    }
    let outbox = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json", "type": "OrderedCollection", "orderedItems": all});
    std::fs::write(
        root.join("outbox.json"),
        serde_json::to_vec(&outbox).unwrap(),
    )
    .unwrap();
    let likes = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": "likes.json", "type": "OrderedCollection", "orderedItems": all_likes});
    std::fs::write(root.join("likes.json"), serde_json::to_vec(&likes).unwrap()).unwrap();
    std::fs::copy(src.join("actor.json"), root.join("actor.json")).unwrap();
    root
}

/// Jetstream lines: the eight sample events cycled, rkeys perturbed (deletes included).
fn jetstream(lines: usize) -> Vec<u8> {
    let text = sample("bluesky_jetstream.ndjson");
    let templates: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut out = Vec::new();
    for i in 0..lines {
        let mut v = templates[i % templates.len()].clone();
        v["commit"]["rkey"] = json!(format!("3bench{i:09}"));
        v["did"] = json!(format!("did:plc:bench{:06}", i % 100_000));
        serde_json::to_writer(&mut out, &v).unwrap();
        out.push(b'\n');
    }
    out
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn cid(n: u64) -> Vec<u8> {
    let mut c = vec![0x01, 0x71, 0x12, 0x20];
    c.extend_from_slice(&n.to_be_bytes());
    c.extend_from_slice(&[7u8; 24]);
    c
}

fn link(c: &[u8]) -> ciborium::Value {
    let mut b = vec![0u8];
    b.extend_from_slice(c);
    ciborium::Value::Tag(42, Box::new(ciborium::Value::Bytes(b)))
}

fn cbor(v: &ciborium::Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// A repository CAR with `records` follow and like records under one MST node, in the shape
/// of the sample (`atproto_repo_min.car`); block hashes are placeholders (renown does not verify).
fn car(records: usize) -> Vec<u8> {
    use ciborium::Value as V;
    let t = |s: &str| V::Text(s.into());
    let mut blocks: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut entries = Vec::new();
    let mut prev_key: Vec<u8> = Vec::new();
    let mut keys: Vec<String> = (0..records)
        .map(|i| {
            let coll = if i % 2 == 0 {
                "app.bsky.graph.follow"
            } else {
                "app.bsky.feed.like"
            };
            format!("{coll}/3bench{i:09}")
        })
        .collect();
    keys.sort();
    for (i, key) in keys.iter().enumerate() {
        let rec = if key.starts_with("app.bsky.graph.follow") {
            V::Map(vec![
                (t("$type"), t("app.bsky.graph.follow")),
                (t("subject"), t(&format!("did:plc:target{:05}", i % 50_000))),
                (t("createdAt"), t("2026-01-03T02:57:44.771Z")),
            ])
        } else {
            V::Map(vec![
                (t("$type"), t("app.bsky.feed.like")),
                (
                    t("subject"),
                    V::Map(vec![
                        (
                            t("cid"),
                            t("bafyreif7armatayafcspvi6bot4axgqzkw7q2l357k4qjxagr4vaw2rpym"),
                        ),
                        (
                            t("uri"),
                            t(&format!(
                                "at://did:plc:target{:05}/app.bsky.feed.post/3x{i}",
                                i % 50_000
                            )),
                        ),
                    ]),
                ),
                (t("createdAt"), t("2026-01-03T02:57:45.129Z")),
            ])
        };
        let c = cid(1_000 + i as u64);
        blocks.push((c.clone(), cbor(&rec)));
        let k = key.as_bytes();
        let p = prev_key.iter().zip(k).take_while(|(a, b)| a == b).count();
        entries.push(V::Map(vec![
            (t("k"), V::Bytes(k[p..].to_vec())),
            (t("p"), V::Integer(p.into())),
            (t("t"), V::Null),
            (t("v"), link(&c)),
        ]));
        prev_key = k.to_vec();
    }
    let node = cid(1);
    blocks.push((
        node.clone(),
        cbor(&V::Map(vec![
            (t("e"), V::Array(entries)),
            (t("l"), V::Null),
        ])),
    ));
    let commit = cid(0);
    blocks.push((
        commit.clone(),
        cbor(&V::Map(vec![
            (t("did"), t("did:plc:dwcyhpgjtqmnwzjhocewd6g2")),
            (t("rev"), t("3mbifyrwb2g2l")),
            (t("sig"), V::Bytes(vec![0; 64])),
            (t("data"), link(&node)),
            (t("prev"), V::Null),
            (t("version"), V::Integer(3.into())),
        ])),
    ));
    let header = cbor(&V::Map(vec![
        (t("roots"), V::Array(vec![link(&commit)])),
        (t("version"), V::Integer(1.into())),
    ]));
    let mut out = Vec::new();
    varint(header.len() as u64, &mut out);
    out.extend_from_slice(&header);
    for (c, data) in blocks {
        varint((c.len() + data.len()) as u64, &mut out);
        out.extend_from_slice(&c);
        out.extend_from_slice(&data);
    }
    out
}

/// (counts, wall seconds, CPU seconds) of one read.
fn read_once(format: &str, path: &Path) -> (CountingSink, f64, f64) {
    let f = format_by_name(format).expect("registered");
    let mut input = open_input(path).unwrap();
    let mut sink = CountingSink::default();
    let (t, c) = (Instant::now(), cpu_seconds());
    f.read(&mut input, &Default::default(), &mut sink).unwrap();
    (sink, t.elapsed().as_secs_f64(), cpu_seconds() - c)
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let write = |name: &str, bytes: Vec<u8>| {
        let p = dir.join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(&bytes)
            .unwrap();
        p
    };
    let mut cases: Vec<(&str, String, PathBuf)> = vec![
        (
            "twitter-v2",
            "v2 stream, 300k lines (samples, ids perturbed)".into(),
            write("stream.ndjson", twitter_v2(300_000)),
        ),
        (
            "twitter-archive",
            "tweets.js, 200k tweets (sample, ids perturbed)".into(),
            write("tweets.js", twitter_archive(200_000)),
        ),
        (
            "bluesky",
            "Jetstream, 400k lines (samples, rkeys perturbed)".into(),
            write("jetstream.ndjson", jetstream(400_000)),
        ),
        (
            "bluesky",
            "repo CAR, 300k records (generated like the sample)".into(),
            write("repo.car", car(300_000)),
        ),
    ];
    if Path::new(MASTODON).exists() {
        cases.push((
            "mastodon",
            "real backup x50 (folder, ids perturbed)".into(),
            mastodon(dir, 50),
        ));
        cases.push((
            "mastodon",
            "real backup (shared/data/mastodon)".into(),
            PathBuf::from(MASTODON),
        ));
    }
    // `cargo bench --bench social -- mastodon` times only the readers named.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    cases.retain(|(fmt, _, _)| only.is_empty() || only.iter().any(|o| o == fmt));
    println!("Reader only (parse + map into a counting sink), best of 3; rates per wall second and per CPU second:");
    println!(
        "{:<16} {:<50} {:>7} {:>9} {:>8} {:>11} {:>11} {:>9}",
        "reader", "input", "MB", "events", "profiles", "events/s", "ev/CPU-s", "MB/CPU-s"
    );
    for (fmt, label, path) in &cases {
        let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
        let mut counts = CountingSink::default();
        for _ in 0..3 {
            let (c, w, u) = read_once(fmt, path);
            wall = wall.min(w);
            cpu = cpu.min(u.max(1e-6));
            counts = c;
        }
        let mb = size(path) as f64 / 1e6;
        println!(
            "{fmt:<16} {label:<50} {mb:>7.1} {:>9} {:>8} {:>11.0} {:>11.0} {:>9.1}",
            counts.events,
            counts.profiles,
            counts.events as f64 / wall,
            counts.events as f64 / cpu,
            mb / cpu
        );
    }
    if std::env::args().any(|a| a == "--reader-only") {
        return;
    }
    println!("\nEnd to end into a fresh store (ingest_path: reader thread + SQLite writer), once:");
    println!(
        "{:<16} {:<50} {:>10} {:>12}",
        "reader", "input", "added", "events/s"
    );
    for (fmt, label, path) in &cases {
        let db = dir.join(format!("bench-{fmt}.db"));
        let _ = std::fs::remove_file(&db);
        let mut store = renown_store::Store::open(&db).unwrap();
        let opts = IngestOptions {
            format: Some(fmt.to_string()),
            ..Default::default()
        };
        let t = Instant::now();
        let r = ingest_path(&mut store, path, &opts, &mut |_, _, _| {}).unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{fmt:<16} {label:<50} {:>10} {:>12.0}",
            r.added,
            (r.read - r.profiles) as f64 / secs
        );
        drop(store);
        let _ = std::fs::remove_file(&db);
    }
}
