//! Tolerant, hardened XML for the web formats (feeds, OPML, WordPress WXR).
//!
//! Real feeds are often broken, so this reader is lenient where records stay recoverable and
//! strict where the input is hostile:
//! - the encoding declaration is checked against the bytes; a wrong one is corrected with a
//!   warning (UTF-8 bytes declared Latin-1 are read as UTF-8; non-UTF-8 bytes declared or assumed
//!   UTF-8 are read as windows-1252);
//! - an undeclared namespace prefix is read by its written prefix, with a warning;
//! - mismatched end tags close the open elements up to their match (HTML-style), stray ones are
//!   ignored, with a warning; a syntax error or a truncated document keeps every element completed
//!   before it and reports the damage;
//! - DTDs are never processed: entity declarations are ignored and references to them stay
//!   literal text, so entity expansion ("billion laughs") and external entities (file or network
//!   reads) cannot happen; nesting deeper than [`MAX_DEPTH`] refuses the document.
//!
//! Documents are read whole into a small tree ([`Node`]); element names are canonicalised so that
//! known namespaces match by a fixed prefix whatever prefix the document chose (`a:feed` bound to
//! the Atom namespace is `feed`; `slash:comments` is `slash:comments` under any prefix).

use crate::{Input, ReadError, Sink};
use quick_xml::events::Event as XmlEvent;
use renown_model::url::{url_host, HttpUrl};
use std::borrow::Cow;
use std::collections::HashMap;

/// Deeper nesting than this is refused: no real feed comes close, and unbounded depth is a
/// stack-exhaustion attack on whatever walks the tree.
pub const MAX_DEPTH: usize = 256;
/// Whole-document formats are held in memory: refuse larger inputs.
pub const MAX_DOCUMENT: u64 = 1 << 30;

/// One element: canonical name, attributes by local name, direct text, child elements.
#[derive(Debug, Default)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn children<'a>(&'a self, name: &'a str) -> impl DoubleEndedIterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// Trimmed direct text of the first child called `name`, if non-empty.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
    /// Every attribute value called `name` in this subtree (for `href`s in XHTML content).
    pub fn descendant_attrs<'a>(&'a self, name: &str, out: &mut Vec<&'a str>) {
        // Iterative: the tree is depth-limited, but no recursion keeps it cheap regardless.
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            if let Some(v) = n.attr(name) {
                out.push(v);
            }
            stack.extend(n.children.iter().rev());
        }
    }
}

/// A parsed document: a synthetic root whose children are the top-level elements.
pub struct Document {
    pub root: Node,
}

impl Document {
    /// The first top-level element.
    pub fn element(&self) -> Option<&Node> {
        self.root.children.first()
    }
}

/// Namespaces that matter to renown, by URI, and the fixed prefix they are matched by.
/// An empty prefix means "the format's own vocabulary": Atom, RSS 1.0, RSS 0.9x/2.0 variants.
const KNOWN_NAMESPACES: &[(&str, &str)] = &[
    ("http://www.w3.org/2005/Atom", ""),
    ("http://purl.org/atom/ns#", ""),
    ("http://purl.org/rss/1.0/", ""),
    ("http://backend.userland.com/rss2", ""),
    ("http://backend.userland.com/rss", ""),
    ("http://my.netscape.com/rdf/simple/0.9/", ""),
    ("http://www.w3.org/1999/xhtml", "xhtml"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
    ("http://purl.org/dc/elements/1.1", "dc"),
    ("http://purl.org/rss/1.0/modules/content/", "content"),
    ("http://purl.org/rss/1.0/modules/content", "content"),
    ("http://purl.org/rss/1.0/modules/slash/", "slash"),
    ("http://purl.org/syndication/thread/1.0", "thr"),
    ("http://wellformedweb.org/CommentAPI/", "wfw"),
];

fn canonical_prefix(uri: &str) -> Option<&'static str> {
    if uri.starts_with("http://wordpress.org/export/") {
        return Some("wp");
    }
    KNOWN_NAMESPACES
        .iter()
        .find(|(u, _)| *u == uri)
        .map(|(_, p)| *p)
}

