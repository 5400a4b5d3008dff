//! Earned influence: credibility-weighted endorsement over the engagement graph.
//!
//! Every engagement `a → b` (a reshares, quotes, replies to, comments on, mentions, likes or links
//! `b`) is an endorsement of `b` by `a`. An endorsement counts for more when `a` has itself earned
//! influence, when `a` is selective, when it is recent, and when `b` is answered month after
//! month rather than in one burst. The equations, defaults and the bound on collusion rings are
//! in `docs/MEASURES.md`; in short, with `T` the reference time (`--as-of`, else the newest
//! engagement in scope):
//!
//! ```text
//! v_ab = Σ_{events a→b} κ_kind · 2^(-(T - t)/H)  +  κ_follow · 2^(-(T - t_follow)/H) · [a follows b]
//! s_ab = log2(1 + v_ab)                                  distinct engagers, sublinear per pair
//! s'_ab = s_ab - γ · min(s_ab, s_ba)                     exchanged endorsement is discounted
//! W_ab = F_b · s'_ab / (Σ_x s_ax + σ)                    selectivity: a's budget is shared
//! β_a  = 1 - 2^(-k_a),  k_a = Σ_b (1 - 2^(-v^eng_ab))    a base vote only for accounts that engage
//! c    = β + d · Wᵀ c                                    credibility (a personalised PageRank)
//! E    = Wᵀ c                                            earned influence, in base votes
//! F_b  = M_b / (M_b + M0),  M_b = Σ_months 2^(-(T - t_last)/H) · (1 - 2^(-engagers in month))
//! ```
//!
//! The fixed point is solved by Gauss–Seidel sweeps over the endorsement graph (a `renown-graph`
//! CSR whose extra sink node takes each account's unspent budget, so out-weights are 1).

use crate::{Log, MeasureError, MeasureSpec, Measured, Result, Scope, Scores};
use renown_graph::{Csr, EdgeList, GraphError};
use renown_model::civil;
use renown_model::{Kind, DEFAULT_KIND_WEIGHTS};
use renown_store::Store;
use serde::Serialize;

/// Seconds in a day.
pub const DAY: i64 = civil::DAY;

/// The knobs of earned influence; `Default` gives the documented defaults.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EarnedParams {
    /// κ: what one engagement of each kind is worth (kinds not listed count nothing).
    pub kind_weights: Vec<(Kind, f64)>,
    /// κ_follow: what a standing follow adds to a pair, decayed from the time it was made like
    /// any endorsement (passed on only by followers who engage or are credible).
    pub follow_weight: f64,
    /// H: engagement loses half its weight every `half_life_days`.
    pub half_life_days: f64,
    /// d: how much of its credibility an endorser passes on (PageRank's damping).
    pub damping: f64,
    /// σ: the unspent budget of every endorser; an account with little activity passes on less
    /// than all of its credibility.
    pub selectivity_prior: f64,
    /// γ: the share of mutual (exchanged) endorsement that is discounted.
    pub reciprocity_discount: f64,
    /// Scale γ for each endorsed account `b` by `r_b`, the share of `b`'s received strength that
    /// `b` returns (`Σ_a min(s_ab, s_ba) / Σ_a s_ab`): a ring member, whose endorsers are all
    /// endorsed back, keeps the full discount; an account answered by many it never answers
    /// (a correspondent many write to) loses little to the few exchanges it has.
    pub reciprocity_by_share: bool,
    /// M0: active periods (months by default) at which the consistency factor reaches one
    /// half; 0 turns it off.
    pub consistency_months: f64,
    /// The consistency factor's period in days; `None`: calendar months. A store that spans a
    /// week has one or two months: consistency over months says nothing there, over days it can.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency_period_days: Option<f64>,
    /// The half-life, in days, with which an active period's weight in M decays; `None`: H, the
    /// half-life of the endorsements. A shorter one makes F a measure of recent breadth:
    /// accounts answered by many people lately.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency_half_life_days: Option<f64>,
    /// λ: each distinct engager `a` of `b` adds `λ · 2^(-(T - t_last)/H_r)` to the strength
    /// `s_ab`, once per pair however often it engaged, `t_last` its latest engagement of `b`:
    /// a recency-weighted count of distinct engagers, weighted by each engager's credibility
    /// and shared from its budget like every endorsement (so exchanges are discounted and a
    /// ring gains no more than before). 0 (the default) turns it off.
    #[serde(skip_serializing_if = "is_zero")]
    pub recent_engager_weight: f64,
    /// H_r, in days; `None`: H.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent_engager_half_life_days: Option<f64>,
    /// t: an optional per-account trust in [0, 1], indexed by dense id (missing ids count 1).
    /// An account passes on only `t` of its base vote and of its endorsements; the rest is
    /// unspent. `rank --trust` fills it from SybilRank (renown-audit) to discount untrusted
    /// regions of the graph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<Vec<f64>>,
}

