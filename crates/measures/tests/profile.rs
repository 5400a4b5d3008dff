//! The influence profile adds up: what its endorsers pass an account is its score, the topic
//! split with the untagged and follow parts is the whole score, and what it passes on is what
//! the model says its endorsees receive from it.

mod common;

use common::{ev, store_with};
use renown_measures::earned::{model, EarnedParams};
use renown_measures::profile::{influence_profile, ProfileOptions};
use renown_measures::Scope;
use renown_model::Kind;

const DAY: i64 = 86_400;
const T0: i64 = 1_700_000_000;

fn tagged(kind: Kind, a: &str, b: &str, t: i64, topics: &[&str]) -> renown_model::Event {
    let mut e = ev(kind, a, b, t);
    e.topics = topics.iter().map(|s| s.to_string()).collect();
    e
}

#[test]
fn a_profile_decomposes_the_score_by_endorser_and_topic() {
    let mut events = vec![
        ev(Kind::Follow, "fan", "star", T0),
        ev(Kind::Like, "lurker", "star", T0 + 3 * DAY),
        ev(Kind::Reply, "star", "fan", T0 + 4 * DAY),
        ev(Kind::Reshare, "star", "other", T0 + 5 * DAY),
    ];
    for m in 0..4 {
        events.push(tagged(
            Kind::Reply,
            "fan",
            "star",
            T0 + m * 30 * DAY,
            &["Rust"],
        ));
        events.push(tagged(
            Kind::Reshare,
            "critic",
            "star",
            T0 + m * 31 * DAY,
            &["ai", "data"],
        ));
    }
    // Background so that endorsers have credibility of their own.
    for i in 0..30 {
        let a = format!("u{i}");
        events.push(ev(Kind::Reply, &a, "fan", T0 + i * DAY));
        events.push(ev(Kind::Reshare, &a, "critic", T0 + i * DAY));
        events.push(ev(Kind::Like, "fan", &a, T0 + i * DAY));
    }
    let (_dir, store) = store_with(&events);
    let scope = Scope::default();
    let m = model(&store, &scope, &EarnedParams::default()).unwrap();
    let star = store.find_account("star").unwrap();
    let p = influence_profile(&store, &scope, &m, star, &ProfileOptions::default()).unwrap();
    assert!(p.score > 0.0);

    // Influencer of: its endorsers pass it exactly its score.
    assert!((p.influencer_of.total - p.score).abs() <= 1e-9 * p.score);
    assert_eq!(p.endorsers, 3, "fan, critic, lurker");
    let shares: f64 = p.influencer_of.listed.iter().map(|f| f.share).sum();
    assert!((shares + p.influencer_of.other_share - 1.0).abs() < 1e-9);
    assert!(
        (p.top_endorsers_share.unwrap() - 1.0).abs() < 1e-9,
        "three endorsers, all in the top 10"
    );

    // Topics: the tagged parts, the untagged like and the follow make up the whole score.
    let tagged: f64 = p.topics.listed.iter().map(|t| t.share).sum();
    let t = &p.topics;
    let whole =
        tagged + t.other_share.unwrap() + t.untagged_share.unwrap() + t.follow_share.unwrap();
    assert!((whole - 1.0).abs() < 1e-6, "topic shares sum to {whole}");
    let names: Vec<&str> = p.topics.listed.iter().map(|t| t.topic.as_str()).collect();
    for t in ["rust", "ai", "data"] {
        assert!(names.contains(&t), "{names:?}");
    }
    let share_of = |t: &str| p.topics.listed.iter().find(|x| x.topic == t).unwrap().share;
    assert!(
        (share_of("ai") - share_of("data")).abs() < 1e-12,
        "a two-topic event is split evenly"
    );
    assert!(t.untagged_share.unwrap() > 0.0 && t.follow_share.unwrap() > 0.0);

    // Influenced by: what it passes to `fan` is what the model lists `fan` receiving from it.
    let fan = store.find_account("fan").unwrap();
    let to_fan = p
        .influenced_by
        .listed
        .iter()
        .find(|f| f.dense_id == fan)
        .unwrap();
    let expected = m
        .endorsements(fan)
        .into_iter()
        .find(|e| e.0 == star)
        .unwrap()
        .1;
    assert!((to_fan.contribution - expected).abs() <= 1e-12 * expected);
    assert_eq!(p.influenced_by.accounts, 2, "fan and other");

    // Nobody endorses `lurker`: it earned nothing, so its shares are undefined (not 0 %), and
    // the total its endorsers pass is +0 (an f64 sum of nothing is -0.0, printed "-0.0000").
    let lurker = store.find_account("lurker").unwrap();
    let q = influence_profile(&store, &scope, &m, lurker, &ProfileOptions::default()).unwrap();
    assert_eq!((q.score, q.endorsers), (0.0, 0));
    assert!(q.influencer_of.total == 0.0 && q.influencer_of.total.is_sign_positive());
    assert_eq!(q.top_endorsers_share, None);
    let t = &q.topics;
    assert_eq!(
        (t.untagged_share, t.follow_share, t.other_share),
        (None, None, None)
    );
    assert_eq!(q.influenced_by.accounts, 1, "it likes star");

    let n = store.account_count().unwrap();
    assert!(influence_profile(&store, &scope, &m, n, &ProfileOptions::default()).is_err());
}
