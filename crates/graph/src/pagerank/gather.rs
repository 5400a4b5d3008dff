//! Other ways for the blocked kernel to sum its lists of more than 8 sources in `f32` (issue
//! 24), for probes and measurements: one 8-byte load per four offsets (the scalar loop's order,
//! the same bits), and SIMD gathers — the build targets baseline x86-64, so the AVX2 and AVX-512
//! loops are compiled for their features and only run where the CPU has them. A SIMD variant
//! sums each list in lanes, then the lanes in a fixed order, so a list's sum depends only on
//! the list (the same bits on every run and thread count), and agrees with the scalar loop's to
//! rounding. None measured faster than the scalar loop at R-MAT 20 and 22 on the AMD Zen 4 host
//! (BENCHMARKS.md, "SIMD gathers for the blocked PageRank, session 13"), so a layout uses
//! [`Gather::Scalar`] unless [`Blocked::with_gather`](super::Blocked::with_gather) (`renown
//! pagerank --gather`) names another.

use crate::buf::SyncPtr;

/// How the blocked kernel sums the sources of its lists of more than 8 sources (`f32`
/// scores; `f64` always runs [`Gather::Scalar`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gather {
    /// One offset load and one added load per source, four accumulators (the portable loop).
    Scalar,
    /// Four offsets from one 8-byte load, split by shifts, into four accumulators: the scalar
    /// loop's order (the same bits) with one load per source instead of two.
    Packed,
    /// Eight offsets widened to 32 bits from one load, one `vgatherdps` into an 8-lane
    /// accumulator (x86-64 with AVX2).
    Avx2,
    /// Sixteen offsets per `vgatherdps` into a 16-lane accumulator, the tail by a masked load
    /// and a masked gather (x86-64 with AVX-512F, BW and VL).
    Avx512,
}

impl Gather {
    /// Every variant, for tests and probes.
    pub const ALL: [Gather; 4] = [Gather::Scalar, Gather::Packed, Gather::Avx2, Gather::Avx512];

