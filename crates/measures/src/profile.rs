//! An account's place in the flow of earned influence: whom it is influenced by (the accounts it
//! endorses, with the influence it passes to each), whom it is an influencer of (its endorsers,
//! with the influence each passes to it), and its topic profile (its earned influence split over
//! the topics of the engagement that earned it: tags, subreddits, blog categories).
//!
//! Built on an [`EarnedModel`] the caller may keep (the HTTP API computes it once per store
//! state), so that a profile costs one scan of the account's incoming engagement.

use crate::earned::{self, EarnedModel};
use crate::{Result, Scope};
use renown_model::Kind;
use renown_store::{AccountInfo, Store};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What a profile lists.
#[derive(Clone, Debug)]
pub struct ProfileOptions {
    /// Accounts listed by name on each side (the rest are summed).
    pub accounts: usize,
    /// Topics listed by name (the rest are summed).
    pub topics: usize,
    /// The headline's "share from the top endorsers" counts this many endorsers.
    pub top_endorsers: usize,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            accounts: 10,
            topics: 12,
            top_endorsers: 10,
        }
    }
}

/// Influence passed between the profiled account and one other account.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flow {
    /// The other account's label.
    pub account: String,
    /// Its dense id.
    pub dense_id: u32,
    /// Influence passed, in base votes.
    pub contribution: f64,
    /// Of the profiled account's score (influencer of) or of everything it passes on
    /// (influenced by).
    pub share: f64,
}

/// One side of the flow: the largest flows by name, the rest summed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flows {
    /// The largest flows, largest first.
    pub listed: Vec<Flow>,
    /// Accounts with a positive flow, listed or not.
    pub accounts: usize,
    /// Influence passed over every flow.
    pub total: f64,
    /// Share of `total` in the flows not listed.
    pub other_share: f64,
}

/// The earned influence that came through one topic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicPart {
    /// The topic.
    pub topic: String,
    /// Influence earned through engagement carrying it, in base votes.
    pub contribution: f64,
    /// Of the account's score.
    pub share: f64,
    /// Engagement events carrying the topic.
    pub actions: u64,
}

/// An account's earned influence split over topics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicProfile {
    /// The largest topics, largest first.
    pub listed: Vec<TopicPart>,
    /// Distinct topics the earning engagement carried.
    pub topics: usize,
    /// Share from the topics not listed. `None` (JSON null) when the account earned nothing in
    /// the scope: a share of nothing is undefined, not 0.
    pub other_share: Option<f64>,
    /// Share earned by engagement without a topic (`None` as for `other_share`).
    pub untagged_share: Option<f64>,
    /// Share earned by standing follows, which carry no topic (`None` as for `other_share`).
    pub follow_share: Option<f64>,
}

/// Where an account's earned influence comes from and where it goes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InfluenceProfile {
    /// The account's label.
    pub account: String,
    /// Its dense id.
    pub dense_id: u32,
    /// Earned influence, in base votes.
    pub score: f64,
    /// Accounts that passed it any influence.
    pub endorsers: usize,
    /// Share of the score from its `top_endorsers` largest endorsers.
    pub top_endorsers: usize,
    /// See `top_endorsers`. `None` (JSON null) when the account earned nothing in the scope (no
    /// endorser): a share of nothing is undefined, not 0.
    pub top_endorsers_share: Option<f64>,
    /// Accounts it endorses, by the influence it passes them.
    pub influenced_by: Flows,
    /// Accounts that endorse it, by the influence they pass it.
    pub influencer_of: Flows,
    /// Its earned influence by topic.
    pub topics: TopicProfile,
}

fn flows(mut all: Vec<(u32, f64)>, listed: usize, accounts: &[AccountInfo]) -> Flows {
    all.retain(|f| f.1 > 0.0);
    all.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    // Summed from +0: Rust's f64 `Sum` of no terms is -0.0, which printed as "-0.0000 in all".
    let total: f64 = all.iter().fold(0.0, |s, f| s + f.1);
    let share = |x: f64| if total > 0.0 { x / total } else { 0.0 };
    let list: Vec<Flow> = all
        .iter()
        .take(listed)
        .map(|&(a, c)| Flow {
            account: accounts[a as usize].label(),
            dense_id: a,
            contribution: c,
            share: share(c),
        })
        .collect();
    let shown: f64 = list.iter().map(|f| f.contribution).sum();
    Flows {
        listed: list,
        accounts: all.len(),
        total,
        other_share: share(total - shown).max(0.0),
    }
}

