//! What predicts the backtest's target, and what earned influence misses (issue 16,
//! docs/VALIDITY.md "Why earned lost"):
//! `cargo run --release -p renown-measures --example earned_diagnose -- DB [DB…]`.
//!
//! On each of `renown backtest`'s default splits, scores simple features of the log before the
//! split (counts of engagement and of distinct engagers, the same decayed with half-lives set
//! relative to the horizon, the account's own activity) and earned influence with one
//! component changed at a time, against the default target (distinct engagers after the split).
//! Diagnostic only: nothing here chooses a parameter.

#[path = "common/splits.rs"]
mod splits;

use renown_measures::backtest::score_all;
use renown_measures::earned::{model, EarnedParams};
use renown_measures::{Scope, MEASURES};
use renown_model::ENGAGEMENT_KINDS;
use renown_store::{EventFilter, Store};

fn main() {
    let dbs: Vec<String> = std::env::args().skip(1).collect();
    assert!(!dbs.is_empty(), "usage: earned_diagnose DB [DB…]");
    for db in &dbs {
        let store = Store::open_read_only(std::path::Path::new(db)).expect("store");
        let (horizon, held) = splits::default_splits(&store);
        let horizon = horizon as f64;
        println!(
            "\n# {db}: horizon {:.2} days",
            horizon / renown_measures::earned::DAY as f64
        );
        for (index, s) in held.into_iter().enumerate() {
            let (ids, y, n) = (s.ids, s.y, s.accounts);
            let t_ref = s.split as f64;
            // (target, actor, time) of every engagement before the split.
            let mut rows: Vec<(u32, u32, i64)> = Vec::new();
            let mut authored = vec![0.0; n];
            store
                .scan_events(
                    &EventFilter {
                        kinds: Some(ENGAGEMENT_KINDS.to_vec()),
                        until: Some(s.split),
                        ..EventFilter::default()
                    },
                    |r| {
                        authored[r.actor as usize] += 1.0;
                        if let (Some(t), Some(time)) = (r.target, r.time) {
                            if t != r.actor {
                                rows.push((t, r.actor, time));
                            }
                        }
                    },
                )
                .expect("scan");
            rows.sort_unstable();
            let decay = |age: f64, h: f64| (-std::f64::consts::LN_2 * age / h).exp();
            let halves = [horizon / 4.0, horizon, 4.0 * horizon, 16.0 * horizon];
            let mut feats: Vec<(String, Vec<f64>)> = Vec::new();
            let mut distinct = vec![0.0; n];
            let mut events = vec![0.0; n];
            let mut recent_distinct = vec![vec![0.0; n]; halves.len()];
            let mut recent_events = vec![vec![0.0; n]; halves.len()];
            let mut window = vec![0.0; n];
            let mut i = 0;
            while i < rows.len() {
                let (b, a, _) = rows[i];
                let mut j = i;
                let mut last = i64::MIN;
                while j < rows.len() && rows[j].0 == b && rows[j].1 == a {
                    last = last.max(rows[j].2);
                    for (h, &hl) in halves.iter().enumerate() {
                        recent_events[h][b as usize] += decay(t_ref - rows[j].2 as f64, hl);
                    }
                    j += 1;
                }
                distinct[b as usize] += 1.0;
                events[b as usize] += (j - i) as f64;
                for (h, &hl) in halves.iter().enumerate() {
                    recent_distinct[h][b as usize] += decay(t_ref - last as f64, hl);
                }
                if t_ref - last as f64 <= horizon {
                    window[b as usize] += 1.0;
                }
                i = j;
            }
            feats.push(("events received".into(), events));
            feats.push(("distinct engagers".into(), distinct.clone()));
            feats.push(("distinct engagers in the last horizon".into(), window));
            for (h, &hl) in halves.iter().enumerate() {
                feats.push((
                    format!("distinct engagers, half-life {:.2}×horizon", hl / horizon),
                    recent_distinct[h].clone(),
                ));
                feats.push((
                    format!("events, half-life {:.2}×horizon", hl / horizon),
                    recent_events[h].clone(),
                ));
            }
            feats.push(("own activity (events authored)".into(), authored.clone()));
            feats.push((
                "distinct engagers × (1 + own activity)^0.25".into(),
                distinct
                    .iter()
                    .zip(&authored)
                    .map(|(d, a)| d * (1.0 + a).powf(0.25))
                    .collect(),
            ));
            let scope = Scope {
                as_of: Some(s.split),
                ..Scope::default()
            };
            for m in MEASURES.iter() {
                feats.push((
                    format!("measure {}", m.name),
                    m.compute(&store, &scope).expect("measure"),
                ));
            }
            let p = EarnedParams::default();
            let day = renown_measures::earned::DAY as f64;
            let variants: Vec<(&str, EarnedParams)> = vec![
                (
                    "earned d=0",
                    EarnedParams {
                        damping: 0.0,
                        ..p.clone()
                    },
                ),
                (
                    "earned σ=100",
                    EarnedParams {
                        selectivity_prior: 100.0,
                        ..p.clone()
                    },
                ),
                (
                    "earned σ=1e6 d=0",
                    EarnedParams {
                        selectivity_prior: 1e6,
                        damping: 0.0,
                        ..p.clone()
                    },
                ),
                (
                    "earned M0=0",
                    EarnedParams {
                        consistency_months: 0.0,
                        ..p.clone()
                    },
                ),
                (
                    "earned γ=0",
                    EarnedParams {
                        reciprocity_discount: 0.0,
                        ..p.clone()
                    },
                ),
                (
                    "earned H=horizon",
                    EarnedParams {
                        half_life_days: horizon / day,
                        ..p.clone()
                    },
                ),
                (
                    "earned H=4×horizon",
                    EarnedParams {
                        half_life_days: 4.0 * horizon / day,
                        ..p.clone()
                    },
                ),
            ];
            for (name, v) in variants {
                feats.push((
                    name.into(),
                    model(&store, &scope, &v).expect("earned").score,
                ));
            }
            let xs: Vec<Vec<f64>> = feats
                .iter()
                .map(|f| ids.iter().map(|&i| f.1[i]).collect())
                .collect();
            let sc = score_all(&xs, &y, 100, 0, 1);
            println!(
                "\n## split {} ({} accounts, {} with target)",
                index + 1,
                ids.len(),
                y.iter().filter(|&&v| v > 0.0).count()
            );
            println!("{:<55} {:>8} {:>8}", "feature", "ρ", "NDCG@100");
            for (f, p) in feats.iter().zip(&sc.point) {
                println!(
                    "{:<55} {:>8.4} {:>8.4}",
                    f.0,
                    p[0].unwrap_or(f64::NAN),
                    p[2].unwrap_or(f64::NAN)
                );
            }
        }
    }
}
