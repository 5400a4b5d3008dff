//! Influence measures. One module per measure; each names the paper or system it follows.
//!
//! A measure maps every account (by dense id) to a score, given a [`Scope`]: the date the
//! score is "as of", an optional topic and platform. [`MEASURES`] is the registry the CLI and the
//! HTTP API offer — only measures that exist are listed.

pub mod compare;
pub mod counts;
pub mod earned;
pub mod explain;
pub mod influence_passivity;
pub mod pagerank;
pub mod tweepcred;

use renown_store::{EventFilter, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("measure {0:?} does not exist (one of: {1})")]
    Unknown(String, String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, MeasureError>;

/// What slice of the event log a measure looks at.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Only events up to this time (inclusive); timeless events always count.
    pub as_of: Option<i64>,
    /// Only engagement on items with this topic.
    pub topic: Option<String>,
    /// Only events on this platform.
    pub platform: Option<String>,
}

impl Scope {
    /// The store filter for this scope, restricted to `kinds`.
    pub fn filter(&self, kinds: &[renown_model::Kind]) -> EventFilter {
        EventFilter {
            kinds: Some(kinds.to_vec()),
            since: None,
            until: self.as_of,
            topic: self.topic.clone(),
            platform: self.platform.clone(),
        }
    }
}

/// One score per account, indexed by dense id.
pub type Scores = Vec<f64>;

/// A registered measure.
pub struct MeasureSpec {
    /// The `--by` name.
    pub name: &'static str,
    /// One line for `--help`, the API and the dashboard.
    pub describe: &'static str,
    /// The paper or system it follows.
    pub follows: &'static str,
    pub compute: fn(&Store, &Scope) -> Result<Scores>,
}

/// Every measure renown offers, the default first.
pub static MEASURES: &[MeasureSpec] = &[
    earned::EARNED,
    counts::FOLLOWERS,
    counts::ENGAGEMENT,
    counts::RESHARES,
    counts::MENTIONS,
    counts::REPLIES,
    pagerank::PAGERANK,
    pagerank::ENGAGEMENT_PAGERANK,
    compare::RESHARE_PAGERANK,
    tweepcred::TWEEPCRED,
    influence_passivity::INFLUENCE_PASSIVITY,
];

pub fn measure(name: &str) -> Result<&'static MeasureSpec> {
    MEASURES.iter().find(|m| m.name == name).ok_or_else(|| {
        let names: Vec<&str> = MEASURES.iter().map(|m| m.name).collect();
        MeasureError::Unknown(name.to_string(), names.join(", "))
    })
}

/// Account ids ordered by descending score (ties by id), with their scores.
pub fn ranking(scores: &[f64]) -> Vec<(u32, f64)> {
    let mut order: Vec<(u32, f64)> = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| (i as u32, s))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    order
}
