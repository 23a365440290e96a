//! Turning a request into a [`Principal`], and checking a function's auth requirement.

mod check;
mod mwt;
mod origin;
mod verified;

use std::fmt;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use http::request::Parts;

use crate::future::BoxFuture;
use crate::{Error, Principal, Request, Result};

pub use check::{AsyncCheck, AuthCheck, CheckVerdict, CustomCheck};
pub use mwt::{CSRF_HEADER, MwtAuthenticator};
pub use origin::{is_loopback_host, origin_allowed};

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
    /// A custom check: `auth = my_check`, where `my_check` is a sync or `async` function of
    /// `&mizan::Request` returning `bool` or `mizan::Result<bool>`.
    Custom(CustomCheck),
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
    /// `forbidden` (403) for a signed-in one who lacks the right. A custom check that fails with
    /// an error answers with that error; one that panics answers `internal` (500).
    pub async fn check(&self, request: &Request) -> Result<()> {
        let principal = request.principal();
        let allowed = match self {
            Self::Public => true,
            Self::Authenticated => principal.is_authenticated(),
            Self::Staff => principal.is_staff(),
            Self::Superuser => principal.is_superuser(),
            Self::Custom(check) => run_custom(*check, request).await?,
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

/// Runs a custom check; effects it records are dropped if it panics, like a function's (§2.10).
async fn run_custom(check: CustomCheck, request: &Request) -> Result<bool> {
    let before = request.begin_step();
    let outcome = guarded(|| check(request)).await;
    request.end_step(before, outcome.is_some());
    outcome.unwrap_or_else(|| Err(Error::internal("a custom auth check panicked")))
}

/// Starts a future with `start` and runs it; `None` when either panics, so the server answers
/// `internal` (500) and goes on serving.
async fn guarded<'a, T>(start: impl FnOnce() -> BoxFuture<'a, T>) -> Option<T> {
    let future = std::panic::catch_unwind(AssertUnwindSafe(start)).ok()?;
    AssertUnwindSafe(future).catch_unwind().await.ok()
}

impl fmt::Debug for AuthRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Resolves who is making a request. Runs before every function; an error stops the request, and
/// a panic is answered `internal` (500) while the server goes on serving.
///
/// An authenticator that loads the user from a store attaches the record with
/// [`Principal::with_extension`], so functions and auth checks read it without a second query:
///
/// ```
/// use http::request::Parts;
/// use mizan::{Authenticator, BoxFuture, MwtAuthenticator, Principal, Result};
///
/// #[derive(Clone)]
/// struct Account { display_name: String }
///
/// struct StoreAuthenticator { tokens: MwtAuthenticator }
///
/// impl Authenticator for StoreAuthenticator {
///     fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Principal>> {
///         Box::pin(async move {
///             let principal = self.tokens.principal(parts)?;
///             let Some(user) = principal.user() else { return Ok(principal) };
///             // A real store is queried here, asynchronously.
///             let account = Account { display_name: format!("user {}", user.id) };
///             Ok(principal.with_extension(account))
///         })
///     }
/// }
/// ```
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

/// Runs `authenticator` for a request head; a panic in it becomes `internal` (500).
pub(crate) async fn authenticate(
    authenticator: &dyn Authenticator,
    parts: &Parts,
) -> Result<Principal> {
    match authenticate_now(authenticator, parts) {
        Some(answer) => answer,
        None => authenticate_later(authenticator, parts).await,
    }
}

/// The authenticator's answer without waiting, when it has one (see
/// [`Authenticator::authenticate_now`]); a panic in it becomes `internal` (500).
pub(crate) fn authenticate_now(
    authenticator: &dyn Authenticator,
    parts: &Parts,
) -> Option<Result<Principal>> {
    std::panic::catch_unwind(AssertUnwindSafe(|| authenticator.authenticate_now(parts)))
        .unwrap_or_else(|_| Some(Err(Error::internal("the authenticator panicked"))))
}

/// The authenticator's answer from [`Authenticator::authenticate`], for one that has none
/// without waiting; a panic in it becomes `internal` (500).
pub(crate) async fn authenticate_later(
    authenticator: &dyn Authenticator,
    parts: &Parts,
) -> Result<Principal> {
    guarded(|| authenticator.authenticate(parts))
        .await
        .unwrap_or_else(|| Err(Error::internal("the authenticator panicked")))
}

/// Treats every request as anonymous; the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Anonymous;

impl Authenticator for Anonymous {
    fn authenticate<'a>(&'a self, _parts: &'a Parts) -> BoxFuture<'a, Result<Principal>> {
        Box::pin(std::future::ready(Ok(Principal::anonymous())))
    }

    fn authenticate_now(&self, _parts: &Parts) -> Option<Result<Principal>> {
        Some(Ok(Principal::anonymous()))
    }
}
