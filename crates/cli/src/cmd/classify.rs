use crate::output::{OutputFormat, Table};
use crate::Outcome;
use renown_audit::features::{self, expanded_names, Features};
use renown_audit::gbdt::Model;
use renown_audit::rules::RULE_SETS;
use renown_audit::{instafake, Activity};
use renown_measures::Scope;
use serde_json::json;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown train --data ../shared/data/instafake --out fake-model.json
  renown classify --model fake-model.json --all --min-score 0.5
  renown classify @megacorp demo:x17
  renown classify --model fake-model.json --data ../shared/data/instafake/fakeAccountData.json

Accounts in the store are described by their profile counts where exports carried them
(followers_count, following_count, posts_count, created_at, bio, avatar) and otherwise by what the
event log shows. Each row gives the model's probability that the account is fake (with --model)
and the verdict of each literature rule set with the criteria it failed.";

/// Score accounts as fake or real: the trained model and the literature rule sets.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Accounts in the store (platform:id, native id or @handle).
    pub accounts: Vec<String>,
    /// Every account in the store.
    #[arg(long, conflicts_with = "accounts")]
    pub all: bool,
    /// Classify the accounts of a JSON file in InstaFake's schema instead of the store.
    #[arg(long, conflicts_with_all = ["accounts", "all"])]
    pub data: Option<PathBuf>,
    /// A model saved by `renown train` (without it, only the rule sets judge).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Only rows whose fake probability is at least this (needs --model).
    #[arg(long, requires = "model")]
    pub min_score: Option<f64>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let model = match &args.model {
        Some(p) => Some(Model::load(p, &expanded_names())?),
        None => None,
    };
    let (labels, feats): (Vec<String>, Vec<Features>) = if let Some(path) = &args.data {
        let data = instafake::load(path)?;
        let labels = data
            .fake
            .iter()
            .enumerate()
            .map(|(i, f)| {
                format!(
                    "#{} ({})",
                    i + 1,
                    if *f { "labelled fake" } else { "labelled real" }
                )
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
    let mut columns = vec!["account", "fake_probability"];
    for set in RULE_SETS {
        columns.push(set.name);
    }
    columns.extend(["followers", "following", "posts"]);
    let mut t = Table::new(&columns);
    for (label, f) in labels.iter().zip(&feats) {
        let p = model.as_ref().map(|m| m.predict(&f.expanded()));
        if let (Some(min), Some(p)) = (args.min_score, p) {
            if p < min {
                continue;
            }
        }
        let mut row = vec![json!(label), json!(p)];
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
