//! Why an account has the earned influence it has: the score decomposed exactly into what each
//! endorser passed on, split by kind and by month, with the consistency factor, what followers
//! add, and the score's trajectory month by month. `renown explain` prints it; the HTTP API
//! serves the same struct as JSON.

use crate::earned::{self, month_label, month_of, EarnedModel, EarnedParams};
use crate::{rank_of, Log, Result, Scope, Warning};
use renown_model::{format_time, Kind};
use renown_store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How much detail to compute.
#[derive(Clone, Debug)]
pub struct ExplainOptions {
    /// Endorsers listed by name (the rest are summed).
    pub endorsers: usize,
    /// Month-end scores in the trajectory, newest last (each is a full recomputation); 0 = none.
    pub trajectory_months: usize,
    /// Earned influence's parameters.
    pub params: EarnedParams,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            endorsers: 10,
            trajectory_months: 12,
            params: EarnedParams::default(),
        }
    }
}

/// An account's earned influence taken apart: by endorser, kind and month, with its
/// consistency, followers and trajectory. The parts add up to the score.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// The account's label.
    pub account: String,
    /// Its dense id.
    pub dense_id: u32,
    /// Earned influence, in base votes.
    pub score: f64,
    /// 1-based standard competition rank among all accounts (equal scores share a rank).
    pub rank: usize,
    /// Accounts in the store.
    pub accounts: usize,
    /// Accounts with a positive score.
    pub ranked: usize,
    /// The instant the score is seen from (RFC 3339), if any engagement has a time.
    pub reference: Option<String>,
    /// The weight this account's own endorsements carry: base vote + damping × score.
    pub credibility: f64,
    /// Its base vote (0 when it never engages with anyone).
    pub base_vote: f64,
    /// How steadily it was answered.
    pub consistency: Consistency,
    /// The largest endorsers, largest contribution first.
    pub endorsers: Vec<Endorser>,
    /// Endorsers beyond the listed ones.
    pub other_endorsers: usize,
    /// Their share of the score.
    pub other_share: f64,
    /// The score by kind of engagement.
    pub by_kind: Vec<Part>,
    /// The score by the month the engagement happened.
    pub by_month: Vec<MonthPart>,
    /// What standing follows contribute.
    pub followers: FollowerPart,
    /// Left out when none was asked for (`trajectory_months` 0).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trajectory: Vec<Point>,
    /// The parameters the score was computed with.
    pub params: EarnedParams,
    /// What makes the scope degenerate (no event matches, a date outside the data).
    pub warnings: Vec<Warning>,
}

/// The consistency factor of an account's earned influence.
#[derive(Clone, Debug, Serialize)]
pub struct Consistency {
    /// F = M / (M + M0), which multiplies everything the account receives.
    pub factor: f64,
    /// M: months in which it was answered, each weighted by recency and by how many answered.
    pub active_months: f64,
    /// Calendar months with any engagement received.
    pub months_with_engagement: usize,
}

/// One account that passed influence to the explained one.
#[derive(Clone, Debug, Serialize)]
pub struct Endorser {
    /// Its label.
    pub account: String,
    /// The endorser's dense account id (what the dashboard links to).
    pub dense_id: u32,
    /// The endorser's own earned influence and credibility.
    pub score: f64,
    /// See `score`.
    pub credibility: f64,
    /// What it passed on, and that as a share of the score.
    pub contribution: f64,
    /// See `contribution`.
    pub share: f64,
    /// Its engagement events toward the account in scope.
    pub actions: u64,
    /// It follows the account (as of the reference date).
    pub follows: bool,
}

/// The score earned through one kind of engagement.
#[derive(Clone, Debug, Serialize)]
pub struct Part {
    /// The kind's name.
    pub kind: String,
    /// Influence earned through it, in base votes.
    pub contribution: f64,
    /// Of the score.
    pub share: f64,
    /// Events of that kind received.
    pub actions: u64,
}

/// The score earned through the engagement of one month.
#[derive(Clone, Debug, Serialize)]
pub struct MonthPart {
    /// `YYYY-MM`, or `timeless`.
    pub month: String,
    /// Influence earned through it, in base votes.
    pub contribution: f64,
    /// Of the score.
    pub share: f64,
    /// Accounts that engaged that month.
    pub engagers: usize,
    /// Events received that month.
    pub actions: u64,
}

