//! Parallel float sums whose result does not depend on the threads.
//!
//! A rayon `sum`/`reduce` associates its terms the way work stealing happened to split the
//! range, so the last bits of a float sum (PageRank's dangling mass, its L1 change) varied from
//! run to run and with the number of cores — and with them the scores and the ties they decide.
//! Here the range is cut into fixed chunks, each summed in parallel, and the chunk sums are
//! added in order: one answer for one input (tests/deterministic.rs).

use rayon::prelude::*;
use std::ops::Range;

/// Nodes per chunk: big enough that a chunk's loop dwarfs the task overhead.
const CHUNK: usize = 1 << 14;

/// `Σ part(r)` over fixed consecutive ranges `r` covering `0..n`, added in order.
pub(crate) fn ordered_sum(n: usize, part: impl Fn(Range<usize>) -> f64 + Sync) -> f64 {
    let sums: Vec<f64> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| part(c * CHUNK..((c + 1) * CHUNK).min(n)))
        .collect();
    sums.iter().sum()
}
