//! Bought audiences: one account's follower audit ([`audit_account`]) and every audited account,
//! the most evidence of a bought audience first ([`audit_all`]).
//!
//! One shape for the CLI and the API. Where they disagreed, the API's won: each report names
//! the account in full (`id`, `account` label, `platform`, `native_id`, `handle`), an anomaly's
//! `day` is its date (the CLI gave seconds and a `date`), `suspicious_low` is the bound itself
//! (the CLI floored it in JSON), and `renown audit --all --format json` is a page
//! (`scope`, `total`, `limit`, `offset`, `rows`) of these reports, not table rows.

use crate::config::Echo;
use crate::source::{AccountRef, Source};
use crate::stats::Counts;
use crate::{AppError, Scope};
use renown_audit::audit::{AccountAudit, Reason, SuspicionConfig};
use renown_audit::report::{audit_rows_of, with_earned, AuditRow};
use renown_audit::{Activity, Auditor};
use renown_measures::Warning;
use renown_model::format_time;
use serde::Serialize;

/// How suspicious a follower must look, and what to compute beside the audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditOptions {
    /// Reasons needed to call a follower suspicious (1 to 5).
    pub min_reasons: u32,
    /// Earned influence with and without what suspicious accounts passed on (slower).
    pub with_earned: bool,
}

impl Default for AuditOptions {
    fn default() -> AuditOptions {
        AuditOptions {
            min_reasons: SuspicionConfig::default().min_reasons,
            with_earned: true,
        }
    }
}

/// The order of [`audit_all`]'s list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuditOrder {
    /// Most evidence of a bought audience first: the 95% lower bound on suspicious followers.
    #[default]
    Evidence,
    /// Most followers first.
    Followers,
    /// Lowest audience quality first.
    Quality,
    /// Most suspicious followers first.
    Suspicious,
}

/// One account's audience audit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditReport {
    /// The account, named in full.
    #[serde(flatten)]
    pub account: AccountRef,
    /// Followers as of the scope's date.
    pub followers: u64,
    /// Followers that engaged with anyone.
    pub engaged_any: u64,
    /// Followers that engaged with this account.
    pub engaged_this: u64,
    /// Followers showing at least the options' number of reasons.
    pub suspicious: u64,
    /// suspicious / followers (`None` without followers: a share of nobody).
    pub suspicious_share: Option<f64>,
    /// 95% lower bound on the number of suspicious followers (followers × the Wilson lower
    /// bound of their share): the evidence of a bought audience.
    pub suspicious_low: f64,
    /// Audience quality (the share of followers not suspicious) with its Wilson 95% interval;
    /// `None` without followers (there is no audience to judge).
    pub quality: Option<f64>,
    /// Lower end of the quality's Wilson 95% interval.
    pub quality_low: Option<f64>,
    /// Upper end of the quality's Wilson 95% interval.
    pub quality_high: Option<f64>,
    /// Followers showing each reason.
    pub reasons: Counts,
    /// Days of anomalous follower growth.
    pub anomalies: Vec<GrowthAnomaly>,
    /// Earned influence (`renown rank --by earned`), when asked for.
    pub earned: Option<f64>,
    /// The same without what suspicious followers passed on to it.
    pub earned_without_suspicious: Option<f64>,
    /// The parameters the earned figures were computed with (a single report's; a list
    /// carries them once, [`AuditList::parameters`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Echo>,
    /// What makes the audit say less than it seems: every account with the same number of
    /// followers in scope (none: no follow event), so no audience to audit (a single report's; a
    /// list carries them once, [`AuditList::warnings`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// A day of follower growth far above the account's usual.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrowthAnomaly {
    /// The date (YYYY-MM-DD, UTC).
    pub day: String,
    /// Followers gained that day.
    pub gained: u32,
    /// The account's median daily gain.
    pub baseline: f64,
    /// The gain above which a day is anomalous (from the median and its spread).
    pub threshold: f64,
}

