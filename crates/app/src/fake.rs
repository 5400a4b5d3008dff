//! Does an account look fake: the account against the literature's fake-account rule sets
//! ([`renown_audit::assess`]) — each set's verdict and score, the criteria against it in words,
//! the features read — and whether an export gave it a profile at all.

use crate::{AppError, Scope, Source};
use renown_audit::assess::{assess as assess_features, has_profile, Assessment};
use renown_audit::features::Features;
use renown_store::Store;
use serde::Serialize;

/// Every account's features for the fake-account rules, and whether an export gave it a
/// profile, by dense id: computed once per scope (as of, platform; an account has no topic).
#[derive(Clone, Debug)]
pub struct AccountFeatures {
    /// The rules' inputs: profile fields, with the counts a profile lacks read from the log.
    pub features: Vec<Features>,
    /// An export gave the account a profile beyond its username.
    pub profile: Vec<bool>,
}

impl AccountFeatures {
    /// Reads every account's features in `scope` (its topic ignored) from `store`.
    pub fn compute(store: &Store, scope: &Scope) -> crate::Result<AccountFeatures> {
        let scope = scope.without_topic();
        let act = renown_audit::Activity::load(store, &scope.measures())?;
        let features = renown_audit::features::from_store(store, &act)?;
        let infos = store.accounts()?;
        let profile = renown_audit::profile::from_store(store, &infos)?
            .iter()
            .map(has_profile)
            .collect();
        Ok(AccountFeatures { features, profile })
    }
}

/// One account against the rule sets (`renown classify ACCOUNT --detail`,
/// `GET /api/accounts/{id}/fake`).
#[derive(Clone, Debug, Serialize)]
pub struct FakeAssessment {
    /// The account's id.
    pub id: u32,
    /// Each rule set's verdict and the features read.
    #[serde(flatten)]
    pub assessment: Assessment,
}

/// Account `id` against the fake-account rule sets in `scope` (as of, platform).
pub fn assess<S: Source>(src: &S, scope: &Scope, id: u32) -> Result<FakeAssessment, S::Error> {
    let all = src.account_features(&scope.without_topic())?;
    let (Some(features), Some(&profile)) =
        (all.features.get(id as usize), all.profile.get(id as usize))
    else {
        return Err(AppError::NotFound(format!("no account {id} in the store")).into());
    };
    Ok(FakeAssessment {
        id,
        assessment: assess_features(features, profile),
    })
}
