//! The dashboard: files under `web/`, embedded at build time and served by exact name only, so
//! no request can reach anything else on disk.

use crate::api;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "web/"]
struct Web;

/// Serves the embedded dashboard's files; `/api/…` paths that reach here are unknown routes (404).
pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return api::not_found().await.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return api::method_not_allowed().await.into_response();
    }
    let key = path.trim_start_matches('/');
    let key = if key.is_empty() { "index.html" } else { key };
    // The embedded map is keyed by relative names; refuse anything that looks like a path trick
    // rather than rely on the lookup missing.
    let suspicious =
        key.contains("..") || key.contains('\\') || key.contains('%') || key.contains("//");
    match (suspicious, Web::get(key)) {
        (false, Some(file)) => {
            let mime = mime_guess::from_path(key).first_or_octet_stream();
            (
                [
                    (header::CONTENT_TYPE, mime.as_ref().to_string()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                    (header::CACHE_CONTROL, "no-cache".to_string()),
                ],
                file.data.into_owned(),
            )
                .into_response()
        }
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
