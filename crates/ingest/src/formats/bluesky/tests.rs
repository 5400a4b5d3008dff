use super::*;
use crate::lines::tests::Collect;
use std::path::Path;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/formats/");

fn read(path: &Path) -> Option<Collect> {
    if !renown_testdata::present(path) {
        return None;
    }
    let mut input = crate::open_input(path).unwrap();
    assert_eq!(Bluesky.sniff(&input), 95);
    let mut sink = Collect::default();
    Bluesky
        .read(&mut input, &ReadOptions::default(), &mut sink)
        .unwrap();
    Some(sink)
}

fn events(c: &Collect) -> Vec<&Event> {
    c.records
        .iter()
        .filter_map(|(_, r)| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[test]
fn jetstream_sample() {
    let Some(c) = read(&Path::new(SAMPLES).join("bluesky_jetstream.ndjson")) else {
        return;
    };
    assert!(c.rejects.is_empty(), "{:?}", c.rejects);
    let got: Vec<(Kind, Option<&str>)> = events(&c)
        .iter()
        .map(|e| (e.kind, e.target.as_ref().map(|t| t.id.as_str())))
        .collect();
    assert_eq!(
        got,
        [
            (Kind::Post, None),
            (Kind::Reply, Some("did:plc:k77e63e2jxhevskb75l2gpio")),
            (Kind::Reply, Some("did:plc:jpkjnmydclkafjyicv3s6hcx")),
            (Kind::Quote, Some("did:plc:jpkjnmydclkafjyicv3s6hcx")),
            (Kind::Like, Some("did:plc:ecjyiwkyae3k3d46iy7d6u3h")),
            (Kind::Like, Some("did:plc:lrw4cnptopspeg5tthztcliw")),
            (Kind::Reshare, Some("did:plc:7umb3asmcopiogfmpuxbhbbl")),
            (Kind::Follow, Some("did:plc:bggek3ttucom3nj5ufe2ocu5")),
        ]
    );
    let ev = events(&c);
    assert_eq!(ev[0].topics, ["Cavs"]);
    assert_eq!(ev[0].time, Some(1767409065));
    // The delete is the last record: a deletion of the post's URI.
    let Record::Deletion(d) = &c.records.last().unwrap().1 else {
        panic!("deletion last")
    };
    assert_eq!(
        d.item,
        "at://did:plc:bm3ix5bznclbq2jtst2u2q4w/app.bsky.feed.post/3mbifxsf4wc24"
    );
    assert_eq!(c.records.len(), 9);
}

#[test]
fn car_sample() {
    let Some(c) = read(&Path::new(SAMPLES).join("atproto_repo_min.car")) else {
        return;
    };
    assert!(c.rejects.is_empty(), "{:?}", c.rejects);
    let ev = events(&c);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].kind, Kind::Follow);
    assert_eq!(ev[0].actor.id, "did:plc:dwcyhpgjtqmnwzjhocewd6g2");
    assert_eq!(
        ev[0].target.as_ref().unwrap().id,
        "did:plc:bggek3ttucom3nj5ufe2ocu5"
    );
    // The same follow as in the Jetstream capture: one identity, so one event in the store.
    assert_eq!(
        ev[0].item.as_deref(),
        Some("at://did:plc:dwcyhpgjtqmnwzjhocewd6g2/app.bsky.graph.follow/3mbifyrvwco2l")
    );
    let j = read(&Path::new(SAMPLES).join("bluesky_jetstream.ndjson")).unwrap();
    let jf = events(&j)
        .into_iter()
        .find(|e| e.kind == Kind::Follow)
        .unwrap();
    assert_eq!(jf.identity(7), ev[0].identity(1));
}

#[test]
fn damaged_car_is_refused_not_panicking() {
    let car = Path::new(SAMPLES).join("atproto_repo_min.car");
    if !renown_testdata::present(&car) {
        return;
    }
    let bytes = std::fs::read(car).unwrap();
    for cut in [1, 10, 60, 200, bytes.len() - 5] {
        let mut sink = Collect::default();
        let r = read_car(&bytes[..cut], &mut sink);
        assert!(
            r.is_err() || !sink.rejects.is_empty() || !sink.warnings.is_empty(),
            "cut {cut}"
        );
    }
    let mut flipped = bytes.clone();
    for i in (0..flipped.len()).step_by(7) {
        flipped[i] ^= 0x5a;
        let mut sink = Collect::default();
        let _ = read_car(&flipped, &mut sink);
        flipped[i] ^= 0x5a;
    }
}

#[test]
fn bad_lines_and_mentions() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("j.ndjson");
    std::fs::write(
        &path,
        concat!(
            r#"{"did":"did:a","time_us":1700000000000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"1","record":{"createdAt":"0001-01-01T00:00:00Z","facets":[{"features":[{"$type":"app.bsky.richtext.facet#mention","did":"did:b"},{"$type":"app.bsky.richtext.facet#mention","did":"did:b"}]}],"embed":{"$type":"app.bsky.embed.recordWithMedia","record":{"record":{"uri":"at://did:c/app.bsky.feed.post/9","cid":"x"}}}}}}"#,
            "\n{\"did\":\"did:a\",\"kind\":\"commit\"}\n",
            r#"{"did":"did:a","kind":"commit","commit":{"operation":"create","collection":"app.bsky.graph.block","rkey":"2","record":{"subject":"did:z"}}}"#,
            "\n",
            r#"{"did":"did:a","kind":"identity","identity":{"did":"did:a","handle":"alice.test"}}"#,
            "\n{oops\n"
        ),
    )
    .unwrap();
    let mut input = crate::open_input(&path).unwrap();
    let mut c = Collect::default();
    Bluesky
        .read(&mut input, &ReadOptions::default(), &mut c)
        .unwrap();
    let ev = events(&c);
    assert_eq!(ev.len(), 2);
    assert_eq!((ev[0].kind, ev[0].time), (Kind::Quote, Some(1_700_000_000)));
    assert_eq!(ev[1].kind, Kind::Mention);
    let lines: Vec<u64> = c.rejects.iter().map(|r| r.0).collect();
    assert_eq!(lines, [2, 5]);
    assert!(c.warnings[0].contains("app.bsky.graph.block ×1"));
    assert!(
        matches!(&c.records[2].1, Record::Profile(p) if p.account.handle.as_deref() == Some("@alice.test"))
    );
}
