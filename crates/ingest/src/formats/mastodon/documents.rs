//! The ActivityPub documents, deserialised borrowing their strings.

use super::*;

// Strings are borrowed from the document where they have no escapes (`json::Text`): an outbox
// is a hundred thousand small objects, and allocating (then freeing) each of their strings was
// a third of the reading time.

/// A link given as a string or as an object with an `id`.
pub(super) struct Iri<'a>(pub(super) Text<'a>);

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
pub(super) struct Note<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Text<'a>>,
    #[serde(rename = "inReplyTo", borrow)]
    pub(super) in_reply_to: Option<Iri<'a>>,
    #[serde(borrow)]
    pub(super) published: Option<Text<'a>>,
    #[serde(rename = "attributedTo", borrow)]
    pub(super) attributed_to: Option<Iri<'a>>,
    #[serde(default, borrow)]
    pub(super) tag: Vec<Tag<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) href: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) name: Option<Text<'a>>,
}

/// A member that is either a link or an embedded object: an activity's object (a link for
/// Announce, Like, Follow; a Note for Create) or a collection member (an activity in the outbox,
/// a bare link in likes.json).
pub(super) enum LinkOr<'a, T> {
    Link(Text<'a>),
    Inline(Box<T>),
}

pub(super) type Obj<'a> = LinkOr<'a, Note<'a>>;
pub(super) type Item<'a> = LinkOr<'a, Activity<'a>>;

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
pub(super) struct Activity<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) actor: Option<Iri<'a>>,
    #[serde(borrow)]
    pub(super) published: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) object: Option<Obj<'a>>,
}

/// One collection member, kept raw (borrowed from the document) so a bad one is rejected alone.
pub(super) struct RawItem<'a>(pub(super) &'a serde_json::value::RawValue);

impl<'de: 'a, 'a> Deserialize<'de> for RawItem<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawItem<'a>, D::Error> {
        <&serde_json::value::RawValue>::deserialize(d).map(RawItem)
    }
}

/// A whole document: a collection, an actor, or one activity. By hand because real outboxes
/// carry `orderedItems` twice (an empty one first); the longest wins. Items are parsed typed
/// (`Item`) in one pass, or kept raw (`RawItem`) when that fails, so bad ones are rejected alone.
pub(super) struct Doc<'a, I> {
    pub(super) id: Option<Text<'a>>,
    pub(super) kind: Option<Text<'a>>,
    pub(super) items: Option<Vec<I>>,
    pub(super) activity: Activity<'a>,
    pub(super) actor: ActorFields,
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
pub(super) struct ActorFields {
    pub(super) preferred_username: Option<String>,
    pub(super) name: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) url: Option<String>,
    pub(super) attachment: Vec<PropertyValue>,
}

#[derive(Deserialize)]
pub(super) struct PropertyValue {
    pub(super) name: Option<String>,
    pub(super) value: Option<String>,
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
