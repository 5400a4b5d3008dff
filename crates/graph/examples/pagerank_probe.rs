//! What bounds the blocked PageRank kernel (issue 24): the share of in-edges by source rank,
//! and the CPU cost per edge of one propagation step, on the real offsets and with the same
//! loop's gathers forced into L1 (offsets masked), segment 0 apart from the others, for each
//! way of summing the long lists this CPU runs (scalar, packed loads, AVX2, AVX-512), and for
//! the layouts measured before (long lists by id, a hot tier).
//!
//! cargo run --release -p renown-graph --example pagerank_probe -- GRAPH.rpg [PASSES] [THREADS]
//!
//! Prints CPU seconds (user + system of the process, /proc/self/stat) per pass and per edge.

use renown_graph::{read_pull_graph_auto, Blocked, Gather, NodeOrder};
use std::time::Instant;

/// User + system CPU seconds of this process so far.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name (which ends in ')'): utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: pagerank_probe GRAPH.rpg [PASSES] [THREADS]");
    let passes: usize = args.get(2).map_or(100, |s| s.parse().unwrap());
    let threads: usize = args.get(3).map_or(2, |s| s.parse().unwrap());
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .unwrap();
    let g = read_pull_graph_auto(std::path::Path::new(path), None, NodeOrder::Degree)
        .unwrap()
        .graph;
    let (n, m) = (g.n() as usize, g.m() as usize);
    println!("graph: {n} nodes, {m} edges; {passes} passes, {threads} threads");

    // Share of in-edges by source rank (ids are degree-ordered by the loader).
    let mut below = [0usize; 8];
    for &u in g.in_adj().targets() {
        for (k, b) in below.iter_mut().enumerate() {
            if (u as usize) < 1 << (10 + k) {
                *b += 1;
            }
        }
    }
    for (k, b) in below.iter().enumerate() {
        println!(
            "sources < {:>6} ({:>4} KiB of f32): {:5.1} % of edges",
            1 << (10 + k),
            (4usize << (10 + k)) >> 10,
            100.0 * *b as f64 / m as f64
        );
    }

    // Lengths of the (destination, segment 0) lists: how the first segment's edges fall into
    // the kernel's runs (1..=8, longer).
    let adj = g.in_adj();
    let (mut pairs, mut edges) = ([0usize; 10], [0usize; 10]);
    for v in 0..n {
        let list = &adj.targets()[adj.offsets()[v] as usize..adj.offsets()[v + 1] as usize];
        let k = list.iter().filter(|&&u| u < 1 << 16).count();
        if k > 0 {
            let c = k.min(9);
            pairs[c] += 1;
            edges[c] += k;
        }
    }
    for c in 1..10 {
        println!(
            "segment 0 lists of length {}: {} pairs, {:.1} % of its edges",
            if c < 9 { c.to_string() } else { ">8".into() },
            pairs[c],
            100.0 * edges[c] as f64 / below[6] as f64
        );
    }

    // The default layout (`Blocked::new`: long lists by length), its lists of more than 8
    // sources summed by each variant this CPU runs (`Gather::Scalar` is the default loop; the
    // others change the loads or the rounding, not the work); `by_id`: the long lists of a
    // segment in ascending destination order (the layout before session 11; same bits).
    let b = Blocked::new(&g).unwrap();
    let by_id = Blocked::with_layout(&g, 16, 16, false)
        .unwrap()
        .with_gather(Gather::Scalar)
        .unwrap();
    let segs = b.segments();
    println!("blocked: {segs} segments, {} pairs", b.pairs());
    let contrib: Vec<f32> = (0..n).map(|i| 1.0 / (1 + i % 7) as f32).collect();
    let mut acc = vec![0f32; n];
    let mut probe = |name: &str, layout: &Blocked| {
        layout.propagate(&contrib, &mut acc); // warm
        let (c0, t0) = (cpu(), Instant::now());
        for _ in 0..passes {
            layout.propagate(&contrib, &mut acc);
        }
        let (c, t) = (cpu() - c0, t0.elapsed().as_secs_f64());
        let e = layout.edges() as f64;
        println!(
            "{name:<48} {:>9} edges {:>8} pairs: CPU {:.4} s/pass = {:.3} ns/edge; wall {:.4} s/pass",
            layout.edges(),
            layout.pairs(),
            c / passes as f64,
            c / passes as f64 / e * 1e9,
            t / passes as f64,
        );
    };
    let variants: Vec<Gather> = Gather::ALL.into_iter().filter(|g| g.available()).collect();
    for round in 1..=2 {
        println!("-- round {round}");
        let layouts = variants
            .iter()
            .map(|&g| (format!("{g:?}"), b.clone().with_gather(g).unwrap()))
            .chain([("long lists by id".to_string(), by_id.clone())]);
        for (name, layout) in layouts {
            probe(&format!("{name}: all segments"), &layout);
            probe(
                &format!("{name}: segment 0"),
                &layout.probe_copy(0..1, None),
            );
            for bits in [12, 0] {
                probe(
                    &format!("{name}: segment 0, offsets masked to {bits} bits"),
                    &layout.probe_copy(0..1, Some(bits)),
                );
            }
            if segs > 1 {
                probe(
                    &format!("{name}: segments 1.."),
                    &layout.probe_copy(1..segs, None),
                );
                probe(
                    &format!("{name}: segments 1.., masked to 12 bits"),
                    &layout.probe_copy(1..segs, Some(12)),
                );
            }
        }
        for hot_bits in [12, 13] {
            let h = Blocked::with_layout(&g, 16, hot_bits, true)
                .unwrap()
                .with_gather(Gather::Scalar)
                .unwrap();
            probe(
                &format!("by length, hot tier of 2^{hot_bits}: all segments"),
                &h,
            );
        }
    }
    println!("checksum {}", acc.iter().map(|&x| x as f64).sum::<f64>());
}
