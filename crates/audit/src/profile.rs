//! The profile fields an account description is built from, whatever the source.
//!
//! Readers store profile attributes under their platform's own names (Twitter v2's
//! `tweet_count` and `has_description`, a CSV's `posts_count`, InstaFake's `userMediaCount`);
//! [`ProfileFields`] is the one typed view of them, so the classifier scores every source on the
//! same inputs it was trained on. A field the source did not carry stays `None` — a missing
//! value, never a zero.

use crate::{AuditError, Result};
use renown_store::{AccountInfo, Store};

/// One account's profile, every field optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileFields {
    pub followers: Option<f64>,
    pub following: Option<f64>,
    pub posts: Option<f64>,
    pub has_bio: Option<bool>,
    /// Characters in the bio.
    pub bio_length: Option<f64>,
    pub has_picture: Option<bool>,
    pub is_private: Option<bool>,
    /// Creation time, unix seconds.
    pub created_at: Option<i64>,
    pub username_length: Option<f64>,
    pub username_digits: Option<f64>,
}

/// Numeric attribute names each field is stored under by some reader; the first present wins.
const FOLLOWERS_KEYS: &[&str] = &["followers_count", "follower_count"];
pub const FOLLOWING_KEYS: &[&str] = &["following_count", "friends_count"];
/// `tweet_count` is Twitter v2's, `statuses_count` v1.1's and Mastodon's, `media_count`
/// Instagram's.
const POSTS_KEYS: &[&str] = &[
    "posts_count",
    "statuses_count",
    "tweet_count",
    "media_count",
];
/// `has_description` is what the Twitter v2, Mastodon and Bluesky readers store.
const HAS_BIO_KEYS: &[&str] = &["has_bio", "has_description"];
const BIO_LENGTH_KEYS: &[&str] = &["bio_length"];
const HAS_PICTURE_KEYS: &[&str] = &["has_picture", "has_profile_pic"];
const PRIVATE_KEYS: &[&str] = &["is_private", "protected"];
const CREATED_KEYS: &[&str] = &["created_at"];
/// Text attributes holding a bio, and a picture.
const BIO_TEXTS: &[&str] = &["bio", "description", "summary"];
const PICTURE_TEXTS: &[&str] = &["avatar", "picture", "profile_image_url", "icon"];

impl ProfileFields {
    /// Sets the username features from a handle or username: `@alice`, `alice` and
    /// `@alice@example.social` all give `alice`.
    pub fn set_username(&mut self, handle: &str) {
        let name = handle.trim_start_matches('@');
        let name = name.split('@').next().unwrap_or(name);
        if name.is_empty() {
            return;
        }
        self.username_length = Some(name.chars().count() as f64);
        self.username_digits = Some(name.chars().filter(char::is_ascii_digit).count() as f64);
    }

    /// Whether there is a bio: stored as such, or implied by its length.
    pub fn bio_present(&self) -> Option<bool> {
        self.bio_length.map(|l| l > 0.0).or(self.has_bio)
    }

    /// The bio's length: stored or measured, or 0 when the source says there is none.
    pub fn bio_chars(&self) -> Option<f64> {
        self.bio_length
            .or((self.has_bio == Some(false)).then_some(0.0))
    }
}

/// The profile fields of every account in the store (index = dense id), read from the
/// attributes readers stored and from each account's handle.
pub fn from_store(store: &Store, accounts: &[AccountInfo]) -> Result<Vec<ProfileFields>> {
    let mut out = vec![ProfileFields::default(); accounts.len()];
    for (p, info) in out.iter_mut().zip(accounts) {
        if let Some(h) = &info.handle {
            p.set_username(h);
        }
    }
    type Setter = fn(&mut ProfileFields, f64);
    let fields: [(&[&str], Setter); 8] = [
        (FOLLOWERS_KEYS, |p, v| p.followers = Some(v)),
        (FOLLOWING_KEYS, |p, v| p.following = Some(v)),
        (POSTS_KEYS, |p, v| p.posts = Some(v)),
        (HAS_BIO_KEYS, |p, v| p.has_bio = Some(v > 0.0)),
        (BIO_LENGTH_KEYS, |p, v| p.bio_length = Some(v)),
        (HAS_PICTURE_KEYS, |p, v| p.has_picture = Some(v > 0.0)),
        (PRIVATE_KEYS, |p, v| p.is_private = Some(v > 0.0)),
        (CREATED_KEYS, |p, v| p.created_at = Some(v as i64)),
    ];
    for (keys, set) in fields {
        // Later keys are overwritten by earlier ones: the first listed name wins.
        for key in keys.iter().rev() {
            for (id, v) in store.numeric_attributes(key)? {
                if let Some(p) = out.get_mut(id as usize) {
                    set(p, v);
                }
            }
        }
    }
    for (id, text) in text_attributes(store, BIO_TEXTS)? {
        if let Some(p) = out.get_mut(id as usize) {
            let len = text.chars().count() as f64;
            p.bio_length = Some(p.bio_length.map_or(len, |l| l.max(len)));
        }
    }
    for (id, text) in text_attributes(store, PICTURE_TEXTS)? {
        if let Some(p) = out.get_mut(id as usize) {
            p.has_picture = Some(!text.trim().is_empty() || p.has_picture == Some(true));
        }
    }
    Ok(out)
}

/// `(dense id, text)` of the text attributes named `keys`.
fn text_attributes(store: &Store, keys: &[&str]) -> Result<Vec<(u32, String)>> {
    let err = |e: rusqlite::Error| AuditError::Data {
        path: store.path().display().to_string(),
        reason: e.to_string(),
    };
    let placeholders = vec!["?"; keys.len()].join(",");
    let sql = format!(
        "SELECT account, text FROM account_attrs WHERE key IN ({placeholders}) AND text IS NOT NULL"
    );
    let conn = store.connection();
    let mut st = conn.prepare(&sql).map_err(err)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(keys.iter()), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(err)?;
    let mut out = Vec::new();
    for r in rows {
        let (id, text) = r.map_err(err)?;
        // Attribute rows carry 1-based account ids; dense ids are 0-based.
        if id >= 1 {
            out.push(((id - 1) as u32, text));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_drop_the_at_and_the_instance() {
        let mut p = ProfileFields::default();
        p.set_username("@fan00042@example.social");
        assert_eq!(p.username_length, Some(8.0));
        assert_eq!(p.username_digits, Some(5.0));
        let mut q = ProfileFields::default();
        q.set_username("@");
        assert_eq!(q.username_length, None);
    }
}
