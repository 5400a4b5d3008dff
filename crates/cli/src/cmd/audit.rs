use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::audit::{
    audit_account, audit_all, AuditOptions, AuditOrder, AuditQuery, AuditReport,
};
use renown_app::{person_audit, person_audit_all, Direct, PersonAuditReport};
use renown_audit::{AccountAudit, Activity, Auditor, SuspicionConfig};
use serde_json::json;
use std::io::Write;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown audit @megacorp
  renown audit demo:b1 --followers --format csv > megacorp-followers.csv
  renown audit --all --min-followers 50 --format json
  renown audit --all --as-of 2024-12-31 --sort quality

--all lists the most evidence of a bought audience first: suspicious_low, the 95% lower bound on
the number of suspicious followers (followers x the Wilson lower bound of their share), so a
5,000-follower buy outranks a 3-follower account whose 3 followers all look bought.

A follower is suspicious when at least two of these hold: it never engages (no reply, reshare,
like, mention or post), it follows more than 1,500 accounts (a mass follower), it follows in
bursts (many follows within an hour, or it arrived on a day of anomalous growth), it was created
in the same hour as many other followers of the account, or it sits in a follow-back ring.
Audience quality is the share of followers not suspicious, with a Wilson 95% interval: small
audiences get wide intervals. Growth anomalies are days whose new followers exceed the account's
median daily gain by 5 scaled MADs (and by at least 10). Earned influence is shown with and
without the endorsements of suspicious accounts. Method and accuracy: docs/AUDIT.md.";

/// Audit an account's followers: engaged, suspicious (and why), audience quality, growth spikes.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The account: platform:id, native id or @handle.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub account: Option<String>,
    /// Audit every account with followers.
    #[arg(long)]
    pub all: bool,
    /// With --all: only accounts with at least this many followers.
    #[arg(long, default_value_t = 1)]
    pub min_followers: u64,
    /// With --all: how to order accounts.
    #[arg(long, value_enum, default_value_t = Sort::Evidence)]
    pub sort: Sort,
    /// With --all: how many accounts to show (0 = all).
    #[arg(long, default_value_t = 0)]
    pub top: usize,
    /// With ACCOUNT: list its followers with their reasons instead of the summary (one account's:
    /// not with --per).
    #[arg(long, conflicts_with = "per")]
    pub followers: bool,
    /// Reasons needed to call a follower suspicious.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=5))]
    pub min_reasons: u32,
    /// Skip earned influence (faster on big stores).
    #[arg(long)]
    pub no_earned: bool,
    /// Audit persons (accounts linked by `renown link`): a person's audiences together,
    /// followers counted as persons, bought followers on any of their accounts counted
    /// (docs/PERSONS.md). ACCOUNT may then be a linked person's name.
    #[arg(long, value_enum, default_value_t)]
    pub per: super::rank::PerArg,
    #[command(flatten)]
    pub scope: super::DatedArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    /// Most evidence of a bought audience first: the 95% lower bound on suspicious followers.
    Evidence,
    Followers,
    /// Lowest audience quality first.
    Quality,
    /// Most suspicious followers first.
    Suspicious,
}

const COLUMNS: [&str; 16] = [
    "account",
    "followers",
    "engaged_any",
    "engaged_this",
    "suspicious",
    "suspicious_low",
    "suspicious_share",
    "quality",
    "quality_low",
    "quality_high",
    "reasons",
    "anomalies",
    "biggest_spike_day",
    "biggest_spike",
    "earned",
    "earned_without_suspicious",
];

fn row_values(r: &AuditReport) -> Vec<serde_json::Value> {
    let spike = r.anomalies.iter().max_by_key(|x| x.gained);
    vec![
        json!(r.account.account),
        json!(r.followers),
        json!(r.engaged_any),
        json!(r.engaged_this),
        json!(r.suspicious),
        json!(r.suspicious_low.floor()),
        json!(r.suspicious_share),
        json!(r.quality),
        json!(r.quality_low),
        json!(r.quality_high),
        json!(reason_summary(&r.reasons)),
        json!(r.anomalies.len()),
        json!(spike.map(|s| s.day.clone())),
        json!(spike.map(|s| s.gained)),
        json!(r.earned),
        json!(r.earned_without_suspicious),
    ]
}

