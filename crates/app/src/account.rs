//! Questions about one account: its score and rank under every measure ([`account`]), who
//! follows and engages with it over time ([`timeline`]), why its earned influence is what it is
//! ([`explain`]), and how that score moved ([`trajectory`]).

use crate::source::{AccountRef, Score, Source};
use crate::stats::Counts;
use crate::{AppError, Scope};
use renown_measures::explain::{explain as explain_account, ExplainOptions, Explanation, Point};
use renown_measures::{Warning, MEASURES};
use renown_model::{Kind, ENGAGEMENT_KINDS};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// An account with its score and rank under every registered measure.
#[derive(Clone, Debug, Serialize)]
pub struct Account {
    /// The account, named in full.
    #[serde(flatten)]
    pub account: AccountRef,
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// Its score and rank under each registered measure, in registry order.
    pub measures: Vec<AccountMeasure>,
}

/// One measure's verdict on an account.
#[derive(Clone, Debug, Serialize)]
pub struct AccountMeasure {
    /// The measure's registered name.
    pub measure: &'static str,
    /// The account's score (an integer for counts).
    pub score: Score,
    /// Competition rank among every account (ties share one).
    pub rank: u32,
    /// What makes the scope or the measure degenerate here.
    pub warnings: Vec<Warning>,
    /// Accounts ranked.
    pub of: usize,
}

/// The account with dense id `id` (from a store lookup such as `Store::find_account`).
fn account_ref<S: Source>(src: &S, id: u32) -> Result<AccountRef, S::Error> {
    let accounts = src.accounts()?;
    let info = accounts
        .get(id as usize)
        .ok_or_else(|| AppError::NotFound(format!("no account with id {id} in the store")))?;
    Ok(AccountRef::from(info))
}

/// The account and its score and rank under every measure.
pub fn account<S: Source>(src: &S, scope: &Scope, id: u32) -> Result<Account, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "an account's scores")?;
    let account = account_ref(src, id)?;
    let mut measures = Vec::with_capacity(MEASURES.len());
    // All at once: the ones the source lacks are computed on one read of the store, in parallel
    // (one at a time read the log once per measure).
    let all: Vec<&'static renown_measures::MeasureSpec> = MEASURES.iter().collect();
    for (m, r) in MEASURES.iter().zip(src.ranked_all(&all, scope)?) {
        measures.push(AccountMeasure {
            measure: m.name,
            score: r.score(id),
            rank: r.rank_of[id as usize],
            warnings: r.warnings.clone(),
            of: r.scores.len(),
        });
    }
    Ok(Account {
        account,
        scope: scope.clone(),
        measures,
    })
}

/// Widest number of points a timeline returns; wider spans get coarser buckets.
pub const MAX_BUCKETS: i64 = 150;

