//! What the measures' integration tests share: an event between two accounts of the simulated
//! platform and a store holding a list of events. Each test file compiles its own copy.
#![allow(dead_code)]

use renown_model::{AccountRef, Event, Kind, Record};
use renown_sim::PLATFORM;
use renown_store::Store;

/// `a` does `kind` to `b` at `t`, on the simulated platform.
pub fn ev(kind: Kind, a: &str, b: &str, t: i64) -> Event {
    let mut e = Event::new(PLATFORM, kind, AccountRef::new(a));
    e.target = Some(AccountRef::new(b));
    e.time = Some(t);
    e
}

/// A store in a temporary folder holding `events` (written in batches as an ingest would).
pub fn store_with(events: &[Event]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let run = store.begin_run("test", "test").unwrap();
    for (c, chunk) in events.chunks(50_000).enumerate() {
        let recs: Vec<(u64, Record)> = chunk
            .iter()
            .enumerate()
            .map(|(i, e)| ((c * 50_000 + i) as u64, Record::Event(e.clone())))
            .collect();
        store.write_batch(run, &recs, 0).unwrap();
    }
    (dir, store)
}
