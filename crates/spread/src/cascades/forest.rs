//! A flat forest of spread trees and the statistics of one tree (sizes, structural virality).

use super::*;

/// Flat forest under construction: one entry per node, parents by index.
pub(super) struct Forest {
    pub(super) account: Vec<u32>,
    pub(super) parent: Vec<Option<usize>>,
    pub(super) time: Vec<Option<i64>>,
    pub(super) kind: Vec<Kind>,
    pub(super) event: Vec<Option<i64>>,
    pub(super) inferred: Vec<bool>,
}

impl Forest {
    pub(super) fn new() -> Forest {
        Forest {
            account: Vec::new(),
            parent: Vec::new(),
            time: Vec::new(),
            kind: Vec::new(),
            event: Vec::new(),
            inferred: Vec::new(),
        }
    }

    pub(super) fn push(
        &mut self,
        account: u32,
        time: Option<i64>,
        kind: Kind,
        event: Option<i64>,
    ) -> usize {
        self.account.push(account);
        self.parent.push(None);
        self.time.push(time);
        self.kind.push(kind);
        self.event.push(event);
        self.inferred.push(false);
        self.account.len() - 1
    }

    /// Cuts one link of every cycle; returns how many were cut.
    pub(super) fn break_cycles(&mut self) -> u64 {
        // 0 = unvisited, 1 = on the current walk, 2 = known to reach a root.
        let mut state = vec![0u8; self.parent.len()];
        let mut cut = 0;
        let mut walk = Vec::new();
        for start in 0..self.parent.len() {
            let mut v = start;
            while state[v] == 0 {
                state[v] = 1;
                walk.push(v);
                match self.parent[v] {
                    Some(p) if state[p] == 1 => {
                        self.parent[v] = None;
                        cut += 1;
                        break;
                    }
                    Some(p) => v = p,
                    None => break,
                }
            }
            for w in walk.drain(..) {
                state[w] = 2;
            }
        }
        cut
    }

    /// Folds every node whose parent is a node of the same account into that parent (the
    /// nearest ancestor of another account's chain of its own nodes, that is: the first node
    /// of the run): its children hang there and it leaves the forest (no parent, no
    /// children, so no tree holds it). Returns how many were folded. Needs no cycles.
    pub(super) fn fold_self_responses(&mut self) -> u64 {
        let n = self.parent.len();
        // keep[v]: the node that stands for v (v itself unless it answers its own account).
        let mut keep: Vec<usize> = (0..n).collect();
        let mut done = vec![false; n];
        let mut walk = Vec::new();
        for start in 0..n {
            let mut v = start;
            // Climb while v answers its own account and is not resolved yet.
            while !done[v] {
                match self.parent[v] {
                    Some(p) if self.account[p] == self.account[v] => {
                        walk.push(v);
                        v = p;
                    }
                    _ => {
                        done[v] = true;
                        break;
                    }
                }
            }
            let top = keep[v];
            for w in walk.drain(..) {
                keep[w] = top;
                done[w] = true;
            }
        }
        let mut folded = 0;
        for v in 0..n {
            if keep[v] != v {
                self.parent[v] = None;
                folded += 1;
            } else if let Some(p) = self.parent[v] {
                self.parent[v] = Some(keep[p]);
            }
        }
        folded
    }

    /// Every tree of at least `min_size` nodes, nodes in breadth-first order.
    pub(super) fn trees(&self, min_size: usize) -> Vec<(usize, Vec<usize>)> {
        let n = self.parent.len();
        let mut first_child = vec![usize::MAX; n];
        let mut next_sibling = vec![usize::MAX; n];
        // Insert in reverse so children come out in node (time) order.
        for v in (0..n).rev() {
            if let Some(p) = self.parent[v] {
                next_sibling[v] = first_child[p];
                first_child[p] = v;
            }
        }
        let mut out = Vec::new();
        for root in 0..n {
            if self.parent[root].is_some() || first_child[root] == usize::MAX {
                continue;
            }
            let mut order = vec![root];
            let mut i = 0;
            while i < order.len() {
                let mut c = first_child[order[i]];
                while c != usize::MAX {
                    order.push(c);
                    c = next_sibling[c];
                }
                i += 1;
            }
            if order.len() >= min_size {
                out.push((root, order));
            }
        }
        out
    }

