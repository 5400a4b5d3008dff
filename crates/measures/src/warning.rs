//! What makes a measure's numbers say less than they seem: a scope that matches nothing, a date
//! outside the data, a measure that gives every account the same score. Measures and the
//! comparison return these beside their numbers; the CLI prints them on stderr and in JSON, the
//! HTTP API in a `warnings` field.

use crate::{MeasureSpec, Measured, Result, Scope};
use renown_model::{format_time, Kind};
use renown_store::{EventFilter, Store};
use serde::ser::SerializeStruct;
use std::fmt;

/// What makes a scope or a measure's scores degenerate, said beside the answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Warning {
    /// The topic and/or platform select no event at all.
    ScopeMatchesNothing {
        /// The scope's topic.
        topic: Option<String>,
        /// The scope's platform.
        platform: Option<String>,
    },
    /// The as-of date is after the last event in scope: the scores are those of all the data.
    AsOfAfterData {
        /// The scope's date.
        as_of: i64,
        /// The last event's time.
        last_event: i64,
    },
    /// The as-of date is before the first dated event in scope: only timeless events count.
    AsOfBeforeData {
        /// The scope's date.
        as_of: i64,
        /// The first dated event's time.
        first_event: i64,
    },
    /// Every account has the same score (or there is one account): the ranking says nothing.
    Constant {
        /// The measure.
        measure: String,
        /// The score every account has.
        score: f64,
        /// Accounts scored.
        accounts: usize,
        /// The kinds the measure reads, when none of them occurs in scope (the likely cause).
        missing: Vec<Kind>,
    },
    /// An iterative measure stopped at its cap of iterations before its tolerance: its scores
    /// are that iterate, not the fixed point, and close scores may rank otherwise there.
    Unconverged {
        /// The measure.
        measure: String,
        /// How the iteration stopped.
        stop: crate::Unconverged,
    },
}

impl Warning {
    /// [`Warning::Unconverged`] for `measure` when its iteration stopped at its cap.
    pub fn unconverged(measure: &str, stop: Option<crate::Unconverged>) -> Option<Warning> {
        stop.map(|stop| Warning::Unconverged {
            measure: measure.to_string(),
            stop,
        })
    }

    /// A stable machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::ScopeMatchesNothing { .. } => "scope-matches-nothing",
            Warning::AsOfAfterData { .. } => "as-of-after-data",
            Warning::AsOfBeforeData { .. } => "as-of-before-data",
            Warning::Constant { .. } => "constant-measure",
            Warning::Unconverged { .. } => "not-converged",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::ScopeMatchesNothing { topic, platform } => {
                let mut what = Vec::new();
                if let Some(t) = topic {
                    what.push(format!("topic {t:?}"));
                }
                if let Some(p) = platform {
                    what.push(format!("platform {p:?}"));
                }
                if what.is_empty() {
                    write!(f, "there are no events: nothing is measured")
                } else {
                    write!(
                        f,
                        "no event matches {}: nothing is measured in this scope",
                        what.join(" on ")
                    )
                }
            }
            Warning::AsOfAfterData { as_of, last_event } => write!(
                f,
                "as of {} is after the last event in scope ({}): the scores are those of all \
                 the data",
                format_time(*as_of),
                format_time(*last_event)
            ),
            Warning::AsOfBeforeData { as_of, first_event } => write!(
                f,
                "as of {} is before the first dated event in scope ({}): only timeless events \
                 count",
                format_time(*as_of),
                format_time(*first_event)
            ),
            Warning::Constant {
                measure,
                score,
                accounts,
                missing,
            } => {
                if *accounts == 1 {
                    write!(f, "{measure} is {score} for the only account in scope")?;
                } else {
                    write!(
                        f,
                        "{measure} is {score} for all {accounts} accounts in scope"
                    )?;
                }
                if !missing.is_empty() {
                    let kinds: Vec<&str> = missing.iter().map(|k| k.name()).collect();
                    write!(f, " (it reads {} events; there are none)", kinds.join("/"))?;
                }
                write!(f, ": its ranking says nothing")
            }
            Warning::Unconverged { measure, stop } => write!(
                f,
                "{measure} stopped at its cap of {} iterations with a last change of {:.1e} \
                 (it stops below {:.0e}): its scores are that iterate, not the fixed point, \
                 and accounts with close scores may rank otherwise there",
                stop.iterations, stop.change, stop.tolerance
            ),
        }
    }
}

/// `{"code": ..., "message": ...}`.
impl serde::Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut w = s.serialize_struct("Warning", 2)?;
        w.serialize_field("code", self.code())?;
        w.serialize_field("message", &self.to_string())?;
        w.end()
    }
}

/// What a scope holds, read in one scan: enough to say when it is degenerate.
#[derive(Clone, Debug)]
pub struct ScopeFacts {
    scope: Scope,
    /// Events matching the topic and platform, at any time.
    matched: u64,
    first_time: Option<i64>,
    last_time: Option<i64>,
    /// Events per kind code within the whole scope (as-of included).
    by_kind: [u64; 256],
}

impl ScopeFacts {
    /// Reads what the warnings need of `scope` (one scan of its events).
    pub fn read(store: &Store, scope: &Scope) -> Result<ScopeFacts> {
        let filter = EventFilter {
            topic: scope.topic.clone(),
            platform: scope.platform.clone(),
            ..EventFilter::default()
        };
        let mut facts = ScopeFacts::empty(scope);
        store.scan_events(&filter, |e| facts.add(e))?;
        Ok(facts)
    }

