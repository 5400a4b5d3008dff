//! Links between accounts worth confirming: `renown link --suggest`. Scored, never applied —
//! the analyst confirms a link by putting it in a file for `renown link FILE`.
//!
//! Three signals, each with a prior probability that the two accounts are one person:
//! - **rel=me both ways** (0.95): each profile names the other in a profile field, as
//!   Mastodon's verified links do;
//! - **a profile URL naming a blog in the store** (0.7), or another account's profile (0.6),
//!   one way;
//! - **the same handle** on two platforms (0.35; handles of at least three characters that at
//!   most four accounts share — a common handle says nothing).
//!
//! Signals combine as independent evidence (noisy-or: `1 − Π(1 − p)`). The priors are
//! judgments, not fitted: no labelled set of cross-platform links exists to calibrate them, so a
//! confidence orders suggestions and is not a measured probability.

use crate::source::{AccountRef, Source};
use crate::AppError;
use renown_store::AccountInfo;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The prior of the signal rel me both ways.
pub const REL_ME_BOTH_WAYS: f64 = 0.95;
/// The prior of the signal url to blog.
pub const URL_TO_BLOG: f64 = 0.7;
/// The prior of the signal url to profile.
pub const URL_TO_PROFILE: f64 = 0.6;
/// The prior of the signal same handle.
pub const SAME_HANDLE: f64 = 0.35;
/// A handle shared by more accounts than this is too common to suggest anything.
const MAX_SHARING_HANDLE: usize = 4;

/// Two accounts that may be one person.
#[derive(Clone, Debug, Serialize)]
pub struct ScoredLink {
    /// The account.
    pub account: AccountRef,
    /// The account it may be one person with.
    pub other: AccountRef,
    /// Noisy-or of the signals' priors (orders suggestions; not calibrated).
    pub confidence: f64,
    /// The signals found.
    pub reasons: Vec<String>,
    /// Whether `renown link` already made them one person.
    pub linked: bool,
}

/// The handle's local part, lowercase, without `@` and server (`@Dan@indieweb.social` → `dan`).
fn bare_handle(a: &AccountInfo) -> Option<String> {
    let h = a.handle.as_deref()?.trim().trim_start_matches('@');
    let local = h.split('@').next().unwrap_or("");
    let local = local.split('.').next().unwrap_or("").to_lowercase();
    (local.chars().count() >= 3 && !local.bytes().all(|b| b.is_ascii_digit())).then_some(local)
}

