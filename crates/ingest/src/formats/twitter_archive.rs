//! Twitter/X "download your data" archives: the zip, its folder, or one of its `data/*.js` files
//! (`window.YTD.<name>.part0 = [...]`, numbers as strings).
//!
//! - `tweets.js` / `tweet.js` (and `-partN`): the owner's tweets. `RT @x:` → reshare of x; a link
//!   to another tweet → quote; `in_reply_to_*` → reply; else post. Mentions other than the
//!   answered or reshared account → mention events; hashtags → topics.
//! - `follower.js` → follows of the owner; `following.js` → the owner's follows; `like.js` →
//!   likes (the archive names the liked tweet, not its author: the target stays unresolved).
//! - `account.js` names the owner (id, username; the e-mail is never read into renown).
//!
//! A single file read without `account.js` beside it cannot say whose it is: its events are
//! recorded for the placeholder account `twitter:archive-owner`, with a warning.

use super::archive;
use super::json::{IdText, Text};
use super::twitter_v2::Id;
use super::Format;
use crate::{Input, ReadError, ReadOptions, Sink, Stop};
use renown_model::url::HttpUrl;
use renown_model::{check_range, parse_time, AccountRef, Event, Kind, Profile, Record};
use serde::Deserialize;
use serde_json::value::RawValue;

pub struct TwitterArchive;

const PLATFORM: &str = "twitter";
use archive::UNKNOWN_OWNER;

#[derive(Deserialize, Default)]
struct Wrapped<'a> {
    #[serde(borrow)]
    tweet: Option<Tweet<'a>>,
    follower: Option<Relation>,
    following: Option<Relation>,
    like: Option<Like>,
    account: Option<Account>,
}

// Strings are borrowed from the file where they have no escapes.
#[derive(Deserialize)]
struct Tweet<'a> {
    #[serde(borrow)]
    id_str: Option<IdText<'a>>,
    #[serde(borrow)]
    id: Option<IdText<'a>>,
    #[serde(borrow)]
    created_at: Option<Text<'a>>,
    #[serde(borrow)]
    full_text: Option<Text<'a>>,
    #[serde(borrow)]
    text: Option<Text<'a>>,
    #[serde(borrow)]
    in_reply_to_status_id_str: Option<IdText<'a>>,
    #[serde(borrow)]
    in_reply_to_user_id_str: Option<IdText<'a>>,
    #[serde(borrow)]
    in_reply_to_screen_name: Option<Text<'a>>,
    #[serde(borrow, default)]
    entities: Entities<'a>,
}

#[derive(Deserialize, Default)]
struct Entities<'a> {
    #[serde(borrow, default)]
    hashtags: Vec<Hashtag<'a>>,
    #[serde(borrow, default)]
    user_mentions: Vec<UserMention<'a>>,
    #[serde(borrow, default)]
    urls: Vec<Url<'a>>,
}

#[derive(Deserialize)]
struct Hashtag<'a> {
    #[serde(borrow)]
    text: Text<'a>,
}

#[derive(Deserialize)]
struct UserMention<'a> {
    #[serde(borrow)]
    id_str: Option<IdText<'a>>,
    #[serde(borrow)]
    id: Option<IdText<'a>>,
    #[serde(borrow)]
    screen_name: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Url<'a> {
    #[serde(borrow)]
    expanded_url: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Relation {
    #[serde(rename = "accountId")]
    account_id: Id,
}

#[derive(Deserialize)]
struct Like {
    #[serde(rename = "tweetId")]
    tweet_id: Id,
}

#[derive(Deserialize)]
struct Account {
    #[serde(rename = "accountId")]
    account_id: Id,
    username: Option<String>,
    #[serde(rename = "accountDisplayName")]
    display_name: Option<String>,
    #[serde(rename = "createdAt")]
    created_at: Option<String>,
}

/// The JSON array after `window.YTD.<name>.partN = `.
fn strip_wrapper(bytes: &[u8]) -> Result<&[u8], String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let rest = &bytes[start..];
    if rest.starts_with(b"[") {
        return Ok(rest);
    }
    if !rest.starts_with(b"window.YTD.") {
        return Err("does not start with `window.YTD.<name>.part0 = [`".into());
    }
    let eq = memchr::memchr(b'=', rest).ok_or("no `=` after window.YTD")?;
    Ok(&rest[eq + 1..])
}

