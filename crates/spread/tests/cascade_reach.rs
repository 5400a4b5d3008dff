//! The `cascade-reach` target of `renown backtest`: the nodes a root's cascades gained in the
//! horizon, reshares of reshares included.

use renown_measures::backtest::{backtest, outcomes, BacktestOptions, Reach, Target};
use renown_model::{AccountRef, Event, Kind, Record};
use renown_spread::cascades::reach_after;
use renown_store::Store;

fn ev(kind: Kind, a: &str, b: &str, t: i64, item: &str, parent: Option<&str>) -> Event {
    let mut e = Event::new("x", kind, AccountRef::new(a));
    e.target = Some(AccountRef::new(b));
    e.time = Some(t);
    e.item = Some(item.to_string());
    e.parent = parent.map(str::to_string);
    e
}

#[test]
fn cascade_reach_counts_the_nodes_a_root_gained_in_the_horizon() {
    let mut post = Event::new("x", Kind::Post, AccountRef::new("z"));
    post.time = Some(100);
    post.item = Some("p1".into());
    let events = vec![
        post,
        ev(Kind::Reshare, "a", "z", 500, "r1", Some("p1")), // before the split
        ev(Kind::Reshare, "b", "a", 1_500, "r2", Some("r1")), // a reshare of a's reshare
        ev(Kind::Reshare, "c", "z", 1_800, "r3", Some("p1")),
        ev(Kind::Reshare, "d", "z", 3_000, "r4", Some("p1")), // after the horizon
        ev(Kind::Reply, "y", "a", 400, "q1", None),           // so y is active before the split
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let run = store.begin_run("test", "test").unwrap();
    let recs: Vec<(u64, Record)> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i as u64, Record::Event(e)))
        .collect();
    store.write_batch(run, &recs, 0).unwrap();
    let dense = |id: &str| {
        store
            .accounts()
            .unwrap()
            .into_iter()
            .find(|a| a.native_id == id)
            .unwrap()
            .dense as usize
    };
    let (split, until) = (1_000, 2_000);
    let reach = reach_after(&store, None, split, until).unwrap();
    // z's tree gained b (under a) and c in the horizon; a only carried, it started nothing.
    assert_eq!(reach[dense("z")], 2.0);
    assert_eq!(reach[dense("a")], 0.0);
    // Distinct engagers would credit a with b, not z: the targets differ by design.
    let o = outcomes(&store, None, Target::DistinctEngagers, split, until, None).unwrap();
    assert_eq!((o.target[dense("z")], o.target[dense("a")]), (1.0, 1.0));
    let o = outcomes(
        &store,
        None,
        Target::CascadeReach,
        split,
        until,
        Some(Reach(reach_after)),
    )
    .unwrap();
    assert_eq!((o.target[dense("z")], o.target[dense("a")]), (2.0, 0.0));
    // Without the reconstruction the target is refused, not silently zero.
    assert!(outcomes(&store, None, Target::CascadeReach, split, until, None).is_err());
    let opts = BacktestOptions {
        splits: vec![split],
        horizon: Some(until - split),
        target: Target::CascadeReach,
        measures: vec!["engagement".into(), "reshares".into()],
        bootstrap: 0,
        cascade_reach: Some(Reach(reach_after)),
        ..BacktestOptions::default()
    };
    let bt = backtest(&store, &opts).unwrap();
    assert_eq!(bt.splits[0].with_target, 1);
}