/// Decodes the bytes to text, correcting a wrong or missing encoding declaration.
pub fn decode(bytes: &[u8], sink: &mut dyn Sink) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    let declared = declared_encoding(bytes);
    let declared_enc = declared
        .as_deref()
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            if let Some(enc) = declared_enc {
                if enc != encoding_rs::UTF_8 && !text.is_ascii() {
                    sink.warn(format!(
                        "declares encoding {:?} but its bytes are valid UTF-8; read as UTF-8",
                        declared.unwrap_or_default()
                    ));
                }
            }
            text.to_string()
        }
        Err(e) => match declared_enc {
            Some(enc) if enc != encoding_rs::UTF_8 => {
                enc.decode_without_bom_handling(bytes).0.into_owned()
            }
            _ => {
                sink.warn(format!(
                    "{} but is not valid UTF-8 (bad byte at offset {}); read as windows-1252",
                    match &declared {
                        Some(d) => format!("declares encoding {d:?}"),
                        None => "declares no encoding".to_string(),
                    },
                    e.valid_up_to()
                ));
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned()
            }
        },
    }
}

/// The `encoding="..."` of the XML declaration, if the document starts with one.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].trim().to_string())
}

/// Reads the whole input and parses it. Refuses (an error) only what cannot be read at all.
pub fn read_document(input: &mut Input, sink: &mut dyn Sink) -> Result<Document, ReadError> {
    let bytes = match input.read_all(MAX_DOCUMENT) {
        Ok(b) => b,
        Err(e)
            if e.kind() == std::io::ErrorKind::InvalidData && e.to_string().contains("limit") =>
        {
            return Err(ReadError::Format(e.to_string()))
        }
        // A damaged compressed stream: parse nothing rather than guess where it broke.
        Err(e) => return Err(ReadError::Format(format!("input is damaged: {e}"))),
    };
    parse_bytes(&bytes, sink)
}

/// Parses a document from bytes (decoding first).
pub fn parse_bytes(bytes: &[u8], sink: &mut dyn Sink) -> Result<Document, ReadError> {
    let text = decode(bytes, sink);
    parse(&text, sink)
}

struct Warned {
    prefixes: Vec<String>,
    mismatched: bool,
    entities: bool,
    dtd: bool,
}

/// Parses decoded text into a tree. See the module docs for what is tolerated.
pub fn parse(text: &str, sink: &mut dyn Sink) -> Result<Document, ReadError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.expand_empty_elements = false;
    // Open elements; index 0 is the synthetic root.
    let mut stack: Vec<Node> = vec![Node::default()];
    // Namespace scopes parallel to `stack`: prefix → canonical prefix (or the written one).
    let mut scopes: Vec<Vec<(String, String)>> = vec![Vec::new()];
    let mut warned = Warned {
        prefixes: Vec::new(),
        mismatched: false,
        entities: false,
        dtd: false,
    };
    loop {
        let pos = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(XmlEvent::Start(e)) => {
                if stack.len() > MAX_DEPTH {
                    return Err(ReadError::Format(format!(
                        "line {}: elements nested deeper than {MAX_DEPTH} levels; refused",
                        line_of(text, pos)
                    )));
                }
                let (node, scope) = open(&e, &scopes, sink, &mut warned);
                stack.push(node);
                scopes.push(scope);
            }
            Ok(XmlEvent::Empty(e)) => {
                let (node, _) = open(&e, &scopes, sink, &mut warned);
                stack.last_mut().expect("root").children.push(node);
            }
            Ok(XmlEvent::End(e)) => {
                let raw = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let name = canonical_name(&raw, &scopes, sink, &mut warned);
                match stack.iter().rposition(|n| n.name == name) {
                    Some(i) if i > 0 => {
                        if i != stack.len() - 1 && !warned.mismatched {
                            warned.mismatched = true;
                            sink.warn(format!(
                                "line {}: end tag </{raw}> closes elements still open; read as if they were closed",
                                line_of(text, pos)
                            ));
                        }
                        while stack.len() > i {
                            close(&mut stack, &mut scopes);
                        }
                    }
                    _ => {
                        if !warned.mismatched {
                            warned.mismatched = true;
                            sink.warn(format!(
                                "line {}: end tag </{raw}> matches no open element; ignored",
                                line_of(text, pos)
                            ));
                        }
                    }
                }
            }
            Ok(XmlEvent::Text(t)) => {
                let raw = String::from_utf8_lossy(t.as_ref());
                let decoded = unescape(&raw, sink, &mut warned);
                stack.last_mut().expect("root").text.push_str(&decoded);
            }
            Ok(XmlEvent::CData(t)) => {
                stack
                    .last_mut()
                    .expect("root")
                    .text
                    .push_str(&String::from_utf8_lossy(t.as_ref()));
            }
            Ok(XmlEvent::DocType(d)) => {
                // Never processed: declarations are ignored, so no entity is ever expanded and no
                // external resource is ever read.
                let body = String::from_utf8_lossy(d.as_ref());
                if body.contains("<!ENTITY") && !warned.dtd {
                    warned.dtd = true;
                    sink.warn(
                        "the DTD declares entities; renown never expands DTD entities, references to them are kept as literal text"
                            .into(),
                    );
                }
            }
            Ok(XmlEvent::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let line = line_of(text, reader.error_position() as usize);
                let open = stack.len() - 1;
                close_all(&mut stack, &mut scopes);
                sink.damaged(
                    line,
                    format!(
                        "XML syntax error at line {line} ({e}); the elements completed before it were read, the rest is lost{}",
                        if open > 0 { format!(" ({open} open elements closed)") } else { String::new() }
                    ),
                );
                return Ok(Document {
                    root: stack.pop().expect("root"),
                });
            }
        }
    }
    if stack.len() > 1 {
        let open = stack.last().map(|n| n.name.clone()).unwrap_or_default();
        close_all(&mut stack, &mut scopes);
        sink.damaged(
            line_of(text, text.len()),
            format!("document ends inside <{open}> (truncated?); the elements completed before it were read"),
        );
    }
    Ok(Document {
        root: stack.pop().expect("root"),
    })
}

