//! Ingest throughput of the line readers (higgs, snap, twitter15, csv, jsonl): events per second
//! from files into a counting sink (decompression, parse and map; no store), best of 3 runs.
//!
//! Run: `cargo bench -p renown-ingest --bench lines`. Higgs, Slashdot (snap) and Twitter15 are
//! the real files in ../shared/data (gzip as shipped); renown's own CSV and JSONL schemas have no
//! public sample, so they are written here from generated events of every kind (the rows
//! `renown export` writes), 500,000 each.

mod common;
use common::{cpu_seconds, size};
use renown_ingest::schema::{SchemaRow, CSV_HEADER};
use renown_ingest::{format_by_name, open_input, CountingSink};
use renown_model::{AccountRef, Event, Kind};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

/// Events of every kind the schema carries, with handles, items, parents and topics on some.
fn events(n: usize) -> impl Iterator<Item = Event> {
    const KINDS: [Kind; 8] = [
        Kind::Follow,
        Kind::Post,
        Kind::Reply,
        Kind::Mention,
        Kind::Reshare,
        Kind::Quote,
        Kind::Like,
        Kind::Comment,
    ];
    (0..n).map(|i| {
        let kind = KINDS[i % KINDS.len()];
        let mut e = Event::new("sim", kind, AccountRef::new(format!("u{}", i % 50_000)));
        e.time = Some(1_704_067_200 + i as i64 * 7);
        if kind != Kind::Post {
            let mut t = AccountRef::new(format!("u{}", (i * 7919) % 50_000));
            t.handle = Some(format!("@user{}", (i * 7919) % 50_000));
            e.target = Some(t);
        }
        if kind != Kind::Follow {
            e.item = Some(format!("p{i}"));
        }
        if matches!(kind, Kind::Reply | Kind::Reshare | Kind::Quote | Kind::Like) {
            e.parent = Some(format!("p{}", i / 2));
        }
        if i % 4 == 1 {
            e.topics = vec!["rust".into(), "graphs".into()];
        }
        e
    })
}

fn write_jsonl(path: &Path, n: usize) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for e in events(n) {
        serde_json::to_writer(&mut w, &SchemaRow::from_event(&e, false)).unwrap();
        w.write_all(b"\n").unwrap();
    }
    w.flush().unwrap();
}

fn write_csv(path: &Path, n: usize) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(CSV_HEADER).unwrap();
    for e in events(n) {
        w.write_record(SchemaRow::from_event(&e, true).csv_cells())
            .unwrap();
    }
    w.flush().unwrap();
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let jsonl = tmp.path().join("events.jsonl");
    let csv = tmp.path().join("events.csv");
    write_jsonl(&jsonl, 500_000);
    write_csv(&csv, 500_000);
    let data = |rel: &str| Path::new(DATA).join(rel);
    let cases: Vec<(&str, &str, PathBuf)> = vec![
        (
            "higgs",
            "data/higgs/higgs-activity_time.txt.gz (real)",
            data("higgs/higgs-activity_time.txt.gz"),
        ),
        (
            "snap",
            "data/slashdot/soc-Slashdot0902.txt.gz (real)",
            data("slashdot/soc-Slashdot0902.txt.gz"),
        ),
        (
            "twitter15",
            "data/twitter15/tree, 1,490 files (real)",
            data("twitter15/tree"),
        ),
        ("jsonl", "500k rows of every kind (generated)", jsonl),
        ("csv", "500k rows of every kind (generated)", csv),
    ];
    println!("Reader only (decompress + parse + map into a counting sink), best of 3:");
    println!(
        "{:<10} {:<46} {:>7} {:>9} {:>11} {:>11} {:>9}",
        "reader", "input", "MB", "events", "events/s", "ev/CPU-s", "MB/CPU-s"
    );
    for (fmt, label, path) in &cases {
        if !path.exists() {
            println!(
                "{fmt:<10} {label:<46} skipped: {} is absent",
                path.display()
            );
            continue;
        }
        let reader = format_by_name(fmt).expect("registered");
        let (mut wall, mut cpu, mut n) = (f64::MAX, f64::MAX, 0);
        for _ in 0..3 {
            let mut input = open_input(path).unwrap();
            let mut sink = CountingSink::default();
            let (t, c) = (Instant::now(), cpu_seconds());
            reader
                .read(&mut input, &Default::default(), &mut sink)
                .unwrap();
            wall = wall.min(t.elapsed().as_secs_f64());
            cpu = cpu.min((cpu_seconds() - c).max(1e-6));
            n = sink.records();
        }
        let mb = size(path) as f64 / 1e6;
        println!(
            "{fmt:<10} {label:<46} {mb:>7.1} {n:>9} {:>11.0} {:>11.0} {:>9.1}",
            n as f64 / wall,
            n as f64 / cpu,
            mb / cpu
        );
    }
}
