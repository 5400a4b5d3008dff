//! WordPress WXR exports (`Tools → Export`): posts, threaded comments, pingbacks and trackbacks.
//!
//! Platform `blog`. The blog's account is its host (see [`super::xml::blog_account`]); people on
//! it are `<blog>/<login>` with their display name as handle. Mapping:
//! - an item of type `post` (not a draft, pending or trashed one) → `post` by its author, with
//!   its categories and tags as topics;
//! - an approved comment → `comment` on the post's author, or, threaded (`comment_parent`), a
//!   `reply` to the parent comment's author; a parent missing from the export leaves the reply
//!   unresolved (no target, `parent` names the missing comment);
//! - a pingback or trackback → `link` from the citing blog (the host of `comment_author_url`) to
//!   this blog.
//!
//! A commenter is the blog user they were logged in as, else the blog at their URL, else
//! `<blog>/~<name>`. Commenter e-mail addresses and IP addresses are never read. Comments awaiting
//! moderation, spam and trash are skipped and counted in a warning.

use super::feeds::PLATFORM;
use super::xml::{self, blog_account, Node};
use super::Format;
use crate::{Input, ReadError, ReadOptions, Sink};
use renown_model::{parse_time, AccountRef, Event, Kind, Profile, Record};
use std::collections::HashMap;

pub struct Wordpress;

fn time_of(node: &Node, gmt: &str, local: &str) -> Option<i64> {
    node.child_text(gmt)
        .and_then(|t| parse_time(t).ok())
        .or_else(|| node.child_text(local).and_then(|t| parse_time(t).ok()))
        .or_else(|| node.child_text("pubDate").and_then(|t| parse_time(t).ok()))
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

struct Users<'a> {
    by_id: HashMap<&'a str, &'a str>,
    display: HashMap<&'a str, &'a str>,
}