impl Default for EarnedParams {
    fn default() -> Self {
        EarnedParams {
            kind_weights: DEFAULT_KIND_WEIGHTS
                .iter()
                .map(|&(k, w)| (k, f64::from(w)))
                .collect(),
            follow_weight: 0.25,
            half_life_days: 365.0,
            damping: 0.85,
            selectivity_prior: 1.0,
            reciprocity_discount: 0.8,
            reciprocity_by_share: false,
            consistency_months: 3.0,
            consistency_period_days: None,
            consistency_half_life_days: None,
            recent_engager_weight: 0.0,
            recent_engager_half_life_days: None,
            trust: None,
        }
    }
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl EarnedParams {
    fn validate(&self) -> Result<()> {
        let bad = |what: &str, v: f64| MeasureError::Invalid(format!("earned: {what} = {v}"));
        for &(k, w) in &self.kind_weights {
            if !(w.is_finite() && w >= 0.0) {
                return Err(bad(&format!("weight of {}", k.name()), w));
            }
        }
        if !(self.follow_weight.is_finite() && self.follow_weight >= 0.0) {
            return Err(bad("follow weight", self.follow_weight));
        }
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(bad("half-life (days, > 0)", self.half_life_days));
        }
        if !(0.0..1.0).contains(&self.damping) {
            return Err(bad("damping (in [0, 1))", self.damping));
        }
        if !(self.selectivity_prior.is_finite() && self.selectivity_prior >= 0.0) {
            return Err(bad("selectivity prior", self.selectivity_prior));
        }
        if !(0.0..=1.0).contains(&self.reciprocity_discount) {
            return Err(bad(
                "reciprocity discount (in [0, 1])",
                self.reciprocity_discount,
            ));
        }
        if !(self.consistency_months.is_finite() && self.consistency_months >= 0.0) {
            return Err(bad("consistency months", self.consistency_months));
        }
        if !(self.recent_engager_weight.is_finite() && self.recent_engager_weight >= 0.0) {
            return Err(bad("recent engager weight", self.recent_engager_weight));
        }
        for (what, v) in [
            (
                "recent engager half-life (days, > 0)",
                self.recent_engager_half_life_days,
            ),
            (
                "consistency period (days, > 0)",
                self.consistency_period_days,
            ),
            (
                "consistency half-life (days, > 0)",
                self.consistency_half_life_days,
            ),
        ] {
            if let Some(v) = v {
                // At least a minute: a finer period makes as many periods as events.
                if !(v.is_finite() && v * DAY as f64 >= 60.0) {
                    return Err(bad(what, v));
                }
            }
        }
        if let Some(t) = &self.trust {
            if let Some((i, &v)) = t
                .iter()
                .enumerate()
                .find(|(_, v)| !(0.0..=1.0).contains(*v))
            {
                return Err(bad(&format!("trust of account {i} (in [0, 1])"), v));
            }
        }
        Ok(())
    }

    fn kind_weight(&self) -> [f64; 256] {
        let mut w = [0.0; 256];
        for &(k, x) in &self.kind_weights {
            w[k.code() as usize] = x;
        }
        w
    }

    /// Weight of an event at time `t` seen from `reference`; timeless events count fully.
    pub fn decay(&self, t: Option<i64>, reference: Option<i64>) -> f64 {
        decay(self.half_life_days, t, reference)
    }

    /// The index of the consistency period holding time `t` (calendar months by default).
    pub fn period_of(&self, t: i64) -> i64 {
        match self.consistency_period_days {
            None => i64::from(month_of(t)),
            Some(days) => (t as f64 / (days * DAY as f64)).floor() as i64,
        }
    }
}

