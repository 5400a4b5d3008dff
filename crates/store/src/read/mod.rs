use crate::blocks::{AccountBlockView, BlockView};
use crate::{Result, Store, StoreError};
use renown_model::Kind;
use rustc_hash::FxHashSet;

/// The light row the graph stage reads: dense ids, kind, time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub time: Option<i64>,
    pub kind: Kind,
    /// Dense account id (account id − 1).
    pub actor: u32,
    pub target: Option<u32>,
}

/// Everything about an event, for measures that follow items (cascades, explanations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullEventRow {
    pub id: i64,
    pub row: EventRow,
    pub item: Option<String>,
    pub parent: Option<String>,
    pub topics: Vec<String>,
}

/// Which events to read. Events without a time are timeless facts (a static follow graph) and
/// pass every time bound.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    pub dense: u32,
    pub platform: String,
    pub native_id: String,
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    pub id: i64,
    pub file: String,
    pub format: String,
    pub started: i64,
    pub finished: Option<i64>,
    pub status: String,
    pub read: u64,
    pub added: u64,
    pub duplicate: u64,
    pub rejected: u64,
    pub profiles: u64,
    pub message: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub accounts: u64,
    pub events: u64,
    pub by_kind: Vec<(Kind, u64)>,
    pub by_platform: Vec<(String, u64)>,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    pub timeless: u64,
    /// Responses (reply, comment, quote, reshare, like) whose target account is not in the data.
    pub unresolved: u64,
    pub profiles: u64,
    pub topics: u64,
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
