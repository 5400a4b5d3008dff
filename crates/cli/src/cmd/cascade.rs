use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_spread::cascades::{cascades, draw, CascadeOptions};
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown cascade 265953285247209472            # a Twitter15 tree, by its source tweet id
  renown cascade tag/fivethings/demo:m1        # a tag meme
  renown cascade from/higgs:88 --max-nodes 50  # an inferred cascade
  renown cascade i1234 --format json > tree.json

IDs are listed by `renown cascades`. Each line of the drawing is one node: account, how it
joined (kind; `inferred` when its parent was chosen by exposure) and when.";

/// Draw one spread tree as indented text, or give it as JSON / CSV.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The cascade id (see `renown cascades`).
    pub id: String,
    /// Most nodes drawn in the text view.
    #[arg(long, default_value_t = 200)]
    pub max_nodes: usize,
    #[command(flatten)]
    pub scope: super::DatedArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    let report = cascades(
        &store,
        &CascadeOptions {
            as_of: args.scope.as_of,
            platform: args.scope.platform.clone(),
            min_size: 1,
            ..CascadeOptions::default()
        },
    )?;
    let Some(c) = report.cascades.iter().find(|c| c.id == args.id) else {
        anyhow::bail!(
            "no cascade {:?} in {} — list them with `renown cascades`",
            args.id,
            db.display()
        );
    };
    let accounts = store.accounts()?;
    let label = |a: u32| accounts[a as usize].label();
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => {
            let mut v = serde_json::to_value(c)?;
            let labels: Vec<String> = c.nodes.iter().map(|n| label(n.account)).collect();
            v["labels"] = json!(labels);
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        OutputFormat::Csv => {
            let mut t = Table::new(&[
                "node", "parent", "depth", "account", "kind", "time", "inferred",
            ]);
            for (i, n) in c.nodes.iter().enumerate() {
                t.push(vec![
                    json!(i),
                    json!(n.parent),
                    json!(n.depth),
                    json!(label(n.account)),
                    json!(n.kind),
                    json!(n.time.map(renown_model::format_time)),
                    json!(n.inferred),
                ]);
            }
            t.write(OutputFormat::Csv, &mut out)?;
        }
        OutputFormat::Table => {
            let s = &c.stats;
            writeln!(
                out,
                "cascade {} ({:?}{}): {} nodes, depth {}, max breadth {}, structural virality {:.3}, half size after {}",
                c.id,
                c.origin,
                c.topic.as_ref().map(|t| format!(", #{t}")).unwrap_or_default(),
                s.size,
                s.depth,
                s.max_breadth,
                s.structural_virality,
                s.time_to_half
                    .map(|t| format!("{t} s"))
                    .unwrap_or_else(|| "an unknown time".into())
            )?;
            // The tree is text for a terminal: labels come from input files.
            let shown = |a: u32| renown_model::escape_controls(&label(a)).into_owned();
            write!(out, "{}", draw(c, &shown, args.max_nodes.max(1)))?;
        }
    }
    Ok(Outcome::Clean)
}
