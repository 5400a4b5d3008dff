use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use xxhash_rust::xxh3::xxh3_64;

/// What an event does. The numeric codes are stored on disk: never renumber them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Kind {
    /// The actor starts following the target.
    Follow = 1,
    /// The actor stops following the target.
    Unfollow = 2,
    /// A new post of the actor's own.
    Post = 3,
    /// An answer to the target's post.
    Reply = 4,
    /// A comment under the target's post or page (blogs, Reddit).
    Comment = 5,
    /// Tagging someone in a post.
    Mention = 6,
    /// Retweet, boost, repost, reblog.
    Reshare = 7,
    /// A reshare with the actor's own words added.
    Quote = 8,
    /// Favourite, like, upvote.
    Like = 9,
    /// One blog or page linking another (pingbacks, trackbacks, hyperlinks).
    Link = 10,
    /// Subscribing to a feed, channel or community.
    Subscribe = 11,
}

/// Kinds in which the actor responds to the target's contribution: the raw material of earned influence.
pub const ENGAGEMENT_KINDS: [Kind; 7] = [
    Kind::Reply,
    Kind::Comment,
    Kind::Mention,
    Kind::Reshare,
    Kind::Quote,
    Kind::Like,
    Kind::Link,
];

/// What each engagement kind weighs by default where kinds are summed into one edge weight: a
/// response that takes effort (reshare, quote, reply, comment, link) counts fully, a mention
/// half, a like, the cheapest signal, a quarter.
pub const DEFAULT_KIND_WEIGHTS: [(Kind, f32); 7] = [
    (Kind::Reshare, 1.0),
    (Kind::Quote, 1.0),
    (Kind::Reply, 1.0),
    (Kind::Comment, 1.0),
    (Kind::Link, 1.0),
    (Kind::Mention, 0.5),
    (Kind::Like, 0.25),
];

impl Kind {
    /// Every kind, in code order.
    pub const ALL: [Kind; 11] = [
        Kind::Follow,
        Kind::Unfollow,
        Kind::Post,
        Kind::Reply,
        Kind::Comment,
        Kind::Mention,
        Kind::Reshare,
        Kind::Quote,
        Kind::Like,
        Kind::Link,
        Kind::Subscribe,
    ];

    /// The kind's code as stored on disk.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The kind a stored code stands for, `None` for an unknown code.
    pub fn from_code(code: u8) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// The canonical lowercase name (`reshare`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Follow => "follow",
            Kind::Unfollow => "unfollow",
            Kind::Post => "post",
            Kind::Reply => "reply",
            Kind::Comment => "comment",
            Kind::Mention => "mention",
            Kind::Reshare => "reshare",
            Kind::Quote => "quote",
            Kind::Like => "like",
            Kind::Link => "link",
            Kind::Subscribe => "subscribe",
        }
    }

    /// Whether it is one of the [`ENGAGEMENT_KINDS`].
    pub fn is_engagement(self) -> bool {
        ENGAGEMENT_KINDS.contains(&self)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;
    /// Accepts the canonical names plus the platforms' own words for them.
    fn from_str(s: &str) -> Result<Kind, String> {
        let k = match s.trim().to_ascii_lowercase().as_str() {
            "follow" | "friend" | "fan" => Kind::Follow,
            "unfollow" => Kind::Unfollow,
            "post" | "tweet" | "status" | "note" | "submission" => Kind::Post,
            "reply" | "re" => Kind::Reply,
            "comment" => Kind::Comment,
            "mention" | "tag" | "mt" => Kind::Mention,
            "reshare" | "retweet" | "rt" | "boost" | "repost" | "reblog" | "announce" => {
                Kind::Reshare
            }
            "quote" => Kind::Quote,
            "like" | "favorite" | "favourite" => Kind::Like,
            "link" | "pingback" | "trackback" => Kind::Link,
            "subscribe" => Kind::Subscribe,
            other => return Err(format!("unknown event kind {other:?}")),
        };
        Ok(k)
    }
}

/// An account as a record names it: its platform-native id and, when known, a display handle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    /// Inline up to 24 bytes (numeric ids, handles, DIDs' tails): no heap allocation per event.
    pub id: CompactString,
    /// The display handle (`@alice`), when the record gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

