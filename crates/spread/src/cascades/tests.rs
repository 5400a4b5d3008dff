use super::*;
use renown_store::EventRow;

/// All-pairs mean distance, pair by pair: each pair's path climbs to their lowest common
/// ancestor (quadratic; independent of the subtree-size formula).
pub(crate) fn brute_force_mean_distance(parents: &[Option<u32>]) -> f64 {
    let n = parents.len();
    if n < 2 {
        return 0.0;
    }
    let mut depth = vec![0u32; n];
    for v in 0..n {
        if let Some(p) = parents[v] {
            depth[v] = depth[p as usize] + 1;
        }
    }
    let up = |v: usize| parents[v].expect("not above the root") as usize;
    let mut total: u64 = 0;
    for i in 0..n {
        for j in i + 1..n {
            let (mut a, mut b) = (i, j);
            let mut d = 0u64;
            while depth[a] > depth[b] {
                a = up(a);
                d += 1;
            }
            while depth[b] > depth[a] {
                b = up(b);
                d += 1;
            }
            while a != b {
                a = up(a);
                b = up(b);
                d += 2;
            }
            total += d;
        }
    }
    // Every unordered pair stands for two ordered ones.
    2.0 * total as f64 / (n * (n - 1)) as f64
}

#[test]
fn structural_virality_counts_ordered_pairs_not_half_of_them() {
    // Two nodes: the only distance is 1, so the mean must be 1 (the halving pitfall gives 0.5).
    assert_eq!(structural_virality(&[None, Some(0)]), 1.0);
    // A path a-b-c: distances 1, 1, 2 → mean 4/3 (pitfall: 2/3).
    let path = [None, Some(0), Some(1)];
    assert!((structural_virality(&path) - 4.0 / 3.0).abs() < 1e-12);
    // A star of n nodes: mean 2(n−1)/n, approaching 2 (pitfall: approaching 1).
    let star: Vec<Option<u32>> = std::iter::once(None)
        .chain((1..100).map(|_| Some(0)))
        .collect();
    assert!((structural_virality(&star) - 2.0 * 99.0 / 100.0).abs() < 1e-12);
    for p in [&path[..], &star[..]] {
        assert!((structural_virality(p) - brute_force_mean_distance(p)).abs() < 1e-12);
    }
    assert_eq!(structural_virality(&[None]), 0.0);
}

fn ev(id: i64, time: i64, kind: Kind, actor: u32, target: Option<u32>) -> FullEventRow {
    FullEventRow {
        id,
        row: EventRow {
            time: Some(time),
            kind,
            actor,
            target,
        },
        item: None,
        parent: None,
        topics: Vec::new(),
    }
}

fn with_items(mut e: FullEventRow, item: &str, parent: Option<&str>) -> FullEventRow {
    e.item = Some(item.into());
    e.parent = parent.map(str::to_string);
    e
}

#[test]
fn item_trees_with_duplicates_cycles_and_unseen_parents() {
    let events = vec![
        with_items(ev(1, 100, Kind::Post, 0, None), "p", None),
        with_items(ev(2, 110, Kind::Reshare, 1, Some(0)), "a", Some("p")),
        with_items(ev(3, 120, Kind::Reshare, 2, Some(1)), "b", Some("a")),
        with_items(ev(4, 130, Kind::Reply, 3, Some(0)), "c", Some("p")),
        // A second claim on item "b" under another parent: dropped.
        with_items(ev(5, 140, Kind::Reshare, 2, Some(0)), "b", Some("p")),
        // A two-cycle x <-> y: one link is cut, leaving a 2-node tree.
        with_items(ev(6, 150, Kind::Reshare, 4, Some(5)), "x", Some("y")),
        with_items(ev(7, 150, Kind::Reshare, 5, Some(4)), "y", Some("x")),
        // Parent item never seen: hangs under a stand-in for the target's item.
        with_items(ev(8, 160, Kind::Quote, 6, Some(7)), "q", Some("gone")),
    ];
    let r = reconstruct(events, &Exposure::default(), &[], 2);
    assert_eq!(r.anomalies.duplicate_items, 1);
    assert_eq!(r.anomalies.cycles_cut, 1);
    assert_eq!(r.anomalies.unseen_parents, 1);
    let sizes: Vec<usize> = r.cascades.iter().map(|c| c.stats.size).collect();
    assert_eq!(sizes, vec![4, 2, 2]);
    let big = &r.cascades[0];
    assert_eq!(big.id, "p");
    assert_eq!((big.stats.depth, big.stats.max_breadth), (2, 2));
    // Nodes at 100, 110, 120, 130: half (2 nodes) is reached at 110.
    assert_eq!(big.stats.time_to_half, Some(10));
    let root = r.accounts.iter().find(|a| a.account == 0).unwrap();
    assert_eq!((root.cascades_started, root.downstream_reach), (1, 3));
    // Account 1 carried account 2's reshare; 2 has depth 2, so credit 1/2 each to 0 and 1.
    let carrier = r.accounts.iter().find(|a| a.account == 1).unwrap();
    assert_eq!(carrier.reach_carried, 1);
    assert!((carrier.amplifier_credit - 0.5).abs() < 1e-12);
    assert!((root.initiator_credit - 2.5).abs() < 1e-12);
    let total: f64 = r
        .accounts
        .iter()
        .map(|a| a.initiator_credit + a.amplifier_credit)
        .sum();
    assert!((total - 5.0).abs() < 1e-12, "credits sum to the adopters");
}

