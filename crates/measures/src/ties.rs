//! One definition of a tie: scores equal up to rounding are made exactly equal.
//!
//! Many accounts hold scores that are truly equal but are computed along different summation
//! paths (PageRank on Higgs: thousands of accounts engaged once by accounts of the same
//! out-weight), so they come out equal or an ulp or so apart depending on the order of the float
//! additions. Every rank, tie group, top-k cut ([`crate::top_cut`] never cuts a tie), bootstrap
//! class and dashboard rank would then depend on rounding. [`settle_ties`] removes that
//! dependence: it is applied where every measure's scores come out
//! ([`crate::MeasureSpec::measured_on`], and [`crate::params::Parameters::measured_on`] for scores
//! computed with other parameters, through the same [`crate::MeasureSpec`] method), and to the
//! scores `renown cluster compare` gathers.
//!
//! The rule: sort the distinct finite values; two values adjacent in that order belong to one
//! group when their gap is at most [`TIE_EPSILON`] times the larger magnitude. Groups chain:
//! a run of values each within the tolerance of the next is one group, even when its ends are
//! further apart (its spread is at most (k − 1) × [`TIE_EPSILON`] relative for k distinct
//! values; measured on Higgs and Slashdot, no group spans more than 7.8e-13). Every score of a group takes one value, the
//! one most of its accounts hold (the smallest of those when several are held equally often,
//! +0 for a group at zero): on Higgs most accounts of a group already hold it, so their bits do
//! not move.
//!
//! The result does not depend on the order of the accounts, and settling settled scores
//! changes nothing (a representative lies within its group's range, so the gap between two
//! groups' representatives is at least the gap that separated them). Two whole counts below
//! 10^11 are at least 1 apart, more than [`TIE_EPSILON`] of either, so counts never tie by
//! this rule; scores that are all whole counts are returned untouched without a sort.
//! Zeros (+0 and −0) are one group; a NaN or an infinity is never grouped with anything and
//! keeps its bits (no measure produces one: the ranking orders them by `f64::total_cmp`).

use std::collections::HashMap;

/// The largest relative gap between two scores that still counts as rounding: values `a ≤ b`
/// adjacent among the distinct scores tie when `b − a ≤ TIE_EPSILON · max(|a|, |b|)`.
///
/// Why 5e-12, measured on Higgs and on Higgs + Slashdot over every registered measure
/// (`cargo run --release -p renown-measures --example ties -- DB`, BENCHMARKS.md "One
/// definition of a tie"): the gaps between values that are equal at the fixed point are at
/// most 7.8e-13 (reshare PageRank at its step of 1e-14: they shrink tenfold with a tenfold
/// smaller step; rounding alone leaves 1 to 4 ulps, under 1e-15), and different summation
/// orders of one PageRank move a score by at most 6.9e-14; the smallest gap between genuinely
/// different scores of any measure is 4.3e-11 (influence-passivity; PageRank's are above
/// 6.4e-10). 5e-12 sits 6× above the first and 8× below the second, and a score moves by at
/// most 7.8e-13 when it is settled — far inside the 1e-9 to which surfaces are compared with
/// other implementations.
pub const TIE_EPSILON: f64 = 5e-12;

/// Whether adjacent distinct values `a < b` (both finite) are one tie.
#[inline]
fn ties(a: f64, b: f64) -> bool {
    b - a <= TIE_EPSILON * a.abs().max(b.abs())
}

