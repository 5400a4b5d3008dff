//! One log, every measure: a `Log` read once (at no date) gives every measure at every date
//! exactly what reading the store for that date gives, and the graphs it cuts are the graph
//! crate's own snapshots of the store.

mod common;

use common::ev;
use renown_graph::{engagement_graph, follow_graph, EngagementParams, FollowParams};
use renown_measures::{compute_all, Log, MeasureSpec, Scope, ScopeFacts, MEASURES};
use renown_model::Kind;
use renown_sim::{simulate, SimConfig};
use renown_store::Store;

fn store() -> (tempfile::TempDir, Store) {
    let cfg = SimConfig {
        seed: 5,
        accounts: 300,
        days: 120,
        bought_followers: 40,
        buy_day: 60,
        viral_day: 40,
        viral_size: 60,
        ..SimConfig::default()
    };
    let mut events = simulate(&cfg).events;
    // Unfollows, so a date decides which follows stand.
    let t = cfg.start + 70 * 86_400;
    let follows: Vec<_> = events
        .iter()
        .filter(|e| e.kind == Kind::Follow)
        .take(30)
        .cloned()
        .collect();
    for (i, f) in follows.iter().enumerate() {
        let target = f.target.as_ref().unwrap().id.to_string();
        events.push(ev(Kind::Unfollow, &f.actor.id, &target, t + i as i64));
    }
    common::store_with(&events)
}

#[test]
fn one_log_gives_every_measure_at_every_date_what_the_store_gives() {
    let (_dir, store) = store();
    let last = store.last_event_time().unwrap().unwrap();
    // Uncached on both sides: the cache beside the store would give the second what the first
    // wrote.
    let log = Log::read_uncached(&store, &Scope::default()).unwrap();
    let specs: Vec<&MeasureSpec> = MEASURES.iter().collect();
    for as_of in [None, Some(last - 90 * 86_400), Some(last - 40 * 86_400)] {
        let scope = Scope {
            as_of,
            ..Scope::default()
        };
        let all = compute_all(&log, &scope, &specs).unwrap();
        for (spec, scores) in specs.iter().zip(&all) {
            let alone = spec
                .compute_on(&Log::read_uncached(&store, &scope).unwrap(), &scope)
                .unwrap();
            // The PageRank kernel sums its L1 change and dangling mass by a parallel reduce,
            // whose last bits depend on how rayon splits the work: run beside other measures
            // it can differ in the last place (as it can between thread counts).
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
            let pagerank_based = spec.name.contains("pagerank") || spec.name == "tweepcred";
            if pagerank_based {
                assert!(
                    scores.iter().zip(&alone).all(|(&a, &b)| close(a, b)),
                    "{} as of {as_of:?}",
                    spec.name
                );
            } else {
                assert_eq!(scores, &alone, "{} as of {as_of:?}", spec.name);
            }
        }
        let followers = &all[1];
        assert_eq!(specs[1].name, "followers");
        // The follow graph the store cuts at that date: its in-degrees are the followers.
        let g = follow_graph(
            &store,
            &FollowParams {
                as_of,
                platform: None,
            },
        )
        .unwrap();
        let in_degree: Vec<f64> = (0..g.n())
            .map(|v| g.in_adj().neighbors(v).len() as f64)
            .collect();
        assert_eq!(followers, &in_degree, "as of {as_of:?}");
        assert!(followers.iter().any(|&f| f > 0.0));
        // The engagement graph the store cuts: the same edges and weights.
        let p = EngagementParams {
            until: as_of,
            ..EngagementParams::default()
        };
        let from_store = engagement_graph(&store, &p).unwrap();
        let from_log = log.engagement_graph(&p).unwrap();
        assert_eq!(from_store.in_adj().targets(), from_log.in_adj().targets());
        assert_eq!(from_store.in_adj().weights(), from_log.in_adj().weights());
        // And the scope's facts.
        let facts = log.facts(&scope).unwrap();
        let read = ScopeFacts::read(&store, &scope).unwrap();
        assert_eq!(facts.warnings(), read.warnings());
    }
}

#[test]
fn a_log_refuses_a_scope_on_another_topic_or_platform() {
    let (_dir, store) = store();
    let log = Log::read(&store, &Scope::default()).unwrap();
    let meme = Scope {
        topic: Some("meme".into()),
        ..Scope::default()
    };
    for spec in MEASURES {
        let err = spec.compute_on(&log, &meme).expect_err(spec.name);
        assert!(err.to_string().contains("asked for topic"), "{err}");
    }
    // Read for the topic, it gives what the store gives (the first computes afresh, the second
    // writes the cache).
    let log = Log::read_uncached(&store, &meme).unwrap();
    for spec in MEASURES {
        assert_eq!(
            spec.compute_on(&log, &meme).unwrap(),
            spec.compute(&store, &meme).unwrap(),
            "{}",
            spec.name
        );
    }
}

