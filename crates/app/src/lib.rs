#![warn(missing_docs)]
//! renown's application layer: one function per question a user asks, each returning an owned,
//! typed answer (`#[derive(Serialize)]`). The CLI renders these answers as a table, CSV or JSON;
//! the HTTP API serialises the same structs, so `renown … --format json` and the API agree by
//! construction. Bindings for other languages call this layer and nothing below it.
//!
//! | question | function | CLI | API |
//! |---|---|---|---|
//! | what is in the store | [`stats::stats`] | `renown stats` | `GET /api/stats` |
//! | who ranks highest by a measure | [`leaderboard::leaderboard`] | `renown rank` | `GET /api/leaderboard` |
//! | which persons (linked accounts) rank highest | [`persons::person_leaderboard`] | `renown rank --per person` | `GET /api/persons` |
//! | why a person's earned influence is what it is, by platform | [`persons::person_explain`] | `renown explain --per person` | `GET /api/persons/{id}/explain` |
//! | which accounts may be one person (scored, never applied) | [`suggest::suggest_links`] | `renown link --suggest` | — |
//! | does being big offline translate online | [`gap::gap`] | `renown gap` | `GET /api/gap` |
//! | an account's score and rank under every measure | [`account::account`] | — | `GET /api/accounts/{id}` |
//! | followers and engagement over time | [`account::timeline`] | — | `GET /api/accounts/{id}/timeline` |
//! | why an account's earned influence is what it is | [`account::explain`] | `renown explain` | `GET /api/accounts/{id}/explain` |
//! | how that score moved month by month | [`account::trajectory`] | `renown explain --months` | `GET /api/accounts/{id}/trajectory` |
//! | is one account's audience bought | [`audit::audit_account`] | `renown audit ACCOUNT` | `GET /api/accounts/{id}/audit` |
//! | whose audiences look most bought | [`audit::audit_all`] | `renown audit --all` | `GET /api/audit` |
//! | earned influence discounted by trust | [`trust::earned_with_trust`] | `renown rank --trust` | `GET /api/leaderboard?trust=true` |
//! | how far the measures agree | [`compare::compare`] | `renown compare` | `GET /api/compare` |
//! | the largest spread trees | [`cascades::cascades`] | `renown cascades` | `GET /api/cascades` |
//! | one spread tree | [`cascades::cascade`] | `renown cascade ID` | `GET /api/cascades/{id}` |
//! | who starts and carries cascades | [`cascades::spreaders`] | `renown cascades --accounts` | — |
//! | one account's part in cascades | [`cascades::account_spread`] | — | `GET /api/accounts/{id}/spread` |
//! | does the big get bigger | [`dynamics::dynamics`] ([`dynamics::fit`], [`dynamics::answer`]) | `renown dynamics` | `GET /api/dynamics` |
//! | does a measure predict | [`backtest::backtest`] | `renown backtest` | `GET /api/backtest` |
//! | whom an account influences and is influenced by, by topic | [`profile::profile`] | `renown profile` | `GET /api/accounts/{id}/profile` |
//! | one measure against another, account by account | [`scatter::scatter`] | `renown scatter` | `GET /api/scatter` |
//! | does an account look fake | [`fake::assess`] | `renown classify ACCOUNT --detail` | `GET /api/accounts/{id}/fake` |
//! | who to engage to spread a message | [`seeds::seeds`] | `renown seeds` | `GET /api/seeds` |
//! | how far a given set spreads | [`seeds::simulate`] | `renown simulate` | — |
//!
//! Every question reads through a [`Source`]: the store plus whatever the surface memoises
//! (the server keeps scores per store state; [`Direct`] computes them for one command). Every
//! question takes a [`Scope`] — the slice of the log it looks at — parsed once per surface.

pub mod account;
pub mod audit;
pub mod backtest;
pub mod cascades;
pub mod compare;
pub mod config;
pub mod dynamics;
pub mod fake;
pub mod gap;
pub mod leaderboard;
pub mod offline;
pub mod open;
pub mod person_audit;
pub mod persons;
pub mod profile;
pub mod scatter;
pub mod scope;
pub mod seeds;
pub mod source;
pub mod stats;
pub mod suggest;
pub mod trust;

pub use account::{
    account, explain, timeline, trajectory, Account, Explained, Timeline, Trajectory,
};
pub use cascades::{cascade, cascades, CascadeList, CascadeQuery, CascadeTree, Cascades};
pub use compare::{compare, CompareQuery, Comparison};
pub use config::Params;
pub use dynamics::{Dynamics, DynamicsQuery};
pub use fake::{assess, AccountFeatures, FakeAssessment};
pub use gap::{gap, Gap, GapQuery};
pub use leaderboard::{leaderboard, Leaderboard, LeaderboardQuery};
pub use person_audit::{person_audit, person_audit_all, PersonAuditList, PersonAuditReport};
pub use persons::{
    person_account, person_explain, person_leaderboard, Per, PersonExplained, PersonLeaderboard,
};
pub use profile::{profile, Profile};
pub use scatter::{scatter, Scatter, ScatterQuery};
pub use scope::Scope;
pub use source::{ranks_by, AccountRef, Direct, Ranked, Score, Source};
pub use stats::{stats, Stats};
pub use trust::{earned_with_trust, TrustSeeds};

pub use renown_model::Cancel;
pub use renown_store::Store;

/// Why a question could not be answered. Surfaces map these to their own errors: the CLI
/// prints them, the server answers 400 (`Invalid`), 404 (`NotFound`) or 500.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] renown_store::StoreError),
    /// A measure could not be computed.
    #[error(transparent)]
    Measure(#[from] renown_measures::MeasureError),
    /// An audit could not be computed.
    #[error(transparent)]
    Audit(#[from] renown_audit::AuditError),
    /// A spread question (cascades, dynamics) could not be answered.
    #[error(transparent)]
    Spread(#[from] renown_spread::SpreadError),
    /// The question was asked wrongly (a bad parameter): the caller can fix it.
    #[error("{0}")]
    Invalid(String),
    /// What the question names does not exist (an account, a cascade).
    #[error("{0}")]
    NotFound(String),
}

/// The application layer's result.
pub type Result<T> = std::result::Result<T, AppError>;
