use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::cascades::{cascade, CascadeTree};
use renown_app::{AppError, Direct};
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
    let scope = args.scope.scope();
    let c = match cascade(&Direct::new(&store), &scope, &args.id, None, 0) {
        Err(AppError::NotFound(_)) => anyhow::bail!(
            "no cascade {:?} in {} — list them with `renown cascades`",
            args.id,
            db.display()
        ),
        other => other?,
    };
    // Buffered: stdout is line-buffered, and a tree's JSON is one write call per line (14,061
    // nodes: ~170,000 system calls, most of a warm `cascade ID`).
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &c)?;
            writeln!(out)?;
        }
        OutputFormat::Csv | OutputFormat::Parquet => {
            let mut t = Table::new(&[
                "node", "parent", "depth", "account", "kind", "time", "inferred",
            ]);
            for n in &c.nodes {
                t.push(vec![
                    json!(n.index),
                    json!(n.parent),
                    json!(n.depth),
                    json!(n.account),
                    json!(n.kind),
                    json!(n.time),
                    json!(n.inferred),
                ]);
            }
            t.write(args.format, &mut out)?;
        }
        OutputFormat::Table => {
            let s = &c.cascade;
            writeln!(
                out,
                "cascade {} ({:?}{}): {} nodes, depth {}, max breadth {}, structural virality {:.3}, half size after {}",
                s.id,
                s.origin,
                s.topic.as_ref().map(|t| format!(", #{t}")).unwrap_or_default(),
                s.size,
                s.depth,
                s.max_breadth,
                s.structural_virality,
                s.time_to_half_seconds
                    .map(|t| format!("{t} s"))
                    .unwrap_or_else(|| "an unknown time".into())
            )?;
            write!(out, "{}", draw(&c, args.max_nodes.max(1)))?;
        }
    }
    out.flush()?;
    Ok(Outcome::Clean)
}

/// The tree as indented text, one node per line: `account  kind  time`, children under their
/// parent in the order they joined; at most `max_nodes` lines.
pub fn draw(c: &CascadeTree, max_nodes: usize) -> String {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); c.nodes.len()];
    for (v, n) in c.nodes.iter().enumerate() {
        if let Some(p) = n.parent {
            children[p as usize].push(v);
        }
    }
    let mut out = String::new();
    let mut stack = vec![0usize];
    let mut shown = 0;
    while let Some(v) = stack.pop() {
        if shown == max_nodes {
            out.push_str(&format!(
                "… {} more nodes (use --format json for all)\n",
                c.nodes.len() - shown
            ));
            break;
        }
        shown += 1;
        let n = &c.nodes[v];
        out.push_str(&format!(
            "{}{}  {}{}  {}\n",
            "  ".repeat(n.depth as usize),
            // The tree is text for a terminal: labels come from input files.
            renown_model::escape_controls(&n.account),
            n.kind,
            if n.inferred { " (inferred)" } else { "" },
            n.time.as_deref().unwrap_or("time unknown")
        ));
        stack.extend(children[v].iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use renown_app::cascades::{CascadeSummary, TreeNode};
    use renown_app::AccountRef;

    fn node(index: usize, parent: Option<u32>, depth: u32, account: &str) -> TreeNode {
        TreeNode {
            index,
            parent,
            depth,
            time: (index != 2).then(|| format!("2024-01-0{}T00:00:00Z", index + 1)),
            kind: if parent.is_some() { "reshare" } else { "post" },
            inferred: index == 3,
            id: index as u32,
            account: account.into(),
            suspicious: false,
        }
    }

    fn tree() -> CascadeTree {
        // root ─ a ─ c
        //      └ b
        let nodes = vec![
            node(0, None, 0, "root"),
            node(1, Some(0), 1, "a"),
            node(2, Some(0), 1, "b"),
            node(3, Some(1), 2, "c\u{1b}[31m"),
        ];
        CascadeTree {
            cascade: CascadeSummary {
                id: "i1".into(),
                origin: renown_spread::cascades::Origin::Items,
                topic: None,
                root: AccountRef {
                    id: 0,
                    account: "root".into(),
                    platform: "x".into(),
                    native_id: "0".into(),
                    handle: None,
                },
                size: 4,
                depth: 2,
                max_breadth: 2,
                structural_virality: 1.5,
                start: None,
                end: None,
                time_to_half_seconds: None,
            },
            nodes_total: nodes.len(),
            limit: nodes.len(),
            offset: 0,
            nodes,
        }
    }

    #[test]
    fn the_drawing_puts_children_under_their_parent_in_joining_order() {
        assert_eq!(
            draw(&tree(), 10),
            "root  post  2024-01-01T00:00:00Z\n  \
             a  reshare  2024-01-02T00:00:00Z\n    \
             c\\x1b[31m  reshare (inferred)  2024-01-04T00:00:00Z\n  \
             b  reshare  time unknown\n"
        );
    }

    #[test]
    fn the_drawing_stops_at_max_nodes_and_says_how_many_are_left() {
        assert_eq!(
            draw(&tree(), 2),
            "root  post  2024-01-01T00:00:00Z\n  \
             a  reshare  2024-01-02T00:00:00Z\n\
             … 2 more nodes (use --format json for all)\n"
        );
    }
}
