//! Tag memes: trees of first uses of a topic.

use super::*;

/// Tag memes: each account's first use of a topic, under whoever tagged it with that topic first.
pub(super) fn tag_memes(
    events: &[FullEventRow],
    min_size: usize,
    label: &dyn Fn(u32) -> String,
    anomalies: &mut Anomalies,
) -> Vec<Cascade> {
    // First use (time, event) of each (topic, account), events being in time order.
    let mut first_use: HashMap<(&str, u32), (Option<i64>, i64, Kind)> = HashMap::default();
    for e in events {
        for t in &e.topics {
            first_use
                .entry((t.as_str(), e.row.actor))
                .or_insert((e.row.time, e.id, e.row.kind));
        }
    }
    // The first tag of each (topic, account) by someone else, before the account's first use.
    let mut tagged_by: HashMap<(&str, u32), u32> = HashMap::default();
    for e in events.iter().filter(|e| e.row.kind == Kind::Mention) {
        let Some(target) = e.row.target.filter(|&t| t != e.row.actor) else {
            continue;
        };
        for t in &e.topics {
            let key = (t.as_str(), target);
            let Some(&(use_time, use_id, _)) = first_use.get(&key) else {
                continue;
            };
            if (e.row.time.unwrap_or(i64::MIN), e.id) < (use_time.unwrap_or(i64::MIN), use_id)
                || (e.row.time.is_some() && e.row.time == use_time)
            {
                tagged_by.entry(key).or_insert(e.row.actor);
            }
        }
    }
    if tagged_by.is_empty() {
        return Vec::new();
    }
    let mut by_topic: HashMap<&str, Vec<(u32, u32)>> = HashMap::default();
    for (&(topic, account), &tagger) in &tagged_by {
        by_topic.entry(topic).or_default().push((account, tagger));
    }
    let mut topics: Vec<_> = by_topic.into_iter().collect();
    topics.sort_by_key(|(t, _)| *t);
    let mut out = Vec::new();
    for (topic, mut links) in topics {
        links.sort_unstable();
        let mut forest = Forest::new();
        let mut node: HashMap<u32, usize> = HashMap::default();
        let mut accounts: Vec<u32> = links.iter().flat_map(|&(a, b)| [a, b]).collect();
        // Nodes in order of first use, so breadth-first children come out in time order.
        accounts.sort_unstable();
        accounts.dedup();
        accounts.sort_by_key(|a| {
            first_use
                .get(&(topic, *a))
                .map(|&(t, id, _)| (t.unwrap_or(i64::MIN), id))
        });
        for a in accounts {
            let (time, id, kind) = first_use
                .get(&(topic, a))
                .map_or((None, None, Kind::Mention), |&(t, id, k)| (t, Some(id), k));
            node.insert(a, forest.push(a, time, kind, id));
        }
        for (a, tagger) in links {
            forest.parent[node[&a]] = Some(node[&tagger]);
        }
        anomalies.cycles_cut += forest.break_cycles();
        for (root, order) in forest.trees(min_size) {
            let id = format!("tag/{topic}/{}", label(forest.account[root]));
            out.push(forest.cascade(&order, id, Origin::Tag, Some(topic.to_string())));
        }
    }
    out
}
