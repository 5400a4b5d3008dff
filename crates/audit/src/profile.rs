//! The profile fields an account description is built from, whatever the source.
//!
//! Readers fill the model's typed [`renown_model::ProfileFacts`] whatever their platform calls
//! each field (Twitter v2's `tweet_count` is the post count), and the store keeps them under one
//! key each; InstaFake's loader fills the same fields from its columns. [`ProfileFields`] is the
//! classifier's view of them, so it scores every source on the inputs it was trained on. A
//! field the source did not carry stays `None` — a missing value, never a zero.

use crate::Result;
use renown_model::ProfileFacts;
use renown_store::{AccountInfo, Store};

/// One account's profile, every field optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileFields {
    /// Followers, as the profile counts them.
    pub followers: Option<f64>,
    /// Accounts it follows.
    pub following: Option<f64>,
    /// Posts (tweets, statuses, …).
    pub posts: Option<f64>,
    /// It has a bio.
    pub has_bio: Option<bool>,
    /// Characters in the bio.
    pub bio_length: Option<f64>,
    /// It has a profile picture (not the default).
    pub has_picture: Option<bool>,
    /// The account is private (protected, locked).
    pub is_private: Option<bool>,
    /// Creation time, unix seconds.
    pub created_at: Option<i64>,
    /// Characters in the username.
    pub username_length: Option<f64>,
    /// Digits in the username.
    pub username_digits: Option<f64>,
}

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

/// The profile fields of every account in the store (index = dense id), from the facts readers
/// stored; the username, when no reader gave one, from each account's handle.
pub fn from_store(store: &Store, accounts: &[AccountInfo]) -> Result<Vec<ProfileFields>> {
    let facts = store.profile_facts()?;
    let out = accounts
        .iter()
        .enumerate()
        .map(|(i, info)| {
            let f = facts.get(i).cloned().unwrap_or_default();
            let mut p = ProfileFields::from_facts(&f);
            if let Some(name) = f.username.as_deref().or(info.handle.as_deref()) {
                p.set_username(name);
            }
            p
        })
        .collect();
    Ok(out)
}

impl ProfileFields {
    /// The fields of a profile's typed facts (the username's features are set apart).
    pub fn from_facts(f: &ProfileFacts) -> ProfileFields {
        let num = |v: Option<u64>| v.map(|v| v as f64);
        ProfileFields {
            followers: num(f.followers),
            following: num(f.following),
            posts: num(f.posts),
            has_bio: f.has_bio,
            bio_length: num(f.bio_length),
            has_picture: f.has_picture,
            is_private: f.private,
            created_at: f.created,
            username_length: None,
            username_digits: None,
        }
    }
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
