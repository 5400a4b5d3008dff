//! Where an account's earned influence comes from and where it goes: whom it is influenced by,
//! whom it is an influencer of, and its earned influence by topic
//! ([`renown_measures::profile`]), on the scope's earned model ([`Source::earned_model`]).

use crate::{AppError, Scope, Source};
use renown_measures::profile::{influence_profile, InfluenceProfile, ProfileOptions};
use serde::Serialize;

/// Most accounts a profile lists on each side (and topics, beyond the first twelve).
pub const MAX_LISTED: usize = 1000;

/// An account's influence profile in a scope (`renown profile`, `GET /api/accounts/{id}/profile`).
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    /// The flows each way and the topic split, as the measures crate computes them.
    #[serde(flatten)]
    pub profile: InfluenceProfile,
    /// The slice of the log the profile reads.
    pub scope: Scope,
}

/// The profile of account `id` in `scope`, naming `listed` accounts on each side and at least
/// twelve topics (the rest summed).
pub fn profile<S: Source>(
    src: &S,
    scope: &Scope,
    id: u32,
    listed: usize,
) -> Result<Profile, S::Error> {
    if listed > MAX_LISTED {
        return Err(AppError::Invalid(format!(
            "list at most {MAX_LISTED} accounts on each side, not {listed}"
        ))
        .into());
    }
    let model = src.earned_model(scope)?;
    let opts = ProfileOptions {
        accounts: listed,
        topics: listed.max(12),
        ..ProfileOptions::default()
    };
    let profile = influence_profile(src.store(), &scope.measures(), &model, id, &opts)
        .map_err(AppError::from)?;
    Ok(Profile {
        profile,
        scope: scope.clone(),
    })
}
