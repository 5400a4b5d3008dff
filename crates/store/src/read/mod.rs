use crate::blocks::{AccountBlockView, BlockView};
use crate::{Result, Store, StoreError};
use renown_model::Kind;
use rustc_hash::FxHashSet;

/// The light row the graph stage reads: dense ids, kind, time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRow {
    /// UTC seconds; `None` for a timeless event (a static graph's edge).
    pub time: Option<i64>,
    /// What the event is (follow, reshare, …).
    pub kind: Kind,
    /// Dense account id (account id − 1).
    pub actor: u32,
    /// Dense id of the account acted on, when the event names one.
    pub target: Option<u32>,
}

/// Everything about an event, for measures that follow items (cascades, explanations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullEventRow {
    /// The event's id in the store (ingest order).
    pub id: i64,
    /// Its time, kind, actor and target.
    pub row: EventRow,
    /// The item the event creates (a post's id), when it creates one.
    pub item: Option<String>,
    /// The item it answers, reshares or likes.
    pub parent: Option<String>,
    /// The topics it carries (hashtags, tags, subreddits, categories).
    pub topics: Vec<String>,
}

/// Which events to read. Events without a time are timeless facts (a static follow graph) and
/// pass every time bound.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// Only these kinds; `None` reads every kind.
    pub kinds: Option<Vec<Kind>>,
    /// Inclusive lower bound on time.
    pub since: Option<i64>,
    /// Inclusive upper bound on time (the `--as-of` date).
    pub until: Option<i64>,
    /// Only events carrying this topic (case-insensitive).
    pub topic: Option<String>,
    /// Only events on this platform.
    pub platform: Option<String>,
}

/// An account as the store names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    /// Dense id (account id − 1): the node id in every graph and the index of every score.
    pub dense: u32,
    /// The platform it lives on.
    pub platform: String,
    /// Its id on that platform.
    pub native_id: String,
    /// Its latest known handle (`@name`), when a source gave one.
    pub handle: Option<String>,
}

impl AccountInfo {
    /// `handle` if known, else `platform:native_id`.
    pub fn label(&self) -> String {
        match &self.handle {
            Some(h) => h.clone(),
            None => format!("{}:{}", self.platform, self.native_id),
        }
    }
}

/// One ingest run, as `ingest_runs` records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// The run's id, in the order runs started.
    pub id: i64,
    /// The file (or folder, or `-`) ingested, as named on the command line.
    pub file: String,
    /// The reader that read it.
    pub format: String,
    /// When it started (UTC seconds).
    pub started: i64,
    /// When it finished; `None` while running or when it was killed.
    pub finished: Option<i64>,
    /// `running`, `clean`, `partial` (some records rejected), `failed`, or `interrupted` (its
    /// process died before finishing).
    pub status: String,
    /// Records read.
    pub read: u64,
    /// Events new to the store.
    pub added: u64,
    /// Events the store already held (skipped).
    pub duplicate: u64,
    /// Records refused (listed in `<db>.rejects.txt`).
    pub rejected: u64,
    /// Profiles written.
    pub profiles: u64,
    /// Why it failed or what it skipped, when there is something to say.
    pub message: Option<String>,
}

/// What is in the store (`renown stats`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Accounts known.
    pub accounts: u64,
    /// Events stored (deleted ones excluded).
    pub events: u64,
    /// Events of each kind present.
    pub by_kind: Vec<(Kind, u64)>,
    /// Events on each platform present.
    pub by_platform: Vec<(String, u64)>,
    /// The earliest event's time.
    pub first_time: Option<i64>,
    /// The latest event's time.
    pub last_time: Option<i64>,
    /// Events without a time (static graphs).
    pub timeless: u64,
    /// Responses (reply, comment, quote, reshare, like) whose target account is not in the data.
    pub unresolved: u64,
    /// Accounts with any profile attribute from an export.
    pub profiles: u64,
    /// Distinct topics.
    pub topics: u64,
    /// Every ingest run, oldest first.
    pub runs: Vec<RunInfo>,
}

mod accounts;
mod scan;
mod state;

fn dense(id: i64) -> u32 {
    (id - 1) as u32
}

impl Store {
    fn corrupt(&self, reason: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.display().to_string(),
            reason,
        }
    }
}