/// The snapshot files of a store's cache, with their inodes (a rebuilt file is a new inode).
fn cached_graphs(store: &Store) -> Vec<(String, u64)> {
    use std::os::unix::fs::MetadataExt;
    let dir = renown_graph::cache_dir(store.path());
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let ino = e.metadata().unwrap().ino();
                    (e.file_name().to_string_lossy().into_owned(), ino)
                })
                .filter(|(name, _)| name.ends_with(".csr") || name.ends_with(".bin"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn a_log_shares_the_snapshot_cache_of_its_store_state_and_an_ingest_invalidates_it() {
    use renown_measures::pagerank::ENGAGEMENT_PAGERANK;
    use renown_model::Record;
    let (_dir, mut store) = store();
    let scope = Scope::default();
    assert!(cached_graphs(&store).is_empty());
    let p = EngagementParams::default();
    let log = Log::read(&store, &scope).unwrap();
    let before = ENGAGEMENT_PAGERANK.compute_on(&log, &scope).unwrap();
    log.follow_graph(None).unwrap();
    let written = cached_graphs(&store);
    let kinds: Vec<&str> = written
        .iter()
        .map(|f| &f.0[..f.0.find('-').unwrap()])
        .collect();
    assert_eq!(kinds, ["engagement", "follow", "scores"], "{written:?}");
    // The same state: the files are read, not rebuilt; the scores are the very bits written, and
    // what a computation afresh gives.
    let again = Log::read(&store, &scope).unwrap();
    let close = |a: &f64, b: &f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
    assert_eq!(
        ENGAGEMENT_PAGERANK.compute_on(&again, &scope).unwrap(),
        before
    );
    let afresh = Log::read_uncached(&store, &scope).unwrap();
    let fresh_scores = ENGAGEMENT_PAGERANK.compute_on(&afresh, &scope).unwrap();
    assert!(fresh_scores.iter().zip(&before).all(|(a, b)| close(a, b)));
    // A damaged scores file is computed again, not read.
    let scores_file = renown_graph::cache_dir(store.path()).join(&written[2].0);
    let bytes = std::fs::read(&scores_file).unwrap();
    std::fs::write(&scores_file, &bytes[..bytes.len() - 8]).unwrap();
    let recomputed = ENGAGEMENT_PAGERANK.compute_on(&again, &scope).unwrap();
    assert!(recomputed.iter().zip(&before).all(|(a, b)| close(a, b)));
    assert_eq!(std::fs::read(&scores_file).unwrap().len(), bytes.len());
    again.follow_graph(None).unwrap();
    let graphs = |files: &[(String, u64)]| files[..2].to_vec();
    assert_eq!(graphs(&cached_graphs(&store)), graphs(&written));
    // The store's own cached builder reads the file the log wrote.
    let (g, outcome) = renown_graph::cached_engagement_graph(&store, &p).unwrap();
    assert_eq!(outcome, renown_graph::CacheOutcome::Hit);
    assert_eq!(
        g.in_adj().targets(),
        engagement_graph(&store, &p).unwrap().in_adj().targets()
    );

    // An ingest changes the state: the graph is cut afresh and the answer changes.
    let t = store.last_event_time().unwrap().unwrap();
    let run = store.begin_run("more", "test").unwrap();
    let records: Vec<(u64, Record)> = (0..40)
        .map(|i| {
            let e = ev(Kind::Reshare, &format!("late{i}"), "late-star", t + i);
            (i as u64, Record::Event(e))
        })
        .collect();
    store.write_batch(run, &records, 0).unwrap();
    let after_log = Log::read(&store, &scope).unwrap();
    let after = ENGAGEMENT_PAGERANK.compute_on(&after_log, &scope).unwrap();
    assert_eq!(after.len(), before.len() + 41);
    assert!(!after.iter().zip(&before).all(|(a, b)| close(a, b)));
    let after_fresh = ENGAGEMENT_PAGERANK
        .compute_on(&Log::read_uncached(&store, &scope).unwrap(), &scope)
        .unwrap();
    assert!(after_fresh.iter().zip(&after).all(|(a, b)| close(a, b)));
    let fresh = engagement_graph(&store, &p).unwrap();
    let from_log = after_log.engagement_graph(&p).unwrap();
    assert_eq!(fresh.in_adj().targets(), from_log.in_adj().targets());
    assert_eq!(fresh.in_adj().weights(), from_log.in_adj().weights());
    // The older state's engagement graph and scores were pruned when the new ones were written.
    let now = cached_graphs(&store);
    let stale =
        |f: &(String, u64)| !f.0.starts_with("follow") && written.iter().any(|w| w.0 == f.0);
    assert!(!now.iter().any(stale), "{now:?}");
    assert_eq!(now.len(), 3, "{now:?}");
}
