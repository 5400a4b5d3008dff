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

/// Events from `t0` on whose exposure graph influence-passivity is still changing by ~6e-5 at
/// its cap of 200 iterations (the measure's unit test): a2 → a1 and a1 → a0 of weight 1/4
/// (one reshare of four posts), a2 → a0 and a1 → a2 of weight 0 (follows without reshares).
/// With a0 also resharing one of a2's posts it converges in 17 iterations.
pub fn influence_passivity_at_its_cap(t0: i64) -> Vec<Event> {
    let mut events = Vec::new();
    for (i, author) in ["a1", "a2"].into_iter().enumerate() {
        for k in 0..4 {
            let mut post = Event::new(PLATFORM, Kind::Post, AccountRef::new(author));
            post.time = Some(t0 + 10 * i as i64 + k);
            events.push(post);
        }
    }
    events.extend([
        ev(Kind::Reshare, "a1", "a2", t0 + 100),
        ev(Kind::Reshare, "a0", "a1", t0 + 101),
        ev(Kind::Follow, "a0", "a2", t0 + 102),
        ev(Kind::Follow, "a2", "a1", t0 + 103),
    ]);
    events
}
