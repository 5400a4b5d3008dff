//! One snapshot, every measure: the event log as the registered measures read it, scanned once
//! from one store state, then cut in memory by date for each measure.
//!
//! Every measure used to scan the store itself (eleven scans for `compare`, eleven per split
//! for `backtest`) and could not run beside the others: a [`renown_store::Snapshot`] is one
//! SQLite connection. A [`Log`] holds every event on the scope's topic and platform, at any
//! time, in store order, so each measure gets exactly the rows its own scan gave, and
//! [`compute_all`] runs the measures in parallel over it. One log serves every `as_of` (the
//! splits of a backtest): the date is applied in memory.

use crate::earned::graph_err;
use crate::persons::Persons;
use crate::warning::ScopeFacts;
use crate::{MeasureError, MeasureSpec, Measured, Result, Scope, Scores, Unconverged};
use rayon::prelude::*;
use renown_graph::{
    follow_graph_of, Csr, EngagementGraph, EngagementParams, FollowParams, SnapshotCache,
    StandingFollows,
};
use renown_model::Kind;
use renown_store::{EventFilter, EventRow, Store};
use std::sync::Arc;

/// The events on one topic and platform, at any time, read from one store state.
pub struct Log {
    topic: Option<String>,
    platform: Option<String>,
    accounts: u32,
    /// Every event matching the topic and platform, in store order.
    events: Vec<EventRow>,
    /// Under a topic, the follows and unfollows on the platform whatever their topic: the
    /// follow graph is not cut by topic (follows carry none). Without a topic they are in
    /// `events`.
    untopical_follows: Option<Vec<EventRow>>,
    /// The `created_at` profile attribute of the accounts that have one.
    created: Vec<(u32, f64)>,
    /// The newest event time in the whole store.
    last_event_time: Option<i64>,
    /// The store's cache at the state the log was read from: graphs and measures' scores are
    /// read from `<db>.cache/` when a command before computed them (keyed by the store state,
    /// so any ingest invalidates them), and written there when not. `None`: computed afresh
    /// (a log read uncached, or from no store: [`Log::of_rows`]).
    /// Graphs and scores of a log of persons are never cached: the cache's keys name accounts.
    cache: Option<SnapshotCache>,
    /// Set by [`Log::by_person`]: the persons the events' ids name, and the follows and
    /// unfollows in scope on account ids (standing follows are decided per account, then
    /// mapped: one account's unfollow does not undo another's follow).
    persons: Option<(Arc<Persons>, Vec<EventRow>)>,
}

/// A set of kinds, tested by code.
#[derive(Clone, Copy)]
pub(crate) struct KindSet([bool; 256]);

impl KindSet {
    pub(crate) fn of(kinds: &[Kind]) -> KindSet {
        let mut set = [false; 256];
        for k in kinds {
            set[k.code() as usize] = true;
        }
        KindSet(set)
    }

    pub(crate) fn has(&self, k: Kind) -> bool {
        self.0[k.code() as usize]
    }
}

impl Log {
    /// Reads the log for `scope`'s topic and platform (its `as_of` is applied per measure).
    /// Read it from a [`renown_store::Snapshot`] so every part comes from one committed state.
    /// Graphs and scores computed from it are cached beside the store for its state.
    pub fn read(store: &Store, scope: &Scope) -> Result<Log> {
        let mut log = Log::read_uncached(store, scope)?;
        log.cache = Some(SnapshotCache::of(store).map_err(graph_err)?);
        Ok(log)
    }

