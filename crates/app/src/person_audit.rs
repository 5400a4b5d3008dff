//! A person's audience audit: `renown audit --per person`, `GET /api/audit?per=person` and
//! `GET /api/accounts/{id}/audit?per=person`.
//!
//! A person's audience is their accounts' audiences together. Suspicion is judged where the
//! follower audit defines it — one account following one account ([`renown_audit::audit`]) —
//! then the followers are counted as persons:
//! - a follower person counts once, however many of the person's accounts they follow and
//!   through however many accounts of their own;
//! - the person's own accounts following each other are not audience;
//! - a follower person is suspicious when any of their follows of the person's accounts is
//!   (followers bought on any account count), and shows a reason when any of those follows does;
//! - `engaged_any`: any of the follower's accounts engaged with anyone; `engaged_this`: with any
//!   of the person's accounts.
//!
//! Growth anomalies have no per-person meaning: a day is anomalous against one account's own
//! usual growth, so they are listed per account (`accounts`), never merged. Earned influence is
//! the person's ([`crate::persons`]), and without the direct contributions of suspicious persons
//! (those with any account the audit finds suspicious).

use crate::audit::{
    audit_warnings, config, growth_anomalies, AuditOptions, AuditOrder, AuditQuery, GrowthAnomaly,
};
use crate::config::Echo;
use crate::persons::{Per, PersonName};
use crate::source::{AccountRef, Source};
use crate::stats::Counts;
use crate::{AppError, Scope};
use renown_audit::stats::wilson;
use renown_audit::{AccountAudit, Activity, Auditor, Reason};
use renown_measures::{Log, Persons, Warning};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One of a person's accounts in their audit: its own audience and growth.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountAudience {
    /// The account, named in full.
    #[serde(flatten)]
    pub account: AccountRef,
    /// The account's followers (accounts, the person's own included).
    pub followers: u64,
    /// Of those, suspicious as followers of this account.
    pub suspicious: u64,
    /// Days of anomalous follower growth of this account.
    pub anomalies: Vec<GrowthAnomaly>,
}

/// A person's audience audit: their accounts' audiences together, counted in persons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonAuditReport {
    /// The person.
    #[serde(flatten)]
    pub person: PersonName,
    /// Always `person`.
    pub per: Per,
    /// Distinct persons following any of the person's accounts (not the person).
    pub followers: u64,
    /// Distinct accounts following any of the person's accounts (not the person's own).
    pub follower_accounts: u64,
    /// Follower persons that engaged with anyone.
    pub engaged_any: u64,
    /// Follower persons that engaged with any of the person's accounts.
    pub engaged_this: u64,
    /// Follower persons suspicious as followers of any of the person's accounts.
    pub suspicious: u64,
    /// suspicious / followers (`None` without followers: a share of nobody).
    pub suspicious_share: Option<f64>,
    /// 95% lower bound on the number of suspicious follower persons.
    pub suspicious_low: f64,
    /// The share of follower persons not suspicious (`None` without followers).
    pub quality: Option<f64>,
    /// Lower end of the quality's Wilson 95% interval.
    pub quality_low: Option<f64>,
    /// Upper end of the quality's Wilson 95% interval.
    pub quality_high: Option<f64>,
    /// Follower persons showing each reason on any of their follows of the person.
    pub reasons: Counts,
    /// Each of the person's accounts: its own audience and growth anomalies.
    pub accounts: Vec<AccountAudience>,
    /// The person's earned influence (computed over persons), when asked for.
    pub earned: Option<f64>,
    /// The same without what suspicious persons passed on to them.
    pub earned_without_suspicious: Option<f64>,
    /// The parameters the earned figures were computed with (a single report's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Echo>,
    /// What makes the audit say less than it seems (a single report's; see
    /// [`crate::audit::AuditReport::warnings`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// A page of audited persons.