/// `2^(-age / half-life)`; timeless events (or no reference) count fully.
fn decay(half_life_days: f64, t: Option<i64>, reference: Option<i64>) -> f64 {
    match (t, reference) {
        (Some(t), Some(r)) => {
            let age = (r - t).max(0) as f64;
            (-std::f64::consts::LN_2 * age / (half_life_days * DAY as f64)).exp()
        }
        _ => 1.0,
    }
}

/// Everything the computation produced, kept for explanations.
pub struct EarnedModel {
    /// The parameters it was computed with.
    pub params: EarnedParams,
    /// T: the time scores are seen from (`None` when no engagement has a time).
    pub reference: Option<i64>,
    /// E: earned influence, in base votes, indexed by dense account id (ties up to rounding
    /// settled, `crate::settle_ties`).
    pub score: Vec<f64>,
    /// c = β + d·E: the weight an account's endorsements carry.
    pub credibility: Vec<f64>,
    /// β: the base vote (0 for accounts that never engage).
    pub base: Vec<f64>,
    /// F: the consistency factor.
    pub consistency: Vec<f64>,
    /// M: decayed count of months in which the account was answered.
    pub active_months: Vec<f64>,
    /// The endorsement graph over `n + 1` nodes (the last is the sink of unspent budget):
    /// `graph.in_adj()` lists each account's endorsers with their raw weights.
    pub graph: Csr,
    /// Each node's total out-weight (the normaliser of its edge weights).
    pub out_weight: Vec<f64>,
}

impl EarnedModel {
    /// Accounts scored.
    pub fn n(&self) -> usize {
        self.score.len()
    }

    /// The endorsers of `b` with the influence each passes to it (`c_a · W_ab`), in graph order.
    /// The contributions sum to `score[b]`.
    pub fn endorsements(&self, b: u32) -> Vec<(u32, f64)> {
        let adj = self.graph.in_adj();
        let ws = adj.neighbor_weights(b).unwrap_or(&[]);
        adj.neighbors(b)
            .iter()
            .zip(ws)
            .map(|(&a, &w)| {
                let norm = self.out_weight[a as usize];
                let share = if norm > 0.0 { w as f64 / norm } else { 0.0 };
                (a, self.credibility[a as usize] * share)
            })
            .collect()
    }
}

pub(crate) fn graph_err(e: GraphError) -> MeasureError {
    match e {
        GraphError::Store(s) => MeasureError::Store(s),
        other => MeasureError::Invalid(other.to_string()),
    }
}

/// Calendar month index (`year * 12 + month - 1`) of a unix time, UTC.
pub fn month_of(t: i64) -> i32 {
    let (y, m, _) = civil::civil_of_time(t);
    (y * 12 + i64::from(m) - 1) as i32
}

/// `YYYY-MM` of a month index from [`month_of`].
pub fn month_label(m: i32) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// One engagement as the model reads it.
#[derive(Clone, Copy)]
pub(crate) struct Row {
    actor: u32,
    target: u32,
    weight: f32,
    time: Option<i64>,
}

/// Standing follows: `(follower << 32 | followee, time of the follow that stands)`.
pub(crate) type Follows = Vec<(u64, Option<i64>)>;

/// The engagement events in scope with a positive kind weight (self-engagement dropped), and
/// the follows standing at the scope's date (`renown_graph::standing_follows`, the edges of the
/// follow graph). No follows under a topic: follows carry none.
pub(crate) fn scan(store: &Store, scope: &Scope, p: &EarnedParams) -> Result<(Vec<Row>, Follows)> {
    Ok(scan_log(&Log::read(store, scope)?, scope, p))
}

/// [`scan`] from a log read for the scope's topic and platform.
pub(crate) fn scan_log(log: &Log, scope: &Scope, p: &EarnedParams) -> (Vec<Row>, Follows) {
    let kw = p.kind_weight();
    let kinds: Vec<Kind> = p
        .kind_weights
        .iter()
        .filter(|kw| kw.1 > 0.0 && !matches!(kw.0, Kind::Follow | Kind::Unfollow))
        .map(|kw| kw.0)
        .collect();
    let rows = log
        .events(scope.as_of, &kinds)
        .filter_map(|r| {
            let t = r.target.filter(|&t| t != r.actor)?;
            Some(Row {
                actor: r.actor,
                target: t,
                weight: kw[r.kind.code() as usize] as f32,
                time: r.time,
            })
        })
        .collect();
    let follows = if scope.topic.is_none() && p.follow_weight > 0.0 {
        log.standing_follows(scope.as_of)
    } else {
        Vec::new()
    };
    (rows, follows)
}

