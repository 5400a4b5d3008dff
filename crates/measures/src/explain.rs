//! Why an account has the earned influence it has: the score decomposed exactly into what each
//! endorser passed on, split by kind and by month, with the consistency factor, what followers
//! add, and the score's trajectory month by month. `renown explain` prints it; the HTTP API
//! serves the same struct as JSON.

use crate::earned::{self, month_label, month_of, EarnedModel, EarnedParams};
use crate::{rank_of, Log, Result, Scope, Warning};
use renown_graph::SnapshotCache;
use renown_model::{format_time, Kind};
use renown_store::{AccountInfo, Store};
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
    /// Of the score; `None` (JSON null) when the account earned nothing in the scope: a share of
    /// nothing is undefined, not 0.
    pub share: Option<f64>,
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

/// Explains `account`'s earned influence within `scope`; `accounts` are the store's accounts
/// (their labels name the account and its endorsers).
///
/// What explaining any account needs is computed for every account at once, from one read of
/// the log, and kept beside the store (see [`Index`]); the trajectory's month-end scores too (`trajectory-*`).
/// A later explanation of any account at the same store state reads those files instead of the
/// whole log and the model.
pub fn explain(
    store: &Store,
    scope: &Scope,
    account: u32,
    accounts: &[AccountInfo],
    opts: &ExplainOptions,
) -> Result<Explanation> {
    let p = &opts.params;
    let cache = SnapshotCache::of(store).map_err(earned::graph_err)?;
    // Read only when a file is missing (the first explanation at this state).
    let mut log = LazyLog {
        store,
        scope,
        log: None,
    };
    let key = format!(
        "explain;scope={scope:?};params={p:?};code={}",
        env!("RENOWN_SCORES_CODE")
    );
    let (index, _) = cache.value(
        "explain",
        &key,
        |bytes| Index::decode(bytes, scope),
        || Index::build(log.get()?, scope, p),
        Index::encode,
    )?;
    let month_end_scores = |end: i64, log: &mut LazyLog| -> Result<Vec<f64>> {
        let key = format!(
            "measure=earned-explained;as_of={end};scope={scope:?};params={p:?};code={}",
            env!("RENOWN_SCORES_CODE")
        );
        let at = Scope {
            as_of: Some(end),
            ..scope.clone()
        };
        let build = || -> Result<Vec<f64>> { Ok(earned::model_of(log.get()?, &at, p)?.score) };
        Ok(cache
            .value("trajectory", &key, decode_scores, build, |s| {
                encode_scores(s)
            })?
            .0)
    };
    explain_from(&index, account, accounts, opts, |end| {
        month_end_scores(end, &mut log)
    })
}

/// Month-end scores as kept: a month end before the data scores every account 0, and is kept
/// as that count alone (on Higgs, one week of July 2012, 11 of the 12 months of a trajectory,
/// 2.4 MB each to read otherwise); any other as the scores' bits.
fn encode_scores(scores: &[f64]) -> Vec<u8> {
    if scores.iter().all(|s| s.to_bits() == 0) {
        let mut out = vec![0u8];
        out.extend_from_slice(&(scores.len() as u64).to_le_bytes());
        return out;
    }
    let mut out = Vec::with_capacity(1 + 8 * scores.len());
    out.push(1);
    out.extend(scores.iter().flat_map(|s| s.to_le_bytes()));
    out
}

/// See [`encode_scores`]; `None` for bytes it did not write.
fn decode_scores(bytes: &[u8]) -> Option<Vec<f64>> {
    match bytes.split_first()? {
        (0, count) => {
            let n = usize::try_from(u64::from_le_bytes(count.try_into().ok()?)).ok()?;
            // A count no store of accounts reaches is a damaged file, not an allocation to try.
            (n <= u32::MAX as usize).then(|| vec![0.0; n])
        }
        (1, bits) => bits.len().is_multiple_of(8).then(|| {
            bits.chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect()
        }),
        _ => None,
    }
}

/// The log of a scope, read from the store the first time it is needed.
struct LazyLog<'a> {
    store: &'a Store,
    scope: &'a Scope,
    log: Option<Log>,
}

impl LazyLog<'_> {
    fn get(&mut self) -> Result<&Log> {
        let log = match self.log.take() {
            Some(log) => log,
            None => Log::read(self.store, self.scope)?,
        };
        Ok(self.log.insert(log))
    }
}

