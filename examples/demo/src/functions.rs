//! The demo's server functions.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http;
use mizan::cookie::{Cookie, SameSite, time::Duration};
use mizan::{Registry, RegistryError, Request, Result};
use schemars::JsonSchema;
use serde::Serialize;

/// Counts the calls served, to show application state in functions.
#[derive(Debug, Default)]
pub struct Stats {
    echoes: AtomicU64,
}

/// What `echo` returns.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Echo {
    /// The text, as sent.
    pub message: String,
    /// How many echoes this server has made, this one included.
    pub count: u64,
}

/// Says back what it was told.
#[mizan::client]
pub async fn echo(req: &Request, text: String) -> Result<Echo> {
    let count = req.state::<Stats>()?.echoes.fetch_add(1, Ordering::Relaxed) + 1;
    Ok(Echo {
        message: text,
        count,
    })
}

/// What `greet` returns.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Greeting {
    /// The greeting.
    pub text: String,
}

/// A greeting for `name`: a local context, cached by URL.
#[mizan::client(context = "local")]
pub fn greet(_req: &Request, name: String) -> Result<Greeting> {
    let name = name.trim();
    if name.is_empty() {
        return Err(mizan::Error::bad_request("tell me your name"));
    }
    Ok(Greeting {
        text: format!("Hello, {name}!"),
    })
}

/// Who is signed in, as the page header shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CurrentUser {
    /// Whether anyone is signed in.
    pub authenticated: bool,
    /// The user id, if signed in.
    pub id: Option<String>,
    /// Whether the user is staff.
    pub staff: bool,
}

/// The signed-in user: a global context, embedded in the first HTML.
#[mizan::client(context = "global")]
pub async fn current_user(req: &Request) -> Result<CurrentUser> {
    Ok(CurrentUser {
        authenticated: req.principal().is_authenticated(),
        id: req.user().map(|u| u.id.clone()),
        staff: req.principal().is_staff(),
    })
}

/// What `admin_stats` returns.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AdminStats {
    /// Echoes served since the server started.
    pub echoes: u64,
}

/// Server statistics, for staff only.
#[mizan::client(auth = "staff")]
pub async fn admin_stats(req: &Request) -> Result<AdminStats> {
    Ok(AdminStats {
        echoes: req.state::<Stats>()?.echoes.load(Ordering::Relaxed),
    })
}

/// Who signed in.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SignedIn {
    /// The user's id.
    pub user: String,
    /// Whether the user is staff.
    pub staff: bool,
}

/// The session cookie: `HttpOnly`, so page scripts never see the token; `SameSite=Lax`; `Secure`
/// unless the page is served from the loopback address, where browsers would not keep it over
/// plain HTTP.
fn token_cookie(req: &Request, token: String) -> Cookie<'static> {
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let hostname = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let loopback = matches!(hostname, "localhost" | "127.0.0.1" | "[::1]");
    Cookie::build((crate::TOKEN_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(!loopback)
        .path("/")
        .max_age(Duration::seconds(
            i64::try_from(crate::TOKEN_LIFETIME_SECS).unwrap_or(i64::MAX),
        ))
        .build()
}

/// Signs in as one of the demo's users, `ada` (a user) or `grace` (staff), without a password:
/// the server sets the token in an `HttpOnly` cookie, so the web app never handles it.
///
/// A demo convenience only: real applications sign users in with the accounts module.
#[mizan::client]
pub async fn sign_in(req: &Request, user: String) -> Result<SignedIn> {
    let staff = match user.as_str() {
        "ada" => false,
        "grace" => true,
        _ => {
            return Err(mizan::Error::not_found(
                "the demo has the users ada and grace",
            ));
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let token = req.state::<crate::Keys>()?.token(&user, staff, now);
    req.set_cookie(token_cookie(req, token))?;
    Ok(SignedIn { user, staff })
}

/// Signs out: the server removes the token cookie.
#[mizan::client]
pub async fn sign_out(req: &Request) -> Result<()> {
    req.remove_cookie(Cookie::build(crate::TOKEN_COOKIE).path("/"))
}

/// The demo's whole registry, the development-only sign-in included: what the web app's client
/// is generated from.
pub fn registry() -> std::result::Result<Registry, RegistryError> {
    registry_for(true)
}

/// The demo's registry; `dev` adds the password-less `demo.sign_in` and `demo.sign_out`, which
/// hand a staff token to anyone and are served only when the demo runs with `--dev`.
pub fn registry_for(dev: bool) -> std::result::Result<Registry, RegistryError> {
    let mut registry = Registry::new();
    registry
        .register(echo, "echo")?
        .register(greet, "greet")?
        .register(current_user, "current_user")?
        .register(admin_stats, "admin.stats")?
        .form::<crate::contact::Contact>()?;
    if dev {
        registry
            .register(sign_in, "demo.sign_in")?
            .register(sign_out, "demo.sign_out")?;
    }
    Ok(registry)
}