    /// [`Log::read`] without the cache beside the store: everything is computed afresh (and
    /// nothing written), as a check of the cache needs.
    pub fn read_uncached(store: &Store, scope: &Scope) -> Result<Log> {
        let accounts = store.account_count()?;
        let mut events = Vec::new();
        store.scan_events(
            &EventFilter {
                topic: scope.topic.clone(),
                platform: scope.platform.clone(),
                ..EventFilter::default()
            },
            |r| events.push(r),
        )?;
        let beyond = |a: u32| a >= accounts;
        if let Some(r) = events
            .iter()
            .find(|r| beyond(r.actor) || r.target.is_some_and(beyond))
        {
            // Read through one Snapshot, the count and the scan always agree.
            return Err(MeasureError::Store(renown_store::StoreError::Misuse(
                format!(
                    "an event names account {} beside {accounts} accounts: the store changed \
                 during one read (read it through a Snapshot)",
                    r.actor.max(r.target.unwrap_or(0))
                ),
            )));
        }
        let untopical_follows = match &scope.topic {
            None => None,
            Some(_) => {
                let mut follows = Vec::new();
                store.scan_events(
                    &EventFilter {
                        kinds: Some(vec![Kind::Follow, Kind::Unfollow]),
                        platform: scope.platform.clone(),
                        ..EventFilter::default()
                    },
                    |r| follows.push(r),
                )?;
                Some(follows)
            }
        };
        Ok(Log {
            topic: scope.topic.clone(),
            platform: scope.platform.clone(),
            accounts,
            events,
            untopical_follows,
            created: store.numeric_attributes("created_at")?,
            last_event_time: store.last_event_time()?,
            cache: None,
            persons: None,
        })
    }

    /// A log of events already in dense ids, read from no store: what the resistance scenarios
    /// of [`crate::earned_tune`] compute on (no topic, no platform, no profile attributes).
    pub(crate) fn of_rows(accounts: u32, events: Vec<EventRow>) -> Log {
        Log {
            topic: None,
            platform: None,
            accounts,
            last_event_time: events.iter().filter_map(|r| r.time).max(),
            events,
            untopical_follows: None,
            created: Vec::new(),
            cache: None,
            persons: None,
        }
    }

    /// The same log with persons for accounts: every event's actor and target rewritten to
    /// its person's id, so a measure computed on it ranks persons (`persons::Persons`). An
    /// engagement between a person's own accounts becomes a self-engagement, which every
    /// measure drops; two linked engagers become one. A person's `created_at` is their oldest
    /// account's.
    pub fn by_person(&self, persons: Arc<Persons>) -> Result<Log> {
        if self.persons.is_some() {
            return Err(MeasureError::Invalid(
                "a log of persons cannot be mapped to persons again".into(),
            ));
        }
        persons.check(self.accounts())?;
        let follow_kinds = KindSet::of(&[Kind::Follow, Kind::Unfollow]);
        let account_follows = self
            .events
            .iter()
            .copied()
            .filter(|r| follow_kinds.has(r.kind))
            .collect();
        let events = self
            .events
            .iter()
            .map(|r| EventRow {
                actor: persons.of(r.actor),
                target: r.target.map(|t| persons.of(t)),
                ..*r
            })
            .collect();
        let mut created: Vec<(u32, f64)> = self
            .created
            .iter()
            .map(|&(a, t)| (persons.of(a), t))
            .collect();
        created.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
        created.dedup_by_key(|c| c.0);
        Ok(Log {
            topic: self.topic.clone(),
            platform: self.platform.clone(),
            accounts: persons.len() as u32,
            events,
            untopical_follows: self.untopical_follows.clone(),
            created,
            last_event_time: self.last_event_time,
            cache: None,
            persons: Some((persons, account_follows)),
        })
    }

    /// The persons this log's ids name, when it was mapped by [`Log::by_person`].
    pub fn persons(&self) -> Option<&Persons> {
        self.persons.as_ref().map(|p| &*p.0)
    }

    /// Accounts in the store state the log was read from; dense ids run `0..accounts()`.
    pub fn accounts(&self) -> usize {
        self.accounts as usize
    }

    /// Refuses a scope on another topic or platform than the log's.
    pub(crate) fn check(&self, scope: &Scope) -> Result<()> {
        if scope.topic == self.topic && scope.platform == self.platform {
            return Ok(());
        }
        Err(MeasureError::Store(renown_store::StoreError::Misuse(
            format!(
                "a log of topic {:?} and platform {:?} asked for topic {:?} and platform {:?}",
                self.topic, self.platform, scope.topic, scope.platform
            ),
        )))
    }

