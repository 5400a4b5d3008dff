//! The demo's spread section: who compounds and who went viral once.

use renown_app::dynamics::{fit, DynamicsQuery, Progress};
use renown_app::{Cascades, Scope};
use renown_model::{Cancel, Kind};
use renown_store::{EventFilter, Store};
use std::fmt::Write;

/// Text for `renown demo`: the fitness rank of each consistent contributor and the viral
/// account, and the viral account's largest cascade against everything it started afterwards.
/// Accounts are native ids on `platform`.
pub fn section(
    store: &Store,
    platform: &str,
    consistent: &[String],
    viral: &str,
) -> anyhow::Result<String> {
    let mut out = String::new();
    let query = DynamicsQuery {
        bootstrap: 20,
        ..DynamicsQuery::default()
    };
    let d = fit(
        store,
        &Scope::default(),
        &query,
        Cancel::new(),
        Progress::default(),
    )?;
    let find = |id: &str| store.find_account(&format!("{platform}:{id}"));
    let rank_of = |dense: u32| d.fitness.iter().position(|f| f.account == dense);
    let _ = writeln!(out, "Spread and growth (renown dynamics, renown cascades):");
    if let Some(a) = &d.alpha {
        let _ = writeln!(
            out,
            "  Engagement received grows with size as k^{:.2} (95 % interval {:.2}-{:.2}); without \
             fitness the estimate is {:.2}.",
            a.value,
            a.low,
            a.high,
            d.alpha_no_fitness.unwrap_or(f64::NAN)
        );
    }
    let _ = writeln!(
        out,
        "  Fitness rank (growth size does not explain) among {} accounts with ≥ {} engagements:",
        d.fitness.len(),
        query.min_arrivals
    );
    for id in consistent.iter().map(String::as_str).chain([viral]) {
        let dense = find(id)?;
        let label = store.accounts()?[dense as usize].label();
        match rank_of(dense) {
            Some(r) => {
                let f = &d.fitness[r];
                let _ = writeln!(
                    out,
                    "    {label:<16} #{:<4} fitness {:.2} ({} engagements)",
                    r + 1,
                    f.fitness,
                    f.arrivals
                );
            }
            None => {
                let _ = writeln!(out, "    {label:<16} too few engagements to rank");
            }
        }
    }
    let c = Cascades::compute(store, &Scope::default())?.report;
    let v = find(viral)?;
    let viral_label = store.accounts()?[v as usize].label();
    let mut own: Vec<_> = c.cascades.iter().filter(|c| c.root == v).collect();
    own.sort_by_key(|c| c.stats.start);
    if let Some(big) = own.iter().max_by_key(|c| c.stats.size) {
        let s = &big.stats;
        // Its later posts, whether or not anyone spread them (cascades keep 2+ nodes only).
        let mut later_posts = 0u64;
        store.scan_events(
            &EventFilter {
                kinds: Some(vec![Kind::Post]),
                since: s.start.map(|t| t + 1),
                ..EventFilter::default()
            },
            |e| later_posts += u64::from(e.actor == v),
        )?;
        let after: Vec<usize> = own
            .iter()
            .filter(|c| c.stats.start > s.start)
            .map(|c| c.stats.size)
            .collect();
        let _ = writeln!(
            out,
            "  {viral_label}'s largest cascade ({}): {} nodes, depth {}, structural virality {:.2}, \
             half its size within {:.1} h.",
            big.id,
            s.size,
            s.depth,
            s.structural_virality,
            s.time_to_half.unwrap_or(0) as f64 / 3600.0
        );
        let _ = writeln!(
            out,
            "  Then it fades: its {later_posts} later posts were spread to {} accounts in all \
             (largest cascade {}).",
            after.iter().map(|n| n - 1).sum::<usize>(),
            after.iter().max().copied().unwrap_or(0)
        );
    }
    Ok(out)
}