fn close(stack: &mut Vec<Node>, scopes: &mut Vec<Vec<(String, String)>>) {
    let node = stack.pop().expect("non-root");
    scopes.pop();
    stack.last_mut().expect("root").children.push(node);
}

fn close_all(stack: &mut Vec<Node>, scopes: &mut Vec<Vec<(String, String)>>) {
    while stack.len() > 1 {
        close(stack, scopes);
    }
}

fn line_of(text: &str, pos: usize) -> u64 {
    let pos = pos.min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..pos]).count() as u64 + 1
}

fn open(
    e: &quick_xml::events::BytesStart<'_>,
    scopes: &[Vec<(String, String)>],
    sink: &mut dyn Sink,
    warned: &mut Warned,
) -> (Node, Vec<(String, String)>) {
    let mut scope = Vec::new();
    let mut attrs = Vec::new();
    // Attributes are read leniently: a malformed one ends the attribute list, nothing more.
    for a in e.html_attributes().with_checks(false).flatten() {
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let raw = String::from_utf8_lossy(&a.value);
        let value = unescape(&raw, sink, warned);
        if key == "xmlns" {
            scope.push((
                String::new(),
                canonical_prefix(&value).unwrap_or("").to_string(),
            ));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            let canon = canonical_prefix(&value).unwrap_or(p).to_string();
            scope.push((p.to_string(), canon));
        } else {
            let local = match key.split_once(':') {
                Some((_, l)) => l.to_string(),
                None => key,
            };
            attrs.push((local, value.into_owned()));
        }
    }
    let raw = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    // The element's own declarations apply to its name.
    let mut all: Vec<Vec<(String, String)>> = Vec::new();
    let scopes_with_own: &[Vec<(String, String)>] = if scope.is_empty() {
        scopes
    } else {
        all.extend_from_slice(scopes);
        all.push(scope.clone());
        &all
    };
    let name = canonical_name(&raw, scopes_with_own, sink, warned);
    (
        Node {
            name,
            attrs,
            text: String::new(),
            children: Vec::new(),
        },
        scope,
    )
}

/// `prefix:local` → `canon:local` (or `local` when the namespace is the format's own).
fn canonical_name(
    raw: &str,
    scopes: &[Vec<(String, String)>],
    sink: &mut dyn Sink,
    warned: &mut Warned,
) -> String {
    let (prefix, local) = match raw.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", raw),
    };
    let bound = scopes
        .iter()
        .rev()
        .flat_map(|s| s.iter())
        .find(|(p, _)| p == prefix)
        .map(|(_, c)| c.as_str());
    let canon = match bound {
        Some(c) => c,
        None if prefix.is_empty() => "",
        None => {
            if prefix != "xml"
                && !warned.prefixes.iter().any(|p| p == prefix)
                && warned.prefixes.len() < 16
            {
                warned.prefixes.push(prefix.to_string());
                sink.warn(format!(
                    "namespace prefix {prefix:?} is used but never declared; its elements are read by that prefix"
                ));
            }
            prefix
        }
    };
    if canon.is_empty() {
        local.to_string()
    } else {
        format!("{canon}:{local}")
    }
}

