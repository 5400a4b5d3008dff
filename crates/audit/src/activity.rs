//! What the audit needs from the event log, read in one pass: who follows whom (and since
//! when), who engages, who posts, when each account first appears.

use crate::Result;
use renown_measures::Scope;
use renown_model::Kind;
use renown_store::{EventFilter, Store};
// Fx, not SipHash: these sets and the follow map hold every pair of the log (millions of
// u64 keys), and SipHash was a sixth of the audit's time; nothing here is iterated in hash order
// that reaches an answer (the follow map is sorted before use).
use rustc_hash::{FxHashMap, FxHashSet};

/// Follow state and activity of every account as of a scope's date.
pub struct Activity {
    /// Accounts in the store (every vector's length).
    pub n: usize,
    /// Current followers of each account with the time of the follow that stands.
    pub followers: Vec<Vec<(u32, Option<i64>)>>,
    /// Accounts each one currently follows.
    pub following: Vec<Vec<u32>>,
    /// Times of each account's own follow actions, sorted (for burst detection).
    pub follow_actions: Vec<Vec<i64>>,
    /// Times at which each account gained a new follower (distinct pairs), sorted.
    pub gains: Vec<Vec<i64>>,
    /// Engagement events each account gave to others.
    pub engagements_given: Vec<u32>,
    /// Engagement events each account received from others.
    pub engagements_received: Vec<u32>,
    /// Posts each account made.
    pub posts: Vec<u32>,
    /// First time each account acts in the log.
    pub first_seen: Vec<Option<i64>>,
    /// Creation time from the profile (`created_at`), when an export carried it.
    pub created_at: Vec<Option<i64>>,
    /// Profile follower/following counts, when an export carried them (they may exceed what
    /// the log shows).
    pub profile_following: Vec<Option<f64>>,
    /// The earliest event time in scope.
    pub log_start: Option<i64>,
    /// The latest event time in scope.
    pub log_end: Option<i64>,
    engaged_pairs: FxHashSet<u64>,
    edges: FxHashSet<u64>,
}

fn key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl Activity {
    /// Reads follows, posts and engagement within `scope` (its topic is ignored: an audience is
    /// not topical).
    pub fn load(store: &Store, scope: &Scope) -> Result<Activity> {
        let n = store.account_count()? as usize;
        let mut kinds = vec![Kind::Follow, Kind::Unfollow, Kind::Post];
        kinds.extend(renown_model::ENGAGEMENT_KINDS);
        let filter = EventFilter {
            kinds: Some(kinds),
            since: None,
            until: scope.as_of,
            topic: None,
            platform: scope.platform.clone(),
        };
        let mut a = Activity {
            n,
            followers: vec![Vec::new(); n],
            following: vec![Vec::new(); n],
            follow_actions: vec![Vec::new(); n],
            gains: vec![Vec::new(); n],
            engagements_given: vec![0; n],
            engagements_received: vec![0; n],
            posts: vec![0; n],
            first_seen: vec![None; n],
            created_at: vec![None; n],
            profile_following: vec![None; n],
            log_start: None,
            log_end: None,
            engaged_pairs: FxHashSet::default(),
            edges: FxHashSet::default(),
        };
        let mut follows: Vec<(Option<i64>, Kind, u32, u32)> = Vec::new();
        store.scan_events(&filter, |r| {
            if let Some(t) = r.time {
                a.log_start = Some(a.log_start.map_or(t, |s| s.min(t)));
                a.log_end = Some(a.log_end.map_or(t, |e| e.max(t)));
                let fs = &mut a.first_seen[r.actor as usize];
                *fs = Some(fs.map_or(t, |f| f.min(t)));
            }
            match (r.kind, r.target) {
                (Kind::Post, _) => a.posts[r.actor as usize] += 1,
                (Kind::Follow | Kind::Unfollow, Some(t)) if t != r.actor => {
                    follows.push((r.time, r.kind, r.actor, t))
                }
                (k, Some(t)) if k.is_engagement() && t != r.actor => {
                    a.engagements_given[r.actor as usize] += 1;
                    a.engagements_received[t as usize] += 1;
                    a.engaged_pairs.insert(key(r.actor, t));
                }
                _ => {}
            }
        })?;
        // Timeless follows first, then in time order (the scan is in insertion order).
        follows.sort_by_key(|f| f.0.unwrap_or(i64::MIN));
        let mut since: FxHashMap<u64, Option<i64>> = FxHashMap::default();
        for (time, kind, x, y) in follows {
            if kind == Kind::Follow {
                if let Some(t) = time {
                    a.follow_actions[x as usize].push(t);
                }
                if let std::collections::hash_map::Entry::Vacant(e) = since.entry(key(x, y)) {
                    e.insert(time);
                    if let Some(t) = time {
                        a.gains[y as usize].push(t);
                    }
                }
            } else {
                since.remove(&key(x, y));
            }
        }
        let mut pairs: Vec<(u64, Option<i64>)> = since.into_iter().collect();
        pairs.sort_unstable_by_key(|p| p.0);
        for (k, time) in pairs {
            let (x, y) = ((k >> 32) as u32, k as u32);
            a.followers[y as usize].push((x, time));
            a.following[x as usize].push(y);
            a.edges.insert(k);
        }
        for (i, facts) in store.profile_facts()?.into_iter().enumerate().take(n) {
            a.created_at[i] = facts.created;
            a.profile_following[i] = facts.following.map(|v| v as f64);
        }
        Ok(a)
    }

    /// Whether `a` currently follows `b`.
    pub fn follows(&self, a: u32, b: u32) -> bool {
        self.edges.contains(&key(a, b))
    }

    /// Whether `a` ever engaged with `b` (reply, reshare, like, mention, ...).
    pub fn engaged_with(&self, a: u32, b: u32) -> bool {
        self.engaged_pairs.contains(&key(a, b))
    }

    /// Accounts `a` follows, by the log or by its profile count, whichever is larger.
    pub fn following_count(&self, a: u32) -> f64 {
        let logged = self.following[a as usize].len() as f64;
        self.profile_following[a as usize].map_or(logged, |p| p.max(logged))
    }

    /// When the account was created: its profile's `created_at`, else its first appearance in
    /// the log — unless that falls in the log's first `censor` seconds, where a first
    /// appearance says nothing about creation (the account existed before the log began).
    pub fn creation(&self, a: u32, censor: i64) -> Option<i64> {
        if let Some(c) = self.created_at[a as usize] {
            return Some(c);
        }
        let first = self.first_seen[a as usize]?;
        match self.log_start {
            Some(s) if first < s.saturating_add(censor) => None,
            _ => Some(first),
        }
    }
}
