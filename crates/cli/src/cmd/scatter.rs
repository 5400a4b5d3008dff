use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::scatter::{measures_of, ScatterQuery};
use renown_app::Direct;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown scatter
  renown scatter --x followers --y earned --points 500
  renown scatter --x pagerank --y reshares --format csv > points.csv
  renown scatter --as-of 2012-07-04 --format json | jq '.agreement'

Every account's score under two measures: `table` names the accounts furthest from agreeing each
way (high on x and low on y on log scales, and the reverse) and how much the two top-k sets
overlap; `csv` gives the points (a large store is sampled to --points, keeping each measure's top
accounts and the outliers); `json` is the whole answer (= GET /api/scatter).";

/// One measure against another, account by account: outliers each way and top-k overlap.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The measure on the horizontal axis.
    #[arg(long, default_value = "followers", value_parser = super::rank::measure_names())]
    pub x: String,
    /// The measure on the vertical axis [default: the first registered, earned].
    #[arg(long, value_parser = super::rank::measure_names())]
    pub y: Option<String>,
    /// Most points returned (at most 20,000).
    #[arg(long, default_value_t = 2000)]
    pub points: usize,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    let query = ScatterQuery {
        x: args.x.clone(),
        y: args.y.clone().unwrap_or(ScatterQuery::default().y),
        points: args.points,
    };
    // Checked before the store is opened: a wrong flag is a usage error whatever the store.
    measures_of(&query)?;
    let store = super::open_existing(db)?;
    let s = renown_app::scatter(
        &Direct::with_params(&store, params),
        &args.scope.scope(),
        &query,
    )?;
    crate::output::warn(&s.warnings);
    let mut out = std::io::stdout().lock();
    if args.format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, &s)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    let outlier = |p: &renown_app::scatter::NamedPoint| {
        p.point
            .outlier
            .map(|o| serde_json::to_value(o).unwrap_or_default())
            .unwrap_or(json!(""))
    };
    if args.format != OutputFormat::Table {
        let mut t = Table::new(&[
            "account",
            "x",
            "y",
            "x_percentile",
            "y_percentile",
            "outlier",
        ]);
        for p in &s.points {
            t.push(vec![
                json!(p.account),
                json!(p.point.x),
                json!(p.point.y),
                json!(p.point.x_percentile),
                json!(p.point.y_percentile),
                outlier(p),
            ]);
        }
        t.write(args.format, &mut out)?;
        return Ok(Outcome::Clean);
    }
    writeln!(
        out,
        "{} (x) against {} (y): {} accounts; {} score 0 on x, {} on y, {} on both{}",
        s.x,
        s.y,
        s.accounts,
        s.zero_x,
        s.zero_y,
        s.zero_both,
        if s.sampled {
            format!("; {} points sampled", s.points.len())
        } else {
            String::new()
        }
    )?;
    writeln!(out, "\nFurthest from agreeing:")?;
    let mut t = Table::new(&[
        "account",
        "outlier",
        "x",
        "y",
        "x_percentile",
        "y_percentile",
    ]);
    for p in s.points.iter().filter(|p| p.point.outlier.is_some()) {
        t.push(vec![
            json!(p.account),
            outlier(p),
            json!(p.point.x),
            json!(p.point.y),
            json!(p.point.x_percentile),
            json!(p.point.y_percentile),
        ]);
    }
    t.write(OutputFormat::Table, &mut out)?;
    writeln!(out, "\nTop-k overlap:")?;
    let mut t = Table::new(&["k", "x_set", "y_set", "overlap", "share"]);
    for a in &s.agreement {
        t.push(vec![
            json!(a.k),
            json!(a.x_set),
            json!(a.y_set),
            json!(a.overlap),
            json!(a.share),
        ]);
    }
    t.write(OutputFormat::Table, &mut out)?;
    Ok(Outcome::Clean)
}
