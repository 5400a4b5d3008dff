//! Does a scale-free default transfer between stores? (issue 16, docs/VALIDITY.md "A scale-free
//! default"): `cargo run --release -p renown-measures --example earned_transfer -- DB DB DB`.
//!
//! Per store, `--tune` chooses half-lives that differ by days (0.66 d on Higgs, 365 d on dnc,
//! 185 d on the demo). A default that could hold on every store must be stated on the store's
//! own time scale: here every time parameter (the half-life H, the consistency period and its
//! half-life, the recent-engager half-life H_r) is a fraction of the store's **active span** S
//! as of the date scored (from its first timed event to the split) — a value `renown rank` could
//! compute on any store, unlike a backtest horizon. Each rule of a grid is scored on every
//! default split of every store against every baseline (the best per metric and split, as
//! `renown backtest` picks it), and checked on the resistance scenarios with the parameters it
//! gives for each scenario's own span ([`resistance_scaled`]). Choices use admissible rules only
//! and the objective mean (Δρ + ΔNDCG@100 against the best baseline) of the splits named:
//!
//! - **pooled**: chosen on splits 1–2 of every store, reported on each store's split 3 — the
//!   candidate default;
//! - **leave one dataset out**: chosen on splits 1–2 of the two other stores, reported on the
//!   third's split 3;
//! - **rolling origin within a store**: chosen on its splits 1–2, reported on its split 3.
//!
//! Reports carry 1,000 paired resamples against the best baseline of each metric (seed 1 ^ split,
//! as `renown backtest`). Output: one tab-separated line per (rule, store, split), the
//! resistance of each rule, then the choices.

#[path = "common/splits.rs"]
mod splits;

use renown_measures::backtest::score_all;
use renown_measures::earned::{model_of, EarnedParams, DAY};
use renown_measures::earned_tune::{resistance_scaled, Resistance};
use renown_measures::{compute_all, Log, Scope, MEASURES};
use renown_store::{EventFilter, Store};
use splits::percentile;

/// One split of one store, with everything a rule is scored against.
struct Split {
    store: usize,
    index: usize,
    scope: Scope,
    /// The store's active span as of the split, in days.
    span_days: f64,
    ids: Vec<usize>,
    y: Vec<f64>,
    baselines: Vec<(&'static str, Vec<f64>)>,
    /// Best baseline (index into `baselines`) and its point score, for Spearman and NDCG@100.
    best: [(usize, f64); 2],
}

/// A default stated on the store's time scale: each time parameter a fraction of the span S.
#[derive(Clone, Copy, Debug)]
struct Rule {
    /// H / S; `None`: the fixed 365 d of today's default (the reference).
    half_life: Option<f64>,
    /// (λ, H_r / S) of the recent-engager term; `None`: off.
    recent: Option<(f64, f64)>,
    /// (period / S, consistency half-life / S or `None` for H); `None`: calendar months with H.
    consistency: Option<(f64, Option<f64>)>,
    by_share: bool,
    m0: f64,
}

impl Rule {
    fn params(&self, span_days: f64) -> EarnedParams {
        let s = span_days.max(1.0 / 24.0);
        let d = EarnedParams::default();
        EarnedParams {
            half_life_days: self.half_life.map_or(d.half_life_days, |f| f * s),
            recent_engager_weight: self.recent.map_or(0.0, |r| r.0),
            recent_engager_half_life_days: self.recent.map(|r| r.1 * s),
            consistency_period_days: self.consistency.map(|c| c.0 * s),
            consistency_half_life_days: self.consistency.and_then(|c| c.1.map(|f| f * s)),
            reciprocity_by_share: self.by_share,
            consistency_months: self.m0,
            ..d
        }
    }

