//! The follower audit: how much of an account's audience is real, and why the rest is not.
//!
//! A follower is *suspicious* when at least [`SuspicionConfig::min_reasons`] of these hold —
//! one alone is common among real people (lurkers never engage; fans arrive in a viral spike):
//! - **never engages**: it has never replied to, reshared, liked or mentioned anyone, nor posted;
//! - **mass follower**: it follows more than 1,500 accounts (HypeAuditor's "mass followers");
//! - **burst**: it made many follows within minutes, or it followed this account on a day of
//!   anomalous growth ([`crate::growth`]);
//! - **created together**: it was created (or first appeared) in the same hour as many other
//!   followers of this account;
//! - **follow-back ring**: most of the accounts it follows follow it back, across many accounts,
//!   and it never engages — following to be followed.
//!
//! Audience quality is the share of followers not suspicious, with a Wilson 95 % interval.

use crate::activity::Activity;
use crate::growth::{anomalies, Anomaly, GrowthConfig, DAY};
use crate::stats::wilson;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Why a follower looks bought. Bit positions in a reason mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// It has never replied to, reshared, liked or mentioned anyone, nor posted.
    NeverEngages = 0,
    /// It follows more than [`SuspicionConfig::mass_following`] accounts.
    MassFollower = 1,
    /// Many follows within minutes, or it followed on a day of anomalous growth.
    Burst = 2,
    /// Created (or first seen) in the same hour as many other followers of the account.
    CreatedTogether = 3,
    /// Most of the accounts it follows follow it back, and it never engages.
    FollowBackRing = 4,
}

impl Reason {
    /// Every reason, in bit order.
    pub const ALL: [Reason; 5] = [
        Reason::NeverEngages,
        Reason::MassFollower,
        Reason::Burst,
        Reason::CreatedTogether,
        Reason::FollowBackRing,
    ];

    /// Its name in answers (`never_engages`).
    pub fn name(self) -> &'static str {
        match self {
            Reason::NeverEngages => "never_engages",
            Reason::MassFollower => "mass_follower",
            Reason::Burst => "burst",
            Reason::CreatedTogether => "created_together",
            Reason::FollowBackRing => "follow_back_ring",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The thresholds of the reasons, and how many make a follower suspicious.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SuspicionConfig {
    /// Following more than this makes a mass follower.
    pub mass_following: f64,
    /// This many follows within `burst_window` seconds make a burst.
    pub burst_follows: usize,
    /// See `burst_follows` (seconds).
    pub burst_window: i64,
    /// This many followers of one account created within `cohort_window` seconds make a cohort.
    pub cohort_min: usize,
    /// See `cohort_min` (seconds).
    pub cohort_window: i64,
    /// First appearances within this many seconds of the log's start say nothing of creation.
    pub censor: i64,
    /// A ring member follows at least this many accounts, this share of which follow it back.
    pub ring_min_following: usize,
    /// See `ring_min_following`.
    pub ring_share: f64,
    /// Reasons needed to call a follower suspicious.
    pub min_reasons: u32,
    /// When a day's follower gain is anomalous.
    pub growth: GrowthConfig,
}

impl Default for SuspicionConfig {
    fn default() -> Self {
        SuspicionConfig {
            mass_following: 1500.0,
            burst_follows: 5,
            burst_window: 3600,
            cohort_min: 20,
            cohort_window: 3600,
            censor: 30 * DAY,
            ring_min_following: 20,
            ring_share: 0.8,
            min_reasons: 2,
            growth: GrowthConfig::default(),
        }
    }
}

/// Reasons that belong to an account whoever it follows.
pub fn account_reasons(act: &Activity, cfg: &SuspicionConfig) -> Vec<u8> {
    // In a log without any post or engagement (a follow graph alone) everyone is silent:
    // "never engages" would say nothing about anyone, so it is not a sign there.
    let log_shows_engagement =
        act.posts.iter().any(|&p| p > 0) || act.engagements_given.iter().any(|&e| e > 0);
    (0..act.n as u32)
        .into_par_iter()
        .map(|a| {
            let i = a as usize;
            let mut m = 0u8;
            let silent = log_shows_engagement && act.engagements_given[i] == 0 && act.posts[i] == 0;
            if silent {
                m |= Reason::NeverEngages.bit();
            }
            if act.following_count(a) > cfg.mass_following {
                m |= Reason::MassFollower.bit();
            }
            if bursty(&act.follow_actions[i], cfg.burst_follows, cfg.burst_window) {
                m |= Reason::Burst.bit();
            }
            let out = &act.following[i];
            if silent && out.len() >= cfg.ring_min_following {
                let back = out.iter().filter(|&&b| act.follows(b, a)).count();
                if back as f64 >= cfg.ring_share * out.len() as f64 {
                    m |= Reason::FollowBackRing.bit();
                }
            }
            m
        })
        .collect()
}

/// Whether sorted `times` hold `k` events within `window` seconds.
fn bursty(times: &[i64], k: usize, window: i64) -> bool {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    k > 0 && sorted.windows(k).any(|w| w[k - 1] - w[0] <= window)
}

/// The audit of one account.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountAudit {
    /// Dense account id.
    pub account: u32,
    /// Followers as of the scope's date.
    pub followers: u64,
    /// Followers who ever engaged with anyone.
    pub engaged_any: u64,
    /// Followers who engaged with this account.
    pub engaged_this: u64,
    /// Followers suspicious (at least `min_reasons` reasons).
    pub suspicious: u64,
    /// How many followers show each reason (suspicious or not), in [`Reason::ALL`] order.
    pub reasons: [u64; 5],
    /// Share of followers not suspicious, with its Wilson 95 % interval.
    pub quality: f64,
    /// The interval's lower end.
    pub quality_low: f64,
    /// Its upper end.
    pub quality_high: f64,
    /// Days of anomalous follower growth.
    pub anomalies: Vec<Anomaly>,
    /// Per follower: its reason mask (for `--followers` listings and tests).
    #[serde(skip)]
    pub follower_reasons: Vec<(u32, u8)>,
}

impl AccountAudit {
    /// Suspicious followers over followers (0 without followers).
    pub fn suspicious_share(&self) -> f64 {
        if self.followers == 0 {
            0.0
        } else {
            self.suspicious as f64 / self.followers as f64
        }
    }