/// `Sat Feb 18 12:33:11 +0000 2023` (the archive's and API v1.1's date) read by hand: the general
/// `parse_time` tries several chrono formats before this one, a tenth of the reading time. Odd
/// values (leap seconds, impossible days) return `None` and go to `parse_time`, which decides.
fn twitter_date(s: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut f = s.split_ascii_whitespace();
    let (_weekday, month, day, hms, offset, year) = (
        f.next()?,
        f.next()?,
        f.next()?,
        f.next()?,
        f.next()?,
        f.next()?,
    );
    if f.next().is_some() {
        return None;
    }
    let digits = |t: &str, max: i64| -> Option<i64> {
        let n: i64 = (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())??;
        (n <= max).then_some(n)
    };
    let m = MONTHS.iter().position(|&x| x == month)? as i64 + 1;
    let y = digits(year, 9999)?;
    let d = digits(day, 31)?;
    let mut t = hms.split(':');
    let (h, mi, sec) = (
        digits(t.next()?, 23)?,
        digits(t.next()?, 59)?,
        digits(t.next()?, 59)?,
    );
    if t.next().is_some() {
        return None;
    }
    let (sign, off) = match offset.as_bytes().first()? {
        b'+' => (1, &offset[1..]),
        b'-' => (-1, &offset[1..]),
        _ => return None,
    };
    if off.len() != 4 {
        return None;
    }
    let off = sign * (digits(&off[..2], 23)? * 3600 + digits(&off[2..], 59)? * 60);
    let days = renown_model::civil::checked_days_from_civil(y, m, d)?;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - off)
}

/// `twitter.com/<screen>/status/<id>` or the x.com form.
fn tweet_link(url: &str) -> Option<(&str, &str)> {
    let url = HttpUrl::parse(url)?;
    let host = url
        .host
        .trim_start_matches("www.")
        .trim_start_matches("mobile.");
    if host != "twitter.com" && host != "x.com" {
        return None;
    }
    let mut segs = url.path.strip_prefix('/')?.split('/');
    let (screen, status, id) = (segs.next()?, segs.next()?, segs.next()?);
    (status == "status"
        && screen != "i"
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit()))
    .then_some((screen, id))
}

fn mention_ref(m: &UserMention<'_>) -> Option<AccountRef> {
    let id = m.id_str.as_ref().or(m.id.as_ref())?;
    Some(AccountRef::with_handle(
        id.to_string(),
        m.screen_name.as_ref().map(|s| format!("@{s}")),
    ))
}

fn tweet_events(t: &Tweet<'_>, owner: &AccountRef, out: &mut Vec<Event>) -> Result<(), String> {
    let id = t
        .id_str
        .as_ref()
        .or(t.id.as_ref())
        .ok_or("tweet has no id")?
        .to_string();
    let time = match t.created_at.as_deref() {
        Some(s) => Some(
            match twitter_date(s) {
                Some(t) => check_range(t),
                None => parse_time(s),
            }
            .map_err(|e| format!("created_at: {e}"))?,
        ),
        None => None,
    };
    let text = t.full_text.as_deref().or(t.text.as_deref()).unwrap_or("");
    let by_screen = |name: &str| {
        t.entities
            .user_mentions
            .iter()
            .find(|m| {
                m.screen_name
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(name))
            })
            .and_then(mention_ref)
    };
    let retweeted = text.strip_prefix("RT @").map(|r| {
        r.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("")
    });
    let quoted = t
        .entities
        .urls
        .iter()
        .filter_map(|u| tweet_link(u.expanded_url.as_deref()?))
        .find(|(_, qid)| *qid != id);
    let mut e = Event::new(PLATFORM, Kind::Post, owner.clone());
    if let Some(screen) = retweeted {
        e.kind = Kind::Reshare;
        e.target = by_screen(screen);
    } else if let Some((screen, qid)) = quoted {
        e.kind = Kind::Quote;
        e.target = by_screen(screen);
        e.parent = Some(qid.to_string());
    } else if let Some(parent) = &t.in_reply_to_status_id_str {
        e.kind = Kind::Reply;
        e.parent = Some(parent.to_string());
        e.target = t.in_reply_to_user_id_str.as_ref().map(|u| {
            AccountRef::with_handle(
                u.to_string(),
                t.in_reply_to_screen_name.as_ref().map(|s| format!("@{s}")),
            )
        });
    }
    e.time = time;
    e.item = Some(id.clone());
    e.source_id = Some(id.clone());
    e.topics = t
        .entities
        .hashtags
        .iter()
        .map(|h| h.text.to_string())
        .collect();
    let kind = e.kind;
    let mut seen: Vec<renown_model::CompactString> =
        e.target.iter().map(|t| t.id.clone()).collect();
    out.push(e);
    if kind == Kind::Reshare {
        // A retweet's other mentions are the original author's, not the owner's.
        return Ok(());
    }
    for m in t.entities.user_mentions.iter().filter_map(mention_ref) {
        if seen.contains(&m.id) {
            continue;
        }
        seen.push(m.id.clone());
        let mut me = Event::new(PLATFORM, Kind::Mention, owner.clone());
        me.time = time;
        me.item = Some(id.clone());
        me.source_id = Some(id.clone());
        me.target = Some(m);
        out.push(me);
    }
    Ok(())
}

