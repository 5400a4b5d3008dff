//! Earned influence over the whole Higgs store (563,069 events), beside the baselines, after
//! ingest: `cargo bench -p renown-measures --bench earned`.
//!
//! Uses the store at `$RENOWN_BENCH_DB` if set, else ingests
//! `../shared/data/higgs/higgs-activity_time.txt.gz` into a temporary store first (not timed).
//! Prints the median and best of `$RENOWN_BENCH_REPS` (default 5) runs of each measure, in wall
//! seconds and in CPU seconds of the process (user + system, all threads; from /proc on Linux):
//! on a shared machine the wall time includes waiting for the cores, the CPU time does not.

use renown_ingest::{ingest_path, IngestOptions};
use renown_measures::earned::{model, EarnedParams};
use renown_measures::{measure, Scope};
use renown_store::Store;
use std::path::PathBuf;
use std::time::Instant;

const HIGGS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/higgs/higgs-activity_time.txt.gz"
);

fn main() {
    let reps: usize = std::env::var("RENOWN_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let _tmp;
    let db: PathBuf = match std::env::var_os("RENOWN_BENCH_DB") {
        Some(p) => PathBuf::from(p),
        None => {
            if !std::path::Path::new(HIGGS).exists() {
                println!("skipped: {HIGGS} is absent");
                return;
            }
            _tmp = tempfile::tempdir().expect("temp dir");
            let db = _tmp.path().join("higgs.db");
            let mut store = Store::open(&db).expect("store");
            let t = Instant::now();
            let r = ingest_path(
                &mut store,
                std::path::Path::new(HIGGS),
                &IngestOptions::default(),
                &mut |_, _, _| {},
            )
            .expect("ingest");
            println!(
                "ingested {} events in {:.1}s (not timed below)",
                r.added,
                t.elapsed().as_secs_f64()
            );
            db
        }
    };
    let store = Store::open_read_only(&db).expect("store");
    println!(
        "store: {} accounts; {} run(s) each, seconds: wall median / best, CPU median / best",
        store.account_count().expect("accounts"),
        reps
    );
    let scope = Scope::default();
    let time = |f: &mut dyn FnMut()| {
        let (mut wall, mut cpu): (Vec<f64>, Vec<f64>) = (0..reps)
            .map(|_| {
                let (s, c) = (Instant::now(), cpu_seconds());
                f();
                (s.elapsed().as_secs_f64(), cpu_seconds() - c)
            })
            .unzip();
        wall.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        (wall[wall.len() / 2], wall[0], cpu[cpu.len() / 2], cpu[0])
    };
    for name in [
        "earned",
        "engagement",
        "reshare-pagerank",
        "tweepcred",
        "influence-passivity",
    ] {
        let Ok(spec) = measure(name) else { continue };
        let (med, best, cmed, cbest) = time(&mut || {
            std::hint::black_box(spec.compute(&store, &scope).expect("measure"));
        });
        println!("{name:<22} {med:>8.3} {best:>8.3} {cmed:>8.3} {cbest:>8.3}");
    }
    // Where earned's time goes: the event scan alone (the floor any measure pays).
    let (med, best, cmed, cbest) = time(&mut || {
        let mut k = 0u64;
        store
            .scan_events(&scope.filter(&renown_model::ENGAGEMENT_KINDS), |_| k += 1)
            .expect("scan");
        std::hint::black_box(k);
    });
    println!(
        "{:<22} {med:>8.3} {best:>8.3} {cmed:>8.3} {cbest:>8.3}",
        "(engagement scan)"
    );
    let m = model(&store, &scope, &EarnedParams::default()).expect("model");
    println!(
        "earned graph: {} nodes, {} edges; {} accounts score above zero",
        m.graph.n(),
        m.graph.m(),
        m.score.iter().filter(|&&s| s > 0.0).count()
    );
}

/// CPU seconds used by this process so far (user + system, all threads), from
/// `/proc/self/stat` in clock ticks (100 per second on Linux); NaN elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (tick(11) + tick(12)) / 100.0
}
