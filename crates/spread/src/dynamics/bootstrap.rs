//! α's interval: a seeded Poisson bootstrap over accounts, each replicate warm-started from the
//! full fit.

use super::growth::Prepared;
use super::kernel::{fit_alpha, FitOptions, KernelFit, Mm};
use super::{Progress, Stage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use renown_model::Cancel;

/// Poisson(1) by inversion (Knuth).
pub(super) fn poisson1(rng: &mut impl Rng) -> f64 {
    let l = (-1.0f64).exp();
    let (mut k, mut p) = (0.0, 1.0);
    loop {
        p *= rng.gen::<f64>();
        if p <= l {
            return k;
        }
        k += 1.0;
    }
}

/// The replicates' stopping tolerance (no kernel or fitness value changes by more than this
/// fraction in one MM step). A replicate gives one number, α, to a quantile of 100: measured on
/// Higgs (12 replicates, each against itself run to 1e-7), α stops within 1.3e-3 of its fixed
/// point at 5e-4 (mean 6.6e-4); the former 1e-4 came within 3.1e-4 in 42 % more steps. The
/// interval's ends moved by 2.9e-3 and 4.3e-3 between two seeds. Figures: docs/DYNAMICS.md.
pub(super) const REPLICATE_TOLERANCE: f64 = 5e-4;

/// The bootstrap's stopping rule: at most 200 iterations and a looser tolerance than the full
/// fit, since each replicate starts at the full-sample estimate and only its α is kept.
pub(super) fn bootstrap_options(opts: &FitOptions) -> FitOptions {
    FitOptions {
        max_iterations: opts.max_iterations.min(200),
        tolerance: opts.tolerance.max(REPLICATE_TOLERANCE),
        ..opts.clone()
    }
}

/// One replicate: the fit under per-node weights `w`, warm-started from `full`.
pub(super) fn replicate(
    p: &Prepared,
    full: &KernelFit,
    boot_opts: &FitOptions,
    w: Vec<f64>,
    cancel: &Cancel,
) -> Option<f64> {
    let (a, _, bin_arrivals) = replicate_fit(p, full, boot_opts, w, cancel);
    fit_alpha(&a, &bin_arrivals)
}

/// A replicate's kernel, fitnesses and weighted arrivals per bin.
pub(super) fn replicate_fit(
    p: &Prepared,
    full: &KernelFit,
    boot_opts: &FitOptions,
    w: Vec<f64>,
    cancel: &Cancel,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut mm = Mm::new(p, w);
    let (mut a, mut eta) = full.fitted.clone();
    mm.run(&mut a, &mut eta, boot_opts, cancel);
    (a, eta, mm.num_a)
}

/// α from `reps` Poisson-bootstrap replicates over accounts, warm-started from `full`.
///
/// The weights are drawn from one seeded stream in replicate order, a batch at a time, and the
/// batch's replicates are fitted in parallel: each replicate's draw, and so the sorted result,
/// is the same whatever the number of threads (and the same as a serial loop over one stream).
pub(super) fn bootstrap(
    p: &Prepared,
    full: &KernelFit,
    opts: &FitOptions,
    reps: usize,
    seed: u64,
    cancel: &Cancel,
    progress: &Progress,
) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let boot_opts = bootstrap_options(opts);
    // Replicates all take about as long, so a few per thread keep every core busy while the
    // weights held at once stay small.
    let batch = 2 * rayon::current_num_threads().max(1);
    let mut out = Vec::with_capacity(reps);
    let mut done = 0;
    while done < reps && !cancel.is_cancelled() {
        let n = batch.min(reps - done);
        let weights: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..p.nodes).map(|_| poisson1(&mut rng)).collect())
            .collect();
        let alphas: Vec<Option<f64>> = weights
            .into_par_iter()
            .map(|w| replicate(p, full, &boot_opts, w, cancel))
            .collect();
        if cancel.is_cancelled() {
            break;
        }
        out.extend(alphas.into_iter().flatten());
        done += n;
        progress.report(Stage::Replicates { done, total: reps });
    }
    out.sort_by(f64::total_cmp);
    out
}

pub(super) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}