/// [`explain`] from the index; `month_end_scores(t)` gives every account's score as of `t`.
fn explain_from(
    index: &Index,
    account: u32,
    accounts: &[AccountInfo],
    opts: &ExplainOptions,
    month_end_scores: impl FnMut(i64) -> Result<Vec<f64>>,
) -> Result<Explanation> {
    let p = &opts.params;
    let b = account as usize;
    if b >= index.n() {
        return Err(crate::MeasureError::Invalid(format!(
            "account {account} is not in the store"
        )));
    }
    let label = |a: u32| {
        accounts
            .get(a as usize)
            .map(AccountInfo::label)
            .ok_or_else(|| {
                crate::MeasureError::Invalid(format!("account {a} is not in the account list"))
            })
    };
    let ledgers = index.ledgers(account);
    let score = index.score[b];
    let share = |x: f64| if score > 0.0 { x / score } else { 0.0 };

    let mut contributions = index.endorsements(account).to_vec();
    contributions.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut by_kind: BTreeMap<&'static str, (f64, u64)> = BTreeMap::new();
    let mut by_month: BTreeMap<Option<i32>, (f64, u64, usize)> = BTreeMap::new();
    let mut follow = FollowerPart {
        followers: 0,
        credible_followers: 0,
        contribution: 0.0,
        share: None,
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
    follow.share = (score > 0.0).then(|| share(follow.contribution));
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
            Ok(Endorser {
                account: label(a)?,
                dense_id: a,
                score: index.score[a as usize],
                credibility: index.credibility[a as usize],
                contribution: c,
                share: share(c),
                actions: ledger.map_or(0, |l| l.events.len() as u64),
                follows: ledger.is_some_and(|l| l.follows),
            })
        })
        .collect::<Result<_>>()?;
    let listed: f64 = endorsers.iter().map(|e| e.contribution).sum();
    let rank = rank_of(&index.score, account);
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
        account: label(account)?,
        dense_id: account,
        score,
        rank,
        accounts: index.n(),
        ranked: index.score.iter().filter(|&&s| s > 0.0).count(),
        reference: index.reference.map(format_time),
        credibility: index.credibility[b],
        base_vote: index.base[b],
        consistency: Consistency {
            factor: index.consistency[b],
            active_months: index.active_months[b],
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
        trajectory: trajectory(index, account, opts, month_end_scores)?,
        params: p.clone(),
        warnings: index.warnings.clone(),
    })
}

/// One engagement event an account received, as the model weighs it.
#[derive(Clone, Copy)]
struct Received {
    actor: u32,
    kind: Kind,
    month: Option<i32>,
    /// The kind's weight times the decay, rounded to f32 as the model rounds each event.
    weight: f32,
}

/// Rows grouped by account: account `b`'s rows are `rows[start[b]..start[b + 1]]`.
struct Grouped<T> {
    start: Vec<u64>,
    rows: Vec<T>,
}

impl<T: Copy> Grouped<T> {
    /// `rows` (each with its account, all below `n`) grouped by account, in their order.
    fn of(n: usize, rows: Vec<(u32, T)>) -> Grouped<T> {
        let mut start = vec![0u64; n + 1];
        for &(b, _) in &rows {
            start[b as usize + 1] += 1;
        }
        for b in 0..n {
            start[b + 1] += start[b];
        }
        let mut next = start.clone();
        let mut out: Vec<Option<T>> = vec![None; start[n] as usize];
        for (b, row) in rows {
            out[next[b as usize] as usize] = Some(row);
            next[b as usize] += 1;
        }
        Grouped {
            start,
            rows: out.into_iter().flatten().collect(),
        }
    }

    fn of_account(&self, b: u32) -> &[T] {
        let b = b as usize;
        &self.rows[self.start[b] as usize..self.start[b + 1] as usize]
    }
}