#[test]
fn answering_or_resharing_ones_own_item_is_not_spread() {
    let events = vec![
        // Account 0's thread of three (each a reply to its own last one) and a self-reshare:
        // nobody else took any of it up.
        with_items(ev(1, 100, Kind::Post, 0, None), "t1", None),
        with_items(ev(2, 110, Kind::Reply, 0, Some(0)), "t2", Some("t1")),
        with_items(ev(3, 120, Kind::Reply, 0, Some(0)), "t3", Some("t2")),
        with_items(ev(4, 130, Kind::Reshare, 0, Some(0)), "t4", Some("t1")),
        // Account 1 reshares the thread's last post, and reshares its own reshare; 2 reshares
        // 1's second reshare (which stands for 1's first).
        with_items(ev(5, 140, Kind::Reshare, 1, Some(0)), "r1", Some("t3")),
        with_items(ev(6, 150, Kind::Reshare, 1, Some(1)), "r2", Some("r1")),
        with_items(ev(7, 160, Kind::Reshare, 2, Some(1)), "r3", Some("r2")),
        // Account 3 answers its own post only, whose item is not in the data.
        with_items(ev(8, 170, Kind::Reply, 3, Some(3)), "s1", Some("unseen")),
    ];
    let r = reconstruct(events, &Exposure::default(), &[], 2);
    assert_eq!(r.anomalies.self_responses, 5, "{:?}", r.anomalies);
    assert_eq!(r.cascades.len(), 1, "{:?}", r.cascades);
    let c = &r.cascades[0];
    // The thread is one node (its first post); 1 took it up once, 2 through 1.
    let edges: Vec<(u32, Option<u32>, Option<i64>)> = c
        .nodes
        .iter()
        .map(|n| {
            (
                n.account,
                n.parent.map(|p| c.nodes[p as usize].account),
                n.event,
            )
        })
        .collect();
    assert_eq!(
        edges,
        vec![
            (0, None, Some(1)),
            (1, Some(0), Some(5)),
            (2, Some(1), Some(7))
        ]
    );
    assert_eq!((c.id.as_str(), c.stats.size, c.stats.depth), ("t1", 3, 2));
    let root = r.accounts.iter().find(|a| a.account == 0).unwrap();
    assert_eq!((root.cascades_started, root.downstream_reach), (1, 2));
    assert!(
        r.accounts.iter().all(|a| a.account != 3),
        "{:?}",
        r.accounts
    );
}

