use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_graph::{
    cached_engagement_graph, cached_follow_graph, graph_stats, read_edge_list, Csr,
    EngagementParams, FollowParams,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

const EXAMPLES: &str = "\
Examples:
  renown graph stats
  renown graph stats --graph engagement --as-of 2012-07-04
  renown graph stats --input soc-Slashdot0902.txt --format json
  renown graph export --graph engagement --format graphml higgs.graphml

The follow graph is follower → followee as of --as-of (follows minus unfollows); the engagement
graph is engager → engaged over the events up to --as-of, weighted by kind. Snapshots are cached
next to the store (<db>.cache/) until the next ingest.";

/// Inspect the graphs renown builds from the store.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// Nodes, edges, degree distribution, reciprocity, weak components.
    Stats(StatsArgs),
    /// Write a snapshot as GraphML, GEXF, an edge list or a scipy .npz.
    Export(super::graph_export::ExportArgs),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GraphKind {
    /// Who follows whom.
    #[default]
    Follow,
    /// Who engaged with whom (reshares, replies, mentions, likes...), weighted by kind.
    Engagement,
}

#[derive(clap::Args, Debug)]
pub struct StatsArgs {
    #[arg(long, value_enum, default_value_t)]
    pub graph: GraphKind,
    #[command(flatten)]
    pub scope: super::DatedArgs,
    /// Read an edge-list file instead of the store.
    #[arg(long)]
    pub input: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// Builds (or maps from the cache) the chosen snapshot of the store, reporting on stderr.
pub fn snapshot(
    store: &renown_store::Store,
    kind: GraphKind,
    scope: &renown_app::Scope,
) -> anyhow::Result<Csr> {
    let t = Instant::now();
    let (g, outcome) = match kind {
        GraphKind::Follow => cached_follow_graph(store, &FollowParams::of(scope))?,
        GraphKind::Engagement => cached_engagement_graph(
            store,
            &EngagementParams::of(scope, &renown_model::DEFAULT_KIND_WEIGHTS),
        )?,
    };
    eprintln!(
        "{kind:?} graph: {} nodes, {} edges ({outcome:?} in {:.3} s)",
        g.n(),
        g.m(),
        t.elapsed().as_secs_f64()
    );
    Ok(g)
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let a = match args.what {
        What::Stats(a) => a,
        What::Export(a) => return super::graph_export::run(a, db),
    };
    let g = match &a.input {
        Some(p) => Csr::from_edges(&read_edge_list(p, None)?)?,
        None => {
            let store = super::open_existing(db)?;
            snapshot(&store, a.graph, &a.scope.scope())?
        }
    };
    let s = graph_stats(&g)?;
    let mut t = Table::new(&["metric", "value"]);
    let mut row = |k: &str, v: serde_json::Value| t.push(vec![json!(k), v]);
    row("nodes", json!(s.nodes));
    row("edges", json!(s.edges));
    row("self_loops", json!(s.self_loops));
    row("isolated_nodes", json!(s.isolated));
    for (name, d) in [("in_degree", &s.in_degree), ("out_degree", &s.out_degree)] {
        row(&format!("{name}_mean"), json!(d.mean));
        row(&format!("{name}_median"), json!(d.median));
        row(&format!("{name}_p90"), json!(d.p90));
        row(&format!("{name}_p99"), json!(d.p99));
        row(&format!("{name}_max"), json!(d.max));
        row(&format!("{name}_zero"), json!(d.zero));
    }
    row("reciprocity", json!(s.reciprocity));
    row("weak_components", json!(s.components));
    row("largest_component", json!(s.largest_component));
    t.write(a.format, &mut std::io::stdout().lock())?;
    Ok(Outcome::Clean)
}
