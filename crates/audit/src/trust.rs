//! SybilRank trust on the store's social graph: which graph, which seeds.

use crate::audit::{Auditor, SuspicionConfig};
use crate::sybilrank::{
    by_degree, default_seed_count, louvain, spread_seeds, sybilrank, undirected,
};
use crate::Activity;
use crate::{AuditError, Result};
use renown_graph::{engagement_graph, follow_graph, Csr, EdgeList, EngagementParams, FollowParams};
use renown_measures::{measure, ranking, Scope};
use renown_model::{DEFAULT_KIND_WEIGHTS, ENGAGEMENT_KINDS};
use renown_store::Store;
use std::collections::HashSet;
use std::path::Path;

/// Which relationships make the undirected social graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocialGraph {
    /// Reciprocated relationships only: the two accounts follow or engage with each other. An
    /// attacker cannot make such an edge alone — SybilRank's assumption that attack edges are
    /// scarce holds only for edges the honest side must accept (Cao et al. used friendships) —
    /// but every honest account without a returned link gets trust 0, below every sybil.
    Mutual,
    /// Every follow and engagement, either way (the default): honest accounts whose links are
    /// not returned — most of a follow graph — keep their trust; a fake that follows real
    /// accounts makes an attack edge on its own, which the audit's flags and degree
    /// normalisation have to absorb.
    All,
}

