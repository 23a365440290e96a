//! From a request to its endpoint (`spec/PROTOCOL.md` §2.1): CORS, the exact path below the base,
//! and the headers every answer carries.
//!
//! The hot routes (calls and contexts) are composed as plain futures, without a state machine of
//! their own: each level of `async fn` keeps its arguments twice (as the argument and as a local)
//! and adds them to the future's size, and axum copies the whole future into its box once per
//! request. The rarer endpoints share one boxed future.
//!
//! The API is one tower service ([`Api`]) in a method router, not an axum handler: a handler's
//! extractors move the request several times more on every request.
//!
//! Every answer carries `X-Content-Type-Options: nosniff` (§2.11). The answers of calls and
//! contexts are built with it (`response_headers`, the cache's headers, `Error`'s response), which
//! debug builds check; the rest get it here.

use std::convert::Infallible;
use std::future::{Future, ready};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{Request as HttpRequest, State};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::Either;
use http::header;

use super::{NOSNIFF, batch, call, context, form_post, serve_manifest};
use crate::engine::Shared;
use crate::registry::Registered;
use crate::{BoxFuture, Error, Result};

/// Every route under the base: the configured server and the base it is mounted at.
#[derive(Clone)]
pub(super) struct Api {
    shared: Arc<Shared>,
    base: Arc<str>,
}

impl Api {
    pub(super) fn new(shared: Arc<Shared>, base: Arc<str>) -> Self {
        Self { shared, base }
    }
}

impl tower_service::Service<HttpRequest> for Api {
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        let base = Arc::clone(&self.base);
        // The one future that owns what the request's future borrows.
        Box::pin(async move { Ok(dispatch(&shared, &base, request).await) })
    }
}

/// Answers a request to the API: a CORS preflight's, or the route's with its CORS headers; every
/// answer with `X-Content-Type-Options`.
fn dispatch<'a>(
    shared: &'a Arc<Shared>,
    base: &str,
    request: HttpRequest,
) -> impl Future<Output = Response> + Send + 'a {
    let Some(cors) = &shared.cors else {
        return Either::Left(route(shared, base, request));
    };
    let (parts, body) = request.into_parts();
    if let Some(preflight) = cors.preflight(&parts) {
        return Either::Right(Either::Left(ready(with_nosniff(preflight))));
    }
    let origin = cors.allowed(&parts.headers).cloned();
    let routed = route(shared, base, HttpRequest::from_parts(parts, body));
    Either::Right(Either::Right(routed.map(move |mut response| {
        cors.decorate(origin.as_ref(), &mut response);
        response
    })))
}

fn with_nosniff(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF.clone());
    response
}

/// Where a request goes.
enum Target<'a> {
    Call(&'a Registered),
    Context(&'a Registered),
    Other(Other),
}

/// The endpoints served from one boxed future.
enum Other {
    Form(String),
    Batch,
    Ws,
    Manifest,
    Refused(Error),
}

/// Routes a request on its exact path below the base.
fn route<'a>(
    shared: &'a Arc<Shared>,
    base: &str,
    request: HttpRequest,
) -> impl Future<Output = Response> + Send + 'a {
    match target(shared, base, &request) {
        Target::Context(function) => {
            let (parts, _) = request.into_parts();
            Either::Left(Either::Left(
                context::respond(shared, function, parts).map(into_response),
            ))
        }
        Target::Call(function) => {
            let (parts, body) = request.into_parts();
            Either::Left(Either::Right(
                call::respond(shared, function, parts, body).map(into_response),
            ))
        }
        Target::Other(other) => Either::Right(serve_other(shared, other, request)),
    }
}

/// The answer of a call or a context, built with `nosniff` (see the module's docs).
fn into_response(result: Result<Response>) -> Response {
    let response = result.unwrap_or_else(IntoResponse::into_response);
    debug_assert_eq!(
        response.headers().get(header::X_CONTENT_TYPE_OPTIONS),
        Some(&NOSNIFF),
        "an answer of a call or a context built without nosniff"
    );
    response
}

fn target<'a>(shared: &'a Shared, base: &str, request: &HttpRequest) -> Target<'a> {
    // The routes guarantee the prefix; a path without it (a router nested in an unusual way) is
    // no Mizan endpoint.
    let Some(path) = request.uri().path().strip_prefix(base) else {
        return Target::Other(Other::Refused(no_endpoint()));
    };
    // `/call/` and `/context/` are told apart by slicing, cheaper per request than more routes.
    // A name never holds `/` (§1.3), so `/call//x` or `/call/x/` name no function.
    if let Some(name) = path.strip_prefix("/call/") {
        match shared.function(name) {
            Ok(function) => Target::Call(function),
            Err(e) => Target::Other(Other::Refused(e)),
        }
    } else if let Some(name) = path.strip_prefix("/context/") {
        match shared.function(name) {
            Ok(function) => Target::Context(function),
            Err(e) => Target::Other(Other::Refused(e)),
        }
    } else if let Some(name) = path.strip_prefix("/form/") {
        Target::Other(Other::Form(name.to_owned()))
    } else if path == "/batch" {
        Target::Other(Other::Batch)
    } else if path == "/ws" {
        Target::Other(Other::Ws)
    } else if path == "/manifest" {
        Target::Other(Other::Manifest)
    } else {
        Target::Other(Other::Refused(no_endpoint()))
    }
}

fn no_endpoint() -> Error {
    Error::not_found("no such Mizan endpoint")
}

fn serve_other(
    shared: &Arc<Shared>,
    other: Other,
    request: HttpRequest,
) -> BoxFuture<'_, Response> {
    Box::pin(async move {
        let response = match other {
            Other::Form(name) => {
                let (parts, body) = request.into_parts();
                form_post::respond(shared, &name, parts, body).await
            }
            Other::Batch => batch::handle(State(Arc::clone(shared)), request).await,
            Other::Ws => crate::channels::endpoint::respond(shared, request).await,
            Other::Manifest => serve_manifest(State(Arc::clone(shared)), request).await,
            Other::Refused(error) => error.into_response(),
        };
        with_nosniff(response)
    })
}
