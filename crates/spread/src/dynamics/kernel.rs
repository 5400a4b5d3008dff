//! The joint estimate of the attachment kernel A(k) and the fitnesses η: PAFit's
//! minorize–maximize iteration, accelerated by SQUAREM, and α as the slope of log A on log k.

use super::growth::{bin_range, prepare, Boundary, Prepared, MIN_BIN_ARRIVALS};
use super::Growth;
use renown_model::Cancel;
use std::borrow::Cow;

/// Fitting controls.
#[derive(Clone, Debug)]
pub struct FitOptions {
    /// Shape (and rate) of the Gamma prior on fitness; larger pulls harder towards 1.
    pub prior_shape: f64,
    /// Iterations at most.
    pub max_iterations: u32,
    /// Stop when no kernel or fitness value changes by more than this fraction.
    pub tolerance: f64,
    /// Estimate fitness (false = all fitnesses fixed at 1).
    pub fitness: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            prior_shape: 5.0,
            max_iterations: 1000,
            tolerance: 1e-5,
            fitness: true,
        }
    }
}

/// A joint estimate of the kernel and the fitnesses.
#[derive(Clone, Debug)]
pub struct KernelFit {
    /// A per bin, scaled so the bin of k = 1 is 1 (A's scale is not identified).
    pub a: Vec<f64>,
    /// Arrivals counted in each bin.
    pub bin_arrivals: Vec<f64>,
    /// Fitness per account as fitted (1 when not estimated): on the scale of its Gamma prior,
    /// mean 1, so 2 means twice the typical account's attachment rate at the same degree.
    pub eta: Vec<f64>,
    /// The slope of log A on log k ([`fit_alpha`]): `A(k) ∝ k^α`; `None` when too few bins hold
    /// enough arrivals.
    pub alpha: Option<f64>,
    /// Iterations run.
    pub iterations: u32,
    /// The tolerance was reached before `max_iterations`.
    pub converged: bool,
    /// A and η (per unit) as fitted, before the A(1) = 1 scaling: the prior on η is not
    /// scale-free, so this (not `a`, `eta`) is the fixed point to warm-start a bootstrap
    /// replicate from.
    pub(super) fitted: (Vec<f64>, Vec<f64>),
}

/// What one sweep reads and writes per unit, packed together: the boundary loop visits units in
/// no useful order, so each visit is a cache miss, and one line instead of one per array (w, η,
/// the last prefix sum, the exposure) is what the sweep costs (profile: the loads dominated).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
pub(super) struct UnitState {
    /// w·η: the unit's weight in Z per unit of A.
    v: f64,
    /// The prefix sum of m/Z at the unit's last boundary met.
    c_last: f64,
    /// The exposure credited so far (the η step's denominator).
    exposure: f64,
}

pub(super) struct Mm<'p> {
    pub(super) p: &'p Prepared,
    /// Bootstrap weight per unit: the sum of its accounts' (1 each for the plain fit).
    pub(super) w: Vec<f64>,
    /// Per unit, how many of its accounts have a nonzero weight: each is a value of the
    /// iteration, so each counts in the acceleration's step length.
    pub(super) drawn: Vec<f64>,
    /// The units with segments and a nonzero weight, and their boundaries by epoch (as
    /// `p.boundary_start`, `p.boundaries`): a unit drawn 0 times adds nothing to Z or to any
    /// denominator, so skipping it (about 37 % under Poisson(1)) changes no sum. Borrowed when
    /// every unit counts.
    pub(super) active: Cow<'p, [u32]>,
    boundary_start: Cow<'p, [u32]>,
    boundaries: Cow<'p, [Boundary]>,
    /// Per epoch: weighted arrivals.
    pub(super) m: Vec<f64>,
    pub(super) num_a: Vec<f64>,
    pub(super) num_eta: Vec<f64>,
    /// Scratch, reused across iterations: the per-unit state of a sweep, and the denominators
    /// of the A and η updates (`den_a` has a slot for the bin before birth, whose A is 0).
    state: Vec<UnitState>,
    pub(super) den_a: Vec<f64>,
    pub(super) den_eta: Vec<f64>,
}

