//! Who starts and who carries: reach and credit summed over cascades.

use super::*;

/// Who starts and who carries, summed over cascades.
pub fn account_spread(cascades: &[Cascade]) -> Vec<AccountSpread> {
    let mut by: HashMap<u32, AccountSpread> = HashMap::default();
    let mut updates: Vec<(u32, u64, u64, u64, f64, f64)> = Vec::new();
    for c in cascades {
        let parents: Vec<Option<u32>> = c.nodes.iter().map(|n| n.parent).collect();
        let sizes = subtree_sizes(&parents);
        // credit[v] = Σ over strict descendants d of 1/depth(d).
        let mut credit = vec![0f64; c.nodes.len()];
        for v in (1..c.nodes.len()).rev() {
            let p = c.nodes[v].parent.expect("non-root has a parent") as usize;
            credit[p] += credit[v] + 1.0 / c.nodes[v].depth as f64;
        }
        updates.push((c.root, 1, sizes[0] - 1, 0, credit[0], 0.0));
        for (v, n) in c.nodes.iter().enumerate().skip(1) {
            if sizes[v] > 1 && n.account != c.root {
                updates.push((n.account, 0, 0, sizes[v] - 1, 0.0, credit[v]));
            }
        }
    }
    for (a, started, down, carried, ini, amp) in updates {
        let s = by.entry(a).or_insert_with(|| AccountSpread {
            account: a,
            ..AccountSpread::default()
        });
        s.cascades_started += started;
        s.downstream_reach += down;
        s.reach_carried += carried;
        s.initiator_credit += ini;
        s.amplifier_credit += amp;
    }
    let mut out: Vec<AccountSpread> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.downstream_reach
            .cmp(&a.downstream_reach)
            .then(b.reach_carried.cmp(&a.reach_carried))
            .then(a.account.cmp(&b.account))
    });
    out
}
