//! Activities as events, the actor as a profile.

use super::*;

pub(super) fn time_of(s: Option<&str>) -> Result<Option<i64>, String> {
    s.map(|s| times::parse(s).map_err(|e| format!("published: {e}")))
        .transpose()
}

/// The account a reply answers: the Mention tag pointing at the replied-to account (it carries
/// the canonical handle), else the status URL's account, else the only Mention on that server.
pub(super) fn reply_target(in_reply_to: &str, tags: &[Tag<'_>]) -> Option<AccountRef> {
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

pub(super) fn mention_ref(t: &Tag<'_>) -> Option<AccountRef> {
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
pub(super) struct Skipped(BTreeMap<String, u64>);

impl Skipped {
    pub(super) fn add(&mut self, what: &str) {
        *self.0.entry(what.to_string()).or_default() += 1;
    }
    pub(super) fn report(self, file: &str, sink: &mut dyn Sink) {
        if !self.0.is_empty() {
            let list: Vec<String> = self.0.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
            sink.warn(format!(
                "{file}: skipped (not influence events): {}",
                list.join(", ")
            ));
        }
    }
}

pub(super) fn activity_events(
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

pub(super) fn like_event(owner: &AccountRef, url: &str) -> Event {
    let mut e = Event::new(PLATFORM, Kind::Like, owner.clone());
    e.target = account_from_status_url(url);
    e.parent = Some(url.to_string());
    e.source_id = Some(url.to_string());
    e
}

pub(super) fn actor_profile<I>(doc: &Doc<'_, I>) -> Option<Profile> {
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