/// "never_engages 5,000; burst 4,990": how many followers show each reason.
fn reason_summary(reasons: &renown_app::stats::Counts) -> String {
    reasons
        .0
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    let store = super::open_existing(db)?;
    super::warn_scope(&store, &args.scope.scope())?;
    let scope = args.scope.scope().measures();
    let cfg = SuspicionConfig {
        min_reasons: args.min_reasons,
        ..SuspicionConfig::default()
    };
    let mut out = std::io::stdout().lock();
    let options = AuditOptions {
        min_reasons: args.min_reasons,
        with_earned: !args.no_earned,
    };
    let src = Direct::with_params(&store, params);
    let app_scope = args.scope.scope();
    let query = AuditQuery {
        options,
        min_followers: args.min_followers,
        order: match args.sort {
            Sort::Evidence => AuditOrder::Evidence,
            Sort::Followers => AuditOrder::Followers,
            Sort::Quality => AuditOrder::Quality,
            Sort::Suspicious => AuditOrder::Suspicious,
        },
        limit: (args.top > 0).then_some(args.top),
        offset: 0,
    };
    if args.per == super::rank::PerArg::Person {
        return persons(&args, &store, &src, &query, &mut out);
    }
    let options = query.options.clone();
    if let Some(q) = &args.account {
        let id = store.find_account(q)?;
        if args.followers {
            let act = Activity::load(&store, &scope)?;
            let auditor = Auditor::new(&act, cfg);
            return list_followers(&store, &auditor, id, args.format, &mut out);
        }
        let r = audit_account(&src, &app_scope, id, &options)?;
        crate::output::warn(&r.warnings);
        match args.format {
            OutputFormat::Json => {
                serde_json::to_writer_pretty(&mut out, &r)?;
                writeln!(out)?;
            }
            OutputFormat::Csv | OutputFormat::Parquet => {
                let mut t = Table::new(&COLUMNS);
                t.push(row_values(&r));
                t.write(args.format, &mut out)?;
            }
            OutputFormat::Table => {
                echo(r.parameters.as_ref(), &mut out)?;
                print_one(&r, &mut out)?
            }
        }
        return Ok(Outcome::Clean);
    }
    let list = audit_all(&src, &app_scope, &query)?;
    crate::output::warn(&list.warnings);
    if args.format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    if args.format == OutputFormat::Table {
        echo(list.parameters.as_ref(), &mut out)?;
    }
    let mut t = Table::new(&COLUMNS);
    for r in &list.rows {
        t.push(row_values(r));
    }
    t.write(args.format, &mut out)?;
    Ok(Outcome::Clean)
}

const PERSON_COLUMNS: [&str; 17] = [
    "person",
    "accounts",
    "followers",
    "follower_accounts",
    "engaged_any",
    "engaged_this",
    "suspicious",
    "suspicious_low",
    "suspicious_share",
    "quality",
    "quality_low",
    "quality_high",
    "reasons",
    "anomalies",
    "biggest_spike",
    "earned",
    "earned_without_suspicious",
];

fn person_values(r: &PersonAuditReport) -> Vec<serde_json::Value> {
    let accounts: Vec<&str> = r
        .person
        .accounts
        .iter()
        .map(|a| a.account.as_str())
        .collect();
    let anomalies = r.accounts.iter().flat_map(|a| &a.anomalies);
    vec![
        json!(r.person.label),
        json!(accounts.join(" ")),
        json!(r.followers),
        json!(r.follower_accounts),
        json!(r.engaged_any),
        json!(r.engaged_this),
        json!(r.suspicious),
        json!(r.suspicious_low.floor()),
        json!(r.suspicious_share),
        json!(r.quality),
        json!(r.quality_low),
        json!(r.quality_high),
        json!(reason_summary(&r.reasons)),
        json!(anomalies.clone().count()),
        json!(anomalies.map(|x| x.gained).max()),
        json!(r.earned),
        json!(r.earned_without_suspicious),
    ]
}

/// `--per person`: one person (ACCOUNT: a linked name or any of their accounts) or all.
fn persons(
    args: &Args,
    store: &renown_app::Store,
    src: &Direct,
    query: &AuditQuery,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let scope = args.scope.scope();
    let (rows, parameters, json) = match &args.account {
        Some(q) => {
            let id = renown_app::person_account(store, q)?;
            let r = person_audit(src, &scope, id, &query.options)?;
            crate::output::warn(&r.warnings);
            let json = serde_json::to_value(&r)?;
            (vec![r.clone()], r.parameters, json)
        }
        None => {
            let list = person_audit_all(src, &scope, query)?;
            crate::output::warn(&list.warnings);
            let json = serde_json::to_value(&list)?;
            (list.rows, list.parameters, json)
        }
    };
    if args.format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut *out, &json)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    if args.format == OutputFormat::Table {
        echo(parameters.as_ref(), out)?;
    }
    let mut t = Table::new(&PERSON_COLUMNS);
    for r in &rows {
        t.push(person_values(r));
    }
    t.write(args.format, out)?;
    // One person: each account's own audience and growth anomalies below.
    if let (Some(r), true) = (
        rows.first(),
        args.account.is_some() && args.format == OutputFormat::Table,
    ) {
        writeln!(
            out,
            "\nBy account (growth anomalies are judged per account):\n"
        )?;
        let mut t = Table::new(&[
            "account",
            "followers",
            "suspicious",
            "anomalies",
            "biggest_spike_day",
        ]);
        for a in &r.accounts {
            let spike = a.anomalies.iter().max_by_key(|x| x.gained);
            t.push(vec![
                json!(a.account.account),
                json!(a.followers),
                json!(a.suspicious),
                json!(a.anomalies.len()),
                json!(spike.map(|s| s.day.clone())),
            ]);
        }
        t.write(OutputFormat::Table, out)?;
    }
    Ok(Outcome::Clean)
}

