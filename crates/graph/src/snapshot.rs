//! Graphs cut from the event log: the follow graph as of a date and the engagement graph over a
//! window. Node ids are the store's dense account ids, so `n = store.account_count()` and scores
//! index straight into `store.accounts()`.

use crate::csr::{Csr, EdgeList};
use crate::Result;
use rayon::prelude::*;
use renown_model::{Kind, DEFAULT_KIND_WEIGHTS};
use renown_store::{EventFilter, EventRow, Scope, Store};

/// Which follow graph: `follower → followee` for every pair whose last follow/unfollow event up
/// to `as_of` is a follow (timeless follows count as the earliest). Self-follows are dropped and
/// each pair is one edge, so a node's in-degree is its `followers` baseline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FollowParams {
    /// Inclusive upper time bound; `None` is "now" (everything).
    pub as_of: Option<i64>,
    /// Only accounts on this platform (as actors).
    pub platform: Option<String>,
}

/// How older engagement counts less.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Decay {
    /// Every event counts fully.
    #[default]
    None,
    /// Weight halves every `half_life` seconds before the reference time (the window's end, or
    /// the newest event in it when open-ended). Events after it or without a time count fully.
    Exponential {
        /// Seconds after which a weight is halved.
        half_life: i64,
    },
}

/// Which engagement graph: an edge `engager → engaged` for every engagement event in the window,
/// weighted `kind weight × decay`, parallel edges summed into one. Self-engagement is dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct EngagementParams {
    /// Inclusive lower time bound.
    pub since: Option<i64>,
    /// Inclusive upper time bound (the `--as-of` date).
    pub until: Option<i64>,
    /// The kinds that make edges and what each weighs; kinds not listed are ignored.
    pub kind_weights: Vec<(Kind, f32)>,
    /// How older engagement counts less.
    pub decay: Decay,
    /// Only events carrying this topic.
    pub topic: Option<String>,
    /// Only events on this platform.
    pub platform: Option<String>,
}

impl Default for EngagementParams {
    /// Every engagement kind at its [`DEFAULT_KIND_WEIGHTS`].
    fn default() -> Self {
        EngagementParams {
            since: None,
            until: None,
            kind_weights: DEFAULT_KIND_WEIGHTS.to_vec(),
            decay: Decay::None,
            topic: None,
            platform: None,
        }
    }
}

impl FollowParams {
    /// The follow graph of `scope`: as of its date, among its platform's accounts. Follows carry
    /// no topic, and a follow graph is a state at a date, so the scope's topic, window start and
    /// kinds do not apply to it.
    pub fn of(scope: &Scope) -> FollowParams {
        FollowParams {
            as_of: scope.as_of,
            platform: scope.platform.clone(),
        }
    }

    /// A stable text key for caches.
    pub fn key(&self) -> String {
        format!("follow;as_of={:?};platform={:?}", self.as_of, self.platform)
    }
}

impl EngagementParams {
    /// The engagement graph of `scope` — its window (`since` to `as_of`), topic and platform —
    /// with `kind_weights` (only the scope's kinds kept, when it names any) and no decay.
    pub fn of(scope: &Scope, kind_weights: &[(Kind, f32)]) -> EngagementParams {
        let in_scope = |kind: &Kind| scope.kinds.as_ref().is_none_or(|ks| ks.contains(kind));
        EngagementParams {
            since: scope.since,
            until: scope.as_of,
            kind_weights: kind_weights
                .iter()
                .filter(|(kind, _)| in_scope(kind))
                .copied()
                .collect(),
            decay: Decay::None,
            topic: scope.topic.clone(),
            platform: scope.platform.clone(),
        }
    }

    /// A stable text key for caches.
    pub fn key(&self) -> String {
        let kinds: Vec<String> = self
            .kind_weights
            .iter()
            .map(|(k, w)| format!("{}:{}", k.code(), w.to_bits()))
            .collect();
        format!(
            "engagement;since={:?};until={:?};kinds={};decay={:?};topic={:?};platform={:?}",
            self.since,
            self.until,
            kinds.join(","),
            self.decay,
            self.topic,
            self.platform
        )
    }
}

