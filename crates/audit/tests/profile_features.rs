//! Profile features read the same from every source: a Twitter v2 export ingested by the real
//! reader gives the classifier the counts it stored under Twitter's names.

use renown_audit::features::{
    self, BIO_LENGTH, FOLLOWERS, HAS_BIO, POSTS, USERNAME_DIGITS, USERNAME_LENGTH,
};
use renown_audit::Activity;
use renown_ingest::{ingest_path, IngestOptions};
use renown_measures::Scope;
use renown_store::Store;

#[test]
fn twitter_v2_counts_bio_and_username_reach_the_features() {
    let doc = r#"{"data":[
 {"id":"10","author_id":"1","text":"hello @carol99","created_at":"2024-01-01T00:00:00Z",
  "entities":{"mentions":[{"username":"carol99","id":"4"}]}}],
 "includes":{"users":[
  {"id":"1","username":"alice","public_metrics":{"followers_count":120,"following_count":80,"tweet_count":5000},"description":"writes about rust"},
  {"id":"4","username":"carol99","public_metrics":{"followers_count":3,"following_count":900,"tweet_count":0},"description":""}]}}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search.json");
    std::fs::write(&path, doc).unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let report = ingest_path(
        &mut store,
        &path,
        &IngestOptions::default(),
        &mut |_, _, _| {},
    )
    .unwrap();
    assert!(report.error.is_none(), "{report:?}");
    drop(store);
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let act = Activity::load(&store, &Scope::default()).unwrap();
    let feats = features::from_store(&store, &act).unwrap();
    let alice = store.find_account("@alice").unwrap() as usize;
    let carol = store.find_account("@carol99").unwrap() as usize;
    let a = &feats[alice];
    assert_eq!(a.get(POSTS), Some(5000.0), "tweet_count is the post count");
    assert_eq!(a.get(FOLLOWERS), Some(120.0));
    assert_eq!(a.get(HAS_BIO), Some(1.0));
    assert_eq!(a.get(BIO_LENGTH), Some(17.0));
    assert_eq!(a.get(USERNAME_LENGTH), Some(5.0));
    assert_eq!(a.get(USERNAME_DIGITS), Some(0.0));
    let c = &feats[carol];
    assert_eq!(c.get(HAS_BIO), Some(0.0), "an empty description is no bio");
    assert_eq!(c.get(BIO_LENGTH), Some(0.0));
    assert_eq!(c.get(USERNAME_DIGITS), Some(2.0));
}
