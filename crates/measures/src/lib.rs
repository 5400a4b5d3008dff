#![warn(missing_docs)]
//! Influence measures. One module per measure; each names the paper or system it follows.
//!
//! A measure maps every account (by dense id) to a score, given a [`Scope`]: the date the
//! score is "as of", an optional topic and platform. [`MEASURES`] is the registry the CLI and the
//! HTTP API offer — only measures that exist are listed.

pub mod backtest;
pub mod compare;
pub mod counts;
pub mod earned;
pub mod earned_tune;
pub mod explain;
pub mod gap;
pub mod influence_passivity;
pub mod log;
pub mod pagerank;
pub mod params;
pub mod persons;
pub mod profile;
pub mod scatter;
pub mod ties;
pub mod tweepcred;
pub mod warning;

pub use log::{compute_all, measured_all, Log};
pub use persons::{PersonRef, Persons};
pub use ties::{settle_ties, TIE_EPSILON};
pub use warning::{ScopeFacts, Warning};

use renown_store::StoreError;

/// Why a measure could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No measure of that name is registered (the name, then the registered ones).
    #[error("measure {0:?} does not exist (one of: {1})")]
    Unknown(String, String),
    /// A bad parameter or input.
    #[error("{0}")]
    Invalid(String),
}

/// The measures crate's result.
pub type Result<T> = std::result::Result<T, MeasureError>;

/// What slice of the event log a measure looks at: the one scope every layer reads.
pub use renown_store::Scope;

/// One score per account, indexed by dense id.
pub type Scores = Vec<f64>;

/// A measure's scores and, for an iterative measure that stopped at its cap of iterations
/// before its tolerance, how far it still was ([`Warning::Unconverged`] says so beside them).
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// One score per account.
    pub scores: Scores,
    /// `None`: the measure is not iterative, or it reached its tolerance.
    pub unconverged: Option<Unconverged>,
}

impl From<Scores> for Measured {
    fn from(scores: Scores) -> Measured {
        Measured {
            scores,
            unconverged: None,
        }
    }
}

/// An iteration that ran to its cap with the change of its last step still above its
/// tolerance: the scores are that iterate, not the fixed point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unconverged {
    /// Iterations run (the cap).
    pub iterations: usize,
    /// The L1 change of the last iteration.
    pub change: f64,
    /// The change below which the iteration would have stopped.
    pub tolerance: f64,
}

/// A registered measure.
pub struct MeasureSpec {
    /// The `--by` name.
    pub name: &'static str,
    /// One line for `--help`, the API and the dashboard.
    pub describe: &'static str,
    /// The paper or system it follows.
    pub follows: &'static str,
    /// The scores are whole counts (printed as integers).
    pub counts: bool,
    /// The event kinds without which the measure has nothing to say: with none of them in scope
    /// every account scores alike (earned influence reads follows too, but follows alone earn
    /// nothing, so its list is the engagement kinds).
    pub reads: &'static [renown_model::Kind],
    /// The scores from a [`Log`] read for the scope's topic and platform; call it through
    /// [`MeasureSpec::compute`] or [`MeasureSpec::compute_on`], which check the log.
    pub of_log: fn(&Log, &Scope) -> Result<Measured>,
}

/// Follows and every engagement kind: what Tweepcred reads.
pub const FOLLOWS_AND_ENGAGEMENT: [renown_model::Kind; 8] = {
    use renown_model::{Kind, ENGAGEMENT_KINDS as E};
    [Kind::Follow, E[0], E[1], E[2], E[3], E[4], E[5], E[6]]
};

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

/// The registered measure called `name`, or the error listing every registered name.
pub fn measure(name: &str) -> Result<&'static MeasureSpec> {
    MEASURES.iter().find(|m| m.name == name).ok_or_else(|| {
        let names: Vec<&str> = MEASURES.iter().map(|m| m.name).collect();
        MeasureError::Unknown(name.to_string(), names.join(", "))
    })
}

/// Account ids ordered by descending score, with their scores. Equal scores are listed by id
/// only so the order is reproducible: they share a rank ([`competition_ranks`]). Ids are
/// distinct, so the order is total and an unstable (parallel) sort gives the one answer.
pub fn ranking(scores: &[f64]) -> Vec<(u32, f64)> {
    use rayon::slice::ParallelSliceMut;
    let mut order: Vec<(u32, f64)> = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| (i as u32, s))
        .collect();
    order.par_sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    order
}

