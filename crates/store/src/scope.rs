//! The slice of the event log a question looks at, defined once: store scans, measures, audits
//! and the spread kernels all read it (`renown_app` parses it from each surface).

use crate::EventFilter;
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

    /// What a measure reads of this scope: as of a date, on a topic and a platform. Measures
    /// read their own kinds over the whole history, so the window and the kinds are dropped
    /// (the application layer refuses them where a question would ignore them).
    pub fn measures(&self) -> Scope {
        Scope {
            since: None,
            kinds: None,
            ..self.clone()
        }
    }

    /// The store filter for this scope, restricted to `kinds`.
    pub fn filter(&self, kinds: &[Kind]) -> EventFilter {
        EventFilter {
            kinds: Some(kinds.to_vec()),
            since: self.since,
            until: self.as_of,
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
    fn a_scope_filters_its_own_slice_and_a_measure_reads_it_without_window_or_kinds() {
        let scope = Scope {
            as_of: Some(200),
            since: Some(100),
            topic: Some("rust".into()),
            platform: Some("mastodon".into()),
            kinds: Some(vec![Kind::Reshare]),
        };
        let f = scope.filter(&[Kind::Like]);
        assert_eq!(
            (f.since, f.until, f.topic.as_deref(), f.platform.as_deref()),
            (Some(100), Some(200), Some("rust"), Some("mastodon"))
        );
        assert_eq!(f.kinds, Some(vec![Kind::Like]));
        let m = scope.measures();
        assert_eq!((m.since, &m.kinds), (None, &None));
        assert_eq!(
            m.without_topic(),
            Scope::new(Some(200), None, Some("mastodon".into()))
        );
    }
}