/// A page of audited accounts.
#[derive(Clone, Debug, Serialize)]
pub struct AuditList {
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// Accounts listed (those with at least the minimum of followers).
    pub total: usize,
    /// Rows asked for (the page size).
    pub limit: usize,
    /// Rows skipped before this page.
    pub offset: usize,
    /// The parameters the rows' earned figures were computed with (`null` without them).
    pub parameters: Option<Echo>,
    /// This page's reports.
    pub rows: Vec<AuditReport>,
    /// What makes the list say less than it seems (see [`AuditReport::warnings`]).
    pub warnings: Vec<Warning>,
}

/// Which accounts [`audit_all`] lists and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditQuery {
    /// How suspicious a follower must look, and whether to compute earned influence.
    pub options: AuditOptions,
    /// Only accounts with at least this many followers (at least 1).
    pub min_followers: u64,
    /// The order of the list.
    pub order: AuditOrder,
    /// Rows to return; `None` = all.
    pub limit: Option<usize>,
    /// Rows skipped before this page.
    pub offset: usize,
}

impl Default for AuditQuery {
    fn default() -> AuditQuery {
        AuditQuery {
            options: AuditOptions::default(),
            min_followers: 1,
            order: AuditOrder::Evidence,
            limit: None,
            offset: 0,
        }
    }
}

pub(crate) fn config(options: &AuditOptions) -> crate::Result<SuspicionConfig> {
    if !(1..=5).contains(&options.min_reasons) {
        return Err(AppError::Invalid(format!(
            "min_reasons must be 1 to 5, not {}",
            options.min_reasons
        )));
    }
    Ok(SuspicionConfig {
        min_reasons: options.min_reasons,
        ..SuspicionConfig::default()
    })
}

/// An audit's days of anomalous follower growth, dated.
pub(crate) fn growth_anomalies(a: &AccountAudit) -> Vec<GrowthAnomaly> {
    a.anomalies
        .iter()
        .map(|x| GrowthAnomaly {
            day: format_time(x.day)[..10].to_string(),
            gained: x.gained,
            baseline: x.baseline,
            threshold: x.threshold,
        })
        .collect()
}

/// The typed report of one audited row.
pub fn report<S: Source>(src: &S, row: &AuditRow) -> Result<AuditReport, S::Error> {
    let accounts = src.accounts()?;
    let a = &row.audit;
    let audience = a.followers > 0;
    Ok(AuditReport {
        account: AccountRef::from(&accounts[a.account as usize]),
        followers: a.followers,
        engaged_any: a.engaged_any,
        engaged_this: a.engaged_this,
        suspicious: a.suspicious,
        suspicious_share: audience.then(|| a.suspicious_share()),
        suspicious_low: a.bought_evidence(),
        quality: audience.then_some(a.quality),
        quality_low: audience.then_some(a.quality_low),
        quality_high: audience.then_some(a.quality_high),
        reasons: Counts(
            Reason::ALL
                .iter()
                .map(|r| (r.name().to_string(), a.reasons[*r as usize]))
                .collect(),
        ),
        anomalies: growth_anomalies(a),
        earned: row.earned,
        earned_without_suspicious: row.earned_without,
        parameters: None,
        warnings: Vec::new(),
    })
}

/// What `rank --by followers` says of its own scores in the audit's scope: every account has
/// the same number of followers (none, when the scope holds no follow event), so there is no
/// audience to audit. (The scope's own warnings are the caller's, as for every answer.)
pub(crate) fn audit_warnings<S: Source>(src: &S, scope: &Scope) -> Result<Vec<Warning>, S::Error> {
    let followers = renown_measures::measure("followers").map_err(AppError::from)?;
    Ok(src
        .ranked(followers, scope)?
        .warnings
        .iter()
        .filter(|w| matches!(w, Warning::Constant { .. }))
        .cloned()
        .collect())
}

