//! Ingest throughput of the web readers (reddit, wordpress, feed, opml): records per second
//! from an in-memory input into a counting sink (parse + map, no store), best of 3 runs.
//!
//! Run: `cargo bench -p renown-ingest --bench web [-- READER...]`. Inputs are generated in the shape of the
//! real samples (Pushshift lines as in ../shared/formats, WXR and RSS as WordPress writes
//! them), and the real CC Labs export and largest real feed are timed too when present.

use renown_ingest::input::open_reader;
use renown_ingest::{format_by_name, CountingSink};
use std::fmt::Write;
use std::time::Instant;

fn reddit(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        let id = 1_000_000 + i;
        if i % 20 == 0 {
            writeln!(s, r#"{{"archived":false,"author":"user{}","created_utc":{},"distinguished":null,"domain":"youtube.com","edited":false,"gilded":0,"hide_score":false,"id":"{}","is_self":false,"locked":false,"name":"t3_{}","num_comments":2757,"over_18":false,"permalink":"/r/gaming/comments/x/y/","score":6967,"selftext":"","stickied":false,"subreddit":"gaming","subreddit_id":"t5_2qh03","title":"Red Dead Redemption 2 Official Trailer","ups":6967,"url":"https://www.youtube.com/watch?v=gmA6MrX81z4"}}"#,
                i % 5000, 1476975628 + i, b36(id), b36(id)).unwrap();
        } else {
            // Half the parents come later in the file, to exercise deferred resolution.
            let parent = if i % 2 == 0 { id - 1 } else { id + 1 };
            let kind = if i % 20 == 1 { "t3" } else { "t1" };
            writeln!(s, r#"{{"author":"user{}","author_flair_css_class":"33","author_flair_text":"","body":"Ouch, that is quite a long comment body as comments go, with some words in it.","can_gild":true,"controversiality":0,"created_utc":"{}","distinguished":null,"edited":"false","gilded":0,"id":"{}","is_submitter":false,"link_id":"t3_{}","parent_id":"{kind}_{}","permalink":"/r/gaming/comments/x/y/z/","retrieved_on":1514765900,"score":1,"stickied":false,"subreddit":"gaming","subreddit_id":"t5_2qh03","subreddit_type":"public"}}"#,
                i % 5000, 1476975628 + i, b36(id), b36(id - i % 20), b36(parent)).unwrap();
        }
    }
    s.into_bytes()
}

fn b36(mut v: usize) -> String {
    let mut d = Vec::new();
    while v > 0 {
        let x = (v % 36) as u8;
        d.push(if x < 10 { b'0' + x } else { b'a' + x - 10 });
        v /= 36;
    }
    d.reverse();
    String::from_utf8(d).unwrap()
}