/// Followers and engagement received over time, and who engaged most.
#[derive(Clone, Debug, Serialize)]
pub struct Timeline {
    /// The account's id (dense; what the API accepts back).
    pub id: u32,
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// `hour`, `day`, `week` or `month` (30 days): the narrowest with at most
    /// [`MAX_BUCKETS`] buckets over the account's span.
    pub bucket: &'static str,
    /// The bucket's width in seconds.
    pub bucket_seconds: i64,
    /// What each point holds: `["time", "followers", "engagement"]`.
    pub columns: [&'static str; 3],
    /// (bucket start, followers at its end, engagement received in it).
    pub points: Vec<(i64, u64, u64)>,
    /// Followers whose follow has no time (in place before the first bucket).
    pub timeless_followers: u64,
    /// Engagement received whose event has no time (counted in no bucket).
    pub timeless_engagement: u64,
    /// Engagement received per kind, over the whole span.
    pub engagement_by_kind: Counts,
    /// The accounts that engaged most, most first (ties by id).
    pub top_engagers: Vec<Engager>,
}

/// An account that engaged with the timeline's account.
#[derive(Clone, Debug, Serialize)]
pub struct Engager {
    /// The account, named in full.
    #[serde(flatten)]
    pub account: AccountRef,
    /// Its engagement events with the account.
    pub events: u64,
}

impl Timeline {
    /// The same timeline with at most `n` top engagers.
    pub fn with_top(mut self, n: usize) -> Timeline {
        self.top_engagers.truncate(n);
        self
    }
}

/// Followers and engagement received by `id` over time, with its `top` engagers. Follows carry
/// no topics, so a topic restricts only the engagement.
pub fn timeline<S: Source>(
    src: &S,
    scope: &Scope,
    id: u32,
    top: usize,
) -> Result<Timeline, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "a timeline")?;
    account_ref(src, id)?;
    let store = src.store();
    let mut follows: Vec<(Option<i64>, Kind, u32)> = Vec::new();
    store
        .scan_events(
            &scope
                .without_topic()
                .measures()
                .filter(&[Kind::Follow, Kind::Unfollow]),
            |r| {
                if r.target == Some(id) && r.actor != id {
                    follows.push((r.time, r.kind, r.actor));
                }
            },
        )
        .map_err(AppError::from)?;
    let mut engagement: Vec<i64> = Vec::new();
    let mut timeless_engagement = 0u64;
    let mut by_actor: HashMap<u32, u64> = HashMap::new();
    let mut by_kind: HashMap<Kind, u64> = HashMap::new();
    store
        .scan_events(&scope.measures().filter(&ENGAGEMENT_KINDS), |r| {
            if r.target == Some(id) && r.actor != id {
                match r.time {
                    Some(t) => engagement.push(t),
                    None => timeless_engagement += 1,
                }
                *by_actor.entry(r.actor).or_default() += 1;
                *by_kind.entry(r.kind).or_default() += 1;
            }
        })
        .map_err(AppError::from)?;
    follows.sort_by_key(|f| f.0.unwrap_or(i64::MIN));
    engagement.sort_unstable();

    let times = follows
        .iter()
        .filter_map(|f| f.0)
        .chain(engagement.iter().copied());
    let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    let (bucket, width) = if lo > hi {
        ("day", 86_400)
    } else {
        let span = hi - lo;
        [
            ("hour", 3_600),
            ("day", 86_400),
            ("week", 7 * 86_400),
            ("month", 30 * 86_400),
        ]
        .into_iter()
        .find(|(_, w)| span / w < MAX_BUCKETS)
        .unwrap_or(("month", 30 * 86_400))
    };
    let mut points = Vec::new();
    let mut followers = HashSet::new();
    let timeless_followers;
    if lo <= hi {
        let start = lo.div_euclid(width) * width;
        let n = ((hi - start) / width + 1) as usize;
        let mut fi = 0;
        let mut ei = 0;
        // Timeless follows are in place before the first bucket.
        while fi < follows.len() && follows[fi].0.is_none() {
            apply_follow(&mut followers, follows[fi].1, follows[fi].2);
            fi += 1;
        }
        timeless_followers = followers.len() as u64;
        for b in 0..n {
            let end = start + (b as i64 + 1) * width;
            while fi < follows.len() && follows[fi].0.is_some_and(|t| t < end) {
                apply_follow(&mut followers, follows[fi].1, follows[fi].2);
                fi += 1;
            }
            let e0 = ei;
            while ei < engagement.len() && engagement[ei] < end {
                ei += 1;
            }
            points.push((end - width, followers.len() as u64, (ei - e0) as u64));
        }
    } else {
        for f in &follows {
            apply_follow(&mut followers, f.1, f.2);
        }
        timeless_followers = followers.len() as u64;
    }
    let accounts = src.accounts()?;
    let mut engagers: Vec<(u32, u64)> = by_actor.into_iter().collect();
    engagers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    engagers.truncate(top);
    let mut kinds: Vec<(Kind, u64)> = by_kind.into_iter().collect();
    kinds.sort();
    Ok(Timeline {
        id,
        scope: scope.clone(),
        bucket,
        bucket_seconds: width,
        columns: ["time", "followers", "engagement"],
        points,
        timeless_followers,
        timeless_engagement,
        engagement_by_kind: Counts(
            kinds
                .into_iter()
                .map(|(k, n)| (k.name().to_string(), n))
                .collect(),
        ),
        top_engagers: engagers
            .into_iter()
            .map(|(a, events)| Engager {
                account: AccountRef::from(&accounts[a as usize]),
                events,
            })
            .collect(),
    })
}

fn apply_follow(set: &mut HashSet<u32>, kind: Kind, actor: u32) {
    if kind == Kind::Follow {
        set.insert(actor);
    } else {
        set.remove(&actor);
    }
}

/// An account's earned influence decomposed by endorser, kind and month, with the consistency
/// factor, what followers add and, when months were asked for, the trajectory.
#[derive(Clone, Debug, Serialize)]
pub struct Explained {
    /// The account's id (dense; what the API accepts back).
    pub id: u32,
    /// The decomposition (renown_measures::explain), its fields at the top level.
    #[serde(flatten)]
    pub explanation: Explanation,
}

/// Why `id`'s earned influence is what it is: `endorsers` named, `months` month-end points of
/// its trajectory (each a full recomputation; 0 = none).
pub fn explain<S: Source>(
    src: &S,
    scope: &Scope,
    id: u32,
    endorsers: usize,
    months: usize,
) -> Result<Explained, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "an explanation")?;
    account_ref(src, id)?;
    let opts = ExplainOptions {
        endorsers,
        trajectory_months: months,
        params: src.params().measures.earned.clone(),
    };
    let accounts = src.accounts()?;
    let explanation = explain_account(src.store(), &scope.measures(), id, &accounts, &opts)
        .map_err(AppError::from)?;
    Ok(Explained { id, explanation })
}

/// Earned influence and rank at each of the last `months` month ends.
#[derive(Clone, Debug, Serialize)]
pub struct Trajectory {
    /// The account's id (dense; what the API accepts back).
    pub id: u32,
    /// The account's label (`@handle` or `platform:native_id`).
    pub account: String,
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// The score and rank as of the scope's date.
    pub score: f64,
    /// Its competition rank as of the scope's date.
    pub rank: usize,
    /// Score and rank at each month end, oldest first.
    pub points: Vec<Point>,
}

impl Trajectory {
    /// The trajectory part of an explanation that was asked for `months`.
    pub fn of(e: &Explained, scope: &Scope) -> Trajectory {
        Trajectory {
            id: e.id,
            account: e.explanation.account.clone(),
            scope: scope.clone(),
            score: e.explanation.score,
            rank: e.explanation.rank,
            points: e.explanation.trajectory.clone(),
        }
    }
}

/// How `id`'s earned influence and rank moved over the last `months` month ends.
pub fn trajectory<S: Source>(
    src: &S,
    scope: &Scope,
    id: u32,
    months: usize,
) -> Result<Trajectory, S::Error> {
    Ok(Trajectory::of(&explain(src, scope, id, 0, months)?, scope))
}
