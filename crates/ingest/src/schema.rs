//! renown's own interchange schema, one row per event, as CSV and JSON Lines.
//!
//! | field | meaning |
//! |---|---|
//! | `time` | RFC 3339 UTC (`2012-07-01T00:02:52Z`) or unix seconds; empty/absent = unknown |
//! | `platform` | lowercase platform or dataset namespace (`twitter`, `mastodon`, `higgs`) |
//! | `kind` | follow, unfollow, post, reply, comment, mention, reshare, quote, like, link, subscribe |
//! | `actor` | the acting account's platform-native id (required) |
//! | `actor_handle` | its display handle, optional |
//! | `target` | the account acted upon, optional |
//! | `target_handle` | its display handle, optional |
//! | `item` | id of the item this event creates, optional |
//! | `parent` | id of the item it answers/reshares/likes, optional |
//! | `topics` | hashtags/tags/categories: a JSON array, or in CSV `|`-separated |
//! | `id` | the source's own event id, optional; gives the event a stable identity |
//!
//! The same struct serves reading and writing, so export → ingest round-trips exactly.

use renown_model::{format_time, parse_time, AccountRef, Event, Kind};
use serde::{Deserialize, Serialize};

/// The columns of renown's CSV, in order (the JSON Lines keys are the same).
pub const CSV_HEADER: [&str; 11] = [
    "time",
    "platform",
    "kind",
    "actor",
    "actor_handle",
    "target",
    "target_handle",
    "item",
    "parent",
    "topics",
    "id",
];

/// A time given as seconds or as text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TimeField {
    /// Whole Unix seconds.
    Seconds(i64),
    /// Unix seconds with a fraction (read as `parse_time` reads the number).
    Fractional(f64),
    /// Text [`renown_model::parse_time`] reads (RFC 3339, a date, digits).
    Text(String),
}

/// Topics given as a JSON array or as one `|`-separated string.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TopicsField {
    /// `["rust", "graphs"]`.
    List(Vec<String>),
    /// `"rust|graphs"`.
    Joined(String),
}

/// One event in renown's own schema (a CSV row or a JSON Lines object; see the table above).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaRow {
    /// When it happened; absent for a timeless event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeField>,
    /// The platform of both accounts.
    #[serde(default)]
    pub platform: Option<String>,
    /// The kind's name (`follow`, `reshare`, …).
    #[serde(default)]
    pub kind: Option<String>,
    /// The acting account's native id.
    #[serde(default)]
    pub actor: Option<String>,
    /// Its handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_handle: Option<String>,
    /// The account acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Its handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_handle: Option<String>,
    /// The item the event creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The item it answers, reshares or likes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The topics it carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<TopicsField>,
    /// The source's own event id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The longest account id or handle a row may give. Platforms' ids and handles are short (a
/// Mastodon actor URL is the longest, well under 200 bytes); a longer one is a broken row, such
/// as a quote that swallowed the lines after it, and would become a bogus account.
pub const MAX_ACCOUNT_BYTES: usize = 4096;

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

impl SchemaRow {
    /// Validates the row into an event; `default_platform` fills a missing platform.
    pub fn into_event(self, default_platform: Option<&str>) -> Result<Event, String> {
        let kind: Kind = non_empty(self.kind)
            .ok_or("missing field `kind`")?
            .parse()?;
        let platform = non_empty(self.platform)
            .or_else(|| default_platform.map(str::to_string))
            .ok_or("missing field `platform`")?
            .to_ascii_lowercase();
        let actor = non_empty(self.actor).ok_or("missing field `actor`")?;
        for (name, value) in [
            ("actor", Some(&actor)),
            ("actor_handle", self.actor_handle.as_ref()),
            ("target", self.target.as_ref()),
            ("target_handle", self.target_handle.as_ref()),
        ] {
            if let Some(v) = value.filter(|v| v.len() > MAX_ACCOUNT_BYTES) {
                return Err(format!(
                    "field `{name}` is {} bytes long, more than the {MAX_ACCOUNT_BYTES} an account id or handle may have",
                    v.len()
                ));
            }
        }
        let time = match self.time {
            None => None,
            Some(TimeField::Seconds(s)) => {
                Some(renown_model::check_range(s).map_err(|e| e.to_string())?)
            }
            Some(TimeField::Fractional(f)) => {
                Some(parse_time(&f.to_string()).map_err(|e| e.to_string())?)
            }
            Some(TimeField::Text(t)) if t.trim().is_empty() => None,
            Some(TimeField::Text(t)) => Some(parse_time(&t).map_err(|e| e.to_string())?),
        };
        let topics = match self.topics {
            None => Vec::new(),
            Some(TopicsField::List(v)) => v,
            Some(TopicsField::Joined(s)) => s
                .split('|')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        };
        let mut e = Event::new(
            platform,
            kind,
            AccountRef::with_handle(actor, non_empty(self.actor_handle)),
        );
        e.time = time;
        e.target = non_empty(self.target)
            .map(|t| AccountRef::with_handle(t, non_empty(self.target_handle)));
        e.item = non_empty(self.item);
        e.parent = non_empty(self.parent);
        e.topics = topics;
        e.source_id = non_empty(self.id);
        Ok(e)
    }