/// Resolves the XML predefined and numeric entities, plus the HTML ones feeds use without
/// declaring (`&nbsp;`, `&hellip;`, …). Anything else stays literal text.
fn unescape<'a>(
    raw: &'a str,
    sink: &mut dyn Sink,
    warned: &mut Warned,
) -> std::borrow::Cow<'a, str> {
    if !raw.contains('&') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e > 0 && e <= 32);
        let resolved = end.and_then(|e| resolve_entity(&after[..e]).map(|c| (c, e)));
        match resolved {
            Some((c, e)) => {
                out.push_str(&c);
                rest = &after[e + 1..];
            }
            None => {
                if end.is_some() && !warned.entities {
                    warned.entities = true;
                    sink.warn("undeclared entity references are kept as literal text".into());
                }
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn resolve_entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    let c = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "laquo" => "«",
        "raquo" => "»",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "eacute" => "é",
        "egrave" => "è",
        "aacute" => "á",
        "uuml" => "ü",
        "ouml" => "ö",
        "auml" => "ä",
        "szlig" => "ß",
        _ => return None,
    };
    Some(c.to_string())
}

/// Hosts where each blog lives under its own first path segment.
const MULTI_TENANT: &[&str] = &[
    "medium.com",
    "dev.to",
    "substack.com",
    "tumblr.com",
    "blogger.com",
];

/// The account a blog URL stands for: its host (without `www.`), plus the first path segment
/// on multi-tenant hosts (`medium.com/airbnb-engineering`).
pub fn blog_account(url: &str) -> Option<String> {
    let parsed = HttpUrl::parse(url)?;
    let host = parsed.site()?;
    if MULTI_TENANT.contains(&host.as_str()) {
        let seg = parsed.segments().next().filter(|s| !s.contains('.'));
        if let Some(seg) = seg {
            return Some(format!("{host}/{}", seg.to_ascii_lowercase()));
        }
    }
    Some(host)
}

/// Every distinct `href` target in an HTML fragment (text that was escaped or CDATA in a feed, a
/// Mastodon profile field), in order: the attribute in any case, with or without space around
/// `=`, quoted either way or bare, its character references decoded (`&amp;` is `&` in the URL).
pub fn html_hrefs(html: &str) -> Vec<Cow<'_, str>> {
    let mut out: Vec<Cow<'_, str>> = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("href") {
        let at = from + i + 4;
        from = at;
        let rest = html[at..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let (quote, body) = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &rest[1..]),
            _ => (None, rest),
        };
        let end = match quote {
            Some(q) => body.find(q),
            None => body.find(|c: char| c.is_whitespace() || c == '>'),
        }
        .unwrap_or(body.len());
        let url = decode_references(body[..end].trim());
        if !url.is_empty() && !out.contains(&url) {
            out.push(url);
        }
    }
    out
}

