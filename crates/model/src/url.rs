//! The few things renown reads from a URL: its host and path. Readers take account ids from
//! profile URLs, blog hosts from links, tweet ids from status links; the store compares profile
//! URLs. One parser serves them all.

/// An http(s) URL split where renown reads it. Borrowed: nothing is allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpUrl<'a> {
    /// The host as written (case kept), without user info or port.
    pub host: &'a str,
    /// Everything from the first `/` after the host up to `?` or `#`; empty when there is none.
    pub path: &'a str,
}

impl<'a> HttpUrl<'a> {
    /// Splits an `http://` or `https://` URL (scheme in any case; a scheme-relative `//host/...`
    /// too); `None` for any other scheme or an empty host. Surrounding white space is ignored.
    pub fn parse(url: &'a str) -> Option<HttpUrl<'a>> {
        let rest = strip_http_scheme(url.trim())?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let path = &tail[..tail.find(['?', '#']).unwrap_or(tail.len())];
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = host.split(':').next().unwrap_or(host);
        (!host.is_empty()).then_some(HttpUrl { host, path })
    }

    /// The non-empty segments of the path, in order.
    pub fn segments(&self) -> impl Iterator<Item = &'a str> {
        self.path.split('/').filter(|s| !s.is_empty())
    }

    /// The host as renown names a site: lowercase, without `www.` or a trailing dot; `None`
    /// when it holds anything but letters, digits, `-` and `.`.
    pub fn site(&self) -> Option<String> {
        let host = self.host.trim_end_matches('.').to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        let valid = !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        valid.then(|| host.to_string())
    }
}

/// What follows `http://` or `https://` (any case) or a scheme-relative `//`; `None` otherwise.
pub fn strip_http_scheme(url: &str) -> Option<&str> {
    let has = |scheme: &str| {
        url.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    };
    if has("https://") {
        Some(&url[8..])
    } else if has("http://") {
        Some(&url[7..])
    } else {
        url.strip_prefix("//")
    }
}

/// Lowercased host of an http(s) URL without `www.` (see [`HttpUrl::site`]).
pub fn url_host(url: &str) -> Option<String> {
    HttpUrl::parse(url)?.site()
}

/// `https://www.Example.org/a/` → `example.org/a`: the form in which profile URLs are compared.
/// Text that is not an http(s) URL (a bare `example.org/a`, a native id) is compared as if it
/// were the part after the scheme.
pub fn normalize_url(url: &str) -> String {
    let u = url.trim();
    let u = strip_http_scheme(u).unwrap_or(u);
    let (host, path) = u.split_once('/').unwrap_or((u, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        host.to_string()
    } else {
        format!("{host}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_host_and_path() {
        let u = HttpUrl::parse(" HTTPS://user@Mastodon.Social:443/@alice/109?x=1#top ").unwrap();
        assert_eq!(u.host, "Mastodon.Social");
        assert_eq!(u.path, "/@alice/109");
        assert_eq!(u.segments().collect::<Vec<_>>(), ["@alice", "109"]);
        assert_eq!(u.site().as_deref(), Some("mastodon.social"));
        let bare = HttpUrl::parse("http://example.org?q=/a").unwrap();
        assert_eq!((bare.host, bare.path), ("example.org", ""));
        assert_eq!(HttpUrl::parse("//cdn.example.org/x").unwrap().path, "/x");
        assert_eq!(HttpUrl::parse("mailto:a@b.c"), None);
        assert_eq!(HttpUrl::parse("ftp://example.org/"), None);
        assert_eq!(HttpUrl::parse("https:///path"), None);
    }

    #[test]
    fn sites_and_normal_forms() {
        assert_eq!(
            url_host("https://WWW.Example.com.:8080/x?y").as_deref(),
            Some("example.com")
        );
        assert_eq!(url_host("https://exa mple.com/"), None);
        assert_eq!(normalize_url("https://www.Example.org/a/"), "example.org/a");
        assert_eq!(normalize_url("HTTP://example.org"), "example.org");
        assert_eq!(normalize_url("Example.org/a"), "example.org/a");
    }
}
