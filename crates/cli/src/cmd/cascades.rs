use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::cascades::{cascades, spreaders, CascadeQuery};
use renown_app::Direct;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown cascades --top 20
  renown cascades --topic fivethings
  renown cascades --by virality --min-size 50 --format csv > cascades.csv
  renown cascades --accounts --top 20          # who starts, who carries

A cascade is a spread tree: from parent items where the data names them, from tag chains
(mentions carrying a topic: a tag meme), else inferred from who followed or engaged with whom
(origin `inferred`). Structural virality is the mean distance between two nodes (Goel et al.
2016): about 1-2 for broadcasts, large for person-to-person chains. Show one with
`renown cascade ID`.";

/// List the largest spread trees, or who starts and carries them.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// How many rows to show (0 = all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    /// Smallest cascade listed (nodes, root included).
    #[arg(long, default_value_t = 2)]
    pub min_size: usize,
    /// Order cascades by size or by structural virality.
    #[arg(long, value_enum, default_value_t = Order::Size)]
    pub by: Order,
    /// Per-account table instead: cascades started, reach, reach carried, credit split.
    #[arg(long)]
    pub accounts: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    Size,
    Virality,
}

impl From<Order> for renown_app::cascades::Order {
    fn from(o: Order) -> Self {
        match o {
            Order::Size => renown_app::cascades::Order::Size,
            Order::Virality => renown_app::cascades::Order::Virality,
        }
    }
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    let scope = args.scope.scope();
    super::warn_scope(&store, &scope)?;
    let source = Direct::new(&store);
    let limit = (args.top > 0).then_some(args.top);
    let mut out = std::io::stdout().lock();
    if args.accounts {
        let list = spreaders(&source, &scope, args.min_size, limit, 0)?;
        let mut table = Table::new(&[
            "rank",
            "account",
            "cascades_started",
            "downstream_reach",
            "reach_carried",
            "initiator_credit",
            "amplifier_credit",
            "initiator_share",
        ]);
        for a in &list.rows {
            table.push(vec![
                json!(a.rank),
                json!(a.account.account),
                json!(a.cascades_started),
                json!(a.downstream_reach),
                json!(a.reach_carried),
                json!(a.initiator_credit),
                json!(a.amplifier_credit),
                json!(a.initiator_share),
            ]);
        }
        table.write(args.format, &mut out)?;
        return Ok(Outcome::Clean);
    }
    let list = cascades(
        &source,
        &scope,
        &CascadeQuery {
            min_size: args.min_size,
            order: args.by.into(),
            limit,
            offset: 0,
        },
    )?;
    if args.format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    let mut table = Table::new(&[
        "rank",
        "id",
        "origin",
        "root",
        "size",
        "depth",
        "max_breadth",
        "virality",
        "start",
        "time_to_half_s",
    ]);
    for row in &list.rows {
        let c = &row.cascade;
        table.push(vec![
            json!(row.rank),
            json!(c.id),
            json!(c.origin),
            json!(c.root.account),
            json!(c.size),
            json!(c.depth),
            json!(c.max_breadth),
            json!(c.structural_virality),
            json!(c.start),
            json!(c.time_to_half_seconds),
        ]);
    }
    table.write(args.format, &mut out)?;
    if args.format == OutputFormat::Table {
        let a = &list.anomalies;
        eprintln!(
            "{} cascades of ≥ {} nodes; data oddities: {} duplicate item claims, {} unseen parents, {} cycles cut, {} repeat adoptions, {} responses to one's own item (not spread)",
            list.total,
            list.min_size,
            a.duplicate_items,
            a.unseen_parents,
            a.cycles_cut,
            a.repeat_adoptions,
            a.self_responses
        );
    }
    Ok(Outcome::Clean)
}
