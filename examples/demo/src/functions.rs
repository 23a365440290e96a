//! The demo's server functions.

use std::sync::atomic::{AtomicU64, Ordering};

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

/// A token for one of the demo's users.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SignedIn {
    /// The MWT; the web app keeps it in the `mizan_token` cookie.
    pub token: String,
}

/// Signs in as one of the demo's users, `ada` (a user) or `grace` (staff), without a password.
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
    Ok(SignedIn {
        token: req.state::<crate::Keys>()?.token(&user, staff, now),
    })
}

/// The demo's registry.
pub fn registry() -> std::result::Result<Registry, RegistryError> {
    let mut registry = Registry::new();
    registry
        .register(echo, "echo")?
        .register(greet, "greet")?
        .register(current_user, "current_user")?
        .register(admin_stats, "admin.stats")?
        .register(sign_in, "demo.sign_in")?;
    Ok(registry)
}
