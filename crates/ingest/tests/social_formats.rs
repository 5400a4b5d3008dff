//! The social readers end to end: detection picks them for every real sample, and ingesting
//! into a store gives the counts docs/FORMATS.md publishes (deletes applied, unresolved
//! responses counted, re-ingest idempotent).

use renown_ingest::{detect, ingest_path, open_input, IngestOptions};
use renown_model::Kind;
use renown_store::Store;
use std::path::{Path, PathBuf};

fn shared(rel: &str) -> Option<PathBuf> {
    renown_testdata::shared(rel)
}

#[test]
fn detection_picks_the_social_readers() {
    for (rel, want) in [
        ("formats/twitter_v2_tweets_lookup.json", "twitter-v2"),
        ("formats/twitter_v2_sample_stream.ndjson", "twitter-v2"),
        ("formats/twitter_v2_search_recent.json", "twitter-v2"),
        ("formats/twitter_archive_tweets.js", "twitter-archive"),
        ("formats/twitter_archive_follower.js", "twitter-archive"),
        ("formats/twitter_archive_following.js", "twitter-archive"),
        ("formats/twitter_archive_like.js", "twitter-archive"),
        ("formats/mastodon_outbox.json", "mastodon"),
        ("formats/mastodon_likes.json", "mastodon"),
        ("formats/mastodon_following_accounts.csv", "mastodon"),
        ("formats/activitypub_follow.json", "mastodon"),
        ("formats/activitypub_like.json", "mastodon"),
        ("formats/bluesky_jetstream.ndjson", "bluesky"),
        ("formats/atproto_repo_min.car", "bluesky"),
        ("data/mastodon", "mastodon"),
    ] {
        let Some(p) = shared(rel) else { continue };
        let input = open_input(&p).unwrap();
        assert_eq!(detect(&input).map(|f| f.name()), Some(want), "{rel}");
    }
}

fn ingest(store: &mut Store, path: &Path) -> renown_ingest::RunReport {
    ingest_path(store, path, &IngestOptions::default(), &mut |_, _, _| {}).unwrap()
}

fn kind_count(store: &Store, kind: Kind) -> u64 {
    store
        .stats()
        .unwrap()
        .by_kind
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(0, |(_, n)| *n)
}

#[test]
fn mastodon_backup_into_the_store() {
    let Some(dir) = shared("data/mastodon") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("m.db")).unwrap();
    let r = ingest(&mut store, &dir);
    assert_eq!(r.format, "mastodon");
    assert_eq!(r.rejected, 0);
    // 838 posts + 422 replies + 135 mentions + 326 boosts + 1,115 likes.
    assert_eq!(r.added, 2836);
    assert_eq!(r.profiles, 1);
    assert_eq!(kind_count(&store, Kind::Post), 838);
    assert_eq!(kind_count(&store, Kind::Reply), 422);
    assert_eq!(kind_count(&store, Kind::Reshare), 326);
    assert_eq!(kind_count(&store, Kind::Like), 1115);
    // 10 likes and 2 boosts of /notes/ and /objects/ URLs name no author: counted, not invented.
    assert_eq!(store.stats().unwrap().unresolved, 12);
    let again = ingest(&mut store, &dir);
    assert_eq!((again.added, again.duplicate), (0, 2836));
    // The actor's rel=me field is a suggestion, and nothing was linked.
    let s = store.suggested_links().unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].url, "https://daniel.industries");
    assert!(store.persons().unwrap().is_empty());
}

#[test]
fn jetstream_deletes_remove_what_they_delete() {
    let Some(sample) = shared("formats/bluesky_jetstream.ndjson") else {
        return;
    };
    let text = std::fs::read_to_string(&sample).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("b.db")).unwrap();
    let r = ingest(&mut store, &sample);
    // 8 events; the sample's delete is of a post not in the capture (remembered all the same).
    assert_eq!((r.added, r.rejected), (8, 0));
    assert_eq!(store.tombstone_count().unwrap(), 1);
    // A later capture deletes the quote-reply (both its events) and the follow.
    let later = tmp.path().join("later.ndjson");
    std::fs::write(
        &later,
        concat!(
            r#"{"did":"did:plc:vhwscbpufmtoekc5hyz73vpa","time_us":1739075399000000,"kind":"commit","commit":{"rev":"x","operation":"delete","collection":"app.bsky.feed.post","rkey":"3lhps6qvn3k27"}}"#,
            "\n",
            r#"{"did":"did:plc:dwcyhpgjtqmnwzjhocewd6g2","time_us":1767409099000000,"kind":"commit","commit":{"rev":"y","operation":"delete","collection":"app.bsky.graph.follow","rkey":"3mbifyrvwco2l"}}"#,
            "\n"
        ),
    )
    .unwrap();
    ingest(&mut store, &later);
    assert_eq!(store.stats().unwrap().events, 5);
    assert_eq!(kind_count(&store, Kind::Quote), 0);
    assert_eq!(kind_count(&store, Kind::Follow), 0);
    assert_eq!(store.tombstone_count().unwrap(), 3);
    assert_eq!(
        store
            .is_tombstoned(
                "at://did:plc:dwcyhpgjtqmnwzjhocewd6g2/app.bsky.graph.follow/3mbifyrvwco2l"
            )
            .unwrap(),
        Some(Some(1767409099))
    );
    assert!(text.lines().count() == 8);
}
