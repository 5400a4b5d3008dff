//! What the cluster's integration tests share.

use renown_cluster::{ClusterConfig, Job, Measure};
use renown_model::{Event, Record};
use renown_store::Store;
use std::path::Path;
use std::time::Duration;

/// One process on loopback with `workers` workers.
pub fn config(workers: u32) -> ClusterConfig {
    ClusterConfig {
        addresses: vec!["127.0.0.1:1".into()],
        process: 0,
        workers,
        connect_timeout: Duration::from_secs(20),
        stall_timeout: Duration::from_secs(60),
    }
}

/// A whole-store job for `measure` on `store` as of `as_of`, with the default parameters.
pub fn job(store: &Path, measure: Measure, as_of: Option<i64>) -> Job {
    Job {
        measure,
        as_of,
        topic: None,
        platform: None,
        top: 0,
        stores: vec![store.to_path_buf()],
        earned: Default::default(),
        pagerank_damping: 0.85,
        pagerank_cap: None,
        load_chunk: renown_cluster::rank::LOAD_CHUNK,
    }
}

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