/// What explaining any account in one scope needs, for every account at once: the model's
/// per-account figures, each account's endorsers with what they pass on, the engagement and
/// follows each received, when each was first seen, and the scope's warnings. Built from one
/// read of the log and kept in `<db>.cache/explain-*.bin` (keyed by the store state, the scope,
/// the parameters and the code), so explaining another account reads one file.
struct Index {
    reference: Option<i64>,
    score: Vec<f64>,
    credibility: Vec<f64>,
    base: Vec<f64>,
    consistency: Vec<f64>,
    active_months: Vec<f64>,
    /// Each account's endorsers with the influence each passes on, in graph order
    /// ([`EarnedModel::endorsements`]).
    endorsements: Grouped<(u32, f64)>,
    /// The engagement each account received from others, in store order.
    received: Grouped<Received>,
    /// The standing follows each account has: (follower, decayed follow weight).
    followed: Grouped<(u32, f64)>,
    /// The time of each account's first event in scope (`i64::MIN` for a timeless one).
    first_seen: Vec<Option<i64>>,
    warnings: Vec<Warning>,
}

impl Index {
    fn n(&self) -> usize {
        self.score.len()
    }

    fn build(log: &Log, scope: &Scope, p: &EarnedParams) -> Result<Index> {
        let model = earned::model_of(log, scope, p)?;
        let n = model.n();
        let endorsements = Grouped::of(
            n,
            (0..n as u32)
                .flat_map(|b| model.endorsements(b).into_iter().map(move |e| (b, e)))
                .collect(),
        );
        let received = Grouped::of(n, received(log, scope, &model));
        let follows = earned::scan_log(log, scope, p).1;
        let followed = Grouped::of(
            n,
            follows
                .iter()
                .map(|&(key, t)| {
                    let weight = p.follow_weight * p.decay(t, model.reference);
                    (key as u32, ((key >> 32) as u32, weight))
                })
                .collect(),
        );
        let mut first_seen: Vec<Option<i64>> = vec![None; n];
        for r in log.events(scope.as_of, &Kind::ALL) {
            let t = r.time.unwrap_or(i64::MIN);
            for a in std::iter::once(r.actor).chain(r.target) {
                let f = &mut first_seen[a as usize];
                *f = Some(f.map_or(t, |f| f.min(t)));
            }
        }
        Ok(Index {
            reference: model.reference,
            score: model.score,
            credibility: model.credibility,
            base: model.base,
            consistency: model.consistency,
            active_months: model.active_months,
            endorsements,
            received,
            followed,
            first_seen,
            warnings: log.facts(scope)?.warnings(),
        })
    }

    fn endorsements(&self, b: u32) -> &[(u32, f64)] {
        self.endorsements.of_account(b)
    }

    /// What each account did toward `target` within the scope, as the model weighs it. Ordered
    /// by account: the parts are float sums over endorsers, and a hash map's order (seeded per
    /// map) made two runs of the same explain differ in the last bits.
    fn ledgers(&self, target: u32) -> BTreeMap<u32, Ledger> {
        let mut out: BTreeMap<u32, Ledger> = BTreeMap::new();
        for r in self.received.of_account(target) {
            out.entry(r.actor)
                .or_default()
                .events
                .push((r.kind, r.month, r.weight as f64));
        }
        for &(follower, weight) in self.followed.of_account(target) {
            let l = out.entry(follower).or_default();
            l.follows = true;
            l.follow = weight;
        }
        out
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.time(self.reference);
        for xs in [
            &self.score,
            &self.credibility,
            &self.base,
            &self.consistency,
            &self.active_months,
        ] {
            w.f64s(xs);
        }
        w.u64s(&self.endorsements.start);
        for &(a, c) in &self.endorsements.rows {
            w.u32(a);
            w.f64(c);
        }
        w.u64s(&self.received.start);
        for r in &self.received.rows {
            w.u32(r.actor);
            w.0.push(r.kind.code());
            w.time(r.month.map(i64::from));
            w.u32(r.weight.to_bits());
        }
        w.u64s(&self.followed.start);
        for &(a, f) in &self.followed.rows {
            w.u32(a);
            w.f64(f);
        }
        w.u64(self.first_seen.len() as u64);
        for &t in &self.first_seen {
            w.time(t);
        }
        w.u64(self.warnings.len() as u64);
        for warning in &self.warnings {
            w.warning(warning);
        }
        w.0
    }

