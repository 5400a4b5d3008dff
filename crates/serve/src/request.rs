//! The opening every read handler shares, written once: the query checked against the
//! parameters its route takes, the scope parsed from it once, and the work run on a blocking
//! thread against one [`View`] of the store.

use crate::error::ApiResult;
use crate::params::Params;
use crate::view::{View, SCOPE_PARAMS};
use crate::Shared;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use renown_app::Scope;

/// A read request: the server and the raw query. `read.scoped(&["limit"])` checks and parses
/// the query; `read.view(|view| …)` answers it.
pub struct Read {
    app: Shared,
    query: Option<String>,
}

impl FromRequestParts<Shared> for Read {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Read, Self::Rejection> {
        Ok(Read {
            app: app.clone(),
            query: parts.uri.query().map(str::to_string),
        })
    }
}

impl Read {
    /// The query, refusing any parameter but `allowed` (a typo should not be silently ignored).
    pub fn params(&self, allowed: &[&str]) -> ApiResult<Params> {
        Params::parse(self.query.as_deref(), allowed)
    }

    /// The query of a scoped route, refusing any parameter but `own` and the scope's, with the
    /// scope it names.
    pub fn scoped(&self, own: &[&str]) -> ApiResult<(Params, Scope)> {
        let mut allowed = own.to_vec();
        allowed.extend(SCOPE_PARAMS);
        let p = self.params(&allowed)?;
        let scope = p.scope()?;
        Ok((p, scope))
    }

    /// The query of a route dated and on a platform but not topical (an audience), refusing
    /// any parameter but `own`, `as_of` and `platform`, with its scope.
    pub fn dated(&self, own: &[&str]) -> ApiResult<(Params, Scope)> {
        let mut allowed = own.to_vec();
        allowed.extend(["as_of", "platform"]);
        let p = self.params(&allowed)?;
        let scope = p.scope()?;
        Ok((p, scope))
    }

    /// The server, for work that outlives the request (a computation in the background).
    pub fn app(&self) -> &Shared {
        &self.app
    }

    /// Runs `answer` on a blocking thread against one state of the store.
    pub async fn view<T: Send + 'static>(
        self,
        answer: impl FnOnce(&View) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        self.app
            .blocking(move |state, store| answer(&View::new(state, store)?))
            .await
    }
}
