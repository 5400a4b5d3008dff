//! The fake-follower rule sets from the marketing literature that Cresci et al. 2015 ("Fame for
//! sale: efficient detection of fake Twitter followers", Decision Support Systems 80) evaluated
//! as baselines: Camisani-Calzolari's 22 human criteria, State of Search's (Van Den Beld) 5 bot
//! criteria and Socialbakers' FakeFollowerCheck's 8 bot criteria.
//!
//! Every criterion is listed with its original wording. Those that need tweets, clients or
//! fields that profile-count exports do not carry have no check and are reported as not
//! evaluable rather than guessed; a criterion whose input is missing for an account (NaN) is
//! skipped for that account.

use crate::features::{self, Features};

/// One criterion of a rule set.
pub struct Criterion {
    /// Its short id (`cc2`, `sos1`, `sb3`).
    pub id: &'static str,
    /// Its original wording.
    pub text: &'static str,
    /// Points (Camisani-Calzolari weights two criteria more).
    pub points: u32,
    /// `None`: not evaluable on profile counts. The check returns `None` when its input is
    /// missing for the account.
    pub check: Option<fn(&Features) -> Option<bool>>,
}

/// How a rule set turns its criteria into a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Human criteria: satisfied ones add their points to the human score, failed ones to the
    /// bot score; fake when the bot score exceeds the human score.
    HumanVsBotPoints,
    /// Bot criteria: fake when any fires.
    AnyBotCriterion,
}

/// A rule set from the literature.
pub struct RuleSet {
    /// Its name in answers (`camisani-calzolari`).
    pub name: &'static str,
    /// Where it comes from and how Cresci et al. evaluated it.
    pub source: &'static str,
    /// Every criterion, evaluable or not.
    pub criteria: &'static [Criterion],
    /// How the criteria decide.
    pub combine: Combine,
}

fn get(f: &Features, i: usize) -> Option<f64> {
    f.get(i)
}

const fn na(id: &'static str, text: &'static str, points: u32) -> Criterion {
    Criterion {
        id,
        text,
        points,
        check: None,
    }
}

/// Camisani-Calzolari's 22 human criteria.
pub static CAMISANI_CALZOLARI: RuleSet = RuleSet {
    name: "camisani-calzolari",
    source: "Camisani-Calzolari 2012, as evaluated by Cresci et al. 2015 (human criteria; \
             human points vs bot points)",
    combine: Combine::HumanVsBotPoints,
    criteria: &[
        na("cc1", "the profile contains a name", 1),
        Criterion {
            id: "cc2",
            text: "the profile contains an image",
            points: 1,
            check: Some(|f| get(f, features::HAS_PICTURE).map(|v| v > 0.0)),
        },
        na("cc3", "the profile contains a physical address", 1),
        Criterion {
            id: "cc4",
            text: "the profile contains a biography",
            points: 1,
            check: Some(|f| get(f, features::HAS_BIO).map(|v| v > 0.0)),
        },
        Criterion {
            id: "cc5",
            text: "the account has at least 30 followers",
            points: 1,
            check: Some(|f| get(f, features::FOLLOWERS).map(|v| v >= 30.0)),
        },
        na("cc6", "it has been inserted in a list by other users", 1),
        Criterion {
            id: "cc7",
            text: "it has written at least 50 tweets",
            points: 1,
            check: Some(|f| get(f, features::POSTS).map(|v| v >= 50.0)),
        },
        na("cc8", "the account has been geo-localized", 1),
        na("cc9", "the profile contains a URL", 1),
        na(
            "cc10",
            "it has been included in another user's favorites",
            1,
        ),
        na("cc11", "it writes tweets that have punctuation", 1),
        na("cc12", "it has used a hashtag in at least one tweet", 1),
        na("cc13", "it has logged into Twitter using an iPhone", 1),
        na(
            "cc14",
            "it has logged into Twitter using an Android device",
            1,
        ),
        na("cc15", "it is connected with Foursquare", 1),
        na("cc16", "it is connected with Instagram", 1),
        na("cc17", "it has logged into the twitter.com website", 1),
        na(
            "cc18",
            "it has written the userID of another user in at least one tweet (a reply or mention)",
            1,
        ),
        Criterion {
            id: "cc19",
            text: "2 x followers >= friends (accounts it follows)",
            points: 1,
            check: Some(|f| {
                Some(2.0 * get(f, features::FOLLOWERS)? >= get(f, features::FOLLOWING)?)
            }),
        },
        na(
            "cc20",
            "it publishes content which does not just contain URLs",
            1,
        ),
        na(
            "cc21",
            "at least one of its tweets has been retweeted by other accounts",
            2,
        ),
        na(
            "cc22",
            "it has logged into Twitter through different clients",
            3,
        ),
    ],
};

/// State of Search's (Van Den Beld) 5 bot criteria.
pub static STATE_OF_SEARCH: RuleSet = RuleSet {
    name: "state-of-search",
    source: "Van Den Beld 2012 (stateofsearch.com), as evaluated by Cresci et al. 2015 \
             (bot criteria; fake if any fires)",
    combine: Combine::AnyBotCriterion,
    criteria: &[
        na("sos1", "'bot' in the biography", 1),
        Criterion {
            id: "sos2",
            text: "following : followers ratio of 100 : 1 or more",
            points: 1,
            check: Some(|f| {
                let (fr, fo) = (get(f, features::FOLLOWING)?, get(f, features::FOLLOWERS)?);
                Some(fr > 0.0 && fr >= 100.0 * fo)
            }),
        },
        na("sos3", "the same sentence sent to many accounts", 1),
        na("sos4", "duplicate profile pictures", 1),
        na("sos5", "tweets from the API", 1),
    ],
};