/// `text` with its character references (`&amp;`, `&#38;`) resolved; unknown ones kept as written.
fn decode_references(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e > 0 && e <= 32);
        match end.and_then(|e| resolve_entity(&after[..e]).map(|c| (c, e))) {
            Some((c, e)) => {
                out.push_str(&c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Distinct blogs (other than `own`) linked from hrefs: `(account, first url)`.
pub fn linked_blogs<'a>(hrefs: &'a [Cow<'_, str>], own: Option<&str>) -> Vec<(String, &'a str)> {
    let mut seen: HashMap<String, &'a str> = HashMap::new();
    let mut order = Vec::new();
    for url in hrefs {
        if let Some(acc) = blog_account(url) {
            let same = own.is_some_and(|o| o == acc || url_host(url).as_deref() == Some(o));
            if !same && !seen.contains_key(&acc) {
                seen.insert(acc.clone(), url);
                order.push(acc);
            }
        }
    }
    order
        .into_iter()
        .map(|a| {
            let u = seen[&a];
            (a, u)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lines::tests::Collect;

    pub fn parse_str(s: &str) -> (Result<Document, ReadError>, Collect) {
        let mut sink = Collect::default();
        let doc = parse_bytes(s.as_bytes(), &mut sink);
        (doc, sink)
    }

    #[test]
    fn canonicalises_known_namespaces_whatever_the_prefix() {
        let (doc, sink) = parse_str(
            r#"<a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:x="http://purl.org/syndication/thread/1.0"><a:entry><x:total>4</x:total></a:entry></a:feed>"#,
        );
        let doc = doc.unwrap();
        let feed = doc.element().unwrap();
        assert_eq!(feed.name, "feed");
        assert_eq!(
            feed.child("entry").unwrap().child_text("thr:total"),
            Some("4")
        );
        assert!(sink.warnings.is_empty(), "{:?}", sink.warnings);
    }

    #[test]
    fn undeclared_prefix_is_read_with_a_warning() {
        let (doc, sink) =
            parse_str("<rss><channel><item><dc:creator>Ann</dc:creator></item></channel></rss>");
        let doc = doc.unwrap();
        let item = doc
            .element()
            .unwrap()
            .child("channel")
            .unwrap()
            .child("item")
            .unwrap();
        assert_eq!(item.child_text("dc:creator"), Some("Ann"));
        assert_eq!(sink.warnings.len(), 1);
        assert!(sink.warnings[0].contains("\"dc\""), "{:?}", sink.warnings);
    }

    #[test]
    fn wrong_encoding_declarations_are_corrected_with_a_warning() {
        // Declared UTF-8, bytes are Latin-1.
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>caf".to_vec();
        bytes.push(0xe9);
        bytes.extend_from_slice(b"</t>");
        let mut sink = Collect::default();
        let doc = parse_bytes(&bytes, &mut sink).unwrap();
        assert_eq!(doc.element().unwrap().text, "café");
        assert!(sink.warnings[0].contains("not valid UTF-8"));
        // Declared Latin-1, bytes are UTF-8.
        let mut sink = Collect::default();
        let doc = parse_bytes(
            "<?xml version='1.0' encoding='ISO-8859-1'?><t>café</t>".as_bytes(),
            &mut sink,
        )
        .unwrap();
        assert_eq!(doc.element().unwrap().text, "café");
        assert!(sink.warnings[0].contains("valid UTF-8"));
        // Declared windows-1251 and really so: no warning.
        let mut sink = Collect::default();
        let doc = parse_bytes(
            b"<?xml version='1.0' encoding='windows-1251'?><t>\xcf</t>",
            &mut sink,
        )
        .unwrap();
        assert_eq!(doc.element().unwrap().text, "П");
        assert!(sink.warnings.is_empty());
    }

    #[test]
    fn billion_laughs_is_never_expanded() {
        let mut doc =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
        doc.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for i in 2..10 {
            doc.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">\n",
                format!("&lol{};", i - 1).repeat(10)
            ));
        }
        doc.push_str("]>\n<lolz>&lol9;</lolz>");
        let (parsed, sink) = parse_str(&doc);
        let parsed = parsed.unwrap();
        assert_eq!(parsed.element().unwrap().text, "&lol9;");
        assert!(sink.warnings.iter().any(|w| w.contains("never expands")));
    }

    #[test]
    fn external_entities_are_never_read() {
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><r>&xxe;</r>";
        let (parsed, _) = parse_str(doc);
        assert_eq!(parsed.unwrap().element().unwrap().text, "&xxe;");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = "<a>".repeat(100_000);
        let (parsed, _) = parse_str(&doc);
        match parsed {
            Err(ReadError::Format(m)) => assert!(m.contains("nested deeper"), "{m}"),
            other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
        }
        // Just under the limit is fine (and reported as truncated, since it is never closed).
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse_str(&ok).0.is_ok());
    }

    #[test]
    fn syntax_errors_keep_what_came_before() {
        let (doc, sink) = parse_str("<r><i>1</i><i>2</i><i a=\"x</r>");
        let doc = doc.unwrap();
        assert!(doc.element().unwrap().children("i").count() >= 2);
        assert_eq!(sink.damage.len(), 1);
    }

    #[test]
    fn mismatched_end_tags_close_up_to_their_match() {
        let (doc, sink) = parse_str("<r><i><b>x</i><i>y</i></r>");
        let doc = doc.unwrap();
        assert_eq!(doc.element().unwrap().children("i").count(), 2);
        assert_eq!(sink.warnings.len(), 1);
    }

    #[test]
    fn urls_hosts_and_hrefs() {
        assert_eq!(
            url_host("https://WWW.Example.com:8080/x?y").as_deref(),
            Some("example.com")
        );
        assert_eq!(url_host("mailto:a@b.c"), None);
        assert_eq!(
            blog_account("https://medium.com/airbnb-engineering/x").as_deref(),
            Some("medium.com/airbnb-engineering")
        );
        assert_eq!(
            blog_account("https://blog.example.org/feed").as_deref(),
            Some("blog.example.org")
        );
        let html = r#"<a href="http://a.org/1">x</a> <A HREF='https://b.net/'>y</A> <a href=http://a.org/1>"#;
        assert_eq!(html_hrefs(html), vec!["http://a.org/1", "https://b.net/"]);
        let hrefs = html_hrefs(html);
        let links = linked_blogs(&hrefs, Some("b.net"));
        assert_eq!(links, vec![("a.org".to_string(), "http://a.org/1")]);
        // An attribute value is HTML text: `&amp;` in it is `&` in the URL.
        let html = r#"<a href="https://a.org/?x=1&amp;y=2&#38;z=3&bogus;">x</a>"#;
        assert_eq!(html_hrefs(html), vec!["https://a.org/?x=1&y=2&z=3&bogus;"]);
    }
}