/// Standard competition ranks ("1224") along an order from [`ranking`]: equal scores share the
/// rank of the first of them, and the next score's rank counts every account above it.
pub fn competition_ranks(order: &[(u32, f64)]) -> Vec<usize> {
    let mut ranks: Vec<usize> = Vec::with_capacity(order.len());
    for (i, &(_, score)) in order.iter().enumerate() {
        let tied_with_previous = i > 0 && order[i - 1].1 == score;
        ranks.push(if tied_with_previous {
            ranks[i - 1]
        } else {
            i + 1
        });
    }
    ranks
}

/// The competition rank of `account` among `scores`: 1 + the accounts scoring strictly more.
pub fn rank_of(scores: &[f64], account: u32) -> usize {
    let own = scores[account as usize];
    1 + scores.iter().filter(|&&s| s > own).count()
}

/// The top `requested` entries of an order from [`ranking`], never cutting through a tie: when
/// the accounts at the boundary tie with accounts beyond it, the whole tie is left out (taking it
/// in could mean most of the store, e.g. every account with 0 replies).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TopCut {
    /// Entries taken: `order[..len]`.
    pub len: usize,
    /// Entries asked for.
    pub requested: usize,
    /// The tie left out at the boundary, if there was one.
    pub excluded_tie: Option<ExcludedTie>,
}

/// A tie at a top set's boundary, left out whole rather than cut through.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ExcludedTie {
    /// The score the tied accounts share.
    pub score: f64,
    /// Accounts sharing that score (all left out).
    pub accounts: usize,
}

/// The top `requested` of `order` (descending), shortened to leave out a tie at the boundary.
pub fn top_cut(order: &[(u32, f64)], requested: usize) -> TopCut {
    let requested = requested.min(order.len());
    if requested == 0 || requested == order.len() || order[requested - 1].1 != order[requested].1 {
        return TopCut {
            len: requested,
            requested,
            excluded_tie: None,
        };
    }
    let score = order[requested - 1].1;
    let start = order[..requested].partition_point(|r| r.1 != score);
    let end = requested + order[requested..].partition_point(|r| r.1 == score);
    TopCut {
        len: start,
        requested,
        excluded_tie: Some(ExcludedTie {
            score,
            accounts: end - start,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_first_rank_of_the_tie() {
        let scores = [3.0, 5.0, 5.0, 0.0, 1.0, 0.0, 0.0];
        let order = ranking(&scores);
        let ranks = competition_ranks(&order);
        let rank_by_id: Vec<(u32, usize)> = order.iter().map(|r| r.0).zip(ranks).collect();
        assert_eq!(
            rank_by_id,
            [(1, 1), (2, 1), (0, 3), (4, 4), (3, 5), (5, 5), (6, 5)]
        );
        for (id, rank) in rank_by_id {
            assert_eq!(rank_of(&scores, id), rank);
        }
    }

    #[test]
    fn the_ranking_is_descending_score_then_ascending_id() {
        let mut s = 5u64;
        let scores: Vec<f64> = (0..5_000)
            .map(|i| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
                match i % 7 {
                    0 => -0.0,
                    1 => 0.0,
                    _ => ((s >> 33) % 30) as f64 / 4.0,
                }
            })
            .collect();
        let mut expected: Vec<(u32, f64)> = scores
            .iter()
            .copied()
            .zip(0..)
            .map(|(v, i)| (i, v))
            .collect();
        // The definition: a stable sort of the ids (ascending) by descending score.
        expected.sort_by(|a, b| b.1.total_cmp(&a.1));
        let order = ranking(&scores);
        assert_eq!(order.len(), expected.len());
        for (a, b) in order.iter().zip(&expected) {
            assert_eq!((a.0, a.1.to_bits()), (b.0, b.1.to_bits()));
        }
    }

    #[test]
    fn a_top_cut_leaves_out_the_whole_tie_at_its_boundary() {
        let order = ranking(&[9.0, 8.0, 7.0, 7.0, 7.0, 1.0]);
        let cut = |k| top_cut(&order, k);
        assert_eq!(cut(2).len, 2);
        assert_eq!(cut(2).excluded_tie, None);
        assert_eq!(cut(3).len, 2);
        assert_eq!(
            cut(4).excluded_tie,
            Some(ExcludedTie {
                score: 7.0,
                accounts: 3
            })
        );
        // A tie that ends exactly at the boundary is taken whole.
        assert_eq!(cut(5).len, 5);
        assert_eq!(cut(5).excluded_tie, None);
        assert_eq!(cut(9).len, 6);
        // All tied: nothing can be said about a top set.
        assert_eq!(top_cut(&ranking(&[0.0; 4]), 1).len, 0);
    }
}