#[test]
fn tag_meme_follows_first_tag_before_first_use() {
    let tag = |id, t, a, b| {
        let mut e = with_items(ev(id, t, Kind::Mention, a, Some(b)), "m", None);
        e.topics = vec!["fivethings".into()];
        e
    };
    let post = |id, t, a| {
        let mut e = with_items(ev(id, t, Kind::Post, a, None), &format!("post{id}"), None);
        e.topics = vec!["fivethings".into()];
        e
    };
    let events = vec![
        post(1, 10, 0),
        tag(2, 10, 0, 1),
        tag(3, 10, 0, 2),
        post(4, 20, 1),
        tag(5, 20, 1, 3),
        // 2 is tagged again later by 1: the first tag (by 0) counts.
        tag(6, 25, 1, 2),
        post(7, 30, 2),
        post(8, 40, 3),
        // 4 used the topic before anyone tagged it: not part of the meme.
        post(9, 5, 4),
        tag(10, 20, 1, 4),
    ];
    let r = reconstruct(events, &Exposure::default(), &["demo:m1".into()], 2);
    let meme: Vec<&Cascade> = r
        .cascades
        .iter()
        .filter(|c| c.origin == Origin::Tag)
        .collect();
    assert_eq!(meme.len(), 1);
    let m = meme[0];
    assert_eq!(m.id, "tag/fivethings/demo:m1");
    let edges: Vec<(u32, Option<u32>)> = m
        .nodes
        .iter()
        .map(|n| (n.account, n.parent.map(|p| m.nodes[p as usize].account)))
        .collect();
    assert_eq!(
        edges,
        vec![(0, None), (1, Some(0)), (2, Some(0)), (3, Some(1))]
    );
}

#[test]
fn inferred_parent_is_earliest_exposure() {
    let mut x = Exposure::default();
    // 3 follows 1 (timeless) and engaged with 2 at time 5.
    x.add(3, 1, None);
    x.add(3, 2, Some(5));
    // 4 follows the origin 0 itself.
    x.add(4, 0, None);
    let events = vec![
        ev(1, 10, Kind::Reshare, 1, Some(0)),
        ev(2, 8, Kind::Reshare, 2, Some(0)),
        ev(3, 20, Kind::Reshare, 3, Some(0)),
        ev(4, 30, Kind::Reshare, 4, Some(0)),
        ev(5, 40, Kind::Reshare, 3, Some(0)),
        ev(6, 50, Kind::Reshare, 5, Some(0)),
    ];
    let r = reconstruct(events, &x, &["t:0".into()], 2);
    let c = &r.cascades[0];
    assert_eq!((c.id.as_str(), c.origin), ("from/t:0", Origin::Inferred));
    let parent_of = |a: u32| {
        let n = c.nodes.iter().find(|n| n.account == a).unwrap();
        (c.nodes[n.parent.unwrap() as usize].account, n.inferred)
    };
    // 3 could see 2's share from time 8 and 1's from 10: 2 is the earlier exposure.
    assert_eq!(parent_of(3), (2, true));
    assert_eq!(parent_of(4), (0, false));
    assert_eq!(parent_of(5), (0, false));
    assert_eq!(r.anomalies.repeat_adoptions, 1);
    // Origin time unknown: start is the first adoption (8); half of 6 nodes = root + 2.
    assert_eq!(c.stats.start, Some(8));
    assert_eq!(c.stats.time_to_half, Some(2));
}

#[test]
fn every_twitter15_tree_matches_brute_force() {
    let Some(dir) = renown_testdata::data("twitter15/tree") else {
        return;
    };
    let events = crate::tests::twitter15_events(dir.to_str().unwrap());
    let r = reconstruct(events, &Exposure::default(), &[], 1);
    let trees: Vec<&Cascade> = r
        .cascades
        .iter()
        .filter(|c| c.origin == Origin::Items)
        .collect();
    // One tree per file (a few files hold extra ROOT lines: further roots).
    assert!(trees.len() >= 1490, "{} trees", trees.len());
    // Quadratic per tree: split the trees over two threads.
    let mismatches: Vec<String> = std::thread::scope(|scope| {
        let halves: Vec<_> = trees
            .chunks(trees.len().div_ceil(2))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|c| {
                            let parents: Vec<Option<u32>> =
                                c.nodes.iter().map(|n| n.parent).collect();
                            let fast = c.stats.structural_virality;
                            let slow = brute_force_mean_distance(&parents);
                            ((fast - slow).abs() > 1e-9 * slow.max(1.0))
                                .then(|| format!("{}: {fast} vs {slow}", c.id))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(mismatches.is_empty(), "{mismatches:?}");
    let checked = trees.len();
    eprintln!("structural virality matched brute force on {checked} Twitter15 trees");
}
