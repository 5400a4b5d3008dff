//! Twitter/X API v2: whole responses (`{data:[...], includes:{users,tweets}}`, pretty-printed or
//! several pages concatenated) and NDJSON streams (one `{data:{...}, includes:...}` per line).
//!
//! Each tweet yields one primary event — retweeted → reshare, quoted → quote, replied_to →
//! reply, else post — plus one mention event per mentioned account other than the one it
//! answers. Targets come from `includes.tweets` (the referenced tweet's author) or
//! `in_reply_to_user_id`; when neither tells, the target stays unresolved (`None`), never
//! guessed from text. `includes.users` become profiles (public_metrics for the audit).

use super::{head_data_lines, Format};
use crate::lines::for_each_line;
use crate::{Input, ReadError, ReadOptions, Sink, Stop};
use renown_model::{parse_time, AccountRef, Event, Kind, Profile, Record};
use serde::{Deserialize, Deserializer};
use std::collections::HashMap;

pub struct TwitterV2;

const PLATFORM: &str = "twitter";

/// An id that APIs send as a string but hand-made files sometimes as a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an id (string or integer)")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Id, E> {
                Ok(Id(s.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Id, E> {
                Ok(Id(n.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Id, E> {
                Ok(Id(n.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A count that may arrive as a number or a numeric string.
#[derive(Debug, Clone, Copy)]
pub(super) struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Num, E> {
                s.trim()
                    .parse()
                    .map(Num)
                    .map_err(|_| E::custom(format!("{s:?} is not a number")))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Num, E> {
                Ok(Num(n as f64))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Num, E> {
                Ok(Num(n as f64))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Num, E> {
                Ok(Num(n))
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Num, E> {
                Ok(Num(b as u8 as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// `data` is an array in responses and a single tweet in streams.
enum Data {
    Many(Vec<Tweet>),
    One(Box<Tweet>),
}

// By hand rather than `untagged`, which would buffer every tweet before parsing it.
impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Data, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Data;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a tweet or an array of tweets")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Data, A::Error> {
                Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(Data::Many)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Data, A::Error> {
                Tweet::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|t| Data::One(Box::new(t)))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Default)]
struct Envelope {
    #[serde(default)]
    data: Option<Data>,
    #[serde(default)]
    includes: Includes,
}

#[derive(Deserialize, Default)]
struct Includes {
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    tweets: Vec<Tweet>,
}

#[derive(Deserialize)]
struct Tweet {
    id: Option<Id>,
    author_id: Option<Id>,
    created_at: Option<String>,
    in_reply_to_user_id: Option<Id>,
    #[serde(default)]
    referenced_tweets: Vec<Reference>,
    #[serde(default)]
    entities: Entities,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "type")]
    kind: String,
    id: Id,
}

#[derive(Deserialize, Default)]
struct Entities {
    #[serde(default)]
    mentions: Vec<Mention>,
    #[serde(default)]
    hashtags: Vec<Hashtag>,
}

#[derive(Deserialize)]
struct Mention {
    id: Option<Id>,
    username: Option<String>,
}

#[derive(Deserialize)]
struct Hashtag {
    tag: String,
}

#[derive(Deserialize)]
struct User {
    id: Id,
    username: Option<String>,
    name: Option<String>,
    created_at: Option<String>,
    verified: Option<bool>,
    protected: Option<bool>,
    description: Option<String>,
    url: Option<String>,
    public_metrics: Option<HashMap<String, Num>>,
}

/// Lookups over one envelope's `includes`.
struct Context<'a> {
    /// username (lowercase) → (id, username)
    users: HashMap<String, (&'a str, &'a str)>,
    /// id → username
    handles: HashMap<&'a str, &'a str>,
    /// tweet id → author id
    authors: HashMap<&'a str, &'a str>,
}

impl<'a> Context<'a> {
    fn new(inc: &'a Includes) -> Self {
        let mut users = HashMap::new();
        let mut handles = HashMap::new();
        for u in &inc.users {
            if let Some(name) = &u.username {
                users.insert(name.to_ascii_lowercase(), (u.id.0.as_str(), name.as_str()));
                handles.insert(u.id.0.as_str(), name.as_str());
            }
        }
        let authors = inc
            .tweets
            .iter()
            .filter_map(|t| Some((t.id.as_ref()?.0.as_str(), t.author_id.as_ref()?.0.as_str())))
            .collect();
        Context {
            users,
            handles,
            authors,
        }
    }

    fn account(&self, id: &str) -> AccountRef {
        AccountRef::with_handle(id, self.handles.get(id).map(|h| format!("@{h}")))
    }
}

fn tweet_events(t: &Tweet, ctx: &Context<'_>, out: &mut Vec<Event>) -> Result<(), String> {
    let id = t.id.as_ref().ok_or("tweet has no id")?;
    let author = t.author_id.as_ref().ok_or(
        "tweet has no author_id (request it with expansions=author_id or tweet.fields=author_id)",
    )?;
    let time = match &t.created_at {
        Some(s) => Some(parse_time(s).map_err(|e| format!("created_at: {e}"))?),
        None => None,
    };
    // A retweet's own text is the original's; its kind wins over quote, which wins over reply.
    let pick = |want: &str| t.referenced_tweets.iter().find(|r| r.kind == want);
    let (kind, reference) = if let Some(r) = pick("retweeted") {
        (Kind::Reshare, Some(r))
    } else if let Some(r) = pick("quoted") {
        (Kind::Quote, Some(r))
    } else if let Some(r) = pick("replied_to") {
        (Kind::Reply, Some(r))
    } else {
        (Kind::Post, None)
    };
    let target_id: Option<&str> = match reference {
        Some(r) => ctx.authors.get(r.id.0.as_str()).copied().or_else(|| {
            (kind == Kind::Reply)
                .then(|| t.in_reply_to_user_id.as_ref().map(|u| u.0.as_str()))
                .flatten()
        }),
        None => None,
    };
    let actor = ctx.account(&author.0);
    let topics: Vec<String> = t.entities.hashtags.iter().map(|h| h.tag.clone()).collect();
    let mut e = Event::new(PLATFORM, kind, actor.clone());
    e.time = time;
    e.target = target_id.map(|id| ctx.account(id));
    e.item = Some(id.0.clone());
    e.parent = reference.map(|r| r.id.0.clone());
    e.topics = topics;
    e.source_id = Some(id.0.clone());
    out.push(e);
    // A reply or retweet names its target in the text; that is not a separate mention.
    let mut seen: Vec<&str> = target_id.into_iter().collect();
    for m in &t.entities.mentions {
        let resolved = match (&m.id, &m.username) {
            (Some(id), name) => Some((id.0.as_str(), name.as_deref())),
            (None, Some(name)) => ctx
                .users
                .get(&name.to_ascii_lowercase())
                .map(|(id, n)| (*id, Some(*n))),
            (None, None) => continue,
        };
        if let Some((mid, _)) = resolved {
            if seen.contains(&mid) {
                continue;
            }
            seen.push(mid);
        }
        let mut me = Event::new(PLATFORM, Kind::Mention, actor.clone());
        me.time = time;
        me.target = resolved.map(|(mid, name)| {
            AccountRef::with_handle(
                mid,
                name.map(|n| format!("@{n}"))
                    .or_else(|| ctx.handles.get(mid).map(|h| format!("@{h}"))),
            )
        });
        me.item = Some(id.0.clone());
        me.source_id = Some(id.0.clone());
        out.push(me);
    }
    Ok(())
}

fn user_profile(u: &User) -> Result<Profile, String> {
    let mut p = Profile {
        platform: PLATFORM.into(),
        account: AccountRef::with_handle(
            u.id.0.clone(),
            u.username.as_ref().map(|h| format!("@{h}")),
        ),
        ..Profile::default()
    };
    if let Some(m) = &u.public_metrics {
        let count = |key: &str| m.get(key).map(|v| v.0 as u64);
        p.facts.followers = count("followers_count");
        p.facts.following = count("following_count");
        p.facts.posts = count("tweet_count");
        if let Some(v) = m.get("listed_count") {
            p.numbers.push(("listed_count".into(), v.0));
        }
    }
    if let Some(c) = &u.created_at {
        let t = parse_time(c).map_err(|e| format!("user {}: created_at: {e}", u.id.0))?;
        p.facts.created = Some(t);
    }
    if let Some(v) = u.verified {
        p.numbers.push(("verified".into(), v as u8 as f64));
    }
    if let Some(v) = u.protected {
        p.facts.private = Some(v);
    }
    if let Some(h) = &u.username {
        p.facts.set_username(h);
    }
    // Whether the field was requested and present: an empty bio is itself a fake-account signal.
    if let Some(d) = &u.description {
        p.facts.set_bio(d);
        if !d.is_empty() {
            p.texts.push(("bio".into(), d.clone()));
        }
    }
    if let Some(n) = &u.name {
        p.texts.push(("display_name".into(), n.clone()));
    }
    if let Some(url) = u.url.as_ref().filter(|u| !u.is_empty()) {
        p.texts.push(("url".into(), url.clone()));
    }
    Ok(p)
}

/// Sends one envelope's records; `record_no` numbers tweets within the source for rejects.
fn emit(
    env: &Envelope,
    line: u64,
    mut position: impl FnMut() -> u64,
    sink: &mut dyn Sink,
) -> Result<(), Stop> {
    let ctx = Context::new(&env.includes);
    let tweets: &[Tweet] = match &env.data {
        Some(Data::Many(v)) => v,
        Some(Data::One(t)) => std::slice::from_ref(t.as_ref()),
        _ => &[],
    };
    let mut events = Vec::with_capacity(2);
    for (i, t) in tweets.iter().enumerate() {
        events.clear();
        match tweet_events(t, &ctx, &mut events) {
            Ok(()) => {
                let pos = position();
                for e in events.drain(..) {
                    sink.record(pos, Record::Event(e))?;
                }
            }
            Err(reason) if tweets.len() > 1 => {
                sink.reject(line, format!("tweet {}: {reason}", i + 1))?
            }
            Err(reason) => sink.reject(line, reason)?,
        }
    }
    for u in &env.includes.users {
        match user_profile(u) {
            Ok(p) => sink.record(position(), Record::Profile(p))?,
            Err(reason) => sink.reject(line, reason)?,
        }
    }
    Ok(())
}

fn looks_like_v2(v: &serde_json::Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    let tweetish = |d: &serde_json::Value| {
        d.as_object()
            .is_some_and(|t| t.contains_key("id") && t.contains_key("text"))
    };
    match o.get("data") {
        Some(serde_json::Value::Array(a)) => a.first().is_none_or(tweetish),
        Some(d) => tweetish(d),
        None => false,
    }
}

impl Format for TwitterV2 {
    fn name(&self) -> &'static str {
        "twitter-v2"
    }
    fn describe(&self) -> &'static str {
        "Twitter/X API v2 responses ({data, includes}) and NDJSON streams"
    }
    fn sniff(&self, input: &Input) -> u8 {
        if input.is_dir {
            return 0;
        }
        let lines = head_data_lines(input, 2);
        if let Some(first) = lines.first() {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(first) {
                return if looks_like_v2(&v) { 90 } else { 0 };
            }
        }
        // A pretty-printed response: the head must start an object whose "data" holds tweets.
        let head = String::from_utf8_lossy(&input.head);
        let t = head.trim_start();
        if t.starts_with('{')
            && t.contains("\"data\"")
            && t.contains("\"text\"")
            && !t.contains("activitystreams")
        {
            85
        } else {
            0
        }
    }
    fn read(
        &self,
        input: &mut Input,
        _opts: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        // NDJSON when the first line is a whole JSON value; otherwise documents spanning lines.
        let first_is_whole = head_data_lines(input, 1)
            .first()
            .is_some_and(|l| serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok());
        if first_is_whole {
            return for_each_line(&mut input.stream, sink, |no, line, sink| {
                match serde_json::from_slice::<Envelope>(line) {
                    Ok(env) => emit(&env, no, || no, sink),
                    Err(e) => sink.reject(no, format!("bad JSON: {e}")),
                }
            });
        }
        let mut ordinal = 0u64;
        let docs = serde_json::Deserializer::from_reader(&mut input.stream).into_iter::<Envelope>();
        for (n, doc) in docs.enumerate() {
            match doc {
                Ok(env) => emit(
                    &env,
                    n as u64 + 1,
                    || {
                        ordinal += 1;
                        ordinal
                    },
                    sink,
                )?,
                Err(e) if e.is_io() => {
                    sink.damaged(e.line() as u64, format!("input is damaged ({e})"));
                    return Ok(());
                }
                Err(e) => {
                    // A document stream cannot resynchronise after a syntax error.
                    sink.reject(
                        e.line() as u64,
                        format!(
                            "bad JSON in response {}: {e}; the rest of the file is not read",
                            n + 1
                        ),
                    )?;
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::tests::Collect;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/formats/");

    pub(crate) fn read_path(path: &str) -> Option<Collect> {
        let path = std::path::Path::new(path);
        if !renown_testdata::present(path) {
            return None;
        }
        let mut input = crate::open_input(path).unwrap();
        let mut sink = Collect::default();
        TwitterV2
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
    fn tweets_lookup_sample() {
        let Some(c) = read_path(&format!("{SAMPLES}twitter_v2_tweets_lookup.json")) else {
            return;
        };
        let ev = events(&c);
        let kinds: Vec<Kind> = ev.iter().map(|e| e.kind).collect();
        // Two tweets: a reply (its replied-to author is not in the response: unresolved) with a
        // mention, and a post with a mention; mentions carry usernames only, so no target.
        assert_eq!(
            kinds,
            [Kind::Reply, Kind::Mention, Kind::Post, Kind::Mention]
        );
        assert_eq!(ev[0].target, None);
        assert_eq!(ev[0].parent.as_deref(), Some("1274087694105075714"));
        assert_eq!(ev[0].actor.id, "783214");
        assert_eq!(ev[0].time, Some(1592601152));
        assert!(c.rejects.is_empty());
    }

    #[test]
    fn sample_stream_and_search_samples() {
        let Some(c) = read_path(&format!("{SAMPLES}twitter_v2_sample_stream.ndjson")) else {
            return;
        };
        let ev = events(&c);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].kind, Kind::Post);
        let profiles: Vec<&Profile> = c
            .records
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Profile(p) => Some(p),
                _ => None,
            })
            .collect();
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0].facts.followers, Some(504));
        assert_eq!(profiles[0].facts.username.as_deref(), Some("La_Causerie_"));
        assert!(profiles[0].numbers.contains(&("verified".into(), 0.0)));
        assert_eq!(profiles[0].account.handle.as_deref(), Some("@La_Causerie_"));
        // The retweet line was requested with default fields: no author, so it is refused.
        assert_eq!(c.rejects.len(), 1);
        assert_eq!(c.rejects[0].0, 2);
        assert!(c.rejects[0].1.contains("author_id"));

        let c = read_path(&format!("{SAMPLES}twitter_v2_search_recent.json")).unwrap();
        assert!(events(&c).is_empty());
        assert_eq!(c.rejects.len(), 2, "{:?}", c.rejects);
        assert!(c.rejects[0]
            .1
            .starts_with("tweet 1: tweet has no author_id"));
    }

    #[test]
    fn resolves_targets_from_includes() {
        let doc = br#"{"data":[
 {"id":"10","author_id":"1","text":"RT","created_at":"2024-01-01T00:00:00Z","referenced_tweets":[{"type":"retweeted","id":"9"}],"entities":{"mentions":[{"username":"Bob","id":"2"},{"username":"carol"}],"hashtags":[{"tag":"Rust"}]}},
 {"id":"11","author_id":"1","text":"re","in_reply_to_user_id":"3","referenced_tweets":[{"type":"replied_to","id":"8"}]},
 {"id":"12","author_id":"1","text":"q","referenced_tweets":[{"type":"quoted","id":"7"}]},
 {"id":"13","text":"no author"}],
 "includes":{"users":[{"id":"4","username":"carol","public_metrics":{"followers_count":"12"},"created_at":"2010-01-01T00:00:00Z","description":""}],
   "tweets":[{"id":"9","author_id":"2","text":"orig"},{"id":"7","author_id":"4","text":"q"}]}}"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("resp.json");
        std::fs::write(&path, doc).unwrap();
        let c = read_path(path.to_str().unwrap()).unwrap();
        let ev = events(&c);
        let got: Vec<(Kind, Option<&str>)> = ev
            .iter()
            .map(|e| (e.kind, e.target.as_ref().map(|t| t.id.as_str())))
            .collect();
        // The retweet's author (2) is also mentioned: one reshare, not an extra mention.
        assert_eq!(
            got,
            [
                (Kind::Reshare, Some("2")),
                (Kind::Mention, Some("4")),
                (Kind::Reply, Some("3")),
                (Kind::Quote, Some("4")),
            ]
        );
        assert_eq!(ev[0].topics, ["Rust"]);
        assert_eq!(
            ev[1].target.as_ref().unwrap().handle.as_deref(),
            Some("@carol")
        );
        assert_eq!(c.rejects, [(1, "tweet 4: tweet has no author_id (request it with expansions=author_id or tweet.fields=author_id)".to_string())]);
        let Record::Profile(p) = &c.records.last().unwrap().1 else {
            panic!("profile last")
        };
        assert!(p.numbers.is_empty(), "{:?}", p.numbers);
        assert_eq!(p.facts.followers, Some(12));
        assert_eq!(p.facts.created, Some(1262304000));
        assert_eq!(
            (p.facts.has_bio, p.facts.bio_length),
            (Some(false), Some(0))
        );
    }

    #[test]
    fn bad_lines_are_rejected_with_their_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.ndjson");
        std::fs::write(
            &path,
            "{\"data\":{\"id\":\"1\",\"author_id\":\"5\",\"text\":\"a\"}}\n{\"data\":{\"id\":\n{\"data\":{\"id\":\"2\",\"author_id\":\"5\",\"text\":\"b\",\"created_at\":\"yesterday\"}}\n",
        )
        .unwrap();
        let c = read_path(path.to_str().unwrap()).unwrap();
        assert_eq!(events(&c).len(), 1);
        assert_eq!(c.rejects.len(), 2);
        assert_eq!(c.rejects[0].0, 2);
        assert!(c.rejects[0].1.starts_with("bad JSON"));
        assert_eq!(c.rejects[1].0, 3);
        assert!(c.rejects[1].1.contains("created_at"));
    }
}
