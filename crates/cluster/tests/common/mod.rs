//! What the cluster's integration tests share.

use renown_model::{Event, Record};
use renown_store::Store;
use std::path::Path;

/// A store at `path` holding `events`, written as one ingest run.
pub fn write_store(path: &Path, events: &[Event]) {
    let mut store = Store::open(path).unwrap();
    let run = store.begin_run("test", "test").unwrap();
    let records: Vec<(u64, Record)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64, Record::Event(e.clone())))
        .collect();
    store.write_batch(run, &records, 0).unwrap();
}

/// A xorshift64 stream from `seed`: `next(n)` is the next value below `n` (the tests' events are
/// reproducible without a random-number crate).
pub fn xorshift(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}
