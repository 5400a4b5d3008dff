//! Earned influence on the cluster: renown-measures' `earned::model_of`, the same equations and
//! parameters, with every sum over an endorser's pairs gathered at the endorser's owner.
//!
//! A pair `a → b` (what `a` did for `b`: its engagement, its standing follow) sits with `b`'s
//! owner, where all of `b`'s events are. What stays local there: the pair's engagement volume
//! (summed in `f32` in store order, as `EdgeList::merge_duplicates` sums it), its strength, the
//! consistency factor of `b` (months answered), and γ_b. What crosses workers, in rounds:
//!
//! 1. the reference time T (the newest engagement, when no date is given): a maximum, taken
//!    in the round that counts the accounts;
//! 2. each worker sends, per endorser `a` of its pairs, its part of `a`'s budget `Σ_b s_ab` and
//!    of `k_a` to `a`'s owner (which records the worker as a subscriber), and each pair's
//!    strength to the owner of the reverse pair (reciprocity);
//! 3. the owner returns the budget; every worker weighs its pairs (`W_ab` rounded to `f32` as
//!    the single machine's endorsement graph stores it) and sends what each endorser spent;
//! 4. the owner adds the sink's share of the unspent budget (rounded to `f32` too) and returns
//!    the out-weight, the normaliser of `a`'s edge weights;
//! 5. the fixed point `c = β + d·Wᵀc` by Jacobi iterations: each owner sends `c_a` once per
//!    subscribing worker per iteration. The single machine runs Gauss–Seidel sweeps to a step
//!    of 1e-13 of the total base vote; Jacobi here runs to 1e-14, so both sit within rounding
//!    of the same fixed point (docs/SCALE.md gives the measured differences).
//!
//! Sums over one account's pairs run in another order than on one machine (the single machine
//! sums in dense-id order, which no shard knows), so budgets, spent shares and out-weights can
//! differ in their last bit; a weight rounded to `f32` then differs by one `f32` step only when
//! that bit straddles a rounding boundary (about one pair in 10⁸).

use crate::key::Layout;
use crate::rank::{to_owners, Body, Feeds, Msg, Rounds, Slots};
use crate::Result;
use renown_measures::earned::{EarnedParams, DAY};
use renown_model::Kind;
use rustc_hash::FxHashMap;

/// The step (L1 change of the scores, as a share of the total base vote) at which the Jacobi
/// iteration stops: ten times finer than the single machine's Gauss–Seidel stop.
pub const STEP: f64 = 1e-14;
/// The single machine's cap on sweeps.
pub const MAX_ITERATIONS: usize = 10_000;

/// One engagement event received by an owned account.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Endorsement {
    /// The owned account's local index.
    pub target: u32,
    pub actor: u64,
    /// `Kind::code`.
    pub kind: u8,
    /// `i64::MIN` when timeless.
    pub time: i64,
    /// Store order.
    pub order: u64,
}

/// The kinds earned influence reads besides follows: those with a positive weight.
pub fn kinds(p: &EarnedParams) -> Vec<Kind> {
    p.kind_weights
        .iter()
        .filter(|kw| kw.1 > 0.0 && !matches!(kw.0, Kind::Follow | Kind::Unfollow))
        .map(|kw| kw.0)
        .collect()
}

/// κ by kind code, the last setting of a kind winning (as on one machine).
pub(crate) fn kind_weight(p: &EarnedParams) -> [f64; 256] {
    let mut w = [0.0; 256];
    for &(k, x) in &p.kind_weights {
        w[k.code() as usize] = x;
    }
    w
}

fn time_of(t: i64) -> Option<i64> {
    (t != i64::MIN).then_some(t)
}

/// One pair `actor → target` held by the target's owner.
struct Pair {
    target: u32,
    actor: u64,
    eng: f64,
    follow: f64,
}