impl<'p> Mm<'p> {
    /// The iteration under `weights`, one per account.
    pub(super) fn new(p: &'p Prepared, weights: Vec<f64>) -> Mm<'p> {
        let mut w = vec![0.0; p.units];
        let mut drawn = vec![0.0; p.units];
        for (&u, &wi) in p.unit_of.iter().zip(&weights) {
            w[u as usize] += wi;
            if wi != 0.0 {
                drawn[u as usize] += 1.0;
            }
        }
        let mut m = vec![0.0; p.steps];
        let mut num_a = vec![0.0; p.bins];
        let mut num_eta = vec![0.0; p.units];
        for &(s, u, b) in &p.arrivals {
            let wu = w[u as usize];
            m[s as usize] += wu;
            num_a[b as usize] += wu;
            num_eta[u as usize] += 1.0;
        }
        let (active, boundary_start, boundaries) = if weights.iter().all(|&wi| wi != 0.0) {
            (
                Cow::Borrowed(p.all_units.as_slice()),
                Cow::Borrowed(p.boundary_start.as_slice()),
                Cow::Borrowed(p.boundaries.as_slice()),
            )
        } else {
            let active: Vec<u32> = p
                .all_units
                .iter()
                .copied()
                .filter(|&u| w[u as usize] != 0.0)
                .collect();
            let mut start = Vec::with_capacity(p.boundary_start.len());
            let mut kept = Vec::with_capacity(p.boundaries.len());
            start.push(0);
            for e in 0..p.steps {
                let range = p.boundary_start[e] as usize..p.boundary_start[e + 1] as usize;
                kept.extend(
                    p.boundaries[range]
                        .iter()
                        .filter(|b| w[b.unit as usize] != 0.0),
                );
                start.push(kept.len() as u32);
            }
            (Cow::Owned(active), Cow::Owned(start), Cow::Owned(kept))
        };
        Mm {
            p,
            w,
            drawn,
            active,
            boundary_start,
            boundaries,
            m,
            num_a,
            num_eta,
            state: vec![UnitState::default(); p.units],
            den_a: vec![0.0; p.bins + 1],
            den_eta: vec![0.0; p.units],
        }
    }

    /// One pass over the epochs in time order at (A, η): Z(t) changes at each boundary by the
    /// unit's w·η·(A(new bin) − A(old bin)), the prefix sum C of m(t)/Z(t) runs along, and
    /// each segment's exposure (C at its end − C at its start) is handed to
    /// `credit(state of the unit, bin, exposure)` as the segment ends: at the unit's next
    /// boundary, or after the last epoch (each active unit's `exposure` is zeroed first). `a` has a trailing 0 for the bin before birth. With `log_z`,
    /// returns Σ_t m(t)·ln Z(t) (the normalising part of the log-likelihood), else 0.
    #[inline(always)]
    fn sweep(
        &mut self,
        a: &[f64],
        eta: &[f64],
        log_z: bool,
        mut credit: impl FnMut(&mut UnitState, usize, f64),
    ) -> f64 {
        let state = &mut self.state;
        for &u in self.active.iter() {
            let u = u as usize;
            state[u] = UnitState {
                v: self.w[u] * eta[u],
                c_last: 0.0,
                exposure: 0.0,
            };
        }
        let (starts, bounds) = (&self.boundary_start, &self.boundaries);
        let mut z = 0.0;
        let mut acc = 0.0;
        let mut sum_log_z = 0.0;
        for (e, &m) in self.m.iter().enumerate() {
            let mut d = 0.0;
            for b in &bounds[starts[e] as usize..starts[e + 1] as usize] {
                let s = &mut state[b.unit as usize];
                let v = s.v;
                d += v * a[b.bin as usize] - v * a[b.before as usize];
                let exposure = acc - s.c_last;
                credit(s, b.before as usize, exposure);
                s.c_last = acc;
            }
            z += d;
            // Divide unconditionally and select: under bootstrap weights m(t) is 0 at random
            // epochs, and a branch on it mispredicts often enough to dominate the loop.
            let q = m / z;
            let counts = (m > 0.0) & (z > 0.0);
            acc += if counts { q } else { 0.0 };
            if log_z && counts {
                sum_log_z += m * z.ln();
            }
        }
        for &u in self.active.iter() {
            let u = u as usize;
            let s = &mut state[u];
            let exposure = acc - s.c_last;
            credit(s, self.p.last_bin[u] as usize, exposure);
        }
        sum_log_z
    }

    /// A with a trailing 0: the A of the bin before birth.
    fn extended(a: &[f64]) -> Vec<f64> {
        let mut ext = Vec::with_capacity(a.len() + 1);
        ext.extend_from_slice(a);
        ext.push(0.0);
        ext
    }

    /// The exposure of every active unit, Σ over its segments of A(bin)·(sum of m/Z over the
    /// segment's epochs), into `den_eta` (what the η step divides by).
    pub(super) fn exposure(&mut self, a: &[f64], eta: &[f64]) {
        let ax = Self::extended(a);
        self.sweep(&ax, eta, false, |s, bin, e| s.exposure += ax[bin] * e);
        self.den_eta.fill(0.0);
        for &u in self.active.iter() {
            self.den_eta[u as usize] = self.state[u as usize].exposure;
        }
    }

    /// The log-posterior of (A, η) up to a constant, given Σ m ln Z at that point: what each
    /// MM step increases, so what an accelerated step must not decrease.
    pub(super) fn objective(
        &self,
        a: &[f64],
        eta: &[f64],
        sum_log_z: f64,
        opts: &FitOptions,
    ) -> f64 {
        let mut l = -sum_log_z;
        for (b, &ab) in a.iter().enumerate() {
            if self.num_a[b] > 0.0 {
                l += self.num_a[b] * ab.ln();
            }
        }
        if opts.fitness {
            let shape = opts.prior_shape;
            for (i, &e) in eta.iter().enumerate() {
                let wi = self.w[i];
                if wi != 0.0 {
                    l += wi * ((self.num_eta[i] + shape - 1.0) * e.ln() - shape * e);
                }
            }
        }
        l
    }

    /// The A step; returns the largest relative change and, with `log_z`, Σ m ln Z before it.
    pub(super) fn update_a(&mut self, a: &mut [f64], eta: &[f64], log_z: bool) -> (f64, f64) {
        let ax = Self::extended(a);
        let mut den = std::mem::take(&mut self.den_a);
        den.fill(0.0);
        let sum_log_z = self.sweep(&ax, eta, log_z, |s, bin, e| den[bin] += s.v * e);
        let mut change: f64 = 0.0;
        for b in 0..a.len() {
            let new = if den[b] > 0.0 && self.num_a[b] > 0.0 {
                self.num_a[b] / den[b]
            } else {
                0.0
            };
            if a[b] > 0.0 {
                change = change.max((new - a[b]).abs() / a[b]);
            }
            a[b] = new;
        }
        self.den_a = den;
        (change, sum_log_z)
    }

    pub(super) fn update_eta(&mut self, a: &[f64], eta: &mut [f64], shape: f64) -> f64 {
        self.exposure(a, eta);
        let den = &self.den_eta;
        let mut change: f64 = 0.0;
        for i in 0..eta.len() {
            if self.w[i] == 0.0 {
                continue;
            }
            // MAP under a Gamma(shape, shape) prior. A bootstrap weight w counts the account w
            // times, prior included (w copies of an account are w accounts, each with its
            // prior), so it cancels: (w·n + w·(shape−1)) / (w·den + w·shape).
            let new = (self.num_eta[i] + shape - 1.0) / (den[i] + shape);
            change = change.max((new - eta[i]).abs() / eta[i].max(1e-12));
            eta[i] = new;
        }
        change
    }

    /// One MM step θ → F(θ) in place: A given η, then η given A. Returns the largest relative
    /// change and, with `log_z`, Σ m ln Z at the θ it started from.
    pub(super) fn step(
        &mut self,
        a: &mut [f64],
        eta: &mut [f64],
        opts: &FitOptions,
        log_z: bool,
    ) -> (f64, f64) {
        let (mut change, sum_log_z) = self.update_a(a, eta, log_z);
        if opts.fitness {
            change = change.max(self.update_eta(a, eta, opts.prior_shape));
        }
        (change, sum_log_z)
    }

    /// Iterates to convergence, accelerated by SQUAREM (Varadhan & Roland 2008, scheme S3):
    /// two MM steps give the direction and curvature of
    /// the slow iteration, an extrapolated point is stabilised by one more MM step and kept
    /// only if the log-posterior did not drop, else the plain two-step point is kept. The fixed
    /// point is the plain iteration's; only the number of steps to it changes. The stopping rule
    /// is the plain one (no value changes by more than `tolerance` in one MM step); the count
    /// returned is of MM steps. Stops early (unconverged) when `cancel` is set.
    pub(super) fn run(
        &mut self,
        a: &mut [f64],
        eta: &mut [f64],
        opts: &FitOptions,
        cancel: &Cancel,
    ) -> (u32, bool) {
        let mut steps = 0u32;
        let mut step_max = 1.0f64;
        // The objective at the start of the cycle whose extrapolation is under test, and the
        // plain point to fall back to.
        let mut previous: Option<(f64, Vec<f64>, Vec<f64>)> = None;
        while steps < opts.max_iterations {
            if cancel.is_cancelled() {
                return (steps, false);
            }
            let (a0, eta0) = (a.to_vec(), eta.to_vec());
            let (change, sum_log_z) = self.step(a, eta, opts, true);
            steps += 1;
            let l0 = self.objective(&a0, &eta0, sum_log_z, opts);
            if let Some((l_prev, a2, eta2)) = previous.take() {
                if !(l0.is_finite() && l0 >= l_prev) {
                    // The extrapolation lost ground: back to the plain two-step point, and
                    // shorter extrapolations from now on.
                    a.copy_from_slice(&a2);
                    eta.copy_from_slice(&eta2);
                    step_max = (step_max / 4.0).max(1.0);
                    continue;
                }
            }
            if change < opts.tolerance {
                return (steps, true);
            }
            if steps >= opts.max_iterations {
                break;
            }
            let (a1, eta1) = (a.to_vec(), eta.to_vec());
            let (change, _) = self.step(a, eta, opts, false);
            steps += 1;
            if change < opts.tolerance {
                return (steps, true);
            }
            if steps >= opts.max_iterations {
                break;
            }
            // r = θ1 − θ0, v = θ2 − 2·θ1 + θ0 (zero kernel bins stay zero; accounts weighted
            // 0 are not fitted).
            let (mut rr, mut vv) = (0.0, 0.0);
            // A unit stands for `drawn` values of the iteration, one per account.
            let mut accumulate = |x0: f64, x1: f64, x2: f64, times: f64| {
                let (r, v) = (x1 - x0, x2 - 2.0 * x1 + x0);
                rr += times * (r * r);
                vv += times * (v * v);
            };
            for b in 0..a.len() {
                accumulate(a0[b], a1[b], a[b], 1.0);
            }
            if opts.fitness {
                for i in 0..eta.len() {
                    if self.w[i] != 0.0 {
                        accumulate(eta0[i], eta1[i], eta[i], self.drawn[i]);
                    }
                }
            }
            // No curvature (or NaN): nothing to extrapolate.
            if vv.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                continue;
            }
            let alpha = -(rr / vv).sqrt().clamp(1.0, step_max);
            if alpha == -step_max {
                step_max *= 4.0;
            }
            let (a2, eta2) = (a.to_vec(), eta.to_vec());
            // θ0 − 2αr + α²v; a value the extrapolation would take to zero or below keeps the
            // plain point's (the objective check below guards the whole step).
            let extrapolate = |x0: f64, x1: f64, x2: f64| {
                let (r, v) = (x1 - x0, x2 - 2.0 * x1 + x0);
                let x = x0 - 2.0 * alpha * r + alpha * alpha * v;
                if x > 0.0 && x.is_finite() {
                    x
                } else {
                    x2
                }
            };
            for b in 0..a.len() {
                if a2[b] > 0.0 {
                    a[b] = extrapolate(a0[b], a1[b], a2[b]);
                }
            }
            if opts.fitness {
                for i in 0..eta.len() {
                    if self.w[i] != 0.0 {
                        eta[i] = extrapolate(eta0[i], eta1[i], eta2[i]);
                    }
                }
            }
            // Stabilise: one MM step from the extrapolated point; the next cycle's first step
            // measures the objective there and keeps it or falls back to (a2, eta2).
            self.step(a, eta, opts, false);
            steps += 1;
            previous = Some((l0, a2, eta2));
        }
        (steps.min(opts.max_iterations), false)
    }
}