    /// The events up to `as_of` (timeless ones always) of the kinds in `kinds`, in store order.
    pub(crate) fn events<'a>(
        &'a self,
        as_of: Option<i64>,
        kinds: &[Kind],
    ) -> impl Iterator<Item = EventRow> + 'a {
        let kinds = KindSet::of(kinds);
        self.events.iter().copied().filter(move |r| {
            kinds.has(r.kind) && r.time.is_none_or(|t| as_of.is_none_or(|a| t <= a))
        })
    }

    /// The follows standing at `as_of` (see [`renown_graph::standing_follows`]), on the
    /// platform whatever the topic: the edges of the follow graph.
    pub fn standing_follows(&self, as_of: Option<i64>) -> Vec<(u64, Option<i64>)> {
        let rows = match (&self.untopical_follows, &self.persons) {
            (Some(rows), _) => rows,
            (None, Some((_, rows))) => rows,
            (None, None) => &self.events,
        };
        self.standing(rows, as_of)
    }

    /// The follows standing at `as_of` among the follows in scope: under a topic, only those
    /// carrying it (what the followers count reads).
    pub(crate) fn standing_follows_in_scope(&self, as_of: Option<i64>) -> Vec<(u64, Option<i64>)> {
        let rows = self.persons.as_ref().map_or(&self.events, |p| &p.1);
        self.standing(rows, as_of)
    }

    /// Standing follows decided per account, then mapped to persons if the log names persons.
    fn standing(&self, rows: &[EventRow], as_of: Option<i64>) -> Vec<(u64, Option<i64>)> {
        let mut follows = StandingFollows::new(as_of);
        rows.iter().for_each(|&r| follows.push(r));
        match &self.persons {
            None => follows.finish(),
            Some((persons, _)) => persons.map_follows(follows.finish()),
        }
    }

    /// The follow graph at `as_of` on the log's platform (not cut by topic), from the snapshot
    /// cache when it holds it.
    pub fn follow_graph(&self, as_of: Option<i64>) -> Result<Csr> {
        let p = FollowParams {
            as_of,
            platform: self.platform.clone(),
        };
        let build = || follow_graph_of(self.accounts, &self.standing_follows(as_of));
        match &self.cache {
            Some(cache) => Ok(cache.follow_graph(&p, build).map_err(graph_err)?.0),
            None => build().map_err(graph_err),
        }
    }

    /// The engagement graph of `p`, which must name the log's topic and platform; from the
    /// snapshot cache when it holds it.
    pub fn engagement_graph(&self, p: &EngagementParams) -> Result<Csr> {
        if p.topic != self.topic || p.platform != self.platform {
            return Err(MeasureError::Invalid(
                "an engagement graph on another topic or platform than its log".into(),
            ));
        }
        let build = || {
            let mut g = EngagementGraph::new(self.accounts, p)?;
            self.events.iter().for_each(|&r| g.push(r));
            g.finish()
        };
        match &self.cache {
            Some(cache) => Ok(cache.engagement_graph(p, build).map_err(graph_err)?.0),
            None => build().map_err(graph_err),
        }
    }

    /// The `created_at` attribute of the accounts that have one.
    pub(crate) fn created(&self) -> &[(u32, f64)] {
        &self.created
    }

    /// The newest event time in the whole store.
    pub(crate) fn last_event_time(&self) -> Option<i64> {
        self.last_event_time
    }

    /// What the scope holds (as [`ScopeFacts::read`] would read it from the store).
    pub fn facts(&self, scope: &Scope) -> Result<ScopeFacts> {
        self.check(scope)?;
        let mut facts = ScopeFacts::empty(scope);
        self.events.iter().for_each(|&e| facts.add(e));
        Ok(facts)
    }
}

impl MeasureSpec {
    /// The measure's scores in `scope`, read from the store (one scan of the scope's events).
    pub fn compute(&self, store: &Store, scope: &Scope) -> Result<Scores> {
        self.compute_on(&Log::read(store, scope)?, scope)
    }

    /// The measure's scores in `scope` from a log read for its topic and platform
    /// ([`MeasureSpec::measured_on`]'s scores).
    pub fn compute_on(&self, log: &Log, scope: &Scope) -> Result<Scores> {
        Ok(self.measured_on(log, scope)?.scores)
    }