/// The follow graph as of `p.as_of` (see [`FollowParams`]).
pub fn follow_graph(store: &Store, p: &FollowParams) -> Result<Csr> {
    let n = store.account_count()?;
    follow_graph_of(n, &standing_follows(store, p)?)
}

/// The follow graph over `n` accounts with the edges [`standing_follows`] gives.
pub fn follow_graph_of(n: u32, follows: &[(u64, Option<i64>)]) -> Result<Csr> {
    let mut el = EdgeList::new(n);
    for &(pair, _) in follows {
        el.push((pair >> 32) as u32, pair as u32);
    }
    Csr::from_edges(&el)
}

/// The follows standing as of `p.as_of` — the edges of [`follow_graph`] — with the time of the
/// follow that stands (`None` when timeless): `(follower << 32 | followee, time)`, sorted by
/// pair. A pair's last follow/unfollow event decides; of events at the same time, the one
/// ingested later.
pub fn standing_follows(store: &Store, p: &FollowParams) -> Result<Vec<(u64, Option<i64>)>> {
    let filter = EventFilter {
        kinds: Some(vec![Kind::Follow, Kind::Unfollow]),
        until: p.as_of,
        platform: p.platform.clone(),
        ..Default::default()
    };
    let mut follows = StandingFollows::new(p.as_of);
    store.scan_events(&filter, |r| follows.push(r))?;
    Ok(follows.finish())
}

/// [`standing_follows`] over events already read (in store order, already on the platform
/// asked for): events other than follows and unfollows, and those after `as_of`, are skipped.
pub struct StandingFollows {
    as_of: Option<i64>,
    /// (pair, time, is_follow); timeless events sort first.
    rows: Vec<(u64, i64, bool)>,
}

impl StandingFollows {
    /// Follows standing at `as_of` (`None`: after every event).
    pub fn new(as_of: Option<i64>) -> StandingFollows {
        StandingFollows {
            as_of,
            rows: Vec::new(),
        }
    }

    /// Reads one event.
    pub fn push(&mut self, r: EventRow) {
        if !matches!(r.kind, Kind::Follow | Kind::Unfollow) || !within(r.time, None, self.as_of) {
            return;
        }
        if let Some(t) = r.target {
            if t != r.actor {
                self.rows.push((
                    (r.actor as u64) << 32 | t as u64,
                    r.time.unwrap_or(i64::MIN),
                    r.kind == Kind::Follow,
                ));
            }
        }
    }

    /// The standing follows, as [`standing_follows`] returns them.
    pub fn finish(mut self) -> Vec<(u64, Option<i64>)> {
        let rows = &mut self.rows;
        // Stable: equal times keep insertion order, so the later-ingested event wins.
        rows.par_sort_by_key(|r| (r.0, r.1));
        rows.iter()
            .enumerate()
            .filter(|&(i, r)| r.2 && rows.get(i + 1).is_none_or(|next| next.0 != r.0))
            .map(|(_, r)| (r.0, (r.1 != i64::MIN).then_some(r.1)))
            .collect()
    }
}

/// Whether a time passes inclusive bounds; timeless events pass every bound.
fn within(t: Option<i64>, since: Option<i64>, until: Option<i64>) -> bool {
    t.is_none_or(|t| since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u))
}

/// The weighted engagement graph over a window (see [`EngagementParams`]).
pub fn engagement_graph(store: &Store, p: &EngagementParams) -> Result<Csr> {
    let n = store.account_count()?;
    let mut graph = EngagementGraph::new(n, p)?;
    let filter = EventFilter {
        kinds: Some(p.kind_weights.iter().map(|kw| kw.0).collect()),
        since: p.since,
        until: p.until,
        topic: p.topic.clone(),
        platform: p.platform.clone(),
    };
    store.scan_events(&filter, |r| graph.push(r))?;
    graph.finish()
}

