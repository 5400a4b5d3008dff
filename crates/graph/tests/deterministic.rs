//! The same graph gives the same scores to the last bit whatever the number of threads and
//! however rayon's work stealing splits the work: a user re-running a command, or running it
//! on a machine with more cores, must not see its scores (or the ties they decide) move.
//! Parallel float sums are only deterministic when the summation order is fixed, so the
//! kernels sum per fixed range and add the ranges in order.

use renown_graph::{hits, pagerank_with, Csr, HitsOptions, PageRankOptions, Rmat};

fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(f)
}

fn bits(xs: &[f64]) -> Vec<u64> {
    xs.iter().map(|x| x.to_bits()).collect()
}

/// R-MAT with many dangling nodes (the dangling mass is one of the parallel sums).
fn graph() -> Csr {
    let el = Rmat::graph500(15, 8, 3).unwrap().edge_list();
    Csr::from_edges(&el).unwrap()
}

#[test]
fn pagerank_and_hits_are_bit_identical_on_any_number_of_threads() {
    let g = graph();
    let tight = PageRankOptions {
        tolerance: 1e-12,
        max_iterations: 200,
        ..PageRankOptions::default()
    };
    let run = |threads: usize| {
        in_pool(threads, || {
            let pr = pagerank_with::<f64>(&g, &tight).unwrap();
            let h = hits::<f64>(&g, &HitsOptions::default()).unwrap();
            (
                bits(&pr.scores),
                pr.iterations,
                pr.delta.to_bits(),
                bits(&h.hubs),
                bits(&h.authorities),
            )
        })
    };
    let one = run(1);
    // Repeated, so that work stealing gets many chances to split the sums differently.
    for threads in [2, 3, 4, 7, 2, 4] {
        let other = run(threads);
        assert_eq!(one.1, other.1, "PageRank iterations with {threads} threads");
        assert!(one.0 == other.0, "PageRank scores with {threads} threads");
        assert!(one.2 == other.2, "PageRank delta with {threads} threads");
        assert!(one.3 == other.3, "HITS hubs with {threads} threads");
        assert!(one.4 == other.4, "HITS authorities with {threads} threads");
    }
}