    /// Facts of no event yet: [`ScopeFacts::add`] every event on the scope's topic and
    /// platform, at any time (a cluster adds each shard's, [`ScopeFacts::add_numbers`]).
    pub fn empty(scope: &Scope) -> ScopeFacts {
        ScopeFacts {
            scope: scope.clone(),
            matched: 0,
            first_time: None,
            last_time: None,
            by_kind: [0; 256],
        }
    }

    /// Counts one event on the scope's topic and platform (at any time).
    pub fn add(&mut self, e: renown_store::EventRow) {
        self.matched += 1;
        if let Some(t) = e.time {
            self.span(t, t);
        }
        let in_time = match (e.time, self.scope.as_of) {
            (Some(t), Some(as_of)) => t <= as_of,
            _ => true,
        };
        if in_time {
            self.by_kind[e.kind.code() as usize] += 1;
        }
    }

    /// Widens the span of dated events to hold `first..=last`.
    fn span(&mut self, first: i64, last: i64) {
        self.first_time = Some(self.first_time.map_or(first, |f| f.min(first)));
        self.last_time = Some(self.last_time.map_or(last, |l| l.max(last)));
    }

    /// The facts as numbers, to send to another process: events matched, the first and the
    /// last time (NaN: none), then the events of each kind code (times and counts below 2^53
    /// are exact in `f64`).
    pub fn to_numbers(&self) -> Vec<f64> {
        let time = |t: Option<i64>| t.map_or(f64::NAN, |t| t as f64);
        let mut v = vec![
            self.matched as f64,
            time(self.first_time),
            time(self.last_time),
        ];
        v.extend(self.by_kind.iter().map(|&c| c as f64));
        v
    }

    /// Adds the facts of other events of the same scope (another shard's), sent as
    /// [`ScopeFacts::to_numbers`]; anything else is ignored.
    pub fn add_numbers(&mut self, numbers: &[f64]) {
        if numbers.len() != 3 + self.by_kind.len() {
            return;
        }
        self.matched += numbers[0] as u64;
        // A shard with a dated event sends both times, one without neither.
        if !numbers[1].is_nan() && !numbers[2].is_nan() {
            self.span(numbers[1] as i64, numbers[2] as i64);
        }
        for (c, &n) in self.by_kind.iter_mut().zip(&numbers[3..]) {
            *c += n as u64;
        }
    }

    /// Warnings about the scope itself, whatever the measure.
    pub fn warnings(&self) -> Vec<Warning> {
        let s = &self.scope;
        if self.matched == 0 {
            return vec![Warning::ScopeMatchesNothing {
                topic: s.topic.clone(),
                platform: s.platform.clone(),
            }];
        }
        match (s.as_of, self.first_time, self.last_time) {
            (Some(as_of), _, Some(last_event)) if as_of > last_event => {
                vec![Warning::AsOfAfterData { as_of, last_event }]
            }
            (Some(as_of), Some(first_event), _) if as_of < first_event => {
                vec![Warning::AsOfBeforeData { as_of, first_event }]
            }
            _ => Vec::new(),
        }
    }

    /// Warnings about one measure's scores in this scope: all alike, or the iteration that
    /// made them stopped before its tolerance.
    pub fn measure_warnings(&self, spec: &MeasureSpec, measured: &Measured) -> Vec<Warning> {
        let scores = &measured.scores;
        let mut warnings = self.constant_warnings(spec, constant(scores), scores.len());
        warnings.extend(Warning::unconverged(spec.name, measured.unconverged));
        warnings
    }

    /// [`ScopeFacts::measure_warnings`] of scores known only by what [`constant`] says of
    /// them (`score`) and their number (a cluster's, computed over its workers).
    pub fn constant_warnings(
        &self,
        spec: &MeasureSpec,
        score: Option<f64>,
        accounts: usize,
    ) -> Vec<Warning> {
        match score {
            Some(score) => {
                let none_read = spec
                    .reads
                    .iter()
                    .all(|k| self.by_kind[k.code() as usize] == 0);
                vec![Warning::Constant {
                    measure: spec.name.to_string(),
                    score,
                    accounts,
                    missing: if none_read {
                        spec.reads.to_vec()
                    } else {
                        Vec::new()
                    },
                }]
            }
            None => Vec::new(),
        }
    }
}

/// The one score every account has, when there is at least one account and all agree (a
/// single account is ranked first by any measure: its ranking says nothing either).
pub fn constant(scores: &[f64]) -> Option<f64> {
    let first = *scores.first()?;
    scores.iter().all(|&s| s == first).then_some(first)
}

/// A measure's scores in a scope with every warning about them (scope first).
pub fn measure_with_warnings(
    store: &Store,
    scope: &Scope,
    spec: &MeasureSpec,
) -> Result<(crate::Scores, Vec<Warning>)> {
    let log = crate::Log::read(store, scope)?;
    let facts = log.facts(scope)?;
    let measured = spec.measured_on(&log, scope)?;
    let mut warnings = facts.warnings();
    warnings.extend(facts.measure_warnings(spec, &measured));
    Ok((measured.scores, warnings))
}
