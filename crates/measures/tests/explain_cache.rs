//! `explain` keeps what explaining any account needs beside the store (`<db>.cache/explain-*`
//! and the trajectory's month-end scores): an explanation read back from those files is the
//! one computed from the log, and each agrees with the earned model computed afresh.

mod common;

use renown_measures::earned::{self, month_of};
use renown_measures::explain::{explain, ExplainOptions, Explanation};
use renown_measures::Scope;
use renown_sim::{simulate, SimConfig};
use renown_store::Store;
use std::path::Path;

fn store() -> (tempfile::TempDir, Store) {
    let cfg = SimConfig {
        seed: 11,
        accounts: 100,
        days: 120,
        bought_followers: 20,
        buy_day: 60,
        viral_day: 40,
        viral_size: 30,
        ..SimConfig::default()
    };
    common::store_with(&simulate(&cfg).events)
}

/// The kept indexes' files with their inodes: a file built again is renamed into place anew.
fn kept_indexes(cache: &Path) -> Vec<(String, u64)> {
    use std::os::unix::fs::MetadataExt;
    let mut kept: Vec<(String, u64)> = std::fs::read_dir(cache).map_or(Vec::new(), |entries| {
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("explain-"))
            .map(|e| {
                let inode = e.metadata().unwrap().ino();
                (e.file_name().to_string_lossy().into_owned(), inode)
            })
            .collect()
    });
    kept.sort();
    kept
}

#[test]
fn an_explanation_read_back_is_the_one_computed_from_the_log_and_the_model_s() {
    let (dir, store) = store();
    let cache = dir.path().join("s.db.cache");
    let accounts = store.accounts().unwrap();
    let n = accounts.len() as u32;
    let last = store.last_event_time().unwrap().unwrap();
    let opts = ExplainOptions {
        endorsers: usize::MAX,
        trajectory_months: 6,
        ..ExplainOptions::default()
    };
    let explained = |scope: &Scope, b: u32| -> Explanation {
        explain(&store, scope, b, &accounts, &opts).unwrap()
    };
    for scope in [
        Scope::default(),
        Scope {
            as_of: Some(last - 40 * 86_400),
            ..Scope::default()
        },
    ] {
        // Computed from the log (no file kept), then read back from the files it wrote.
        for b in [0, n / 3, n - 1] {
            let _ = std::fs::remove_dir_all(&cache);
            let computed = format!("{:?}", explained(&scope, b));
            let kept = kept_indexes(&cache);
            assert_eq!(kept.len(), 1, "the index is kept beside the store");
            assert_eq!(format!("{:?}", explained(&scope, b)), computed);
            assert_eq!(kept_indexes(&cache), kept, "read back, not built again");
        }
        let kept = kept_indexes(&cache);
        // Every account from the kept files agrees with the model computed afresh.
        let model = earned::model(&store, &scope, &opts.params).unwrap();
        let reference = model.reference.unwrap();
        let month_ends: Vec<(String, Vec<f64>)> = (1..6)
            .rev()
            .map(|k| {
                let end = month_start(month_of(reference) - k + 1) - 1;
                let at = Scope {
                    as_of: Some(end),
                    ..scope.clone()
                };
                let scores = earned::model(&store, &at, &opts.params).unwrap().score;
                (renown_model::format_time(end), scores)
            })
            .collect();
        let mut engaged = 0;
        for b in 0..n {
            let x = explained(&scope, b);
            let i = b as usize;
            assert_eq!(x.score, model.score[i]);
            assert_eq!(x.credibility, model.credibility[i]);
            assert_eq!(x.consistency.factor, model.consistency[i]);
            let endorsed: f64 = x.endorsers.iter().map(|e| e.contribution).sum();
            let by_kind: f64 = x.by_kind.iter().map(|k| k.contribution).sum();
            let by_month: f64 = x.by_month.iter().map(|m| m.contribution).sum();
            for part in [endorsed, by_kind, by_month + x.followers.contribution] {
                assert!(
                    (part - x.score).abs() <= 1e-9 * x.score.max(1.0),
                    "{b}: {part}"
                );
            }
            engaged += usize::from(x.score > 0.0);
            assert_eq!(x.trajectory.len(), 6);
            for (p, (as_of, scores)) in x.trajectory.iter().zip(&month_ends) {
                assert_eq!(&p.as_of, as_of);
                assert_eq!(p.score, scores[i]);
            }
            assert_eq!(x.trajectory[5].score, x.score);
        }
        assert!(engaged > 10, "the scope scores {engaged} accounts");
        assert_eq!(
            kept_indexes(&cache),
            kept,
            "every account read the one index"
        );
    }
    // Month ends before the data score everyone 0 and are kept as a count (checked equal to the
    // model's scores above); the others as the scores.
    let sizes: Vec<u64> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("trajectory-"))
        .map(|e| e.metadata().unwrap().len())
        .collect();
    let (small, large) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
    // The same header (key) on both; 8 bytes per account on the large one only.
    assert_eq!(large - small, 8 * u64::from(n) - 8, "{sizes:?}");
    // One index per scope, both kept at this store state.
    explained(&Scope::default(), 0);
    assert_eq!(kept_indexes(&cache).len(), 2);
}

/// Unix time of the first second of month index `m`.
fn month_start(m: i32) -> i64 {
    let (y, mo) = (i64::from(m.div_euclid(12)), m.rem_euclid(12) as u32 + 1);
    renown_model::civil::days_from_civil(y, mo, 1) * 86_400
}