    pub(super) fn cascade(
        &self,
        order: &[usize],
        id: String,
        origin: Origin,
        topic: Option<String>,
    ) -> Cascade {
        let mut index = HashMap::with_capacity_and_hasher(order.len(), Default::default());
        for (i, &v) in order.iter().enumerate() {
            index.insert(v, i as u32);
        }
        let mut nodes: Vec<Node> = Vec::with_capacity(order.len());
        for &v in order {
            let parent = self.parent[v].map(|p| index[&p]);
            let depth = parent.map_or(0, |p| nodes[p as usize].depth + 1);
            nodes.push(Node {
                account: self.account[v],
                parent,
                depth,
                time: self.time[v],
                kind: self.kind[v],
                event: self.event[v],
                inferred: self.inferred[v],
            });
        }
        let stats = stats(&nodes);
        Cascade {
            id,
            origin,
            topic,
            root: nodes[0].account,
            stats,
            nodes,
        }
    }
}

/// Subtree sizes of a tree whose parents precede their children.
pub fn subtree_sizes(parents: &[Option<u32>]) -> Vec<u64> {
    let mut size = vec![1u64; parents.len()];
    for v in (1..parents.len()).rev() {
        if let Some(p) = parents[v] {
            size[p as usize] += size[v];
        }
    }
    size
}

/// Mean shortest-path distance over all ordered pairs of distinct nodes (Goel et al. 2016), in
/// linear time. `parents` must list parents before children (as [`Cascade::nodes`] does).
pub fn structural_virality(parents: &[Option<u32>]) -> f64 {
    let n = parents.len() as u64;
    if n < 2 {
        return 0.0;
    }
    let sizes = subtree_sizes(parents);
    // Sum over unordered pairs: each edge above a subtree of s nodes separates s·(n−s) pairs.
    let w: u128 = parents
        .iter()
        .zip(&sizes)
        .filter(|(p, _)| p.is_some())
        .map(|(_, &s)| (s * (n - s)) as u128)
        .sum();
    // Ordered pairs are twice the unordered ones: the mean is 2W / (n(n−1)), not W / (n(n−1)).
    (2 * w) as f64 / (n * (n - 1)) as f64
}

pub(super) fn stats(nodes: &[Node]) -> CascadeStats {
    let parents: Vec<Option<u32>> = nodes.iter().map(|n| n.parent).collect();
    let depth = nodes.iter().map(|n| n.depth).max().unwrap_or(0);
    let mut breadth = vec![0usize; depth as usize + 1];
    for n in nodes {
        breadth[n.depth as usize] += 1;
    }
    let mut times: Vec<i64> = nodes.iter().filter_map(|n| n.time).collect();
    times.sort_unstable();
    let start = nodes[0].time.or(times.first().copied());
    let half = nodes.len().div_ceil(2);
    let time_to_half = match (start, times.len() == nodes.len()) {
        (Some(s), true) => Some((times[half - 1] - s).max(0)),
        // The root's time may be unknown (an inferred origin): count the adopters only.
        (Some(s), false) if times.len() + 1 == nodes.len() && nodes[0].time.is_none() => {
            Some(times[half.saturating_sub(2).min(times.len() - 1)] - s)
        }
        _ => None,
    };
    CascadeStats {
        size: nodes.len(),
        depth,
        max_breadth: breadth.into_iter().max().unwrap_or(0),
        structural_virality: structural_virality(&parents),
        start,
        end: times.last().copied(),
        time_to_half,
    }
}