    /// Whether this CPU runs the variant.
    pub fn available(self) -> bool {
        match self {
            Gather::Scalar | Gather::Packed => true,
            #[cfg(target_arch = "x86_64")]
            Gather::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Gather::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512vl")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}

/// Adds each destination's `Σ contrib[o]` over its list into `sums[dst[i]]`: destination `i`'s
/// list is `src[start..ends[i]]` for the first, then from the previous end. `gather` is not
/// [`Gather::Scalar`] (that loop is the generic one in `blocked.rs`, for `f32` and `f64`).
///
/// # Safety
/// `gather` is available on this CPU; every offset of those lists is below `contrib.len()`;
/// `ends` ascends from `start` within `src` and has `dst.len()` entries; each `dst[i]` is in
/// bounds of `sums` and no other thread touches it meanwhile.
pub(super) unsafe fn add_lists(
    gather: Gather,
    dst: &[u32],
    ends: &[u32],
    start: usize,
    src: &[u16],
    contrib: &[f32],
    sums: SyncPtr<f32>,
) {
    debug_assert!(gather.available() && gather != Gather::Scalar);
    debug_assert!(ends.len() == dst.len() && ends.last().is_none_or(|&e| e as usize <= src.len()));
    match gather {
        // SAFETY: the caller's contract.
        Gather::Packed => unsafe {
            add_lists_with(dst, ends, start, src, contrib, sums, sum_packed)
        },
        // SAFETY: the caller's contract.
        #[cfg(target_arch = "x86_64")]
        Gather::Avx2 => unsafe { x86::add_lists_avx2(dst, ends, start, src, contrib, sums) },
        // SAFETY: the caller's contract.
        #[cfg(target_arch = "x86_64")]
        Gather::Avx512 => unsafe { x86::add_lists_avx512(dst, ends, start, src, contrib, sums) },
        _ => unreachable!("add_lists runs the variants other than Scalar"),
    }
}

/// [`add_lists`] with the list sum `sum` (inlined).
///
/// # Safety
/// As [`add_lists`]; `sum` reads `contrib` at the list's offsets only.
#[inline(always)]
unsafe fn add_lists_with(
    dst: &[u32],
    ends: &[u32],
    mut start: usize,
    src: &[u16],
    contrib: &[f32],
    sums: SyncPtr<f32>,
    sum: impl Fn(&[f32], &[u16]) -> f32,
) {
    for (&v, &stop) in dst.iter().zip(ends) {
        let stop = stop as usize;
        // SAFETY: the caller's contract (in-bounds lists, offsets and destinations).
        unsafe {
            let s = sum(contrib, src.get_unchecked(start..stop));
            *sums.at(v as usize) += s;
        }
        start = stop;
    }
}

/// Four offsets of `c` from one 8-byte load, in `c`'s order.
#[inline(always)]
fn split4(c: &[u16; 4]) -> [usize; 4] {
    // SAFETY: `c` is 8 readable bytes.
    let mut w = u64::from_ne_bytes(unsafe { c.as_ptr().cast::<[u8; 8]>().read_unaligned() });
    // An empty asm keeps LLVM from narrowing the load back into four 2-byte loads.
    // SAFETY: no instruction; `w` is passed through a register.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("/* {0} */", inout(reg) w, options(pure, nomem, nostack, preserves_flags))
    };
    let mut o = [
        (w & 0xffff) as usize,
        ((w >> 16) & 0xffff) as usize,
        ((w >> 32) & 0xffff) as usize,
        (w >> 48) as usize,
    ];
    if cfg!(target_endian = "big") {
        // The first offset is then the word's high 16 bits.
        o.reverse();
    }
    o
}

/// `Σ contrib[o]` over `list` in the order of the scalar loop (`sum_sources`: four
/// accumulators, the tail into the first, then `(a0 + a1) + (a2 + a3)`), so the same bits.
/// Every offset must index `contrib` (unchecked).
#[inline(always)]
fn sum_packed(contrib: &[f32], list: &[u16]) -> f32 {
    // SAFETY: the callers' contract (`add_lists`): every offset indexes `contrib`.
    let at = |o: usize| unsafe { *contrib.get_unchecked(o) };
    let mut acc = [0f32; 4];
    let (chunks, tail) = list.as_chunks::<4>();
    for c in chunks {
        let o = split4(c);
        acc[0] += at(o[0]);
        acc[1] += at(o[1]);
        acc[2] += at(o[2]);
        acc[3] += at(o[3]);
    }
    for &o in tail {
        acc[0] += at(o as usize);
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// `Σ contrib[o]` over `list` by `gather` (for tests: the kernel sums through [`add_lists`]).
#[cfg(test)]
pub(super) fn sum_list(gather: Gather, contrib: &[f32], list: &[u16]) -> f32 {
    assert!(gather.available() && list.iter().all(|&o| (o as usize) < contrib.len()));
    if gather == Gather::Scalar {
        return super::sum_sources(contrib, list);
    }
    let mut out = [0f32];
    // SAFETY: checked above; one destination (index 0 of `out`), one list.
    unsafe {
        add_lists(
            gather,
            &[0],
            &[list.len() as u32],
            0,
            list,
            contrib,
            SyncPtr(out.as_mut_ptr()),
        )
    };
    out[0]
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::SyncPtr;
    use std::arch::x86_64::*;

    /// The 8 lanes summed in a fixed order: (0+4, 1+5, 2+6, 3+7), then (0+2, 1+3), then 0+1.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn hsum8(v: __m256) -> f32 {
        let q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let d = _mm_add_ps(q, _mm_movehl_ps(q, q));
        _mm_cvtss_f32(_mm_add_ss(d, _mm_movehdup_ps(d)))
    }

    /// `Σ contrib[o]` over `list`: 8 lanes, the lanes summed by [`hsum8`], then the last
    /// `len % 8` sources one by one.
    ///
    /// # Safety
    /// Every offset in `list` is below `contrib.len()`.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn sum_avx2(contrib: &[f32], list: &[u16]) -> f32 {
        let base = contrib.as_ptr();
        let mut acc = _mm256_setzero_ps();
        let (chunks, tail) = list.as_chunks::<8>();
        for c in chunks {
            // SAFETY: `c` is 16 readable bytes; the offsets index `contrib` (the contract).
            unsafe {
                let o = _mm_loadu_si128(c.as_ptr().cast());
                let g = _mm256_i32gather_ps::<4>(base, _mm256_cvtepu16_epi32(o));
                acc = _mm256_add_ps(acc, g);
            }
        }
        let mut sum = hsum8(acc);
        for &o in tail {
            // SAFETY: as above.
            sum += unsafe { *contrib.get_unchecked(o as usize) };
        }
        sum
    }

    /// [`super::add_lists`] with [`sum_avx2`].
    ///
    /// # Safety
    /// As [`super::add_lists`].
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn add_lists_avx2(
        dst: &[u32],
        ends: &[u32],
        mut start: usize,
        src: &[u16],
        contrib: &[f32],
        sums: SyncPtr<f32>,
    ) {
        for (&v, &stop) in dst.iter().zip(ends) {
            let stop = stop as usize;
            // SAFETY: the caller's contract (in-bounds lists, offsets and destinations).
            unsafe {
                let s = sum_avx2(contrib, src.get_unchecked(start..stop));
                *sums.at(v as usize) += s;
            }
            start = stop;
        }
    }

    /// The 16 lanes summed in a fixed order: (k + k+8) for k < 8, then as [`hsum8`].
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn hsum16(v: __m512) -> f32 {
        let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(v)));
        let h = _mm256_add_ps(_mm512_castps512_ps256(v), hi);
        hsum8(h)
    }

