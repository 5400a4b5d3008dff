use super::*;
use crate::lines::tests::Collect;
use std::path::Path;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/formats/");
const BACKUP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/mastodon");

fn read(path: &Path) -> Option<Collect> {
    if !renown_testdata::present(path) {
        return None;
    }
    let mut input = crate::open_input(path).unwrap();
    assert!(Mastodon.sniff(&input) >= 80, "sniff {}", path.display());
    let mut sink = Collect::default();
    Mastodon
        .read(&mut input, &ReadOptions::default(), &mut sink)
        .unwrap();
    Some(sink)
}

fn count(c: &Collect, kind: Kind) -> usize {
    events(c).filter(|e| e.kind == kind).count()
}

fn events(c: &Collect) -> impl Iterator<Item = &Event> {
    c.records.iter().filter_map(|(_, r)| match r {
        Record::Event(e) => Some(e),
        _ => None,
    })
}

fn check_backup(c: &Collect) {
    assert!(
        c.rejects.is_empty(),
        "{:?}",
        &c.rejects[..c.rejects.len().min(5)]
    );
    assert_eq!(count(c, Kind::Post) + count(c, Kind::Reply), 1260);
    assert_eq!(count(c, Kind::Reply), 422);
    assert_eq!(count(c, Kind::Reshare), 326);
    assert_eq!(count(c, Kind::Like), 1115);
    assert_eq!(count(c, Kind::Mention), 135);
    let unresolved = |k| {
        events(c)
            .filter(|e| e.kind == k && e.target.is_none())
            .count()
    };
    // Two replies answer /notes/ URLs, resolved by their only Mention on that server; ten
    // likes and two boosts point at /notes/ or /objects/ URLs, which do not say whose they
    // are: those stay unresolved.
    assert_eq!(unresolved(Kind::Reply), 0);
    assert_eq!(unresolved(Kind::Like), 10);
    assert_eq!(unresolved(Kind::Reshare), 2);
    let owner = "dealingwith@indieweb.social";
    assert!(events(c)
        .filter(|e| e.kind == Kind::Like)
        .all(|e| e.actor.id == owner));
    let profiles: Vec<&Profile> = c
        .records
        .iter()
        .filter_map(|(_, r)| match r {
            Record::Profile(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].account.id, owner);
    assert!(profiles[0].suggested_links.contains(&SuggestedLink {
        url: "https://daniel.industries".to_string(),
        why: "profile field \"Web\" (rel=me)".to_string()
    }));
    assert!(c.warnings.iter().any(|w| w.contains("bookmarks skipped")));
}

#[test]
fn real_backup_folder_counts() {
    if let Some(c) = read(Path::new(BACKUP)) {
        check_backup(&c);
        let tagged = events(&c).filter(|e| !e.topics.is_empty()).count();
        assert_eq!(tagged, 89);
    }
}

#[test]
fn real_backup_as_zip_counts() {
    let dir = Path::new(BACKUP);
    if !renown_testdata::present(dir) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("archive.zip");
    let members: Vec<(String, Vec<u8>)> =
        ["outbox.json", "actor.json", "likes.json", "bookmarks.json"]
            .iter()
            .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
            .collect();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    archive::tests::make_zip(&zip, &refs);
    check_backup(&read(&zip).unwrap());
}

#[test]
fn format_samples() {
    let Some(c) = read(&Path::new(SAMPLES).join("mastodon_outbox.json")) else {
        return;
    };
    let got: Vec<(Kind, Option<String>)> = events(&c)
        .map(|e| (e.kind, e.target.as_ref().map(|t| t.id.to_string())))
        .collect();
    assert_eq!(
        got,
        [
            // inReplyTo is a socialhome /content/ URL; the only Mention on that server wins.
            (Kind::Reply, Some("jaywink@dev.jasonrobinson.me".into())),
            (Kind::Post, None),
            (Kind::Mention, Some("jaywink@dev3.jasonrobinson.me".into())),
            (Kind::Reshare, Some("gargron@mastodon.social".into())),
        ]
    );
    let c = read(&Path::new(SAMPLES).join("mastodon_likes.json")).unwrap();
    assert_eq!(count(&c, Kind::Like), 2);
    assert!(events(&c).all(|e| e.actor.id == archive::UNKNOWN_OWNER));
    assert!(c.warnings[0].contains("placeholder"));
    let c = read(&Path::new(SAMPLES).join("mastodon_following_accounts.csv")).unwrap();
    let targets: Vec<String> = events(&c)
        .map(|e| e.target.clone().unwrap().id.to_string())
        .collect();
    assert_eq!(
        targets,
        ["gargron@mastodon.social", "jaywink@dev3.jasonrobinson.me"]
    );
    let c = read(&Path::new(SAMPLES).join("activitypub_follow.json")).unwrap();
    let e: Vec<&Event> = events(&c).collect();
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].kind, e[0].actor.id.as_str()),
        (Kind::Follow, "davidpeach@mastodon.social")
    );
    assert_eq!(
        e[0].target.as_ref().unwrap().id,
        "https://apone.davidpeach.co.uk/actor"
    );
    let c = read(&Path::new(SAMPLES).join("activitypub_like.json")).unwrap();
    let e: Vec<&Event> = events(&c).collect();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].target.as_ref().unwrap().id, "gargron@mastodon.social");
}

