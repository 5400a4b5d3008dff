//! Accounts from actor and status URLs (`user@host`).

use super::*;

/// The first path segments of a URL: every shape renown matches is decided by at most five
/// (the patterns end in `..`), and a fixed array spares an allocation per URL.
pub(super) struct Segs<'a> {
    pub(super) buf: [&'a str; 5],
    pub(super) len: usize,
}

impl<'a> Segs<'a> {
    pub(super) fn as_slice(&self) -> &[&'a str] {
        &self.buf[..self.len]
    }
}

/// (host, first non-empty path segments) of an http(s) URL.
pub(super) fn split_url(url: &str) -> Option<(&str, Segs<'_>)> {
    let url = HttpUrl::parse(url)?;
    let mut segs = Segs {
        buf: [""; 5],
        len: 0,
    };
    for p in url.segments().take(5) {
        segs.buf[segs.len] = p;
        segs.len += 1;
    }
    Some((url.host, segs))
}

/// `s.to_lowercase()` appended, without the temporary string when `s` is ASCII.
pub(super) fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&s.to_lowercase());
    }
}

pub(super) fn acct(name: &str, host: &str) -> AccountRef {
    let mut id = String::with_capacity(name.len() + host.len() + 1);
    push_lowercase(&mut id, name);
    id.push('@');
    push_lowercase(&mut id, host);
    let mut handle = String::with_capacity(name.len() + host.len() + 2);
    for part in ["@", name, "@", host] {
        handle.push_str(part);
    }
    AccountRef::with_handle(id, Some(handle))
}

/// The account a profile URL names, in the shapes Mastodon, Pleroma and diaspora use.
pub fn account_from_actor_url(url: &str) -> Option<AccountRef> {
    let (host, segs) = split_url(url)?;
    match segs.as_slice() {
        ["users" | "u", name, ..] | ["ap", "users", name, ..] => Some(acct(name, host)),
        [at, ..] if at.len() > 1 && at.starts_with('@') => {
            // `/@user@other.host` is a remote profile seen through this server.
            match at[1..].split_once('@') {
                Some((name, other)) => Some(acct(name, other)),
                None => Some(acct(&at[1..], host)),
            }
        }
        _ => None,
    }
}

/// Any actor URL names an account: the recognised `user@host` form, else the URL itself.
pub(super) fn actor_ref(url: &str) -> AccountRef {
    account_from_actor_url(url).unwrap_or_else(|| AccountRef::new(url.trim_end_matches('/')))
}

/// The author of a status URL, when its shape says (`/users/NAME/statuses/ID`, `/@NAME/ID`).
pub fn account_from_status_url(url: &str) -> Option<AccountRef> {
    let (host, segs) = split_url(url)?;
    match segs.as_slice() {
        ["users", name, "statuses", _, ..] | ["ap", "users", name, "post", _, ..] => {
            Some(acct(name, host))
        }
        [at, _id, ..] if at.len() > 1 && at.starts_with('@') => account_from_actor_url(url),
        _ => None,
    }
}
