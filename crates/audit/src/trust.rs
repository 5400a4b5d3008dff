//! SybilRank trust on the store's social graph: which graph, which seeds.

use crate::sybilrank::{sybilrank, undirected};
use crate::{AuditError, Result};
use renown_graph::{engagement_graph, follow_graph, Csr, EdgeList, EngagementParams, FollowParams};
use renown_measures::{measure, ranking, Scope};
use renown_store::Store;
use std::collections::HashSet;
use std::path::Path;

/// Which relationships make the undirected social graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocialGraph {
    /// Reciprocated relationships only: the two accounts follow or engage with each other. An
    /// attacker cannot make such an edge alone — SybilRank's assumption that attack edges are
    /// scarce holds only for edges the honest side must accept (Cao et al. used friendships).
    Mutual,
    /// Every follow and engagement, either way: more coverage, but a fake that follows real
    /// accounts makes an attack edge on its own.
    All,
}

/// The directed follow ∪ engagement graph of `scope`, as unique `a → b` pair keys.
fn directed_pairs(store: &Store, scope: &Scope) -> Result<Vec<(u32, u32)>> {
    let g = |e| AuditError::Invalid(format!("graph: {e}"));
    let follows = follow_graph(
        store,
        &FollowParams {
            as_of: scope.as_of,
            platform: scope.platform.clone(),
        },
    )
    .map_err(g)?;
    let engagement = engagement_graph(
        store,
        &EngagementParams {
            until: scope.as_of,
            platform: scope.platform.clone(),
            ..EngagementParams::default()
        },
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

/// The `k` accounts with the most earned influence: the default seeds.
pub fn default_seeds(store: &Store, scope: &Scope, k: usize) -> Result<Vec<u32>> {
    let spec = measure("earned")?;
    let scores = (spec.compute)(store, scope)?;
    Ok(ranking(&scores)
        .into_iter()
        .filter(|&(_, s)| s > 0.0)
        .take(k)
        .map(|(id, _)| id)
        .collect())
}

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
    if seeds.is_empty() {
        return Err(AuditError::Data {
            path: path.display().to_string(),
            reason: "no seed accounts".into(),
        });
    }
    Ok(seeds)
}

/// Degree-normalized SybilRank trust of every account.
pub fn trust(store: &Store, scope: &Scope, seeds: &[u32], kind: SocialGraph) -> Result<Vec<f64>> {
    let g = social_graph(store, scope, kind)?;
    Ok(sybilrank(&g, seeds, None))
}