impl AccountRef {
    /// An account known by its native id alone.
    pub fn new(id: impl Into<CompactString>) -> Self {
        AccountRef {
            id: id.into(),
            handle: None,
        }
    }

    /// An account with its native id and, if known, a handle.
    pub fn with_handle(id: impl Into<CompactString>, handle: Option<String>) -> Self {
        AccountRef {
            id: id.into(),
            handle,
        }
    }
}

/// One thing that happened: `actor` did `kind` (to `target`, on `parent`), creating `item`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// UTC seconds since the Unix epoch; `None` for static graphs with no time.
    pub time: Option<i64>,
    /// Lowercase platform name ("twitter", "mastodon", or a dataset name for anonymous graphs).
    pub platform: CompactString,
    /// What happened.
    pub kind: Kind,
    /// Who did it.
    pub actor: AccountRef,
    /// Whom it was done to or about, when the source says.
    pub target: Option<AccountRef>,
    /// The item (post, comment, page) this event creates.
    pub item: Option<String>,
    /// The item it answers, reshares, quotes or likes.
    pub parent: Option<String>,
    /// Hashtags, tags, categories, subreddits.
    pub topics: Vec<String>,
    /// The source's own identifier for this event, when it has one: the event's identity then
    /// survives re-exports that reorder records.
    pub source_id: Option<String>,
}

impl Event {
    /// An event with only its platform, kind and actor; every other field empty.
    pub fn new(platform: impl Into<CompactString>, kind: Kind, actor: AccountRef) -> Self {
        Event {
            time: None,
            platform: platform.into(),
            kind,
            actor,
            target: None,
            item: None,
            parent: None,
            topics: Vec::new(),
            source_id: None,
        }
    }

    /// The event's stable identity.
    ///
    /// With a source id: platform, kind, source id, actor and target (one tweet yields several
    /// events — a post and its mentions — so the id alone is not enough). Without one: every field
    /// plus `position` (the record's line or ordinal in its source), so genuinely repeated records
    /// in one file are kept apart while re-ingesting the same file reproduces the same keys.
    pub fn identity(&self, position: u64) -> u64 {
        match self.source_id {
            Some(_) => self.content_hash(),
            None => identity_at(self.content_hash(), position),
        }
    }

    /// A hash of the event without its position: equal for records that repeat each other
    /// exactly. With a source id it is already the identity.
    pub fn content_hash(&self) -> u64 {
        // One buffer and one hash call: xxh3's streaming state costs more than the hashing for
        // the short fields here. Every field is length-prefixed so field boundaries are unique.
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUF.with_borrow_mut(|buf| {
            buf.clear();
            let mut put = |s: &[u8]| {
                buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
                buf.extend_from_slice(s);
            };
            put(self.platform.as_bytes());
            put(&[self.kind.code()]);
            put(self.actor.id.as_bytes());
            put(self.target.as_ref().map_or(&[][..], |t| t.id.as_bytes()));
            match &self.source_id {
                Some(sid) => {
                    put(b"sid");
                    put(sid.as_bytes());
                }
                None => {
                    put(&self.time.unwrap_or(i64::MIN).to_le_bytes());
                    put(self.item.as_deref().unwrap_or("").as_bytes());
                    put(self.parent.as_deref().unwrap_or("").as_bytes());
                    for t in &self.topics {
                        put(t.as_bytes());
                    }
                }
            }
            xxh3_64(buf)
        })
    }
}

/// The identity of a record without a source id, from its [`Event::content_hash`] and position.
pub fn identity_at(content_hash: u64, position: u64) -> u64 {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&content_hash.to_le_bytes());
    b[8..].copy_from_slice(&position.to_le_bytes());
    xxh3_64(&b)
}

/// Account attributes that exports carry: the typed facts every reader fills the same way, the
/// links a profile suggests, and free-form extras (display names, feed counts).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The account's platform, as in [`Event::platform`].
    pub platform: String,
    /// Whose profile this is.
    pub account: AccountRef,
    /// What the audit reads, whatever the platform calls it.
    #[serde(default)]
    pub facts: ProfileFacts,
    /// Links to the same person elsewhere that the profile itself claims (Mastodon `rel="me"`
    /// fields), offered to the analyst and never merged on their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggested_links: Vec<SuggestedLink>,
    /// Other numeric attributes (`listed_count`, `verified`, `feed_items`).
    pub numbers: Vec<(String, f64)>,
    /// Other text attributes (`bio`, `url`, `display_name`).
    pub texts: Vec<(String, String)>,
}

