//! `POST /api/ingest`: a file in any supported format as the request body, spooled to a
//! temporary file (never held in memory) and ingested like `renown ingest FILE`.
//!
//! Disabled unless a token is configured; the token is compared in constant time.

use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::Shared;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use renown_ingest::run::{ingest_input, IngestOptions, Status};
use subtle::ConstantTimeEq;
use tokio::io::AsyncWriteExt;

/// Checks `Authorization: Bearer <token>` against the configured token.
pub fn authorize(configured: Option<&str>, headers: &HeaderMap) -> ApiResult<()> {
    let Some(expected) = configured else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server is read-only: start `renown serve` with --token (or RENOWN_TOKEN) to accept ingests",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(given) = given else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing token: send `Authorization: Bearer <token>`",
        ));
    };
    // ct_eq on slices of different lengths returns false at once: only the length leaks.
    if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "wrong token"))
    }
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body is larger than this server's {limit}-byte limit (--max-body-mb)"),
    )
}

fn decompresses_too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the body decompresses to more than this server's {limit}-byte limit (--max-body-mb)"
        ),
    )
}

/// Opens the spooled upload as the ingest reads it (decompressing gzip and zstd).
fn open_upload(path: &std::path::Path, name: &str) -> ApiResult<renown_ingest::input::Input> {
    let file = std::fs::File::open(path)
        .map_err(|e| ApiError::internal(format!("reopening the spool file: {e}")))?;
    renown_ingest::input::open_reader(
        Box::new(file),
        path.to_path_buf(),
        format!("upload:{name}"),
        name.to_string(),
    )
    .map_err(|e| ApiError::bad_request(format!("cannot read the body: {e}")))
}

/// Whether a compressed upload decompresses to more than `limit` bytes. Counted before the
/// ingest, which commits as it reads, so a refused upload stores nothing; a damaged stream
/// counts what could be read and the ingest reports the damage.
fn decompressed_over(path: &std::path::Path, name: &str, limit: u64) -> ApiResult<bool> {
    let input = open_upload(path, name)?;
    if input.compression == renown_ingest::input::Compression::None {
        return Ok(false); // its size is the body's, already checked
    }
    let mut stream = input.stream;
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0u64;
    // Counted by hand: an error (damage after a huge run of output) must not lose the count.
    while let Ok(n) = std::io::Read::read(&mut stream, &mut buf) {
        if n == 0 || total > limit {
            break;
        }
        total += n as u64;
    }
    Ok(total > limit)
}

/// The file name used for format detection and in `file:line` messages; only its last path
/// component is kept.
fn upload_name(p: &Params) -> String {
    let raw = p.str("name").unwrap_or("upload");
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    if base.is_empty() || base == "." || base == ".." {
        "upload".into()
    } else {
        base.to_string()
    }
}

/// `POST /api/ingest`: stores an uploaded export (bearer token required), one ingest at a time.
pub async fn ingest(
    State(app): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    authorize(app.config.token.as_deref(), &headers)?;
    let p = Params::parse(q.as_deref(), &["name", "format", "strict"])?;
    let name = upload_name(&p);
    let format = p.str("format").map(str::to_string);
    if let Some(f) = &format {
        renown_ingest::format_named(f).map_err(ApiError::bad_request)?;
    }
    let strict = p.flag("strict")?;
    let limit = app.config.max_body;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }

    let spool = tempfile::NamedTempFile::new()
        .map_err(|e| ApiError::internal(format!("cannot create a spool file: {e}")))?;
    let (file, path) = spool.into_parts();
    let mut out = tokio::fs::File::from_std(file);
    let mut stream = body.into_data_stream();
    let mut total = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        total += chunk.len() as u64;
        if total > limit {
            return Err(too_large(limit));
        }
        out.write_all(&chunk)
            .await
            .map_err(|e| ApiError::internal(format!("spooling the body: {e}")))?;
    }
    out.flush()
        .await
        .map_err(|e| ApiError::internal(format!("spooling the body: {e}")))?;
    drop(out);
    if total == 0 {
        return Err(ApiError::bad_request(
            "the body is empty: send the file as the request body",
        ));
    }

    let _one_at_a_time = app.ingest_lock.lock().await;
    let db = app.config.db.clone();
    let report = tokio::task::spawn_blocking(move || -> ApiResult<_> {
        if decompressed_over(&path, &name, limit)? {
            return Err(decompresses_too_large(limit));
        }
        let input = open_upload(&path, &name)?;
        let mut store = renown_store::Store::open(&db)?;
        let opts = IngestOptions {
            format,
            strict,
            ..IngestOptions::default()
        };
        let report = ingest_input(&mut store, input, &opts, &mut |_, _, _| {})?;
        drop(path); // removes the spool file
        Ok(report)
    })
    .await
    .map_err(|e| ApiError::internal(format!("the ingest worker failed: {e}")))??;

    let body = serde_json::to_value(&report)
        .map_err(|e| ApiError::internal(format!("encoding the report: {e}")))?;
    Ok(match report.status {
        Status::Failed => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({
                "error": report.error.clone().unwrap_or_else(|| "the ingest failed".into()),
                "report": body,
            })),
        )
            .into_response(),
        _ => (StatusCode::OK, Json(body)).into_response(),
    })
}
