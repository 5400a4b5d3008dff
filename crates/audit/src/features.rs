//! Account features from the typed profile fields ([`crate::profile`]) every source fills the
//! same way, plus what the event log shows. Missing values are NaN: the rules skip criteria they
//! cannot check and the trees send missing values their learned way.

use crate::activity::Activity;
use crate::growth::DAY;
use crate::profile::{self, ProfileFields};
use crate::Result;
use renown_store::Store;

/// Feature names, in vector order.
pub const NAMES: [&str; 11] = [
    "followers",
    "following",
    "posts",
    "age_days",
    "has_bio",
    "has_picture",
    "engagement_per_post",
    "is_private",
    "username_length",
    "username_digits",
    "bio_length",
];

// The index of each feature in [`Features`] (the order of [`NAMES`]).
/// Followers: the larger of the profile's count and the log's.
pub const FOLLOWERS: usize = 0;
/// Accounts followed: the larger of the profile's count and the log's.
pub const FOLLOWING: usize = 1;
/// Posts: the larger of the profile's count and the log's.
pub const POSTS: usize = 2;
/// Days from creation (else the first appearance) to the log's last event.
pub const AGE_DAYS: usize = 3;
/// 1 when the profile has a bio, 0 when it has none.
pub const HAS_BIO: usize = 4;
/// 1 when it has a picture.
pub const HAS_PICTURE: usize = 5;
/// Engagement received per post.
pub const ENGAGEMENT_PER_POST: usize = 6;
/// 1 when the account is private.
pub const IS_PRIVATE: usize = 7;
/// Characters in the username.
pub const USERNAME_LENGTH: usize = 8;
/// Digits in the username.
pub const USERNAME_DIGITS: usize = 9;
/// Characters in the bio.
pub const BIO_LENGTH: usize = 10;

/// One account's features; NaN where unknown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Features(pub [f64; NAMES.len()]);

impl Default for Features {
    fn default() -> Self {
        Features([f64::NAN; NAMES.len()])
    }
}

impl Features {
    /// Feature `i`, `None` where unknown.
    pub fn get(&self, i: usize) -> Option<f64> {
        let v = self.0[i];
        (!v.is_nan()).then_some(v)
    }

    /// The vector the trees see: the raw features plus ratios trees cannot form themselves.
    pub fn expanded(&self) -> Vec<f64> {
        let mut v = self.0.to_vec();
        let ratio = |a: f64, b: f64| ((a + 1.0) / (b + 1.0)).ln();
        v.push(ratio(self.0[FOLLOWING], self.0[FOLLOWERS]));
        v.push(ratio(self.0[POSTS], self.0[FOLLOWERS]));
        v.push(self.0[USERNAME_DIGITS] / self.0[USERNAME_LENGTH].max(1.0));
        v
    }
}

/// Groups of features a source may not carry (a bio field, a picture flag, a privacy flag, a
/// username): training also sees copies of its accounts with these dropped
/// ([`with_missing_copies`]), so a missing one is a value the trees learnt to route, not a
/// guess.
pub const OPTIONAL_GROUPS: [&[usize]; 4] = [
    &[HAS_BIO, BIO_LENGTH],
    &[HAS_PICTURE],
    &[IS_PRIVATE],
    &[USERNAME_LENGTH, USERNAME_DIGITS],
];

/// `f` with each [`OPTIONAL_GROUPS`] group dropped with probability one half.
pub fn drop_optional(f: &Features, rng: &mut impl rand::Rng) -> Features {
    let mut out = *f;
    for group in OPTIONAL_GROUPS {
        if rng.gen_bool(0.5) {
            for &j in group {
                out.0[j] = f64::NAN;
            }
        }
    }
    out
}

/// `x` (and labels `y`) followed by one copy of each account with optional features dropped at
/// random ([`drop_optional`], seeded).
pub fn with_missing_copies(x: &[Features], y: &[bool], seed: u64) -> (Vec<Features>, Vec<bool>) {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut xs = x.to_vec();
    xs.extend(x.iter().map(|f| drop_optional(f, &mut rng)));
    let mut ys = y.to_vec();
    ys.extend_from_slice(y);
    (xs, ys)
}

/// Names of [`Features::expanded`].
pub fn expanded_names() -> Vec<String> {
    let mut n: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    n.extend(
        [
            "log_following_per_follower",
            "log_posts_per_follower",
            "username_digit_share",
        ]
        .map(String::from),
    );
    n
}

/// Features of every account in the store: its [`ProfileFields`] where exports carried them,
/// otherwise what the event log shows (followers, following, posts, age since first appearance,
/// engagement received per post).
pub fn from_store(store: &Store, act: &Activity) -> Result<Vec<Features>> {
    let infos = store.accounts()?;
    let profiles = profile::from_store(store, &infos)?;
    let mut out: Vec<Features> = profiles.iter().map(Features::from_profile).collect();
    out.resize(act.n, Features::default());
    for (i, f) in out.iter_mut().enumerate().take(act.n) {
        // Profile counts include what the log never saw; the log may have seen more since.
        for (feature, seen) in [
            (FOLLOWERS, act.followers[i].len() as f64),
            (FOLLOWING, act.following[i].len() as f64),
            (POSTS, f64::from(act.posts[i])),
        ] {
            f.0[feature] = if f.0[feature].is_nan() {
                seen
            } else {
                f.0[feature].max(seen)
            };
        }
        if act.posts[i] > 0 {
            f.0[ENGAGEMENT_PER_POST] =
                f64::from(act.engagements_received[i]) / f64::from(act.posts[i]);
        }
        let born = act.created_at[i].or(act.first_seen[i]);
        if let (Some(b), Some(end)) = (born, act.log_end) {
            f.0[AGE_DAYS] = ((end - b) as f64 / DAY as f64).max(0.0);
        }
    }
    Ok(out)
}

impl Features {
    /// The features a profile alone gives (no age: that needs the time the profile was seen).
    pub fn from_profile(p: &ProfileFields) -> Features {
        let mut f = Features::default();
        let num = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let flag = |v: Option<bool>| v.map_or(f64::NAN, |b| f64::from(u8::from(b)));
        f.0[FOLLOWERS] = num(p.followers);
        f.0[FOLLOWING] = num(p.following);
        f.0[POSTS] = num(p.posts);
        f.0[HAS_BIO] = flag(p.bio_present());
        f.0[BIO_LENGTH] = num(p.bio_chars());
        f.0[HAS_PICTURE] = flag(p.has_picture);
        f.0[IS_PRIVATE] = flag(p.is_private);
        f.0[USERNAME_LENGTH] = num(p.username_length);
        f.0[USERNAME_DIGITS] = num(p.username_digits);
        f
    }
}