    /// The row that writes `event`; `joined_topics` chooses the CSV form of topics.
    pub fn from_event(e: &Event, joined_topics: bool) -> SchemaRow {
        SchemaRow {
            time: e.time.map(|t| TimeField::Text(format_time(t))),
            platform: Some(e.platform.to_string()),
            kind: Some(e.kind.name().to_string()),
            actor: Some(e.actor.id.to_string()),
            actor_handle: e.actor.handle.clone(),
            target: e.target.as_ref().map(|t| t.id.to_string()),
            target_handle: e.target.as_ref().and_then(|t| t.handle.clone()),
            item: e.item.clone(),
            parent: e.parent.clone(),
            topics: match (e.topics.is_empty(), joined_topics) {
                (true, _) => None,
                (false, true) => Some(TopicsField::Joined(e.topics.join("|"))),
                (false, false) => Some(TopicsField::List(e.topics.clone())),
            },
            id: e.source_id.clone(),
        }
    }

    /// The CSV cells in [`CSV_HEADER`] order.
    pub fn csv_cells(&self) -> [String; 11] {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        [
            match &self.time {
                None => String::new(),
                Some(TimeField::Seconds(s)) => s.to_string(),
                Some(TimeField::Fractional(f)) => f.to_string(),
                Some(TimeField::Text(t)) => t.clone(),
            },
            s(&self.platform),
            s(&self.kind),
            s(&self.actor),
            s(&self.actor_handle),
            s(&self.target),
            s(&self.target_handle),
            s(&self.item),
            s(&self.parent),
            match &self.topics {
                None => String::new(),
                Some(TopicsField::List(v)) => v.join("|"),
                Some(TopicsField::Joined(j)) => j.clone(),
            },
            s(&self.id),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_round_trips_through_both_forms() {
        let mut e = Event::new(
            "mastodon",
            Kind::Reply,
            AccountRef::with_handle("1", Some("@a".into())),
        );
        e.time = Some(1_700_000_000);
        e.target = Some(AccountRef::new("2"));
        e.item = Some("p9".into());
        e.parent = Some("p1".into());
        e.topics = vec!["rust".into(), "graphs".into()];
        e.source_id = Some("s".into());
        for joined in [true, false] {
            let row = SchemaRow::from_event(&e, joined);
            let json = serde_json::to_string(&row).unwrap();
            let back: SchemaRow = serde_json::from_str(&json).unwrap();
            assert_eq!(back.into_event(None).unwrap(), e);
        }
    }

    #[test]
    fn an_account_id_longer_than_the_bound_is_refused() {
        let long = "a".repeat(MAX_ACCOUNT_BYTES + 1);
        for field in ["actor", "target", "actor_handle", "target_handle"] {
            let mut row: SchemaRow = serde_json::from_str(
                r#"{"platform":"x","kind":"follow","actor":"1","target":"2"}"#,
            )
            .unwrap();
            match field {
                "actor" => row.actor = Some(long.clone()),
                "target" => row.target = Some(long.clone()),
                "actor_handle" => row.actor_handle = Some(long.clone()),
                _ => row.target_handle = Some(long.clone()),
            }
            let err = row.into_event(None).unwrap_err();
            assert!(
                err.starts_with(&format!("field `{field}` is 4097 bytes long")),
                "{err}"
            );
        }
        let row: SchemaRow = serde_json::from_str(&format!(
            r#"{{"platform":"x","kind":"follow","actor":"{}"}}"#,
            "a".repeat(MAX_ACCOUNT_BYTES)
        ))
        .unwrap();
        assert!(row.into_event(None).is_ok());
    }

    #[test]
    fn missing_required_fields_are_named() {
        let row: SchemaRow = serde_json::from_str(r#"{"platform":"x","actor":"1"}"#).unwrap();
        assert_eq!(row.into_event(None).unwrap_err(), "missing field `kind`");
        let row: SchemaRow = serde_json::from_str(r#"{"kind":"like","actor":"1"}"#).unwrap();
        assert_eq!(
            row.into_event(None).unwrap_err(),
            "missing field `platform`"
        );
        let row: SchemaRow = serde_json::from_str(r#"{"kind":"like","actor":"1"}"#).unwrap();
        assert_eq!(row.into_event(Some("x")).unwrap().platform, "x");
    }
}
