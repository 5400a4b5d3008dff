//! The folded PageRank kernel beside the pull kernel on an edge-list file, with the measures'
//! options (L1 step 1e-14): `cargo run --release -p renown-graph --example fold -- FILE N [REPEAT]`.
//! Per round: the pull kernel's and the folded kernel's seconds and iterations in f64, the
//! largest relative difference of their scores, how many are bit-identical; then the same in f32.
use renown_graph::{
    folds, pagerank_folded, pagerank_with, read_edge_list, Csr, PageRankOptions, Real,
};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::Path::new(&args[1]);
    let n: u32 = args[2].parse().unwrap();
    let repeat: usize = args.get(3).map_or(3, |s| s.parse().unwrap());
    let el = read_edge_list(path, Some(n)).unwrap();
    let g = Csr::from_edges(&el).unwrap();
    let opts = PageRankOptions {
        damping: 0.85,
        tolerance: 1e-14 / n as f64,
        max_iterations: 300,
        ..Default::default()
    };
    println!(
        "{}: n {} m {} folds {}",
        path.display(),
        g.n(),
        g.m(),
        folds(&g, true)
    );
    for _ in 0..repeat {
        let f64s = side_by_side::<f64>(&g, &opts);
        println!(
            "pull {:.4} s ({} it, delta {:e}) folded {:.4} s ({} it, delta {:e}) worst rel {:e} identical {}",
            f64s.pull_s, f64s.pull_iterations, f64s.pull_delta, f64s.folded_s,
            f64s.folded_iterations, f64s.folded_delta, f64s.worst, f64s.identical
        );
        let f32s = side_by_side::<f32>(&g, &opts);
        println!(
            "f32: pull {:.4} s ({} it) folded {:.4} s ({} it) worst rel {:e}",
            f32s.pull_s, f32s.pull_iterations, f32s.folded_s, f32s.folded_iterations, f32s.worst
        );
    }
}

/// One round of both kernels in precision `T`.
struct Round {
    pull_s: f64,
    pull_iterations: usize,
    pull_delta: f64,
    folded_s: f64,
    folded_iterations: usize,
    folded_delta: f64,
    /// The largest relative difference of a score.
    worst: f64,
    /// Scores with the same bits.
    identical: usize,
}

fn side_by_side<T: Real>(g: &Csr, opts: &PageRankOptions) -> Round {
    let t = Instant::now();
    let a = pagerank_with::<T>(g, opts).unwrap();
    let pull_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let b = pagerank_folded::<T>(g, opts).unwrap();
    let folded_s = t.elapsed().as_secs_f64();
    let pairs = || {
        a.scores
            .iter()
            .zip(&b.scores)
            .map(|(x, y)| (x.to_f64(), y.to_f64()))
    };
    Round {
        pull_s,
        pull_iterations: a.iterations,
        pull_delta: a.delta,
        folded_s,
        folded_iterations: b.iterations,
        folded_delta: b.delta,
        worst: pairs()
            .map(|(x, y)| ((x - y) / x).abs())
            .fold(0.0, f64::max),
        identical: pairs().filter(|(x, y)| x.to_bits() == y.to_bits()).count(),
    }
}
