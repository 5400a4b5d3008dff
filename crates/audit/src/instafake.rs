//! The InstaFake dataset (Akyon & Kalfaoglu 2019): Instagram accounts labelled fake or real,
//! with their profile counts. It is a labelled dataset, not an event export, so it is read here
//! rather than ingested.

use crate::features::Features;
use crate::profile::ProfileFields;
use crate::{AuditError, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The fake-account files of the dataset (the automated-account file has other fields).
pub const FILES: [&str; 2] = ["fakeAccountData.json", "realAccountData.json"];

/// One account of a labelled file. Every field is optional: real exports are full of missing
/// fields, and a missing one is a missing value to the model, not an error. Snake-case and
/// plain names are accepted beside InstaFake's own.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    #[serde(alias = "followers_count", alias = "followers")]
    user_follower_count: Option<f64>,
    #[serde(alias = "following_count", alias = "following")]
    user_following_count: Option<f64>,
    #[serde(alias = "bio_length")]
    user_biography_length: Option<f64>,
    #[serde(alias = "has_bio")]
    has_bio: Option<f64>,
    #[serde(alias = "posts_count", alias = "posts")]
    user_media_count: Option<f64>,
    #[serde(alias = "has_picture")]
    user_has_profil_pic: Option<f64>,
    #[serde(alias = "is_private")]
    user_is_private: Option<f64>,
    username: Option<String>,
    #[serde(alias = "username_digit_count")]
    username_digit_count: Option<f64>,
    #[serde(alias = "username_length")]
    username_length: Option<f64>,
    #[serde(alias = "is_fake")]
    is_fake: Option<u8>,
}

impl Row {
    fn profile(&self) -> ProfileFields {
        let mut p = ProfileFields {
            followers: self.user_follower_count,
            following: self.user_following_count,
            posts: self.user_media_count,
            has_bio: self.has_bio.map(|v| v > 0.0),
            bio_length: self.user_biography_length,
            has_picture: self.user_has_profil_pic.map(|v| v > 0.0),
            is_private: self.user_is_private.map(|v| v > 0.0),
            ..ProfileFields::default()
        };
        if let Some(name) = &self.username {
            p.set_username(name);
        }
        p.username_length = self.username_length.or(p.username_length);
        p.username_digits = self.username_digit_count.or(p.username_digits);
        p
    }
}

/// Accounts of a file, labelled or not.
pub struct Accounts {
    /// Each account's features, in file order.
    pub features: Vec<Features>,
    /// `None` where the row carries no `isFake`.
    pub fake: Vec<Option<bool>>,
}

/// Labelled accounts: features and whether each is fake.
pub struct Labelled {
    /// Each account's features.
    pub features: Vec<Features>,
    /// Whether it is fake.
    pub fake: Vec<bool>,
}

/// Reads a JSON array of accounts, or the dataset's two files from a folder.
pub fn load_accounts(path: &Path) -> Result<Accounts> {
    let files: Vec<PathBuf> = if path.is_dir() {
        FILES.iter().map(|f| path.join(f)).collect()
    } else {
        vec![path.to_path_buf()]
    };
    let mut out = Accounts {
        features: Vec::new(),
        fake: Vec::new(),
    };
    for file in files {
        let err = |reason: String| AuditError::Data {
            path: file.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(&file).map_err(|e| err(e.to_string()))?;
        let rows: Vec<Row> = serde_json::from_str(&text).map_err(|e| {
            err(format!(
                "line {}: {} (expected a JSON array of account objects)",
                e.line(),
                e
            ))
        })?;
        for r in rows {
            out.features.push(Features::from_profile(&r.profile()));
            out.fake.push(r.is_fake.map(|v| v != 0));
        }
    }
    if out.fake.is_empty() {
        return Err(AuditError::Invalid(format!(
            "{}: no accounts",
            path.display()
        )));
    }
    Ok(out)
}

/// Reads labelled accounts (see [`load_accounts`]); every row needs `isFake`. One class only
/// is fine for scoring; training checks for both.
pub fn load(path: &Path) -> Result<Labelled> {
    let a = load_accounts(path)?;
    let fake = a
        .fake
        .iter()
        .enumerate()
        .map(|(i, l)| {
            l.ok_or_else(|| AuditError::Data {
                path: path.display().to_string(),
                reason: format!("account #{} has no isFake label", i + 1),
            })
        })
        .collect::<Result<Vec<bool>>>()?;
    Ok(Labelled {
        features: a.features,
        fake,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{
        BIO_LENGTH, FOLLOWERS, HAS_BIO, POSTS, USERNAME_DIGITS, USERNAME_LENGTH,
    };

    #[test]
    fn missing_fields_are_missing_values_not_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(
            &path,
            r#"[{"userFollowerCount": 10, "isFake": 1},
                {"followers_count": 5, "posts_count": 5000, "username": "bob42", "has_bio": 1},
                {"username_length": 9, "username_digit_count": 4, "is_fake": 0}]"#,
        )
        .unwrap();
        let a = load_accounts(&path).unwrap();
        assert_eq!(a.fake, vec![Some(true), None, Some(false)]);
        // Snake-case names of InstaFake's username counts are read, not silently dropped.
        assert_eq!(a.features[2].get(USERNAME_LENGTH), Some(9.0));
        assert_eq!(a.features[2].get(USERNAME_DIGITS), Some(4.0));
        let (x, y) = (&a.features[0], &a.features[1]);
        assert_eq!(x.get(FOLLOWERS), Some(10.0));
        assert_eq!(x.get(BIO_LENGTH), None);
        assert_eq!(x.get(HAS_BIO), None);
        assert_eq!(y.get(POSTS), Some(5000.0));
        assert_eq!(y.get(USERNAME_DIGITS), Some(2.0));
        assert_eq!(y.get(HAS_BIO), Some(1.0));
        assert!(load(&path).is_err(), "training needs every label");
    }
}
