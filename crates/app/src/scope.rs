//! The slice of the event log a question looks at, defined once for every surface.
//!
//! The kernels below take their own option structs (`renown_measures::Scope`,
//! `renown_spread::CascadeOptions`, `DynamicsOptions`); this module is the one place that builds
//! them from a [`Scope`], and the one place that parses a scope's text ([`parse_as_of`]).

use crate::{AppError, Result};
use renown_model::{format_time, Kind};
use serde::ser::SerializeMap;

/// What slice of the log a question looks at. Every field is optional: the default is all of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    /// Only events up to this instant (inclusive, UTC seconds); timeless events always count.
    pub as_of: Option<i64>,
    /// Only events from this instant on (the start of a window; inclusive).
    pub since: Option<i64>,
    /// Only engagement on items carrying this hashtag/tag/category.
    pub topic: Option<String>,
    /// Only events on this platform.
    pub platform: Option<String>,
    /// Only these event kinds (where the question reads kinds at all).
    pub kinds: Option<Vec<Kind>>,
}

/// A bare date (`YYYY-MM-DD`) means the end of that day (UTC); anything else
/// [`renown_model::parse_time`] reads is the instant itself. Every surface parses `as_of` here.
pub fn parse_as_of(text: &str) -> Result<i64> {
    let s = text.trim();
    let t = renown_model::parse_time(s).map_err(|e| AppError::Invalid(format!("{s:?}: {e}")))?;
    let is_bare_date = s.len() == 10 && s.as_bytes()[4] == b'-';
    Ok(if is_bare_date { t + 86_399 } else { t })
}

impl Scope {
    /// A scope as of an instant, optionally on a topic and a platform.
    pub fn new(as_of: Option<i64>, topic: Option<String>, platform: Option<String>) -> Scope {
        Scope {
            as_of,
            topic,
            platform,
            ..Scope::default()
        }
    }

    /// The same scope without its topic: for questions that are not topical (an audience, a
    /// follow graph).
    pub fn without_topic(&self) -> Scope {
        Scope {
            topic: None,
            ..self.clone()
        }
    }

    /// Refuses a window or a kind list for a question that reads neither (a leaderboard is
    /// as of a date, not over a window): a parameter silently ignored would be a wrong answer.
    pub fn refuse_window_and_kinds(&self, question: &str) -> Result<()> {
        if self.since.is_some() {
            return Err(AppError::Invalid(format!(
                "{question} is as of a date and takes no window start"
            )));
        }
        if self.kinds.is_some() {
            return Err(AppError::Invalid(format!(
                "{question} reads a fixed set of kinds and takes no kind list"
            )));
        }
        Ok(())
    }

    /// The measures' scope (as of, topic, platform).
    pub fn measures(&self) -> renown_measures::Scope {
        renown_measures::Scope {
            as_of: self.as_of,
            topic: self.topic.clone(),
            platform: self.platform.clone(),
        }
    }

    /// The cascades' options: this scope, cascades of at least `min_size` nodes.
    pub fn cascades(&self, min_size: usize) -> renown_spread::CascadeOptions {
        renown_spread::CascadeOptions {
            as_of: self.as_of,
            topic: self.topic.clone(),
            platform: self.platform.clone(),
            min_size,
        }
    }

    /// The dynamics' options: this scope (its kinds are what counts as an arrival; none = the
    /// engagement kinds), the rest as `base` says.
    pub fn dynamics(&self, base: renown_spread::DynamicsOptions) -> renown_spread::DynamicsOptions {
        renown_spread::DynamicsOptions {
            kinds: self.kinds.clone().unwrap_or_else(|| base.kinds.clone()),
            as_of: self.as_of,
            topic: self.topic.clone(),
            platform: self.platform.clone(),
            ..base
        }
    }

    /// The diffusion graph's options for influence maximization: this scope, a model and
    /// probabilities.
    pub fn diffusion(
        &self,
        model: renown_spread::im::Model,
        probabilities: renown_spread::im::report::Probabilities,
    ) -> renown_spread::im::report::StoreGraphOptions {
        renown_spread::im::report::StoreGraphOptions {
            model,
            probabilities,
            as_of: self.as_of,
            topic: self.topic.clone(),
            platform: self.platform.clone(),
        }
    }
}

/// `{"as_of": "2025-06-30T23:59:59Z" | null, "topic": …, "platform": …}`, plus `since` and
/// `kinds` when they are set (what the API has always answered).
impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("as_of", &self.as_of.map(format_time))?;
        if let Some(since) = self.since {
            m.serialize_entry("since", &format_time(since))?;
        }
        m.serialize_entry("topic", &self.topic)?;
        m.serialize_entry("platform", &self.platform)?;
        if let Some(kinds) = &self.kinds {
            let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            m.serialize_entry("kinds", &names)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_date_is_the_end_of_that_day_and_an_instant_is_itself() {
        let day = parse_as_of("2025-06-30").unwrap();
        assert_eq!(format_time(day), "2025-06-30T23:59:59Z");
        let instant = parse_as_of("2025-06-30T12:00:00Z").unwrap();
        assert_eq!(format_time(instant), "2025-06-30T12:00:00Z");
        assert_eq!(parse_as_of(" 2025-06-30 ").unwrap(), day);
        assert!(matches!(
            parse_as_of("yesterday"),
            Err(AppError::Invalid(_))
        ));
    }

    #[test]
    fn a_window_or_kinds_are_refused_where_a_question_reads_neither() {
        let plain = Scope::new(Some(0), Some("rust".into()), None);
        assert!(plain.refuse_window_and_kinds("the leaderboard").is_ok());
        let windowed = Scope {
            since: Some(0),
            ..plain.clone()
        };
        assert!(windowed.refuse_window_and_kinds("the leaderboard").is_err());
        let kinds = Scope {
            kinds: Some(vec![Kind::Reshare]),
            ..plain
        };
        assert!(kinds.refuse_window_and_kinds("the leaderboard").is_err());
    }
}
