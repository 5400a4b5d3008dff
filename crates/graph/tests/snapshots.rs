//! Snapshots cut from a real store, and the on-disk cache around them.

use renown_graph::{
    cached_engagement_graph, cached_follow_graph, engagement_graph, follow_graph, CacheOutcome,
    Decay, EngagementParams, FollowParams,
};
use renown_model::{AccountRef, Event, Kind, Record};
use renown_store::Store;

fn ev(kind: Kind, a: &str, b: &str, t: Option<i64>) -> Event {
    let mut e = Event::new("test", kind, AccountRef::new(a));
    e.target = Some(AccountRef::new(b));
    e.time = t;
    e
}

fn write(store: &mut Store, events: &[Event], first: u64) {
    let run = store.begin_run("test", "test").unwrap();
    let recs: Vec<(u64, Record)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (first + i as u64, Record::Event(e.clone())))
        .collect();
    store.write_batch(run, &recs, 0).unwrap();
    store.finish_run(run, "clean", None).unwrap();
}

fn id(store: &Store, s: &str) -> u32 {
    store.find_account(&format!("test:{s}")).unwrap()
}

#[test]
fn follow_graph_as_of_applies_unfollows_and_dedups() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let mut store = Store::open(&db).unwrap();
    write(
        &mut store,
        &[
            ev(Kind::Follow, "a", "b", Some(100)),
            ev(Kind::Follow, "a", "b", Some(150)), // duplicate pair: one edge
            ev(Kind::Unfollow, "a", "b", Some(200)),
            ev(Kind::Follow, "c", "b", None), // timeless: always there
            ev(Kind::Follow, "b", "b", Some(10)), // self-follow: dropped
            ev(Kind::Follow, "d", "a", Some(300)),
        ],
        0,
    );
    let (a, b, c, d) = (
        id(&store, "a"),
        id(&store, "b"),
        id(&store, "c"),
        id(&store, "d"),
    );
    let at = |t| {
        follow_graph(
            &store,
            &FollowParams {
                as_of: Some(t),
                platform: None,
            },
        )
        .unwrap()
    };
    let g = at(160);
    assert_eq!(g.m(), 2);
    let mut fans = g.in_adj().neighbors(b).to_vec();
    fans.sort();
    assert_eq!(fans, {
        let mut v = vec![a, c];
        v.sort();
        v
    });
    let g = at(250);
    assert_eq!(g.in_adj().neighbors(b), &[c]);
    assert_eq!(g.in_degree(a), 0);
    let g = follow_graph(&store, &FollowParams::default()).unwrap();
    assert_eq!(g.in_adj().neighbors(a), &[d]);
    assert_eq!(g.n(), 4);
}

#[test]
fn engagement_graph_weights_kinds_decay_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let mut store = Store::open(&db).unwrap();
    let day = 86_400;
    write(
        &mut store,
        &[
            ev(Kind::Reshare, "a", "b", Some(10 * day)),
            ev(Kind::Like, "a", "b", Some(10 * day)),
            ev(Kind::Reply, "c", "b", Some(9 * day)),
            ev(Kind::Reply, "c", "c", Some(9 * day)), // self: dropped
            ev(Kind::Follow, "d", "b", Some(9 * day)), // not engagement
            ev(Kind::Mention, "b", "a", Some(20 * day)), // after the window
        ],
        0,
    );
    let (a, b, c) = (id(&store, "a"), id(&store, "b"), id(&store, "c"));
    let p = EngagementParams {
        until: Some(10 * day),
        ..Default::default()
    };
    let g = engagement_graph(&store, &p).unwrap();
    assert_eq!(g.m(), 2);
    let ins = g.in_adj();
    let pairs: Vec<(u32, f32)> = ins
        .neighbors(b)
        .iter()
        .copied()
        .zip(ins.neighbor_weights(b).unwrap().iter().copied())
        .collect();
    assert!(
        pairs.contains(&(a, 1.25)) && pairs.contains(&(c, 1.0)),
        "{pairs:?}"
    );
    // One-day half-life: c's reply, one day older than the window's end, weighs half.
    let p = EngagementParams {
        decay: Decay::Exponential { half_life: day },
        ..p
    };
    let g = engagement_graph(&store, &p).unwrap();
    let w = g.in_adj().neighbor_weights(b).unwrap();
    let from_c = g
        .in_adj()
        .neighbors(b)
        .iter()
        .position(|&x| x == c)
        .unwrap();
    assert!((w[from_c] - 0.5).abs() < 1e-6);
}

#[test]
fn cache_hits_until_the_store_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let mut store = Store::open(&db).unwrap();
    write(
        &mut store,
        &[
            ev(Kind::Follow, "a", "b", Some(1)),
            ev(Kind::Reply, "b", "a", Some(2)),
        ],
        0,
    );
    let p = FollowParams::default();
    let (g1, o1) = cached_follow_graph(&store, &p).unwrap();
    let (g2, o2) = cached_follow_graph(&store, &p).unwrap();
    assert_eq!((o1, o2), (CacheOutcome::Built, CacheOutcome::Hit));
    assert_eq!(g1.in_adj().offsets(), g2.in_adj().offsets());
    assert_eq!(g1.in_adj().targets(), g2.in_adj().targets());
    assert_eq!(
        g1.out_adj().unwrap().targets(),
        g2.out_adj().unwrap().targets()
    );
    let (e1, eo) = cached_engagement_graph(&store, &EngagementParams::default()).unwrap();
    assert_eq!(eo, CacheOutcome::Built);
    let (e2, _) = cached_engagement_graph(&store, &EngagementParams::default()).unwrap();
    assert_eq!(e1.in_adj().weights(), e2.in_adj().weights());
    // A new ingest changes the state token: rebuilt, and the stale file is pruned.
    write(&mut store, &[ev(Kind::Follow, "c", "b", Some(3))], 10);
    let (g3, o3) = cached_follow_graph(&store, &p).unwrap();
    assert_eq!(o3, CacheOutcome::Built);
    assert_eq!(g3.m(), 2);
    let follow_files = std::fs::read_dir(renown_graph::cache_dir(&db))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("follow-")
        })
        .count();
    assert_eq!(follow_files, 1);
    // A damaged cache file is rebuilt, not trusted.
    for e in std::fs::read_dir(renown_graph::cache_dir(&db)).unwrap() {
        let path = e.unwrap().path();
        let len = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
    }
    let (g4, o4) = cached_follow_graph(&store, &p).unwrap();
    assert_eq!(o4, CacheOutcome::Built);
    assert_eq!(g4.m(), 2);
}
