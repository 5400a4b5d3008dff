//! Kernel throughput on a seeded R-MAT graph (no download, no store):
//! `RENOWN_BENCH_SCALE=20 cargo bench -p renown-graph --bench kernels`.
//! Prints build time, ms per PageRank iteration (f32 and f64), edges per second, and the other
//! kernels' times. Side-by-side peer figures come from `scripts/graph/bench.sh`.

use renown_graph::{
    hits, pagerank_blocked, pagerank_with, segment_bits, weakly_connected_components, Blocked, Csr,
    Directions, HitsOptions, PageRankOptions, Rmat,
};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let scale: u32 = std::env::var("RENOWN_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(18);
    let r = Rmat::graph500(scale, 16, 1).expect("valid scale");
    let t = Instant::now();
    let el = r.edge_list();
    println!(
        "rmat scale {scale}: {} nodes, {} edges, generated in {:.3} s",
        r.nodes(),
        r.edges(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let g = Csr::from_edges_with(&el, Directions::Both).expect("valid edges");
    println!(
        "csr build (both directions): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let pull = Csr::from_edges_with(&el, Directions::PullOnly).expect("valid edges");
    println!("csr build (pull only): {:.3} s", t.elapsed().as_secs_f64());
    drop(el);
    let t = Instant::now();
    let pull2 = r.pull_graph().expect("valid");
    println!(
        "rmat → pull graph, two generation passes: {:.3} s",
        t.elapsed().as_secs_f64()
    );
    drop(pull2);
    let opts = PageRankOptions {
        tolerance: 0.0,
        max_iterations: 20,
        ..Default::default()
    };
    let iters = 20.0;
    let t = Instant::now();
    let blocked32 = Blocked::with_segment_bits(&pull, segment_bits::<f32>()).expect("valid");
    println!(
        "blocked layout (f32): {} segments, {} pairs, {:.1} MB, {:.3} s",
        blocked32.segments(),
        blocked32.pairs(),
        blocked32.bytes() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let blocked64 = Blocked::with_segment_bits(&pull, segment_bits::<f64>()).expect("valid");
    for (name, f) in [
        (
            "pagerank f32",
            &(|| {
                pagerank_with::<f32>(&pull, &opts).unwrap();
            }) as &dyn Fn(),
        ),
        ("pagerank f32 blocked", &|| {
            pagerank_blocked::<f32>(&pull, &blocked32, &opts).unwrap();
        }),
        ("pagerank f64", &|| {
            pagerank_with::<f64>(&pull, &opts).unwrap();
        }),
        ("pagerank f64 blocked", &|| {
            pagerank_blocked::<f64>(&pull, &blocked64, &opts).unwrap();
        }),
    ] {
        let times: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect();
        let m = median(times);
        println!(
            "{name}: 20 iterations {:.3} s, {:.2} ms/iter, {:.2} G edges/s",
            m,
            m / iters * 1e3,
            g.m() as f64 * iters / m / 1e9
        );
    }
    let t = Instant::now();
    let h = hits::<f32>(
        &g,
        &HitsOptions {
            max_iterations: 20,
            tolerance: 0.0,
            weighted: false,
        },
    )
    .unwrap();
    println!(
        "hits f32, 20 iterations: {:.3} s ({} iterations)",
        t.elapsed().as_secs_f64(),
        h.iterations
    );
    let t = Instant::now();
    let c = weakly_connected_components(&g);
    println!(
        "wcc: {:.3} s ({} components)",
        t.elapsed().as_secs_f64(),
        renown_graph::component_sizes(&c).len()
    );
}
