//! The functions under `auth.*` and the `current_user` context (`spec/PROTOCOL.md` §2.14.4).

mod password;
mod session;

use mizan::{Error, Registry, RegistryError, Request, Result};
use schemars::JsonSchema;
use serde::Serialize;

use crate::authenticator::{ReadAt, SessionDigest, TokenSession};
use crate::store::UserRecord;
use crate::throttle::Counter;
use crate::tokens::Token;
use crate::{Accounts, Throttles, authenticator};

pub(crate) use session::start_session;

/// Who the request's user is, as the `current_user` context and `auth.login` answer it.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct CurrentUser {
    /// Whether a user is signed in.
    pub authenticated: bool,
    /// The user's id, if signed in.
    pub id: Option<String>,
    /// The user's email, if signed in.
    pub email: Option<String>,
    /// The user's username, if signed in and they have one.
    pub username: Option<String>,
    /// Whether the user is staff.
    pub staff: bool,
    /// Whether the user is a superuser.
    pub superuser: bool,
}

impl CurrentUser {
    fn anonymous() -> Self {
        Self {
            authenticated: false,
            id: None,
            email: None,
            username: None,
            staff: false,
            superuser: false,
        }
    }

    fn of(user: &UserRecord) -> Self {
        Self {
            authenticated: true,
            id: Some(user.id.clone()),
            email: Some(user.email.clone()),
            username: user.username.clone(),
            staff: user.staff,
            superuser: user.superuser,
        }
    }
}

/// What `auth.login` answers: the user, and a token for bearer use.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(rename = "AuthLoginResult")]
pub struct LoginResult {
    /// The signed-in user.
    pub user: CurrentUser,
    /// A short-lived token (§2.14.5).
    pub token: Token,
}

/// A message for the person at the keyboard: the same whatever the email (§2.14.7).
#[derive(Debug, Clone, Serialize, JsonSchema)]
// Named for the generated TypeScript, where an application's own `Message` may exist.
#[schemars(rename = "AuthMessage")]
pub struct Message {
    /// What to tell them.
    pub message: String,
}

/// The signed-in user, from the store: a global context, embedded in the first HTML.
#[mizan::client(context = "global")]
pub(crate) async fn current_user(req: &Request) -> Result<CurrentUser> {
    Ok(req
        .principal()
        .extension::<UserRecord>()
        .map_or_else(CurrentUser::anonymous, CurrentUser::of))
}

/// A new token for the request's user, bound to the same session, so a client refreshes before
/// its token expires. Needs a session: its cookie, or a token bound to one (§2.14.4).
#[mizan::client(auth)]
pub(crate) async fn token(req: &Request) -> Result<Token> {
    let accounts = guard(req)?;
    let user = user(req)?;
    let principal = req.principal();
    let session = principal
        .extension::<SessionDigest>()
        .map(|s| s.0.as_str())
        .or_else(|| principal.extension::<TokenSession>().map(|s| s.0.as_str()))
        .ok_or_else(|| {
            Error::unauthenticated("only a signed-in session refreshes tokens; sign in again")
                .with_details(serde_json::json!({"reason": "session"}))
        })?;
    Ok(accounts
        .inner
        .tokens
        .issue(user, read_at(req), Some(session)))
}

pub(crate) fn register(
    registry: &mut Registry,
) -> std::result::Result<&mut Registry, RegistryError> {
    registry
        .register(session::signup, "auth.signup")?
        .register(session::login, "auth.login")?
        .register(session::logout, "auth.logout")?
        .register(password::change_password, "auth.change_password")?
        .register(
            password::request_password_reset,
            "auth.request_password_reset",
        )?
        .register(password::reset_password, "auth.reset_password")?
        .register(token, "auth.token")?
        .register(current_user, "current_user")
}

/// The module, once the request has passed the CSRF and origin checks every `auth.*` call needs.
fn guard(req: &Request) -> Result<&Accounts> {
    let accounts = req.state::<Accounts>()?;
    authenticator::check_csrf(req.headers(), &accounts.inner.settings.allowed_origins)?;
    Ok(accounts)
}

/// The store's record of the request's user (an `auth` function always has one).
fn user(req: &Request) -> Result<&UserRecord> {
    req.principal()
        .extension::<UserRecord>()
        .ok_or_else(|| Error::unauthenticated("sign in first"))
}

/// When the store was read for the request's principal: the `iat` of tokens issued for it.
fn read_at(req: &Request) -> i64 {
    req.principal()
        .extension::<ReadAt>()
        .map_or_else(crate::now_secs, |r| r.0)
}

/// `401 unauthenticated` with `details.reason = "credentials"`: one answer for every wrong
/// email or password (§2.14.4).
fn wrong_credentials() -> Error {
    Error::unauthenticated("wrong email or password")
        .with_details(serde_json::json!({"reason": "credentials"}))
}

/// `429 rate_limited` for `wait` seconds.
fn throttled(wait: u64) -> Error {
    Error::rate_limited("too many attempts; try again later", wait)
}

/// Takes one attempt from `counter` for `key`; requests without a known client address are not
/// counted per address (one shared bucket would let one client lock everyone out).
fn take(counter: &Counter, key: Option<&str>) -> Result<()> {
    match key {
        Some(key) => counter.take(key).map_err(throttled),
        None => Ok(()),
    }
}

/// A password check counted against the sign-in throttles before it runs (§2.14.6). Only a wrong
/// password keeps its count: a success, or a failure of the server, gives it back on drop.
struct PasswordAttempt<'a> {
    throttles: &'a Throttles,
    email: String,
    address: Option<String>,
    wrong: bool,
}

impl<'a> PasswordAttempt<'a> {
    fn begin(throttles: &'a Throttles, email: &str, address: Option<String>) -> Result<Self> {
        throttles.login_email.take(email).map_err(throttled)?;
        if let Err(e) = take(&throttles.login_address, address.as_deref()) {
            throttles.login_email.refund(email);
            return Err(e);
        }
        Ok(Self {
            throttles,
            email: email.to_owned(),
            address,
            wrong: false,
        })
    }

    /// The password was wrong: the attempt stays counted.
    fn wrong(mut self) -> Error {
        self.wrong = true;
        wrong_credentials()
    }
}

impl Drop for PasswordAttempt<'_> {
    fn drop(&mut self) {
        if !self.wrong {
            self.throttles.login_email.refund(&self.email);
            if let Some(address) = &self.address {
                self.throttles.login_address.refund(address);
            }
        }
    }
}