/// The slope of log A on log k over bins with k ≥ 1 and enough arrivals.
pub fn fit_alpha(a: &[f64], bin_arrivals: &[f64]) -> Option<f64> {
    let pts: Vec<(f64, f64)> = (1..a.len())
        .filter(|&b| a[b] > 0.0 && bin_arrivals[b] >= MIN_BIN_ARRIVALS)
        .map(|b| {
            let (lo, hi) = bin_range(b);
            (((lo as f64) * (hi as f64)).sqrt().ln(), a[b].ln())
        })
        .collect();
    slope(&pts)
}

pub(super) fn slope(pts: &[(f64, f64)]) -> Option<f64> {
    if pts.len() < 3 {
        return None;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

pub(super) fn normalise(a: &mut [f64]) {
    // Scale so A(1) = 1 when it is estimated, else the first positive bin. Only A: the
    // likelihood is flat along A's scale, so A(1) is wherever the iteration stopped, while η is
    // pinned by its Gamma prior (mean 1); multiplying η by that A(1) would report a fitness
    // whose scale depends on where the iteration stopped.
    let Some(&s) = a
        .get(1)
        .filter(|v| **v > 0.0)
        .or(a.iter().find(|v| **v > 0.0))
    else {
        return;
    };
    a.iter_mut().for_each(|v| *v /= s);
}

pub(super) fn start(p: &Prepared) -> (Vec<f64>, Vec<f64>) {
    // Start from linear attachment with A(0) = 1.
    let a = (0..p.bins)
        .map(|b| {
            let (lo, hi) = bin_range(b);
            (((lo.max(1)) as f64) * (hi.max(1) as f64)).sqrt()
        })
        .collect();
    (a, vec![1.0; p.units])
}

/// Estimates the kernel (and the fitnesses, if asked) from growth.
pub fn fit(g: &Growth, opts: &FitOptions) -> KernelFit {
    let p = prepare(g);
    fit_prepared(&p, opts, &Cancel::new())
}

pub(super) fn fit_prepared(p: &Prepared, opts: &FitOptions, cancel: &Cancel) -> KernelFit {
    let mut mm = Mm::new(p, vec![1.0; p.nodes]);
    let (mut a, mut eta) = start(p);
    let (iterations, converged) = mm.run(&mut a, &mut eta, opts, cancel);
    reported(p, (a, eta), mm.num_a, iterations, converged)
}

/// The fit as reported from the fixed point reached (A and η per unit, as fitted).
pub(super) fn reported(
    p: &Prepared,
    fitted: (Vec<f64>, Vec<f64>),
    bin_arrivals: Vec<f64>,
    iterations: u32,
    converged: bool,
) -> KernelFit {
    let mut a = fitted.0.clone();
    normalise(&mut a);
    KernelFit {
        alpha: fit_alpha(&a, &bin_arrivals),
        a,
        bin_arrivals,
        eta: p.per_account(&fitted.1),
        iterations,
        converged,
        fitted,
    }
}