    /// The evidence that this audience was bought: a 95 % lower confidence bound on the number
    /// of suspicious followers (followers × the Wilson lower bound of the suspicious share).
    /// A share alone is topped by a three-follower bystander whose followers all happen to be
    /// bought accounts' camouflage follows (3 × 0.44 = 1.3 here); the buyer of 5,000 followers
    /// scores in the thousands.
    pub fn bought_evidence(&self) -> f64 {
        self.followers as f64 * (1.0 - self.quality_high)
    }

    /// The listing order of `audit --all` and the dashboard: the most evidence of a bought
    /// audience first ([`AccountAudit::bought_evidence`]), then the biggest growth spike, the
    /// larger audience, the account id.
    pub fn by_evidence(a: &AccountAudit, b: &AccountAudit) -> std::cmp::Ordering {
        let spike = |x: &AccountAudit| x.anomalies.iter().map(|s| s.gained).max().unwrap_or(0);
        b.bought_evidence()
            .total_cmp(&a.bought_evidence())
            .then(spike(b).cmp(&spike(a)))
            .then(b.followers.cmp(&a.followers))
            .then(a.account.cmp(&b.account))
    }

    /// Whether a follower with reason mask `m` counts as suspicious.
    pub fn is_suspicious(m: u8, cfg: &SuspicionConfig) -> bool {
        m.count_ones() >= cfg.min_reasons
    }

    /// Names of the reasons in a mask.
    pub fn reason_names(m: u8) -> Vec<&'static str> {
        Reason::ALL
            .iter()
            .filter(|r| m & r.bit() != 0)
            .map(|r| r.name())
            .collect()
    }
}

/// Audits of accounts, sharing the account-level work.
pub struct Auditor<'a> {
    /// Who follows and engages whom, read once.
    pub act: &'a Activity,
    /// The thresholds.
    pub cfg: SuspicionConfig,
    base: Vec<u8>,
}

