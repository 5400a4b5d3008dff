//! Snapshot builds from a real store, and the cached second query:
//! `cargo bench -p renown-graph --bench snapshots`.
//!
//! Ingests Slashdot (SNAP, 948,464 follows) and the Higgs activity log (563,069 timed
//! retweets, replies and mentions) from ../shared/data into a temporary store, then times
//! the follow graph of Slashdot and the engagement graph of Higgs (kind weights, and kind
//! weights with a one-day half-life): the plain build (event scan + counting sort), the first
//! cached query (build + write the snapshot file) and repeated cached queries (map the file).

use renown_graph::{
    cache_dir, cached_engagement_graph, cached_follow_graph, engagement_graph, follow_graph,
    CacheOutcome, Csr, Decay, EngagementParams, FollowParams,
};
use renown_ingest::{ingest_path, IngestOptions};
use renown_store::Store;
use std::path::Path;
use std::time::Instant;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn secs<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let x = f();
    (x, t.elapsed().as_secs_f64())
}

/// Times one snapshot: plain builds, the first cached query, then cached hits.
fn measure(
    name: &str,
    db: &Path,
    build: &dyn Fn() -> Csr,
    cached: &dyn Fn() -> (Csr, CacheOutcome),
) {
    let builds: Vec<f64> = (0..3).map(|_| secs(build).1).collect();
    let _ = std::fs::remove_dir_all(cache_dir(db));
    let ((g, first), t_first) = secs(cached);
    assert_eq!(
        first,
        CacheOutcome::Built,
        "{name}: the cache was not empty"
    );
    let hits: Vec<f64> = (0..5)
        .map(|_| {
            let ((h, o), t) = secs(cached);
            assert_eq!(o, CacheOutcome::Hit, "{name}: repeated query rebuilt");
            assert_eq!((h.n(), h.m()), (g.n(), g.m()));
            t
        })
        .collect();
    let (b, h) = (median(builds), median(hits));
    println!(
        "{name}: {} nodes, {} edges | build {:.3} s | first cached query {:.3} s | \
         cached query {:.4} s ({:.0}x faster than the first)",
        g.n(),
        g.m(),
        b,
        t_first,
        h,
        t_first / h
    );
}

fn ingest(store: &mut Store, rel: &str) -> bool {
    let p = Path::new(DATA).join(rel);
    if !p.exists() {
        println!("NOTE: {} is absent; skipped", p.display());
        return false;
    }
    let (r, t) = secs(|| {
        ingest_path(store, &p, &IngestOptions::default(), &mut |_, _, _| {}).expect("ingest")
    });
    println!("ingested {rel} in {t:.1} s ({:?})", r.status);
    true
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    let mut store = Store::open(&db).expect("store");
    let slashdot = ingest(&mut store, "slashdot/soc-Slashdot0902.txt.gz");
    let higgs = ingest(&mut store, "higgs/higgs-activity_time.txt.gz");
    let store = Store::open_read_only(&db).expect("store");
    if slashdot {
        // The Higgs activity log has no follows: the follow graph is Slashdot's.
        let p = FollowParams::default();
        measure(
            "slashdot follow graph",
            &db,
            &|| follow_graph(&store, &p).expect("build"),
            &|| cached_follow_graph(&store, &p).expect("cached"),
        );
    }
    if higgs {
        for (label, decay) in [
            ("higgs engagement graph", Decay::None),
            (
                "higgs engagement graph, 1-day half-life",
                Decay::Exponential { half_life: 86_400 },
            ),
        ] {
            let p = EngagementParams {
                decay,
                ..Default::default()
            };
            measure(
                label,
                &db,
                &|| engagement_graph(&store, &p).expect("build"),
                &|| cached_engagement_graph(&store, &p).expect("cached"),
            );
        }
    }
}
