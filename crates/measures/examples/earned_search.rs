//! Rolling-origin search and ablations of earned influence's parameters (issue 16,
//! docs/VALIDITY.md): `cargo run --release -p renown-measures --example earned_search -- DB`.
//!
//! The splits are `renown backtest`'s defaults for the store. Each variant of the parameters is
//! scored against raw engagement (the best baseline on Higgs and the demo) on every split; the
//! half-life is **chosen on the first split only** (best NDCG@100 there) and its scores on the
//! later splits are the out-of-sample result. Paired differences come with 95 % Poisson
//! bootstrap intervals (200 resamples).

use renown_measures::backtest::{backtest, outcomes, score_all, BacktestOptions, Target};
use renown_measures::earned::{model, EarnedParams};
use renown_measures::{measure, Scope};
use renown_store::Store;

fn percentile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let db = std::env::args().nth(1).expect("usage: earned_search DB");
    let store = Store::open_read_only(std::path::Path::new(&db)).expect("store");
    let plan = backtest(
        &store,
        &BacktestOptions {
            measures: vec!["engagement".into()],
            bootstrap: 0,
            ..BacktestOptions::default()
        },
    )
    .expect("splits");
    let base = EarnedParams::default();
    let mut variants: Vec<(String, EarnedParams)> = [0.25, 1.0, 7.0, 30.0, 365.0]
        .iter()
        .map(|&h| {
            (
                format!("half-life {h} d"),
                EarnedParams {
                    half_life_days: h,
                    ..base.clone()
                },
            )
        })
        .collect();
    variants.push((
        "no consistency (M0 = 0)".into(),
        EarnedParams {
            consistency_months: 0.0,
            ..base.clone()
        },
    ));
    variants.push((
        "no reciprocity discount (γ = 0)".into(),
        EarnedParams {
            reciprocity_discount: 0.0,
            ..base.clone()
        },
    ));
    variants.push((
        "no credibility propagation (d = 0)".into(),
        EarnedParams {
            damping: 0.0,
            ..base.clone()
        },
    ));
    variants.push((
        "no follow term".into(),
        EarnedParams {
            follow_weight: 0.0,
            ..base.clone()
        },
    ));
    println!(
        "variant\tsplit\tearned_spearman\tearned_ndcg100\tdiff_spearman [95%]\tdiff_ndcg100 [95%]"
    );
    for s in &plan.splits {
        let o =
            outcomes(&store, None, Target::DistinctEngagers, s.split, s.until).expect("outcomes");
        let ids: Vec<usize> = (0..o.active.len()).filter(|&i| o.active[i]).collect();
        let y: Vec<f64> = ids.iter().map(|&i| o.target[i]).collect();
        let scope = Scope {
            as_of: Some(s.split),
            ..Scope::default()
        };
        let pick = |scores: &[f64]| -> Vec<f64> { ids.iter().map(|&i| scores[i]).collect() };
        let engagement =
            pick(&(measure("engagement").unwrap().compute)(&store, &scope).expect("engagement"));
        for (name, p) in &variants {
            let earned = pick(&model(&store, &scope, p).expect("earned").score);
            let sc = score_all(&[earned, engagement.clone()], &y, 100, 200, 1);
            let diff = |m: usize| {
                let d: Vec<f64> = sc
                    .boot
                    .iter()
                    .filter_map(|r| Some(r[0][m]? - r[1][m]?))
                    .collect();
                let point = sc.point[0][m].unwrap_or(f64::NAN) - sc.point[1][m].unwrap_or(f64::NAN);
                format!(
                    "{point:+.3} [{:+.3}, {:+.3}]",
                    percentile(d.clone(), 0.025),
                    percentile(d, 0.975)
                )
            };
            println!(
                "{name}\t{}\t{:.3}\t{:.3}\t{}\t{}",
                renown_model::format_time(s.split),
                sc.point[0][0].unwrap_or(f64::NAN),
                sc.point[0][2].unwrap_or(f64::NAN),
                diff(0),
                diff(2)
            );
        }
    }
}
