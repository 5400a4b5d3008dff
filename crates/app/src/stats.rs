//! What is in the store: accounts, events by kind and platform, time span, ingest history.
//!
//! One shape for the CLI and the API. Where they disagreed, the API's keys won (`timeless`,
//! `runs`, and the store's `state` token; the dashboard reads them), with the CLI's `finished`
//! time of each run kept; the CLI's `store` path and `timeless_events`/`ingest_runs` keys are gone.

use crate::Result;
use renown_model::format_time;
use renown_store::Store;
use serde::ser::SerializeMap;
use serde::Serialize;

/// What is in the store: counts, time span, kinds, platforms and ingest runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Accounts in the store.
    pub accounts: u64,
    /// Events in the store.
    pub events: u64,
    /// Events without a time (static graphs).
    pub timeless: u64,
    /// The oldest event's time (RFC 3339; `null` when none has one).
    pub first_time: Option<String>,
    /// The newest event's time.
    pub last_time: Option<String>,
    /// Events per kind, in the kinds' order.
    pub by_kind: Counts,
    /// Events per platform.
    pub by_platform: Counts,
    /// Responses (reply, comment, quote, reshare, like) whose target account is not in the data.
    pub unresolved: u64,
    /// Accounts carrying profile attributes.
    pub profiles: u64,
    /// Distinct topics (hashtags, tags, categories).
    pub topics: u64,
    /// Every ingest run, oldest first.
    pub runs: Vec<Run>,
    /// The store's state token: it changes whenever the store does.
    pub state: String,
}

/// Named counts, serialised as a JSON object in their order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts(pub Vec<(String, u64)>);

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, n) in &self.0 {
            m.serialize_entry(k, n)?;
        }
        m.end()
    }
}

/// One ingest run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Run {
    /// The run's number.
    pub id: i64,
    /// The file as it was named to the ingest ([`Stats::without_paths`] keeps its name only).
    pub file: String,
    /// The reader that read it.
    pub format: String,
    /// `running`, `clean`, `partial` (some records rejected), `failed` or `interrupted` (its
    /// process died).
    pub status: String,
    /// When it started (RFC 3339).
    pub started: String,
    /// When it finished (`null` while running or when interrupted).
    pub finished: Option<String>,
    /// Records read.
    pub read: u64,
    /// Events new to the store.
    pub added: u64,
    /// Events the store already held (skipped).
    pub duplicate: u64,
    /// Records refused (listed in the rejects file).
    pub rejected: u64,
    /// Profiles read.
    pub profiles: u64,
    /// Why it failed or what it skipped, if anything.
    pub message: Option<String>,
}

/// What is in the store.
pub fn stats(store: &Store) -> Result<Stats> {
    let s = store.stats()?;
    Ok(Stats {
        accounts: s.accounts,
        events: s.events,
        timeless: s.timeless,
        first_time: s.first_time.map(format_time),
        last_time: s.last_time.map(format_time),
        by_kind: Counts(
            s.by_kind
                .iter()
                .map(|(k, n)| (k.name().to_string(), *n))
                .collect(),
        ),
        by_platform: Counts(s.by_platform.clone()),
        unresolved: s.unresolved,
        profiles: s.profiles,
        topics: s.topics,
        runs: s
            .runs
            .into_iter()
            .map(|r| Run {
                id: r.id,
                file: r.file,
                format: r.format,
                status: r.status,
                started: format_time(r.started),
                finished: r.finished.map(format_time),
                read: r.read,
                added: r.added,
                duplicate: r.duplicate,
                rejected: r.rejected,
                profiles: r.profiles,
                message: r.message,
            })
            .collect(),
        state: store.state_token()?,
    })
}

impl Stats {
    /// The same stats with each run's file reduced to its last path component, in its message
    /// too: where files live on a server is not its caller's business.
    pub fn without_paths(mut self) -> Stats {
        for r in &mut self.runs {
            let name = file_name(&r.file).to_string();
            if let Some(m) = &mut r.message {
                *m = m.replace(&r.file, &name);
            }
            r.file = name;
        }
        self
    }
}

/// The last component of a path, whichever separator it uses.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_paths_keeps_the_file_name_in_the_file_and_the_message() {
        let run = Run {
            id: 1,
            file: "/srv/data/export.jsonl".into(),
            format: "jsonl".into(),
            status: "partial".into(),
            started: "2025-01-01T00:00:00Z".into(),
            finished: None,
            read: 2,
            added: 1,
            duplicate: 0,
            rejected: 1,
            profiles: 0,
            message: Some("/srv/data/export.jsonl:2: bad line".into()),
        };
        let s = Stats {
            accounts: 0,
            events: 0,
            timeless: 0,
            first_time: None,
            last_time: None,
            by_kind: Counts::default(),
            by_platform: Counts::default(),
            unresolved: 0,
            profiles: 0,
            topics: 0,
            runs: vec![run],
            state: String::new(),
        }
        .without_paths();
        assert_eq!(s.runs[0].file, "export.jsonl");
        assert_eq!(
            s.runs[0].message.as_deref(),
            Some("export.jsonl:2: bad line")
        );
        assert_eq!(file_name(r"C:\data\x.csv"), "x.csv");
    }
}
