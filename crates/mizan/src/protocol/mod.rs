//! The HTTP protocol (`spec/PROTOCOL.md` Layer 2) on axum.

mod batch;
mod body;
mod call;
mod context;
pub(crate) mod query;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request as HttpRequest, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use futures_util::FutureExt;
use http::request::Parts;
use http::{HeaderValue, Method, header};

use crate::auth::{Anonymous, Authenticator};
use crate::function::{Encoding, Params};
use crate::registry::Registered;
use crate::request::StateMap;
use crate::{Error, ErrorCode, Registry, Request, Result};
use serde_json::{Map, Value};

/// Limits of the protocol; the defaults suit most applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body, in bytes (default 1 MiB).
    pub body_bytes: usize,
    /// The deepest nesting of arrays and objects in params (default 32).
    pub json_depth: usize,
    /// The longest query string of a context URL, in bytes (default 8 KiB).
    pub query_bytes: usize,
    /// The most calls in one batch (default 32).
    pub batch_calls: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 1 << 20,
            json_depth: 32,
            query_bytes: 8 << 10,
            batch_calls: 32,
        }
    }
}

/// Mizan, configured and ready to mount.
///
/// ```
/// use axum::Router;
/// use mizan::{Mizan, Registry, Request, Result};
///
/// #[mizan::client]
/// async fn echo(_req: &Request, text: String) -> Result<String> {
///     Ok(text)
/// }
///
/// let mut registry = Registry::new();
/// registry.register(echo, "echo").unwrap();
/// let app: Router = Router::new().nest("/api/mizan", Mizan::new(registry).router());
/// # let _ = app;
/// ```
pub struct Mizan {
    registry: Registry,
    authenticator: Arc<dyn Authenticator>,
    state: StateMap,
    limits: Limits,
    expose_manifest: bool,
}

impl Mizan {
    /// Serves `registry` with anonymous authentication and default limits.
    pub fn new(registry: Registry) -> Self {
        Self {
            registry,
            authenticator: Arc::new(Anonymous),
            state: StateMap::default(),
            limits: Limits::default(),
            expose_manifest: true,
        }
    }

    /// Sets the authenticator, such as [`MwtAuthenticator`](crate::MwtAuthenticator).
    #[must_use]
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Arc::new(authenticator);
        self
    }

    /// Adds application state, read in functions with [`Request::state`].
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Sets the limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether `GET /manifest` is served (default `true`; code generation reads it).
    #[must_use]
    pub fn expose_manifest(mut self, expose: bool) -> Self {
        self.expose_manifest = expose;
        self
    }

    /// The router to nest under `/api/mizan`, and the [`Shell`](crate::Shell) that serves
    /// `template` (the app's `index.html`) with the global contexts embedded.
    pub fn router_with_shell<S: Clone + Send + Sync + 'static>(
        self,
        template: impl Into<String>,
    ) -> (Router<S>, crate::Shell) {
        let shared = self.shared();
        let shell = crate::Shell::new(shared.clone(), template.into());
        (Self::routes(shared), shell)
    }

    /// The router to nest under `/api/mizan` in an application.
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Self::routes(self.shared())
    }

    fn shared(self) -> Arc<Shared> {
        // Serialized once: the registry cannot change after the router is built.
        let manifest = self
            .expose_manifest
            .then(|| serde_json::to_vec(&self.registry.manifest()).map(bytes::Bytes::from))
            .transpose()
            .unwrap_or_else(|e| unreachable!("a JSON value always serializes: {e}"));
        Arc::new(Shared {
            registry: self.registry,
            authenticator: self.authenticator,
            state: self.state,
            limits: self.limits,
            manifest,
        })
    }

    fn routes<S: Clone + Send + Sync + 'static>(shared: Arc<Shared>) -> Router<S> {
        // `/call/<name>` and `/context/<name>` are told apart by slicing the path in `dispatch`:
        // cheaper per request than a route with a captured parameter.
        Router::new()
            .route("/batch", any(batch::handle))
            .route("/manifest", any(serve_manifest))
            .fallback(dispatch)
            .with_state(shared)
    }
}

impl std::fmt::Debug for Mizan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mizan")
            .field("registry", &self.registry)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Shared {
    pub(crate) registry: Registry,
    authenticator: Arc<dyn Authenticator>,
    pub(crate) state: StateMap,
    pub(crate) limits: Limits,
    manifest: Option<bytes::Bytes>,
}

pub(crate) type SharedState = State<Arc<Shared>>;

async fn dispatch(State(shared): SharedState, request: HttpRequest) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let result = if let Some(name) = path.strip_prefix("/call/") {
        match shared.function(name) {
            Ok(function) => call::respond(&shared, function, parts, body).await,
            Err(e) => Err(e),
        }
    } else if let Some(name) = path.strip_prefix("/context/") {
        match shared.function(name) {
            Ok(function) => context::respond(&shared, function, parts).await,
            Err(e) => Err(e),
        }
    } else {
        Err(Error::not_found("no such Mizan endpoint"))
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

impl Shared {
    /// Looks a function up by the name in its path (names never need percent-encoding).
    pub(crate) fn function(&self, name: &str) -> Result<&Registered> {
        self.registry
            .get(name)
            .ok_or_else(|| Error::not_found(format!("no function named {name:?}")))
    }

    /// Resolves the principal of a request head.
    pub(crate) async fn authenticate(&self, parts: &Parts) -> Result<crate::Principal> {
        match self.authenticator.authenticate_now(parts) {
            Some(answer) => answer,
            None => self.authenticator.authenticate(parts).await,
        }
    }

    /// Resolves the principal and builds the request functions see.
    pub(crate) async fn request(&self, parts: Parts) -> Result<Request> {
        let principal = self.authenticate(&parts).await?;
        Ok(Request::new(
            parts.method,
            parts.uri,
            parts.headers,
            principal,
            self.state.clone(),
        ))
    }
}

/// Runs a function whose auth was checked; a panic in it becomes `internal` and the server goes on.
pub(crate) async fn run(
    function: &Registered,
    request: &Request,
    mut params: Map<String, Value>,
    encoding: Encoding,
) -> Result<Vec<u8>> {
    // Against the published schema, where 64-bit integers are still strings (§2.2, §2.9).
    params = function.params_validator.check(params)?;
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
    std::panic::AssertUnwindSafe(
        function
            .function
            .call(request, Params::new(params), encoding),
    )
    .catch_unwind()
    .await
    .unwrap_or_else(|_| {
        Err(Error::internal(format!(
            "server function {} panicked",
            function.options.rust_name
        )))
    })
}

pub(crate) fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = Error::new(
        ErrorCode::MethodNotAllowed,
        format!("use {allow} for this endpoint"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

pub(crate) fn json_response(body: Vec<u8>, cache_control: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
        ],
        body,
    )
        .into_response()
}

async fn serve_manifest(State(shared): SharedState, request: HttpRequest) -> Response {
    let Some(manifest) = &shared.manifest else {
        return not_found().await;
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return method_not_allowed("GET");
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        manifest.clone(),
    )
        .into_response()
}

async fn not_found() -> Response {
    Error::not_found("no such Mizan endpoint").into_response()
}
