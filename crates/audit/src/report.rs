//! Audit rows for the CLI, the demo and the API: the follower audit plus earned influence with
//! and without the suspicious part of the audience.

use crate::activity::Activity;
use crate::audit::{AccountAudit, Auditor, SuspicionConfig};
use crate::Result;
use renown_measures::earned::{model, EarnedParams};
use renown_measures::Scope;
use renown_model::format_time;
use renown_store::Store;
use serde_json::{json, Value};

/// One audited account with its earned influence, with and without its suspicious audience.
pub struct AuditRow {
    /// The account's label.
    pub label: String,
    /// Its follower audit.
    pub audit: AccountAudit,
    /// Earned influence (`renown rank --by earned`).
    pub earned: Option<f64>,
    /// The same without what suspicious accounts passed to it.
    pub earned_without: Option<f64>,
}

/// Earned influence of each account in `accounts`, and what is left of it without the
/// endorsements of `suspicious` accounts, earned influence computed with `params`.
///
/// Earned influence decomposes exactly into what each endorser passes on (`c_a · W_ab`, see
/// `renown_measures::earned::EarnedModel::endorsements`); "without" drops the suspicious
/// endorsers' direct contributions. Their indirect effect (through the credibility of accounts
/// they endorsed) is left in: it is second-order, and a suspicious account's own credibility is
/// already near zero when it never engages.
pub fn earned_split(
    store: &Store,
    scope: &Scope,
    accounts: &[u32],
    suspicious: &[bool],
    params: &EarnedParams,
) -> Result<Vec<(f64, f64)>> {
    renown_measures::measure("earned")?;
    let m = model(store, scope, params)?;
    Ok(accounts
        .iter()
        .map(|&b| {
            let total = m.score.get(b as usize).copied().unwrap_or(0.0);
            let from_suspicious: f64 = m
                .endorsements(b)
                .into_iter()
                .filter(|(a, _)| suspicious.get(*a as usize).copied().unwrap_or(false))
                .map(|(_, c)| c)
                .sum();
            (total, (total - from_suspicious).max(0.0))
        })
        .collect())
}

/// Audits of `accounts` (every account with followers when `None`), with earned influence
/// with and without the suspicious followers' part when `earned` gives its parameters.
pub fn audit_rows(
    store: &Store,
    scope: &Scope,
    cfg: &SuspicionConfig,
    accounts: Option<&[u32]>,
    earned: Option<&EarnedParams>,
) -> Result<Vec<AuditRow>> {
    let act = Activity::load(store, scope)?;
    let auditor = Auditor::new(&act, cfg.clone());
    let ids: Vec<u32> = match accounts {
        Some(a) => a.to_vec(),
        None => (0..act.n as u32)
            .filter(|&a| !act.followers[a as usize].is_empty())
            .collect(),
    };
    let infos = store.accounts()?;
    let mut rows: Vec<AuditRow> = ids
        .iter()
        .map(|&a| AuditRow {
            label: infos
                .get(a as usize)
                .map_or_else(|| a.to_string(), |i| i.label()),
            audit: auditor.audit(a),
            earned: None,
            earned_without: None,
        })
        .collect();
    if let Some(params) = earned {
        let suspicious = auditor.suspicious_accounts();
        for (row, (e, w)) in
            rows.iter_mut()
                .zip(earned_split(store, scope, &ids, &suspicious, params)?)
        {
            row.earned = Some(e);
            row.earned_without = Some(w);
        }
    }
    Ok(rows)
}

/// Columns of [`demo_rows`].
pub const DEMO_COLUMNS: [&str; 8] = [
    "account",
    "followers",
    "suspicious",
    "quality",
    "quality_95%",
    "spike_day",
    "earned",
    "earned_without_suspicious",
];

/// One row per account for `renown demo`'s audit section (see [`DEMO_COLUMNS`]).
pub fn demo_rows(store: &Store, accounts: &[u32]) -> Result<Vec<Vec<Value>>> {
    let rows = audit_rows(
        store,
        &Scope::default(),
        &SuspicionConfig::default(),
        Some(accounts),
        Some(&EarnedParams::default()),
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let a = &r.audit;
            let spike = a.anomalies.iter().max_by_key(|x| x.gained);
            vec![
                json!(r.label),
                json!(a.followers),
                json!(format!("{:.1}%", 100.0 * a.suspicious_share())),
                json!(format!("{:.1}%", 100.0 * a.quality)),
                json!(format!(
                    "{:.1}-{:.1}%",
                    100.0 * a.quality_low,
                    100.0 * a.quality_high
                )),
                json!(spike.map_or(String::new(), |s| format!(
                    "{} (+{})",
                    &format_time(s.day)[..10],
                    s.gained
                ))),
                // `+ 0.0` turns a negative zero into zero for display.
                json!(r.earned.map(|e| e + 0.0)),
                json!(r.earned_without.map(|e| e + 0.0)),
            ]
        })
        .collect())
}
