//! OPML blogrolls and subscription lists: one `subscribe` event from the list's owner to each
//! feed's blog (platform `blog`).
//!
//! The owner is `head/ownerId` (a URL, as its blog account), else `head/ownerName`, else the
//! file's stem; `ownerEmail` is never read. A feed's blog is the host of its `htmlUrl` (the site)
//! or, without one, of its `xmlUrl` (see [`super::xml::blog_account`]); the enclosing outlines'
//! titles are its topics (the blogroll's categories). Outlines without `xmlUrl` are folders.

use super::feeds::PLATFORM;
use super::xml::{self, blog_account, Node};
use super::Format;
use crate::{Input, ReadError, ReadOptions, Sink};
use renown_model::{parse_time, AccountRef, Event, Kind};

pub struct Opml;

impl Format for Opml {
    fn name(&self) -> &'static str {
        "opml"
    }
    fn describe(&self) -> &'static str {
        "OPML blogroll / subscription list: the owner subscribes to each feed's blog"
    }
    fn sniff(&self, input: &Input) -> u8 {
        let head = String::from_utf8_lossy(&input.head[..input.head.len().min(4096)]);
        if head.contains("<opml") {
            95
        } else if input.inner_name.to_ascii_lowercase().ends_with(".opml") {
            50
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
        let root = doc.element().filter(|r| r.name == "opml").ok_or_else(|| {
            ReadError::Format("root element is not <opml>: not an OPML file".into())
        })?;
        let platform = opts.platform.as_deref().unwrap_or(PLATFORM);
        let head = root.child("head");
        let owner_name = head.and_then(|h| h.child_text("ownerName"));
        let owner = head
            .and_then(|h| h.child_text("ownerId"))
            .and_then(blog_account)
            .or_else(|| owner_name.map(|n| format!("opml:{}", n.to_ascii_lowercase())))
            .unwrap_or_else(|| format!("opml:{}", super::dataset_namespace(&input.inner_name)));
        let title = head.and_then(|h| h.child_text("title"));
        let handle = owner_name.or(title).map(|s| s.chars().take(200).collect());
        let time = head
            .and_then(|h| {
                h.child_text("dateModified")
                    .or_else(|| h.child_text("dateCreated"))
            })
            .and_then(|t| parse_time(t).ok());
        let Some(body) = root.child("body") else {
            return Err(ReadError::Format("OPML file has no <body>".into()));
        };
        // Iterative walk with the folder path, so hostile nesting costs no stack.
        let mut stack: Vec<(&Node, Vec<String>)> = body
            .children("outline")
            .rev()
            .map(|o| (o, Vec::new()))
            .collect();
        let mut ordinal = 0u64;
        while let Some((o, folders)) = stack.pop() {
            match o.attr("xmlUrl") {
                Some(xml_url) => {
                    ordinal += 1;
                    let site = o.attr("htmlUrl").and_then(blog_account);
                    let Some(blog) = site.or_else(|| blog_account(xml_url)) else {
                        sink.reject(
                            ordinal,
                            format!(
                                "outline {ordinal}: neither htmlUrl nor xmlUrl is an http(s) URL"
                            ),
                        )?;
                        continue;
                    };
                    let name = o.attr("title").or_else(|| o.attr("text"));
                    let mut e = Event::new(
                        platform,
                        Kind::Subscribe,
                        AccountRef::with_handle(owner.clone(), handle.clone()),
                    );
                    e.target = Some(AccountRef::with_handle(
                        blog,
                        name.map(|n| n.chars().take(200).collect()),
                    ));
                    e.item = Some(xml_url.chars().take(2048).collect());
                    e.topics = folders.clone();
                    e.time = time;
                    sink.record(ordinal, e.into())?;
                }
                None => {
                    let mut inner = folders.clone();
                    if let Some(t) = o.attr("title").or_else(|| o.attr("text")) {
                        inner.push(t.chars().take(200).collect());
                    }
                    for c in o.children("outline").rev() {
                        stack.push((c, inner.clone()));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::open_reader;
    use crate::lines::tests::Collect;
    use renown_model::Record;

    #[test]
    fn subscriptions_from_nested_outlines() {
        let opml = r#"<?xml version="1.0"?><opml version="2.0"><head><title>Roll</title><ownerName>Dave</ownerName><ownerEmail>d@x.org</ownerEmail></head>
<body><outline text="Tech"><outline type="rss" text="A" xmlUrl="http://a.org/feed" htmlUrl="http://www.a.org/"/>
<outline type="rss" text="M" xmlUrl="https://medium.com/feed/team" htmlUrl="https://medium.com/team"/></outline>
<outline type="rss" text="B" xmlUrl="http://b.org/rss"/><outline type="rss" text="bad" xmlUrl="ftp://x"/></body></opml>"#;
        let mut input = open_reader(
            Box::new(std::io::Cursor::new(opml.as_bytes().to_vec())),
            "r.opml".into(),
            "r.opml".into(),
            "r.opml".into(),
        )
        .unwrap();
        let mut sink = Collect::default();
        Opml.read(&mut input, &ReadOptions::default(), &mut sink)
            .unwrap();
        let got: Vec<_> = sink
            .records
            .iter()
            .map(|(_, r)| match r {
                Record::Event(e) => (
                    e.actor.id.clone(),
                    e.target.clone().unwrap().id,
                    e.topics.clone(),
                ),
                _ => panic!(),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("opml:dave".into(), "a.org".into(), vec!["Tech".to_string()]),
                (
                    "opml:dave".into(),
                    "medium.com/team".into(),
                    vec!["Tech".to_string()]
                ),
                ("opml:dave".into(), "b.org".into(), vec![]),
            ]
        );
        assert_eq!(sink.rejects.len(), 1);
        assert!(!format!("{:?}", sink.records).contains("d@x.org"));
    }
}