/// M_b for the owned accounts: as `earned::active_months` computes it, period by period in
/// ascending order (the same sums, in the same order).
fn active_months(
    local: usize,
    rows: &[Endorsement],
    p: &EarnedParams,
    reference: Option<i64>,
) -> Vec<f64> {
    let half_life = p.consistency_half_life_days.unwrap_or(p.half_life_days);
    let mut keys: Vec<(u32, i64, u64, i64)> = rows
        .iter()
        .map(|r| {
            let m = time_of(r.time).map_or(i64::MIN, |t| p.period_of(t));
            (r.target, m, r.actor, r.time)
        })
        .collect();
    keys.sort_unstable();
    let mut out = vec![0.0; local];
    let mut i = 0;
    while i < keys.len() {
        let (b, m, _, _) = keys[i];
        let mut j = i;
        let mut engagers = 0u32;
        let mut last_actor = None;
        let mut latest = i64::MIN;
        while j < keys.len() && keys[j].0 == b && keys[j].1 == m {
            if last_actor != Some(keys[j].2) {
                engagers += 1;
                last_actor = Some(keys[j].2);
            }
            latest = latest.max(keys[j].3);
            j += 1;
        }
        out[b as usize] += decay(half_life, time_of(latest), reference)
            * (1.0 - 0.5f64.powi(engagers.min(64) as i32));
        i = j;
    }
    out
}

/// `2^(-age / half-life)`, timeless events counting fully: `earned::decay`'s formula (private
/// there), for the consistency factor's own half-life.
fn decay(half_life_days: f64, t: Option<i64>, reference: Option<i64>) -> f64 {
    match (t, reference) {
        (Some(t), Some(r)) => {
            let age = (r - t).max(0) as f64;
            (-std::f64::consts::LN_2 * age / (half_life_days * DAY as f64)).exp()
        }
        _ => 1.0,
    }
}

/// M_b kept as engagement arrives (incremental runs): per (owned account, period) its
/// distinct engagers and newest engagement, so a batch updates only the periods it touches.
/// [`Months::active`] sums them as [`active_months`] does, period by period in ascending
/// order: the same bits.
#[derive(Default)]
pub(crate) struct Months {
    /// (account index, period) → (distinct engagers, newest time, `i64::MIN` timeless).
    periods: std::collections::BTreeMap<(u32, i64), (u32, i64)>,
    engagers: rustc_hash::FxHashSet<(u32, i64, u64)>,
}

impl Months {
    /// Adds engagement events (those with a positive κ) of the owned accounts.
    pub(crate) fn add(&mut self, rows: &[Endorsement], p: &EarnedParams) {
        for r in rows {
            let m = time_of(r.time).map_or(i64::MIN, |t| p.period_of(t));
            let new = self.engagers.insert((r.target, m, r.actor));
            let e = self.periods.entry((r.target, m)).or_insert((0, i64::MIN));
            e.0 += u32::from(new);
            e.1 = e.1.max(r.time);
        }
    }

    /// M_b of the `local` owned accounts at `reference`.
    pub(crate) fn active(
        &self,
        local: usize,
        p: &EarnedParams,
        reference: Option<i64>,
    ) -> Vec<f64> {
        let half_life = p.consistency_half_life_days.unwrap_or(p.half_life_days);
        let mut out = vec![0.0; local];
        for (&(b, _), &(engagers, latest)) in &self.periods {
            out[b as usize] += decay(half_life, time_of(latest), reference)
                * (1.0 - 0.5f64.powi(engagers.min(64) as i32));
        }
        out
    }
}

/// Where an incremental run starts earned influence: M_b from [`Months`], and the scores E
/// of the batch before (by local index; accounts new since then at 0), from which the Jacobi
/// iteration goes on instead of from the base votes.
#[derive(Default)]
pub(crate) struct Warm {
    pub(crate) months: Option<Vec<f64>>,
    pub(crate) scores: Option<Vec<f64>>,
}

/// The pairs of the owned accounts, sorted by (target, actor): engagement volume per pair
/// summed in `f32` in store order, merged with the standing follows.
fn pairs(
    rows: &mut [Endorsement],
    follows: &mut [(u32, u64, i64)],
    p: &EarnedParams,
    kw: &[f64; 256],
    reference: Option<i64>,
) -> Vec<Pair> {
    rows.sort_unstable_by_key(|r| (r.target, r.actor, r.order));
    let mut engaged: Vec<(u32, u64, f32)> = Vec::new();
    for r in rows.iter() {
        let w = (kw[r.kind as usize] as f32) as f64 * p.decay(time_of(r.time), reference);
        if w > 0.0 {
            match engaged.last_mut() {
                Some(last) if (last.0, last.1) == (r.target, r.actor) => last.2 += w as f32,
                _ => engaged.push((r.target, r.actor, w as f32)),
            }
        }
    }
    follows.sort_unstable_by_key(|f| (f.0, f.1));
    let follow = |t: i64| p.follow_weight * p.decay(time_of(t), reference);
    let mut out = Vec::with_capacity(engaged.len() + follows.len());
    let mut fi = 0;
    for &(target, actor, w) in &engaged {
        while fi < follows.len() && (follows[fi].0, follows[fi].1) < (target, actor) {
            out.push(Pair {
                target: follows[fi].0,
                actor: follows[fi].1,
                eng: 0.0,
                follow: follow(follows[fi].2),
            });
            fi += 1;
        }
        let mut f = 0.0;
        if fi < follows.len() && (follows[fi].0, follows[fi].1) == (target, actor) {
            f = follow(follows[fi].2);
            fi += 1;
        }
        out.push(Pair {
            target,
            actor,
            eng: w as f64,
            follow: f,
        });
    }
    out.extend(follows[fi..].iter().map(|&(target, actor, t)| Pair {
        target,
        actor,
        eng: 0.0,
        follow: follow(t),
    }));
    out
}

