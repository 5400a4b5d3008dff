//! Who ranks highest by a measure: `renown rank` and `GET /api/leaderboard`.
//!
//! One shape for both. Where they disagreed, the API's won: `total` (the CLI said `accounts`),
//! the scope and the page (`limit`, `offset`), and every row names the account in full (`id`,
//! `native_id`, `handle`) and carries its followers, under `--by followers` too.

use crate::config::Echo;
use crate::source::{AccountRef, Ranked, Score, Source};
use crate::trust::{earned_with_trust, TrustSeeds};
use crate::{AppError, Scope};
use renown_measures::{measure, ScopeFacts, Warning, MEASURES};
use serde::Serialize;
use std::sync::Arc;

/// What to rank and which page of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderboardQuery {
    /// A registered measure's name (`renown_measures::MEASURES`).
    pub measure: String,
    /// Rows to return; `None` = all.
    pub limit: Option<usize>,
    /// Rows to skip.
    pub offset: usize,
    /// With `earned`: discount accounts SybilRank does not trust, starting from these seeds.
    pub trust: Option<TrustSeeds>,
}

impl Default for LeaderboardQuery {
    fn default() -> LeaderboardQuery {
        LeaderboardQuery {
            measure: MEASURES[0].name.to_string(),
            limit: Some(50),
            offset: 0,
            trust: None,
        }
    }
}

/// A page of the accounts ranked by one measure in a scope.
#[derive(Clone, Debug, Serialize)]
pub struct Leaderboard {
    /// The measure's registered name.
    pub measure: &'static str,
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// Accounts ranked (every account in the store).
    pub total: usize,
    /// Rows asked for (the page size).
    pub limit: usize,
    /// Rows skipped before this page.
    pub offset: usize,
    /// What makes the scope or the measure degenerate.
    pub warnings: Vec<Warning>,
    /// The parameters the measure was computed with (absent for a measure that takes none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Echo>,
    /// Earned influence discounted by SybilRank's trust (`rank --trust`, `trust=true`); the
    /// key is absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub trust_weighted: bool,
    /// This page's rows, best first.
    pub rows: Vec<LeaderRow>,
}

/// One ranked account.
#[derive(Clone, Debug, Serialize)]
pub struct LeaderRow {
    /// The account, named in full.
    #[serde(flatten)]
    pub account: AccountRef,
    /// Competition rank: equal scores share one (1, 2, 2, 4).
    pub rank: u32,
    /// Its score (an integer for counts).
    pub score: Score,
    /// Its followers as of the scope's date, beside the score.
    pub followers: Score,
}

/// The accounts ranked by a measure in a scope, one page of them.
pub fn leaderboard<S: Source>(
    src: &S,
    scope: &Scope,
    query: &LeaderboardQuery,
) -> Result<Leaderboard, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "a leaderboard")?;
    let spec = measure(&query.measure).map_err(AppError::from)?;
    let ranked: Arc<Ranked> = match &query.trust {
        None => src.ranked(spec, scope)?,
        Some(seeds) if spec.name == "earned" => {
            let store = src.store();
            let facts = ScopeFacts::read(store, &scope.measures()).map_err(AppError::from)?;
            let scores = earned_with_trust(store, scope, seeds, &src.params().measures.earned)?;
            Arc::new(Ranked::new(spec, scores.into(), &facts))
        }
        Some(_) => {
            return Err(AppError::Invalid(format!(
                "trust applies to the earned measure, not {}",
                spec.name
            ))
            .into())
        }
    };
    let followers = src.ranked(measure("followers").map_err(AppError::from)?, scope)?;
    let accounts = src.accounts()?;
    let total = ranked.order.len();
    let limit = query.limit.unwrap_or(total);
    let start = query.offset.min(total);
    let end = start.saturating_add(limit).min(total);
    let rows = ranked.order[start..end]
        .iter()
        .map(|&(id, _)| LeaderRow {
            account: AccountRef::from(&accounts[id as usize]),
            rank: ranked.rank_of[id as usize],
            score: ranked.score(id),
            followers: followers.score(id),
        })
        .collect();
    Ok(Leaderboard {
        measure: spec.name,
        scope: scope.clone(),
        total,
        limit,
        offset: query.offset,
        warnings: ranked.warnings.clone(),
        parameters: src.params().echo(spec.name),
        trust_weighted: query.trust.is_some(),
        rows,
    })
}
