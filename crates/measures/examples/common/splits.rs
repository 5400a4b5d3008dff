//! What the research examples (earned_search, earned_transfer, earned_diagnose) share:
//! `renown backtest`'s default splits of a store, each with the accounts active before it and
//! the default target (distinct engagers) after it.

#![allow(dead_code)] // each example uses its part

use renown_measures::backtest::{backtest, outcomes, BacktestOptions, Target};
use renown_store::Store;

/// One default split, read for scoring.
pub struct Held {
    /// The split's time (the measures are computed as of it).
    pub split: i64,
    /// Dense ids of the accounts active at or before it.
    pub ids: Vec<usize>,
    /// Their target after it, in the order of `ids`.
    pub y: Vec<f64>,
    /// Accounts in the store (the length of a measure's scores).
    pub accounts: usize,
}

/// The store's default splits in order, and the horizon in seconds.
pub fn default_splits(store: &Store) -> (i64, Vec<Held>) {
    let plan = backtest(
        store,
        &BacktestOptions {
            measures: vec!["engagement".into()],
            bootstrap: 0,
            ..BacktestOptions::default()
        },
    )
    .expect("splits");
    let held = plan
        .splits
        .iter()
        .map(|s| {
            let o = outcomes(
                store,
                None,
                Target::DistinctEngagers,
                s.split,
                s.until,
                None,
            )
            .expect("outcomes");
            let ids: Vec<usize> = (0..o.active.len()).filter(|&i| o.active[i]).collect();
            let y: Vec<f64> = ids.iter().map(|&i| o.target[i]).collect();
            Held {
                split: s.split,
                ids,
                y,
                accounts: o.active.len(),
            }
        })
        .collect();
    (plan.horizon_seconds, held)
}

/// The `q` quantile of `v` (nearest rank).
pub fn percentile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}