    /// The measure's scores in `scope` from a log read for its topic and platform, with how an
    /// iterative measure stopped; read from the cache beside the store when this build computed
    /// them at this store state before. Scores equal up to rounding are made equal
    /// ([`crate::settle_ties`]) before they are kept or returned: every consumer ranks the same
    /// ties.
    pub fn measured_on(&self, log: &Log, scope: &Scope) -> Result<Measured> {
        log.check(scope)?;
        let compute = || self.settled(log, (self.of_log)(log, scope)?);
        let measured = match &log.cache {
            Some(cache) => {
                // The registry's measures run with their built-in parameters: the name, the
                // scope and the code that computes them say everything beyond the store state.
                let key = format!(
                    "measure={};scope={scope:?};code={}",
                    self.name,
                    env!("RENOWN_SCORES_CODE")
                );
                let n = log.accounts();
                cache
                    .value(
                        "scores",
                        &key,
                        |b| decode_measured(b, n),
                        compute,
                        encode_measured,
                    )?
                    .0
            }
            None => compute()?,
        };
        // Kept settled: the code hash in the key is this code's.
        self.check_len(log, &measured.scores)?;
        Ok(measured)
    }

    /// Where every measure's scores come out, whatever computed them (the registry's function
    /// here, or [`crate::params::Parameters`] with other parameters): one score per account of
    /// `log`, ties up to rounding settled ([`crate::settle_ties`]).
    pub(crate) fn settled(&self, log: &Log, mut measured: Measured) -> Result<Measured> {
        self.check_len(log, &measured.scores)?;
        crate::settle_ties(&mut measured.scores);
        Ok(measured)
    }

    fn check_len(&self, log: &Log, scores: &[f64]) -> Result<()> {
        if scores.len() != log.accounts() {
            return Err(MeasureError::Invalid(format!(
                "{} gave {} scores for {} accounts",
                self.name,
                scores.len(),
                log.accounts()
            )));
        }
        Ok(())
    }
}

/// A measure's scores as the cache keeps them: the scores, then, when it stopped at its cap,
/// its iterations, last change and tolerance (three more numbers).
fn encode_measured(m: &Measured) -> Vec<u8> {
    let trailer = m
        .unconverged
        .map(|u| [u.iterations as f64, u.change, u.tolerance]);
    m.scores
        .iter()
        .chain(trailer.iter().flatten())
        .flat_map(|x| x.to_le_bytes())
        .collect()
}

/// [`encode_measured`]'s bytes for `n` accounts; `None` (computed again) for any other length.
fn decode_measured(bytes: &[u8], n: usize) -> Option<Measured> {
    if !bytes.len().is_multiple_of(8) {
        return None;
    }
    let mut numbers: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    let unconverged = match numbers.len().checked_sub(n)? {
        0 => None,
        3 => Some(Unconverged {
            iterations: numbers[n] as usize,
            change: numbers[n + 1],
            tolerance: numbers[n + 2],
        }),
        _ => return None,
    };
    numbers.truncate(n);
    Some(Measured {
        scores: numbers,
        unconverged,
    })
}

/// Every measure in `specs` on one log, in parallel; the scores in the order of `specs`.
pub fn compute_all(log: &Log, scope: &Scope, specs: &[&MeasureSpec]) -> Result<Vec<Scores>> {
    Ok(measured_all(log, scope, specs)?
        .into_iter()
        .map(|m| m.scores)
        .collect())
}

/// [`compute_all`] with how each iterative measure stopped.
pub fn measured_all(log: &Log, scope: &Scope, specs: &[&MeasureSpec]) -> Result<Vec<Measured>> {
    specs
        .par_iter()
        .map(|spec| spec.measured_on(log, scope))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_how_a_measure_stopped() {
        let converged = Measured::from(vec![0.5, 1.5, 0.0]);
        let capped = Measured {
            scores: vec![0.5, 1.5, 0.0],
            unconverged: Some(Unconverged {
                iterations: 200,
                change: 1.2e-4,
                tolerance: 1e-12,
            }),
        };
        for m in [&converged, &capped] {
            assert_eq!(decode_measured(&encode_measured(m), 3).as_ref(), Some(m));
        }
        // Written for another number of accounts, or cut short: computed again.
        assert_eq!(decode_measured(&encode_measured(&converged), 4), None);
        assert_eq!(decode_measured(&encode_measured(&capped), 5), None);
        assert_eq!(decode_measured(&encode_measured(&capped)[..20], 3), None);
    }
}