/// What standing follows contribute to the score.
#[derive(Clone, Debug, Serialize)]
pub struct FollowerPart {
    /// Followers as of the reference date (0 under `--topic`: follows carry no topic).
    pub followers: u64,
    /// Followers whose follow passes anything on (they engage or are credible).
    pub credible_followers: u64,
    /// Influence they pass on, in base votes.
    pub contribution: f64,
    /// Of the score.
    pub share: f64,
}

/// One month-end point of the score's trajectory.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// End of the month (RFC 3339).
    pub as_of: String,
    /// The score as of then.
    pub score: f64,
    /// Competition rank; `None` before the account's first event (it had no rank yet).
    pub rank: Option<usize>,
}

/// One endorser's engagement toward the account: (kind, month, weight) per event, and a follow.
#[derive(Default)]
struct Ledger {
    events: Vec<(Kind, Option<i32>, f64)>,
    follows: bool,
    /// The decayed follow weight.
    follow: f64,
}

/// Explains `account`'s earned influence within `scope`.
pub fn explain(
    store: &Store,
    scope: &Scope,
    account: u32,
    opts: &ExplainOptions,
) -> Result<Explanation> {
    let p = &opts.params;
    // One read of the store serves the model, the ledgers, the trajectory's month-end models and
    // the warnings (each read the store itself before: 2 + months scans).
    let log = Log::read(store, scope)?;
    let model = earned::model_of(&log, scope, p)?;
    let accounts = store.accounts()?;
    let b = account as usize;
    if b >= model.n() {
        return Err(crate::MeasureError::Invalid(format!(
            "account {account} is not in the store"
        )));
    }
    let ledgers = ledgers(&log, scope, &model, account);
    let score = model.score[b];
    let share = |x: f64| if score > 0.0 { x / score } else { 0.0 };

    let mut contributions = model.endorsements(account);
    contributions.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut by_kind: BTreeMap<&'static str, (f64, u64)> = BTreeMap::new();
    let mut by_month: BTreeMap<Option<i32>, (f64, u64, usize)> = BTreeMap::new();
    let mut follow = FollowerPart {
        followers: 0,
        credible_followers: 0,
        contribution: 0.0,
        share: 0.0,
    };
    let contribution_of: HashMap<u32, f64> = contributions.iter().copied().collect();
    for (&a, ledger) in &ledgers {
        let c = contribution_of.get(&a).copied().unwrap_or(0.0);
        let fw = ledger.follow;
        let total: f64 = ledger.events.iter().map(|e| e.2).sum::<f64>() + fw;
        if ledger.follows {
            follow.followers += 1;
            if c > 0.0 {
                follow.credible_followers += 1;
            }
        }
        if total <= 0.0 {
            continue;
        }
        let mut months_seen = Vec::new();
        for &(kind, month, w) in &ledger.events {
            let part = c * w / total;
            let k = by_kind.entry(kind.name()).or_default();
            k.0 += part;
            k.1 += 1;
            let m = by_month.entry(month).or_default();
            m.0 += part;
            m.1 += 1;
            if !months_seen.contains(&month) {
                months_seen.push(month);
                m.2 += 1;
            }
        }
        follow.contribution += c * fw / total;
    }
    follow.share = share(follow.contribution);
    if follow.followers > 0 {
        let f = by_kind.entry("follow").or_default();
        f.0 += follow.contribution;
        f.1 += follow.followers;
    }

    let endorsers: Vec<Endorser> = contributions
        .iter()
        .take(opts.endorsers)
        .map(|&(a, c)| {
            let ledger = ledgers.get(&a);
            Endorser {
                account: accounts[a as usize].label(),
                dense_id: a,
                score: model.score[a as usize],
                credibility: model.credibility[a as usize],
                contribution: c,
                share: share(c),
                actions: ledger.map_or(0, |l| l.events.len() as u64),
                follows: ledger.is_some_and(|l| l.follows),
            }
        })
        .collect();
    let listed: f64 = endorsers.iter().map(|e| e.contribution).sum();
    let rank = rank_of(&model.score, account);
    let mut by_kind: Vec<Part> = by_kind
        .into_iter()
        .map(|(k, (c, n))| Part {
            kind: k.to_string(),
            contribution: c,
            share: share(c),
            actions: n,
        })
        .collect();
    by_kind.sort_by(|x, y| y.contribution.total_cmp(&x.contribution));
    let months_with_engagement = by_month.keys().filter(|m| m.is_some()).count();
    Ok(Explanation {
        account: accounts[b].label(),
        dense_id: account,
        score,
        rank,
        accounts: model.n(),
        ranked: model.score.iter().filter(|&&s| s > 0.0).count(),
        reference: model.reference.map(format_time),
        credibility: model.credibility[b],
        base_vote: model.base[b],
        consistency: Consistency {
            factor: model.consistency[b],
            active_months: model.active_months[b],
            months_with_engagement,
        },
        other_endorsers: contributions.len().saturating_sub(endorsers.len()),
        other_share: share(score - listed).max(0.0),
        endorsers,
        by_kind,
        by_month: by_month
            .into_iter()
            .map(|(m, (c, n, e))| MonthPart {
                month: m.map_or_else(|| "timeless".to_string(), month_label),
                contribution: c,
                share: share(c),
                engagers: e,
                actions: n,
            })
            .collect(),
        followers: follow,
        trajectory: trajectory(&log, scope, account, &model, opts)?,
        params: p.clone(),
        warnings: log.facts(scope)?.warnings(),
    })
}

