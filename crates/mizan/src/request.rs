//! What a server function sees of the HTTP request (who is asking, the headers, app state) and
//! what it adds to the response (cookies, headers, cache hints).

use std::any::{Any, TypeId};
use std::sync::Arc;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use cookie::Cookie;
use http::{Extensions, HeaderMap, HeaderName, HeaderValue, Method, Uri};

use crate::effects::Effects;
use crate::{Error, Principal, User};

/// Application state shared by every request, keyed by type.
///
/// An application has a handful of state types: a list searched in order finds one faster than a
/// hash map hashes its key.
#[derive(Clone, Default)]
pub(crate) struct StateMap(Arc<Vec<(TypeId, Arc<dyn Any + Send + Sync>)>>);

impl StateMap {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        let entries = Arc::make_mut(&mut self.0);
        let id = TypeId::of::<T>();
        let value: Arc<dyn Any + Send + Sync> = Arc::new(value);
        match entries.iter_mut().find(|(existing, _)| *existing == id) {
            Some(entry) => entry.1 = value,
            None => entries.push((id, value)),
        }
    }

    fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        let (_, value) = self.0.iter().find(|(existing, _)| *existing == id)?;
        value.downcast_ref()
    }
}

/// The request a server function runs for.
///
/// ```
/// use mizan::{Principal, Request, User};
///
/// struct Db(&'static str);
///
/// let req = Request::builder()
///     .principal(Principal::signed_in(User::new("42")))
///     .state(Db("sqlite::memory:"))
///     .build();
/// assert_eq!(req.user().map(|u| u.id.as_str()), Some("42"));
/// assert_eq!(req.state::<Db>().unwrap().0, "sqlite::memory:");
/// assert!(req.state::<String>().is_err());
/// ```
pub struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    extensions: Extensions,
    principal: Principal,
    state: StateMap,
    effects: Mutex<Effects>,
    /// Whether the function read the request's headers or cookies: its answer may then differ
    /// between callers, so a shared cache must not keep it.
    read_headers: AtomicBool,
}

/// A clone carries a copy of the effects recorded so far; effects recorded on the clone are not
/// sent with the original's response.
impl Clone for Request {
    fn clone(&self) -> Self {
        Self {
            method: self.method.clone(),
            uri: self.uri.clone(),
            headers: self.headers.clone(),
            extensions: self.extensions.clone(),
            principal: self.principal.clone(),
            state: self.state.clone(),
            effects: Mutex::new(self.lock_effects().clone()),
            read_headers: AtomicBool::new(self.read_headers.load(Ordering::Relaxed)),
        }
    }
}

impl Request {
    pub(crate) fn new(parts: http::request::Parts, principal: Principal, state: StateMap) -> Self {
        Self {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            extensions: parts.extensions,
            principal,
            state,
            effects: Mutex::new(Effects::default()),
            read_headers: AtomicBool::new(false),
        }
    }

    /// A builder for requests in unit tests of server functions.
    pub fn builder() -> RequestBuilder {
        let (mut parts, ()) = http::Request::new(()).into_parts();
        parts.method = Method::POST;
        RequestBuilder(Self::new(
            parts,
            Principal::anonymous(),
            StateMap::default(),
        ))
    }

    /// The application's channels, to publish from a server function (`spec/PROTOCOL.md`
    /// §2.15.6). A request built without a server ([`Request::builder`]) without
    /// [`state`](RequestBuilder::state)`(channels)` publishes to a process-wide in-process layer
    /// nobody subscribes to.
    pub fn channels(&self) -> &crate::channels::Channels {
        static DETACHED: std::sync::OnceLock<crate::channels::Channels> =
            std::sync::OnceLock::new();
        self.state
            .get::<crate::channels::Channels>()
            .unwrap_or_else(|| DETACHED.get_or_init(crate::channels::Channels::in_process))
    }