#[derive(Clone, Debug, Serialize)]
pub struct PersonAuditList {
    /// The slice of the log the answer is for (no topic: an audience is not topical).
    pub scope: Scope,
    /// Always `person`.
    pub per: Per,
    /// Persons listed (those with at least the minimum of follower persons).
    pub total: usize,
    /// Rows asked for.
    pub limit: usize,
    /// Rows skipped.
    pub offset: usize,
    /// The parameters the rows' earned figures were computed with (`null` without them).
    pub parameters: Option<Echo>,
    /// This page's reports.
    pub rows: Vec<PersonAuditReport>,
    /// What makes the list say less than it seems (see [`crate::audit::AuditReport::warnings`]).
    pub warnings: Vec<Warning>,
}

impl PersonAuditReport {
    fn evidence(&self) -> f64 {
        self.suspicious_low
    }

    fn spike(&self) -> u32 {
        self.accounts
            .iter()
            .flat_map(|a| &a.anomalies)
            .map(|x| x.gained)
            .max()
            .unwrap_or(0)
    }
}

/// The audit of the person holding `account` (a dense id). An audience is not topical: the
/// scope's topic is ignored.
pub fn person_audit<S: Source>(
    src: &S,
    scope: &Scope,
    account: u32,
    options: &AuditOptions,
) -> Result<PersonAuditReport, S::Error> {
    let reports = audit_persons(src, scope, options, Some(account))?;
    let report = reports
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("no account with id {account} in the store")))?;
    Ok(PersonAuditReport {
        parameters: options
            .with_earned
            .then(|| src.params().echo("earned"))
            .flatten(),
        warnings: audit_warnings(src, &scope.without_topic())?,
        ..report
    })
}

/// Every person with follower persons audited, in `query.order`, one page of them.
pub fn person_audit_all<S: Source>(
    src: &S,
    scope: &Scope,
    query: &AuditQuery,
) -> Result<PersonAuditList, S::Error> {
    let mut rows = audit_persons(src, scope, &query.options, None)?;
    rows.retain(|r| r.followers >= query.min_followers.max(1));
    // Equal keys keep the person order, so every surface lists ties alike.
    rows.sort_by_key(|r| r.person.person);
    match query.order {
        AuditOrder::Evidence => rows.sort_by(|a, b| {
            b.evidence()
                .total_cmp(&a.evidence())
                .then(b.spike().cmp(&a.spike()))
                .then(b.followers.cmp(&a.followers))
        }),
        AuditOrder::Followers => rows.sort_by_key(|r| std::cmp::Reverse(r.followers)),
        // Listed persons have followers, so a quality.
        AuditOrder::Quality => rows.sort_by(|a, b| {
            let q = |r: &PersonAuditReport| r.quality.unwrap_or(f64::INFINITY);
            q(a).total_cmp(&q(b))
        }),
        AuditOrder::Suspicious => rows.sort_by_key(|r| std::cmp::Reverse(r.suspicious)),
    }
    let total = rows.len();
    let limit = query.limit.unwrap_or(total);
    let start = query.offset.min(total);
    let end = start.saturating_add(limit).min(total);
    Ok(PersonAuditList {
        scope: scope.without_topic(),
        per: Per::Person,
        total,
        limit,
        offset: query.offset,
        parameters: query
            .options
            .with_earned
            .then(|| src.params().echo("earned"))
            .flatten(),
        rows: rows.drain(start..end).collect(),
        warnings: audit_warnings(src, &scope.without_topic())?,
    })
}