impl<'a> Auditor<'a> {
    /// An auditor over `act` (computes every account's reasons that do not depend on whom
    /// it follows).
    pub fn new(act: &'a Activity, cfg: SuspicionConfig) -> Auditor<'a> {
        let base = account_reasons(act, &cfg);
        Auditor { act, cfg, base }
    }

    /// The audit of `account`'s followers.
    pub fn audit(&self, account: u32) -> AccountAudit {
        let act = self.act;
        let cfg = &self.cfg;
        let followers = &act.followers[account as usize];
        let anomalies = anomalies(&act.gains[account as usize], act.log_end, &cfg.growth);
        let spike_days: Vec<i64> = anomalies.iter().map(|a| a.day / DAY).collect();
        // Cohorts: creation hours shared by many of this account's followers.
        let mut per_slot: FxHashMap<i64, usize> = FxHashMap::default();
        let slot = |t: i64| t.div_euclid(cfg.cohort_window.max(1));
        for &(f, _) in followers {
            if let Some(c) = act.creation(f, cfg.censor) {
                *per_slot.entry(slot(c)).or_default() += 1;
            }
        }
        let mut out = AccountAudit {
            account,
            followers: followers.len() as u64,
            engaged_any: 0,
            engaged_this: 0,
            suspicious: 0,
            reasons: [0; 5],
            quality: 0.0,
            quality_low: 0.0,
            quality_high: 1.0,
            anomalies,
            follower_reasons: Vec::with_capacity(followers.len()),
        };
        for &(f, since) in followers {
            let i = f as usize;
            if act.engagements_given[i] > 0 {
                out.engaged_any += 1;
            }
            if act.engaged_with(f, account) {
                out.engaged_this += 1;
            }
            let mut m = self.base[i];
            if let Some(t) = since {
                if spike_days.contains(&t.div_euclid(DAY)) {
                    m |= Reason::Burst.bit();
                }
            }
            if let Some(c) = act.creation(f, cfg.censor) {
                if per_slot.get(&slot(c)).copied().unwrap_or(0) >= cfg.cohort_min {
                    m |= Reason::CreatedTogether.bit();
                }
            }
            for r in Reason::ALL {
                if m & r.bit() != 0 {
                    out.reasons[r as usize] += 1;
                }
            }
            if AccountAudit::is_suspicious(m, cfg) {
                out.suspicious += 1;
            }
            out.follower_reasons.push((f, m));
        }
        let real = out.followers - out.suspicious;
        let (lo, hi) = wilson(real, out.followers, 1.96);
        out.quality = if out.followers == 0 {
            0.0
        } else {
            real as f64 / out.followers as f64
        };
        out.quality_low = lo;
        out.quality_high = hi;
        out
    }

    /// Accounts the audit flags: every suspicious follower ([`Auditor::suspicious_accounts`])
    /// and every account whose audience is, with 95 % confidence, mostly suspicious (the
    /// Wilson lower bound of its suspicious share is at least one half) — a buyer of
    /// followers. Such accounts are never trusted seeds.
    pub fn flagged_accounts(&self) -> Vec<bool> {
        self.marked(|audit, marks| {
            if 1.0 - audit.quality_high >= 0.5 {
                marks.push(audit.account);
            }
            for &(f, m) in &audit.follower_reasons {
                if AccountAudit::is_suspicious(m, &self.cfg) {
                    marks.push(f);
                }
            }
        })
    }

    /// Every account suspicious as a follower of at least one account it follows: the part of
    /// the audience whose engagement and follows should not count toward anyone's influence.
    pub fn suspicious_accounts(&self) -> Vec<bool> {
        self.marked(|audit, marks| {
            for &(f, m) in &audit.follower_reasons {
                if AccountAudit::is_suspicious(m, &self.cfg) {
                    marks.push(f);
                }
            }
        })
    }

    /// The accounts `mark` names from the audit of every account with followers, as flags by
    /// id. The audits run in parallel (each is independent; the flags are an OR, so the result
    /// does not depend on the order): on a store of a million follows this is most of an
    /// audit's time.
    fn marked(&self, mark: impl Fn(&AccountAudit, &mut Vec<u32>) + Sync) -> Vec<bool> {
        let marks: Vec<u32> = (0..self.act.n as u32)
            .into_par_iter()
            .filter(|&a| !self.act.followers[a as usize].is_empty())
            .fold(Vec::new, |mut marks, a| {
                mark(&self.audit(a), &mut marks);
                marks
            })
            .flatten()
            .collect();
        let mut flagged = vec![false; self.act.n];
        for a in marks {
            flagged[a as usize] = true;
        }
        flagged
    }
}
