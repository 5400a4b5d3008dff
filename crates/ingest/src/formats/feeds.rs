//! Syndication feeds: RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom.
//!
//! The feed is one blog (platform `blog`): its account is the site's host from the channel or
//! feed `link` (see [`super::xml::blog_account`]), falling back to the feed's `self` link, then to
//! the file's name. Each item or entry becomes a `post` by that blog (item = its link or guid,
//! topics = its categories); each other blog its content links to becomes a `link` event from
//! this blog to that one. Item authors and comment counts have no account of their own in the
//! data, so they are kept as the blog's profile: `authors` (text, distinct names), and the numbers
//! `feed_items`, `feed_comments` (sum of `slash:comments` / `thr:total` / Atom `replies`
//! `thr:count`) and `feed_items_with_comment_count`. Counts never become invented events.

use super::xml::{self, blog_account, html_hrefs, linked_blogs, Node};
use super::Format;
use crate::{Input, ReadError, ReadOptions, Sink};
use renown_model::{parse_time, AccountRef, Event, Kind, Profile, Record};
use std::borrow::Cow;

pub struct Feed;

pub(crate) const PLATFORM: &str = "blog";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flavour {
    Rss,
    Rdf,
    Atom,
}

fn flavour(root: &Node) -> Option<Flavour> {
    match root.name.as_str() {
        "rss" => Some(Flavour::Rss),
        "rdf:RDF" | "RDF" => Some(Flavour::Rdf),
        "feed" => Some(Flavour::Atom),
        _ => None,
    }
}

/// A link's URL: Atom `<link href rel>` (alternate preferred) or RSS `<link>text</link>`.
fn link_of(node: &Node) -> Option<&str> {
    let mut fallback = None;
    for l in node.children("link") {
        if let Some(href) = l.attr("href") {
            match l.attr("rel") {
                None | Some("alternate") => return Some(href),
                _ => {}
            }
        } else if !l.text.trim().is_empty() {
            return Some(l.text.trim());
        }
    }
    // RSS feeds often carry `atom:link rel="self"`; keep it as a last resort.
    for l in node.children("atom:link").chain(node.children("link")) {
        if let Some(href) = l.attr("href") {
            fallback.get_or_insert(href);
        }
    }
    fallback
}

fn self_link(node: &Node) -> Option<&str> {
    node.children("link")
        .chain(node.children("atom:link"))
        .find(|l| l.attr("rel") == Some("self"))
        .and_then(|l| l.attr("href"))
}

fn author_names(node: &Node, out: &mut Vec<String>) {
    let mut push = |s: &str| {
        let s = s.trim();
        // RSS `<author>` is nominally an e-mail address: keep only a name in parentheses, never
        // the address itself.
        let name = if s.contains('@') {
            match (s.find('('), s.rfind(')')) {
                (Some(a), Some(b)) if b > a => s[a + 1..b].trim(),
                _ => "",
            }
        } else {
            s
        };
        if !name.is_empty() && name.len() <= 200 && !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    };
    for a in node.children("author") {
        match a.child_text("name") {
            Some(n) => push(n),
            None => push(&a.text),
        }
    }
    for c in node.children("dc:creator") {
        push(&c.text);
    }
}

fn categories(node: &Node) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: &str| {
        let s = s.trim();
        if !s.is_empty() && s.len() <= 200 && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    };
    for c in node.children("category") {
        match c.attr("term") {
            Some(t) => push(t),
            None => push(&c.text),
        }
    }
    for c in node.children("dc:subject") {
        push(&c.text);
    }
    out
}

fn comment_count(node: &Node) -> Option<f64> {
    let parse = |s: &str| s.trim().parse::<u64>().ok().map(|n| n as f64);
    node.child_text("slash:comments")
        .and_then(parse)
        .or_else(|| node.child_text("thr:total").and_then(parse))
        .or_else(|| {
            node.children("link")
                .filter(|l| l.attr("rel") == Some("replies"))
                .find_map(|l| l.attr("count").and_then(parse))
        })
}