/// Audits the person of `account`, or (`None`) every person one of whose accounts has
/// followers; with earned influence when the options ask for it.
fn audit_persons<S: Source>(
    src: &S,
    scope: &Scope,
    options: &AuditOptions,
    account: Option<u32>,
) -> Result<Vec<PersonAuditReport>, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "an audit")?;
    let cfg = config(options)?;
    let m = scope.without_topic().measures();
    let store = src.store();
    let accounts = src.accounts()?;
    let act = Activity::load(store, &m).map_err(AppError::from)?;
    let persons = Arc::new(Persons::read(store).map_err(AppError::from)?);
    if persons.accounts() != act.n || accounts.len() != act.n {
        return Err(AppError::Invalid("the store changed during one read".into()).into());
    }
    let auditor = Auditor::new(&act, cfg);
    let which: Vec<u32> = match account {
        Some(a) if (a as usize) < act.n => vec![persons.of(a)],
        Some(_) => Vec::new(),
        None => (0..persons.len() as u32)
            .filter(|&p| {
                persons
                    .members(p)
                    .iter()
                    .any(|&a| !act.followers[a as usize].is_empty())
            })
            .collect(),
    };
    let mut reports: Vec<PersonAuditReport> = which
        .iter()
        .map(|&p| audit_one(&act, &auditor, &persons, p, &accounts))
        .collect();
    if options.with_earned && !reports.is_empty() {
        let log = Log::read(store, &m)
            .and_then(|log| log.by_person(persons.clone()))
            .map_err(AppError::from)?;
        let model = renown_measures::earned::model_of(&log, &m, &src.params().measures.earned)
            .map_err(AppError::from)?;
        let mut suspicious = vec![false; persons.len()];
        for (a, s) in auditor.suspicious_accounts().into_iter().enumerate() {
            suspicious[persons.of(a as u32) as usize] |= s;
        }
        for r in &mut reports {
            let b = r.person.person;
            let total = model.score[b as usize];
            let from_suspicious: f64 = model
                .endorsements(b)
                .into_iter()
                .filter(|&(a, _)| suspicious[a as usize])
                .map(|(_, c)| c)
                .sum();
            r.earned = Some(total);
            r.earned_without_suspicious = Some((total - from_suspicious).max(0.0));
        }
    }
    Ok(reports)
}

/// One person's audience from their accounts' follower audits.
fn audit_one(
    act: &Activity,
    auditor: &Auditor,
    persons: &Persons,
    person: u32,
    accounts: &[renown_store::AccountInfo],
) -> PersonAuditReport {
    let own = persons.members(person);
    // Follower person → (reasons shown on any follow, suspicious on any follow).
    let mut followers: BTreeMap<u32, (u8, bool)> = BTreeMap::new();
    let mut follower_accounts = std::collections::BTreeSet::new();
    let mut audiences = Vec::with_capacity(own.len());
    for &a in own {
        let audit = auditor.audit(a);
        for &(f, mask) in &audit.follower_reasons {
            let fp = persons.of(f);
            if fp == person {
                continue;
            }
            follower_accounts.insert(f);
            let e = followers.entry(fp).or_default();
            e.0 |= mask;
            e.1 |= AccountAudit::is_suspicious(mask, &auditor.cfg);
        }
        audiences.push(AccountAudience {
            account: AccountRef::from(&accounts[a as usize]),
            followers: audit.followers,
            suspicious: audit.suspicious,
            anomalies: growth_anomalies(&audit),
        });
    }
    let any = |fp: u32, f: &dyn Fn(u32) -> bool| persons.members(fp).iter().any(|&x| f(x));
    let n = followers.len() as u64;
    let engaged_any = followers
        .keys()
        .filter(|&&fp| any(fp, &|x| act.engagements_given[x as usize] > 0))
        .count() as u64;
    let engaged_this = followers
        .keys()
        .filter(|&&fp| any(fp, &|x| own.iter().any(|&a| act.engaged_with(x, a))))
        .count() as u64;
    let suspicious = followers.values().filter(|v| v.1).count() as u64;
    let real = n - suspicious;
    let (quality_low, quality_high) = wilson(real, n, 1.96);
    let reasons = Reason::ALL
        .iter()
        .map(|r| {
            let bit = 1u8 << (*r as u8);
            let count = followers.values().filter(|v| v.0 & bit != 0).count() as u64;
            (r.name().to_string(), count)
        })
        .collect();
    PersonAuditReport {
        person: PersonName::new(persons, person, accounts),
        per: Per::Person,
        followers: n,
        follower_accounts: follower_accounts.len() as u64,
        engaged_any,
        engaged_this,
        suspicious,
        suspicious_share: (n > 0).then(|| suspicious as f64 / n as f64),
        suspicious_low: n as f64 * (1.0 - quality_high),
        quality: (n > 0).then(|| real as f64 / n as f64),
        quality_low: (n > 0).then_some(quality_low),
        quality_high: (n > 0).then_some(quality_high),
        reasons: Counts(reasons),
        accounts: audiences,
        earned: None,
        earned_without_suspicious: None,
        parameters: None,
        warnings: Vec::new(),
    }
}
