//! The folded PageRank kernel beside the pull kernel on an edge-list file, with the measures'
//! options (L1 step 1e-14): `cargo run --release -p renown-graph --example fold -- FILE N [REPEAT]`.
//! Per round: the pull kernel's and the folded kernel's seconds and iterations in f64, the
//! largest relative difference of their scores, how many are bit-identical; then the same in f32.
use renown_graph::{folds, pagerank_folded, pagerank_with, read_edge_list, Csr, PageRankOptions};
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
        let t = Instant::now();
        let a = pagerank_with::<f64>(&g, &opts).unwrap();
        let ta = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let b = pagerank_folded::<f64>(&g, &opts).unwrap();
        let tb = t.elapsed().as_secs_f64();
        let worst = a
            .scores
            .iter()
            .zip(&b.scores)
            .map(|(x, y)| ((x - y) / x).abs())
            .fold(0.0, f64::max);
        let same = a
            .scores
            .iter()
            .zip(&b.scores)
            .filter(|(x, y)| x.to_bits() == y.to_bits())
            .count();
        println!(
            "pull {:.4} s ({} it, delta {:e}) folded {:.4} s ({} it, delta {:e}) worst rel {:e} identical {}",
            ta, a.iterations, a.delta, tb, b.iterations, b.delta, worst, same
        );
        let t = Instant::now();
        let a = pagerank_with::<f32>(&g, &opts).unwrap();
        let ta = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let b = pagerank_folded::<f32>(&g, &opts).unwrap();
        let tb = t.elapsed().as_secs_f64();
        let worst = a
            .scores
            .iter()
            .zip(&b.scores)
            .map(|(x, y)| ((x - y) / x).abs())
            .fold(0.0, f32::max);
        println!(
            "f32: pull {:.4} s ({} it) folded {:.4} s ({} it) worst rel {:e}",
            ta, a.iterations, tb, b.iterations, worst
        );
    }
}
