//! What a server function sees of the HTTP request: who is asking, the headers, and app state.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use http::{HeaderMap, Method, Uri};

use crate::Error;

/// Who is making a request, as resolved by the [`Authenticator`](crate::Authenticator).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Principal {
    /// Nobody signed in.
    #[default]
    Anonymous,
    /// A signed-in user.
    User(User),
}

/// A signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user's id.
    pub id: String,
    /// Whether the user is staff.
    pub staff: bool,
    /// Whether the user is a superuser; superusers pass every staff check too.
    pub superuser: bool,
}

impl User {
    /// A user with no staff or superuser rights.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            staff: false,
            superuser: false,
        }
    }
}

impl Principal {
    /// The user, if one is signed in.
    pub fn user(&self) -> Option<&User> {
        match self {
            Self::Anonymous => None,
            Self::User(user) => Some(user),
        }
    }

    /// Whether a user is signed in.
    pub fn is_authenticated(&self) -> bool {
        self.user().is_some()
    }

    /// Whether the user is staff or a superuser.
    pub fn is_staff(&self) -> bool {
        self.user().is_some_and(|u| u.staff || u.superuser)
    }

    /// Whether the user is a superuser.
    pub fn is_superuser(&self) -> bool {
        self.user().is_some_and(|u| u.superuser)
    }
}

/// Application state shared by every request, keyed by type.
#[derive(Clone, Default)]
pub(crate) struct StateMap(Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl StateMap {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        Arc::make_mut(&mut self.0).insert(TypeId::of::<T>(), Arc::new(value));
    }

    fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
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
///     .principal(Principal::User(User::new("42")))
///     .state(Db("sqlite::memory:"))
///     .build();
/// assert_eq!(req.user().map(|u| u.id.as_str()), Some("42"));
/// assert_eq!(req.state::<Db>().unwrap().0, "sqlite::memory:");
/// assert!(req.state::<String>().is_err());
/// ```
#[derive(Clone)]
pub struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    principal: Principal,
    state: StateMap,
}

impl Request {
    pub(crate) fn new(
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        principal: Principal,
        state: StateMap,
    ) -> Self {
        Self {
            method,
            uri,
            headers,
            principal,
            state,
        }
    }

    /// A builder for requests in unit tests of server functions.
    pub fn builder() -> RequestBuilder {
        RequestBuilder(Self::new(
            Method::POST,
            Uri::from_static("/"),
            HeaderMap::new(),
            Principal::Anonymous,
            StateMap::default(),
        ))
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
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
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