fn wxr(posts: usize, comments: usize) -> Vec<u8> {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>http://bench.example.org</link><wp:base_blog_url>http://bench.example.org</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[admin]]></wp:author_login><wp:author_display_name><![CDATA[Admin]]></wp:author_display_name></wp:author>
"#,
    );
    let mut cid = 0;
    for p in 0..posts {
        writeln!(s, r#"<item><title>Post {p}</title><link>http://bench.example.org/{p}/</link><pubDate>Sun, 01 Jul 2012 00:02:52 +0000</pubDate><dc:creator><![CDATA[admin]]></dc:creator><guid isPermaLink="false">http://bench.example.org/?p={p}</guid>
<content:encoded><![CDATA[<p>Some text with <a href="http://other{p}.example.com/x">a link</a> and more text to make it a realistic post body of a few hundred bytes, as blog posts are.</p>]]></content:encoded>
<wp:post_id>{p}</wp:post_id><wp:post_date_gmt>2012-07-01 00:02:52</wp:post_date_gmt><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<category domain="category" nicename="news"><![CDATA[News]]></category><category domain="post_tag" nicename="rust"><![CDATA[rust]]></category>"#).unwrap();
        for c in 0..comments {
            cid += 1;
            let parent = if c % 3 == 2 { cid - 1 } else { 0 };
            let ctype = if c % 10 == 9 { "pingback" } else { "" };
            writeln!(s, r#"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author><![CDATA[Reader {c}]]></wp:comment_author><wp:comment_author_email>r@example.com</wp:comment_author_email><wp:comment_author_url>http://reader{c}.example.net/</wp:comment_author_url><wp:comment_author_IP>192.0.2.1</wp:comment_author_IP><wp:comment_date_gmt>2012-07-02 10:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[Nice post, thanks.]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>{ctype}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>"#).unwrap();
        }
        s.push_str("</item>\n");
    }
    s.push_str("</channel></rss>\n");
    s.into_bytes()
}

fn rss(items: usize) -> Vec<u8> {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench</title><link>http://bench.example.org/</link>
"#,
    );
    for i in 0..items {
        writeln!(s, r#"<item><title>Item {i}</title><link>http://bench.example.org/{i}</link><pubDate>Sun, 01 Jul 2012 00:02:52 +0000</pubDate><dc:creator>Ann</dc:creator><category>rust</category><category>web</category><guid isPermaLink="false">b-{i}</guid><slash:comments>3</slash:comments><description>&lt;p&gt;See &lt;a href="http://other{}.example.com/"&gt;this&lt;/a&gt; and some more words of summary.&lt;/p&gt;</description></item>"#, i % 100).unwrap();
    }
    s.push_str("</channel></rss>\n");
    s.into_bytes()
}

fn opml(feeds: usize) -> Vec<u8> {
    let mut s = String::from(
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>Roll</title><ownerName>Bench</ownerName></head><body><outline text="Blogs">"#,
    );
    for i in 0..feeds {
        writeln!(s, r#"<outline type="rss" text="Blog {i}" title="Blog {i}" xmlUrl="https://blog{i}.example.com/feed" htmlUrl="https://blog{i}.example.com/"/>"#).unwrap();
    }
    s.push_str("</outline></body></opml>\n");
    s.into_bytes()
}

/// On-CPU seconds of this thread (Linux schedstat), so rates hold on a loaded machine.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// (records, best wall seconds, best on-CPU seconds) over 3 runs.
fn time(format: &str, name: &str, bytes: &[u8]) -> (u64, f64, f64) {
    let f = format_by_name(format).expect("registered");
    let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
    let mut n = 0;
    for _ in 0..3 {
        let mut input = open_reader(
            Box::new(std::io::Cursor::new(bytes.to_vec())),
            name.into(),
            name.into(),
            name.into(),
        )
        .unwrap();
        let mut sink = CountingSink::default();
        let c = cpu_seconds();
        let t = Instant::now();
        f.read(&mut input, &Default::default(), &mut sink).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, cpu_seconds()) {
            best_cpu = best_cpu.min(b - a);
        }
        n = sink.records();
    }
    (n, best, best_cpu)
}

fn main() {
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
    let mut cases: Vec<(&str, String, Vec<u8>)> = vec![
        (
            "reddit",
            "RC_bench (400k lines, generated)".into(),
            reddit(400_000),
        ),
        (
            "wordpress",
            "WXR 2,000 posts x 20 comments (generated)".into(),
            wxr(2_000, 20),
        ),
        (
            "feed",
            "RSS 2.0, 50,000 items (generated)".into(),
            rss(50_000),
        ),
        (
            "opml",
            "OPML, 100,000 feeds (generated)".into(),
            opml(100_000),
        ),
    ];
    for (fmt, rel) in [
        ("wordpress", "wordpress/cc-labs.wordpress.xml"),
        ("feed", "feeds/rss-parser/giantbomb-podcast.rss"),
    ] {
        if let Ok(b) = std::fs::read(format!("{shared}/{rel}")) {
            cases.push((fmt, format!("{rel} (real)"), b));
        }
    }
    // `cargo bench --bench web -- reddit` times only the readers named.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    cases.retain(|(fmt, _, _)| only.is_empty() || only.iter().any(|o| o == fmt));
    println!(
        "{:<10} {:<48} {:>7} {:>8} {:>11} {:>7} {:>13} {:>9}",
        "reader", "input", "MB", "records", "records/s", "MB/s", "rec/CPU-s", "MB/CPU-s"
    );
    for (fmt, label, bytes) in &cases {
        let name = if *fmt == "reddit" {
            "RC_bench"
        } else {
            "bench.xml"
        };
        let (n, secs, cpu) = time(fmt, name, bytes);
        let mb = bytes.len() as f64 / 1e6;
        println!(
            "{fmt:<10} {label:<48} {mb:>7.1} {n:>8} {:>11.0} {:>7.1} {:>13.0} {:>9.1}",
            n as f64 / secs,
            mb / secs,
            n as f64 / cpu,
            mb / cpu
        );
    }
}