    /// The index in `bytes`; `None` when they are not one [`Index::encode`] wrote.
    fn decode(bytes: &[u8], scope: &Scope) -> Option<Index> {
        let mut r = Reader(bytes);
        let reference = r.time()?;
        let score = r.f64s()?;
        let credibility = r.f64s()?;
        let base = r.f64s()?;
        let consistency = r.f64s()?;
        let active_months = r.f64s()?;
        let n = score.len();
        if [&credibility, &base, &consistency, &active_months]
            .iter()
            .any(|xs| xs.len() != n)
        {
            return None;
        }
        let endorsements = r.grouped(n, |r| Some((r.u32()?, r.f64()?)))?;
        let received = r.grouped(n, |r| {
            Some(Received {
                actor: r.u32()?,
                kind: Kind::from_code(r.byte()?)?,
                month: match r.time()? {
                    Some(m) => Some(i32::try_from(m).ok()?),
                    None => None,
                },
                weight: f32::from_bits(r.u32()?),
            })
        })?;
        let followed = r.grouped(n, |r| Some((r.u32()?, r.f64()?)))?;
        let first_seen = (0..r.len(1)?)
            .map(|_| r.time())
            .collect::<Option<Vec<_>>>()?;
        let warnings = (0..r.len(1)?)
            .map(|_| r.warning(scope))
            .collect::<Option<Vec<_>>>()?;
        let in_range = |a: u32| (a as usize) < n;
        let valid = first_seen.len() == n
            && r.0.is_empty()
            && endorsements.rows.iter().all(|e| in_range(e.0))
            && received.rows.iter().all(|e| in_range(e.actor))
            && followed.rows.iter().all(|e| in_range(e.0));
        valid.then_some(Index {
            reference,
            score,
            credibility,
            base,
            consistency,
            active_months,
            endorsements,
            received,
            followed,
            first_seen,
            warnings,
        })
    }
}

/// Every engagement event in scope with a positive kind weight, by its target (self-engagement
/// left out), weighed as the model weighs it, in store order.
fn received(log: &Log, scope: &Scope, model: &EarnedModel) -> Vec<(u32, Received)> {
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
    if kinds.is_empty() {
        return Vec::new();
    }
    log.events(scope.as_of, &kinds)
        .filter_map(|r| {
            let target = r.target.filter(|&t| t != r.actor)?;
            Some((
                target,
                Received {
                    actor: r.actor,
                    kind: r.kind,
                    month: r.time.map(month_of),
                    // The same f32 rounding the model applies to each event's weight.
                    weight: (weight[r.kind.code() as usize] * p.decay(r.time, model.reference))
                        as f32,
                },
            ))
        })
        .collect()
}

/// Little-endian bytes of an [`Index`].
struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }
    fn u64s(&mut self, xs: &[u64]) {
        self.u64(xs.len() as u64);
        xs.iter().for_each(|&x| self.u64(x));
    }
    fn f64s(&mut self, xs: &[f64]) {
        self.u64(xs.len() as u64);
        xs.iter().for_each(|&x| self.f64(x));
    }
    fn time(&mut self, t: Option<i64>) {
        match t {
            Some(t) => {
                self.0.push(1);
                self.u64(t as u64);
            }
            None => self.0.push(0),
        }
    }
    fn text(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn warning(&mut self, w: &Warning) {
        match w {
            // The topic and platform are the scope's, which the key names.
            Warning::ScopeMatchesNothing { .. } => self.0.push(0),
            Warning::AsOfAfterData { as_of, last_event } => {
                self.0.push(1);
                self.u64(*as_of as u64);
                self.u64(*last_event as u64);
            }
            Warning::AsOfBeforeData { as_of, first_event } => {
                self.0.push(2);
                self.u64(*as_of as u64);
                self.u64(*first_event as u64);
            }
            Warning::Constant {
                measure,
                score,
                accounts,
                missing,
            } => {
                self.0.push(3);
                self.text(measure);
                self.f64(*score);
                self.u64(*accounts as u64);
                self.u64(missing.len() as u64);
                self.0.extend(missing.iter().map(|k| k.code()));
            }
            Warning::Unconverged { measure, stop } => {
                self.0.push(4);
                self.text(measure);
                self.u64(stop.iterations as u64);
                self.f64(stop.change);
                self.f64(stop.tolerance);
            }
        }
    }
}

