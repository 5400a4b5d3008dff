//! The simulated store the API tests run on.
#![allow(dead_code)] // each test binary uses a part

use renown_ingest::schema::SchemaRow;
use renown_ingest::{ingest_path, IngestOptions};
use renown_sim::{simulate, SimConfig};
use std::io::Write;
use std::path::Path;

pub fn events_jsonl(seed: u64, accounts: usize) -> Vec<u8> {
    let sim = simulate(&SimConfig {
        seed,
        accounts,
        bought_followers: 300,
        viral_size: 80,
        days: 120,
        buy_day: 60,
        viral_day: 30,
        ..SimConfig::default()
    });
    let mut out = Vec::new();
    for e in &sim.events {
        serde_json::to_writer(&mut out, &SchemaRow::from_event(e, false)).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out
}

pub fn demo_store(dir: &Path) -> std::path::PathBuf {
    store_of(dir, 200)
}

/// A store of the simulation with `accounts` ordinary accounts, ingested from
/// `dir/events.jsonl` into `dir/t.db`.
pub fn store_of(dir: &Path, accounts: usize) -> std::path::PathBuf {
    let events = dir.join("events.jsonl");
    std::fs::write(&events, events_jsonl(7, accounts)).unwrap();
    let db = dir.join("t.db");
    let mut store = renown_store::Store::open(&db).unwrap();
    let report = ingest_path(
        &mut store,
        &events,
        &IngestOptions::default(),
        &mut |_, _, _| {},
    )
    .unwrap();
    assert!(report.added > 1000, "{report:?}");
    db
}
