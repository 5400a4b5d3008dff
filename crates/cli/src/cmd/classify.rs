use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_app::Source;
use renown_audit::classifier::Classifier;
use renown_audit::features::{self, Features};
use renown_audit::rules::RULE_SETS;
use renown_audit::{instafake, Activity};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown train --data ../shared/data/instafake --out fake-model.json
  renown classify --model fake-model.json --all --min-score 0.5
  renown classify --model fake-model.json --all --score-outside
  renown classify @megacorp demo:x17
  renown classify @megacorp --detail --as-of 2025-06-30
  renown classify --model fake-model.json --data ../shared/data/instafake/fakeAccountData.json

Accounts are described by the same profile fields whatever the source: followers, following,
posts (Twitter's tweet_count, Mastodon's statuses_count, ...), bio present and its
length, picture, private, age, username length and digits (from the handle). A field the source
did not carry is a missing value, not an error; in the store, counts the profile lacks come from
the event log. With --model each row gives the calibrated probability that the account is fake
and the verdict at the threshold chosen in training — or, for an account outside the training
distribution (a feature the training data always had is missing, a value lies beyond its range,
or no training account comes as near as 99% of them are to their nearest neighbour), no
probability and the reasons, unless --score-outside. Each row also gives the verdict
of each literature rule set with the criteria it failed. --detail shows one account against each
rule set in full: its verdict and score, how many criteria could be checked, the criteria against
it in words, every feature read, and whether an export gave the account a profile at all (its JSON
is GET /api/accounts/{id}/fake).";

/// Score accounts as fake or real: the trained model and the literature rule sets.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Accounts in the store (platform:id, native id or @handle).
    pub accounts: Vec<String>,
    /// Every account in the store.
    #[arg(long, conflicts_with = "accounts")]
    pub all: bool,
    /// Classify the accounts of a JSON array in InstaFake's schema instead of the store (any
    /// field may be missing).
    #[arg(long, conflicts_with_all = ["accounts", "all"])]
    pub data: Option<PathBuf>,
    /// A model saved by `renown train` (without it, only the rule sets judge).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Only rows whose fake probability is at least this (needs --model).
    #[arg(long, requires = "model")]
    pub min_score: Option<f64>,
    /// Score accounts outside the training distribution too (the reasons stay in the row).
    #[arg(long, requires = "model")]
    pub score_outside: bool,
    /// One account against each literature rule set in full (no model).
    #[arg(long, conflicts_with_all = ["all", "data", "model"])]
    pub detail: bool,
    #[command(flatten)]
    pub scope: super::DatedArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    if args.detail {
        return detail(&args, db);
    }
    let model = match &args.model {
        Some(p) => Some(Classifier::load(p)?),
        None => None,
    };
    let (labels, feats): (Vec<String>, Vec<Features>) = if let Some(path) = &args.data {
        let data = instafake::load_accounts(path)?;
        let labels = data
            .fake
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let label = match f {
                    Some(true) => " (labelled fake)",
                    Some(false) => " (labelled real)",
                    None => "",
                };
                format!("#{}{label}", i + 1)
            })
            .collect();
        (labels, data.features)
    } else {
        if args.accounts.is_empty() && !args.all {
            anyhow::bail!("name accounts, or use --all or --data FILE (see --help)");
        }
        let store = super::open_existing(db)?;
        let act = Activity::load(&store, &args.scope.scope().measures())?;
        let all = features::from_store(&store, &act)?;
        let infos = store.accounts()?;
        let ids: Vec<u32> = if args.all {
            (0..act.n as u32).collect()
        } else {
            args.accounts
                .iter()
                .map(|q| store.find_account(q))
                .collect::<Result<_, _>>()?
        };
        ids.iter()
            .map(|&i| (infos[i as usize].label(), all[i as usize]))
            .unzip()
    };
    let mut columns = vec!["account", "fake_probability", "verdict", "outside_training"];
    for set in RULE_SETS {
        columns.push(set.name);
    }
    columns.extend(["followers", "following", "posts"]);
    let mut t = Table::new(&columns);
    for (label, f) in labels.iter().zip(&feats) {
        let verdict = model.as_ref().map(|m| m.judge(f));
        // An account outside the training distribution gets no score unless asked for.
        let scored = verdict
            .as_ref()
            .filter(|v| v.outside.is_empty() || args.score_outside);
        if let Some(min) = args.min_score {
            if scored.is_none_or(|v| v.probability < min) {
                continue;
            }
        }
        let call = match (&verdict, scored) {
            (None, _) => None,
            (Some(_), None) => Some("abstain"),
            (Some(_), Some(v)) => Some(if v.fake { "fake" } else { "real" }),
        };
        let mut row = vec![
            json!(label),
            json!(scored.map(|v| v.probability)),
            json!(call),
            json!(verdict.as_ref().map(|v| v.outside.join("; "))),
        ];
        for set in RULE_SETS {
            let v = set.judge(f);
            row.push(json!(if v.evaluated == 0 {
                "n/a".to_string()
            } else if v.fake {
                format!("fake ({})", v.against.join(" "))
            } else {
                "real".to_string()
            }));
        }
        for i in [features::FOLLOWERS, features::FOLLOWING, features::POSTS] {
            row.push(json!(f.get(i)));
        }
        t.push(row);
    }
    t.write(args.format, &mut std::io::stdout().lock())?;
    Ok(Outcome::Clean)
}

/// `--detail`: [`renown_app::assess`] for one account.
fn detail(args: &Args, db: &Path) -> anyhow::Result<Outcome> {
    let [account] = args.accounts.as_slice() else {
        return Err(
            renown_app::AppError::Invalid("--detail takes exactly one account".into()).into(),
        );
    };
    let store = super::open_existing(db)?;
    let id = store.find_account(account)?;
    let source = renown_app::Direct::new(&store);
    let answer = renown_app::assess(&source, &args.scope.scope(), id)?;
    let a = &answer.assessment;
    let mut out = std::io::stdout().lock();
    let rule_sets = || {
        let mut t = Table::new(&[
            "rule_set",
            "verdict",
            "score",
            "evaluated",
            "criteria",
            "against",
        ]);
        for r in &a.rule_sets {
            let verdict = match (r.evaluated, r.fake) {
                (0, _) => "n/a",
                (_, true) => "fake",
                (_, false) => "real",
            };
            let against: Vec<&str> = r.against.iter().map(|c| c.text).collect();
            t.push(vec![
                json!(r.name),
                json!(verdict),
                json!(r.score),
                json!(r.evaluated),
                json!(r.criteria),
                json!(against.join("; ")),
            ]);
        }
        t
    };
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &answer)?;
            writeln!(out)?;
        }
        OutputFormat::Csv | OutputFormat::Parquet => rule_sets().write(args.format, &mut out)?,
        OutputFormat::Table => {
            let label = source.accounts()?[id as usize].label();
            writeln!(
                out,
                "{}: {} of {} rule sets that could check anything call it fake ({})",
                renown_model::escape_controls(&label),
                a.fake_votes,
                a.voting_sets,
                if a.profile {
                    "an export gave its profile"
                } else {
                    "no profile: the rules see only the event log"
                }
            )?;
            rule_sets().write(OutputFormat::Table, &mut out)?;
            writeln!(out, "\nFeatures read:")?;
            let mut t = Table::new(&["feature", "value"]);
            for (name, value) in &a.features {
                t.push(vec![json!(name), json!(value)]);
            }
            t.write(OutputFormat::Table, &mut out)?;
        }
    }
    Ok(Outcome::Clean)
}