    /// `Σ contrib[o]` over `list`: 16 lanes, the last `len % 16` sources by a masked load and
    /// a masked gather into the same lanes, then the lanes summed by [`hsum16`].
    ///
    /// # Safety
    /// Every offset in `list` is below `contrib.len()`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    #[inline]
    unsafe fn sum_avx512(contrib: &[f32], list: &[u16]) -> f32 {
        let base = contrib.as_ptr();
        let mut acc = _mm512_setzero_ps();
        let (chunks, tail) = list.as_chunks::<16>();
        for c in chunks {
            // SAFETY: `c` is 32 readable bytes; the offsets index `contrib` (the contract).
            unsafe {
                let o = _mm256_loadu_si256(c.as_ptr().cast());
                let g = _mm512_i32gather_ps::<4>(_mm512_cvtepu16_epi32(o), base);
                acc = _mm512_add_ps(acc, g);
            }
        }
        if !tail.is_empty() {
            let k: __mmask16 = (1u16 << tail.len()) - 1;
            // SAFETY: the masked load reads only the tail's `len` offsets (masked-off lanes do
            // not fault) and the masked gather only their sources.
            unsafe {
                let o = _mm256_maskz_loadu_epi16(k, tail.as_ptr().cast());
                let g = _mm512_mask_i32gather_ps::<4>(
                    _mm512_setzero_ps(),
                    k,
                    _mm512_cvtepu16_epi32(o),
                    base,
                );
                acc = _mm512_add_ps(acc, g);
            }
        }
        hsum16(acc)
    }

    /// [`super::add_lists`] with [`sum_avx512`].
    ///
    /// # Safety
    /// As [`super::add_lists`].
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    pub(super) unsafe fn add_lists_avx512(
        dst: &[u32],
        ends: &[u32],
        mut start: usize,
        src: &[u16],
        contrib: &[f32],
        sums: SyncPtr<f32>,
    ) {
        for (&v, &stop) in dst.iter().zip(ends) {
            let stop = stop as usize;
            // SAFETY: the caller's contract (in-bounds lists, offsets and destinations).
            unsafe {
                let s = sum_avx512(contrib, src.get_unchecked(start..stop));
                *sums.at(v as usize) += s;
            }
            start = stop;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every available variant sums lists of every length up to 40 (all tails) to the exact
    /// sum's rounding, the same bits on a repeat, and the SIMD variants differ from the scalar
    /// loop only by rounding.
    #[test]
    fn every_variant_sums_lists_of_any_length() {
        let contrib: Vec<f32> = (0..1000).map(|i| 1.0 / (1 + i % 13) as f32).collect();
        for gather in Gather::ALL.into_iter().filter(|g| g.available()) {
            for len in 0..=40usize {
                let list: Vec<u16> = (0..len).map(|i| ((i * 37 + len) % 1000) as u16).collect();
                let exact: f64 = list.iter().map(|&o| contrib[o as usize] as f64).sum();
                let got = sum_list(gather, &contrib, &list);
                assert!(
                    (got as f64 - exact).abs() <= 1e-6 * exact.max(1.0),
                    "{gather:?}, {len} sources: {got} vs {exact}"
                );
                assert_eq!(got.to_bits(), sum_list(gather, &contrib, &list).to_bits());
            }
        }
    }
}
