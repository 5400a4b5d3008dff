use crate::output::{ranks_by, OutputFormat, Table};
use crate::Outcome;
use renown_spread::cascades::{cascades, CascadeOptions};
use serde_json::json;
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

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    super::warn_scope(&store, &args.scope.scope())?;
    let report = cascades(
        &store,
        &CascadeOptions {
            as_of: args.scope.as_of,
            topic: args.scope.topic.clone(),
            platform: args.scope.platform.clone(),
            min_size: args.min_size.max(2),
        },
    )?;
    let accounts = store.accounts()?;
    let label = |a: u32| accounts[a as usize].label();
    let top = |n: usize| if args.top == 0 { n } else { args.top.min(n) };
    let mut table;
    if args.accounts {
        table = Table::new(&[
            "rank",
            "account",
            "cascades_started",
            "downstream_reach",
            "reach_carried",
            "initiator_credit",
            "amplifier_credit",
            "initiator_share",
        ]);
        // The report's order: reach, then reach carried; equal on both is a tie.
        let ranks = ranks_by(&report.accounts, |a| (a.downstream_reach, a.reach_carried));
        for (a, rank) in report
            .accounts
            .iter()
            .zip(ranks)
            .take(top(report.accounts.len()))
        {
            let total = a.initiator_credit + a.amplifier_credit;
            table.push(vec![
                json!(rank),
                json!(label(a.account)),
                json!(a.cascades_started),
                json!(a.downstream_reach),
                json!(a.reach_carried),
                json!(a.initiator_credit),
                json!(a.amplifier_credit),
                json!(if total > 0.0 {
                    a.initiator_credit / total
                } else {
                    0.0
                }),
            ]);
        }
    } else {
        let mut list: Vec<_> = report.cascades.iter().collect();
        if args.by == Order::Virality {
            list.sort_by(|a, b| {
                b.stats
                    .structural_virality
                    .total_cmp(&a.stats.structural_virality)
                    .then(b.stats.size.cmp(&a.stats.size))
            });
        }
        table = Table::new(&[
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
        // Ties share a rank: equal on every field the list is sorted by (size then start, or
        // virality then size).
        let ranks = match args.by {
            Order::Size => ranks_by(&list, |c| (c.stats.size, c.stats.start)),
            Order::Virality => ranks_by(&list, |c| (c.stats.structural_virality, c.stats.size)),
        };
        for (c, rank) in list.iter().zip(ranks).take(top(list.len())) {
            table.push(vec![
                json!(rank),
                json!(c.id),
                json!(c.origin),
                json!(label(c.root)),
                json!(c.stats.size),
                json!(c.stats.depth),
                json!(c.stats.max_breadth),
                json!(c.stats.structural_virality),
                json!(c.stats.start.map(renown_model::format_time)),
                json!(c.stats.time_to_half),
            ]);
        }
    }
    table.write(args.format, &mut std::io::stdout().lock())?;
    if args.format == OutputFormat::Table {
        let a = &report.anomalies;
        eprintln!(
            "{} cascades of ≥ {} nodes; data oddities: {} duplicate item claims, {} unseen parents, {} cycles cut, {} repeat adoptions",
            report.cascades.len(),
            args.min_size.max(2),
            a.duplicate_items,
            a.unseen_parents,
            a.cycles_cut,
            a.repeat_adoptions
        );
    }
    Ok(Outcome::Clean)
}
