//! Mastodon account backups (the zip or its folder) and plain ActivityPub documents.
//!
//! - `outbox.json`: Create of a Note → post, or reply when `inReplyTo` is set; its Mention tags →
//!   mention events (the replied-to account excepted); Hashtag tags → topics; Announce → reshare.
//! - `likes.json` → likes; `following_accounts.csv` (Settings → Export) → follows.
//! - `actor.json` → the owner's profile; its `attachment` links and profile URL are kept as
//!   *suggested* identity links (`renown link --suggest`), never merged.
//! - Single Follow / Like / Announce / Create documents, or collections of them.
//!
//! Accounts are `user@host` (lowercase) taken from actor and status URLs (`/users/NAME`,
//! `/@NAME`, `/u/NAME`); the Mention tag's `@user@host` becomes the handle. A status URL of
//! another shape (`/notes/ID`, `/objects/UUID`) does not say whose it is: its target stays
//! unresolved unless exactly one Mention tag points at that server.

use super::archive;
use super::json::{self, Text};
use super::times;
use super::xml;
use super::Format;
use crate::{Input, ReadError, ReadOptions, Sink, Stop};
use renown_model::url::HttpUrl;
use renown_model::{parse_time, AccountRef, Event, Kind, Profile, Record, SuggestedLink};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;

pub struct Mastodon;

pub const PLATFORM: &str = "mastodon";

// ---- accounts from URLs ----------------------------------------------------------------------

/// The first path segments of a URL: every shape renown matches is decided by at most five
/// (the patterns end in `..`), and a fixed array spares an allocation per URL.
struct Segs<'a> {
    buf: [&'a str; 5],
    len: usize,
}

impl<'a> Segs<'a> {
    fn as_slice(&self) -> &[&'a str] {
        &self.buf[..self.len]
    }
}

/// (host, first non-empty path segments) of an http(s) URL.
fn split_url(url: &str) -> Option<(&str, Segs<'_>)> {
    let url = HttpUrl::parse(url)?;
    let mut segs = Segs {
        buf: [""; 5],
        len: 0,
    };
    for p in url.segments().take(5) {
        segs.buf[segs.len] = p;
        segs.len += 1;
    }
    Some((url.host, segs))
}

/// `s.to_lowercase()` appended, without the temporary string when `s` is ASCII.
fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&s.to_lowercase());
    }
}

fn acct(name: &str, host: &str) -> AccountRef {
    let mut id = String::with_capacity(name.len() + host.len() + 1);
    push_lowercase(&mut id, name);
    id.push('@');
    push_lowercase(&mut id, host);
    let mut handle = String::with_capacity(name.len() + host.len() + 2);
    for part in ["@", name, "@", host] {
        handle.push_str(part);
    }
    AccountRef::with_handle(id, Some(handle))
}

/// The account a profile URL names, in the shapes Mastodon, Pleroma and diaspora use.
pub fn account_from_actor_url(url: &str) -> Option<AccountRef> {
    let (host, segs) = split_url(url)?;
    match segs.as_slice() {
        ["users" | "u", name, ..] | ["ap", "users", name, ..] => Some(acct(name, host)),
        [at, ..] if at.len() > 1 && at.starts_with('@') => {
            // `/@user@other.host` is a remote profile seen through this server.
            match at[1..].split_once('@') {
                Some((name, other)) => Some(acct(name, other)),
                None => Some(acct(&at[1..], host)),
            }
        }
        _ => None,
    }
}

/// Any actor URL names an account: the recognised `user@host` form, else the URL itself.
fn actor_ref(url: &str) -> AccountRef {
    account_from_actor_url(url).unwrap_or_else(|| AccountRef::new(url.trim_end_matches('/')))
}

/// The author of a status URL, when its shape says (`/users/NAME/statuses/ID`, `/@NAME/ID`).
pub fn account_from_status_url(url: &str) -> Option<AccountRef> {
    let (host, segs) = split_url(url)?;
    match segs.as_slice() {
        ["users", name, "statuses", _, ..] | ["ap", "users", name, "post", _, ..] => {
            Some(acct(name, host))
        }
        [at, _id, ..] if at.len() > 1 && at.starts_with('@') => account_from_actor_url(url),
        _ => None,
    }
}

// ---- the documents ---------------------------------------------------------------------------