/// Per pair, `earned::recent_engagers`: `λ · 2^(-(T - t_last)/H_r)` with `t_last` the pair's
/// latest engagement (untimed: full weight); 0 for a follow without engagement or when λ is 0.
/// `rows` are sorted by (target, actor), as `pairs` leaves them.
fn recent_engagers(
    pairs: &[Pair],
    rows: &[Endorsement],
    p: &EarnedParams,
    kw: &[f64; 256],
    reference: Option<i64>,
) -> Vec<f64> {
    let lambda = p.recent_engager_weight;
    let mut out = vec![0.0; pairs.len()];
    if lambda == 0.0 {
        return out;
    }
    let half_life = p.recent_engager_half_life_days.unwrap_or(p.half_life_days);
    let latest_of = |r: &Endorsement| {
        if r.time == i64::MIN {
            i64::MAX
        } else {
            r.time
        }
    };
    let mut j = 0;
    for (q, o) in pairs.iter().zip(out.iter_mut()) {
        while j < rows.len() && (rows[j].target, rows[j].actor) < (q.target, q.actor) {
            j += 1;
        }
        let mut t = None;
        while j < rows.len() && (rows[j].target, rows[j].actor) == (q.target, q.actor) {
            if (kw[rows[j].kind as usize] as f32) > 0.0 {
                t = Some(t.map_or(latest_of(&rows[j]), |x: i64| x.max(latest_of(&rows[j]))));
            }
            j += 1;
        }
        if let Some(t) = t {
            let t = (t != i64::MAX).then_some(t);
            *o = lambda * decay(half_life, t, reference);
        }
    }
    out
}

/// One message per owner of slots: this worker's parts `part(slot)` of two sums over each
/// of that owner's accounts, in slot order, with the account's key.
fn parts_out(
    slots: &Slots,
    layout: Layout,
    me: u32,
    part: impl Fn(usize) -> (f64, f64),
) -> Vec<Msg> {
    (0..layout.peers())
        .filter_map(|owner| {
            let range = slots.range(owner);
            (!range.is_empty()).then(|| Msg {
                to: owner,
                body: Body::Parts {
                    from: me,
                    items: range
                        .map(|slot| {
                            let (a, b) = part(slot);
                            (slots.keys[slot], a, b)
                        })
                        .collect(),
                },
            })
        })
        .collect()
}

/// One message per owner of slots: this worker's part `part(slot)` of a sum over each of that
/// owner's accounts, in slot order (the owner knows the accounts from [`parts_out`]'s round).
fn values_out(slots: &Slots, layout: Layout, me: u32, part: &[f64]) -> Vec<Msg> {
    (0..layout.peers())
        .filter_map(|owner| {
            let range = slots.range(owner);
            (!range.is_empty()).then(|| Msg {
                to: owner,
                body: Body::Values {
                    from: me,
                    values: part[range].to_vec(),
                },
            })
        })
        .collect()
}

