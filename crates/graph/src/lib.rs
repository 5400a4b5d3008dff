#![warn(missing_docs)]
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
mod sum;
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
    folds, pagerank, pagerank_blocked, pagerank_folded, pagerank_pb, pagerank_with,
    personalized_pagerank, seed_vector, segment_bits, Blocked, Gather, PageRank, PageRankOptions,
    Propagation, FOLD_MAX_SHARE,
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

/// Why a graph could not be built, read or written.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] renown_store::StoreError),
    /// A bad option or a graph the kernel cannot use (a pull-only graph for a push kernel).
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A graph file holds something that is not a graph of its format.
    #[error("{path}:{line}: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// The line (1-based).
        line: u64,
        /// What is wrong there.
        reason: String,
    },
}

/// The graph crate's result.
pub type Result<T> = std::result::Result<T, GraphError>;
