//! The HTTP protocol (`spec/PROTOCOL.md` Layer 2) on axum.

mod answer;
mod batch;
mod body;
mod budget;
mod cached;
mod call;
mod context;
mod cors;
mod dispatch;
mod form_body;
mod form_post;
mod multipart;
pub(crate) use form_post::csrf_token;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request as HttpRequest, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any_service;
use http::request::Parts;
use http::{HeaderName, HeaderValue, Method, header};

use crate::auth::{Anonymous, Authenticator};
use crate::engine::Shared;
use crate::limits::Limits;
use crate::registry::Registered;
use crate::request::StateMap;
use crate::{Error, ErrorCode, Registry, Result};

pub(crate) use answer::{
    JSON, NOSNIFF, content_length, json_no_store, method_not_allowed, response, response_headers,
};
pub(crate) use budget::BodyBudget;
pub use cached::{CACHE_STATUS_HEADER, PK_HEADER};
pub use cors::{Cors, InvalidOrigin};

/// The request header in which a client names the schema hash (manifest `schema_hash`, §2.7) of
/// the function it was built against.
pub const SCHEMA_HEADER: &str = "x-mizan-schema";

static SCHEMA_HEADER_NAME: HeaderName = HeaderName::from_static(SCHEMA_HEADER);

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
/// let app: Router = Router::new().merge(Mizan::new(registry).router("/api/mizan"));
/// # let _ = app;
/// ```
pub struct Mizan {
    registry: Registry,
    authenticator: Arc<dyn Authenticator>,
    state: StateMap,
    limits: Limits,
    expose_manifest: bool,
    cors: Option<Cors>,
    upload_dir: Option<std::path::PathBuf>,
    channels: Option<crate::channels::Channels>,
    channel_options: crate::channels::ChannelOptions,
    cache: Option<crate::cache::Cache>,
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
            cors: None,
            upload_dir: None,
            channels: None,
            channel_options: crate::channels::ChannelOptions::default(),
            cache: None,
        }
    }

    /// Sets the authenticator, such as [`MwtAuthenticator`](crate::MwtAuthenticator).
    #[must_use]
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Arc::new(authenticator);
        self
    }

    /// Adds application state, read in functions with [`Request::state`](crate::Request::state).
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

    /// Lets web pages of other origins call the API from a browser (`spec/PROTOCOL.md` §2.12);
    /// off by default.
    #[must_use]
    pub fn cors(mut self, cors: Cors) -> Self {
        self.cors = Some(cors);
        self
    }

    /// Where uploaded files are written while a form submit runs (default: the system's
    /// temporary directory). Each is deleted when its request ends unless the handler keeps it.
    #[must_use]
    pub fn upload_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.upload_dir = Some(dir.into());
        self
    }

    /// The channels to serve and publish through (default: [`Channels::in_process`]). Keep a
    /// clone to publish from outside server functions, which reach it with
    /// [`Request::channels`](crate::Request::channels).
    ///
    /// [`Channels::in_process`]: crate::channels::Channels::in_process
    #[must_use]
    pub fn channels(mut self, channels: crate::channels::Channels) -> Self {
        self.channels = Some(channels);
        self
    }

    /// The limits of channel sockets and the origins allowed to open them (§2.15.2, §2.15.8).
    #[must_use]
    pub fn channel_options(mut self, options: crate::channels::ChannelOptions) -> Self {
        self.channel_options = options;
        self
    }

    /// Caches the answers of contexts with a cache policy (`spec/PROTOCOL.md` §2.16) and purges
    /// what calls invalidate. Without it, contexts with a policy are answered as contexts without
    /// one (§2.3) and no rev is issued; the manifest publishes their policies either way. Keep a
    /// clone to purge from outside functions, which reach it with
    /// [`Request::cache`](crate::Request::cache).
    #[must_use]
    pub fn cache(mut self, cache: crate::cache::Cache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Whether `GET /manifest` is served (default `true`; code generation reads it).
    #[must_use]
    pub fn expose_manifest(mut self, expose: bool) -> Self {
        self.expose_manifest = expose;
        self
    }

    /// The router serving Mizan at `base` (conventionally `/api/mizan`), to merge into the
    /// application's router, and the [`Shell`](crate::Shell) that serves `template` (the app's
    /// `index.html`) with the global contexts embedded.
    ///
    /// # Panics
    ///
    /// When `base` is not a valid base path (see [`Mizan::router`]), or the registry fails
    /// [`Registry::check`].
    #[track_caller]
    pub fn router_with_shell<S: Clone + Send + Sync + 'static>(
        self,
        base: &str,
        template: impl Into<String>,
    ) -> (Router<S>, crate::Shell) {
        let base = base_path(base);
        check_registry(&self.registry);
        let template: Arc<str> = template.into().into();
        let shared = self.shared(&base, Some(template.clone()));
        let shell = crate::Shell::new(shared.clone(), template);
        (Self::routes(shared, base), shell)
    }

    /// The router serving Mizan at `base` (conventionally `/api/mizan`), to merge into the
    /// application's router with [`Router::merge`].
    ///
    /// It answers `base` itself, `base/` and every path under it, and routes on the exact path:
    /// whatever is not a Mizan endpoint (`base/`, `base//call/echo`, `base/nope`) gets
    /// `404 not_found` as JSON, never the application's fallback (`spec/PROTOCOL.md` §2.1).
    /// `base` starts with `/`; a trailing `/` is ignored, and `/` mounts Mizan at the root.
    ///
    /// # Panics
    ///
    /// When `base` does not start with `/`, or holds an empty segment (`//`), `{`, `}`, `*`,
    /// `?` or `#`: a mistake in the application's code, found when the router is built. Also when
    /// the registry fails [`Registry::check`] (a call invalidates a context that is not a
    /// registered context with a cache policy).
    #[track_caller]
    pub fn router<S: Clone + Send + Sync + 'static>(self, base: &str) -> Router<S> {
        let base = base_path(base);
        check_registry(&self.registry);
        Self::routes(self.shared(&base, None), base)
    }

    /// The router and the server state behind it, for tests that reach inside a running server.
    #[cfg(test)]
    pub(crate) fn router_and_shared(self, base: &str) -> (Router, Arc<Shared>) {
        let base = base_path(base);
        let shared = self.shared(&base, None);
        (Self::routes(Arc::clone(&shared), base), shared)
    }

    fn shared(mut self, base: &str, shell_template: Option<Arc<str>>) -> Arc<Shared> {
        let channels = self.channels.take().unwrap_or_default();
        // Functions publish through the request's state, as they read any other state.
        self.state.insert(channels.clone());
        if let Some(cache) = &self.cache {
            self.state.insert(cache.clone());
        }
        // Serialized once: the registry cannot change after the router is built.
        let manifest = self
            .expose_manifest
            .then(|| serde_json::to_vec(&self.registry.manifest()).map(bytes::Bytes::from))
            .transpose()
            .unwrap_or_else(|e| unreachable!("a manifest of JSON values always serializes: {e}"));
        let shared = Arc::new(Shared {
            registry: self.registry,
            authenticator: self.authenticator,
            state: self.state,
            limits: self.limits,
            body_budget: BodyBudget::new(self.limits.body_budget_bytes),
            cors: self.cors,
            manifest,
            base: base.to_owned(),
            shell_template,
            upload_dir: self.upload_dir.unwrap_or_else(std::env::temp_dir),
            channels: crate::channels::endpoint::ChannelServer::new(channels, self.channel_options),
            cache: self.cache,
            key_memo: crate::cache::memo::KeyMemo::default(),
            invalidation_listener: std::sync::OnceLock::new(),
        });
        if let Some(cache) = &shared.cache {
            // Weak: the cache may outlive this server (the application keeps a clone).
            let server = Arc::downgrade(&shared);
            let listener: Arc<crate::cache::ListenerFn> =
                Arc::new(move |invalidation: &crate::cache::Invalidation| {
                    if let Some(server) = server.upgrade() {
                        server.channels.invalidated(invalidation);
                    }
                });
            cache.listen(&listener);
            shared.invalidation_listener.set(listener).ok();
        }
        shared
    }

    fn routes<S: Clone + Send + Sync + 'static>(shared: Arc<Shared>, base: String) -> Router<S> {
        // Every path at or under the base reaches `dispatch`, which routes on the exact path.
        // axum's `nest` cannot do this: it never routes `base/` to the nested router, and its
        // prefix stripping turns `base//call/x` into `/call/x`.
        let base: Arc<str> = Arc::from(base);
        // A method router around a service, not `route_service`: `Router::merge` wraps a
        // service route in a second boxed route, and a method router it keeps as it is.
        let api = any_service(dispatch::Api::new(Arc::clone(&shared), Arc::clone(&base)));
        let mut router = if base.is_empty() {
            Router::new().route("/", api.clone())
        } else {
            Router::new()
                .route(&base, api.clone())
                .route(&format!("{base}/"), api.clone())
        };
        // The endpoints themselves as exact routes too, to the same service: a route without a
        // wildcard spares every request axum's percent-decoded copy of the captured path.
        let exact = shared
            .registry
            .names()
            .map(|name| {
                let kind = shared.registry.get(name).map(|f| f.options.kind);
                kind.map(|kind| kind.path(name))
            })
            .chain(["/batch", "/manifest", "/ws"].map(|p| Some(p.to_owned())));
        for path in exact.flatten() {
            router = router.route(&format!("{base}{path}"), api.clone());
        }
        router.route(&format!("{base}/{{*mizan_path}}"), api)
    }
}

