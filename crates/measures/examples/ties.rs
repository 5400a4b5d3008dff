//! How close the distinct scores of every registered measure come to each other on a store,
//! before ties are settled: `cargo run --release -p renown-measures --example ties -- DB [DB…]`.
//!
//! For each measure (whole store, default parameters): the distinct values, a histogram of the
//! relative gaps between adjacent distinct values by decade, and what `settle_ties` does with
//! them (groups of more than one value, accounts whose bits change). This is the measurement
//! behind `TIE_EPSILON` (BENCHMARKS.md "One definition of a tie"). Prints no account.

use renown_measures::{settle_ties, Log, Scope, MEASURES, TIE_EPSILON};
use renown_store::Store;

fn main() {
    let dbs: Vec<String> = std::env::args().skip(1).collect();
    assert!(!dbs.is_empty(), "usage: ties DB [DB…]");
    for db in &dbs {
        let store = Store::open_read_only(std::path::Path::new(db)).expect("store");
        let scope = Scope::default();
        let log = Log::read_uncached(&store, &scope).expect("log");
        println!("# {db}: {} accounts", log.accounts());
        for spec in MEASURES {
            let raw = (spec.of_log)(&log, &scope).expect("measure").scores;
            let mut d: Vec<f64> = raw.iter().copied().filter(|s| s.is_finite()).collect();
            d.sort_unstable_by(f64::total_cmp);
            d.dedup_by(|a, b| a.to_bits() == b.to_bits());
            // Decades from 1e-17 to 1e0: index k holds gaps in [1e(k-17), 1e(k-16)).
            let mut hist = [0usize; 18];
            let (mut below, mut above) = (0.0f64, f64::INFINITY);
            for w in d.windows(2) {
                let g = (w[1] - w[0]) / w[0].abs().max(w[1].abs());
                if g <= TIE_EPSILON {
                    below = below.max(g);
                } else {
                    above = above.min(g);
                }
                let k = (g.log10().floor() as i64 + 17).clamp(0, 17) as usize;
                hist[k] += 1;
            }
            let mut settled = raw.clone();
            let changed = settle_ties(&mut settled);
            let mut after = settled.clone();
            after.retain(|s| s.is_finite());
            after.sort_unstable_by(f64::total_cmp);
            after.dedup_by(|a, b| a.to_bits() == b.to_bits());
            let largest = raw
                .iter()
                .zip(&settled)
                .map(|(a, b)| if a == b { 0.0 } else { ((a - b) / a).abs() })
                .fold(0.0, f64::max);
            println!(
                "{:<20} distinct {:>7} -> {:>7}  changed {:>6} (largest rel {:.1e})  \
                 largest gap <= eps {:.1e}, smallest gap > eps {:.1e}",
                spec.name,
                d.len(),
                after.len(),
                changed,
                largest,
                below,
                above
            );
            let shown: Vec<String> = hist
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(k, c)| format!("1e{}:{}", k as i64 - 17, c))
                .collect();
            println!("{:<20} gaps by decade: {}", "", shown.join(" "));
        }
        // The engagement and reshare PageRank graphs iterated far past the measures' stop:
        // gaps that close there were the stop's residue, gaps that stay are the fixed point's.
        for (name, weights) in [
            ("engagement", &renown_model::DEFAULT_KIND_WEIGHTS[..]),
            (
                "reshare",
                &[
                    (renown_model::Kind::Reshare, 1.0),
                    (renown_model::Kind::Quote, 1.0),
                ][..],
            ),
        ] {
            let p = renown_graph::EngagementParams::of(&scope, weights);
            let g = log.engagement_graph(&p).expect("graph");
            for step in [1e-10, 1e-14] {
                let (label, tolerance, iterations) =
                    (format!("step {step:e}"), step / g.n() as f64, 2000);
                let opts = renown_graph::PageRankOptions {
                    tolerance,
                    max_iterations: iterations,
                    ..Default::default()
                };
                let pr = renown_graph::pagerank_with::<f64>(&g, &opts).expect("pagerank");
                println!(
                    "{name}-pagerank pull, {label}: {} iterations; gaps by decade: {}",
                    pr.iterations,
                    gap_histogram(&pr.scores)
                );
            }
        }
    }
}

/// The relative gaps between adjacent distinct values, by decade (1e-17 .. 1e0).
pub fn gap_histogram(scores: &[f64]) -> String {
    let mut d: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    d.sort_unstable_by(f64::total_cmp);
    d.dedup_by(|a, b| a.to_bits() == b.to_bits());
    let mut hist = [0usize; 18];
    for w in d.windows(2) {
        let g = (w[1] - w[0]) / w[0].abs().max(w[1].abs());
        hist[(g.log10().floor() as i64 + 17).clamp(0, 17) as usize] += 1;
    }
    hist.iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(k, c)| format!("1e{}:{}", k as i64 - 17, c))
        .collect::<Vec<_>>()
        .join(" ")
}