/// What each account did toward `target` within the scope, as the model weighs it.
fn ledgers(log: &Log, scope: &Scope, model: &EarnedModel, target: u32) -> BTreeMap<u32, Ledger> {
    let p = &model.params;
    let mut weight = [0.0f64; 256];
    let kinds: Vec<Kind> = p
        .kind_weights
        .iter()
        .filter(|kw| kw.1 > 0.0)
        .map(|kw| kw.0)
        .collect();
    for &(k, w) in &p.kind_weights {
        weight[k.code() as usize] = w;
    }
    // Ordered by account: the parts are float sums over endorsers, and a hash map's order (seeded
    // per map) made two runs of the same explain differ in the last bits.
    let mut out: BTreeMap<u32, Ledger> = BTreeMap::new();
    if !kinds.is_empty() {
        for r in log.events(scope.as_of, &kinds) {
            if r.target == Some(target) && r.actor != target {
                // The same f32 rounding the model applies to each event's weight.
                let w = (weight[r.kind.code() as usize] * p.decay(r.time, model.reference)) as f32;
                out.entry(r.actor).or_default().events.push((
                    r.kind,
                    r.time.map(month_of),
                    w as f64,
                ));
            }
        }
    }
    for (key, t) in earned::scan_log(log, scope, p).1 {
        if key as u32 == target {
            let l = out.entry((key >> 32) as u32).or_default();
            l.follows = true;
            l.follow = p.follow_weight * p.decay(t, model.reference);
        }
    }
    out
}

/// Score and rank at the end of each of the last `opts.trajectory_months` months up to the
/// reference time (the last point is the reference time itself).
fn trajectory(
    log: &Log,
    scope: &Scope,
    account: u32,
    model: &EarnedModel,
    opts: &ExplainOptions,
) -> Result<Vec<Point>> {
    let Some(reference) = model.reference else {
        return Ok(Vec::new());
    };
    // Before its first event in scope an account has no rank (not the rank of a tie at 0).
    let mut first_seen: Option<i64> = None;
    for r in log.events(scope.as_of, &Kind::ALL) {
        if r.actor == account || r.target == Some(account) {
            let t = r.time.unwrap_or(i64::MIN);
            first_seen = Some(first_seen.map_or(t, |f| f.min(t)));
        }
    }
    let point = |t: i64, scores: &[f64]| Point {
        as_of: format_time(t),
        score: scores.get(account as usize).copied().unwrap_or(0.0),
        rank: first_seen
            .is_some_and(|f| f <= t)
            .then(|| rank_of(scores, account)),
    };
    let mut points = Vec::new();
    let last = month_of(reference);
    for k in (1..opts.trajectory_months).rev() {
        let m = last - k as i32;
        let end = month_start(m + 1) - 1;
        let at = Scope {
            as_of: Some(end),
            ..scope.clone()
        };
        let s = earned::model_of(log, &at, &opts.params)?.score;
        points.push(point(end, &s));
    }
    if opts.trajectory_months > 0 {
        points.push(point(reference, &model.score));
    }
    Ok(points)
}

/// Unix time of the first second of month index `m` (see [`month_of`]).
fn month_start(m: i32) -> i64 {
    let (y, mo) = (i64::from(m.div_euclid(12)), m.rem_euclid(12) as u32 + 1);
    renown_model::civil::days_from_civil(y, mo, 1) * earned::DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_starts_round_trip() {
        for m in [
            month_of(0),
            month_of(1_341_100_972),
            month_of(1_709_251_200),
            24_000,
        ] {
            let t = month_start(m);
            assert_eq!(month_of(t), m);
            assert_eq!(month_of(t - 1), m - 1);
        }
        assert_eq!(month_start(month_of(0)), 0);
    }
}
