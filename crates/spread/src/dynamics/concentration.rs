//! Concentration: Gini coefficient and top-1 % share of arrivals per calendar period.

use super::{Period, PeriodConcentration};
use renown_model::civil::{civil_from_days, days_from_civil};
use std::collections::HashMap;

/// The period containing `t`: (label, start time).
pub(super) fn period_of(t: i64, p: Period) -> (String, i64) {
    let day = t.div_euclid(86_400);
    match p {
        Period::Day => {
            let (y, m, d) = civil_from_days(day);
            (format!("{y:04}-{m:02}-{d:02}"), day * 86_400)
        }
        Period::Week => {
            // 1970-01-01 was a Thursday; weeks start on Monday.
            let monday = day - (day + 3).rem_euclid(7);
            let (y, m, d) = civil_from_days(monday);
            (format!("week of {y:04}-{m:02}-{d:02}"), monday * 86_400)
        }
        Period::Month => {
            let (y, m, _) = civil_from_days(day);
            (format!("{y:04}-{m:02}"), days_from_civil(y, m, 1) * 86_400)
        }
    }
}

/// Gini coefficient of non-negative counts.
pub fn gini(counts: &mut [u64]) -> f64 {
    let n = counts.len();
    let total: u64 = counts.iter().sum();
    if n == 0 || total == 0 {
        return 0.0;
    }
    counts.sort_unstable();
    let weighted: f64 = counts
        .iter()
        .enumerate()
        .map(|(i, &x)| (i as f64 + 1.0) * x as f64)
        .sum();
    2.0 * weighted / (n as f64 * total as f64) - (n as f64 + 1.0) / n as f64
}

pub(super) fn concentration(
    events: &[(i64, Option<u32>, u32)],
    p: Period,
) -> Vec<PeriodConcentration> {
    let mut by: HashMap<i64, (String, HashMap<u32, u64>)> = HashMap::new();
    for &(t, _, target) in events {
        let (label, start) = period_of(t, p);
        *by.entry(start)
            .or_insert_with(|| (label, HashMap::new()))
            .1
            .entry(target)
            .or_default() += 1;
    }
    let mut out: Vec<PeriodConcentration> = by
        .into_iter()
        .map(|(start, (period, counts))| {
            let mut c: Vec<u64> = counts.into_values().collect();
            let total: u64 = c.iter().sum();
            let g = gini(&mut c);
            let top = c.len().div_ceil(100);
            let top_sum: u64 = c.iter().rev().take(top).sum();
            PeriodConcentration {
                period,
                start,
                accounts: c.len() as u64,
                arrivals: total,
                gini: g,
                top1_share: top_sum as f64 / total as f64,
            }
        })
        .collect();
    out.sort_by_key(|r| r.start);
    out
}