/// Every scored suggestion, most confident first.
pub fn suggest_links<S: Source>(src: &S) -> Result<Vec<ScoredLink>, S::Error> {
    let store = src.store();
    let accounts = src.accounts()?;
    let suggestions = store.suggested_links().map_err(AppError::from)?;
    let persons = store.person_groups().map_err(AppError::from)?;
    // (smaller id, larger id) → reasons with their priors.
    let mut evidence: BTreeMap<(u32, u32), Vec<(f64, String)>> = BTreeMap::new();
    let pair = |a: u32, b: u32| (a.min(b), a.max(b));
    // One-way profile links, a → b.
    let mut one_way: HashMap<(u32, u32), String> = HashMap::new();
    for s in &suggestions {
        for &m in &s.matches {
            one_way
                .entry((s.account, m))
                .or_insert_with(|| s.url.clone());
        }
    }
    let label = |d: u32| accounts[d as usize].label();
    for (&(a, b), url) in &one_way {
        if one_way.contains_key(&(b, a)) {
            if a < b {
                evidence.entry(pair(a, b)).or_default().push((
                    REL_ME_BOTH_WAYS,
                    "rel=me both ways: each profile links the other".into(),
                ));
            }
            continue;
        }
        let blog = accounts[b as usize].platform == "blog";
        evidence.entry(pair(a, b)).or_default().push(if blog {
            (
                URL_TO_BLOG,
                format!("{}'s profile links {url}, a blog in the store", label(a)),
            )
        } else {
            (
                URL_TO_PROFILE,
                format!("{}'s profile links {url}", label(a)),
            )
        });
    }
    let mut by_handle: HashMap<String, Vec<u32>> = HashMap::new();
    for a in accounts.iter() {
        if let Some(h) = bare_handle(a) {
            by_handle.entry(h).or_default().push(a.dense);
        }
    }
    for (handle, ids) in &by_handle {
        if ids.len() < 2 || ids.len() > MAX_SHARING_HANDLE {
            continue;
        }
        for (i, &a) in ids.iter().enumerate() {
            for &b in &ids[i + 1..] {
                if accounts[a as usize].platform != accounts[b as usize].platform {
                    evidence
                        .entry(pair(a, b))
                        .or_default()
                        .push((SAME_HANDLE, format!("the same handle ({handle})")));
                }
            }
        }
    }
    let mut out: Vec<ScoredLink> = evidence
        .into_iter()
        .map(|((a, b), reasons)| ScoredLink {
            account: AccountRef::from(&accounts[a as usize]),
            other: AccountRef::from(&accounts[b as usize]),
            confidence: 1.0 - reasons.iter().map(|r| 1.0 - r.0).product::<f64>(),
            reasons: reasons.into_iter().map(|r| r.1).collect(),
            linked: persons.get(a as usize) == persons.get(b as usize),
        })
        .collect();
    out.sort_by(|x, y| {
        y.confidence
            .total_cmp(&x.confidence)
            .then(x.account.id.cmp(&y.account.id))
            .then(x.other.id.cmp(&y.other.id))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Direct;
    use renown_model::{AccountRef as Ref, Event, Kind, Profile, Record, SuggestedLink};
    use renown_store::links::LinkRow;
    use renown_store::Store;

    fn post(platform: &str, id: &str, handle: Option<&str>) -> Record {
        Record::Event(Event::new(
            platform,
            Kind::Post,
            Ref::with_handle(id, handle.map(str::to_string)),
        ))
    }

    fn profile(platform: &str, id: &str, url: &str, links: &[&str]) -> Record {
        Record::Profile(Profile {
            platform: platform.into(),
            account: Ref::new(id),
            suggested_links: links
                .iter()
                .map(|l| SuggestedLink {
                    url: l.to_string(),
                    why: "profile field \"Web\" (rel=me)".into(),
                })
                .collect(),
            texts: vec![("url".into(), url.into())],
            ..Profile::default()
        })
    }

    #[test]
    fn signals_combine_into_a_confidence_and_nothing_is_linked() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let run = store.begin_run("x", "test").unwrap();
        let records = [
            // 0, 1: each profile links the other, and they share a handle.
            post("mastodon", "dan@a.social", Some("@dan@a.social")),
            post("pixelfed", "dan@px.social", Some("@dan@px.social")),
            // 2: a blog; 3 links it one way.
            post("blog", "https://dana.example", None),
            post("bluesky", "did:plc:x", Some("@dana.bsky.social")),
            // 4, 5: only the same handle.
            post("twitter", "77", Some("@eve_writes")),
            post("bluesky", "did:plc:y", Some("@eve_writes.bsky.social")),
            profile(
                "mastodon",
                "dan@a.social",
                "https://a.social/@dan",
                &["https://px.social/@dan"],
            ),
            profile(
                "pixelfed",
                "dan@px.social",
                "https://px.social/@dan",
                &["https://a.social/@dan"],
            ),
            profile(
                "bluesky",
                "did:plc:x",
                "https://bsky.app/x",
                &["https://dana.example/"],
            ),
        ];
        let batch: Vec<(u64, Record)> = records
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64, r))
            .collect();
        store.write_batch(run, &batch, 0).unwrap();
        let links = suggest_links(&Direct::new(&store)).unwrap();
        let found: Vec<((u32, u32), f64)> = links
            .iter()
            .map(|l| ((l.account.id, l.other.id), l.confidence))
            .collect();
        // rel=me both ways and the same handle: 1 − 0.05 · 0.65 = 0.9675.
        assert_eq!(found[0].0, (0, 1));
        assert!((found[0].1 - 0.9675).abs() < 1e-12);
        assert_eq!(found[1], ((2, 3), URL_TO_BLOG));
        assert_eq!(found[2], ((4, 5), SAME_HANDLE));
        assert_eq!(found.len(), 3);
        assert!(links.iter().all(|l| !l.linked));
        // Suggesting applied nothing; a confirmed link shows as linked.
        assert_eq!(store.persons().unwrap(), []);
        store
            .link_accounts(&[
                LinkRow {
                    person: "Eve".into(),
                    platform: "twitter".into(),
                    handle: "77".into(),
                },
                LinkRow {
                    person: "Eve".into(),
                    platform: "bluesky".into(),
                    handle: "did:plc:y".into(),
                },
            ])
            .unwrap();
        let again = suggest_links(&Direct::new(&store)).unwrap();
        assert!(again.iter().any(|l| l.account.id == 4 && l.linked));
    }
}
