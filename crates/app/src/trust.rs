//! Trust-weighted earned influence: earned influence in which each account passes on only as
//! much as SybilRank trusts it (docs/AUDIT.md).

use crate::{AppError, Result, Scope};
use renown_audit::trust::{
    default_seeds, read_seeds, social_graph, trust_weights, SeedChoice, SocialGraph,
};
use renown_graph::Csr;
use renown_measures::earned::{model, EarnedParams};
use renown_measures::Scores;
use renown_store::Store;
use std::path::PathBuf;

/// Where SybilRank's trust starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustSeeds {
    /// Spread over the graph's communities (`count` of them, default one per 50 connected
    /// accounts, 20 to 100), never an account the follower audit flags.
    #[default]
    Default,
    /// As many default seeds as this.
    Count(usize),
    /// One account per line of this file (`#` comments).
    File(PathBuf),
}

/// The seeds, and how they were chosen when they were not read from a file.
pub fn seeds(
    store: &Store,
    scope: &Scope,
    graph: &Csr,
    seeds: &TrustSeeds,
) -> Result<(Vec<u32>, Option<SeedChoice>)> {
    let scope = scope.measures();
    let (seeds, choice) = match seeds {
        TrustSeeds::File(p) => (read_seeds(store, p)?, None),
        TrustSeeds::Default | TrustSeeds::Count(_) => {
            let count = match seeds {
                TrustSeeds::Count(n) => Some(*n),
                _ => None,
            };
            let c = default_seeds(store, &scope, graph, count)?;
            (c.seeds.clone(), Some(c))
        }
    };
    if seeds.is_empty() {
        return Err(AppError::Invalid(
            "no seeds: the social graph has no account with a connection that the audit does \
             not flag; pass --seeds FILE"
                .into(),
        ));
    }
    Ok((seeds, choice))
}

/// Earned influence with SybilRank's discount: each account passes on only
/// `min(1, trust / median trust)` of its base vote and endorsements. The graph is every follow
/// and engagement: the discount must reach accounts that no one answers back, which the mutual
/// graph does not see. `params` are the earned parameters the discount applies to.
pub fn earned_with_trust(
    store: &Store,
    scope: &Scope,
    from: &TrustSeeds,
    params: &EarnedParams,
) -> Result<Scores> {
    let m = scope.measures();
    let g = social_graph(store, &m, SocialGraph::All)?;
    let (seeds, _) = seeds(store, scope, &g, from)?;
    let params = EarnedParams {
        trust: Some(trust_weights(store, &m, &g, &seeds)?),
        ..params.clone()
    };
    Ok(model(store, &m, &params)?.score)
}