/// The reference time of a scope: its `as_of`, else the newest engagement in it.
fn reference_time(scope: &Scope, rows: &[Row]) -> Option<i64> {
    scope
        .as_of
        .or_else(|| rows.iter().filter_map(|r| r.time).max())
}

/// M_b: for each account, Σ over periods (months by default) with engagement of
/// `decay(latest event that period) · (1 - 2^-distinct engagers that period)`, decayed with the
/// consistency half-life. Timeless engagement forms one period of its own.
fn active_months(n: usize, rows: &[Row], p: &EarnedParams, reference: Option<i64>) -> Vec<f64> {
    let half_life = p.consistency_half_life_days.unwrap_or(p.half_life_days);
    let mut keys: Vec<(u32, i64, u32, i64)> = rows
        .iter()
        .map(|r| {
            let m = r.time.map_or(i64::MIN, |t| p.period_of(t));
            (r.target, m, r.actor, r.time.unwrap_or(i64::MIN))
        })
        .collect();
    keys.sort_unstable();
    let mut out = vec![0.0; n];
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
        let t = (latest != i64::MIN).then_some(latest);
        out[b as usize] +=
            decay(half_life, t, reference) * (1.0 - 0.5f64.powi(engagers.min(64) as i32));
        i = j;
    }
    out
}

/// One ordered pair of accounts with what `a` did for `b`.
struct Pair {
    key: u64,
    /// Decayed, kind-weighted engagement volume.
    eng: f64,
    /// Decayed follow weight (0 without a standing follow).
    follow: f64,
}

/// Engagement pairs (sorted by key) merged with the follow edges.
fn pairs(
    n: u32,
    rows: &[Row],
    follows: &[(u64, Option<i64>)],
    p: &EarnedParams,
    reference: Option<i64>,
) -> Vec<Pair> {
    // Each pair's weights summed in f32 in row order (`merge_duplicates` sorts stably).
    let mut el = EdgeList::new(n);
    for r in rows {
        let w = r.weight as f64 * p.decay(r.time, reference);
        if w > 0.0 {
            el.push_weighted(r.actor, r.target, w as f32);
        }
    }
    el.merge_duplicates();
    let ws = el.weights.take().unwrap_or_default();
    let follow = |t: Option<i64>| p.follow_weight * p.decay(t, reference);
    let mut out = Vec::with_capacity(el.len() + follows.len());
    let mut fi = 0;
    for ((&a, &b), &w) in el.src.iter().zip(&el.dst).zip(&ws) {
        let key = (a as u64) << 32 | b as u64;
        while fi < follows.len() && follows[fi].0 < key {
            out.push(Pair {
                key: follows[fi].0,
                eng: 0.0,
                follow: follow(follows[fi].1),
            });
            fi += 1;
        }
        let mut f = 0.0;
        if fi < follows.len() && follows[fi].0 == key {
            f = follow(follows[fi].1);
            fi += 1;
        }
        out.push(Pair {
            key,
            eng: w as f64,
            follow: f,
        });
    }
    out.extend(follows[fi..].iter().map(|&(key, t)| Pair {
        key,
        eng: 0.0,
        follow: follow(t),
    }));
    out
}

