//! What every way of reaching a function shares: the configured server (registry, authenticator,
//! state, limits) and [`run`], the one place a function is called. The HTTP endpoints
//! (`protocol`) and the HTML shell (`shell`) both build on this module, and it on neither.

use std::future::{Future, ready};
use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::Either;
use http::request::Parts;
use serde_json::{Map, Value};

use crate::auth::Authenticator;
use crate::function::{Encoding, Params};
use crate::limits::Limits;
use crate::registry::Registered;
use crate::request::StateMap;
use crate::{Error, Registry, Request, Result};

/// The configured server, shared by every request once the router is built.
pub(crate) struct Shared {
    pub(crate) registry: Registry,
    pub(crate) authenticator: Arc<dyn Authenticator>,
    pub(crate) state: StateMap,
    pub(crate) limits: Limits,
    /// Request-body bytes buffered at once, within `limits.body_budget_bytes`.
    pub(crate) body_budget: Arc<crate::protocol::BodyBudget>,
    /// Cross-origin access, when the application allows it.
    pub(crate) cors: Option<crate::protocol::Cors>,
    /// The manifest's JSON, serialized once; `None` when it is not exposed.
    pub(crate) manifest: Option<bytes::Bytes>,
    /// The base path the API is mounted at.
    pub(crate) base: String,
    /// The HTML shell's template, when the API was built with one.
    pub(crate) shell_template: Option<Arc<str>>,
    /// Where uploads are written.
    pub(crate) upload_dir: std::path::PathBuf,
    /// Channels: publishing, subscribers and socket limits.
    pub(crate) channels: crate::channels::endpoint::ChannelServer,
    /// The context cache, when the application configured one (§2.16).
    pub(crate) cache: Option<crate::cache::Cache>,
    /// The keys of recent cached reads, and their hits' headers. This server's, not the
    /// cache's: the headers follow this server's policies, and another server sharing the cache
    /// may declare others under the same names.
    pub(crate) key_memo: crate::cache::memo::KeyMemo,
    /// Hands the cache's invalidations to this server's sockets; the cache holds it weakly.
    pub(crate) invalidation_listener: InvalidationListener,
}

/// The listener a server registers with its cache, kept alive by the server.
pub(crate) type InvalidationListener = std::sync::OnceLock<Arc<crate::cache::ListenerFn>>;

impl Shared {
    /// Looks a function up by the name in its path (names never need percent-encoding).
    pub(crate) fn function(&self, name: &str) -> Result<&Registered> {
        self.registry
            .get(name)
            .ok_or_else(|| Error::not_found(format!("no function named {name:?}")))
    }

    /// Resolves the principal of a request head.
    pub(crate) async fn authenticate(&self, parts: &Parts) -> Result<crate::Principal> {
        crate::auth::authenticate(&*self.authenticator, parts).await
    }

    /// Resolves the principal and builds the request functions see. An authenticator that
    /// answers without waiting is asked here, and the future is ready; only one that waits gets a
    /// boxed future (keeping the head in the future once, not as an argument and a local).
    pub(crate) fn request(&self, parts: Parts) -> impl Future<Output = Result<Request>> + Send {
        match crate::auth::authenticate_now(&*self.authenticator, &parts) {
            Some(principal) => Either::Left(ready(
                principal.map(|principal| Request::new(parts, principal, self.state.clone())),
            )),
            None => Either::Right(Box::pin(async move {
                let principal =
                    crate::auth::authenticate_later(&*self.authenticator, &parts).await?;
                Ok(Request::new(parts, principal, self.state.clone()))
            })),
        }
    }
}

/// Runs a function whose auth was checked; a panic in it becomes `internal`, its effects are
/// dropped, and the server goes on.
pub(crate) async fn run(
    function: &Registered,
    request: &Request,
    mut params: Map<String, Value>,
    encoding: Encoding,
) -> Result<Vec<u8>> {
    // Against the published schema, where 64-bit integers are still strings (§2.2, §2.9).
    if !function.checks_own_params {
        params = function
            .params_validator
            .check(&function.input_schema, params)?;
    }
    // Expanded before the run, from checked params: a call that could not name what it purges
    // does not run.
    let declared = function
        .invalidates
        .iter()
        .map(|template| {
            template.expand(&params).map_err(|e| {
                Error::internal(format!(
                    "{} cannot name what it invalidates: {e}",
                    function.options.rust_name
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if function.input_has_wide {
        let mut object = Value::Object(params);
        crate::wide_int::numbers_from_strings(
            &mut object,
            &function.input_schema,
            &function.input_schema,
        );
        params = match object {
            Value::Object(map) => map,
            _ => unreachable!("the conversion keeps an object an object"),
        };
    }
    let output = guarded(
        request,
        function
            .function
            .call(request, Params::new(params), encoding),
        || format!("server function {} panicked", function.options.rust_name),
    )
    .await
    .map_err(|mut e| {
        e.log_cause(function.options.rust_name);
        e
    })?;
    // On success only (§2.16.4); the purge itself happens when the request's answer is built.
    request.record_invalidation(&declared, None);
    Ok(output)
}

/// Runs application code (a function, a form's rules and handler) as one step of `request`: a
/// panic becomes `internal` (logged with `what`) and drops the step's effects; effects recorded
/// before it (by earlier calls of a batch, or an auth check) stay.
pub(crate) async fn guarded<T>(
    request: &Request,
    step: impl std::future::Future<Output = Result<T>>,
    what: impl FnOnce() -> String,
) -> Result<T> {
    let before = request.begin_step();
    let result = std::panic::AssertUnwindSafe(step).catch_unwind().await;
    request.end_step(before, result.is_ok());
    result.unwrap_or_else(|_| Err(Error::internal(what())))
}

/// The response for `result` of a call or batch: the tags its functions invalidated are purged
/// through the cache (§2.16.4), then the effects are added, the purge's rev among them. Ready at
/// once when there is nothing to purge; the purge's future is boxed, which keeps every call's
/// future small.
pub(crate) fn finish<'a>(
    shared: &'a Shared,
    request: &'a Request,
    result: Result<Response>,
) -> impl Future<Output = Response> + Send + 'a {
    let purge = shared
        .cache
        .as_ref()
        .map(|cache| (cache, request.invalidated_tags()))
        .filter(|(_, tags)| !tags.is_empty());
    match purge {
        None => Either::Left(ready(with_effects(request, result))),
        Some((cache, tags)) => Either::Right(Box::pin(async move {
            let rev = cache.purge_valid(&tags).await;
            request.record_invalidation(&[], rev);
            with_effects(request, result)
        })),
    }
}

/// The response for `result`, with the effects `request`'s functions recorded (§2.10).
pub(crate) fn with_effects(request: &Request, result: Result<Response>) -> Response {
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    let effects = request.take_effects();
    if !effects.is_empty() {
        effects.apply(response.headers_mut());
    }
    response
}