/// Parameters set in a file, echoed above a table (JSON always carries them).
fn echo(parameters: Option<&renown_app::config::Echo>, out: &mut dyn Write) -> anyhow::Result<()> {
    if let Some(p) = parameters.filter(|p| p.source.is_some()) {
        writeln!(out, "earned {}", p.header_line())?;
    }
    Ok(())
}

fn print_one(a: &AuditReport, out: &mut dyn Write) -> anyhow::Result<()> {
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    writeln!(
        out,
        "Audit of {}\n",
        renown_model::escape_controls(&a.account.account)
    )?;
    let mut t = Table::new(&["measure", "value"]);
    let share = |n: u64| {
        if a.followers == 0 {
            String::new()
        } else {
            format!(" ({})", pct(n as f64 / a.followers as f64))
        }
    };
    t.push(vec![json!("followers"), json!(a.followers)]);
    t.push(vec![
        json!("followers engaged with anyone"),
        json!(format!("{}{}", a.engaged_any, share(a.engaged_any))),
    ]);
    t.push(vec![
        json!("followers engaged with this account"),
        json!(format!("{}{}", a.engaged_this, share(a.engaged_this))),
    ]);
    t.push(vec![
        json!("suspicious"),
        json!(format!("{}{}", a.suspicious, share(a.suspicious))),
    ]);
    t.push(vec![
        json!("suspicious, 95% lower bound"),
        json!(a.suspicious_low.floor()),
    ]);
    t.push(vec![
        json!("audience quality (95% interval)"),
        json!(match (a.quality, a.quality_low, a.quality_high) {
            (Some(q), Some(lo), Some(hi)) => format!("{} ({} to {})", pct(q), pct(lo), pct(hi)),
            _ => "no followers".to_string(),
        }),
    ]);
    if let (Some(e), Some(w)) = (a.earned, a.earned_without_suspicious) {
        t.push(vec![json!("earned influence"), json!(format!("{e:.4}"))]);
        t.push(vec![
            json!("earned without suspicious endorsers"),
            json!(format!("{w:.4}")),
        ]);
    }
    t.write(OutputFormat::Table, out)?;
    writeln!(
        out,
        "\nFollowers showing each sign (two or more make a suspicious one):\n"
    )?;
    let mut t = Table::new(&["reason", "followers", "share"]);
    for (name, n) in &a.reasons.0 {
        let n = *n;
        t.push(vec![
            json!(name),
            json!(n),
            // A share of no followers is none, not 0.
            json!((a.followers > 0).then(|| n as f64 / a.followers as f64)),
        ]);
    }
    t.write(OutputFormat::Table, out)?;
    if a.anomalies.is_empty() {
        writeln!(out, "\nNo growth anomalies.")?;
    } else {
        writeln!(
            out,
            "\nGrowth anomalies (days far above the account's own baseline):\n"
        )?;
        let mut t = Table::new(&["date", "new_followers", "median_day", "threshold"]);
        for x in &a.anomalies {
            t.push(vec![
                json!(x.day),
                json!(x.gained),
                json!(x.baseline),
                json!(x.threshold),
            ]);
        }
        t.write(OutputFormat::Table, out)?;
    }
    Ok(())
}

fn list_followers(
    store: &renown_store::Store,
    auditor: &Auditor,
    id: u32,
    format: OutputFormat,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let accounts = store.accounts()?;
    let audit = auditor.audit(id);
    let mut t = Table::new(&["follower", "suspicious", "reasons", "engaged_this"]);
    for (f, m) in &audit.follower_reasons {
        t.push(vec![
            json!(accounts[*f as usize].label()),
            json!(AccountAudit::is_suspicious(*m, &auditor.cfg)),
            json!(AccountAudit::reason_names(*m).join(" ")),
            json!(auditor.act.engaged_with(*f, id)),
        ]);
    }
    t.write(format, out)?;
    Ok(Outcome::Clean)
}
