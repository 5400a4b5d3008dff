use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_audit::classifier::Classifier;
use renown_audit::features::{self, Features};
use renown_audit::rules::RULE_SETS;
use renown_audit::{instafake, Activity};
use renown_measures::Scope;
use serde_json::json;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown train --data ../shared/data/instafake --out fake-model.json
  renown classify --model fake-model.json --all --min-score 0.5
  renown classify --model fake-model.json --all --score-outside
  renown classify @megacorp demo:x17
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
of each literature rule set with the criteria it failed.";

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
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
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
        let act = Activity::load(&store, &Scope::default())?;
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