// Strings are borrowed from the document where they have no escapes (`json::Text`): an outbox
// is a hundred thousand small objects, and allocating (then freeing) each of their strings was
// a third of the reading time.

/// A link given as a string or as an object with an `id`.
struct Iri<'a>(Text<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Iri<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Iri<'a>, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Iri<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a link or an object with an id")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<Iri<'a>, E> {
                Ok(Iri(Text(Cow::Borrowed(s))))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Iri<'a>, E> {
                Ok(Iri(Text(Cow::Owned(s.to_string()))))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Iri<'a>, A::Error> {
                let mut id = None;
                while let Some(k) = m.next_key::<Cow<str>>()? {
                    if k == "id" {
                        id = Some(m.next_value::<Text<'a>>()?);
                    } else {
                        m.next_value::<IgnoredAny>()?;
                    }
                }
                id.map(Iri)
                    .ok_or_else(|| serde::de::Error::custom("object without an id"))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[derive(Deserialize)]
struct Note<'a> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
    #[serde(rename = "inReplyTo", borrow)]
    in_reply_to: Option<Iri<'a>>,
    #[serde(borrow)]
    published: Option<Text<'a>>,
    #[serde(rename = "attributedTo", borrow)]
    attributed_to: Option<Iri<'a>>,
    #[serde(default, borrow)]
    tag: Vec<Tag<'a>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    href: Option<Text<'a>>,
    #[serde(borrow)]
    name: Option<Text<'a>>,
}

/// A member that is either a link or an embedded object: an activity's object (a link for
/// Announce, Like, Follow; a Note for Create) or a collection member (an activity in the outbox,
/// a bare link in likes.json).
enum LinkOr<'a, T> {
    Link(Text<'a>),
    Inline(Box<T>),
}

type Obj<'a> = LinkOr<'a, Note<'a>>;
type Item<'a> = LinkOr<'a, Activity<'a>>;

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for LinkOr<'a, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LinkOr<'a, T>, D::Error> {
        struct V<'a, T>(PhantomData<(&'a (), T)>);
        impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for V<'a, T> {
            type Value = LinkOr<'a, T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a link or an object")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                s: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(LinkOr::Link(Text(Cow::Borrowed(s))))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(LinkOr::Link(Text(Cow::Owned(s.to_string()))))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(|t| LinkOr::Inline(Box::new(t)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[derive(Deserialize, Default)]
struct Activity<'a> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    actor: Option<Iri<'a>>,
    #[serde(borrow)]
    published: Option<Text<'a>>,
    #[serde(borrow)]
    object: Option<Obj<'a>>,
}

/// One collection member, kept raw (borrowed from the document) so a bad one is rejected alone.
struct RawItem<'a>(&'a serde_json::value::RawValue);

impl<'de: 'a, 'a> Deserialize<'de> for RawItem<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawItem<'a>, D::Error> {
        <&serde_json::value::RawValue>::deserialize(d).map(RawItem)
    }
}

/// A whole document: a collection, an actor, or one activity. By hand because real outboxes
/// carry `orderedItems` twice (an empty one first); the longest wins. Items are parsed typed
/// (`Item`) in one pass, or kept raw (`RawItem`) when that fails, so bad ones are rejected alone.
struct Doc<'a, I> {
    id: Option<Text<'a>>,
    kind: Option<Text<'a>>,
    items: Option<Vec<I>>,
    activity: Activity<'a>,
    actor: ActorFields,
}

impl<I> Default for Doc<'_, I> {
    fn default() -> Self {
        Doc {
            id: None,
            kind: None,
            items: None,
            activity: Activity::default(),
            actor: ActorFields::default(),
        }
    }
}

#[derive(Default)]
struct ActorFields {
    preferred_username: Option<String>,
    name: Option<String>,
    summary: Option<String>,
    url: Option<String>,
    attachment: Vec<PropertyValue>,
}

#[derive(Deserialize)]
struct PropertyValue {
    name: Option<String>,
    value: Option<String>,
}

