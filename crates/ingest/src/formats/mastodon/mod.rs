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

mod accounts;
mod documents;
mod events;
#[cfg(test)]
mod tests;

use accounts::*;
use documents::*;
use events::*;

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