impl Format for Wordpress {
    fn name(&self) -> &'static str {
        "wordpress"
    }
    fn describe(&self) -> &'static str {
        "WordPress WXR export: posts, threaded comments, pingbacks/trackbacks as links"
    }
    fn sniff(&self, input: &Input) -> u8 {
        let head = String::from_utf8_lossy(&input.head);
        if head.contains("wordpress.org/export/") {
            98
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
        let channel = doc
            .element()
            .filter(|r| r.name == "rss")
            .and_then(|r| r.child("channel"))
            .ok_or_else(|| {
                ReadError::Format("no <rss><channel>: not a WordPress export (WXR)".into())
            })?;
        let platform = opts.platform.as_deref().unwrap_or(PLATFORM);
        let blog = channel
            .child_text("wp:base_blog_url")
            .and_then(blog_account)
            .or_else(|| channel.child_text("link").and_then(blog_account))
            .or_else(|| {
                channel
                    .child_text("wp:base_site_url")
                    .and_then(blog_account)
            })
            .ok_or_else(|| {
                ReadError::Format(
                    "the export names no blog URL (channel link / wp:base_blog_url)".into(),
                )
            })?;
        let blog_title = channel.child_text("title").map(clip);
        let mut users = Users {
            by_id: HashMap::new(),
            display: HashMap::new(),
        };
        for a in channel.children("wp:author") {
            if let Some(login) = a.child_text("wp:author_login") {
                if let Some(id) = a.child_text("wp:author_id") {
                    users.by_id.insert(id, login);
                }
                if let Some(d) = a.child_text("wp:author_display_name") {
                    users.display.insert(login, d);
                }
            }
        }
        let person = |login: &str| {
            AccountRef::with_handle(
                format!("{blog}/{login}"),
                Some(clip(users.display.get(login).copied().unwrap_or(login))),
            )
        };
        let items: Vec<&Node> = channel.children("item").collect();
        // First pass: every comment's author and item, so replies resolve wherever their parent
        // sits in the file.
        let mut comment_authors: HashMap<&str, AccountRef> = HashMap::new();
        for item in &items {
            for c in item.children("wp:comment") {
                if let (Some(id), Some(who)) = (
                    c.child_text("wp:comment_id"),
                    commenter(c, &blog, &users, &person),
                ) {
                    comment_authors.insert(id, who);
                }
            }
        }
        let (mut position, mut skipped_comments, mut skipped_posts) = (0u64, 0u64, 0u64);
        for (n, item) in items.iter().enumerate() {
            let ordinal = n as u64 + 1;
            let post_type = item.child_text("wp:post_type").unwrap_or("post");
            let status = item.child_text("wp:status").unwrap_or("publish");
            let post_id = item.child_text("wp:post_id");
            let post_item = item
                .child_text("link")
                .or_else(|| item.child_text("guid"))
                .map(|s| s.chars().take(2048).collect::<String>())
                .or_else(|| post_id.map(|id| format!("{blog}/?p={id}")));
            let Some(post_item) = post_item else {
                sink.reject(
                    ordinal,
                    format!("item {ordinal} has no link, guid or post id"),
                )?;
                continue;
            };
            let author = item.child_text("dc:creator").map(person);
            let is_content = matches!(post_type, "post" | "page");
            if post_type == "post" {
                if matches!(status, "draft" | "auto-draft" | "pending" | "trash") {
                    skipped_posts += 1;
                } else if let Some(author) = &author {
                    let mut e = Event::new(platform, Kind::Post, author.clone());
                    e.time = time_of(item, "wp:post_date_gmt", "wp:post_date");
                    e.item = Some(post_item.clone());
                    e.topics = item
                        .children("category")
                        .filter(|c| matches!(c.attr("domain"), Some("category" | "post_tag")))
                        .filter_map(|c| {
                            let t = c.text.trim();
                            (!t.is_empty()).then(|| clip(t))
                        })
                        .collect();
                    e.topics.dedup();
                    e.source_id = post_id.map(|id| format!("{blog}/post/{id}"));
                    position += 1;
                    sink.record(position, e.into())?;
                } else {
                    sink.reject(
                        ordinal,
                        format!("post {} has no author (dc:creator)", post_id.unwrap_or("?")),
                    )?;
                }
            }
            if !is_content && item.child("wp:comment").is_none() {
                continue;
            }
            for c in item.children("wp:comment") {
                let approved = c.child_text("wp:comment_approved").unwrap_or("1");
                if !matches!(approved, "1" | "approve" | "approved") {
                    skipped_comments += 1;
                    continue;
                }
                let Some(cid) = c.child_text("wp:comment_id") else {
                    sink.reject(
                        ordinal,
                        format!("a comment on item {ordinal} has no comment_id"),
                    )?;
                    continue;
                };
                let ctype = c.child_text("wp:comment_type").unwrap_or("comment");
                let time = time_of(c, "wp:comment_date_gmt", "wp:comment_date");
                let comment_item = format!("{post_item}#comment-{cid}");
                let source_id = Some(format!("{blog}/comment/{cid}"));
                if matches!(ctype, "pingback" | "trackback") {
                    let Some(from) = c.child_text("wp:comment_author_url").and_then(blog_account)
                    else {
                        sink.reject(
                            ordinal,
                            format!("{ctype} {cid}: comment_author_url is not an http(s) URL, so the citing blog is unknown"),
                        )?;
                        continue;
                    };
                    let mut e = Event::new(platform, Kind::Link, AccountRef::new(from));
                    e.target = Some(AccountRef::with_handle(blog.clone(), blog_title.clone()));
                    e.time = time;
                    e.item = c
                        .child_text("wp:comment_author_url")
                        .map(|u| u.chars().take(2048).collect());
                    e.parent = Some(post_item.clone());
                    e.source_id = source_id;
                    position += 1;
                    sink.record(position, e.into())?;
                    continue;
                }
                let Some(actor) = comment_authors.get(cid).cloned() else {
                    sink.reject(
                        ordinal,
                        format!("comment {cid} has no author name, user or URL"),
                    )?;
                    continue;
                };
                let parent_id = c.child_text("wp:comment_parent").filter(|p| *p != "0");
                let mut e = match parent_id {
                    Some(p) => {
                        let mut e = Event::new(platform, Kind::Reply, actor);
                        e.target = comment_authors.get(p).cloned();
                        e.parent = Some(format!("{post_item}#comment-{p}"));
                        e
                    }
                    None => {
                        let mut e = Event::new(platform, Kind::Comment, actor);
                        e.target = author.clone();
                        e.parent = Some(post_item.clone());
                        e
                    }
                };
                e.time = time;
                e.item = Some(comment_item);
                e.source_id = source_id;
                position += 1;
                sink.record(position, e.into())?;
            }
        }
        if skipped_comments > 0 {
            sink.warn(format!(
                "{skipped_comments} comments awaiting moderation, spam or trash were skipped"
            ));
        }
        if skipped_posts > 0 {
            sink.warn(format!(
                "{skipped_posts} draft, pending or trashed posts were skipped"
            ));
        }
        let mut profile = Profile {
            platform: platform.to_string(),
            account: AccountRef::with_handle(blog.clone(), blog_title.clone()),
            ..Profile::default()
        };
        if let Some(t) = &blog_title {
            profile.texts.push(("display_name".into(), t.clone()));
        }
        if let Some(l) = channel.child_text("link") {
            profile
                .texts
                .push(("url".into(), l.chars().take(2048).collect()));
        }
        if !profile.texts.is_empty() {
            sink.record(0, Record::Profile(profile))?;
        }
        Ok(())
    }
}

