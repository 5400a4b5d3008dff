//! DNS-rebinding protection: a web page on `evil.example` whose name is re-pointed at
//! 127.0.0.1 can make a browser send requests here, but the browser still sends
//! `Host: evil.example`. Requests are served only when their `Host` names this server: a
//! loopback name or address, the address it listens on, or a name the operator allowed
//! (`--allow-host`).

use crate::error::ApiError;
use crate::Shared;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

#[derive(Clone, Debug, Default)]
/// Which `Host` headers are accepted (DNS-rebinding guard): loopback names, the bound address and `--allow-host` names.
pub struct HostPolicy {
    /// The address the server listens on; `None` is taken as loopback only.
    pub bound: Option<IpAddr>,
    /// Extra names accepted, lowercase, without port.
    pub allowed: Vec<String>,
}

impl HostPolicy {
    /// The policy for a server bound to `bound`, also accepting the names in `allowed` (lowercased, a trailing dot dropped).
    pub fn new(bound: Option<IpAddr>, allowed: &[String]) -> HostPolicy {
        HostPolicy {
            bound,
            allowed: allowed.iter().map(|h| normalise(h)).collect(),
        }
    }

    /// Whether a request with this `Host` header is served. A request without one (HTTP/1.0,
    /// or a client that is not a browser) cannot be a rebinding attack and is served.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return true;
        };
        let name = normalise(strip_port(host));
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            let bound_to_all = self.bound.is_some_and(|b| b.is_unspecified());
            if ip.is_loopback() || self.bound == Some(ip) || bound_to_all {
                return true;
            }
        }
        self.allowed.contains(&name)
    }
}

fn normalise(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `name:port` → `name`; `[v6]:port` → `[v6]`; a bare IPv6 address is left whole.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

/// The middleware: 403 for a `Host` the policy refuses.
pub async fn check(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    if app.host_policy.allows(host) {
        return next.run(req).await;
    }
    ApiError::new(
        StatusCode::FORBIDDEN,
        "this server does not answer to that host name; its operator can allow it with \
         `renown serve --allow-host NAME`",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_bound_and_allowed_names_pass_others_do_not() {
        let p = HostPolicy::new(Some("10.1.2.3".parse().unwrap()), &["Renown.LAN".into()]);
        for ok in [
            "localhost",
            "localhost:7878",
            "app.localhost:80",
            "127.0.0.1:7878",
            "[::1]:7878",
            "::1",
            "10.1.2.3:7878",
            "renown.lan",
            "renown.lan.:7878",
        ] {
            assert!(p.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:7878",
            "localhost.evil.example",
            "10.1.2.4:7878",
            "renown.lan.evil.example",
            "\u{0}",
        ] {
            assert!(!p.allows(Some(bad)), "{bad}");
        }
        assert!(p.allows(None));
        // Listening on every interface: any address literal names this server.
        let all = HostPolicy::new(Some("0.0.0.0".parse().unwrap()), &[]);
        assert!(all.allows(Some("192.168.0.9:7878")));
        assert!(!all.allows(Some("evil.example")));
    }
}
