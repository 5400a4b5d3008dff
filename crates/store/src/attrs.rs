//! Profile attributes: the typed [`ProfileFacts`] readers fill are stored under one canonical
//! key each in `account_attrs` (whatever the platform called them), beside the free-form extras,
//! and read back typed by [`Store::profile_facts`].

use crate::{Result, Store};
use renown_model::ProfileFacts;

/// Numeric fact keys, as stored.
pub(crate) const FOLLOWERS: &str = "followers_count";
pub(crate) const FOLLOWING: &str = "following_count";
pub(crate) const POSTS: &str = "posts_count";
pub(crate) const HAS_BIO: &str = "has_bio";
pub(crate) const BIO_LENGTH: &str = "bio_length";
pub(crate) const HAS_PICTURE: &str = "has_picture";
pub(crate) const PRIVATE: &str = "is_private";
pub(crate) const CREATED: &str = "created_at";
/// The text fact key of the username.
pub(crate) const USERNAME: &str = "username";

/// Keys older renown (layout 2 and before) stored facts under, by the canonical key they mean,
/// the preferred first: converted on open ([`crate::schema`]).
pub(crate) const LEGACY_NUMBERS: &[(&str, &[&str])] = &[
    (FOLLOWERS, &["follower_count"]),
    (FOLLOWING, &["friends_count"]),
    (POSTS, &["statuses_count", "tweet_count", "media_count"]),
    (HAS_BIO, &["has_description"]),
    (HAS_PICTURE, &["has_profile_pic"]),
    (PRIVATE, &["protected"]),
];
/// Text attributes older renown measured a bio and a picture from.
pub(crate) const LEGACY_BIO_TEXTS: &[&str] = &["bio", "description", "summary"];
pub(crate) const LEGACY_PICTURE_TEXTS: &[&str] =
    &["avatar", "picture", "profile_image_url", "icon"];

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// The numeric facts a profile carries, as (key, value) rows.
pub(crate) fn fact_numbers<'a>(f: &ProfileFacts) -> impl Iterator<Item = (&'a str, f64)> {
    [
        (FOLLOWERS, f.followers.map(|v| v as f64)),
        (FOLLOWING, f.following.map(|v| v as f64)),
        (POSTS, f.posts.map(|v| v as f64)),
        (HAS_BIO, f.has_bio.map(flag)),
        (BIO_LENGTH, f.bio_length.map(|v| v as f64)),
        (HAS_PICTURE, f.has_picture.map(flag)),
        (PRIVATE, f.private.map(flag)),
        (CREATED, f.created.map(|v| v as f64)),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
}

/// A stored count back to an integer; a negative or non-finite one is no count.
fn count(v: f64) -> Option<u64> {
    (v.is_finite() && v >= 0.0).then_some(v as u64)
}

impl Store {
    /// The profile facts of every account (index = dense id): what the readers stored, a field
    /// no source carried left `None`.
    pub fn profile_facts(&self) -> Result<Vec<ProfileFacts>> {
        let n = self.account_count()? as usize;
        let mut out = vec![ProfileFacts::default(); n];
        let mut st = self
            .conn
            .prepare(
                "SELECT account, key, num, text FROM account_attrs
                 WHERE key IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(|e| self.err(e))?;
        let keys = [
            FOLLOWERS,
            FOLLOWING,
            POSTS,
            HAS_BIO,
            BIO_LENGTH,
            HAS_PICTURE,
            PRIVATE,
            CREATED,
            USERNAME,
        ];
        let mut rows = st.query(keys).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let get = || -> rusqlite::Result<(i64, String, Option<f64>, Option<String>)> {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            };
            let (account, key, num, text) = get().map_err(|e| self.err(e))?;
            // Attribute rows carry 1-based account ids; dense ids are 0-based.
            let Some(f) = usize::try_from(account - 1)
                .ok()
                .and_then(|i| out.get_mut(i))
            else {
                continue;
            };
            match (key.as_str(), num) {
                (USERNAME, _) => f.username = text,
                (FOLLOWERS, Some(v)) => f.followers = count(v),
                (FOLLOWING, Some(v)) => f.following = count(v),
                (POSTS, Some(v)) => f.posts = count(v),
                (HAS_BIO, Some(v)) => f.has_bio = Some(v > 0.0),
                (BIO_LENGTH, Some(v)) => f.bio_length = count(v),
                (HAS_PICTURE, Some(v)) => f.has_picture = Some(v > 0.0),
                (PRIVATE, Some(v)) => f.private = Some(v > 0.0),
                (CREATED, Some(v)) if v.is_finite() => f.created = Some(v as i64),
                _ => {}
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use renown_model::{AccountRef, Profile, ProfileFacts, Record};

    #[test]
    fn facts_round_trip_under_one_key_each() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("f.db")).unwrap();
        let run = store.begin_run("x", "test").unwrap();
        let mut facts = ProfileFacts {
            followers: Some(120),
            following: Some(80),
            posts: Some(5000),
            private: Some(false),
            created: Some(1_700_000_000),
            ..ProfileFacts::default()
        };
        facts.set_bio("writes about rust");
        facts.set_username("@alice@example.social");
        let profile = Profile {
            platform: "twitter".into(),
            account: AccountRef::new("1"),
            facts: facts.clone(),
            ..Profile::default()
        };
        let bare = Profile {
            platform: "twitter".into(),
            account: AccountRef::new("2"),
            ..Profile::default()
        };
        store
            .write_batch(
                run,
                &[(0, Record::Profile(profile)), (0, Record::Profile(bare))],
                0,
            )
            .unwrap();
        let got = store.profile_facts().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], facts);
        assert_eq!(got[0].username.as_deref(), Some("alice"));
        assert_eq!(got[0].bio_length, Some(17));
        assert!(got[1].is_empty());
    }
}
