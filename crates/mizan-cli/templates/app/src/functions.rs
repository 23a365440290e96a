//! The server functions of {{name}}: each is a typed Rust function, and the web app calls it
//! through the hook generated from its types (`web/src/mizan/`).

use std::sync::atomic::{AtomicU32, Ordering};

use mizan::{Registry, RegistryError, Request, Result};
use schemars::JsonSchema;
use serde::Serialize;

/// Application state shared by every request (`Mizan::state` in `lib.rs`).
#[derive(Debug, Default)]
pub struct Counter {
    echoes: AtomicU32,
}

/// What `echo` answers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Echo {
    /// The text, as sent.
    pub message: String,
    /// How many echoes this server has made, this one included.
    pub count: u32,
}

/// Says back what it was told: a call (`POST /api/mizan/call/echo`), `useEcho()` in React.
#[mizan::client]
pub async fn echo(req: &Request, text: String) -> Result<Echo> {
    if text.trim().is_empty() {
        return Err(mizan::Error::bad_request("say something"));
    }
    let count = req
        .state::<Counter>()?
        .echoes
        .fetch_add(1, Ordering::Relaxed)
        + 1;
    Ok(Echo {
        message: text,
        count,
    })
}

/// Who is asking, as the token says.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CurrentUser {
    /// The user's id, none when anonymous.
    pub id: Option<String>,
    /// Whether the user is staff.
    pub staff: bool,
}

/// The signed-in user: a global context, embedded in the page's HTML so the first render needs
/// no request (`useCurrentUser()` in React).
#[mizan::client(context = "global")]
pub async fn current_user(req: &Request) -> Result<CurrentUser> {
    Ok(CurrentUser {
        id: req.user().map(|user| user.id.clone()),
        staff: req.principal().is_staff(),
    })
}

/// What `greet` answers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Greeting {
    /// The greeting.
    pub text: String,
}

/// A greeting for `name`: a local context, read with a canonical, cacheable
/// `GET /api/mizan/context/greet?p=...` (`<GreetProvider name="Ada">` and `useGreet()` in React).
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

/// What `admin.stats` answers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Stats {
    /// Echoes served since the server started.
    pub echoes: u32,
}

/// Server statistics, for staff only: `401` without a token, `403` for a user who is not staff.
#[mizan::client(auth = "staff")]
pub async fn admin_stats(req: &Request) -> Result<Stats> {
    Ok(Stats {
        echoes: req.state::<Counter>()?.echoes.load(Ordering::Relaxed),
    })
}

/// Every function by the name clients call it: the server serves this registry and the web
/// client is generated from it.
pub fn registry() -> std::result::Result<Registry, RegistryError> {
    let mut registry = Registry::new();
    registry
        .register(echo, "echo")?
        .register(current_user, "current_user")?
        .register(greet, "greet")?
        .register(admin_stats, "admin.stats")?;
    Ok(registry)
}