impl<'de: 'a, 'a, I: Deserialize<'de>> Deserialize<'de> for Doc<'a, I> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Doc<'a, I>, D::Error> {
        struct V<'a, I>(PhantomData<(&'a (), I)>);
        impl<'de: 'a, 'a, I: Deserialize<'de>> Visitor<'de> for V<'a, I> {
            type Value = Doc<'a, I>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an ActivityStreams object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Doc<'a, I>, A::Error> {
                let mut doc = Doc::default();
                while let Some(k) = m.next_key::<std::borrow::Cow<str>>()? {
                    match &*k {
                        "id" => doc.id = m.next_value()?,
                        "type" => doc.kind = m.next_value()?,
                        "orderedItems" | "items" => {
                            let v: Vec<I> = m.next_value()?;
                            if doc.items.as_ref().is_none_or(|old| v.len() >= old.len()) {
                                doc.items = Some(v);
                            }
                        }
                        "actor" => doc.activity.actor = m.next_value()?,
                        "published" => doc.activity.published = m.next_value()?,
                        "object" => doc.activity.object = m.next_value()?,
                        "preferredUsername" => doc.actor.preferred_username = m.next_value()?,
                        "name" => doc.actor.name = m.next_value()?,
                        "summary" => doc.actor.summary = m.next_value()?,
                        "url" => {
                            doc.actor.url = m.next_value::<Option<Iri>>()?.map(|i| i.0.to_string())
                        }
                        "attachment" => {
                            doc.actor.attachment = m.next_value::<Option<_>>()?.unwrap_or_default()
                        }
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                doc.activity.id = doc.id.clone();
                doc.activity.kind = doc.kind.clone();
                Ok(doc)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

// ---- events ----------------------------------------------------------------------------------

fn time_of(s: Option<&str>) -> Result<Option<i64>, String> {
    s.map(|s| times::parse(s).map_err(|e| format!("published: {e}")))
        .transpose()
}

/// The account a reply answers: the Mention tag pointing at the replied-to account (it carries
/// the canonical handle), else the status URL's account, else the only Mention on that server.
fn reply_target(in_reply_to: &str, tags: &[Tag<'_>]) -> Option<AccountRef> {
    let mentions = || {
        tags.iter()
            .filter(|t| t.kind.as_deref() == Some("Mention"))
            .filter_map(|t| Some((t.href.as_deref()?, t.name.as_deref())))
    };
    let with_handle = |mut a: AccountRef, name: Option<&str>| {
        if let Some(n) = name.filter(|n| n.starts_with('@')) {
            a.handle = Some(if n[1..].contains('@') {
                n.to_string()
            } else {
                // `@user` alone: add the server the id names.
                format!("{n}@{}", a.id.split_once('@').map_or("", |(_, h)| h))
            });
        }
        a
    };
    if let Some(owner) = account_from_status_url(in_reply_to) {
        for (href, name) in mentions() {
            if account_from_actor_url(href).is_some_and(|a| a.id == owner.id) {
                return Some(with_handle(owner, name));
            }
        }
        return Some(owner);
    }
    let host = split_url(in_reply_to)?.0.to_ascii_lowercase();
    let mut same_host = mentions()
        .filter(|(href, _)| split_url(href).is_some_and(|(h, _)| h.eq_ignore_ascii_case(&host)));
    match (same_host.next(), same_host.next()) {
        (Some((href, name)), None) => Some(with_handle(actor_ref(href), name)),
        _ => None,
    }
}

fn mention_ref(t: &Tag<'_>) -> Option<AccountRef> {
    let href = t.href.as_deref()?;
    let mut a = actor_ref(href);
    if let Some(n) = t
        .name
        .as_deref()
        .filter(|n| n.starts_with('@') && n[1..].contains('@'))
    {
        a.handle = Some(n.to_string());
    }
    Some(a)
}

/// Counters for what a document held that renown does not turn into events.
#[derive(Default)]
struct Skipped(BTreeMap<String, u64>);

impl Skipped {
    fn add(&mut self, what: &str) {
        *self.0.entry(what.to_string()).or_default() += 1;
    }
    fn report(self, file: &str, sink: &mut dyn Sink) {
        if !self.0.is_empty() {
            let list: Vec<String> = self.0.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
            sink.warn(format!(
                "{file}: skipped (not influence events): {}",
                list.join(", ")
            ));
        }
    }
}

fn activity_events(
    a: &Activity<'_>,
    out: &mut Vec<Event>,
    skipped: &mut Skipped,
) -> Result<(), String> {
    let kind = a.kind.as_deref().unwrap_or("");
    fn actor_url<'b>(a: &'b Activity<'_>, kind: &str) -> Result<&'b str, String> {
        match (&a.actor, &a.object) {
            (Some(Iri(u)), _) => Ok(u),
            (None, Some(Obj::Inline(n))) if n.attributed_to.is_some() => {
                Ok(n.attributed_to.as_ref().map_or("", |i| &i.0))
            }
            _ => Err(format!("{kind} without an actor")),
        }
    }
    match kind {
        "Create" | "Update" => {
            let Some(Obj::Inline(note)) = &a.object else {
                return Err(format!("{kind} without an embedded object"));
            };
            if kind == "Update" {
                // An edit repeats its post; the Create already counted it.
                skipped.add("Update");
                return Ok(());
            }
            let actor = actor_ref(actor_url(a, kind)?);
            let time = time_of(note.published.as_deref().or(a.published.as_deref()))?;
            let id = note.id.as_deref().or(a.id.as_deref()).map(str::to_string);
            let reply_to = note.in_reply_to.as_ref().map(|i| &*i.0);
            let target = reply_to.and_then(|r| reply_target(r, &note.tag));
            let mut e = Event::new(
                PLATFORM,
                if reply_to.is_some() {
                    Kind::Reply
                } else {
                    Kind::Post
                },
                actor.clone(),
            );
            e.time = time;
            e.item = id.clone();
            e.parent = reply_to.map(str::to_string);
            e.target = target.clone();
            e.source_id = id.clone();
            e.topics = note
                .tag
                .iter()
                .filter(|t| t.kind.as_deref() == Some("Hashtag"))
                .filter_map(|t| t.name.as_deref())
                .map(|n| n.trim_start_matches('#').to_string())
                .filter(|n| !n.is_empty())
                .collect();
            out.push(e);
            let mut seen: Vec<renown_model::CompactString> =
                target.into_iter().map(|t| t.id).collect();
            for t in note
                .tag
                .iter()
                .filter(|t| t.kind.as_deref() == Some("Mention"))
            {
                let Some(m) = mention_ref(t) else { continue };
                if seen.contains(&m.id) {
                    continue;
                }
                seen.push(m.id.clone());
                let mut me = Event::new(PLATFORM, Kind::Mention, actor.clone());
                me.time = time;
                me.item = id.clone();
                me.source_id = id.clone();
                me.target = Some(m);
                out.push(me);
            }
        }
        "Announce" | "Like" => {
            let actor = actor_ref(actor_url(a, kind)?);
            let object = match &a.object {
                Some(Obj::Link(u)) => u.to_string(),
                Some(Obj::Inline(n)) => {
                    n.id.as_deref()
                        .map(str::to_string)
                        .ok_or(format!("{kind} object without an id"))?
                }
                None => return Err(format!("{kind} without an object")),
            };
            let mut e = Event::new(
                PLATFORM,
                if kind == "Like" {
                    Kind::Like
                } else {
                    Kind::Reshare
                },
                actor,
            );
            e.time = time_of(a.published.as_deref())?;
            e.target = account_from_status_url(&object);
            e.item = a.id.as_deref().map(str::to_string);
            e.source_id = Some(e.item.clone().unwrap_or_else(|| object.clone()));
            e.parent = Some(object);
            out.push(e);
        }
        "Follow" => {
            let actor = actor_ref(actor_url(a, kind)?);
            let Some(Obj::Link(object)) = &a.object else {
                return Err("Follow without an object link".into());
            };
            let mut e = Event::new(PLATFORM, Kind::Follow, actor);
            e.time = time_of(a.published.as_deref())?;
            e.target = Some(actor_ref(object));
            e.source_id = Some(format!("follow {object}"));
            out.push(e);
        }
        "" => return Err("activity without a type".into()),
        other => skipped.add(other),
    }
    Ok(())
}

fn like_event(owner: &AccountRef, url: &str) -> Event {
    let mut e = Event::new(PLATFORM, Kind::Like, owner.clone());
    e.target = account_from_status_url(url);
    e.parent = Some(url.to_string());
    e.source_id = Some(url.to_string());
    e
}

fn actor_profile<I>(doc: &Doc<'_, I>) -> Option<Profile> {
    let id = doc.id.as_deref()?;
    let mut account = actor_ref(id);
    if let (Some(user), Some((host, _))) = (&doc.actor.preferred_username, split_url(id)) {
        account = acct(user, host);
    }
    let mut p = Profile {
        platform: PLATFORM.into(),
        account,
        ..Profile::default()
    };
    if let Some(t) = doc
        .activity
        .published
        .as_deref()
        .and_then(|s| parse_time(s).ok())
    {
        p.facts.created = Some(t);
    }
    if let Some(user) = &doc.actor.preferred_username {
        p.facts.set_username(user);
    }
    let bio = doc.actor.summary.as_deref().unwrap_or("");
    p.facts.set_bio(bio);
    if !bio.is_empty() {
        p.texts.push(("bio".into(), bio.to_string()));
    }
    if let Some(n) = doc.actor.name.as_ref().filter(|n| !n.is_empty()) {
        p.texts.push(("display_name".into(), n.clone()));
    }
    if let Some(u) = &doc.actor.url {
        p.texts.push(("url".into(), u.clone()));
    }
    for pv in &doc.actor.attachment {
        let value = pv.value.as_deref().unwrap_or("");
        for href in xml::html_hrefs(value)
            .into_iter()
            .filter(|u| u.starts_with("http"))
        {
            let label = pv.name.as_deref().unwrap_or("link");
            p.suggested_links.push(SuggestedLink {
                url: href.into_owned(),
                why: format!("profile field {label:?} (rel=me)"),
            });
        }
    }
    Some(p)
}

// ---- reading ---------------------------------------------------------------------------------

/// What a backup member is, from its name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Member {
    Outbox,
    Likes,
    Actor,
    Following,
    Bookmarks,
    Other,
}

fn member_kind(name: &str) -> Member {
    match archive::base_name(name).to_ascii_lowercase().as_str() {
        "outbox.json" => Member::Outbox,
        "likes.json" => Member::Likes,
        "actor.json" => Member::Actor,
        "bookmarks.json" => Member::Bookmarks,
        n if n.starts_with("following_accounts") && n.ends_with(".csv") => Member::Following,
        _ => Member::Other,
    }
}

/// Reads members and numbers records across them so identities never collide.
struct Reader<'s> {
    sink: &'s mut dyn Sink,
    position: u64,
    owner: archive::Owner,
}

impl Reader<'_> {
    fn owner(&mut self, file: &str) -> AccountRef {
        self.owner.get(file, self.sink)
    }

    fn send(&mut self, e: Event) -> Result<(), Stop> {
        self.position += 1;
        self.sink.record(self.position, Record::Event(e))
    }

    fn json(&mut self, file: &str, bytes: &[u8], hint: Member) -> Result<(), Stop> {
        // One typed pass; only a document with a malformed item pays for a second, raw one.
        if let Ok(doc) = json::from_bytes::<Doc<Item>>(bytes) {
            return self.doc(file, doc, hint, Ok);
        }
        match json::from_bytes::<Doc<RawItem>>(bytes) {
            Ok(doc) => self.doc(file, doc, hint, |raw| {
                serde_json::from_str::<Item>(raw.0.get()).map_err(|e| e.to_string())
            }),
            Err(e) => self.sink.reject(
                e.line() as u64,
                format!("{file}: not an ActivityStreams document: {e}"),
            ),
        }
    }

    fn doc<'a, I>(
        &mut self,
        file: &str,
        doc: Doc<'a, I>,
        hint: Member,
        item: impl Fn(I) -> Result<Item<'a>, String>,
    ) -> Result<(), Stop> {
        let kind = doc.kind.as_deref().unwrap_or("");
        if matches!(
            kind,
            "Person" | "Service" | "Application" | "Group" | "Organization"
        ) {
            if let Some(p) = actor_profile(&doc) {
                self.owner.account.get_or_insert_with(|| p.account.clone());
                self.position += 1;
                return self.sink.record(self.position, Record::Profile(p));
            }
            return self.sink.reject(1, format!("{file}: actor without an id"));
        }
        let Some(items) = doc.items else {
            // One activity on its own.
            return self.items(
                file,
                std::iter::once(Ok(Item::Inline(Box::new(doc.activity)))),
                hint,
            );
        };
        let id = doc.id.as_deref().unwrap_or("");
        let hint = match (hint, id) {
            (Member::Other, "likes.json") => Member::Likes,
            (Member::Other, "bookmarks.json") => Member::Bookmarks,
            (h, _) => h,
        };
        if hint == Member::Bookmarks {
            self.sink.warn(format!(
                "{file}: {} bookmarks skipped (private, not an influence signal)",
                items.len()
            ));
            return Ok(());
        }
        self.items(file, items.into_iter().map(item), hint)
    }

    fn items<'a>(
        &mut self,
        file: &str,
        items: impl Iterator<Item = Result<Item<'a>, String>>,
        hint: Member,
    ) -> Result<(), Stop> {
        let mut skipped = Skipped::default();
        let mut out = Vec::new();
        for (i, item) in items.enumerate() {
            let no = i as u64 + 1;
            let result = match item {
                Err(e) => Err(e),
                Ok(Item::Link(url)) if hint == Member::Likes => {
                    let owner = self.owner(file);
                    out.push(like_event(&owner, &url));
                    Ok(())
                }
                Ok(Item::Link(_)) => Err("a bare link where an activity belongs".into()),
                Ok(Item::Inline(a)) => activity_events(&a, &mut out, &mut skipped),
            };
            match result {
                Ok(()) => {
                    for e in out.drain(..) {
                        self.send(e)?;
                    }
                }
                Err(reason) => {
                    out.clear();
                    self.sink
                        .reject(no, format!("{file} record {no}: {reason}"))?;
                }
            }
        }
        skipped.report(file, self.sink);
        Ok(())
    }

    fn following_csv(&mut self, file: &str, bytes: &[u8]) -> Result<(), Stop> {
        let owner = self.owner(file);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes);
        for (i, row) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let address = match &row {
                Ok(r) => r.get(0).unwrap_or("").trim().trim_start_matches('@'),
                Err(e) => {
                    self.sink.reject(line, format!("{file}: {e}"))?;
                    continue;
                }
            };
            match address.split_once('@') {
                Some((user, host)) if !user.is_empty() && !host.is_empty() => {
                    let mut e = Event::new(PLATFORM, Kind::Follow, owner.clone());
                    e.target = Some(acct(user, host));
                    e.source_id = Some(format!("follow {}", address.to_lowercase()));
                    self.send(e)?;
                }
                _ => self.sink.reject(
                    line,
                    format!("{file}: {address:?} is not an account address (user@server)"),
                )?,
            }
        }
        Ok(())
    }

    fn member(&mut self, file: &str, bytes: &[u8], kind: Member) -> Result<(), Stop> {
        if kind == Member::Following
            || (kind == Member::Other && bytes.starts_with(b"Account address"))
        {
            self.following_csv(file, bytes)
        } else {
            self.json(file, bytes, kind)
        }
    }
}

