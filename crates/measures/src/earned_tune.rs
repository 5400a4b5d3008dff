//! Choosing earned influence's parameters for one store, as a user would on their own data,
//! without giving up its resistance: `renown backtest --tune`.
//!
//! The tuner is a coordinate search over a small grid of [`EarnedParams`] (half-life, exchange
//! discount, consistency prior, period and half-life, selectivity, damping, kind weights),
//! starting from the defaults, scored by ρ + NDCG@k against the target on the store's **earlier
//! splits only** (the caller reports the choice on a later one). A parameter set is admissible
//! only if the resistance scenarios of `tests/scenarios.rs` hold for it — they are run here, for
//! every candidate the search would move to ([`resistance`]):
//!
//! - bought followers: an account answered by a little organic engagement buys 1,000, then
//!   10,000 followers who never engage; its earned rank must move by less than a decile of the
//!   accounts with a score;
//! - a reshare ring: 50 accounts resharing each other 100 times a day for two weeks must all
//!   stay out of the earned top 100.

use crate::compare::spearman;
use crate::earned::{model_of, EarnedParams, DAY};
use crate::{backtest::ndcg_at_k, Log, MeasureError, Result, Scope};
use rayon::prelude::*;
use renown_model::{Event, Kind, ENGAGEMENT_KINDS};
use renown_sim::{simulate, SimConfig};
use renown_store::EventRow;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Members of the reshare ring of the resistance check.
pub const RING_SIZE: usize = 50;
/// The ring's members must all rank below this many accounts.
pub const RING_OUT_OF_TOP: usize = 100;
/// Bought followers in the two runs of the bought-followers check (×10).
pub const BOUGHT: [usize; 2] = [1_000, 10_000];

/// What the resistance scenarios gave for one parameter set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resistance {
    /// The follower-buyer's earned rank with [`BOUGHT`] followers (1 = top; ties share the best
    /// rank).
    pub buyer_rank: [usize; 2],
    /// How far that rank may move: a tenth of the accounts with an earned score above zero.
    pub buyer_allowed_move: usize,
    /// The best earned rank of any ring member (must be above [`RING_OUT_OF_TOP`]).
    pub ring_best_rank: usize,
    /// Both hold.
    pub holds: bool,
}

/// A scenario's events in dense ids, and the ids of the accounts it watches.
struct Scenario {
    log: Log,
    watched: Vec<u32>,
    /// Days from its first event to its last: the scenario's own time scale, for parameters
    /// given as fractions of a store's span ([`resistance_scaled`]).
    span_days: f64,
}

impl Scenario {
    fn of(events: &[Event], watched: &[String]) -> Scenario {
        let mut ids: HashMap<&str, u32> = HashMap::new();
        for e in events {
            for name in std::iter::once(&e.actor).chain(&e.target) {
                let next = ids.len() as u32;
                ids.entry(name.id.as_str()).or_insert(next);
            }
        }
        let rows = events
            .iter()
            .map(|e| EventRow {
                time: e.time,
                kind: e.kind,
                actor: ids[e.actor.id.as_str()],
                target: e.target.as_ref().map(|t| ids[t.id.as_str()]),
            })
            .collect();
        let watched = watched.iter().map(|w| ids[w.as_str()]).collect();
        let times = events.iter().filter_map(|e| e.time);
        let span = times.clone().max().unwrap_or(0) - times.min().unwrap_or(0);
        Scenario {
            log: Log::of_rows(ids.len() as u32, rows),
            watched,
            span_days: span as f64 / DAY as f64,
        }
    }

    fn scores(&self, p: &EarnedParams) -> Result<Vec<f64>> {
        Ok(model_of(&self.log, &Scope::default(), p)?.score)
    }
}

/// 1 + the number of accounts scored strictly above `i`.
fn rank(scores: &[f64], i: u32) -> usize {
    let s = scores[i as usize];
    1 + scores.iter().filter(|&&x| x > s).count()
}

