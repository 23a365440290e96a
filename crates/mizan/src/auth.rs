//! Turning a request into a [`Principal`], and checking a function's auth requirement.

use std::fmt;

use http::request::Parts;
use mizan_core::mwt::{Claims, Keyring, Validation};

use crate::function::BoxFuture;
use crate::{Error, Principal, Request, Result, User};

/// Who may call a function: the `auth` option of `#[mizan::client]`.
#[derive(Clone, Copy)]
pub enum AuthRequirement {
    /// Anyone.
    Public,
    /// Any signed-in user: `#[mizan::client(auth)]`.
    Authenticated,
    /// Staff or superusers: `auth = "staff"`.
    Staff,
    /// Superusers: `auth = "superuser"`.
    Superuser,
    /// A custom check: `auth = my_check`, where `fn my_check(req: &mizan::Request) -> bool`.
    Custom(fn(&Request) -> bool),
}

impl AuthRequirement {
    /// The level's name in the manifest.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Public => "none",
            Self::Authenticated => "authenticated",
            Self::Staff => "staff",
            Self::Superuser => "superuser",
            Self::Custom(_) => "custom",
        }
    }

    /// Checks `request`: `unauthenticated` (401) for an anonymous caller who must sign in,
    /// `forbidden` (403) for a signed-in one who lacks the right.
    pub fn check(&self, request: &Request) -> Result<()> {
        let principal = request.principal();
        let allowed = match self {
            Self::Public => true,
            Self::Authenticated => principal.is_authenticated(),
            Self::Staff => principal.is_staff(),
            Self::Superuser => principal.is_superuser(),
            Self::Custom(check) => check(request),
        };
        if allowed {
            Ok(())
        } else if !principal.is_authenticated() {
            Err(Error::unauthenticated("sign in to call this function"))
        } else {
            Err(Error::forbidden("you may not call this function"))
        }
    }
}

impl fmt::Debug for AuthRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Resolves who is making a request. Runs before every function; an error stops the request.
pub trait Authenticator: Send + Sync + 'static {
    /// The principal of the request, or an error such as `unauthenticated` for bad credentials.
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Principal>>;

    /// The same answer without waiting, for authenticators that never do I/O; `None` (the
    /// default) means "call [`authenticate`](Self::authenticate)". It spares a boxed future on
    /// every request.
    fn authenticate_now(&self, parts: &Parts) -> Option<Result<Principal>> {
        let _ = parts;
        None
    }
}

/// Treats every request as anonymous; the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Anonymous;

impl Authenticator for Anonymous {
    fn authenticate<'a>(&'a self, _parts: &'a Parts) -> BoxFuture<'a, Result<Principal>> {
        Box::pin(std::future::ready(Ok(Principal::Anonymous)))
    }

    fn authenticate_now(&self, _parts: &Parts) -> Option<Result<Principal>> {
        Some(Ok(Principal::Anonymous))
    }
}

/// The header a browser client sends with every unsafe request when it is authenticated by a
/// cookie. A cross-site page cannot send a custom header without the server's CORS consent, so its
/// presence proves the request came from the application's own pages.
pub const CSRF_HEADER: &str = "x-mizan-csrf";

/// Authenticates MWTs from `Authorization: Bearer <token>`, and optionally from a cookie.
///
/// No token means anonymous; a token that fails verification is `unauthenticated` (401) with the
/// token's failure code in `details.reason`, so clients can tell expiry apart. A token from the
/// cookie authenticates `POST`s only when the request also carries the [`CSRF_HEADER`]
/// (`403 forbidden`, `details.reason = "csrf"`, otherwise), because browsers attach cookies to
/// cross-site requests too.
#[derive(Debug, Clone)]
pub struct MwtAuthenticator {
    keyring: Keyring,
    validation: Validation,
    cookie: Option<String>,
}

impl MwtAuthenticator {
    /// Verifies bearer tokens with `keyring` against `validation`.
    pub fn new(keyring: Keyring, validation: Validation) -> Self {
        Self {
            keyring,
            validation,
            cookie: None,
        }
    }

    /// Also reads the token from the cookie `name` when there is no `Authorization` header, so
    /// the first HTML request of a page is authenticated too (and its global contexts hydrate for
    /// the right user).
    #[must_use]
    pub fn with_cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie = Some(name.into());
        self
    }

    fn cookie_token<'a>(&self, parts: &'a Parts) -> Option<&'a str> {
        let name = self.cookie.as_deref()?;
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.trim_matches('"'))
            .filter(|value| !value.is_empty())
    }

    fn verify(&self, token: &str) -> Result<Principal> {
        let claims = self
            .keyring
            .verify(token.trim(), &self.validation)
            .map_err(|e| {
                Error::unauthenticated(format!("invalid token: {e}"))
                    .with_details(serde_json::json!({"reason": e.code().as_str()}))
            })?;
        Ok(principal_from_claims(&claims))
    }

    /// The principal of a request's head.
    pub fn principal(&self, parts: &Parts) -> Result<Principal> {
        let Some(header) = parts.headers.get(http::header::AUTHORIZATION) else {
            let Some(token) = self.cookie_token(parts) else {
                return Ok(Principal::Anonymous);
            };
            let safe = parts.method == http::Method::GET || parts.method == http::Method::HEAD;
            if !safe && !parts.headers.contains_key(CSRF_HEADER) {
                return Err(Error::forbidden(format!(
                    "cookie-authenticated requests must send the {CSRF_HEADER} header"
                ))
                .with_details(serde_json::json!({"reason": "csrf"})));
            }
            return self.verify(token);
        };
        let token = header
            .to_str()
            .ok()
            // The scheme is case-insensitive (RFC 9110 §11.1).
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .ok_or_else(|| {
                Error::unauthenticated("the Authorization header must be `Bearer <token>`")
            })?;
        self.verify(token)
    }
}

/// The principal an MWT names: a user when it has a subject, anonymous otherwise.
pub fn principal_from_claims(claims: &Claims) -> Principal {
    match &claims.sub {
        Some(id) => Principal::User(User {
            id: id.clone(),
            staff: claims.staff,
            superuser: claims.superuser,
        }),
        None => Principal::Anonymous,
    }
}

impl Authenticator for MwtAuthenticator {
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Principal>> {
        Box::pin(std::future::ready(self.principal(parts)))
    }

    fn authenticate_now(&self, parts: &Parts) -> Option<Result<Principal>> {
        Some(self.principal(parts))
    }
}