/// For each pair (sorted by key), `λ · 2^(-(T - t_last)/H_r)` with `t_last` the latest engagement
/// of the pair ([`EarnedParams::recent_engager_weight`]); all 0 when λ is 0, λ for a pair
/// without a time (or without a reference).
fn recent_engagers(
    pairs: &[Pair],
    rows: &[Row],
    p: &EarnedParams,
    reference: Option<i64>,
) -> Vec<f64> {
    let lambda = p.recent_engager_weight;
    let mut out = vec![0.0; pairs.len()];
    if lambda == 0.0 {
        return out;
    }
    let half_life = p.recent_engager_half_life_days.unwrap_or(p.half_life_days);
    // The latest time per pair (untimed: i64::MAX, full weight), sorted by the pairs' key.
    let mut latest: Vec<(u64, i64)> = rows
        .iter()
        .filter(|r| r.weight > 0.0)
        .map(|r| {
            (
                (r.actor as u64) << 32 | r.target as u64,
                r.time.unwrap_or(i64::MAX),
            )
        })
        .collect();
    latest.sort_unstable();
    let mut j = 0;
    for (q, o) in pairs.iter().zip(out.iter_mut()) {
        while j < latest.len() && latest[j].0 < q.key {
            j += 1;
        }
        let mut t = None;
        while j < latest.len() && latest[j].0 == q.key {
            t = Some(latest[j].1);
            j += 1;
        }
        // A follow without engagement has no engager term.
        if let Some(t) = t {
            let t = (t != i64::MAX).then_some(t);
            *o = lambda * decay(half_life, t, reference);
        }
    }
    out
}

/// For each pair `a → b` (sorted by key), the strength of `b → a` (0 if none): a merge of the
/// pairs with their reversed keys, sorted — random binary searches over the pair array cost a
/// cache miss per step.
fn reverse_strengths(pairs: &[Pair], strength: &[f64]) -> Vec<f64> {
    let mut rev: Vec<(u64, u32)> = pairs
        .iter()
        .enumerate()
        .map(|(i, q)| (q.key.rotate_right(32), i as u32))
        .collect();
    rev.sort_unstable();
    let mut back = vec![0.0; pairs.len()];
    let mut j = 0;
    for &(key, i) in &rev {
        while j < pairs.len() && pairs[j].key < key {
            j += 1;
        }
        if j < pairs.len() && pairs[j].key == key {
            back[i as usize] = strength[j];
        }
    }
    back
}

/// Solves `c = β + d·Wᵀc` for the earned scores `E = Wᵀc` and the credibility `c`, by
/// Gauss–Seidel sweeps over the in-adjacency (`W_ab` = edge weight / `a`'s out-weight, the sink
/// left out). `I − d·Wᵀ` is a nonsingular M-matrix (`W`'s rows sum below 1), so the sweeps
/// converge — on Higgs in 10 sweeps where PageRank's Jacobi iteration, used before, took 113 —
/// and need no rescaling; they stop when a sweep changes the scores by less than 1e-13 of the
/// total base vote (L1).
fn solve(graph: &Csr, out_weight: &[f64], base: &[f64], d: f64) -> (Vec<f64>, Vec<f64>) {
    let nu = base.len();
    let adj = graph.in_adj();
    let (offsets, sources) = (adj.offsets(), adj.targets());
    // W_ab per in-edge, in in-adjacency order.
    let w: Vec<f64> = match adj.weights() {
        Some(ws) => sources
            .iter()
            .zip(ws)
            .map(|(&a, &w)| {
                let norm = out_weight[a as usize];
                if norm > 0.0 {
                    w as f64 / norm
                } else {
                    0.0
                }
            })
            .collect(),
        None => vec![0.0; sources.len()],
    };
    let mut score = vec![0.0; nu];
    let mut c = base.to_vec();
    let limit = 1e-13 * base.iter().sum::<f64>();
    let mut sweeps = 0;
    while limit > 0.0 && sweeps < 10_000 {
        sweeps += 1;
        let mut delta = 0.0;
        for b in 0..nu {
            let (lo, hi) = (offsets[b] as usize, offsets[b + 1] as usize);
            // From +0: `Sum` of no terms is -0.0, which `explain` printed as "-0.0000" for an
            // endorser nobody endorses (the same bits otherwise: x + 0 is x but for -0).
            let e: f64 = sources[lo..hi]
                .iter()
                .zip(&w[lo..hi])
                .fold(0.0, |e, (&a, &w)| e + c[a as usize] * w);
            delta += (e - score[b]).abs();
            score[b] = e;
            c[b] = base[b] + d * e;
        }
        if delta <= limit {
            break;
        }
    }
    (score, c)
}

/// Computes earned influence and keeps the intermediate results.
pub fn model(store: &Store, scope: &Scope, p: &EarnedParams) -> Result<EarnedModel> {
    p.validate()?;
    model_of(&Log::read(store, scope)?, scope, p)
}

