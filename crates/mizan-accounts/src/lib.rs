//! Users, sessions, sign-in, password reset and tokens for [Mizan](mizan), on an embedded SQLite
//! database by default or on PostgreSQL (`spec/PROTOCOL.md` §2.14).
//!
//! ```no_run
//! use mizan::core::mwt::{Keyring, Validation};
//! use mizan::core::RootSecret;
//! use mizan::{Mizan, Registry};
//! use mizan_accounts::{Accounts, TokenIssuer};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = || RootSecret::new([7u8; 32]);
//! let tokens = TokenIssuer::new(
//!     Keyring::single("k1", secret()?)?,
//!     Validation::new("my-app", "my-app-web"),
//!     &secret()?,
//! );
//! // A file next to the server; `postgres://user@host/db` selects PostgreSQL instead.
//! let accounts = Accounts::builder(tokens).database("sqlite://app.sqlite3").open().await?;
//!
//! let mut registry = Registry::new();
//! Accounts::register(&mut registry)?; // auth.signup, auth.login, ..., current_user
//! let mizan = accounts.install(Mizan::new(registry));
//! let app: axum::Router = mizan.router("/api/mizan");
//! # let _ = app; Ok(()) }
//! ```
//!
//! What it gives:
//!
//! - **Users** in a [`UserStore`]: [`SqlStore`] keeps them in SQLite (the file is created and
//!   migrated on first start) or PostgreSQL, through one code path. Migrations run in
//!   transactions: one that fails leaves the database as it was.
//! - **Sessions** in the same store, in an `HttpOnly`, `SameSite=Lax` cookie (`Secure` off
//!   loopback), new on every sign-in, ended on sign-out, password change, reset and deactivation.
//! - **Functions** under `auth.*` and the `current_user` global context, typed and generated like
//!   any other (see [`Accounts::register`]).
//! - **Auth levels for real**: `auth`, `"staff"`, `"superuser"` and custom checks see the store's
//!   current flags on every request; a deactivated user loses access at once, tokens included.
//! - **Security**: Argon2id off the async runtime, a few hashes at a time; constant time where
//!   secrets are compared (the store compares digests); sign-in throttling per email and per
//!   client address (in this process's memory: N processes allow N times the limit); the same
//!   answers, in the same time, whether an email has an account or not; CSRF header and origin
//!   checks on cookie requests.
//! - **Short-lived tokens** (MWT) on sign-in and from `auth.token`, for bearer clients and the
//!   edge.

mod admin;
mod authenticator;
pub mod credentials;
mod error;
mod functions;
mod mailer;
mod password;
mod session;
mod store;
mod throttle;
mod tokens;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ConnectInfo;
use mizan::{Mizan, MwtAuthenticator, Registry, RegistryError};

pub use admin::Admin;
pub use authenticator::AccountsAuthenticator;
pub use error::AccountsError;
pub use functions::{CurrentUser, LoginResult, Message};
pub use mailer::{LogMailer, Mail, MailKind, Mailer, MemoryMailer};
pub use session::SESSION_COOKIE;
pub use store::{MIGRATIONS, NewUser, SqlStore, UserRecord, UserStore};
pub use throttle::Limit;
pub use tokens::{Token, TokenIssuer};

use password::Hasher;
use throttle::Counter;

/// The database the module opens when none is configured: a file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://mizan.sqlite3";

/// The accounts module: its store, token issuer, mailer, settings and throttles. Cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

struct Inner {
    store: Arc<dyn UserStore>,
    hasher: Hasher,
    tokens: TokenIssuer,
    bearer: MwtAuthenticator,
    mailer: Arc<dyn Mailer>,
    settings: Settings,
    throttles: Throttles,
}

/// How the module finds a request's client address, when the TCP peer is not it (behind a proxy).
type ClientAddressFn = dyn Fn(&mizan::Request) -> Option<IpAddr> + Send + Sync;