/// What an archive file holds, from its name (`tweets-part1.js` → Tweets).
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
enum Member {
    Account,
    Tweets,
    Follower,
    Following,
    Like,
}

fn member_kind(name: &str) -> Option<Member> {
    let base = archive::base_name(name).to_ascii_lowercase();
    let stem = base.strip_suffix(".js")?;
    let stem = match stem.split_once("-part") {
        Some((s, n)) if n.bytes().all(|b| b.is_ascii_digit()) => s,
        _ => stem,
    };
    Some(match stem {
        "account" => Member::Account,
        "tweets" | "tweet" => Member::Tweets,
        "follower" => Member::Follower,
        "following" => Member::Following,
        "like" => Member::Like,
        _ => return None,
    })
}

struct Reader<'s> {
    sink: &'s mut dyn Sink,
    position: u64,
    owner: archive::Owner,
}

impl Reader<'_> {
    fn owner(&mut self, file: &str) -> AccountRef {
        self.owner.get(file, self.sink)
    }

    fn file(&mut self, file: &str, bytes: &[u8], kind: Member) -> Result<(), Stop> {
        let json = match strip_wrapper(bytes) {
            Ok(j) => j,
            Err(reason) => return self.sink.reject(1, format!("{file}: {reason}")),
        };
        let owner = if kind == Member::Account {
            None
        } else {
            Some(self.owner(file))
        };
        let mut out = Vec::new();
        // One typed pass, record by record as they are parsed; only a file with a malformed
        // record pays for a second, raw pass, which goes on after the records already sent.
        let mut sent = 0usize;
        let typed = archive::for_each_element(json, |w: Wrapped<'_>| {
            sent += 1;
            self.item(file, sent as u64, Ok(w), owner.as_ref(), &mut out)
        })?;
        if typed.is_ok() {
            return Ok(());
        }
        let raw = match serde_json::from_slice::<Vec<&RawValue>>(json) {
            Ok(raw) => raw,
            Err(e) => return self.sink.reject(e.line() as u64, format!("{file}: {e}")),
        };
        for (i, r) in raw.iter().enumerate().skip(sent) {
            let w = serde_json::from_str::<Wrapped>(r.get()).map_err(|e| e.to_string());
            self.item(file, i as u64 + 1, w, owner.as_ref(), &mut out)?;
        }
        Ok(())
    }

    /// Sends the records of item `no` of `file`, or its reject.
    fn item(
        &mut self,
        file: &str,
        no: u64,
        item: Result<Wrapped<'_>, String>,
        owner: Option<&AccountRef>,
        out: &mut Vec<Record>,
    ) -> Result<(), Stop> {
        match item.and_then(|w| self.record(w, owner, out)) {
            Ok(()) => {
                self.position += 1;
                for r in out.drain(..) {
                    self.sink.record(self.position, r)?;
                }
                Ok(())
            }
            Err(reason) => {
                out.clear();
                self.sink
                    .reject(no, format!("{file} record {no}: {reason}"))
            }
        }
    }

    fn record(
        &mut self,
        w: Wrapped<'_>,
        owner: Option<&AccountRef>,
        out: &mut Vec<Record>,
    ) -> Result<(), String> {
        if let Some(a) = w.account {
            let mut p = Profile {
                platform: PLATFORM.into(),
                ..Profile::default()
            };
            if let Some(u) = &a.username {
                p.facts.set_username(u);
            }
            let account =
                AccountRef::with_handle(a.account_id.0, a.username.map(|u| format!("@{u}")));
            p.account = account.clone();
            if let Some(t) = a.created_at.as_deref().and_then(|s| parse_time(s).ok()) {
                p.facts.created = Some(t);
            }
            if let Some(n) = a.display_name {
                p.texts.push(("display_name".into(), n));
            }
            self.owner.account.get_or_insert(account);
            out.push(Record::Profile(p));
            return Ok(());
        }
        let owner = owner
            .cloned()
            .unwrap_or_else(|| AccountRef::new(UNKNOWN_OWNER));
        let mut events = Vec::new();
        if let Some(t) = w.tweet {
            tweet_events(&t, &owner, &mut events)?;
        } else if let Some(f) = w.follower {
            let mut e = Event::new(PLATFORM, Kind::Follow, AccountRef::new(f.account_id.0));
            e.target = Some(owner);
            e.source_id = Some("follow".into());
            events.push(e);
        } else if let Some(f) = w.following {
            let mut e = Event::new(PLATFORM, Kind::Follow, owner);
            e.target = Some(AccountRef::new(f.account_id.0));
            e.source_id = Some("follow".into());
            events.push(e);
        } else if let Some(l) = w.like {
            let mut e = Event::new(PLATFORM, Kind::Like, owner);
            e.parent = Some(l.tweet_id.0.clone());
            e.source_id = Some(l.tweet_id.0);
            events.push(e);
        } else {
            return Err("neither a tweet, follower, following, like nor account record".into());
        }
        out.extend(events.into_iter().map(Record::Event));
        Ok(())
    }
}

