//! Query-string parsing with messages a person can act on (axum's own rejections are plain text).

use crate::error::{ApiError, ApiResult};
use renown_app::Scope;

/// Largest page a list returns.
pub const MAX_LIMIT: usize = 1000;
/// Page size when a list request names none.
pub const DEFAULT_LIMIT: usize = 50;

/// A request's query parameters, read by name with typed, range-checked getters (a bad value is a 400 naming it).
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// A page of a list.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Page {
    /// Rows at most.
    pub limit: usize,
    /// Rows skipped before the first.
    pub offset: usize,
}

impl Page {
    /// The slice of `0..total` this page covers.
    pub fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(total);
        start..(start + self.limit).min(total)
    }
}

impl Params {
    /// Parses a raw query, refusing names not in `allowed` (a typo should not be silently ignored).
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> ApiResult<Params> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))?;
        for (k, _) in &pairs {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {k:?} (accepted: {})",
                    allowed.join(", ")
                )));
            }
        }
        Ok(Params { pairs })
    }

    /// The last non-empty value of `key`.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// A whole number at most `max`, `default` when absent.
    pub fn usize(&self, key: &str, default: usize, max: usize) -> ApiResult<usize> {
        let Some(v) = self.str(key) else {
            return Ok(default);
        };
        let n: usize = v.parse().map_err(|_| {
            ApiError::bad_request(format!("{key} must be a whole number, not {v:?}"))
        })?;
        if n > max {
            return Err(ApiError::bad_request(format!(
                "{key} must be at most {max}, not {n}"
            )));
        }
        Ok(n)
    }

    /// A yes/no parameter: `true`/`1`, `false`/`0`, absent = false; anything else is refused.
    pub fn flag(&self, key: &str) -> ApiResult<bool> {
        match self.str(key) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(v) => Err(ApiError::bad_request(format!(
                "{key} must be true or false, not {v:?}"
            ))),
        }
    }

    /// `limit` and `offset`.
    pub fn page(&self) -> ApiResult<Page> {
        Ok(Page {
            limit: self.usize("limit", DEFAULT_LIMIT, MAX_LIMIT)?,
            offset: self.usize("offset", 0, usize::MAX)?,
        })
    }

    /// `as_of`, read as on the command line ([`renown_app::scope::parse_as_of`]).
    pub fn as_of(&self) -> ApiResult<Option<i64>> {
        self.str("as_of")
            .map(|s| {
                renown_app::scope::parse_as_of(s)
                    .map_err(|e| ApiError::bad_request(format!("as_of {e}")))
            })
            .transpose()
    }

    /// The scope: `as_of`, `topic`, `platform`, each read as on the command line.
    pub fn scope(&self) -> ApiResult<Scope> {
        Ok(Scope::new(
            self.as_of()?,
            self.str("topic").map(str::to_string),
            self.str("platform").map(str::to_string),
        ))
    }
}

/// The cache key part of a scope.
pub fn scope_key(s: &Scope) -> (Option<i64>, Option<String>, Option<String>) {
    (s.as_of, s.topic.clone(), s.platform.clone())
}