#[derive(Clone)]
struct Settings {
    session_lifetime: Duration,
    reset_lifetime: Duration,
    reset_link: String,
    allowed_origins: Vec<String>,
    secure_cookies: Option<bool>,
    client_address: Option<Arc<ClientAddressFn>>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("session_lifetime", &self.session_lifetime)
            .field("reset_lifetime", &self.reset_lifetime)
            .field("reset_link", &self.reset_link)
            .field("allowed_origins", &self.allowed_origins)
            .field("secure_cookies", &self.secure_cookies)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Throttles {
    login_email: Counter,
    login_address: Counter,
    signup_address: Counter,
    signup_email: Counter,
    reset_address: Counter,
    reset_email: Counter,
}

/// How an [`Accounts`] module is set up; [`open`](Self::open) connects and migrates.
#[must_use]
pub struct AccountsBuilder {
    tokens: TokenIssuer,
    database: String,
    store: Option<Arc<dyn UserStore>>,
    mailer: Arc<dyn Mailer>,
    settings: Settings,
    login_limits: (Limit, Limit),
    signup_limit: Limit,
    reset_limits: (Limit, Limit),
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl Accounts {
    /// A module that issues tokens with `tokens`; see [`AccountsBuilder`] for the rest.
    pub fn builder(tokens: TokenIssuer) -> AccountsBuilder {
        AccountsBuilder {
            tokens,
            database: DEFAULT_DATABASE.to_owned(),
            store: None,
            mailer: Arc::new(LogMailer),
            settings: Settings {
                session_lifetime: 14 * 24 * HOUR,
                reset_lifetime: HOUR,
                reset_link: "/reset-password?token=".to_owned(),
                allowed_origins: Vec::new(),
                secure_cookies: None,
                client_address: None,
            },
            login_limits: (Limit::new(10, 15 * MINUTE), Limit::new(100, 15 * MINUTE)),
            signup_limit: Limit::new(20, HOUR),
            reset_limits: (Limit::new(20, HOUR), Limit::new(5, HOUR)),
        }
    }

    /// Registers the module's functions: `auth.signup`, `auth.login`, `auth.logout`,
    /// `auth.change_password`, `auth.request_password_reset`, `auth.reset_password`,
    /// `auth.token`, and the global context `current_user` (§2.14.4). They find the module
    /// through the state that [`install`](Self::install) adds.
    pub fn register(registry: &mut Registry) -> Result<&mut Registry, RegistryError> {
        functions::register(registry)
    }

    /// Makes `mizan` authenticate with this module and gives its functions the module.
    pub fn install(&self, mizan: Mizan) -> Mizan {
        mizan
            .authenticator(self.authenticator())
            .state(self.clone())
    }

    /// The authenticator alone, for servers that wrap it in their own.
    pub fn authenticator(&self) -> AccountsAuthenticator {
        AccountsAuthenticator {
            accounts: self.clone(),
        }
    }

    /// Signs `user` in on the response to `req`, as `auth.login` does after checking the
    /// password: a new session in the cookie, ending the one the request came with. For sign-ins
    /// the application verified itself (a magic link, single sign-on, a development shortcut).
    /// Returns a token bound to the new session, as `auth.login` answers it.
    pub async fn sign_in(&self, req: &mizan::Request, user: &UserRecord) -> mizan::Result<Token> {
        let read_at = now_secs();
        let session = functions::start_session(self, req, user, true).await?;
        Ok(self.inner.tokens.issue(user, read_at, Some(&session)))
    }

    /// A token for `user` (§2.14.5) bound to no session: it lives until its `exp`, is revoked
    /// like any other, and cannot be refreshed with `auth.token`. For service clients and tests.
    pub fn token(&self, user: &UserRecord) -> Token {
        self.inner.tokens.issue(user, now_secs(), None)
    }

    /// The store.
    pub fn store(&self) -> &dyn UserStore {
        &*self.inner.store
    }

    /// User administration on this module's store: what the `mizan users` command runs.
    pub fn admin(&self) -> Admin {
        Admin::new(Arc::clone(&self.inner.store), self.inner.hasher.clone())
    }
}

impl AccountsBuilder {
    /// The database URL: `sqlite://<file>` (the default, [`DEFAULT_DATABASE`]) or
    /// `postgres://user@host:port/database`.
    pub fn database(mut self, url: impl Into<String>) -> Self {
        self.database = url.into();
        self
    }

    /// Another store in place of the SQL one; [`database`](Self::database) is then ignored.
    pub fn store(mut self, store: impl UserStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// Where mail goes; [`LogMailer`] by default.
    pub fn mailer(mut self, mailer: impl Mailer) -> Self {
        self.mailer = Arc::new(mailer);
        self
    }

    /// How long a session lasts from sign-in; 14 days by default.
    pub fn session_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.session_lifetime = lifetime;
        self
    }