fn sibling_owner(input: &Input) -> Option<AccountRef> {
    let path = input.path.parent()?.join("account.js");
    let bytes = std::fs::read(path).ok()?;
    let items: Vec<Wrapped> = serde_json::from_slice(strip_wrapper(&bytes).ok()?).ok()?;
    let a = items.into_iter().find_map(|w| w.account)?;
    Some(AccountRef::with_handle(
        a.account_id.0,
        a.username.map(|u| format!("@{u}")),
    ))
}

fn archive_score(names: &[String]) -> u8 {
    let kinds: Vec<Member> = names.iter().filter_map(|n| member_kind(n)).collect();
    let has_data = names
        .iter()
        .any(|n| n.starts_with("data/") && n.ends_with(".js"));
    match (kinds.contains(&Member::Account), kinds.is_empty(), has_data) {
        (true, _, _) => 95,
        (false, false, true) => 85,
        // A zip's first local headers may show only `Your archive.html` and assets.
        (false, true, true) => 70,
        _ => 0,
    }
}

impl Format for TwitterArchive {
    fn name(&self) -> &'static str {
        "twitter-archive"
    }
    fn describe(&self) -> &'static str {
        "Twitter/X \"download your data\" archive (zip, folder, or tweets.js/follower.js/following.js/like.js)"
    }
    fn reads_folders(&self) -> bool {
        true
    }
    fn sniff(&self, input: &Input) -> u8 {
        if input.is_dir {
            return archive_score(&archive::dir_names(&input.path));
        }
        if archive::is_zip(&input.head) {
            return archive_score(&archive::zip_head_names(&input.head));
        }
        let head = input
            .head
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(&input.head);
        if head.trim_ascii_start().starts_with(b"window.YTD.") {
            95
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
        let mut r = Reader {
            sink,
            position: 0,
            owner: archive::Owner::new(PLATFORM, "account.js"),
        };
        let read = archive::read_members(
            input,
            member_kind,
            |_| true,
            "no tweets.js, follower.js, following.js, like.js or account.js inside: not a Twitter archive",
            // account.js first: it names the owner.
            |k, n| (k, n.to_string()),
            |name, bytes, kind| r.file(name, bytes, kind),
        );
        if let Some(done) = read {
            return done;
        }
        let name = input.inner_name.clone();
        let kind = member_kind(&name).unwrap_or_else(|| {
            // Renamed files: the wrapper names the part (`window.YTD.like.part0`).
            let head = String::from_utf8_lossy(&input.head[..input.head.len().min(64)]).to_string();
            let inner = head
                .trim_start()
                .strip_prefix("window.YTD.")
                .and_then(|r| r.split('.').next())
                .unwrap_or("");
            member_kind(&format!("{inner}.js")).unwrap_or(Member::Tweets)
        });
        if kind != Member::Account {
            r.owner.account = sibling_owner(input);
        }
        let bytes = input.read_all(archive::MAX_MEMBER)?;
        r.file(&name, &bytes, kind)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::tests::Collect;
    use std::path::Path;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/formats/");

    fn read(path: &Path) -> Option<Collect> {
        if !renown_testdata::present(path) {
            return None;
        }
        let mut input = crate::open_input(path).unwrap();
        assert!(
            TwitterArchive.sniff(&input) >= 70,
            "sniff {}",
            path.display()
        );
        let mut sink = Collect::default();
        TwitterArchive
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
    fn single_file_samples() {
        let Some(c) = read(&Path::new(SAMPLES).join("twitter_archive_tweets.js")) else {
            return;
        };
        let ev = events(&c);
        // One reply; its @empathy2000 mention is the replied-to account, not a second event.
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].kind, Kind::Reply);
        assert_eq!(ev[0].actor.id, UNKNOWN_OWNER);
        let t = ev[0].target.as_ref().unwrap();
        assert_eq!(
            (t.id.as_str(), t.handle.as_deref()),
            ("732980797985148928", Some("@empathy2000"))
        );
        assert_eq!(ev[0].time, Some(1676723591));
        assert!(c.warnings[0].contains("placeholder"));

        let c = read(&Path::new(SAMPLES).join("twitter_archive_follower.js")).unwrap();
        let ev = events(&c);
        assert_eq!(ev.len(), 2);
        assert!(ev
            .iter()
            .all(|e| e.kind == Kind::Follow && e.target.as_ref().unwrap().id == UNKNOWN_OWNER));
        assert_eq!(ev[1].actor.id, "1310630474755178496");
        let c = read(&Path::new(SAMPLES).join("twitter_archive_following.js")).unwrap();
        assert_eq!(events(&c).len(), 2);
        let c = read(&Path::new(SAMPLES).join("twitter_archive_like.js")).unwrap();
        let ev = events(&c);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].parent.as_deref(), Some("1627038980352147458"));
        assert_eq!(ev[0].target, None);
    }

    const ACCOUNT: &[u8] = br#"window.YTD.account.part0 = [ { "account" : { "email" : "x@example.com", "username" : "owner", "accountId" : "42", "createdAt" : "2009-01-01T00:00:00.000Z", "accountDisplayName" : "O" } } ]"#;

    fn samples() -> Vec<(&'static str, Vec<u8>)> {
        ["tweets", "follower", "following", "like"]
            .iter()
            .map(|n| {
                (
                    *n,
                    std::fs::read(Path::new(SAMPLES).join(format!("twitter_archive_{n}.js")))
                        .unwrap(),
                )
            })
            .collect()
    }

    fn check_archive(c: &Collect) {
        assert!(c.rejects.is_empty(), "{:?}", c.rejects);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let ev = events(c);
        assert_eq!(ev.len(), 6);
        // The reply, two follows and the like are the owner's; two follows are of the owner.
        assert_eq!(ev.iter().filter(|e| e.actor.id == "42").count(), 4);
        assert_eq!(
            ev.iter()
                .filter(|e| e.target.as_ref().is_some_and(|t| t.id == "42"))
                .count(),
            2
        );
        assert!(matches!(&c.records[0].1, Record::Profile(p) if p.account.id == "42"));
    }

    #[test]
    fn archive_folder_and_zip() {
        if !renown_testdata::present(Path::new(SAMPLES)) {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("twitter-2023");
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(root.join("data/account.js"), ACCOUNT).unwrap();
        let mut members: Vec<(String, Vec<u8>)> =
            vec![("data/account.js".into(), ACCOUNT.to_vec())];
        for (n, bytes) in samples() {
            std::fs::write(root.join(format!("data/{n}.js")), &bytes).unwrap();
            members.push((format!("data/{n}.js"), bytes));
        }
        check_archive(&read(&root).unwrap());
        // A single file beside account.js finds its owner.
        let c = read(&root.join("data/tweets.js")).unwrap();
        assert_eq!(events(&c)[0].actor.id, "42");
        let zip = tmp.path().join("twitter.zip");
        let refs: Vec<(&str, &[u8])> = members
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        archive::tests::make_zip(&zip, &refs);
        check_archive(&read(&zip).unwrap());
    }

    #[test]
    fn twitter_dates_read_by_hand_agree_with_parse_time() {
        for s in [
            "Sat Feb 18 12:33:11 +0000 2023",
            "Sun Jul 01 00:02:52 +0000 2012",
            "Thu Feb 29 23:59:59 +0000 2024",
            "Wed Jan 01 00:00:00 +0000 2020",
            "Fri Dec 31 23:59:59 +0000 1999",
            "Mon Mar 01 10:00:00 +0530 2021",
            "Mon Mar 01 10:00:00 -0800 2021",
        ] {
            assert_eq!(twitter_date(s).map(check_range), Some(parse_time(s)), "{s}");
        }
        for s in [
            "Sat Feb 29 12:33:11 +0000 2023",
            "Sat Feb 18 24:33:11 +0000 2023",
            "Sat Feb 18 12:33:60 +0000 2023",
            "Sat Fev 18 12:33:11 +0000 2023",
            "Sat Feb 18 12:33:11 0000 2023",
            "Sat Feb 18 12:33 +0000 2023",
            "2023-02-18T12:33:11Z",
            "",
        ] {
            assert_eq!(twitter_date(s), None, "{s}");
        }
    }

    #[test]
    fn kinds_and_bad_records() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("tweets.js");
        std::fs::write(
            &path,
            r##"window.YTD.tweets.part0 = [
 {"tweet":{"id_str":"1","created_at":"Sat Feb 18 12:33:11 +0000 2023","full_text":"RT @Ann: hi @Bo","entities":{"user_mentions":[{"screen_name":"Ann","id_str":"7"},{"screen_name":"Bo","id_str":"8"}]}}},
 {"tweet":{"id_str":"2","full_text":"look https://t.co/x #Rust @Bo","entities":{"hashtags":[{"text":"Rust"}],"user_mentions":[{"screen_name":"Bo","id_str":"8"}],"urls":[{"expanded_url":"https://twitter.com/bo/status/99"}]}}},
 {"tweet":{"id_str":"4","entities":7}},
 {"tweet":{"full_text":"no id"}},
 {"tweet":{"id_str":"3","created_at":"someday"}},
 {"retweet":{}},
 {"tweet":{"id_str":"5"}}
]"##,
        )
        .unwrap();
        let c = read(&path).unwrap();
        let got: Vec<(Kind, Option<&str>)> = events(&c)
            .iter()
            .map(|e| (e.kind, e.target.as_ref().map(|t| t.id.as_str())))
            .collect();
        // Record 3 does not parse (the typed pass stops there; the raw pass goes on from it, and
        // records 1-2 are not sent twice).
        assert_eq!(
            got,
            [
                (Kind::Reshare, Some("7")),
                (Kind::Quote, Some("8")),
                (Kind::Post, None)
            ]
        );
        assert_eq!(events(&c)[1].topics, ["Rust"]);
        let rejected: Vec<u64> = c.rejects.iter().map(|r| r.0).collect();
        assert_eq!(rejected, [3, 4, 5, 6]);
        assert!(c.rejects[0].1.contains("tweets.js record 3: invalid type"));
        assert!(c.rejects[2].1.contains("created_at"));
        std::fs::write(&path, "window.YTD.tweets.part0 = [ {").unwrap();
        let c = read(&path).unwrap();
        assert_eq!(c.rejects.len(), 1);
    }
}
