//! `renown graph export`: a snapshot in the formats network tools read.

use crate::Outcome;
use renown_graph::{write_graph, GraphFormat, GraphMeta};
use std::path::PathBuf;
use std::time::Instant;

pub const EXAMPLES: &str = "\
Examples:
  renown graph export --graph engagement --as-of 2012-07-04 --format graphml higgs.graphml
  renown graph export --graph follow --format gexf follow.gexf      # opens in Gephi
  renown graph export --graph reshare --format npz reshare.npz      # scipy.sparse.load_npz
  renown graph export --format edgelist - | head

Node i is the store's dense account id i, with the account (platform:native_id), platform and
handle as attributes; every edge carries its weight. Every account is a node, isolated ones
included (except in the edge list, which has no place for them), so degrees and PageRank
computed from the file are renown's. In Python: networkx.read_graphml / read_gexf,
igraph.Graph.Read_GraphML, scipy.sparse.load_npz (np.load(f)['account'] names the rows).";

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportGraph {
    /// Follower → followee as of --as-of (follows minus unfollows); weight 1.
    #[default]
    Follow,
    /// Engager → engaged over the events up to --as-of, weighted by kind.
    Engagement,
    /// Resharer → author: one unit of weight per reshare up to --as-of.
    Reshare,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// GraphML (networkx, igraph, Gephi, Cytoscape).
    Graphml,
    /// GEXF 1.3 (Gephi).
    Gexf,
    /// `source target weight` lines over dense ids.
    Edgelist,
    /// scipy.sparse CSR matrix (save_npz layout) with `account` and `handle` arrays.
    Npz,
}

#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ExportArgs {
    /// Output file, or `-` for stdout.
    pub output: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub graph: ExportGraph,
    #[command(flatten)]
    pub scope: super::DatedArgs,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
}

impl From<ExportGraph> for renown_app::open::GraphChoice {
    fn from(g: ExportGraph) -> Self {
        match g {
            ExportGraph::Follow => renown_app::open::GraphChoice::Follow,
            ExportGraph::Engagement => renown_app::open::GraphChoice::Engagement,
            ExportGraph::Reshare => renown_app::open::GraphChoice::Reshare,
        }
    }
}

pub fn run(a: ExportArgs, db: &std::path::Path) -> anyhow::Result<Outcome> {
    let t = Instant::now();
    let store = super::open_existing(db)?;
    let scope = a.scope.scope();
    let g = renown_app::open::graph(&store, a.graph.into(), &scope)?;
    let accounts = store.accounts()?;
    let graph = format!("{:?}", a.graph).to_lowercase();
    let meta = GraphMeta {
        description: format!(
            "renown {graph} graph of {}{}{}",
            db.display(),
            a.scope
                .as_of
                .map(|t| format!(" as of {}", renown_model::format_time(t)))
                .unwrap_or_default(),
            a.scope
                .platform
                .as_ref()
                .map(|p| format!(" on {p}"))
                .unwrap_or_default()
        ),
    };
    let format = match a.format {
        ExportFormat::Graphml => GraphFormat::GraphMl,
        ExportFormat::Gexf => GraphFormat::Gexf,
        ExportFormat::Edgelist => GraphFormat::EdgeList,
        ExportFormat::Npz => GraphFormat::Npz,
    };
    if a.output.as_os_str() == "-" {
        // The .npz is a zip archive, written whole in memory first; text formats stream.
        let mut buf = std::io::Cursor::new(Vec::new());
        write_graph(&g, &accounts, &meta, format, &mut buf)?;
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(buf.get_ref())?;
        out.flush()?;
    } else {
        let file = std::fs::File::create(&a.output)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", a.output.display()))?;
        write_graph(&g, &accounts, &meta, format, file)?;
    }
    eprintln!(
        "{graph} graph: {} nodes, {} edges written as {:?} in {:.3} s",
        g.n(),
        g.m(),
        a.format,
        t.elapsed().as_secs_f64()
    );
    Ok(Outcome::Clean)
}
