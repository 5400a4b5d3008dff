//! Cascade reconstruction on every Twitter15 tree (target: under 2 s), and the dynamics
//! estimator on the same arrivals.
//!
//! Run: CARGO_TARGET_DIR=/work/target-spread cargo bench -p renown-spread --bench cascades

use renown_ingest::{ingest_path, IngestOptions};
use renown_spread::cascades::{cascades, CascadeOptions};
use renown_spread::dynamics::{dynamics, DynamicsOptions};
use renown_store::Store;
use std::time::Instant;

const TREES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twitter15/tree"
);
const RUNS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if !std::path::Path::new(TREES).exists() {
        println!("skipping: {TREES} is absent");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("t15.db");
    let mut store = Store::open(&db).expect("store");
    let t = Instant::now();
    let report = ingest_path(
        &mut store,
        std::path::Path::new(TREES),
        &IngestOptions::default(),
        &mut |_, _, _| {},
    )
    .expect("ingest");
    println!(
        "ingest twitter15/tree (1,490 files): {} events in {:.2} s (setup, not the measured step)",
        report.added,
        t.elapsed().as_secs_f64()
    );
    drop(store);
    let store = Store::open_read_only(&db).expect("store");

    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = cascades(&store, &CascadeOptions::default()).expect("cascades");
        times.push(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    let r = last.expect("ran");
    let nodes: usize = r.cascades.iter().map(|c| c.stats.size).sum();
    let t_casc = median(times);
    println!(
        "cascades (store read + reconstruction + stats + per-account credit): {} cascades, {} nodes, \
         {} accounts: median {:.3} s of {RUNS} runs ({:.0} k nodes/s) — target < 2 s: {}",
        r.cascades.len(),
        nodes,
        r.accounts.len(),
        t_casc,
        nodes as f64 / t_casc / 1e3,
        if t_casc < 2.0 { "met" } else { "MISSED" }
    );

    let opts = DynamicsOptions {
        bootstrap: 20,
        ..DynamicsOptions::default()
    };
    let t = Instant::now();
    let d = dynamics(&store, &opts).expect("dynamics");
    println!(
        "dynamics on the same reshares ({} arrivals, {} accounts, {} steps, 20 bootstrap \
         replicates): {:.2} s; alpha {:?}",
        d.arrivals,
        d.accounts,
        d.steps,
        t.elapsed().as_secs_f64(),
        d.alpha.as_ref().map(|a| (a.value, a.low, a.high))
    );
}
