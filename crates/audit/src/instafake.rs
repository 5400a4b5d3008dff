//! The InstaFake dataset (Akyon & Kalfaoglu 2019): Instagram accounts labelled fake or real,
//! with their profile counts. It is a labelled dataset, not an event export, so it is read here
//! rather than ingested.

use crate::features::{self, Features};
use crate::{AuditError, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The fake-account files of the dataset (the automated-account file has other fields).
pub const FILES: [&str; 2] = ["fakeAccountData.json", "realAccountData.json"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    user_follower_count: f64,
    user_following_count: f64,
    user_biography_length: f64,
    user_media_count: f64,
    user_has_profil_pic: f64,
    user_is_private: f64,
    username_digit_count: f64,
    username_length: f64,
    is_fake: u8,
}

/// Labelled accounts: features and whether each is fake.
pub struct Labelled {
    pub features: Vec<Features>,
    pub fake: Vec<bool>,
}

/// Reads a JSON file of accounts, or the dataset's two files from a folder.
pub fn load(path: &Path) -> Result<Labelled> {
    let files: Vec<PathBuf> = if path.is_dir() {
        FILES.iter().map(|f| path.join(f)).collect()
    } else {
        vec![path.to_path_buf()]
    };
    let mut out = Labelled {
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
                "line {}: {} (expected a JSON array of InstaFake account objects)",
                e.line(),
                e
            ))
        })?;
        for r in rows {
            let mut f = Features::default();
            f.0[features::FOLLOWERS] = r.user_follower_count;
            f.0[features::FOLLOWING] = r.user_following_count;
            f.0[features::POSTS] = r.user_media_count;
            f.0[features::HAS_BIO] = f64::from(u8::from(r.user_biography_length > 0.0));
            f.0[features::HAS_PICTURE] = r.user_has_profil_pic;
            f.0[features::IS_PRIVATE] = r.user_is_private;
            f.0[features::USERNAME_LENGTH] = r.username_length;
            f.0[features::USERNAME_DIGITS] = r.username_digit_count;
            out.features.push(f);
            out.fake.push(r.is_fake != 0);
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