/// The profile facts renown reads, typed. A field the source did not carry stays `None`: a
/// missing value, never a zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileFacts {
    /// Accounts following this one, as the platform counts them.
    pub followers: Option<u64>,
    /// Accounts this one follows, as the platform counts them.
    pub following: Option<u64>,
    /// Posts (tweets, statuses, media) the account has published.
    pub posts: Option<u64>,
    /// Whether the bio has any text beyond white space.
    pub has_bio: Option<bool>,
    /// Characters in the bio as written.
    pub bio_length: Option<u64>,
    /// Whether the account has a profile picture of its own.
    pub has_picture: Option<bool>,
    /// Whether the account's posts are visible only to approved followers.
    pub private: Option<bool>,
    /// When the account was created, unix seconds.
    pub created: Option<i64>,
    /// The account's username without `@` or instance (`alice` for `@alice@example.social`).
    pub username: Option<String>,
}

impl ProfileFacts {
    /// Records a bio as the source wrote it: present if it has non-blank text, and its length.
    pub fn set_bio(&mut self, bio: &str) {
        self.has_bio = Some(!bio.trim().is_empty());
        self.bio_length = Some(bio.chars().count() as u64);
    }

    /// Records a username given with or without `@` and instance (`@alice@example.social`).
    pub fn set_username(&mut self, name: &str) {
        let name = name.trim_start_matches('@');
        let name = name.split('@').next().unwrap_or(name);
        if !name.is_empty() {
            self.username = Some(name.to_string());
        }
    }

    /// Whether no fact is known.
    pub fn is_empty(&self) -> bool {
        *self == ProfileFacts::default()
    }
}

/// A link a profile suggests between its account and another (a URL the analyst may confirm).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedLink {
    /// The URL the profile links to.
    pub url: String,
    /// Where the link came from (`profile field "Web" (rel=me)`).
    pub why: String,
}

/// A record deleted at its source (a Bluesky Jetstream `delete`): the events whose `item` it
/// names are removed from the log, and the deletion is remembered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    /// The platform of the deleting account.
    pub platform: String,
    /// The account that deleted the record.
    pub account: AccountRef,
    /// The deleted item's id, as the events that created it carry it (an `at://` URI).
    pub item: String,
    /// When it was deleted, unix seconds, if the source says.
    pub time: Option<i64>,
}

/// What a reader yields.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// Something an account did.
    Event(Event),
    /// What an account's profile says.
    Profile(Profile),
    /// A record withdrawn at the source.
    Deletion(Deletion),
}

impl From<Event> for Record {
    fn from(e: Event) -> Self {
        Record::Event(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_codes_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
            assert_eq!(k.name().parse::<Kind>(), Ok(k));
        }
        assert_eq!(Kind::from_code(0), None);
        assert_eq!("RT".parse::<Kind>(), Ok(Kind::Reshare));
        assert!("frobnicate".parse::<Kind>().is_err());
    }

    #[test]
    fn identity_depends_on_position_only_without_source_id() {
        let mut e = Event::new("twitter", Kind::Reshare, AccountRef::new("1"));
        e.target = Some(AccountRef::new("2"));
        e.time = Some(10);
        assert_eq!(e.identity(5), e.identity(5));
        assert_ne!(e.identity(5), e.identity(6));
        e.source_id = Some("tweet-9".into());
        assert_eq!(e.identity(5), e.identity(6));
        let mut other = e.clone();
        other.target = Some(AccountRef::new("3"));
        assert_ne!(e.identity(1), other.identity(1));
    }

    #[test]
    fn identity_separates_fields_unambiguously() {
        // "ab" + "c" must not collide with "a" + "bc".
        let a = Event::new("ab", Kind::Post, AccountRef::new("c"));
        let b = Event::new("a", Kind::Post, AccountRef::new("bc"));
        assert_ne!(a.identity(0), b.identity(0));
    }
}