/// Makes every group of scores that are equal up to rounding exactly equal (see the module).
/// Returns how many scores changed bits.
pub fn settle_ties(scores: &mut [f64]) -> usize {
    // Whole counts (every counting measure) cannot tie by rounding: nothing to sort.
    if scores
        .iter()
        .all(|s| s.fract() == 0.0 && s.abs() < 1e11 && s.to_bits() != (-0.0f64).to_bits())
    {
        return 0;
    }
    // The distinct finite values, ascending, each with how many scores hold it.
    let mut sorted: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for &s in &sorted {
        match distinct.last_mut() {
            Some((v, count)) if v.to_bits() == s.to_bits() => *count += 1,
            _ => distinct.push((s, 1)),
        }
    }
    drop(sorted);
    // Every value that is not its group's representative, mapped to it.
    let mut to: HashMap<u64, f64> = HashMap::new();
    let mut start = 0;
    for end in 1..=distinct.len() {
        if end < distinct.len() && ties(distinct[end - 1].0, distinct[end].0) {
            continue;
        }
        let group = &distinct[start..end];
        start = end;
        if group.len() < 2 {
            continue;
        }
        // The most held value, the smallest of equals (the group is ascending); +0 for zero.
        let mut rep = group[0];
        for &g in &group[1..] {
            if g.1 > rep.1 {
                rep = g;
            }
        }
        let rep = if rep.0 == 0.0 { 0.0 } else { rep.0 };
        for &(v, _) in group {
            if v.to_bits() != rep.to_bits() {
                to.insert(v.to_bits(), rep);
            }
        }
    }
    if to.is_empty() {
        return 0;
    }
    let mut changed = 0;
    for s in scores.iter_mut() {
        if let Some(&rep) = to.get(&s.to_bits()) {
            *s = rep;
            changed += 1;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{competition_ranks, ranking};

    fn bits(s: &[f64]) -> Vec<u64> {
        s.iter().map(|x| x.to_bits()).collect()
    }

    fn ranks(scores: &[f64]) -> Vec<usize> {
        let order = ranking(scores);
        let mut by_id = vec![0; scores.len()];
        for ((id, _), r) in order.iter().zip(competition_ranks(&order)) {
            by_id[*id as usize] = r;
        }
        by_id
    }

    /// A value `k` ulps above `x` (positive `x`).
    fn up(x: f64, k: u64) -> f64 {
        f64::from_bits(x.to_bits() + k)
    }

    /// The same sums added in different orders rank identically once settled.
    #[test]
    fn scores_differing_only_by_summation_order_rank_identically() {
        // Sums of the same 40 terms in 2 orders per account: equal or a few ulps apart.
        let mut s = 17u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let accounts = 2_000;
        let mut forward = Vec::new();
        let mut backward = Vec::new();
        let mut truth = Vec::new();
        for a in 0..accounts {
            // 50 classes of truly equal scores: the same multiset of terms.
            let class = a % 50;
            let mut terms: Vec<f64> = (0..40)
                .map(|k| 1.0 / (3.0 + (class * 41 + k) as f64))
                .collect();
            // Each account adds them in its own order.
            for i in (1..terms.len()).rev() {
                terms.swap(i, (next() % (i as u64 + 1)) as usize);
            }
            forward.push(terms.iter().sum::<f64>());
            backward.push(terms.iter().rev().sum::<f64>());
            truth.push(class);
        }
        let raw_ties = |s: &[f64]| {
            let mut v = bits(s);
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        // Rounding really split the classes (else the test proves nothing).
        assert!(raw_ties(&forward) > 50, "{}", raw_ties(&forward));
        assert_ne!(ranks(&forward), ranks(&backward));
        settle_ties(&mut forward);
        settle_ties(&mut backward);
        assert_eq!(raw_ties(&forward), 50);
        assert_eq!(ranks(&forward), ranks(&backward));
        // And the settled ties are exactly the classes.
        for a in 0..accounts {
            for b in [0, 7, 1999] {
                assert_eq!(forward[a] == forward[b], truth[a] == truth[b], "{a} {b}");
            }
        }
    }

    /// Scores 1e-9 relative apart, or a unit apart at any count, are never merged.
    #[test]
    fn genuinely_different_scores_are_never_merged() {
        let base = [1e-6, 0.3, 1.0, 7.5, 1e6, -2.0, 3e-300];
        for b in base {
            let mut s = vec![b, b * (1.0 + 1e-9), b, b * (1.0 - 1e-9)];
            let before = bits(&s);
            assert_eq!(settle_ties(&mut s), 0);
            assert_eq!(bits(&s), before);
        }
        // Whole counts, with a fraction somewhere so the sort runs.
        let mut counts: Vec<f64> = (0..1000).map(|c| (c * 1_000_003) as f64).collect();
        counts.push(0.5);
        let before = bits(&counts);
        assert_eq!(settle_ties(&mut counts), 0);
        assert_eq!(bits(&counts), before);
        // Zero and the smallest positive value are not one tie.
        let mut z = vec![0.0, f64::from_bits(1), 5e-324, 1e-310];
        let before = bits(&z);
        settle_ties(&mut z);
        assert_eq!(bits(&z), before);
    }

    /// At the boundary: a gap of exactly the tolerance ties, one just above does not; and ties
    /// chain, so a run of values each within the tolerance of the next is one group.
    #[test]
    fn the_boundary_and_the_chain_rule() {
        let a = 1.0f64;
        // A gap at most TIE_EPSILON · b ties...
        let b = up(a, 1);
        assert!(ties(a, b));
        let mut within = a + TIE_EPSILON * 0.999;
        assert!(ties(a, within));
        let mut s = vec![a, within, a];
        settle_ties(&mut s);
        assert_eq!(bits(&s), bits(&[a, a, a]));
        // ...a gap of twice it does not.
        let beyond = a * (1.0 + 2.0 * TIE_EPSILON);
        assert!(!ties(a, beyond));
        let mut s = vec![a, beyond];
        assert_eq!(settle_ties(&mut s), 0);
        // The chain: a, a + 0.9ε, a + 1.8ε, a + 2.7ε are one group though the ends are 2.7ε
        // apart; the value most held (here the third, twice) is the group's.
        let e = 0.9 * TIE_EPSILON;
        let chain = [a, a * (1.0 + e), a * (1.0 + 2.0 * e), a * (1.0 + 3.0 * e)];
        let mut s = vec![chain[0], chain[1], chain[2], chain[2], chain[3], 2.0];
        assert_eq!(settle_ties(&mut s), 3);
        assert_eq!(
            bits(&s),
            bits(
                &[chain[2]; 5]
                    .iter()
                    .copied()
                    .chain([2.0])
                    .collect::<Vec<_>>()
            )
        );
        // Equally held: the smallest.
        within = up(a, 3);
        let mut s = vec![within, a];
        settle_ties(&mut s);
        assert_eq!(bits(&s), bits(&[a, a]));
    }

    #[test]
    fn settling_is_idempotent_and_independent_of_order() {
        let mut s = 5u64;
        let mut scores: Vec<f64> = (0..5_000)
            .map(|i| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
                let base = 1.0 + ((s >> 33) % 40) as f64 / 8.0;
                // Up to 3 ulps, and a chain across ε now and then.
                let k = (s >> 20) % 4;
                let x = up(base, k);
                if i % 97 == 0 {
                    x * (1.0 + 0.9 * TIE_EPSILON)
                } else {
                    x
                }
            })
            .collect();
        let mut reversed: Vec<f64> = scores.iter().rev().copied().collect();
        assert!(settle_ties(&mut scores) > 0);
        let once = bits(&scores);
        assert_eq!(settle_ties(&mut scores), 0);
        assert_eq!(bits(&scores), once);
        settle_ties(&mut reversed);
        reversed.reverse();
        assert_eq!(bits(&reversed), once);
        let mut distinct = once.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 40);
    }

    /// Zeros are one group at +0; NaN and infinities keep their bits and join nothing.
    #[test]
    fn zeros_nan_and_infinities() {
        let mut s = vec![0.0, -0.0, -0.0, 1.0];
        assert_eq!(settle_ties(&mut s), 2);
        assert_eq!(bits(&s), bits(&[0.0, 0.0, 0.0, 1.0]));
        let big = f64::MAX;
        let mut s = vec![
            f64::NAN,
            f64::INFINITY,
            big,
            f64::NEG_INFINITY,
            -big,
            0.5,
            up(0.5, 1),
        ];
        let before = bits(&s);
        assert_eq!(settle_ties(&mut s), 1);
        assert_eq!(bits(&s[..5]), before[..5]);
        assert_eq!(s[5], s[6]);
        // Only whole counts: untouched, and -0 is settled even then.
        let mut c = vec![3.0, 0.0, -0.0];
        settle_ties(&mut c);
        assert_eq!(bits(&c), bits(&[3.0, 0.0, 0.0]));
        let mut empty: Vec<f64> = Vec::new();
        assert_eq!(settle_ties(&mut empty), 0);
    }
}
