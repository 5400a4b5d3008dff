//! Account features from the profile counts that exports carry. Missing values are NaN: the
//! rules skip criteria they cannot check and the trees send missing values their learned way.

use crate::activity::Activity;
use crate::growth::DAY;
use crate::Result;
use renown_store::Store;

/// Feature names, in vector order.
pub const NAMES: [&str; 10] = [
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
];

pub const FOLLOWERS: usize = 0;
pub const FOLLOWING: usize = 1;
pub const POSTS: usize = 2;
pub const AGE_DAYS: usize = 3;
pub const HAS_BIO: usize = 4;
pub const HAS_PICTURE: usize = 5;
pub const ENGAGEMENT_PER_POST: usize = 6;
pub const IS_PRIVATE: usize = 7;
pub const USERNAME_LENGTH: usize = 8;
pub const USERNAME_DIGITS: usize = 9;

/// One account's features; NaN where unknown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Features(pub [f64; NAMES.len()]);

impl Default for Features {
    fn default() -> Self {
        Features([f64::NAN; NAMES.len()])
    }
}

impl Features {
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

/// Profile attribute keys each feature is read from, first match wins.
const ATTRS: [(usize, &[&str]); 6] = [
    (FOLLOWERS, &["followers_count", "follower_count"]),
    (FOLLOWING, &["following_count", "friends_count"]),
    (POSTS, &["posts_count", "statuses_count", "media_count"]),
    (IS_PRIVATE, &["is_private", "protected"]),
    (HAS_BIO, &["has_bio", "bio_length"]),
    (HAS_PICTURE, &["has_picture", "has_profile_pic"]),
];

/// Features of every account in the store: profile attributes where exports carried them,
/// otherwise what the event log shows (followers, following, posts, age since first
/// appearance, engagement received per post).
pub fn from_store(store: &Store, act: &Activity) -> Result<Vec<Features>> {
    let n = act.n;
    let mut out = vec![Features::default(); n];
    for (i, f) in out.iter_mut().enumerate() {
        f.0[FOLLOWERS] = act.followers[i].len() as f64;
        f.0[FOLLOWING] = act.following[i].len() as f64;
        f.0[POSTS] = f64::from(act.posts[i]);
        if act.posts[i] > 0 {
            f.0[ENGAGEMENT_PER_POST] =
                f64::from(act.engagements_received[i]) / f64::from(act.posts[i]);
        }
        let born = act.created_at[i].or(act.first_seen[i]);
        if let (Some(b), Some(end)) = (born, act.log_end) {
            f.0[AGE_DAYS] = ((end - b) as f64 / DAY as f64).max(0.0);
        }
    }
    for (feature, keys) in ATTRS {
        for key in keys.iter().rev() {
            for (id, v) in store.numeric_attributes(key)? {
                if let Some(f) = out.get_mut(id as usize) {
                    let v = if matches!(feature, HAS_BIO | HAS_PICTURE | IS_PRIVATE) {
                        f64::from(u8::from(v > 0.0))
                    } else if matches!(feature, FOLLOWERS | FOLLOWING | POSTS) {
                        // Profile counts include what the log never saw.
                        v.max(f.0[feature])
                    } else {
                        v
                    };
                    f.0[feature] = v;
                }
            }
        }
    }
    // Text attributes: a non-empty bio or picture URL.
    let conn = store.connection();
    for (feature, keys) in [
        (HAS_BIO, "'bio','description','summary'"),
        (HAS_PICTURE, "'avatar','picture','profile_image_url','icon'"),
    ] {
        let sql = format!(
            "SELECT DISTINCT account FROM account_attrs WHERE key IN ({keys}) AND text IS NOT NULL AND text <> ''"
        );
        let mut st = conn.prepare(&sql).map_err(renown_store_err(store))?;
        let ids = st
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(renown_store_err(store))?;
        for id in ids {
            let id = id.map_err(renown_store_err(store))?;
            if let Some(f) = out.get_mut((id - 1) as usize) {
                f.0[feature] = 1.0;
            }
        }
    }
    Ok(out)
}

fn renown_store_err(store: &Store) -> impl Fn(rusqlite::Error) -> crate::AuditError + '_ {
    move |e| crate::AuditError::Data {
        path: store.path().display().to_string(),
        reason: e.to_string(),
    }
}