    fn name(&self) -> String {
        let h = self
            .half_life
            .map_or("H=365d".to_string(), |f| format!("H={f}S"));
        let r = self.recent.map_or("recent=off".to_string(), |(l, f)| {
            format!("recent=λ{l},{f}S")
        });
        let c = match self.consistency {
            None => "cons=month".to_string(),
            Some((p, None)) => format!("cons={p}S,H"),
            Some((p, Some(f))) => format!("cons={p}S,{f}S"),
        };
        format!(
            "{h} {r} {c} γ{} M0={}",
            if self.by_share { "-by-share" } else { "" },
            self.m0
        )
    }
}

fn grid() -> Vec<Rule> {
    let mut out = Vec::new();
    for half_life in [None, Some(0.125), Some(0.5), Some(2.0)] {
        for recent in [None, Some((4.0, 0.125)), Some((4.0, 0.5)), Some((4.0, 2.0))] {
            for consistency in [None, Some((1.0 / 32.0, None)), Some((0.125, Some(0.5)))] {
                for by_share in [false, true] {
                    for m0 in [3.0, 12.0] {
                        out.push(Rule {
                            half_life,
                            recent,
                            consistency,
                            by_share,
                            m0,
                        });
                    }
                }
            }
        }
    }
    out
}

fn first_event_time(store: &Store) -> i64 {
    let mut first = i64::MAX;
    store
        .scan_events(&EventFilter::default(), |r| {
            if let Some(t) = r.time {
                first = first.min(t);
            }
        })
        .expect("scan");
    first
}

fn main() {
    let dbs: Vec<String> = std::env::args().skip(1).collect();
    assert!(dbs.len() >= 2, "usage: earned_transfer DB DB [DB…]");
    let stores: Vec<Store> = dbs
        .iter()
        .map(|db| Store::open_read_only(std::path::Path::new(db)).expect("store"))
        .collect();
    let logs: Vec<Log> = stores
        .iter()
        .map(|s| Log::read(s, &Scope::default()).expect("log"))
        .collect();
    let baseline_specs: Vec<_> = MEASURES[1..].iter().collect();
    let mut splits = Vec::new();
    for (si, store) in stores.iter().enumerate() {
        let first = first_event_time(store);
        let (_, held) = splits::default_splits(store);
        for (index, splits::Held { split, ids, y, .. }) in held.into_iter().enumerate() {
            let scope = Scope {
                as_of: Some(split),
                ..Scope::default()
            };
            let values = compute_all(&logs[si], &scope, &baseline_specs).expect("baselines");
            let baselines: Vec<(&'static str, Vec<f64>)> = baseline_specs
                .iter()
                .zip(values)
                .map(|(m, v)| (m.name, ids.iter().map(|&i| v[i]).collect()))
                .collect();
            let xs: Vec<Vec<f64>> = baselines.iter().map(|b| b.1.clone()).collect();
            let sc = score_all(&xs, &y, 100, 0, 1);
            let best = [0, 2].map(|m| {
                sc.point
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| Some((i, p[m]?)))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .expect("a defined baseline")
            });
            let span_days = (split - first) as f64 / DAY as f64;
            eprintln!(
                "{} split {}: span {span_days:.2} d, best ρ {} {:.4}, NDCG@100 {} {:.4}",
                dbs[si],
                index + 1,
                baselines[best[0].0].0,
                best[0].1,
                baselines[best[1].0].0,
                best[1].1
            );
            splits.push(Split {
                store: si,
                index,
                scope,
                span_days,
                ids,
                y,
                baselines,
                best,
            });
        }
    }

    let rules = grid();
    let resistance: Vec<Resistance> = rules
        .iter()
        .map(|r| resistance_scaled(&|span| r.params(span)).expect("scenarios"))
        .collect();
    // (Δρ, ΔNDCG@100) of every rule on every split, points only.
    let mut delta = vec![vec![(0.0, 0.0); splits.len()]; rules.len()];
    println!("rule\tstore\tsplit\tspearman\tndcg100\tdiff_spearman\tdiff_ndcg100");
    for (ri, rule) in rules.iter().enumerate() {
        for (j, s) in splits.iter().enumerate() {
            let e = model_of(&logs[s.store], &s.scope, &rule.params(s.span_days))
                .expect("earned")
                .score;
            let x: Vec<f64> = s.ids.iter().map(|&i| e[i]).collect();
            let sc = score_all(&[x], &s.y, 100, 0, 1);
            let (rho, ndcg) = (
                sc.point[0][0].unwrap_or(f64::NAN),
                sc.point[0][2].unwrap_or(f64::NAN),
            );
            delta[ri][j] = (rho - s.best[0].1, ndcg - s.best[1].1);
            println!(
                "{}\t{}\t{}\t{rho:.4}\t{ndcg:.4}\t{:+.4}\t{:+.4}",
                rule.name(),
                dbs[s.store],
                s.index + 1,
                delta[ri][j].0,
                delta[ri][j].1
            );
        }
    }
    println!("\nrule\tresistance holds\tring best rank\tbuyer rank 1k->10k (allowed move)");
    for (rule, r) in rules.iter().zip(&resistance) {
        println!(
            "{}\t{}\t{}\t{}->{} ({})",
            rule.name(),
            r.holds,
            r.ring_best_rank,
            r.buyer_rank[0],
            r.buyer_rank[1],
            r.buyer_allowed_move
        );
    }

    // Mean over the stores named of each store's mean (Δρ + ΔNDCG) on its splits 1–2.
    let objective = |ri: usize, on: &dyn Fn(usize) -> bool| -> f64 {
        let mut per_store = Vec::new();
        for si in (0..stores.len()).filter(|&si| on(si)) {
            let v: Vec<f64> = splits
                .iter()
                .enumerate()
                .filter(|(_, s)| s.store == si && s.index < 2)
                .map(|(j, _)| delta[ri][j].0 + delta[ri][j].1)
                .collect();
            per_store.push(v.iter().sum::<f64>() / v.len() as f64);
        }
        per_store.iter().sum::<f64>() / per_store.len() as f64
    };
    let choose = |on: &dyn Fn(usize) -> bool| -> usize {
        (0..rules.len())
            .filter(|&ri| resistance[ri].holds)
            .max_by(|&a, &b| objective(a, on).total_cmp(&objective(b, on)))
            .expect("an admissible rule")
    };
    // The held-out split 3 of `si` under `rule`, with paired intervals against the best baseline.
    let report = |how: &str, ri: usize, si: usize| {
        let s = splits
            .iter()
            .find(|s| s.store == si && s.index == 2)
            .expect("three splits");
        let e = model_of(&logs[si], &s.scope, &rules[ri].params(s.span_days))
            .expect("earned")
            .score;
        let x: Vec<f64> = s.ids.iter().map(|&i| e[i]).collect();
        let xs = vec![
            x,
            s.baselines[s.best[0].0].1.clone(),
            s.baselines[s.best[1].0].1.clone(),
        ];
        let split_time = s.scope.as_of.expect("dated");
        let sc = score_all(&xs, &s.y, 100, 1000, 1 ^ split_time as u64);
        let diff = |m: usize, b: usize| {
            let d: Vec<f64> = sc
                .boot
                .iter()
                .filter_map(|r| Some(r[0][m]? - r[b][m]?))
                .collect();
            let point = sc.point[0][m].unwrap_or(f64::NAN) - sc.point[b][m].unwrap_or(f64::NAN);
            let (lo, hi) = (percentile(d.clone(), 0.025), percentile(d, 0.975));
            let verdict = if lo > 0.0 {
                "better"
            } else if hi < 0.0 {
                "worse"
            } else {
                "tie"
            };
            format!("{point:+.4} [{lo:+.4}, {hi:+.4}] {verdict}")
        };
        let r = &resistance[ri];
        println!(
            "{how}\t{}\tsplit 3\t{}\tρ {:.4} Δρ {} vs {}\tNDCG@100 {:.4} ΔNDCG {} vs {}\tring {} buyer {}->{}",
            dbs[si],
            rules[ri].name(),
            sc.point[0][0].unwrap_or(f64::NAN),
            diff(0, 1),
            s.baselines[s.best[0].0].0,
            sc.point[0][2].unwrap_or(f64::NAN),
            diff(2, 2),
            s.baselines[s.best[1].0].0,
            r.ring_best_rank,
            r.buyer_rank[0],
            r.buyer_rank[1]
        );
    };
    let admissible = resistance.iter().filter(|r| r.holds).count();
    println!(
        "\n{admissible} of {} rules pass the resistance scenarios",
        rules.len()
    );
    let reference = rules
        .iter()
        .position(|r| {
            r.half_life.is_none()
                && r.recent.is_none()
                && r.consistency.is_none()
                && !r.by_share
                && r.m0 == 3.0
        })
        .expect("the defaults are in the grid");
    let pooled = choose(&|_| true);
    println!(
        "pooled choice (splits 1-2 of every store): {} (objective {:+.4}; defaults {:+.4})",
        rules[pooled].name(),
        objective(pooled, &|_| true),
        objective(reference, &|_| true)
    );
    println!("\nhow\tstore\tsplit\trule\tspearman\tndcg100\tresistance");
    for si in 0..stores.len() {
        report("defaults", reference, si);
        report("pooled", pooled, si);
        let lodo = choose(&|o| o != si);
        report("leave-one-out", lodo, si);
        let own = choose(&|o| o == si);
        report("rolling-origin", own, si);
    }
}
