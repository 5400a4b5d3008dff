//! What the audit's integration tests share: renown-sim's network in which a company buys
//! followers, written to a store. Each test file compiles its own copy.
#![allow(dead_code)]

use renown_model::{Event, Record};
use renown_sim::{simulate, SimConfig, Truth};
use renown_store::Store;

/// 1,500 organic accounts over 400 days; 1,000 followers bought on day 250, a viral post on 100.
pub fn buyer_network() -> SimConfig {
    SimConfig {
        accounts: 1500,
        days: 400,
        bought_followers: 1000,
        buy_day: 250,
        viral_day: 100,
        viral_size: 600,
        ..SimConfig::default()
    }
}

/// The events of `cfg`'s simulation that `keep` accepts, in a store in a temporary folder.
pub fn store_of(
    cfg: &SimConfig,
    keep: impl Fn(&Event) -> bool,
) -> (tempfile::TempDir, Store, Truth) {
    let sim = simulate(cfg);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let run = store.begin_run("sim", "test").unwrap();
    let recs: Vec<(u64, Record)> = sim
        .events
        .into_iter()
        .filter(|e| keep(e))
        .enumerate()
        .map(|(i, e)| (i as u64, Record::Event(e)))
        .collect();
    store.write_batch(run, &recs, 0).unwrap();
    (dir, store, sim.truth)
}