/// One account's audience audit. An audience is not topical: the scope's topic is ignored.
pub fn audit_account<S: Source>(
    src: &S,
    scope: &Scope,
    id: u32,
    options: &AuditOptions,
) -> Result<AuditReport, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "an audit")?;
    let cfg = config(options)?;
    let rows = rows(
        src,
        &scope.without_topic(),
        cfg,
        Some(&[id]),
        options.with_earned,
    )?;
    let row = rows
        .first()
        .ok_or_else(|| AppError::NotFound(format!("no account with id {id} in the store")))?;
    Ok(AuditReport {
        parameters: echo(src, options),
        warnings: audit_warnings(src, &scope.without_topic())?,
        ..report(src, row)?
    })
}

/// The audits of `accounts` (every account with followers when `None`) in `scope` (without
/// its topic), with earned influence with and without the suspicious part of the audience when
/// `earned`. The earned model and, under the default thresholds, the suspicious accounts come
/// from the source, so a server computes them once per store state for every view (profile,
/// cascades, the audit of one account and of all).
fn rows<S: Source>(
    src: &S,
    scope: &Scope,
    cfg: SuspicionConfig,
    accounts: Option<&[u32]>,
    earned: bool,
) -> Result<Vec<AuditRow>, S::Error> {
    let store = src.store();
    let act = Activity::load(store, &scope.measures()).map_err(AppError::from)?;
    let infos = src.accounts()?;
    let default_thresholds = cfg == SuspicionConfig::default();
    let auditor = Auditor::new(&act, cfg);
    let mut rows = audit_rows_of(&auditor, &infos, accounts);
    if earned {
        let model = src.earned_model(scope)?;
        let suspicious = match default_thresholds {
            true => src.suspects(scope)?,
            false => std::sync::Arc::new(auditor.suspicious_accounts()),
        };
        with_earned(&mut rows, &model, &suspicious);
    }
    Ok(rows)
}

/// The earned parameters an audit echoes: `None` when it computes no earned influence.
fn echo<S: Source>(src: &S, options: &AuditOptions) -> Option<Echo> {
    options
        .with_earned
        .then(|| src.params().echo("earned"))
        .flatten()
}

/// Every account with followers audited, in `query.order`, one page of them. An audience is not
/// topical: the scope's topic is ignored (and the answer's scope has none).
pub fn audit_all<S: Source>(
    src: &S,
    scope: &Scope,
    query: &AuditQuery,
) -> Result<AuditList, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "an audit")?;
    let cfg = config(&query.options)?;
    let scope = scope.without_topic();
    let warnings = audit_warnings(src, &scope)?;
    let mut rows = rows(src, &scope, cfg, None, query.options.with_earned)?;
    rows.retain(|r| r.audit.followers >= query.min_followers.max(1));
    // Equal keys keep the account order, so every surface lists ties alike.
    rows.sort_by_key(|r| r.audit.account);
    match query.order {
        AuditOrder::Evidence => rows.sort_by(|a, b| AccountAudit::by_evidence(&a.audit, &b.audit)),
        AuditOrder::Followers => rows.sort_by_key(|r| std::cmp::Reverse(r.audit.followers)),
        AuditOrder::Quality => rows.sort_by(|a, b| a.audit.quality.total_cmp(&b.audit.quality)),
        AuditOrder::Suspicious => rows.sort_by_key(|r| std::cmp::Reverse(r.audit.suspicious)),
    }
    let total = rows.len();
    let limit = query.limit.unwrap_or(total);
    let start = query.offset.min(total);
    let end = start.saturating_add(limit).min(total);
    let rows = rows[start..end]
        .iter()
        .map(|r| report(src, r))
        .collect::<Result<Vec<_>, S::Error>>()?;
    Ok(AuditList {
        scope,
        total,
        limit,
        offset: query.offset,
        parameters: echo(src, &query.options),
        warnings,
        rows,
    })
}