    /// How long a reset token stays valid; 1 hour by default.
    pub fn reset_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.reset_lifetime = lifetime;
        self
    }

    /// The link a reset mail carries, to which the token is appended;
    /// `/reset-password?token=` by default (make it absolute for real mail).
    pub fn reset_link(mut self, link: impl Into<String>) -> Self {
        self.settings.reset_link = link.into();
        self
    }

    /// Also accepts cookie requests and `auth.*` calls whose `Origin` is `origin`
    /// (`https://app.example.com`): for front ends served from another origin (§2.14.3).
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.settings.allowed_origins.push(origin.into());
        self
    }

    /// Whether the session cookie is `Secure`. By default it is unless the request's `Host` names
    /// the loopback interface; behind a proxy that forwards to `127.0.0.1` with its own `Host`,
    /// say `true`.
    pub fn secure_cookies(mut self, secure: bool) -> Self {
        self.settings.secure_cookies = Some(secure);
        self
    }

    /// How to find a request's client address for the throttles, when the TCP peer is a proxy:
    /// read your proxy's header here (only from a proxy you trust). By default the peer's address
    /// is used; requests with no known address are not counted per address.
    pub fn client_address(
        mut self,
        find: impl Fn(&mizan::Request) -> Option<IpAddr> + Send + Sync + 'static,
    ) -> Self {
        self.settings.client_address = Some(Arc::new(find));
        self
    }

    /// Failed sign-ins allowed per email and per client address; 10 and 100 per 15 minutes by
    /// default (§2.14.6).
    pub fn login_limits(mut self, per_email: Limit, per_address: Limit) -> Self {
        self.login_limits = (per_email, per_address);
        self
    }

    /// Sign-ups allowed per client address; 20 per hour by default. (Mails telling an account's
    /// owner that someone tried to sign up with their email follow the per-email reset limit.)
    pub fn signup_limit(mut self, per_address: Limit) -> Self {
        self.signup_limit = per_address;
        self
    }

    /// Reset requests allowed per client address and per email; 20 and 5 per hour by default.
    pub fn reset_limits(mut self, per_address: Limit, per_email: Limit) -> Self {
        self.reset_limits = (per_address, per_email);
        self
    }

    /// Connects to the store, brings its schema up to date, and returns the module.
    pub async fn open(self) -> Result<Accounts, AccountsError> {
        let store = match self.store {
            Some(store) => store,
            None => Arc::new(SqlStore::connect(&self.database).await?),
        };
        let bearer = self.tokens.bearer();
        Ok(Accounts {
            inner: Arc::new(Inner {
                store,
                hasher: Hasher::default(),
                tokens: self.tokens,
                bearer,
                mailer: self.mailer,
                settings: self.settings,
                throttles: Throttles {
                    login_email: Counter::new(self.login_limits.0),
                    login_address: Counter::new(self.login_limits.1),
                    signup_address: Counter::new(self.signup_limit),
                    signup_email: Counter::new(self.reset_limits.1),
                    reset_address: Counter::new(self.reset_limits.0),
                    reset_email: Counter::new(self.reset_limits.1),
                },
            }),
        })
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The `credentials_changed_at` of a password change made now: the second after this one, so
/// that every token issued up to now, this second included, is revoked (§2.14.3).
pub(crate) fn credentials_change_time() -> i64 {
    now_secs().saturating_add(1)
}

/// The request's client address as the throttles count it (§2.14.6): the application's
/// [`client_address`](AccountsBuilder::client_address), else the TCP peer's (`mizan::serve` and
/// axum's `serve` with connect info record it); IPv6 addresses by their /64, which one client
/// usually holds whole. `None` when unknown.
pub(crate) fn client_address(accounts: &Accounts, request: &mizan::Request) -> Option<String> {
    let ip = match &accounts.inner.settings.client_address {
        Some(find) => find(request),
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip()),
    }?;
    Some(match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        },
    })
}

impl Accounts {
    /// The session cookie for `req` holding `secret`.
    pub(crate) fn session_cookie(
        &self,
        req: &mizan::Request,
        secret: String,
    ) -> mizan::cookie::Cookie<'static> {
        let secure = self
            .inner
            .settings
            .secure_cookies
            .unwrap_or_else(|| !mizan::is_loopback_host(req.headers()));
        session::cookie(secret, self.inner.settings.session_lifetime, secure)
    }
}
