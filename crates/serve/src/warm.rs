//! The warm-up: when the server starts, it asks itself the dashboard's first questions, one at a
//! time, in the background — the requests the dashboard's pages make when opened with their
//! defaults (`web/app.js`), for the top earned account and the largest cascade. The answers go
//! into the per-state memos ([`crate::view::Caches`]) and, when slow, are kept beside the store
//! ([`crate::answers`]); a visitor who asks meanwhile waits for the same computation instead of
//! starting another. A restarted server finds the answers on disk at once, and recomputes the
//! top account's pages to fill the memos every other account's pages share.
//!
//! The queries must be written exactly as `web/app.js` writes them (the kept answers are keyed
//! by path and query); `crates/serve/load/latency.py` asks the same.

use crate::answers::{Fill, WarmUp};
use crate::Shared;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use renown_measures::MEASURES;
use serde_json::Value;
use tower::ServiceExt;

/// What `encodeURIComponent` leaves as it is.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b)
}

/// A path segment as the dashboard writes it (`encodeURIComponent`).
pub fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match unreserved(b) {
            true => (b as char).to_string(),
            false => format!("%{b:02X}"),
        })
        .collect()
}

/// Calendar months from the first to the last instant (RFC 3339), both counted: the dashboard's
/// `monthsSpanned`, so the warm-up asks the trajectory the account page will ask.
fn months_spanned(first: &str, last: &str) -> Option<i64> {
    let ym = |s: &str| -> Option<i64> {
        let y: i64 = s.get(0..4)?.parse().ok()?;
        let m: i64 = s.get(5..7)?.parse().ok()?;
        Some(y * 12 + m)
    };
    Some(ym(last)? - ym(first)? + 1)
}

/// Asks the read routes `uri`; the JSON answer when it is 200. An account's pages are computed
/// even when their answers are kept ([`Fill`]): what they compute (every measure's scores, the
/// audit of every audience, the earned model) is what any other account's pages need.
async fn ask(state: &Shared, uri: &str) -> Option<Value> {
    visitors_done(state).await;
    let mut req = Request::get(uri).body(Body::empty()).ok()?;
    req.extensions_mut().insert(WarmUp);
    if uri.starts_with("/api/accounts/") {
        req.extensions_mut().insert(Fill);
    }
    let res = crate::read_routes(state)
        .with_state(state.clone())
        .oneshot(req)
        .await
        .ok()?;
    if res.status() != StatusCode::OK {
        return None;
    }
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .ok()?;
    serde_json::from_slice(&body).ok()
}

/// Returns once no visitor's answer is being computed: the warm-up is what the server does
/// while no one waits for it.
async fn visitors_done(state: &Shared) {
    while state.visitors.busy() {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The dashboard's first questions, asked in the order a visitor meets them; returns the paths
/// asked (for the tests).
pub async fn warm_up(state: Shared) -> Vec<String> {
    let mut asked = Vec::new();
    macro_rules! go {
        ($uri:expr) => {{
            let uri: String = $uri;
            let answer = ask(&state, &uri).await;
            asked.push(uri);
            answer
        }};
    }
    let stats = go!("/api/stats".into());
    let lead = MEASURES[0].name;
    let board = go!(format!("/api/leaderboard?measure={lead}&limit=50&offset=0"));
    let top = board
        .as_ref()
        .and_then(|b| b["rows"].get(0)?["id"].as_u64());
    if let Some(id) = top {
        let a = format!("/api/accounts/{id}");
        go!(a.clone());
        for tail in [
            "/timeline?limit=10",
            "/explain?endorsers=10",
            "/profile?limit=10",
            "/audit",
            "/fake",
        ] {
            go!(format!("{a}{tail}"));
        }
        let months = stats
            .as_ref()
            .and_then(|s| months_spanned(s["first_time"].as_str()?, s["last_time"].as_str()?));
        if let Some(m) = months {
            // Started here, computed in the background (the page asks again until it is in).
            go!(format!("{a}/trajectory?months={}", m.clamp(1, 12)));
        }
    }
    go!("/api/scatter".into());
    go!("/api/compare".into());
    go!("/api/audit?limit=50&offset=0".into());
    let cascades = go!("/api/cascades?limit=50&offset=0".into());
    if let Some(id) = cascades
        .as_ref()
        .and_then(|c| c["rows"].get(0)?["id"].as_str().map(str::to_string))
    {
        let path: Vec<String> = id.split('/').map(encode_component).collect();
        go!(format!("/api/cascades/{}?limit=1000", path.join("/")));
    }
    // Not the backtest, the seeds or the dynamics: they take the long-computation slots
    // (`--max-jobs`), and a warm-up holding them made a visitor's own request for them fail
    // with 503 (the dashboard's browser test, seeds page).
    asked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_as_the_dashboard_encodes_them() {
        assert_eq!(encode_component("higgs:88"), "higgs%3A88");
        assert_eq!(encode_component("a b/c"), "a%20b%2Fc");
        assert_eq!(encode_component("x-y_z.(1)!~*'"), "x-y_z.(1)!~*'");
        assert_eq!(encode_component("é"), "%C3%A9");
    }

    #[test]
    fn months_are_counted_as_the_dashboard_counts_them() {
        assert_eq!(
            months_spanned("2012-07-01T00:00:00Z", "2012-07-07T23:00:00Z"),
            Some(1)
        );
        assert_eq!(
            months_spanned("2011-11-30T00:00:00Z", "2012-02-01T00:00:00Z"),
            Some(4)
        );
        assert_eq!(months_spanned("", "2012-02-01"), None);
    }
}