fn event(kind: Kind, a: &str, b: &str, t: i64) -> Event {
    let mut e = Event::new(renown_sim::PLATFORM, kind, renown_model::AccountRef::new(a));
    e.target = Some(renown_model::AccountRef::new(b));
    e.time = Some(t);
    e
}

/// An organic background network from `renown-sim`, the ground the resistance scenarios (here
/// and in `tests/scenarios.rs`) build their attacks on.
pub fn background(accounts: usize, days: i64) -> (Vec<Event>, SimConfig) {
    let cfg = SimConfig {
        seed: 11,
        accounts,
        days,
        bought_followers: 50,
        buy_day: days / 2,
        viral_day: days / 3,
        viral_size: accounts / 4,
        ..SimConfig::default()
    };
    (simulate(&cfg).events, cfg)
}

/// The three scenario logs, built once per process: the buyer with each number of bought
/// followers, and the ring.
fn scenarios() -> &'static [Scenario; 3] {
    static SCENARIOS: OnceLock<[Scenario; 3]> = OnceLock::new();
    SCENARIOS.get_or_init(|| {
        let (bg, cfg) = background(300, 120);
        let day = |d: i64| cfg.start + d * DAY;
        let buyer = |bought: usize| {
            let mut events = bg.clone();
            for d in (0..120).step_by(10) {
                for u in ["u1", "u2", "u3"] {
                    events.push(event(Kind::Reshare, u, "buyer", day(d) + 500));
                }
            }
            for i in 0..bought {
                let fake = format!("fake{i}");
                events.push(event(
                    Kind::Follow,
                    &fake,
                    "buyer",
                    day(60) + i as i64 % 3600,
                ));
            }
            events.sort_by_key(|e| e.time);
            Scenario::of(&events, &["buyer".to_string()])
        };
        let (mut events, cfg) = background(400, 180);
        let ring: Vec<String> = (0..RING_SIZE).map(|i| format!("ring{i}")).collect();
        let first = cfg.start + 150 * DAY;
        for d in 0..14 {
            for (i, a) in ring.iter().enumerate() {
                for k in 0..100 {
                    let b = &ring[(i + 1 + k % (RING_SIZE - 1)) % RING_SIZE];
                    let t = first + d * DAY + k as i64 * 600 + i as i64;
                    events.push(event(Kind::Reshare, a, b, t));
                }
            }
        }
        events.sort_by_key(|e| e.time);
        [
            buyer(BOUGHT[0]),
            buyer(BOUGHT[1]),
            Scenario::of(&events, &ring),
        ]
    })
}

/// Runs the resistance scenarios for `p`.
pub fn resistance(p: &EarnedParams) -> Result<Resistance> {
    resistance_scaled(&|_| p.clone())
}

/// Runs the resistance scenarios with the parameters `params_for(span_days)` gives for each
/// scenario's own span (first to last event): how a rule that sets the time parameters as
/// fractions of a store's span is checked — on a scenario's time scale, as it would be applied
/// to a store that looks like it.
pub fn resistance_scaled(params_for: &dyn Fn(f64) -> EarnedParams) -> Result<Resistance> {
    let [few, many, ring] = scenarios();
    let (a, b) = (
        few.scores(&params_for(few.span_days))?,
        many.scores(&params_for(many.span_days))?,
    );
    let buyer_rank = [rank(&a, few.watched[0]), rank(&b, many.watched[0])];
    let scored = a.iter().filter(|&&s| s > 0.0).count();
    let buyer_allowed_move = scored / 10;
    let r = ring.scores(&params_for(ring.span_days))?;
    let ring_best_rank = ring.watched.iter().map(|&m| rank(&r, m)).min().unwrap_or(0);
    let moved = buyer_rank[0].abs_diff(buyer_rank[1]);
    Ok(Resistance {
        buyer_rank,
        buyer_allowed_move,
        ring_best_rank,
        holds: a[few.watched[0] as usize] > 0.0
            && moved < buyer_allowed_move
            && ring_best_rank > RING_OUT_OF_TOP,
    })
}