fn item_time(node: &Node) -> Option<Result<i64, String>> {
    let t = [
        "pubDate",
        "published",
        "dc:date",
        "updated",
        "issued",
        "modified",
    ]
    .iter()
    .find_map(|n| node.child_text(n))?;
    Some(
        parse_time(t)
            .or_else(|e| lenient_date(t).ok_or(e))
            .map_err(|e| e.to_string()),
    )
}

/// Feed dates as they are really written: a wrong or missing weekday (chrono checks it), full
/// month names, a `UTC` zone. The weekday is dropped, the month cut to three letters.
fn lenient_date(t: &str) -> Option<i64> {
    let from_digit = &t[t.find(|c: char| c.is_ascii_digit())?..];
    let mut parts: Vec<String> = from_digit.split_whitespace().map(str::to_string).collect();
    if parts.len() < 4 {
        return None;
    }
    if parts[1].len() > 3 && parts[1].is_char_boundary(3) {
        parts[1].truncate(3);
    }
    if let Some(zone) = parts.get_mut(4) {
        if zone.eq_ignore_ascii_case("UTC") || zone == "Z" {
            *zone = "+0000".into();
        }
    } else {
        parts.push("+0000".into());
    }
    parse_time(&parts.join(" ")).ok()
}

/// The HTML of an item: every content-ish field, plus hrefs of XHTML children.
fn item_hrefs(node: &Node) -> Vec<Cow<'_, str>> {
    let mut hrefs = Vec::new();
    let mut attrs = Vec::new();
    for name in ["content:encoded", "description", "content", "summary"] {
        for c in node.children(name) {
            hrefs.extend(html_hrefs(&c.text));
            c.descendant_attrs("href", &mut attrs);
            hrefs.extend(attrs.drain(..).map(Cow::Borrowed));
        }
    }
    hrefs
}

