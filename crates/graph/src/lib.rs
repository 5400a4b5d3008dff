//! renown's graph engine: CSR snapshots cut from the event log and parallel kernels over them.
//!
//! - [`Csr`]: a directed graph over dense `u32` node ids with out- and in-adjacency (`u64`
//!   offsets, `u32` targets, optional `f32` weights), built from an [`EdgeList`] by a parallel
//!   counting sort.
//! - [`follow_graph`] / [`engagement_graph`]: snapshots from the store ([`FollowParams`],
//!   [`EngagementParams`]); node ids are the store's dense account ids.
//! - [`pagerank`] / [`pagerank_with`] / [`personalized_pagerank`]: PageRank over any graph, in
//!   `f32` or `f64` ([`Real`]).
//!
//! Kernels run on the current rayon pool; wrap a call in `ThreadPool::install` to pick threads.

mod buf;
pub mod cache;
pub mod csr;
pub mod edgelist;
pub mod export;
pub mod gml;
pub mod hits;
pub mod pagerank;
pub mod pullfile;
pub mod real;
pub mod rmat;
pub mod snapshot;
pub mod stats;
pub mod wcc;

pub use cache::{
    cache_dir, cached_engagement_graph, cached_follow_graph, CacheOutcome, SnapshotCache,
};
pub use csr::{Adjacency, Csr, Directions, EdgeList};
pub use edgelist::{read_edge_list, read_pull_graph, read_pull_graph_ordered, Labelled, NodeOrder};
pub use export::{write_graph, GraphFormat, GraphMeta};
pub use gml::{parse_gml, GmlGraph};
pub use hits::{hits, Hits, HitsOptions};
pub use pagerank::{
    pagerank, pagerank_with, personalized_pagerank, seed_vector, PageRank, PageRankOptions,
};
pub use pullfile::{
    is_pull_graph_file, read_pull_graph_auto, read_pull_graph_file, save_pull_graph,
};
pub use real::Real;
pub use rmat::Rmat;
pub use snapshot::{
    engagement_graph, follow_graph, follow_graph_of, standing_follows, Decay, EngagementGraph,
    EngagementParams, FollowParams, StandingFollows,
};
pub use stats::{degrees, graph_stats, reciprocity, GraphStats};
pub use wcc::{component_sizes, weakly_connected_components};

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error(transparent)]
    Store(#[from] renown_store::StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {reason}")]
    Parse {
        path: String,
        line: u64,
        reason: String,
    },
}

pub type Result<T> = std::result::Result<T, GraphError>;