/// The profile of `account` under `model`, which must have been computed on `store` and
/// `scope` (the same scope restricts the topic scan).
pub fn influence_profile(
    store: &Store,
    scope: &Scope,
    model: &EarnedModel,
    account: u32,
    opts: &ProfileOptions,
) -> Result<InfluenceProfile> {
    let b = account as usize;
    if b >= model.n() {
        return Err(crate::MeasureError::Invalid(format!(
            "account {account} is not in the store"
        )));
    }
    let accounts = store.accounts()?;
    let score = model.score[b];

    let incoming = model.endorsements(account);
    // What it passes on: its out-edges, found in the in-adjacency (the model keeps no
    // out-adjacency); the sink of unspent budget is not an account.
    let adj = model.graph.in_adj();
    let norm = model.out_weight[b];
    let mut outgoing = Vec::new();
    if norm > 0.0 {
        for target in 0..model.n() as u32 {
            let ws = adj.neighbor_weights(target).unwrap_or(&[]);
            for (&a, &w) in adj.neighbors(target).iter().zip(ws) {
                if a == account {
                    outgoing.push((target, model.credibility[b] * w as f64 / norm));
                }
            }
        }
    }
    let influencer_of = flows(incoming.clone(), opts.accounts, &accounts);
    let influenced_by = flows(outgoing, opts.accounts, &accounts);
    let mut largest: Vec<f64> = incoming.iter().map(|f| f.1).filter(|&c| c > 0.0).collect();
    largest.sort_by(|x, y| y.total_cmp(x));
    let top_endorsers_share = (score > 0.0)
        .then(|| (largest.iter().take(opts.top_endorsers).sum::<f64>() / score).min(1.0));

    Ok(InfluenceProfile {
        account: accounts[b].label(),
        dense_id: account,
        score,
        endorsers: influencer_of.accounts,
        top_endorsers: opts.top_endorsers.min(influencer_of.accounts),
        top_endorsers_share,
        influenced_by,
        influencer_of,
        topics: topic_profile(store, scope, model, account, &incoming, opts.topics)?,
    })
}

/// Splits each endorser's contribution over its events toward the account in proportion to
/// their weight (as `explain` splits it by kind and month), and each event's part equally over
/// its topics.
fn topic_profile(
    store: &Store,
    scope: &Scope,
    model: &EarnedModel,
    account: u32,
    incoming: &[(u32, f64)],
    listed: usize,
) -> Result<TopicProfile> {
    let p = &model.params;
    let mut weight = [0.0f64; 256];
    for &(k, w) in &p.kind_weights {
        weight[k.code() as usize] = w;
    }
    let kinds: Vec<Kind> = p
        .kind_weights
        .iter()
        .filter(|kw| kw.1 > 0.0)
        .map(|kw| kw.0)
        .collect();
    // Per endorser: its events' (weight, topics) and the decayed weight of its follow.
    let mut events: HashMap<u32, Vec<(f64, Vec<String>)>> = HashMap::new();
    if !kinds.is_empty() {
        store.scan_events_full(&scope.filter(&kinds), |e| {
            let r = e.row;
            if r.target == Some(account) && r.actor != account {
                // The same f32 rounding the model applies to each event's weight.
                let w = (weight[r.kind.code() as usize] * p.decay(r.time, model.reference)) as f32;
                events
                    .entry(r.actor)
                    .or_default()
                    .push((w as f64, e.topics));
            }
        })?;
    }
    let mut follow: HashMap<u32, f64> = HashMap::new();
    for (key, t) in earned::scan(store, scope, p)?.1 {
        if key as u32 == account {
            follow.insert(
                (key >> 32) as u32,
                p.follow_weight * p.decay(t, model.reference),
            );
        }
    }
    let score = model.score[account as usize];
    let share = |x: f64| if score > 0.0 { x / score } else { 0.0 };
    // The shares of the whole are undefined when there is no whole.
    let of_score = |x: f64| (score > 0.0).then(|| share(x));
    let mut by_topic: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    let (mut untagged, mut follows) = (0.0, 0.0);
    for &(a, c) in incoming {
        let evs = events.get(&a).map(Vec::as_slice).unwrap_or(&[]);
        let fw = follow.get(&a).copied().unwrap_or(0.0);
        let total: f64 = evs.iter().map(|e| e.0).sum::<f64>() + fw;
        if total <= 0.0 || c <= 0.0 {
            continue;
        }
        follows += c * fw / total;
        for (w, topics) in evs {
            let part = c * w / total;
            if topics.is_empty() {
                untagged += part;
                continue;
            }
            for t in topics {
                let entry = by_topic.entry(t.to_lowercase()).or_default();
                entry.0 += part / topics.len() as f64;
                entry.1 += 1;
            }
        }
    }
    let mut parts: Vec<TopicPart> = by_topic
        .into_iter()
        .map(|(topic, (c, n))| TopicPart {
            topic,
            contribution: c,
            share: share(c),
            actions: n,
        })
        .collect();
    parts.sort_by(|x, y| {
        y.contribution
            .total_cmp(&x.contribution)
            .then(x.topic.cmp(&y.topic))
    });
    let topics = parts.len();
    let tagged: f64 = parts.iter().map(|t| t.contribution).sum();
    parts.truncate(listed);
    let shown: f64 = parts.iter().map(|t| t.contribution).sum();
    Ok(TopicProfile {
        listed: parts,
        topics,
        other_share: of_score((tagged - shown).max(0.0)),
        untagged_share: of_score(untagged),
        follow_share: of_score(follows),
    })
}
