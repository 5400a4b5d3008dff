//! Every failure leaves the server as `{"error": message}` with a status code that says whose
//! fault it was. Messages are for the caller: what went wrong with the request, never the
//! server's internals (file paths, panic text, SQLite messages) — those go to the server log.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use renown_measures::MeasureError;
use renown_store::StoreError;

#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
/// An API failure as the caller sees it: a status and a message safe to show (never a path or panic text).
pub struct ApiError {
    /// The HTTP status sent.
    pub status: StatusCode,
    /// The message sent as `{"error": …}`.
    pub message: String,
    /// Seconds after which a retry may succeed (sent as `Retry-After`).
    pub retry_after: Option<u32>,
}

/// The body of every 500: what happened is in the server log.
pub const INTERNAL_MESSAGE: &str = "internal error (the details are in the server's log)";

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }
    /// 400: the request itself is wrong (a parameter, a date, a measure name).
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    /// 404: no such account, cascade or route.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
    /// A failure of the server, not of the request: `detail` goes to the log, the caller gets
    /// [`INTERNAL_MESSAGE`].
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        log(&format!("internal error: {detail}"));
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)
    }
    /// 503 with `Retry-After`: the server is busy or the store is locked; the same request may
    /// succeed later.
    pub fn unavailable(message: impl Into<String>, retry_after: u32) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
        }
    }
}

/// One line on the server's standard error.
pub fn log(line: &str) {
    eprintln!("renown serve: {line}");
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::UnknownAccount(_) => ApiError::not_found(e.to_string()),
            StoreError::Locked { .. } => {
                log(&e.to_string());
                ApiError::unavailable(
                    "the store is being written by another ingest; try again when it has finished",
                    5,
                )
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<MeasureError> for ApiError {
    fn from(e: MeasureError) -> ApiError {
        match e {
            MeasureError::Store(s) => s.into(),
            MeasureError::Unknown(..) | MeasureError::Invalid(_) => {
                ApiError::bad_request(e.to_string())
            }
        }
    }
}

impl From<renown_app::AppError> for ApiError {
    fn from(e: renown_app::AppError) -> ApiError {
        use renown_app::AppError;
        match e {
            AppError::Store(s) => s.into(),
            AppError::Measure(m) => m.into(),
            AppError::Audit(a) => a.into(),
            AppError::Spread(s) => s.into(),
            AppError::Invalid(m) => ApiError::bad_request(m),
            AppError::NotFound(m) => ApiError::not_found(m),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

/// A handler's result.
pub type ApiResult<T> = std::result::Result<T, ApiError>;