/// One earlier split the tuner scores on: the scope as of it, the accounts active before it and
/// their target after it.
pub struct TuningSplit {
    /// The scope as of the split.
    pub scope: Scope,
    /// The accounts active before it.
    pub ids: Vec<u32>,
    /// Each one's target after it (aligned with `ids`).
    pub target: Vec<f64>,
}

/// What the tuner chose and how.
#[derive(Clone, Debug, Serialize)]
pub struct Tuning {
    /// The splits the parameters were chosen on (never the one they are reported on).
    pub tuned_on: Vec<i64>,
    /// The chosen parameters ([`EarnedParams`], no trust).
    pub params: EarnedParams,
    /// What differs from the defaults, `name = value`.
    pub changed: Vec<String>,
    /// Mean of ρ + NDCG@k over the tuning splits: the chosen parameters and the defaults.
    pub objective: f64,
    /// See `objective`.
    pub default_objective: f64,
    /// Parameter sets scored on the tuning splits.
    pub evaluated: usize,
    /// Of those checked, the ones the search would have moved to but whose resistance
    /// scenarios failed.
    pub rejected_by_resistance: Vec<RejectedSet>,
    /// The scenarios under the chosen parameters.
    pub resistance: Resistance,
}

/// A parameter set that scored better but failed a resistance scenario.
#[derive(Clone, Debug, Serialize)]
pub struct RejectedSet {
    /// What differs from the defaults, `name = value`.
    pub changed: Vec<String>,
    /// Its mean objective on the tuning splits.
    pub objective: f64,
    /// The scenarios under it.
    pub resistance: Resistance,
}

/// One axis of the search: labelled settings, the first the default.
struct Axis {
    name: &'static str,
    values: Vec<(String, Setter)>,
}

type Setter = Box<dyn Fn(&mut EarnedParams) + Send + Sync>;

fn axes(horizon_days: f64) -> Vec<Axis> {
    let h = horizon_days;
    let days = |d: f64| format!("{d:.3} d");
    let mut half_lives: Vec<(String, Setter)> =
        vec![(days(365.0), Box::new(|p| p.half_life_days = 365.0))];
    for f in [0.25, 1.0, 4.0] {
        let v = f * h;
        half_lives.push((days(v), Box::new(move |p| p.half_life_days = v)));
    }
    half_lives.push((days(30.0), Box::new(|p| p.half_life_days = 30.0)));
    let mut exchange: Vec<(String, Setter)> = Vec::new();
    for (g, share) in [
        (0.8, false),
        (0.8, true),
        (0.5, false),
        (0.5, true),
        (0.2, true),
        (0.0, false),
    ] {
        let label = format!("{g}{}", if share { " by returned share" } else { "" });
        exchange.push((
            label,
            Box::new(move |p| {
                p.reciprocity_discount = g;
                p.reciprocity_by_share = share;
            }),
        ));
    }
    let numbers = |values: &[f64], set: fn(&mut EarnedParams, f64)| -> Vec<(String, Setter)> {
        values
            .iter()
            .map(|&v| {
                (
                    format!("{v}"),
                    Box::new(move |p: &mut EarnedParams| set(p, v)) as Setter,
                )
            })
            .collect()
    };
    vec![
        Axis {
            name: "half_life_days",
            values: half_lives,
        },
        Axis {
            name: "reciprocity_discount",
            values: exchange,
        },
        Axis {
            name: "consistency_months",
            values: numbers(&[3.0, 1.0, 12.0, 0.0], |p, v| p.consistency_months = v),
        },
        Axis {
            name: "consistency_period_days",
            values: vec![
                (
                    "calendar month".into(),
                    Box::new(|p| p.consistency_period_days = None),
                ),
                (
                    days(1.0),
                    Box::new(|p| p.consistency_period_days = Some(1.0)),
                ),
                (
                    days(h),
                    Box::new(move |p| p.consistency_period_days = Some(h)),
                ),
            ],
        },
        Axis {
            name: "consistency_half_life_days",
            values: vec![
                (
                    "the half-life".into(),
                    Box::new(|p| p.consistency_half_life_days = None),
                ),
                (
                    days(h),
                    Box::new(move |p| p.consistency_half_life_days = Some(h)),
                ),
            ],
        },
        Axis {
            name: "selectivity_prior",
            values: numbers(&[1.0, 4.0, 16.0], |p, v| p.selectivity_prior = v),
        },
        Axis {
            name: "damping",
            values: numbers(&[0.85, 0.5, 0.0], |p, v| p.damping = v),
        },
        Axis {
            name: "recent_engagers",
            values: recent_engagers(h),
        },
        Axis {
            name: "kind_weights",
            values: vec![
                ("default".into(), Box::new(|_| {})),
                (
                    "uniform".into(),
                    Box::new(|p| {
                        p.kind_weights = ENGAGEMENT_KINDS.iter().map(|&k| (k, 1.0)).collect();
                    }),
                ),
            ],
        },
    ]
}

