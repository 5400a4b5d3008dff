//! Opening a store to read it, and choosing one of its graphs: the first step of every read
//! question on every surface (the CLI's commands, the Python package).

use crate::{AppError, Result, Scope};
use renown_graph::{
    cached_engagement_graph, cached_follow_graph, Csr, EngagementParams, FollowParams,
};
use renown_model::{Kind, DEFAULT_KIND_WEIGHTS};
use renown_store::Snapshot;
use std::path::Path;

/// Opens an existing store for reading, with a hint when it does not exist yet. Everything read
/// through the snapshot is one committed state (see [`renown_store::Snapshot`]).
pub fn open_existing(db: &Path) -> Result<Snapshot> {
    if !db.exists() {
        return Err(AppError::NotFound(format!(
            "no store at {} — ingest something first (`renown ingest FILE`) or try `renown demo`",
            db.display()
        )));
    }
    Ok(Snapshot::open(db)?)
}

/// The graphs a store's events make.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GraphChoice {
    /// Follower → followee as of the date (follows minus unfollows); weight 1.
    #[default]
    Follow,
    /// Engager → engaged over the events up to the date, weighted by kind.
    Engagement,
    /// Resharer → author: one unit of weight per reshare up to the date.
    Reshare,
}

impl GraphChoice {
    /// The graphs' names, in the enum's order.
    pub const NAMES: [&'static str; 3] = ["follow", "engagement", "reshare"];

    /// `follow`, `engagement` or `reshare`.
    pub fn parse(name: &str) -> Result<GraphChoice> {
        match name.trim() {
            "follow" => Ok(GraphChoice::Follow),
            "engagement" => Ok(GraphChoice::Engagement),
            "reshare" => Ok(GraphChoice::Reshare),
            other => Err(AppError::Invalid(format!(
                "unknown graph {other:?}; graphs: {}",
                GraphChoice::NAMES.join(", ")
            ))),
        }
    }

    /// The graph's name (one of [`GraphChoice::NAMES`]).
    pub fn name(self) -> &'static str {
        GraphChoice::NAMES[self as usize]
    }
}

/// The chosen graph of the store in `scope` — as of its date, on its platform; the engagement
/// graphs also over its window and topic (from the graph cache when it is there). Node i is
/// dense account id i.
pub fn graph(store: &renown_store::Store, which: GraphChoice, scope: &Scope) -> Result<Csr> {
    let graph_err = |e: renown_graph::GraphError| match e {
        renown_graph::GraphError::Store(s) => AppError::Store(s),
        other => AppError::Invalid(other.to_string()),
    };
    let (g, _) = match which {
        GraphChoice::Follow => cached_follow_graph(store, &FollowParams::of(scope)),
        GraphChoice::Engagement => {
            cached_engagement_graph(store, &EngagementParams::of(scope, &DEFAULT_KIND_WEIGHTS))
        }
        GraphChoice::Reshare => {
            cached_engagement_graph(store, &EngagementParams::of(scope, &[(Kind::Reshare, 1.0)]))
        }
    }
    .map_err(graph_err)?;
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_names_round_trip_and_an_unknown_one_is_refused() {
        for name in GraphChoice::NAMES {
            assert_eq!(GraphChoice::parse(name).unwrap().name(), name);
        }
        let e = GraphChoice::parse("friends").unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown graph \"friends\"; graphs: follow, engagement, reshare"
        );
    }

    #[test]
    fn a_missing_store_is_named_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let e = open_existing(&dir.path().join("none.db"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("no store at ") && e.contains("renown demo"),
            "{e}"
        );
    }
}