/// Socialbakers' FakeFollowerCheck's 8 bot criteria.
pub static SOCIALBAKERS: RuleSet = RuleSet {
    name: "socialbakers",
    source: "Socialbakers FakeFollowerCheck 2012, as evaluated by Cresci et al. 2015 \
             (bot criteria; fake if any fires)",
    combine: Combine::AnyBotCriterion,
    criteria: &[
        Criterion {
            id: "sb1",
            text: "following : followers ratio of 50 : 1 or more",
            points: 1,
            check: Some(|f| {
                let (fr, fo) = (get(f, features::FOLLOWING)?, get(f, features::FOLLOWERS)?);
                Some(fr > 0.0 && fr >= 50.0 * fo)
            }),
        },
        na(
            "sb2",
            "more than 30% of tweets use spam phrases (diet, make money, work from home)",
            1,
        ),
        na("sb3", "the same tweet repeated more than three times", 1),
        na("sb4", "more than 90% of tweets are retweets", 1),
        na("sb5", "more than 90% of tweets are links", 1),
        Criterion {
            id: "sb6",
            text: "it has never tweeted",
            points: 1,
            check: Some(|f| get(f, features::POSTS).map(|v| v == 0.0)),
        },
        Criterion {
            id: "sb7",
            text: "the account is more than two months old and still has the default picture",
            points: 1,
            check: Some(|f| {
                Some(get(f, features::AGE_DAYS)? > 60.0 && get(f, features::HAS_PICTURE)? == 0.0)
            }),
        },
        Criterion {
            id: "sb8",
            text: "no bio and no location, and following more than 100 accounts \
                   (location is not in profile-count exports: bio only)",
            points: 1,
            check: Some(|f| {
                Some(get(f, features::HAS_BIO)? == 0.0 && get(f, features::FOLLOWING)? > 100.0)
            }),
        },
    ],
};

/// Every rule set, in the order answers list them.
pub static RULE_SETS: [&RuleSet; 3] = [&CAMISANI_CALZOLARI, &STATE_OF_SEARCH, &SOCIALBAKERS];

/// One rule set's verdict on one account.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The set calls the account fake.
    pub fake: bool,
    /// Bot points minus human points (Camisani-Calzolari) or criteria fired (the others): a
    /// score to rank by.
    pub score: f64,
    /// Criteria that fired (bot criteria) or failed (human criteria).
    pub against: Vec<&'static str>,
    /// Criteria evaluable for this account.
    pub evaluated: usize,
}

impl RuleSet {
    /// The criteria renown can check on profile counts.
    pub fn evaluable(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().filter(|c| c.check.is_some())
    }

    /// The set's verdict on an account's features (missing inputs skip their criteria).
    pub fn judge(&self, f: &Features) -> Verdict {
        let (mut human, mut bot) = (0u32, 0u32);
        let mut against = Vec::new();
        let mut evaluated = 0;
        for c in self.criteria {
            let Some(result) = c.check.and_then(|check| check(f)) else {
                continue;
            };
            evaluated += 1;
            let counts_against = match self.combine {
                Combine::HumanVsBotPoints => !result,
                Combine::AnyBotCriterion => result,
            };
            if counts_against {
                bot += c.points;
                against.push(c.id);
            } else {
                human += c.points;
            }
        }
        let (fake, score) = match self.combine {
            Combine::HumanVsBotPoints => (bot > human, f64::from(bot) - f64::from(human)),
            Combine::AnyBotCriterion => (bot > 0, f64::from(bot)),
        };
        Verdict {
            fake,
            score,
            against,
            evaluated,
        }
    }
}

/// A single criterion used alone as a classifier (Cresci et al. evaluate each rule this way):
/// fake when a bot criterion fires or a human criterion fails; `None` if not evaluable.
pub fn criterion_says_fake(set: &RuleSet, c: &Criterion, f: &Features) -> Option<bool> {
    let r = c.check?(f)?;
    Some(match set.combine {
        Combine::HumanVsBotPoints => !r,
        Combine::AnyBotCriterion => r,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(followers: f64, following: f64, posts: f64, pic: f64, bio: f64) -> Features {
        let mut f = Features::default();
        f.0[features::FOLLOWERS] = followers;
        f.0[features::FOLLOWING] = following;
        f.0[features::POSTS] = posts;
        f.0[features::HAS_PICTURE] = pic;
        f.0[features::HAS_BIO] = bio;
        f
    }

    #[test]
    fn a_typical_bought_follower_fails_every_rule_set() {
        let fake = profile(3.0, 1900.0, 0.0, 0.0, 0.0);
        for set in RULE_SETS {
            assert!(set.judge(&fake).fake, "{}", set.name);
        }
        let real = profile(400.0, 300.0, 120.0, 1.0, 1.0);
        for set in RULE_SETS {
            assert!(!set.judge(&real).fake, "{}", set.name);
        }
    }

    #[test]
    fn missing_inputs_are_skipped_not_guessed() {
        let f = profile(10.0, 20.0, f64::NAN, f64::NAN, f64::NAN);
        let v = CAMISANI_CALZOLARI.judge(&f);
        // Only cc5 (followers) and cc19 (ratio) can be checked.
        assert_eq!(v.evaluated, 2);
        assert_eq!(v.against, ["cc5"]);
        assert!(!v.fake, "one point each way is not fake");
        // sb7 needs the account's age, which is missing here.
        assert_eq!(
            criterion_says_fake(&SOCIALBAKERS, &SOCIALBAKERS.criteria[6], &f),
            None
        );
    }
}