/// The directed follow ∪ engagement graph of `scope`, as unique `a → b` pair keys.
fn directed_pairs(store: &Store, scope: &Scope) -> Result<Vec<(u32, u32)>> {
    let g = |e| AuditError::Invalid(format!("graph: {e}"));
    let follows = follow_graph(store, &FollowParams::of(scope)).map_err(g)?;
    // Trust flows through any engagement, whatever its topic.
    let engagement = engagement_graph(
        store,
        &EngagementParams::of(&scope.measures().without_topic(), &DEFAULT_KIND_WEIGHTS),
    )
    .map_err(g)?;
    let mut pairs = Vec::new();
    for csr in [&follows, &engagement] {
        let adj = csr.in_adj();
        for b in 0..csr.n() {
            pairs.extend(adj.neighbors(b).iter().map(|&a| (a, b)));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    Ok(pairs)
}

/// The undirected social graph of the store.
pub fn social_graph(store: &Store, scope: &Scope, kind: SocialGraph) -> Result<Csr> {
    let n = store.account_count()?;
    let pairs = directed_pairs(store, scope)?;
    let keep: Vec<(u32, u32)> = match kind {
        SocialGraph::All => pairs,
        SocialGraph::Mutual => {
            let set: HashSet<(u32, u32)> = pairs.iter().copied().collect();
            pairs
                .into_iter()
                .filter(|&(a, b)| a < b && set.contains(&(b, a)))
                .collect()
        }
    };
    let mut el = EdgeList::new(n);
    for (a, b) in keep {
        el.push(a, b);
    }
    let directed = Csr::from_edges(&el).map_err(|e| AuditError::Invalid(e.to_string()))?;
    undirected(&directed)
}

/// Default seeds and how they were chosen, for the output.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedChoice {
    /// The trusted seeds (dense ids).
    pub seeds: Vec<u32>,
    /// What ranked the candidates: "earned influence" or "degree".
    pub ranked_by: &'static str,
    /// Communities (of two or more accounts) the seeds were spread over.
    pub communities: usize,
    /// Accounts the audit flags, left out of the candidates.
    pub excluded: usize,
}

/// The default seeds: candidates ranked by earned influence (by degree in the social graph when
/// no account has earned any, as on follow-only data), without any account the follower audit
/// flags, spread over the graph's communities ([`spread_seeds`]). `k` defaults to
/// [`default_seed_count`].
pub fn default_seeds(
    store: &Store,
    scope: &Scope,
    g: &Csr,
    k: Option<usize>,
) -> Result<SeedChoice> {
    let adj = g.in_adj();
    let k =
        k.unwrap_or_else(|| default_seed_count((0..g.n()).filter(|&v| adj.degree(v) > 0).count()));
    let act = Activity::load(store, scope)?;
    let flagged = Auditor::new(&act, SuspicionConfig::default()).flagged_accounts();
    let is_flagged = |v: u32| flagged.get(v as usize).copied().unwrap_or(false);
    // A build without the earned measure ranks by degree, as on follow-only data.
    let earned = match measure("earned") {
        Ok(spec) => spec.compute(store, scope)?,
        Err(_) => Vec::new(),
    };
    let by_earned: Vec<u32> = ranking(&earned)
        .into_iter()
        .filter(|&(v, s)| s > 0.0 && !is_flagged(v))
        .map(|(v, _)| v)
        .collect();
    let (ranked, ranked_by) = if by_earned.is_empty() {
        let r: Vec<u32> = by_degree(g)
            .into_iter()
            .filter(|&v| !is_flagged(v))
            .collect();
        (r, "degree")
    } else {
        (by_earned, "earned influence")
    };
    let community = louvain(g, COMMUNITY_SEED);
    let seeds = spread_seeds(g, &community, &ranked, k);
    let mut used: Vec<u32> = seeds.iter().map(|&s| community[s as usize]).collect();
    used.sort_unstable();
    used.dedup();
    Ok(SeedChoice {
        seeds,
        ranked_by,
        communities: used.len(),
        excluded: flagged.iter().filter(|&&f| f).count(),
    })
}

/// Seed of the community detection's sweep order: the default is reproducible.
pub const COMMUNITY_SEED: u64 = 2012;

/// Seeds from a file: one account per line (platform:id, native id or @handle); blank lines
/// and `#` comments are skipped. Unknown accounts are errors naming the line.
pub fn read_seeds(store: &Store, path: &Path) -> Result<Vec<u32>> {
    let text = std::fs::read_to_string(path).map_err(|e| AuditError::Data {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut seeds = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let q = line.split('#').next().unwrap_or("").trim();
        if q.is_empty() {
            continue;
        }
        let id = store.find_account(q).map_err(|e| AuditError::Data {
            path: format!("{}:{}", path.display(), i + 1),
            reason: e.to_string(),
        })?;
        seeds.push(id);
    }
    seeds.sort_unstable();
    seeds.dedup();
    if seeds.is_empty() {
        return Err(AuditError::Data {
            path: path.display().to_string(),
            reason: "no seed accounts".into(),
        });
    }
    Ok(seeds)
}

/// Degree-normalized SybilRank trust of every account on the social graph `g`.
pub fn trust(g: &Csr, seeds: &[u32]) -> Vec<f64> {
    sybilrank(g, seeds, None)
}

/// Per-account trust weights in [0, 1] for earned influence (`EarnedParams::trust`, `rank
/// --trust`): `min(1, trust / median trust)`, the median taken over the accounts that engage
/// with someone and have an edge in the social graph — the only accounts whose weight matters
/// (a silent account has no base vote to pass on), so piling up silent fakes cannot drag the
/// median down. Accounts as trusted as the typical engaging account pass on everything; the
/// sybil side of a narrow cut, which early-terminated SybilRank leaves near zero, passes on
/// little. Accounts with no edge in the graph get 1: the graph says nothing about them.
pub fn trust_weights(store: &Store, scope: &Scope, g: &Csr, seeds: &[u32]) -> Result<Vec<f64>> {
    let t = sybilrank(g, seeds, None);
    let mut engages = vec![false; t.len()];
    store.scan_events(&scope.filter(&ENGAGEMENT_KINDS), |r| {
        if r.target.is_some_and(|b| b != r.actor) {
            engages[r.actor as usize] = true;
        }
    })?;
    let adj = g.in_adj();
    Ok(weights_from_trust(
        &t,
        |v| adj.degree(v) > 0,
        |v| engages[v as usize],
    ))
}

/// `min(1, t / median)` for connected accounts, the median over connected accounts that pass
/// `counted`; 1 for accounts not connected (see [`trust_weights`]).
pub fn weights_from_trust(
    trust: &[f64],
    connected: impl Fn(u32) -> bool,
    counted: impl Fn(u32) -> bool,
) -> Vec<f64> {
    let mut seen: Vec<f64> = (0..trust.len() as u32)
        .filter(|&v| connected(v) && counted(v))
        .map(|v| trust[v as usize])
        .collect();
    seen.sort_by(f64::total_cmp);
    let median = seen.get(seen.len() / 2).copied().unwrap_or(0.0);
    (0..trust.len() as u32)
        .map(|v| {
            if !connected(v) {
                1.0
            } else if median > 0.0 {
                (trust[v as usize] / median).min(1.0)
            } else {
                // Most counted accounts got no trust: what got any is as trusted as it gets.
                f64::from(u8::from(trust[v as usize] > 0.0))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_relative_to_the_median_and_neutral_without_edges() {
        let t = [4.0, 2.0, 1.0, 0.0, 0.0];
        let w = weights_from_trust(&t, |v| v < 4, |_| true);
        // Connected: 0, 1, 2, 4 … sorted [0, 1, 2, 4], median (upper) 2.
        assert_eq!(w, vec![1.0, 1.0, 0.5, 0.0, 1.0]);
        // Only counted accounts set the median: silent ones (here 3) cannot drag it down.
        let w = weights_from_trust(&[4.0, 2.0, 1.0, 0.0, 0.0], |v| v < 4, |v| v < 3);
        assert_eq!(w, vec![1.0, 1.0, 0.5, 0.0, 1.0]);
        let w = weights_from_trust(&[4.0, 0.0, 0.0, 0.0], |_| true, |v| v == 0);
        assert_eq!(w, vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            weights_from_trust(&[0.0, 0.0, 3.0], |_| true, |_| true),
            vec![0.0, 0.0, 1.0]
        );
    }
}