/// Reads what [`Writer`] wrote; `None` past the end or on a value it cannot have written.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn byte(&mut self) -> Option<u8> {
        Some(self.take::<1>()?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_bits(self.u64()?))
    }
    /// A count of items at least `min_size` bytes each: refused when the rest cannot hold them.
    fn len(&mut self, min_size: usize) -> Option<usize> {
        let k = usize::try_from(self.u64()?).ok()?;
        (k.checked_mul(min_size.max(1))? <= self.0.len()).then_some(k)
    }
    fn u64s(&mut self) -> Option<Vec<u64>> {
        (0..self.len(8)?).map(|_| self.u64()).collect()
    }
    fn f64s(&mut self) -> Option<Vec<f64>> {
        (0..self.len(8)?).map(|_| self.f64()).collect()
    }
    fn time(&mut self) -> Option<Option<i64>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.u64()? as i64)),
            _ => None,
        }
    }
    fn text(&mut self) -> Option<String> {
        let k = self.len(1)?;
        let (s, rest) = self.0.split_at(k);
        self.0 = rest;
        String::from_utf8(s.to_vec()).ok()
    }
    /// Offsets over `n` accounts, then the rows they delimit.
    fn grouped<T>(
        &mut self,
        n: usize,
        mut row: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Grouped<T>> {
        let start = self.u64s()?;
        let whole = start.len() == n + 1
            && start.first() == Some(&0)
            && start.windows(2).all(|w| w[0] <= w[1]);
        let count = usize::try_from(*start.last()?).ok()?;
        if !whole || count > self.0.len() {
            return None;
        }
        let rows = (0..count).map(|_| row(self)).collect::<Option<Vec<T>>>()?;
        Some(Grouped { start, rows })
    }
    fn warning(&mut self, scope: &Scope) -> Option<Warning> {
        Some(match self.byte()? {
            0 => Warning::ScopeMatchesNothing {
                topic: scope.topic.clone(),
                platform: scope.platform.clone(),
            },
            1 => Warning::AsOfAfterData {
                as_of: self.u64()? as i64,
                last_event: self.u64()? as i64,
            },
            2 => Warning::AsOfBeforeData {
                as_of: self.u64()? as i64,
                first_event: self.u64()? as i64,
            },
            3 => Warning::Constant {
                measure: self.text()?,
                score: self.f64()?,
                accounts: usize::try_from(self.u64()?).ok()?,
                missing: (0..self.len(1)?)
                    .map(|_| Kind::from_code(self.byte()?))
                    .collect::<Option<Vec<_>>>()?,
            },
            4 => Warning::Unconverged {
                measure: self.text()?,
                stop: crate::Unconverged {
                    iterations: usize::try_from(self.u64()?).ok()?,
                    change: self.f64()?,
                    tolerance: self.f64()?,
                },
            },
            _ => return None,
        })
    }
}

/// Score and rank at the end of each of the last `opts.trajectory_months` months up to the
/// reference time (the last point is the reference time itself).
fn trajectory(
    index: &Index,
    account: u32,
    opts: &ExplainOptions,
    mut month_end_scores: impl FnMut(i64) -> Result<Vec<f64>>,
) -> Result<Vec<Point>> {
    let Some(reference) = index.reference else {
        return Ok(Vec::new());
    };
    // Before its first event in scope an account has no rank (not the rank of a tie at 0).
    let first_seen = index.first_seen[account as usize];
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
        points.push(point(end, &month_end_scores(end)?));
    }
    if opts.trajectory_months > 0 {
        points.push(point(reference, &index.score));
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

    #[test]
    fn every_warning_reads_back_as_written() {
        let scope = Scope {
            topic: Some("t".into()),
            ..Scope::default()
        };
        let warnings = [
            Warning::ScopeMatchesNothing {
                topic: Some("t".into()),
                platform: None,
            },
            Warning::AsOfAfterData {
                as_of: 20,
                last_event: 10,
            },
            Warning::AsOfBeforeData {
                as_of: -5,
                first_event: 10,
            },
            Warning::Constant {
                measure: "followers".into(),
                score: 0.0,
                accounts: 7,
                missing: vec![Kind::Follow],
            },
            Warning::Unconverged {
                measure: "influence-passivity".into(),
                stop: crate::Unconverged {
                    iterations: 200,
                    change: 1.2e-4,
                    tolerance: 1e-12,
                },
            },
        ];
        let mut w = Writer(Vec::new());
        warnings.iter().for_each(|x| w.warning(x));
        let mut r = Reader(&w.0);
        let back: Vec<Warning> = warnings
            .iter()
            .map(|_| r.warning(&scope).unwrap())
            .collect();
        assert_eq!(back, warnings);
        assert!(r.0.is_empty());
    }
}