/// Who wrote a comment: the logged-in blog user, else the blog at their URL, else their name.
/// The e-mail and IP fields are deliberately never looked at.
fn commenter(
    c: &Node,
    blog: &str,
    users: &Users<'_>,
    person: &dyn Fn(&str) -> AccountRef,
) -> Option<AccountRef> {
    let name = c.child_text("wp:comment_author").map(clip);
    if let Some(login) = c
        .child_text("wp:comment_user_id")
        .filter(|id| *id != "0")
        .and_then(|id| users.by_id.get(id))
    {
        return Some(person(login));
    }
    if let Some(site) = c.child_text("wp:comment_author_url").and_then(blog_account) {
        return Some(AccountRef::with_handle(site, name));
    }
    let name = name?;
    Some(AccountRef::with_handle(
        format!("{blog}/~{}", name.to_lowercase()),
        Some(name),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::open_reader;
    use crate::lines::tests::Collect;

    pub(crate) fn read_str(s: &str) -> Collect {
        let mut input = open_reader(
            Box::new(std::io::Cursor::new(s.as_bytes().to_vec())),
            "w.xml".into(),
            "w.xml".into(),
            "w.xml".into(),
        )
        .unwrap();
        let mut sink = Collect::default();
        Wordpress
            .read(&mut input, &ReadOptions::default(), &mut sink)
            .unwrap();
        sink
    }

    #[test]
    fn posts_threaded_comments_and_pingbacks() {
        let wxr = r#"<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>B</title><link>http://b.org</link><wp:base_blog_url>http://b.org</wp:base_blog_url>
<wp:author><wp:author_id>2</wp:author_id><wp:author_login>ann</wp:author_login><wp:author_display_name>Ann A</wp:author_display_name><wp:author_email>ann@b.org</wp:author_email></wp:author>
<item><link>http://b.org/p1</link><dc:creator>ann</dc:creator><wp:post_id>1</wp:post_id><wp:post_date_gmt>2012-07-01 00:02:52</wp:post_date_gmt><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<category domain="category" nicename="x">X</category><category domain="post_tag" nicename="t">T</category>
<wp:comment><wp:comment_id>10</wp:comment_id><wp:comment_author>Bob</wp:comment_author><wp:comment_author_email>bob@e.com</wp:comment_author_email><wp:comment_author_IP>10.0.0.1</wp:comment_author_IP><wp:comment_author_url>http://bob.net/</wp:comment_author_url><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>
<wp:comment><wp:comment_id>11</wp:comment_id><wp:comment_author>Ann</wp:comment_author><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>10</wp:comment_parent><wp:comment_user_id>2</wp:comment_user_id></wp:comment>
<wp:comment><wp:comment_id>12</wp:comment_id><wp:comment_author>Cy</wp:comment_author><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>99</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>13</wp:comment_id><wp:comment_author>P</wp:comment_author><wp:comment_author_url>http://www.cite.org/2009/x</wp:comment_author_url><wp:comment_type>pingback</wp:comment_type><wp:comment_approved>1</wp:comment_approved></wp:comment>
<wp:comment><wp:comment_id>14</wp:comment_id><wp:comment_author>S</wp:comment_author><wp:comment_approved>spam</wp:comment_approved></wp:comment>
</item></channel></rss>"#;
        let c = read_str(wxr);
        let ev: Vec<&Event> = c
            .records
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        let got: Vec<_> = ev
            .iter()
            .map(|e| {
                (
                    e.kind,
                    e.actor.id.as_str(),
                    e.target.as_ref().map(|t| t.id.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Kind::Post, "b.org/ann", None),
                (Kind::Comment, "bob.net", Some("b.org/ann")),
                (Kind::Reply, "b.org/ann", Some("bob.net")),
                (Kind::Reply, "b.org/~cy", None),
                (Kind::Link, "cite.org", Some("b.org")),
            ]
        );
        assert_eq!(ev[0].topics, vec!["X", "T"]);
        assert_eq!(ev[0].time, Some(1341100972));
        assert_eq!(ev[0].actor.handle.as_deref(), Some("Ann A"));
        assert_eq!(ev[3].parent.as_deref(), Some("http://b.org/p1#comment-99"));
        assert_eq!(c.warnings.len(), 1);
        let all = format!("{:?}", c.records);
        assert!(!all.contains('@') && !all.contains("10.0.0.1"), "{all}");
    }
}