/// The recency-weighted distinct-engager term ([`EarnedParams::recent_engager_weight`]): off
/// (the default), or λ ∈ {1, 4} with a half-life of a quarter, one or four horizons.
fn recent_engagers(h: f64) -> Vec<(String, Setter)> {
    let mut out: Vec<(String, Setter)> = vec![(
        "off".into(),
        Box::new(|p: &mut EarnedParams| p.recent_engager_weight = 0.0),
    )];
    for lambda in [1.0, 4.0] {
        for f in [0.25, 1.0, 4.0] {
            let half_life = f * h;
            out.push((
                format!("λ {lambda}, half-life {half_life:.3} d"),
                Box::new(move |p: &mut EarnedParams| {
                    p.recent_engager_weight = lambda;
                    p.recent_engager_half_life_days = Some(half_life);
                }),
            ));
        }
    }
    out
}

/// The search's rounds over every axis at most (it stops earlier when a round changes nothing).
const ROUNDS: usize = 3;

/// Chooses earned's parameters on `splits` (the earlier splits of a backtest) by a coordinate
/// search from the defaults, each move to an admissible set only ([`resistance`]); the
/// objective is the mean of Spearman's ρ + NDCG@k against the splits' targets.
pub fn tune(log: &Log, splits: &[TuningSplit], k: usize, horizon_days: f64) -> Result<Tuning> {
    if splits.is_empty() {
        return Err(MeasureError::Invalid(
            "tuning needs at least one split before the one reported".into(),
        ));
    }
    let axes = axes(horizon_days);
    let params_of = |at: &[usize]| {
        let mut p = EarnedParams::default();
        for (axis, &i) in axes.iter().zip(at) {
            (axis.values[i].1)(&mut p);
        }
        p
    };
    let changed_of = |at: &[usize]| -> Vec<String> {
        axes.iter()
            .zip(at)
            .filter(|(_, &i)| i > 0)
            .map(|(a, &i)| format!("{} = {}", a.name, a.values[i].0))
            .collect()
    };
    let objective = |p: &EarnedParams| -> Result<f64> {
        let mut sum = 0.0;
        for s in splits {
            let scores = model_of(log, &s.scope, p)?.score;
            let x: Vec<f64> = s
                .ids
                .iter()
                .map(|&i| scores.get(i as usize).copied().unwrap_or(0.0))
                .collect();
            sum +=
                spearman(&x, &s.target).unwrap_or(0.0) + ndcg_at_k(&x, &s.target, k).unwrap_or(0.0);
        }
        Ok(sum / splits.len() as f64)
    };
    let mut scored: HashMap<Vec<usize>, f64> = HashMap::new();
    let mut checked: HashMap<Vec<usize>, Resistance> = HashMap::new();
    let mut rejected = Vec::new();
    let mut at = vec![0usize; axes.len()];
    let default_objective = objective(&params_of(&at))?;
    scored.insert(at.clone(), default_objective);
    let default_resistance = resistance(&params_of(&at))?;
    if !default_resistance.holds {
        return Err(MeasureError::Invalid(format!(
            "the default parameters fail the resistance scenarios ({default_resistance:?})"
        )));
    }
    checked.insert(at.clone(), default_resistance);
    let mut best = default_objective;
    for _ in 0..ROUNDS {
        let mut moved = false;
        for a in 0..axes.len() {
            let points: Vec<Vec<usize>> = (0..axes[a].values.len())
                .map(|i| {
                    let mut p = at.clone();
                    p[a] = i;
                    p
                })
                .filter(|p| !scored.contains_key(p))
                .collect();
            let new: Vec<(Vec<usize>, f64)> = points
                .into_par_iter()
                .map(|p| Ok((p.clone(), objective(&params_of(&p))?)))
                .collect::<Result<_>>()?;
            scored.extend(new);
            // The best admissible setting of this axis, the others held: candidates better than
            // where the search stands, best first, each checked against the scenarios.
            let mut better: Vec<(Vec<usize>, f64)> = (0..axes[a].values.len())
                .map(|i| {
                    let mut p = at.clone();
                    p[a] = i;
                    let v = scored[&p];
                    (p, v)
                })
                .filter(|(_, v)| *v > best)
                .collect();
            better.sort_by(|x, y| y.1.total_cmp(&x.1));
            for (p, v) in better {
                let r = match checked.get(&p) {
                    Some(r) => r.clone(),
                    None => {
                        let r = resistance(&params_of(&p))?;
                        checked.insert(p.clone(), r.clone());
                        r
                    }
                };
                if r.holds {
                    at = p;
                    best = v;
                    moved = true;
                    break;
                }
                rejected.push(RejectedSet {
                    changed: changed_of(&p),
                    objective: v,
                    resistance: r,
                });
            }
        }
        if !moved {
            break;
        }
    }
    Ok(Tuning {
        tuned_on: splits.iter().filter_map(|s| s.scope.as_of).collect(),
        params: params_of(&at),
        changed: changed_of(&at),
        objective: best,
        default_objective,
        evaluated: scored.len(),
        rejected_by_resistance: rejected,
        resistance: checked[&at].clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_resist_and_no_exchange_discount_lets_the_ring_in() {
        let d = resistance(&EarnedParams::default()).unwrap();
        assert!(d.holds, "{d:?}");
        // Bought followers never engage: not a single rank moves under the defaults.
        assert_eq!(d.buyer_rank[0], d.buyer_rank[1], "{d:?}");
        // Without the exchange discount the ring's members pass each other their whole budget:
        // the check that makes the tuner refuse such a set must see it.
        let no_discount = resistance(&EarnedParams {
            reciprocity_discount: 0.0,
            ..EarnedParams::default()
        })
        .unwrap();
        assert!(!no_discount.holds, "{no_discount:?}");
        assert!(no_discount.ring_best_rank <= RING_OUT_OF_TOP);
    }

    #[test]
    fn a_scale_free_rule_is_checked_on_each_scenarios_own_span() {
        // A rule stated as fractions of a store's span must meet each scenario on its own time
        // scale: the buyer's history spans about its 120 simulated days, the ring's 180.
        let spans = std::cell::RefCell::new(Vec::new());
        let scaled = resistance_scaled(&|span| {
            spans.borrow_mut().push(span);
            EarnedParams::default()
        })
        .unwrap();
        let spans = spans.into_inner();
        assert_eq!(spans.len(), 3);
        assert!(
            spans[..2].iter().all(|&s| (110.0..125.0).contains(&s)),
            "{spans:?}"
        );
        assert!((170.0..185.0).contains(&spans[2]), "{spans:?}");
        // The same parameters for every span: the plain check.
        assert_eq!(scaled, resistance(&EarnedParams::default()).unwrap());
    }
}
