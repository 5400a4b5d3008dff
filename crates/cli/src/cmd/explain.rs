use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::Direct;
use renown_measures::explain::Explanation;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown explain @ada_writes
  renown explain demo:c1 --endorsers 20 --months 24
  renown explain twitter:12345 --as-of 2012-07-04 --format json | jq '.by_month'

ACCOUNT is platform:id, a native id, or a handle. The score is decomposed exactly: the shares of
the endorsers, of the kinds and of the months add up to it. An account that earned nothing in the
scope has no share to give: its followers' share is undefined (null in JSON), not 0 %.

With --per person, ACCOUNT may also be a linked person's name: the person's earned influence over
all their linked accounts, by endorsing person and by platform (the platforms' parts add up to
the score; engagement between the person's own accounts counts zero).";

/// Explain an account's earned influence: endorsers, kinds, months, consistency, followers.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The account (platform:id, native id or @handle).
    pub account: String,
    /// Endorsers to list by name.
    #[arg(long, default_value_t = 10)]
    pub endorsers: usize,
    /// Months in the score's trajectory (each one a full recomputation; 0 = none).
    #[arg(long, default_value_t = 12)]
    pub months: usize,
    #[command(flatten)]
    pub scope: super::ScopeArgs,
    /// Explain the person (accounts linked by `renown link`) rather than the account.
    #[arg(long, value_enum, default_value_t)]
    pub per: super::rank::PerArg,
    /// `table` prints a report; `json` the full structure; `csv` the endorsers.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    if args.per == super::rank::PerArg::Person {
        return person(&args, &store, params);
    }
    let id = store.find_account(&args.account)?;
    let scope = args.scope.scope();
    // Parameters set in a file are echoed above the report (JSON carries them as `params`).
    let echo = params.echo("earned").filter(|e| e.source.is_some());
    let explained = renown_app::explain(
        &Direct::with_params(&store, params),
        &scope,
        id,
        args.endorsers,
        args.months,
    )?;
    let x = &explained.explanation;
    crate::output::warn(&x.warnings);
    // Buffered: stdout is line-buffered (one write call per line of JSON).
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &explained)?;
            writeln!(out)?;
        }
        OutputFormat::Csv | OutputFormat::Parquet => endorsers(x).write(args.format, &mut out)?,
        OutputFormat::Table => {
            if let Some(e) = &echo {
                writeln!(out, "{}", e.header_line())?;
            }
            report(x, &mut out)?
        }
    }
    out.flush()?;
    Ok(Outcome::Clean)
}

