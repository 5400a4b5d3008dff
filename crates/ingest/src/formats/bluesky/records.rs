//! Records, shared by Jetstream (JSON) and repositories (CBOR): types and their events.

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct BskyRecord {
    #[serde(rename = "createdAt")]
    pub(super) created_at: Option<String>,
    pub(super) reply: Option<ReplyRef>,
    pub(super) embed: Option<Embed>,
    #[serde(default)]
    pub(super) facets: Vec<Facet>,
    #[serde(default)]
    pub(super) tags: Vec<String>,
    pub(super) subject: Option<Subject>,
    #[serde(rename = "displayName")]
    pub(super) display_name: Option<String>,
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ReplyRef {
    pub(super) parent: StrongRef,
}

#[derive(Deserialize)]
pub(super) struct StrongRef {
    pub(super) uri: String,
}

#[derive(Deserialize)]
pub(super) struct Embed {
    #[serde(rename = "$type")]
    pub(super) kind: Option<String>,
    pub(super) record: Option<EmbedRecord>,
}

/// `app.bsky.embed.record` holds a strong ref; `recordWithMedia` nests one more level.
#[derive(Deserialize)]
pub(super) struct EmbedRecord {
    pub(super) uri: Option<String>,
    pub(super) record: Option<StrongRef>,
}

#[derive(Deserialize)]
pub(super) struct Facet {
    #[serde(default)]
    pub(super) features: Vec<Feature>,
}

#[derive(Deserialize)]
pub(super) struct Feature {
    pub(super) did: Option<String>,
    pub(super) tag: Option<String>,
}

/// A follow's subject is a DID; a like's or repost's a strong ref.
pub(super) enum Subject {
    Did(String),
    Ref(String),
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Subject, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Subject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a DID or a strong ref")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Subject, E> {
                Ok(Subject::Did(s.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Subject, A::Error> {
                StrongRef::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(|r| Subject::Ref(r.uri))
            }
        }
        d.deserialize_any(V)
    }
}

/// The repository (DID) an at:// URI points into.
pub(super) fn did_of(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("at://")?;
    let did = rest.split('/').next()?;
    (!did.is_empty()).then_some(did)
}

pub(super) fn at_uri(did: &str, collection: &str, rkey: &str) -> String {
    // By hand: `format!` was a tenth of the Jetstream reader's time.
    let mut uri = String::with_capacity(7 + did.len() + collection.len() + rkey.len());
    for part in ["at://", did, "/", collection, "/", rkey] {
        uri.push_str(part);
    }
    uri
}

/// What one record becomes. `fallback_time` is when the network saw it (Jetstream's time_us).
pub(super) fn record_events(
    did: &str,
    collection: &str,
    rkey: &str,
    rec: &BskyRecord,
    fallback_time: Option<i64>,
    out: &mut Vec<Record>,
) -> Result<bool, String> {
    let uri = at_uri(did, collection, rkey);
    // createdAt is set by the client and sometimes absurd; the relay's clock is the fallback.
    let time = rec
        .created_at
        .as_deref()
        .and_then(|s| times::parse(s).ok())
        .or(fallback_time);
    let actor = AccountRef::new(did);
    let event = |kind: Kind, target: Option<&str>, parent: Option<&str>| {
        let mut e = Event::new(PLATFORM, kind, actor.clone());
        e.time = time;
        e.target = target.map(AccountRef::new);
        e.item = Some(uri.clone());
        e.parent = parent.map(str::to_string);
        e.source_id = Some(uri.clone());
        e
    };
    let subject_ref = || match &rec.subject {
        Some(Subject::Ref(u)) => Ok(u.as_str()),
        Some(Subject::Did(_)) => Err(format!("{collection}: subject is a DID, not a record")),
        None => Err(format!("{collection}: no subject")),
    };
    match collection {
        "app.bsky.feed.post" => {
            let parent = rec.reply.as_ref().map(|r| r.parent.uri.as_str());
            let quoted = rec.embed.as_ref().and_then(|e| match e.kind.as_deref() {
                Some("app.bsky.embed.record") => e.record.as_ref()?.uri.as_deref(),
                Some("app.bsky.embed.recordWithMedia") => {
                    e.record.as_ref()?.record.as_ref().map(|r| r.uri.as_str())
                }
                _ => None,
            });
            let mut topics: Vec<String> = rec
                .facets
                .iter()
                .flat_map(|f| f.features.iter().filter_map(|x| x.tag.clone()))
                .chain(rec.tags.iter().cloned())
                .collect();
            topics.dedup();
            let mut main = match (parent, quoted) {
                (Some(p), _) => event(Kind::Reply, did_of(p), Some(p)),
                (None, Some(q)) => event(Kind::Quote, did_of(q), Some(q)),
                (None, None) => event(Kind::Post, None, None),
            };
            main.topics = topics;
            let mut seen: Vec<renown_model::CompactString> =
                main.target.iter().map(|t| t.id.clone()).collect();
            out.push(Record::Event(main));
            if let (Some(_), Some(q)) = (parent, quoted) {
                out.push(Record::Event(event(Kind::Quote, did_of(q), Some(q))));
            }
            for m in rec
                .facets
                .iter()
                .flat_map(|f| f.features.iter().filter_map(|x| x.did.as_deref()))
            {
                if m != did && !seen.iter().any(|s| s == m) {
                    seen.push(m.into());
                    out.push(Record::Event(event(Kind::Mention, Some(m), None)));
                }
            }
        }
        "app.bsky.feed.repost" | "app.bsky.feed.like" => {
            let subject = subject_ref()?;
            let kind = if collection.ends_with("repost") {
                Kind::Reshare
            } else {
                Kind::Like
            };
            out.push(Record::Event(event(kind, did_of(subject), Some(subject))));
        }
        "app.bsky.graph.follow" => match &rec.subject {
            Some(Subject::Did(d)) => out.push(Record::Event(event(Kind::Follow, Some(d), None))),
            _ => return Err("app.bsky.graph.follow: subject is not a DID".into()),
        },
        "app.bsky.actor.profile" => {
            let mut p = Profile {
                platform: PLATFORM.into(),
                account: actor.clone(),
                ..Profile::default()
            };
            let bio = rec.description.as_deref().unwrap_or("");
            p.facts.set_bio(bio);
            if !bio.is_empty() {
                p.texts.push(("bio".into(), bio.to_string()));
            }
            if let Some(n) = rec.display_name.as_ref().filter(|n| !n.is_empty()) {
                p.texts.push(("display_name".into(), n.clone()));
            }
            out.push(Record::Profile(p));
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The deletion of the record `collection/rkey` in `did`'s repository.
pub(super) fn deletion(did: &str, collection: &str, rkey: &str, time: Option<i64>) -> Record {
    Record::Deletion(Deletion {
        platform: PLATFORM.into(),
        account: AccountRef::new(did),
        item: at_uri(did, collection, rkey),
        time,
    })
}

/// Tallies records of collections renown does not use (blocks, lists, threadgates...).
#[derive(Default)]
pub(super) struct Skipped(pub(super) BTreeMap<String, u64>);

impl Skipped {
    pub(super) fn report(self, sink: &mut dyn Sink) {
        if !self.0.is_empty() {
            let list: Vec<String> = self.0.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
            sink.warn(format!(
                "records of other collections skipped: {}",
                list.join(", ")
            ));
        }
    }
}

// ---- Jetstream -------------------------------------------------------------------------------
