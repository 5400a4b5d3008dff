//! Weakly connected components by lock-free parallel union-find over the edges (the linking of
//! Shiloach-Vishkin / Afforest): every root points at a smaller id, so each component ends up
//! labelled by its smallest node id, whatever the thread schedule.

use crate::csr::Csr;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

fn find(p: &[AtomicU32], mut x: u32) -> u32 {
    loop {
        let px = p[x as usize].load(Relaxed);
        if px == x {
            return x;
        }
        // Path halving: benign races only shorten paths towards the same root.
        let ppx = p[px as usize].load(Relaxed);
        let _ = p[x as usize].compare_exchange(px, ppx, Relaxed, Relaxed);
        x = ppx;
    }
}

fn link(p: &[AtomicU32], a: u32, b: u32) {
    let (mut a, mut b) = (a, b);
    loop {
        a = find(p, a);
        b = find(p, b);
        if a == b {
            return;
        }
        let (hi, lo) = if a > b { (a, b) } else { (b, a) };
        if p[hi as usize]
            .compare_exchange(hi, lo, Relaxed, Relaxed)
            .is_ok()
        {
            return;
        }
    }
}

/// Component label of every node: the smallest node id in its weak component.
pub fn weakly_connected_components(g: &Csr) -> Vec<u32> {
    let n = g.n();
    let p: Vec<AtomicU32> = (0..n).map(AtomicU32::new).collect();
    let adj = g.in_adj();
    (0..n).into_par_iter().with_min_len(1024).for_each(|v| {
        for &u in adj.neighbors(v) {
            link(&p, u, v);
        }
    });
    (0..n).into_par_iter().map(|v| find(&p, v)).collect()
}

/// Sizes of the components, largest first.
pub fn component_sizes(labels: &[u32]) -> Vec<u64> {
    let mut size = vec![0u64; labels.len()];
    for &l in labels {
        size[l as usize] += 1;
    }
    let mut s: Vec<u64> = size.into_iter().filter(|&x| x > 0).collect();
    s.sort_unstable_by(|a, b| b.cmp(a));
    s
}