fn endorsers(x: &Explanation) -> Table {
    let mut t = Table::new(&[
        "endorser",
        "their_score",
        "credibility",
        "contribution",
        "share",
        "actions",
        "follows",
    ]);
    for e in &x.endorsers {
        t.push(vec![
            json!(e.account),
            json!(e.score),
            json!(e.credibility),
            json!(e.contribution),
            json!(e.share),
            json!(e.actions),
            json!(e.follows),
        ]);
    }
    t
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn report(x: &Explanation, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}: earned influence {:.4} (rank {} of {}; {} accounts score above zero)",
        renown_model::escape_controls(&x.account),
        x.score,
        x.rank,
        x.accounts,
        x.ranked
    )?;
    if let Some(r) = &x.reference {
        writeln!(out, "seen from {}", renown_model::escape_controls(r))?;
    }
    writeln!(
        out,
        "consistency factor {:.3} ({:.2} active months, {} calendar months with engagement); \
         credibility {:.4} (base vote {:.3})",
        x.consistency.factor,
        x.consistency.active_months,
        x.consistency.months_with_engagement,
        x.credibility,
        x.base_vote
    )?;
    writeln!(
        out,
        "followers: {} ({} pass anything on) contribute {:.4} ({})\n",
        x.followers.followers,
        x.followers.credible_followers,
        x.followers.contribution,
        x.followers
            .share
            .map_or_else(|| "no share: nothing earned in this scope".into(), pct)
    )?;
    writeln!(out, "Top endorsers:")?;
    endorsers(x).write(OutputFormat::Table, out)?;
    if x.other_endorsers > 0 {
        writeln!(
            out,
            "... and {} more endorsers ({})",
            x.other_endorsers,
            pct(x.other_share)
        )?;
    }
    writeln!(out, "\nBy kind:")?;
    let mut t = Table::new(&["kind", "contribution", "share", "actions"]);
    for k in &x.by_kind {
        t.push(vec![
            json!(k.kind),
            json!(k.contribution),
            json!(pct(k.share)),
            json!(k.actions),
        ]);
    }
    t.write(OutputFormat::Table, out)?;
    writeln!(out, "\nBy month (when the engagement happened):")?;
    let mut t = Table::new(&["month", "contribution", "share", "engagers", "actions"]);
    for m in &x.by_month {
        t.push(vec![
            json!(m.month),
            json!(m.contribution),
            json!(pct(m.share)),
            json!(m.engagers),
            json!(m.actions),
        ]);
    }
    t.write(OutputFormat::Table, out)?;
    if !x.trajectory.is_empty() {
        writeln!(out, "\nTrajectory (score as of each month's end):")?;
        let mut t = Table::new(&["as_of", "score", "rank"]);
        for p in &x.trajectory {
            // Before its first event an account has no rank, not the rank of a tie at 0.
            let rank = p.rank.map_or_else(|| json!("no data yet"), |r| json!(r));
            t.push(vec![json!(p.as_of), json!(p.score), rank]);
        }
        t.write(OutputFormat::Table, out)?;
    }
    Ok(())
}

/// `--per person`: ACCOUNT names a linked person, else an account whose person is explained.
fn person(
    args: &Args,
    store: &renown_app::Store,
    params: renown_app::Params,
) -> anyhow::Result<Outcome> {
    let id = renown_app::person_account(store, &args.account)?;
    let x = renown_app::person_explain(
        &Direct::with_params(store, params),
        &args.scope.scope(),
        id,
        args.endorsers,
    )?;
    crate::output::warn(&x.warnings);
    let mut out = std::io::stdout().lock();
    let mut endorsers = Table::new(&[
        "endorser",
        "their_score",
        "credibility",
        "contribution",
        "share",
    ]);
    for e in &x.endorsers {
        endorsers.push(vec![
            json!(e.label),
            json!(e.score),
            json!(e.credibility),
            json!(e.contribution),
            json!(e.share),
        ]);
    }
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &x)?;
            writeln!(out)?;
        }
        OutputFormat::Csv | OutputFormat::Parquet => endorsers.write(args.format, &mut out)?,
        OutputFormat::Table => {
            let accounts: Vec<&str> = x
                .person
                .accounts
                .iter()
                .map(|a| a.account.as_str())
                .collect();
            writeln!(
                out,
                "{} ({}): earned influence {:.4} as a person (rank {} of {} persons)",
                renown_model::escape_controls(&x.person.label),
                renown_model::escape_controls(&accounts.join(", ")),
                x.score,
                x.rank,
                x.persons
            )?;
            writeln!(
                out,
                "consistency factor {:.3}; credibility {:.4} (base vote {:.3}); {} actions between \
                 the person's own accounts count zero\n",
                x.consistency, x.credibility, x.base_vote, x.own_account_actions
            )?;
            writeln!(out, "By platform:")?;
            let mut t = Table::new(&["platform", "contribution", "share", "actions"]);
            for p in &x.by_platform {
                t.push(vec![
                    json!(p.platform),
                    json!(p.contribution),
                    json!(pct(p.share)),
                    json!(p.actions),
                ]);
            }
            t.write(OutputFormat::Table, &mut out)?;
            writeln!(out, "\nTop endorsing persons:")?;
            endorsers.write(OutputFormat::Table, &mut out)?;
            if x.other_endorsers > 0 {
                writeln!(
                    out,
                    "... and {} more endorsers ({})",
                    x.other_endorsers,
                    pct(x.other_share)
                )?;
            }
        }
    }
    Ok(Outcome::Clean)
}
