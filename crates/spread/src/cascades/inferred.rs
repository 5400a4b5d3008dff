//! Inferred cascades: reshares that name an account but no item, hung by exposure.

use super::*;

/// Cascades of reshares that name an account but no item (Higgs): one per origin account.
pub(super) fn inferred(
    events: &[FullEventRow],
    exposure: &Exposure,
    min_size: usize,
    label: &dyn Fn(u32) -> String,
    anomalies: &mut Anomalies,
) -> Vec<Cascade> {
    struct Tree {
        forest: Forest,
        /// Adopter → node; the origin is node 0.
        node: HashMap<u32, usize>,
    }
    let mut trees: HashMap<u32, Tree> = HashMap::default();
    for e in events.iter().filter(|e| is_inferable(e)) {
        let (a, t) = (e.row.actor, e.row.time);
        let Some(origin) = e.row.target.filter(|&o| o != a) else {
            continue;
        };
        let tree = trees.entry(origin).or_insert_with(|| {
            let mut forest = Forest::new();
            forest.push(origin, None, Kind::Post, None);
            Tree {
                forest,
                node: HashMap::from_iter([(origin, 0)]),
            }
        });
        if tree.node.contains_key(&a) {
            anomalies.repeat_adoptions += 1;
            continue;
        }
        // The origin's own post is the earliest exposure there is.
        let mut parent = 0usize;
        let mut via_exposure = false;
        if exposure.seen_before(a, origin, t).is_none() {
            let mut best: Option<((i64, i64), usize)> = None;
            let mut consider = |c: u32, v: usize| {
                if v == 0 {
                    return;
                }
                let tc = tree.forest.time[v];
                let adopted_before = match (tc, t) {
                    (Some(x), Some(y)) => x <= y,
                    _ => true,
                };
                if !adopted_before {
                    return;
                }
                if let Some(since) = exposure.seen_before(a, c, t) {
                    let exposed = tc.unwrap_or(i64::MIN).max(since.unwrap_or(i64::MIN));
                    let key = (exposed, v as i64);
                    if best.is_none_or(|(k, _)| key < k) {
                        best = Some((key, v));
                    }
                }
            };
            let mine = exposure.since.get(&a);
            match mine {
                Some(m) if m.len() < tree.node.len() => {
                    for c in m.keys() {
                        if let Some(&v) = tree.node.get(c) {
                            consider(*c, v);
                        }
                    }
                }
                Some(_) => {
                    for (&c, &v) in &tree.node {
                        consider(c, v);
                    }
                }
                None => {}
            }
            if let Some((_, v)) = best {
                parent = v;
                via_exposure = true;
            }
        }
        let v = tree.forest.push(a, t, e.row.kind, Some(e.id));
        tree.forest.parent[v] = Some(parent);
        tree.forest.inferred[v] = via_exposure;
        tree.node.insert(a, v);
    }
    let mut origins: Vec<_> = trees.into_iter().collect();
    origins.sort_by_key(|(o, _)| *o);
    let mut out = Vec::new();
    for (origin, tree) in origins {
        // Parents were always adopted earlier, so there are no cycles to break.
        for (_, order) in tree.forest.trees(min_size) {
            let id = format!("from/{}", label(origin));
            out.push(tree.forest.cascade(&order, id, Origin::Inferred, None));
        }
    }
    out
}