    /// Who is asking.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&User> {
        self.principal.user()
    }

    /// The request headers.
    ///
    /// A context whose function (or auth check) reads them is answered `private`: its answer may
    /// differ between callers, and shared caches do not key on headers reliably (§2.3).
    pub fn headers(&self) -> &HeaderMap {
        self.read_headers.store(true, Ordering::Relaxed);
        &self.headers
    }

    /// The headers, without marking the answer as depending on them (for the protocol's own
    /// conditional-request handling).
    pub(crate) fn protocol_headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether the function or its checks read the headers or cookies.
    pub(crate) fn read_headers(&self) -> bool {
        self.read_headers.load(Ordering::Relaxed)
    }

    /// What middleware and the server attached to the HTTP request (axum's `ConnectInfo`, a
    /// request id, a tracing span, ...), as `axum::extract::Request::extensions` holds them.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request URI.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// Application state of type `T`, as given to [`Mizan::state`](crate::Mizan::state).
    ///
    /// A missing state is a server misconfiguration: the error is `internal` (500).
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<&T, Error> {
        self.state.get::<T>().ok_or_else(|| {
            Error::internal(format!(
                "no state of type {} was given to Mizan::state",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// Response effects (`spec/PROTOCOL.md` §2.10). They are sent with the function's answer, whether
/// it returns `Ok` or `Err` (so a function can clear a cookie while answering `401`); a panic
/// discards them. A mistake (a reserved header, a cookie value that would inject attributes) is an
/// `internal` error at the call, so `?` stops the function before it answers wrongly.
impl Request {
    /// Adds a `Set-Cookie` to the response, with the attributes the cookie carries.
    ///
    /// ```
    /// use mizan::cookie::{Cookie, SameSite, time::Duration};
    ///
    /// let req = mizan::Request::builder().build();
    /// req.set_cookie(
    ///     Cookie::build(("session", "opaque-id"))
    ///         .http_only(true)
    ///         .secure(true)
    ///         .same_site(SameSite::Lax)
    ///         .path("/")
    ///         .max_age(Duration::days(14)),
    /// )?;
    /// assert!(req.set_cookie(Cookie::new("bad", "a;b")).is_err());
    /// # Ok::<(), mizan::Error>(())
    /// ```
    pub fn set_cookie<'c>(&self, cookie: impl Into<Cookie<'c>>) -> Result<(), Error> {
        self.lock_effects().set_cookie(&cookie.into())
    }

    /// Removes a cookie from the browser: sends it empty, expired, with `Max-Age=0`. Give it the
    /// path and domain it was set with.
    pub fn remove_cookie<'c>(&self, cookie: impl Into<Cookie<'c>>) -> Result<(), Error> {
        let mut cookie = cookie.into();
        cookie.make_removal();
        self.set_cookie(cookie)
    }

    /// Sets a response header; a later value for the same name replaces an earlier one. Headers
    /// the protocol writes (`Content-Type`, `Cache-Control`, `ETag`, `Vary`, `Set-Cookie`, framing
    /// headers and `X-Mizan-*`) are refused.
    pub fn set_header(&self, name: HeaderName, value: HeaderValue) -> Result<(), Error> {
        self.lock_effects().set_header(name, value)
    }

    /// Purges the cached reads tagged `tag` when the call returns (`spec/PROTOCOL.md` §2.16.4),
    /// whether it succeeds or returns an error (not when it panics): the response lists it in
    /// `X-Mizan-Invalidate`, with the rev the purge issued in `X-Mizan-Rev`. Tags are 1 to 128
    /// bytes of `[A-Za-z0-9_.:%-]`.
    pub fn invalidate_tag(&self, tag: impl Into<String>) -> Result<(), Error> {
        self.lock_effects().invalidate_tag(tag.into())
    }

    /// The server's context cache, to purge from a function ([`Cache::purge_tags`]; tags named
    /// with [`invalidate_tag`](Self::invalidate_tag) are purged for you). `internal` when the
    /// server was built without [`Mizan::cache`](crate::Mizan::cache).
    ///
    /// [`Cache::purge_tags`]: crate::cache::Cache::purge_tags
    pub fn cache(&self) -> Result<&crate::cache::Cache, Error> {
        self.state
            .get::<crate::cache::Cache>()
            .ok_or_else(|| Error::internal("no cache was given to Mizan::cache"))
    }

    /// The tags the request's functions invalidated so far.
    pub(crate) fn invalidated_tags(&self) -> Vec<String> {
        self.lock_effects().invalidated_tags().to_vec()
    }

    /// Records tags a function's declaration invalidates (already checked) and a purge's rev.
    pub(crate) fn record_invalidation(&self, tags: &[String], rev: Option<u64>) {
        let mut effects = self.lock_effects();
        for tag in tags {
            // Expanded templates are valid tags by construction; a bad one is skipped, not sent.
            let _ = effects.invalidate_tag(tag.clone());
        }
        if let Some(rev) = rev {
            let _ = effects.set_rev(rev);
        }
    }

    /// The value of the request cookie `name`, if the request carries it.
    ///
    /// Like [`headers`](Self::headers), reading a cookie makes a context's answer `private`.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        cookie_value(self.headers(), name)
    }

    fn lock_effects(&self) -> std::sync::MutexGuard<'_, Effects> {
        // Effects are plain data, consistent after any panic that poisoned the lock.
        self.effects.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a function of this request recorded any effect so far.
    pub(crate) fn has_effects(&self) -> bool {
        !self.lock_effects().is_empty()
    }

    /// Starts a step (a function, a check, a context of the page) whose effects may have to be
    /// dropped: sets aside the effects recorded so far, for [`end_step`](Self::end_step).
    pub(crate) fn begin_step(&self) -> Effects {
        self.take_effects()
    }

    /// Ends a step: the effects recorded before it stay, and its own are kept only when `keep`.
    pub(crate) fn end_step(&self, before: Effects, keep: bool) {
        let mut effects = self.lock_effects();
        let own = std::mem::replace(&mut *effects, before);
        if keep && !own.is_empty() {
            effects.extend(own);
        }
    }

    /// Takes the effects recorded so far, leaving none.
    pub(crate) fn take_effects(&self) -> Effects {
        std::mem::take(&mut *self.lock_effects())
    }
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Request`] for tests.
#[derive(Debug)]
pub struct RequestBuilder(Request);

impl RequestBuilder {
    /// Sets who is asking.
    #[must_use]
    pub fn principal(mut self, principal: Principal) -> Self {
        self.0.principal = principal;
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
        self.0.headers.append(name, value);
        self
    }

    /// Adds a request extension, as middleware would.
    #[must_use]
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.0.extensions.insert(value);
        self
    }

    /// Adds application state.
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.0.state.insert(value);
        self
    }

    /// The request.
    pub fn build(self) -> Request {
        self.0
    }
}

/// The value of cookie `name` in the request's `Cookie` headers (the first one, surrounding
/// double quotes removed), as §2.5 reads a token cookie: for authenticators, which see only the
/// request's head.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert("cookie", "a=1; session=\"xyz\"; session=2".parse().unwrap());
/// assert_eq!(mizan::cookie_value(&headers, "session"), Some("xyz"));
/// assert_eq!(mizan::cookie_value(&headers, "missing"), None);
/// ```
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| {
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value)
        })
}