impl Format for Feed {
    fn name(&self) -> &'static str {
        "feed"
    }
    fn describe(&self) -> &'static str {
        "RSS 2.0 / RSS 1.0 (RDF) / Atom feed: items as posts by the blog, links to other blogs"
    }
    fn sniff(&self, input: &Input) -> u8 {
        let head = String::from_utf8_lossy(&input.head[..input.head.len().min(4096)]);
        if head.contains("wordpress.org/export/") {
            return 0;
        }
        let looks = ["<rss", "<feed", "<rdf:RDF", ":feed ", "<RDF"]
            .iter()
            .any(|p| head.contains(p));
        if looks {
            90
        } else {
            0
        }
    }
    fn read(
        &self,
        input: &mut Input,
        opts: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let doc = xml::read_document(input, sink)?;
        let Some(root) = doc.element() else {
            return Err(ReadError::Format("no XML element found: not a feed".into()));
        };
        let Some(flavour) = flavour(root) else {
            return Err(ReadError::Format(format!(
                "root element is <{}>, not <rss>, <rdf:RDF> or <feed>: not a feed",
                root.name
            )));
        };
        let platform = opts.platform.as_deref().unwrap_or(PLATFORM);
        let channel = match flavour {
            Flavour::Rss => root.child("channel").unwrap_or(root),
            Flavour::Rdf => root.child("channel").unwrap_or(root),
            Flavour::Atom => root,
        };
        let items: Vec<&Node> = match flavour {
            // RSS 1.0 puts items beside the channel; tolerate them inside it too.
            Flavour::Rss | Flavour::Rdf => channel
                .children("item")
                .chain(
                    if std::ptr::eq(channel, root) {
                        None
                    } else {
                        Some(root.children("item"))
                    }
                    .into_iter()
                    .flatten(),
                )
                .collect(),
            Flavour::Atom => root.children("entry").collect(),
        };
        let blog = link_of(channel)
            .and_then(blog_account)
            .or_else(|| self_link(channel).and_then(blog_account))
            .or_else(|| items.iter().find_map(|i| link_of(i).and_then(blog_account)))
            .unwrap_or_else(|| super::dataset_namespace(&input.inner_name));
        let title = channel
            .child_text("title")
            .map(|t| t.chars().take(200).collect::<String>());
        let blog_ref = || AccountRef::with_handle(blog.clone(), title.clone());
        let mut authors: Vec<String> = Vec::new();
        author_names(channel, &mut authors);
        let (mut comments, mut with_counts, mut bad_times) = (0.0, 0u64, 0u64);
        let mut position = 0u64;
        for (n, item) in items.iter().enumerate() {
            let ordinal = n as u64 + 1;
            let link = link_of(item);
            let guid = item
                .child_text("guid")
                .or_else(|| item.child_text("id"))
                .or_else(|| item.attr("about"));
            let Some(item_id) = link.or(guid) else {
                sink.reject(ordinal, format!("item {ordinal} has no link, guid or id"))?;
                continue;
            };
            let item_id: String = item_id.chars().take(2048).collect();
            let time = match item_time(item) {
                Some(Ok(t)) => Some(t),
                Some(Err(_)) => {
                    bad_times += 1;
                    None
                }
                None => None,
            };
            author_names(item, &mut authors);
            if let Some(c) = comment_count(item) {
                comments += c;
                with_counts += 1;
            }
            let mut post = Event::new(platform, Kind::Post, blog_ref());
            post.time = time;
            post.item = Some(item_id.clone());
            post.topics = categories(item);
            post.source_id =
                guid.map(|g| format!("{blog}#{}", g.chars().take(2048).collect::<String>()));
            position += 1;
            sink.record(position, post.into())?;
            let hrefs = item_hrefs(item);
            for (other, url) in linked_blogs(&hrefs, Some(&blog)) {
                let mut e = Event::new(platform, Kind::Link, blog_ref());
                e.target = Some(AccountRef::new(other));
                e.time = time;
                e.item = Some(url.chars().take(2048).collect());
                e.parent = Some(item_id.clone());
                position += 1;
                sink.record(position, e.into())?;
            }
        }
        if bad_times > 0 {
            sink.warn(format!(
                "{bad_times} items have an unparseable date; they are kept without a time"
            ));
        }
        let mut profile = Profile {
            platform: platform.to_string(),
            account: blog_ref(),
            numbers: vec![("feed_items".into(), items.len() as f64)],
            ..Profile::default()
        };
        if with_counts > 0 {
            profile.numbers.push(("feed_comments".into(), comments));
            profile
                .numbers
                .push(("feed_items_with_comment_count".into(), with_counts as f64));
        }
        if let Some(t) = &title {
            profile.texts.push(("display_name".into(), t.clone()));
        }
        if let Some(l) = link_of(channel) {
            profile
                .texts
                .push(("url".into(), l.chars().take(2048).collect()));
        }
        if !authors.is_empty() {
            authors.truncate(50);
            profile.texts.push(("authors".into(), authors.join(", ")));
        }
        sink.record(0, Record::Profile(profile))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::open_reader;
    use crate::lines::tests::Collect;

    pub(crate) fn read_bytes(bytes: &[u8], name: &str) -> (Result<(), ReadError>, Collect) {
        let mut input = open_reader(
            Box::new(std::io::Cursor::new(bytes.to_vec())),
            name.into(),
            name.into(),
            name.into(),
        )
        .unwrap();
        let mut sink = Collect::default();
        let r = Feed.read(&mut input, &ReadOptions::default(), &mut sink);
        (r, sink)
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

    fn profile(c: &Collect) -> &Profile {
        c.records
            .iter()
            .find_map(|(_, r)| match r {
                Record::Profile(p) => Some(p),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn rss2_items_categories_links_and_comment_counts() {
        let feed = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>My Blog</title><link>https://www.myblog.org/</link>
<item><title>A</title><link>https://myblog.org/a</link><pubDate>Sun, 01 Jul 2012 00:02:52 GMT</pubDate>
<dc:creator>Ann</dc:creator><category>rust</category><category>web</category><slash:comments>7</slash:comments>
<content:encoded><![CDATA[<p>See <a href="https://other.net/post">this</a>, <a href="https://myblog.org/b">mine</a> and <a href="https://medium.com/team-x/y">that</a>.</p>]]></content:encoded></item>
<item><title>B</title><guid isPermaLink="false">b-1</guid><description>&lt;a href="http://third.com/"&gt;t&lt;/a&gt;</description><slash:comments>3</slash:comments></item>
</channel></rss>"#;
        let (r, c) = read_bytes(feed.as_bytes(), "f.xml");
        r.unwrap();
        let ev = events(&c);
        let kinds: Vec<_> = ev
            .iter()
            .map(|e| (e.kind, e.target.as_ref().map(|t| t.id.as_str())))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (Kind::Post, None),
                (Kind::Link, Some("other.net")),
                (Kind::Link, Some("medium.com/team-x")),
                (Kind::Post, None),
                (Kind::Link, Some("third.com")),
            ]
        );
        assert_eq!(ev[0].actor.id, "myblog.org");
        assert_eq!(ev[0].time, Some(1341100972));
        assert_eq!(ev[0].topics, vec!["rust", "web"]);
        assert_eq!(ev[3].item.as_deref(), Some("b-1"));
        let p = profile(&c);
        assert!(p.numbers.contains(&("feed_comments".into(), 10.0)));
        assert!(p.texts.contains(&("authors".into(), "Ann".into())));
    }

    #[test]
    fn atom_with_thr_total_and_rss1() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
<title>A</title><link rel="self" href="http://blog.a.org/feed"/><link href="http://blog.a.org/"/>
<entry><id>tag:a,1</id><link href="http://blog.a.org/1"/><published>2012-07-01T00:02:52Z</published>
<author><name>Zed</name></author><category term="x"/><thr:total>2</thr:total>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><a href="http://b.org/">b</a></div></content></entry></feed>"#;
        let (r, c) = read_bytes(atom.as_bytes(), "a.atom");
        r.unwrap();
        let ev = events(&c);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].actor.id, "blog.a.org");
        assert_eq!(ev[1].target.as_ref().unwrap().id, "b.org");
        assert!(profile(&c).numbers.contains(&("feed_comments".into(), 2.0)));
        let rdf = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="http://c.org/"><title>C</title><link>http://c.org/</link></channel>
<item rdf:about="http://c.org/1"><title>1</title><link>http://c.org/1</link></item></rdf:RDF>"#;
        let (r, c) = read_bytes(rdf.as_bytes(), "c.rdf");
        r.unwrap();
        assert_eq!(events(&c).len(), 1);
        assert_eq!(events(&c)[0].actor.id, "c.org");
    }

    #[test]
    fn rss_author_email_is_never_kept() {
        let feed = "<rss><channel><link>http://x.org/</link><item><link>http://x.org/1</link><author>ann@x.org (Ann)</author></item><item><link>http://x.org/2</link><author>bob@x.org</author></item></channel></rss>";
        let (r, c) = read_bytes(feed.as_bytes(), "x.xml");
        r.unwrap();
        let p = profile(&c);
        assert_eq!(
            p.texts.iter().find(|(k, _)| k == "authors").unwrap().1,
            "Ann"
        );
        assert!(!format!("{:?}", c.records).contains('@'));
    }

    #[test]
    fn real_world_dates() {
        for (t, want) in [
            ("Tue, 27 Oct 2006 01:30:00 GMT", 1161912600),
            ("Tue, 6 June 2006 10:30:00 GMT", 1149589800),
            ("Fri, 08 Jul 2016 13:40:00 UTC", 1467985200),
            ("Wed 5 Jan 2011 01:30:00 GMT", 1294191000),
        ] {
            assert_eq!(lenient_date(t), Some(want), "{t}");
        }
        assert_eq!(lenient_date("Seg, 24 Set 2018 19:42:40 -0300"), None);
    }

    #[test]
    fn html_is_refused_with_a_reason() {
        let (r, _) = read_bytes(b"<!DOCTYPE html><html><body>x</body></html>", "x.html");
        match r {
            Err(ReadError::Format(m)) => assert!(m.contains("not a feed"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
