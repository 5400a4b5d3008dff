//! A small, fast, seedable generator (xoshiro256++, seeded through SplitMix64). Sampling draws
//! one or two numbers per visited node, so the generator's cost matters; every stream is
//! derived from `(seed, stream)` so that results do not depend on how work is split across
//! threads.

/// One random stream (xoshiro256++).
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// The generator for stream `stream` of run `seed`.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut a = seed;
        let mut st = splitmix(&mut a) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng {
            s: [
                splitmix(&mut st),
                splitmix(&mut st),
                splitmix(&mut st),
                splitmix(&mut st),
            ],
        }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)`.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]`: safe to take the logarithm of.
    #[inline]
    pub fn unit_open0(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (`n > 0`), by Lemire's multiply-shift.
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * n as u64) >> 32) as u32
    }

    /// How many independent trials of success probability `p` (`0 < p < 1`) fail before the
    /// first success, given `inv_log_fail = 1 / ln(1 − p)`: a geometric jump, the heart of
    /// subset sampling (SUBSIM, Guo et al. 2020).
    #[inline]
    pub fn failures_before_success(&mut self, inv_log_fail: f64) -> u64 {
        let jump = self.unit_open0().ln() * inv_log_fail;
        // `jump` is ≥ 0; very small p can give huge jumps, saturated by the cast.
        jump as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_is_uniform_and_streams_differ() {
        let mut r = Rng::new(7, 0);
        let n = 200_000;
        let mean: f64 = (0..n).map(|_| r.unit()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, 1).next_u64()).collect();
        let b: Vec<u64> = (0..4).map(|_| Rng::new(7, 2).next_u64()).collect();
        assert_ne!(a, b);
        assert_eq!(Rng::new(7, 1).next_u64(), Rng::new(7, 1).next_u64());
    }

    #[test]
    fn geometric_jumps_have_the_right_mean() {
        let mut r = Rng::new(1, 1);
        for p in [0.5f64, 0.1, 0.01] {
            let inv = 1.0 / (1.0 - p).ln();
            let n = 100_000;
            let mean = (0..n)
                .map(|_| r.failures_before_success(inv) as f64)
                .sum::<f64>()
                / n as f64;
            let expected = (1.0 - p) / p;
            assert!(
                (mean - expected).abs() < 0.03 * expected + 0.01,
                "p {p}: mean {mean} vs {expected}"
            );
        }
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(3, 3);
        let mut seen = [0u32; 5];
        for _ in 0..50_000 {
            seen[r.below(5) as usize] += 1;
        }
        assert!(
            seen.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{seen:?}"
        );
    }
}