/// Checks a base path and drops its trailing `/`s (so `/` becomes the empty root base).
#[track_caller]
fn base_path(base: &str) -> String {
    let trimmed = base.trim_end_matches('/');
    // Only characters a request path carries as they are: a base that needs percent-encoding
    // would never match the path of a request.
    let valid = base.starts_with('/')
        && !trimmed.contains("//")
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~'));
    assert!(
        valid,
        "invalid Mizan base path {base:?}: it must start with `/`, hold no `//`, and use only A-Z a-z 0-9 - . _ ~ and `/`"
    );
    trimmed.to_owned()
}

impl std::fmt::Debug for Mizan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mizan")
            .field("registry", &self.registry)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

pub(crate) type SharedState = State<Arc<Shared>>;

/// The `Allow` of the endpoints read with `GET` (`HEAD` is accepted wherever `GET` is).
pub(crate) const GET_OR_HEAD: &str = "GET, HEAD";

/// The schema hash a request's `X-Mizan-Schema` header names (the first one, if repeated).
pub(crate) fn sent_schema(parts: &Parts) -> Option<&[u8]> {
    parts
        .headers
        .get(&SCHEMA_HEADER_NAME)
        .map(HeaderValue::as_bytes)
}

/// `409 stale_client` when a client names a schema hash other than the function's: it was built
/// against another version of the function. No hash sent means nothing to check.
pub(crate) fn check_schema(function: &Registered, sent: Option<&[u8]>) -> Result<()> {
    match sent {
        Some(hash) if hash != function.schema_hash.as_bytes() => Err(Error::new(
            ErrorCode::StaleClient,
            format!(
                "this client was built against another version of {}; reload the page",
                function.options.rust_name
            ),
        )),
        _ => Ok(()),
    }
}

pub(super) async fn serve_manifest(State(shared): SharedState, request: HttpRequest) -> Response {
    let Some(manifest) = &shared.manifest else {
        return not_found().await;
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return method_not_allowed(GET_OR_HEAD);
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

/// Stops a server whose registry is inconsistent before it serves: like a bad base path, a
/// mistake in the application's code.
#[track_caller]
fn check_registry(registry: &Registry) {
    if let Err(e) = registry.check() {
        panic!("{e}");
    }
}
