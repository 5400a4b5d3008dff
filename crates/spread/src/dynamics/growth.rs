//! Growth as the estimation reads it: arrivals by step, degree bins, and the stretches of steps
//! over which each account kept one size.

/// Degrees below this have a bin each; above, bins grow by [`BIN_RATIO`].
pub(super) const EXACT_BINS: u64 = 30;
pub(super) const BIN_RATIO: f64 = 1.25;
/// Bins with fewer arrivals do not enter the α fit.
pub(super) const MIN_BIN_ARRIVALS: f64 = 10.0;

/// Timestamped growth, ready for estimation.
#[derive(Clone, Debug, Default)]
pub struct Growth {
    /// Step at which each account first appears (in any role).
    pub birth: Vec<u32>,
    /// (step, account) of every arrival, sorted by step.
    pub arrivals: Vec<(u32, u32)>,
    /// Number of steps (distinct arrival/appearance times).
    pub steps: u32,
    /// Step → time, for labels.
    pub times: Vec<i64>,
}

impl Growth {
    /// From `(time, actor, target)`: the actor appears, the target receives an arrival.
    pub fn from_events(events: &[(i64, Option<u32>, u32)], accounts: usize) -> Growth {
        let mut times: Vec<i64> = events.iter().map(|e| e.0).collect();
        times.sort_unstable();
        times.dedup();
        let step = |t: i64| times.binary_search(&t).expect("time listed") as u32;
        let mut birth = vec![u32::MAX; accounts];
        let mut arrivals = Vec::with_capacity(events.len());
        for &(t, actor, target) in events {
            let s = step(t);
            if let Some(a) = actor {
                birth[a as usize] = birth[a as usize].min(s);
            }
            birth[target as usize] = birth[target as usize].min(s);
            arrivals.push((s, target));
        }
        arrivals.sort_unstable();
        Growth {
            birth,
            arrivals,
            steps: times.len() as u32,
            times,
        }
    }
}

pub fn bin_of(k: u64) -> usize {
    if k < EXACT_BINS {
        k as usize
    } else {
        EXACT_BINS as usize
            + ((k as f64 / EXACT_BINS as f64).ln() / BIN_RATIO.ln()).floor() as usize
    }
}

/// Smallest and largest degree in a bin.
pub fn bin_range(b: usize) -> (u64, u64) {
    if b < EXACT_BINS as usize {
        return (b as u64, b as u64);
    }
    let j = (b - EXACT_BINS as usize) as i32;
    let lo = (EXACT_BINS as f64 * BIN_RATIO.powi(j)).ceil() as u64;
    let hi = (EXACT_BINS as f64 * BIN_RATIO.powi(j + 1)).ceil() as u64 - 1;
    // Guard against float edges: the range must agree with bin_of.
    let lo = (lo.saturating_sub(1)..=lo + 1)
        .find(|&k| bin_of(k) == b)
        .unwrap_or(lo);
    let hi = (hi.saturating_sub(1)..=hi + 1)
        .rev()
        .find(|&k| bin_of(k) == b)
        .unwrap_or(hi);
    (lo, hi)
}

/// A stretch of steps `[from, to]` over which an account had a size in bin `bin`.
#[derive(Clone, Copy)]
pub(super) struct Segment {
    pub(super) node: u32,
    pub(super) bin: u32,
    pub(super) from: u32,
    pub(super) to: u32,
}

/// The data rearranged for the MM iteration.
pub(super) struct Prepared {
    pub(super) nodes: usize,
    pub(super) bins: usize,
    pub(super) steps: usize,
    pub(super) segments: Vec<Segment>,
    /// Per arrival: (step, node, bin of the node's size at the start of that step).
    pub(super) arrivals: Vec<(u32, u32, u32)>,
}

/// Appends a segment, extending the previous one instead when it is the same node in the same
/// bin and they touch: above [`EXACT_BINS`] a node stays in one bin over many arrivals, and one
/// segment per bin instead of one per arrival divides the MM iteration's work (the sums over
/// the merged stretch telescope, so only their rounding changes).
pub(super) fn push_segment(segments: &mut Vec<Segment>, s: Segment) {
    if let Some(prev) = segments.last_mut() {
        if prev.node == s.node && prev.bin == s.bin && prev.to + 1 == s.from {
            prev.to = s.to;
            return;
        }
    }
    segments.push(s);
}

pub(super) fn prepare(g: &Growth) -> Prepared {
    let n = g.birth.len();
    let mut per_node: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(s, i) in &g.arrivals {
        per_node[i as usize].push(s);
    }
    let mut segments = Vec::with_capacity(g.arrivals.len() + n);
    let mut arrivals = Vec::with_capacity(g.arrivals.len());
    let last = g.steps.saturating_sub(1);
    let mut bins = 1;
    for (i, steps) in per_node.iter().enumerate() {
        let birth = g.birth[i];
        if birth == u32::MAX {
            continue;
        }
        let mut k = 0u64;
        let mut from = birth;
        let mut j = 0;
        while j < steps.len() {
            let s = steps[j];
            let mut c = 0;
            while j < steps.len() && steps[j] == s {
                c += 1;
                j += 1;
            }
            let b = bin_of(k) as u32;
            bins = bins.max(b as usize + 1);
            push_segment(
                &mut segments,
                Segment {
                    node: i as u32,
                    bin: b,
                    from: from.min(s),
                    to: s,
                },
            );
            for _ in 0..c {
                arrivals.push((s, i as u32, b));
            }
            k += c;
            from = s + 1;
        }
        if from <= last {
            let b = bin_of(k) as u32;
            bins = bins.max(b as usize + 1);
            push_segment(
                &mut segments,
                Segment {
                    node: i as u32,
                    bin: b,
                    from,
                    to: last,
                },
            );
        }
    }
    Prepared {
        nodes: n,
        bins,
        steps: g.steps as usize,
        segments,
        arrivals,
    }
}