/// [`engagement_graph`] over events already read (in store order, already on the topic and
/// platform asked for): events of kinds without a weight, and outside the window, are skipped.
pub struct EngagementGraph {
    weight_of: [Option<f32>; 256],
    since: Option<i64>,
    until: Option<i64>,
    decay: Decay,
    el: EdgeList,
    times: Vec<Option<i64>>,
}

impl EngagementGraph {
    /// The graph of `p` over `n` accounts; refuses a bad weight or decay.
    pub fn new(n: u32, p: &EngagementParams) -> Result<EngagementGraph> {
        let mut weight_of = [None::<f32>; 256];
        for &(k, w) in &p.kind_weights {
            if !w.is_finite() || w < 0.0 {
                return Err(crate::GraphError::Invalid(format!(
                    "weight {w} for {k:?} must be finite and ≥ 0"
                )));
            }
            weight_of[k.code() as usize] = Some(w);
        }
        if let Decay::Exponential { half_life } = p.decay {
            if half_life <= 0 {
                return Err(crate::GraphError::Invalid(
                    "decay half-life must be positive".into(),
                ));
            }
        }
        Ok(EngagementGraph {
            weight_of,
            since: p.since,
            until: p.until,
            decay: p.decay,
            el: EdgeList::new(n),
            times: Vec::new(),
        })
    }

    /// Reads one event.
    pub fn push(&mut self, r: EventRow) {
        let (Some(t), Some(w)) = (r.target, self.weight_of[r.kind.code() as usize]) else {
            return;
        };
        if t != r.actor && w > 0.0 && within(r.time, self.since, self.until) {
            self.el.push_weighted(r.actor, t, w);
            self.times.push(r.time);
        }
    }

    /// The graph of the events read.
    pub fn finish(self) -> Result<Csr> {
        let EngagementGraph {
            mut el,
            times,
            until,
            decay,
            ..
        } = self;
        if let Decay::Exponential { half_life } = decay {
            let reference = until
                .or_else(|| times.iter().flatten().max().copied())
                .unwrap_or(0);
            let rate = std::f64::consts::LN_2 / half_life as f64;
            if let Some(ws) = el.weights.as_mut() {
                ws.par_iter_mut().zip(&times).for_each(|(w, t)| {
                    if let Some(t) = t {
                        let age = (reference - t).max(0) as f64;
                        *w = (*w as f64 * (-rate * age).exp()) as f32;
                    }
                });
            }
        }
        drop(times);
        el.merge_duplicates();
        Csr::from_edges(&el)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_gives_its_window_topic_platform_and_kinds_to_the_graphs() {
        let scope = Scope {
            as_of: Some(200),
            since: Some(100),
            topic: Some("rust".into()),
            platform: Some("demo".into()),
            kinds: Some(vec![Kind::Reshare, Kind::Follow]),
        };
        let e = EngagementParams::of(&scope, &DEFAULT_KIND_WEIGHTS);
        assert_eq!((e.since, e.until), (Some(100), Some(200)));
        assert_eq!(e.topic.as_deref(), Some("rust"));
        assert_eq!(e.platform.as_deref(), Some("demo"));
        let reshare = DEFAULT_KIND_WEIGHTS
            .iter()
            .find(|(k, _)| *k == Kind::Reshare)
            .copied()
            .unwrap();
        assert_eq!(e.kind_weights, vec![reshare], "only the scope's kinds");
        // Without kinds every weight stays; the whole log is the default graph.
        let all = EngagementParams::of(&Scope::default(), &DEFAULT_KIND_WEIGHTS);
        assert_eq!(all, EngagementParams::default());
        let f = FollowParams::of(&scope);
        assert_eq!(
            f,
            FollowParams {
                as_of: Some(200),
                platform: Some("demo".into()),
            }
        );
    }
}
