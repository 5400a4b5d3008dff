//! One account against the fake-account rule sets of the literature ([`crate::rules`]): each
//! set's verdict and score, the criteria that count against the account in their own words, and
//! the features they read — what a dashboard shows beside an account when profile data exists.

use crate::features::{Features, NAMES};
use crate::profile::ProfileFields;
use crate::rules::RULE_SETS;
use serde::Serialize;

/// A criterion that counts against an account.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Against {
    /// Its id.
    pub id: &'static str,
    /// Its original wording.
    pub text: &'static str,
}

/// One rule set's verdict, spelt out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleSetVerdict {
    /// The rule set's name.
    pub name: &'static str,
    /// Where it comes from.
    pub source: &'static str,
    /// It calls the account fake.
    pub fake: bool,
    /// Bot points minus human points, or bot criteria fired (see `rules::Verdict::score`).
    pub score: f64,
    /// Criteria checked for this account, of those the set has.
    pub evaluated: usize,
    /// Criteria the set has.
    pub criteria: usize,
    /// The criteria against the account, in their own words.
    pub against: Vec<Against>,
}

/// One account against every rule set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// An export gave a profile for the account (counts, bio, picture, creation time); without
    /// one the rules read only what the event log shows.
    pub profile: bool,
    /// Every feature by name; `None` where unknown.
    pub features: Vec<(&'static str, Option<f64>)>,
    /// Each rule set's verdict.
    pub rule_sets: Vec<RuleSetVerdict>,
    /// Rule sets calling the account fake, of those that could check anything.
    pub fake_votes: usize,
    /// Rule sets that could check anything for the account.
    pub voting_sets: usize,
}

/// Whether `p` holds anything beyond the username every account has.
pub fn has_profile(p: &ProfileFields) -> bool {
    let ProfileFields {
        followers,
        following,
        posts,
        has_bio,
        bio_length,
        has_picture,
        is_private,
        created_at,
        username_length: _,
        username_digits: _,
    } = p;
    followers.is_some()
        || following.is_some()
        || posts.is_some()
        || has_bio.is_some()
        || bio_length.is_some()
        || has_picture.is_some()
        || is_private.is_some()
        || created_at.is_some()
}

/// Judges `features` by every rule set; `profile` says whether an export gave a profile.
pub fn assess(features: &Features, profile: bool) -> Assessment {
    let rule_sets: Vec<RuleSetVerdict> = RULE_SETS
        .iter()
        .map(|set| {
            let v = set.judge(features);
            RuleSetVerdict {
                name: set.name,
                source: set.source,
                fake: v.fake,
                score: v.score,
                evaluated: v.evaluated,
                criteria: set.criteria.len(),
                against: v
                    .against
                    .iter()
                    .filter_map(|id| set.criteria.iter().find(|c| c.id == *id))
                    .map(|c| Against {
                        id: c.id,
                        text: c.text,
                    })
                    .collect(),
            }
        })
        .collect();
    let voting: Vec<&RuleSetVerdict> = rule_sets.iter().filter(|r| r.evaluated > 0).collect();
    Assessment {
        profile,
        features: NAMES
            .iter()
            .enumerate()
            .map(|(i, &n)| (n, features.get(i)))
            .collect(),
        fake_votes: voting.iter().filter(|r| r.fake).count(),
        voting_sets: voting.len(),
        rule_sets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{FOLLOWERS, FOLLOWING, HAS_BIO, HAS_PICTURE, POSTS};

    #[test]
    fn a_bought_follower_is_called_fake_with_the_criteria_against_it_in_words() {
        let mut f = Features::default();
        for (i, v) in [
            (FOLLOWERS, 3.0),
            (FOLLOWING, 1900.0),
            (POSTS, 0.0),
            (HAS_PICTURE, 0.0),
            (HAS_BIO, 0.0),
        ] {
            f.0[i] = v;
        }
        let a = assess(&f, true);
        assert_eq!(a.voting_sets, RULE_SETS.len());
        assert_eq!(a.fake_votes, RULE_SETS.len());
        let cc = &a.rule_sets[0];
        assert!(
            cc.against.iter().any(|c| c.text.contains("biography")),
            "{cc:?}"
        );
        assert_eq!(a.features[FOLLOWERS], ("followers", Some(3.0)));
        assert_eq!(a.features[crate::features::AGE_DAYS].1, None);
    }

    #[test]
    fn nothing_known_means_no_vote() {
        let a = assess(&Features::default(), false);
        assert_eq!((a.voting_sets, a.fake_votes), (0, 0));
        assert!(!has_profile(&ProfileFields::default()));
        let mut p = ProfileFields::default();
        p.set_username("@alice42");
        assert!(!has_profile(&p), "a handle is not a profile");
        p.followers = Some(10.0);
        assert!(has_profile(&p));
    }
}
