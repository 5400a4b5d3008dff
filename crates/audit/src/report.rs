//! Audit rows for the CLI, the demo and the API: the follower audit plus earned influence with
//! and without the suspicious part of the audience.

use crate::activity::Activity;
use crate::audit::{AccountAudit, Auditor, SuspicionConfig};
use crate::Result;
use rayon::prelude::*;
use renown_measures::earned::{model, EarnedModel, EarnedParams};
use renown_measures::Scope;
use renown_model::format_time;
use renown_store::{AccountInfo, Store};
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
    Ok(earned_split_of(&m, accounts, suspicious))
}

/// [`earned_split`] on a model already computed (a server keeps one per store state).
pub fn earned_split_of(m: &EarnedModel, accounts: &[u32], suspicious: &[bool]) -> Vec<(f64, f64)> {
    accounts
        .par_iter()
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
        .collect()
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
    let infos = store.accounts()?;
    let mut rows = audit_rows_of(&auditor, &infos, accounts);
    if let Some(params) = earned {
        renown_measures::measure("earned")?;
        let m = model(store, scope, params)?;
        with_earned(&mut rows, &m, &auditor.suspicious_accounts());
    }
    Ok(rows)
}

/// The audits of `accounts` (every account with followers when `None`) by `auditor`, labelled
/// from `infos`, without earned figures ([`with_earned`] adds them). The audits run in parallel;
/// the rows are in the order of `accounts` (by id when `None`).
pub fn audit_rows_of(
    auditor: &Auditor,
    infos: &[AccountInfo],
    accounts: Option<&[u32]>,
) -> Vec<AuditRow> {
    let act = auditor.act;
    let ids: Vec<u32> = match accounts {
        Some(a) => a.to_vec(),
        None => (0..act.n as u32)
            .filter(|&a| !act.followers[a as usize].is_empty())
            .collect(),
    };
    ids.par_iter()
        .map(|&a| AuditRow {
            label: infos
                .get(a as usize)
                .map_or_else(|| a.to_string(), |i| i.label()),
            audit: auditor.audit(a),
            earned: None,
            earned_without: None,
        })
        .collect()
}

/// Adds to `rows` earned influence from `model`, with and without what the `suspicious`
/// accounts (by id) passed on.
pub fn with_earned(rows: &mut [AuditRow], model: &EarnedModel, suspicious: &[bool]) {
    let ids: Vec<u32> = rows.iter().map(|r| r.audit.account).collect();
    for (row, (e, w)) in rows
        .iter_mut()
        .zip(earned_split_of(model, &ids, suspicious))
    {
        row.earned = Some(e);
        row.earned_without = Some(w);
    }
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
            // Without followers there is no audience to judge: no share, no quality.
            let share = |f: f64| match a.followers {
                0 => "–".to_string(),
                _ => format!("{:.1}%", 100.0 * f),
            };
            vec![
                json!(r.label),
                json!(a.followers),
                json!(share(a.suspicious_share())),
                json!(match a.followers {
                    0 => "no followers".to_string(),
                    _ => share(a.quality),
                }),
                json!(match a.followers {
                    0 => "–".to_string(),
                    _ => format!(
                        "{:.1}-{:.1}%",
                        100.0 * a.quality_low,
                        100.0 * a.quality_high
                    ),
                }),
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
