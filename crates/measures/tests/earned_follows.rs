//! Earned influence reads standing follows from `renown_graph::standing_follows`, the edges of
//! the follow graph: the same pairs as `follow_graph`, and the time of the follow that stands.

mod common;
use common::{ev, store_with};

use renown_graph::{follow_graph, standing_follows, FollowParams};
use renown_measures::earned::{model, EarnedParams, DAY};
use renown_measures::Scope;
use renown_model::Kind;
use renown_sim::PLATFORM;
use renown_store::Store;

const T0: i64 = 1_700_000_000;

fn dense(store: &Store, id: &str) -> u32 {
    store.find_account(&format!("{PLATFORM}:{id}")).unwrap()
}

/// Every account appears first in the same order, so dense ids agree between the two stores.
fn events(history: bool) -> Vec<renown_model::Event> {
    let mut e = vec![
        ev(Kind::Reply, "x", "b", T0),
        ev(Kind::Reply, "y", "b", T0 + 10),
        ev(Kind::Reply, "z", "c", T0 + 20),
        ev(Kind::Reshare, "c", "b", T0 + 30),
    ];
    if history {
        // x follows, unfollows and follows again: the last follow (day 40) stands.
        e.push(ev(Kind::Follow, "x", "b", T0 + DAY));
        e.push(ev(Kind::Unfollow, "x", "b", T0 + 20 * DAY));
        // z follows and unfollows: nothing stands.
        e.push(ev(Kind::Follow, "z", "b", T0 + 2 * DAY));
        e.push(ev(Kind::Unfollow, "z", "b", T0 + 3 * DAY));
    }
    e.push(ev(Kind::Follow, "x", "b", T0 + 40 * DAY));
    e.push(ev(Kind::Follow, "y", "c", T0 + 5 * DAY));
    e
}

#[test]
fn the_follow_that_stands_decides_pair_and_time() {
    let (_d1, with_history) = store_with(&events(true));
    let (_d2, plain) = store_with(&events(false));
    let at = FollowParams::default();
    let follows = standing_follows(&with_history, &at).unwrap();
    let (x, y, b, c) = (
        dense(&with_history, "x"),
        dense(&with_history, "y"),
        dense(&with_history, "b"),
        dense(&with_history, "c"),
    );
    let pair = |a: u32, t: u32| (a as u64) << 32 | t as u64;
    assert_eq!(
        follows,
        [
            (pair(x, b), Some(T0 + 40 * DAY)),
            (pair(y, c), Some(T0 + 5 * DAY))
        ]
    );
    // The same edges as the follow graph.
    let g = follow_graph(&with_history, &at).unwrap();
    let mut edges = Vec::new();
    for a in 0..g.n() {
        for &t in g.out_adj().expect("out edges").neighbors(a) {
            edges.push(pair(a, t));
        }
    }
    assert_eq!(edges, follows.iter().map(|f| f.0).collect::<Vec<_>>());
    // As of day 30, x's first follow was undone and not yet renewed.
    let day30 = FollowParams {
        as_of: Some(T0 + 30 * DAY),
        ..FollowParams::default()
    };
    assert_eq!(
        standing_follows(&with_history, &day30).unwrap(),
        [(pair(y, c), Some(T0 + 5 * DAY))]
    );

    // Earned influence sees only the standing state: identical scores with or without the
    // history, and the follow term counts (it changes b's score).
    let p = EarnedParams {
        half_life_days: 30.0,
        ..EarnedParams::default()
    };
    let scope = Scope {
        as_of: Some(T0 + 50 * DAY),
        ..Scope::default()
    };
    let a = model(&with_history, &scope, &p).unwrap().score;
    let same = model(&plain, &scope, &p).unwrap().score;
    assert_eq!(a, same);
    let no_follows = EarnedParams {
        follow_weight: 0.0,
        ..p.clone()
    };
    let without = model(&plain, &scope, &no_follows).unwrap().score;
    assert!(a[b as usize] > without[b as usize], "{a:?} {without:?}");
}
