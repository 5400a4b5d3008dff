#![warn(missing_docs)]
//! Bought audiences: the follower audit, growth anomalies, fake-account classifiers and
//! SybilRank trust.
//!
//! - [`audit`]: per-account follower audit — engaged followers, audience quality with a Wilson
//!   interval, suspicious followers and their reasons.
//! - [`growth`]: days of anomalous follower growth against a robust (median + k·MAD) baseline.
//! - [`rules`]: the marketing-literature rule sets that Cresci et al. 2015 evaluated.
//! - [`profile`]: the typed profile fields every source is read into.
//! - [`gbdt`]: a gradient-boosted tree classifier trained on profile counts, saved as JSON.
//! - [`calibrate`]: Platt-calibrated probabilities and a threshold for the user's costs.
//! - [`domain`]: whether an input lies inside the training distribution.
//! - [`classifier`]: the trained model with its calibration, threshold and domain, saved as one
//!   file.
//! - [`eval`]: stratified k-fold cross-validation and the metrics it reports.
//! - [`sybilrank`]: trust from seeds by early-terminated power iteration (Cao et al. 2012).

pub mod activity;
pub mod assess;
pub mod audit;
pub mod calibrate;
pub mod classifier;
pub mod domain;
pub mod eval;
pub mod features;
pub mod gbdt;
pub mod growth;
pub mod instafake;
pub mod profile;
pub mod report;
pub mod rules;
pub mod stats;
pub mod sybilrank;
pub mod trust;

pub use activity::Activity;
pub use audit::{AccountAudit, Auditor, Reason, SuspicionConfig};

use renown_measures::MeasureError;
use renown_store::StoreError;

/// Why an audit, a classification or a trust ranking could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A measure the audit reports could not be computed.
    #[error(transparent)]
    Measure(#[from] MeasureError),
    /// A data file (labelled accounts, a saved model) is unreadable or not what it should be.
    #[error("{path}: {reason}")]
    Data {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A bad option or input.
    #[error("{0}")]
    Invalid(String),
}

/// The audit crate's result.
pub type Result<T> = std::result::Result<T, AuditError>;