/// The owner from an actor.json beside a single file, if there is one.
fn sibling_owner(input: &Input) -> Option<AccountRef> {
    let path = input.path.parent()?.join("actor.json");
    if path == input.path {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let doc: Doc<IgnoredAny> = serde_json::from_slice(&bytes).ok()?;
    actor_profile(&doc).map(|p| p.account)
}

fn archive_score(names: &[String]) -> u8 {
    let has = |k| names.iter().any(|n| member_kind(n) == k);
    if has(Member::Outbox) && (has(Member::Actor) || has(Member::Likes)) {
        95
    } else if has(Member::Outbox) {
        80
    } else {
        0
    }
}

impl Format for Mastodon {
    fn name(&self) -> &'static str {
        "mastodon"
    }
    fn describe(&self) -> &'static str {
        "Mastodon backup (zip or folder: outbox.json, likes.json, actor.json, following_accounts.csv) and ActivityPub activities"
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
        if input.head.starts_with(b"Account address,") {
            return 95;
        }
        let head = &input.head[..input.head.len().min(4096)];
        let text = String::from_utf8_lossy(head);
        if text.trim_start().starts_with('{')
            && text.contains("https://www.w3.org/ns/activitystreams")
        {
            90
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
            owner: archive::Owner::new(PLATFORM, "actor.json"),
        };
        let read = archive::read_members(
            input,
            |n| Some(member_kind(n)).filter(|k| *k != Member::Other),
            |k| k == Member::Outbox,
            "no outbox.json inside: not a Mastodon backup",
            // The actor first: it names the owner of likes and follows.
            |k, n| (k != Member::Actor, n.to_string()),
            |name, bytes, kind| r.member(name, bytes, kind),
        );
        if let Some(done) = read {
            return done;
        }
        r.owner.account = sibling_owner(input);
        let bytes = input.read_all(archive::MAX_MEMBER)?;
        let name = input.inner_name.clone();
        r.member(&name, &bytes, member_kind(&name))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
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
}