/// [`model`] from a log read for the scope's topic and platform.
pub fn model_of(log: &Log, scope: &Scope, p: &EarnedParams) -> Result<EarnedModel> {
    p.validate()?;
    log.check(scope)?;
    let nu = log.accounts();
    let n = nu as u32;
    let (rows, follows) = scan_log(log, scope, p);
    let reference = reference_time(scope, &rows);
    let pairs = pairs(n, &rows, &follows, p, reference);
    let months = active_months(nu, &rows, p, reference);

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
    let recency = recent_engagers(&pairs, &rows, p, reference);
    let strength: Vec<f64> = pairs
        .iter()
        .zip(&recency)
        .map(|(q, &r)| (1.0 + q.eng + q.follow).log2() + r)
        .collect();
    drop(recency);
    drop(rows);
    let mut budget = vec![0.0f64; nu];
    let mut engaged = vec![0.0f64; nu];
    for (q, &s) in pairs.iter().zip(&strength) {
        let a = (q.key >> 32) as usize;
        budget[a] += s;
        engaged[a] += 1.0 - (-q.eng).exp2();
    }
    let trust = |a: usize| {
        p.trust
            .as_ref()
            .and_then(|t| t.get(a))
            .copied()
            .unwrap_or(1.0)
    };
    let base: Vec<f64> = engaged
        .iter()
        .enumerate()
        .map(|(a, &k)| trust(a) * (1.0 - (-k).exp2()))
        .collect();

    // The endorsement graph; a sink takes the unspent budget, so W_ab = weight / out-weight.
    let sink = n;
    let mut el = EdgeList::new(n + 1);
    let mut spent = vec![0.0f64; nu];
    let back = reverse_strengths(&pairs, &strength);
    // γ_b: the discount on exchanges with b, scaled by b's returned share when asked.
    let mut gamma = vec![p.reciprocity_discount; nu];
    if p.reciprocity_by_share {
        let (mut received, mut returned) = (vec![0.0f64; nu], vec![0.0f64; nu]);
        for ((q, &s), &back) in pairs.iter().zip(&strength).zip(&back) {
            let b = q.key as u32 as usize;
            received[b] += s;
            returned[b] += s.min(back);
        }
        for ((g, &rec), &ret) in gamma.iter_mut().zip(&received).zip(&returned) {
            if rec > 0.0 {
                *g *= ret / rec;
            }
        }
    }
    for ((q, &s), &back) in pairs.iter().zip(&strength).zip(&back) {
        let (a, b) = ((q.key >> 32) as u32, q.key as u32);
        let own = s - gamma[b as usize] * s.min(back);
        let w = trust(a as usize) * consistency[b as usize] * own
            / (budget[a as usize] + p.selectivity_prior);
        if w > 0.0 {
            el.push_weighted(a, b, w as f32);
            spent[a as usize] += w as f32 as f64;
        }
    }
    for (a, &s) in spent.iter().enumerate() {
        if budget[a] > 0.0 && s < 1.0 {
            el.push_weighted(a as u32, sink, (1.0 - s) as f32);
        }
    }
    drop(pairs);
    let graph = Csr::from_edges(&el).map_err(graph_err)?;
    drop(el);
    let out_weight = graph.out_weights();

    let (mut score, credibility) = solve(&graph, &out_weight, &base, p.damping);
    // The model's scores are read beside the registry too (explain, trajectories, persons),
    // and ranked there: ties settled as where every measure comes out (`MeasureSpec::settled`).
    crate::settle_ties(&mut score);
    Ok(EarnedModel {
        params: p.clone(),
        reference,
        score,
        credibility,
        base,
        consistency,
        active_months: months,
        graph,
        out_weight,
    })
}

/// Earned influence with the default parameters.
pub fn earned(store: &Store, scope: &Scope) -> Result<Scores> {
    EARNED.compute(store, scope)
}

fn earned_of(log: &Log, scope: &Scope) -> Result<Measured> {
    Ok(model_of(log, scope, &EarnedParams::default())?.score.into())
}