#[test]
fn bad_items_are_rejected_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("outbox.json");
    std::fs::write(
        &path,
        r#"{"@context":"https://www.w3.org/ns/activitystreams","type":"OrderedCollection","orderedItems":[
        {"type":"Announce","actor":"https://a.example/users/x","object":"https://b.example/@y/1","published":"2023-01-01T00:00:00Z"},
        {"type":"Announce","actor":"https://a.example/users/x","object":"https://b.example/@y/2","published":"not a date"},
        {"type":"Create","actor":"https://a.example/users/x","object":7},
        {"type":"Create","actor":"https://a.example/users/x"},
        {"type":"Delete","actor":"https://a.example/users/x","object":"https://a.example/users/x/statuses/1"}]}"#,
    )
    .unwrap();
    let c = read(&path).unwrap();
    assert_eq!(count(&c, Kind::Reshare), 1);
    let lines: Vec<u64> = c.rejects.iter().map(|r| r.0).collect();
    assert_eq!(lines, [2, 3, 4]);
    assert!(c.rejects[0].1.contains("published"));
    assert!(c.warnings.iter().any(|w| w.contains("Delete ×1")));
}

#[test]
fn profile_links_are_typed_suggestions_from_any_href() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("actor.json");
    // Single quotes and `&amp;`: the scanner Mastodon had of its own saw neither.
    std::fs::write(
        &path,
        r#"{"@context":"https://www.w3.org/ns/activitystreams","type":"Person",
        "id":"https://a.example/users/ann","preferredUsername":"ann","summary":"<p>hi</p>",
        "attachment":[{"type":"PropertyValue","name":"Web",
          "value":"<a href='https://ann.example/?a=1&amp;b=2' rel='me'>ann</a> <a href=\"mailto:x@y\">m</a>"}]}"#,
    )
    .unwrap();
    let c = read(&path).unwrap();
    let Some((_, Record::Profile(p))) = c.records.first() else {
        panic!("a profile: {:?}", c.records)
    };
    assert_eq!(
        p.suggested_links,
        [SuggestedLink {
            url: "https://ann.example/?a=1&b=2".into(),
            why: "profile field \"Web\" (rel=me)".into()
        }]
    );
    assert_eq!(p.facts.username.as_deref(), Some("ann"));
    assert_eq!((p.facts.has_bio, p.facts.bio_length), (Some(true), Some(9)));
    assert!(p.texts.iter().all(|(k, _)| !k.starts_with("suggest")));
}

#[test]
fn account_urls() {
    let id = |u: &str| account_from_actor_url(u).map(|a| a.id);
    assert_eq!(
        id("https://Mastodon.social/users/Gargron").as_deref(),
        Some("gargron@mastodon.social")
    );
    assert_eq!(
        id("https://a.example/@bob@b.example").as_deref(),
        Some("bob@b.example")
    );
    assert_eq!(id("https://a.example/actor"), None);
    assert_eq!(id("not a url"), None);
    let st = |u: &str| account_from_status_url(u).map(|a| a.id);
    assert_eq!(
        st("https://a.example/@bob/123").as_deref(),
        Some("bob@a.example")
    );
    assert_eq!(st("https://a.example/notes/9abc"), None);
    assert_eq!(
        st("https://threads.net/ap/users/178/post/180/").as_deref(),
        Some("178@threads.net")
    );
}