/// Earned influence E of the owned accounts (`keys[i]` is local account `i`), from the
/// engagement they received and their standing follows `(target index, follower, time)`.
/// Returns the scores, the Jacobi iterations and the last step.
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve(
    rounds: &mut Rounds<'_>,
    index: &FxHashMap<u64, u32>,
    keys: &[u64],
    mut rows: Vec<Endorsement>,
    mut follows: Vec<(u32, u64, i64)>,
    p: &EarnedParams,
    reference: Option<i64>,
    warm: Warm,
) -> Result<(Vec<f64>, usize, f64)> {
    let me = rounds.me;
    let layout = rounds.layout;
    let local = keys.len();
    let kw = kind_weight(p);
    rows.retain(|r| kw[r.kind as usize] > 0.0);
    if p.follow_weight <= 0.0 {
        follows.clear();
    }

    let months = match warm.months {
        Some(m) => m,
        None => active_months(local, &rows, p, reference),
    };
    let pairs = pairs(&mut rows, &mut follows, p, &kw, reference);
    let recency = recent_engagers(&pairs, &rows, p, &kw, reference);
    drop(rows);
    drop(follows);
    let consistency: Vec<f64> = months
        .iter()
        .map(|&m| {
            if p.consistency_months == 0.0 {
                1.0
            } else {
                m / (m + p.consistency_months)
            }
        })
        .collect();
    let strength: Vec<f64> = pairs
        .iter()
        .zip(&recency)
        .map(|(q, &r)| (1.0 + q.eng + q.follow).log2() + r)
        .collect();
    drop(recency);

    // 2. Budgets and k_a at the endorsers' owners; strengths to the reverse pairs' owners.
    let actors: Vec<u64> = pairs.iter().map(|q| q.actor).collect();
    let (slots, pair_slot) = Slots::assign(&actors, layout);
    drop(actors);
    let slot_keys = &slots.keys;
    let mut slot_budget = vec![0.0f64; slot_keys.len()];
    let mut slot_engaged = vec![0.0f64; slot_keys.len()];
    for ((q, &s), &slot) in pairs.iter().zip(&strength).zip(&pair_slot) {
        slot_budget[slot as usize] += s;
        slot_engaged[slot as usize] += 1.0 - (-q.eng).exp2();
    }
    let mut out = parts_out(&slots, layout, me, |slot| {
        (slot_budget[slot], slot_engaged[slot])
    });
    let reversed = pairs
        .iter()
        .zip(&strength)
        .map(|(q, &s)| (q.actor, keys[q.target as usize], s));
    out.extend(to_owners(layout, reversed, |r| r.0, Body::Reversed));
    drop(slot_budget);
    drop(slot_engaged);
    let mut parts = Vec::new();
    let mut reverse: Vec<(u32, u64, f64)> = Vec::new();
    for m in rounds.round(out) {
        match m {
            Body::Parts { from, items } => parts.push((from, items)),
            Body::Reversed(v) => reverse.extend(
                v.into_iter()
                    .filter_map(|(target, actor, s)| index.get(&target).map(|&i| (i, actor, s))),
            ),
            _ => {}
        }
    }
    // Each account's parts added in worker order: the same bits on every run.
    parts.sort_unstable_by_key(|p| p.0);
    let (mut budget, mut engaged) = (vec![0.0f64; local], vec![0.0f64; local]);
    let mut lists = Vec::with_capacity(parts.len());
    for (from, items) in parts {
        let mut locals = Vec::with_capacity(items.len());
        for (node, a, b) in items {
            // Every pair's endorser is an account its store lists (an event's actor is).
            let i = index.get(&node).copied().unwrap_or(u32::MAX);
            if let Some(x) = budget.get_mut(i as usize) {
                *x += a;
                engaged[i as usize] += b;
            }
            locals.push(i);
        }
        lists.push((from, locals));
    }
    let feeds = Feeds::from_lists(lists);
    let base: Vec<f64> = engaged.iter().map(|&k| 1.0 - (-k).exp2()).collect();
    drop(engaged);
    // s_ba for each pair a → b (0 without the reverse pair): both lists sorted by (b, a).
    reverse.sort_unstable_by_key(|r| (r.0, r.1));
    let mut back = vec![0.0f64; pairs.len()];
    let mut j = 0;
    for (q, x) in pairs.iter().zip(back.iter_mut()) {
        while j < reverse.len() && (reverse[j].0, reverse[j].1) < (q.target, q.actor) {
            j += 1;
        }
        if j < reverse.len() && (reverse[j].0, reverse[j].1) == (q.target, q.actor) {
            *x = reverse[j].2;
        }
    }
    drop(reverse);
    // γ_b, scaled by b's returned share when asked.
    let mut gamma = vec![p.reciprocity_discount; local];
    if p.reciprocity_by_share {
        let (mut received, mut returned) = (vec![0.0f64; local], vec![0.0f64; local]);
        for ((q, &s), &back) in pairs.iter().zip(&strength).zip(&back) {
            received[q.target as usize] += s;
            returned[q.target as usize] += s.min(back);
        }
        for ((g, &rec), &ret) in gamma.iter_mut().zip(&received).zip(&returned) {
            if rec > 0.0 {
                *g *= ret / rec;
            }
        }
    }

    // 3. The budgets back to the workers holding the pairs; weigh the pairs.
    let budget_of = slots.values(&rounds.round(feeds.messages(me, |i| budget[i])));
    let mut edges: Vec<(u32, u32, f32)> = Vec::new(); // (target index, slot, W unnormalised)
    let mut spent_part = vec![0.0f64; slot_keys.len()];
    for (((q, &s), &back), &slot) in pairs.iter().zip(&strength).zip(&back).zip(&pair_slot) {
        let b = q.target as usize;
        let own = s - gamma[b] * s.min(back);
        let w = consistency[b] * own / (budget_of[slot as usize] + p.selectivity_prior);
        if w > 0.0 {
            edges.push((q.target, slot, w as f32));
            spent_part[slot as usize] += w as f32 as f64;
        }
    }
    drop(pairs);
    drop(strength);
    drop(back);
    drop(pair_slot);
    let mut spent = vec![0.0f64; local];
    feeds.add(
        &rounds.round(values_out(&slots, layout, me, &spent_part)),
        &mut spent,
    );
    drop(spent_part);

    // 4. Out-weights: what was spent plus the sink's share, each weight an f32 as stored.
    let out_weight: Vec<f64> = spent
        .iter()
        .zip(&budget)
        .map(|(&spent, &budget)| {
            let sink = if budget > 0.0 && spent < 1.0 {
                (1.0 - spent) as f32 as f64
            } else {
                0.0
            };
            spent + sink
        })
        .collect();
    drop(spent);
    let norm = slots.values(&rounds.round(feeds.messages(me, |i| out_weight[i])));
    edges.sort_unstable_by_key(|e| (e.0, e.1));
    let mut offsets = vec![0u32; local + 1];
    let mut sources = Vec::with_capacity(edges.len());
    let mut weights = Vec::with_capacity(edges.len());
    for &(b, slot, w) in &edges {
        offsets[b as usize + 1] += 1;
        sources.push(slot);
        let n = norm[slot as usize];
        weights.push(if n > 0.0 { w as f64 / n } else { 0.0 });
    }
    for i in 0..local {
        offsets[i + 1] += offsets[i];
    }
    drop(edges);

    // 5. c = β + d·Wᵀc by Jacobi iterations, stopped by the same rule on every worker. The
    //    first round also sums the base votes (the stop is a share of their total).
    let base_part = base.iter().sum::<f64>();
    let mut limit = 0.0;
    let mut score = warm.scores.unwrap_or_default();
    score.resize(local, 0.0);
    let mut c: Vec<f64> = base
        .iter()
        .zip(&score)
        .map(|(&b, &e)| b + p.damping * e)
        .collect();
    let mut contrib = vec![0.0f64; slot_keys.len()];
    let (mut iterations, mut step, mut first) = (0usize, 0.0f64, true);
    let peers = layout.peers();
    let delta = loop {
        let mut out = feeds.messages(me, |i| c[i]);
        let values = if first {
            vec![step, base_part]
        } else {
            vec![step]
        };
        out.extend((0..peers).map(|to| Msg {
            to,
            body: Body::Reduce {
                from: me,
                values: values.clone(),
                error: None,
            },
        }));
        let received = rounds.round_all(out);
        slots.fill(&received, &mut contrib);
        let mut parts = Vec::new();
        for m in received {
            if let Body::Reduce { from, values, .. } = m {
                parts.push((from, values));
            }
        }
        parts.sort_by_key(|p| p.0);
        let total = parts.iter().fold(0.0, |s, p| s + p.1[0]);
        if first {
            limit = STEP * parts.iter().fold(0.0, |s, p| s + p.1[1]);
            if limit <= 0.0 {
                // No base vote anywhere (every worker knows): nothing is earned.
                return Ok((vec![0.0; local], 0, 0.0));
            }
        } else if total <= limit || iterations == MAX_ITERATIONS {
            break total;
        }
        first = false;
        iterations += 1;
        let mut change = 0.0;
        for b in 0..local {
            let (lo, hi) = (offsets[b] as usize, offsets[b + 1] as usize);
            let e: f64 = sources[lo..hi]
                .iter()
                .zip(&weights[lo..hi])
                .map(|(&a, &w)| contrib[a as usize] * w)
                .sum();
            change += (e - score[b]).abs();
            score[b] = e;
            c[b] = base[b] + p.damping * e;
        }
        step = change;
    };
    Ok((score, iterations, delta))
}