/// `earned`: earned influence, the default measure.
pub const EARNED: MeasureSpec = MeasureSpec {
    name: "earned",
    describe: "earned influence: engagement from distinct, selective, credible accounts, \
               sustained over months (in base votes)",
    follows: "renown's own; credibility propagation as in PageRank/TwitterRank, selectivity as in \
              Klout, see docs/MEASURES.md",
    counts: false,
    // Follows pass credibility on but alone earn nothing: base votes and the consistency factor
    // come from engagement, so with no engagement in scope every score is 0 (a follow graph
    // like Slashdot's), and the warning names these kinds as the missing ones.
    reads: &renown_model::ENGAGEMENT_KINDS,
    of_log: earned_of,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(month_label(month_of(1_341_100_972)), "2012-07");
        assert_eq!(month_label(month_of(0)), "1970-01");
        assert_eq!(month_label(month_of(-1)), "1969-12");
        assert_eq!(month_label(month_of(1_709_251_199)), "2024-02"); // 2024-02-29 23:59:59
        assert_eq!(month_label(month_of(1_709_251_200)), "2024-03");
    }

    #[test]
    fn recent_engagers_count_once_each_and_explanations_still_add_up() {
        use renown_store::EventRow;
        let t0 = 1_700_000_000;
        let row = |a: u32, b: u32, t: i64| EventRow {
            time: Some(t),
            kind: Kind::Reshare,
            actor: a,
            target: Some(b),
        };
        // Accounts 0 and 1 are each reshared once by three distinct accounts (2..=4 and
        // 5..=7): account 0 a year before the reference, account 1 a day before it. Account 1
        // is also reshared nine more times by account 5 on that day.
        let now = t0 + 366 * DAY;
        let mut rows = Vec::new();
        for a in 2..=4 {
            rows.push(row(a, 0, t0));
        }
        for a in 5..=7 {
            rows.push(row(a, 1, now - DAY));
        }
        for i in 0..9 {
            rows.push(row(5, 1, now - DAY + i));
        }
        rows.push(row(8, 9, now));
        let log = Log::of_rows(10, rows);
        let scope = Scope {
            as_of: Some(now),
            ..Scope::default()
        };
        let no_decay = EarnedParams {
            half_life_days: 1e6,
            consistency_months: 0.0,
            ..EarnedParams::default()
        };
        let with = |lambda: f64| EarnedParams {
            recent_engager_weight: lambda,
            recent_engager_half_life_days: Some(7.0),
            ..no_decay.clone()
        };
        let off = model_of(&log, &scope, &with(0.0)).unwrap();
        let on = model_of(&log, &scope, &with(4.0)).unwrap();
        // The term lifts the recently engaged account relative to the one engaged long ago.
        let ratio = |m: &EarnedModel| m.score[1] / m.score[0];
        assert!(
            ratio(&on) > ratio(&off) * 1.2,
            "{} {}",
            ratio(&on),
            ratio(&off)
        );
        // Once per pair, from its latest engagement: account 5's ten reshares of 1 give one
        // λ·2^(-age/7 d), the age of the last of them.
        let p = with(4.0);
        let (rows, follows) = scan_log(&log, &scope, &p);
        let ps = pairs(10, &rows, &follows, &p, Some(now));
        let bonus = recent_engagers(&ps, &rows, &p, Some(now));
        assert_eq!(bonus.len(), 7);
        for (q, &r) in ps.iter().zip(&bonus) {
            let (a, b) = ((q.key >> 32) as u32, q.key as u32);
            let last = match (a, b) {
                (2..=4, 0) => t0,
                (5, 1) => now - DAY + 8,
                (6 | 7, 1) => now - DAY,
                _ => now,
            };
            assert!(
                (r - 4.0 * decay(7.0, Some(last), Some(now))).abs() < 1e-15,
                "{a}->{b}"
            );
        }
        // Explanations still add up exactly: the endorsements of each account sum to its score.
        for b in 0..10u32 {
            let sum: f64 = on.endorsements(b).iter().map(|e| e.1).sum();
            assert!((sum - on.score[b as usize]).abs() < 1e-12, "{b}");
        }
        let p = EarnedParams {
            recent_engager_weight: -1.0,
            ..EarnedParams::default()
        };
        assert!(p.validate().is_err());
    }

    #[test]
    fn bad_parameters_are_errors() {
        let p = EarnedParams {
            damping: 1.0,
            ..EarnedParams::default()
        };
        assert!(p.validate().is_err());
        let p = EarnedParams {
            half_life_days: 0.0,
            ..EarnedParams::default()
        };
        assert!(p.validate().is_err());
        assert!(EarnedParams::default().validate().is_ok());
    }
}
