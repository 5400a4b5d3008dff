//! End-to-end ingest throughput: a real file into a fresh store (decompression, parsing, identity,
//! interning, SQLite), beside the same reader into a counting sink, so the ratio shows what the
//! store costs. Also the re-ingest of the same file (every event a duplicate).
//!
//! Run: `cargo bench -p renown --bench ingest` (reads ../shared/data; best of 3 runs each).

use renown_ingest::{format_by_name, ingest_path, open_input, CountingSink, IngestOptions};
use std::path::Path;
use std::time::Instant;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
const RUNS: usize = 3;

/// Best (shortest) of `RUNS` timings of `f`, which returns the number of events it handled.
fn best(mut f: impl FnMut() -> u64) -> (u64, f64) {
    (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let n = f();
            (n, t.elapsed().as_secs_f64())
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("at least one run")
}

fn main() {
    println!(
        "| file | events | parse only (events/s) | into a new store (events/s) | store ÷ parse | re-ingest, all duplicates (events/s) |"
    );
    println!("|---|---|---|---|---|---|");
    for (rel, format) in [
        ("higgs/higgs-activity_time.txt.gz", "higgs"),
        ("slashdot/soc-Slashdot0902.txt.gz", "snap"),
    ] {
        let path = Path::new(DATA).join(rel);
        if !path.exists() {
            println!("| {rel} | absent: skipped | | | | |");
            continue;
        }
        let reader = format_by_name(format).expect("registered format");
        let (events, parse) = best(|| {
            let mut input = open_input(&path).expect("open");
            let mut sink = CountingSink::default();
            reader
                .read(&mut input, &Default::default(), &mut sink)
                .expect("read");
            sink.records()
        });
        let opts = IngestOptions::default();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut round = 0;
        let (stored, store) = best(|| {
            round += 1;
            let db = dir.path().join(format!("fresh-{round}.db"));
            let mut s = renown_store::Store::open(&db).expect("store");
            let r = ingest_path(&mut s, &path, &opts, &mut |_, _, _| {}).expect("ingest");
            assert_eq!(r.added, events);
            r.added
        });
        let db = dir.path().join("fresh-1.db");
        let (dups, again) = best(|| {
            let mut s = renown_store::Store::open(&db).expect("store");
            let r = ingest_path(&mut s, &path, &opts, &mut |_, _, _| {}).expect("ingest");
            assert_eq!(r.added, 0);
            r.duplicate
        });
        assert_eq!((stored, dups), (events, events));
        let rate = |secs: f64| format!("{:.0}", events as f64 / secs);
        println!(
            "| {rel} | {events} | {} | {} | {:.2} | {} |",
            rate(parse),
            rate(store),
            parse / store,
            rate(again)
        );
    }
}
