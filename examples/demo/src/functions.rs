//! The demo's server functions.

use std::sync::atomic::{AtomicU64, Ordering};

use mizan::{Registry, RegistryError, Request, Result};
use mizan_accounts::{Accounts, CurrentUser, LoginResult};
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

/// A greeting for `name`: a local context, cached by URL, and by the server for a minute.
#[mizan::client(context = "local", cache(scope = "public", max_age = 60, tags = ["greetings"]))]
pub fn greet(_req: &Request, name: String) -> Result<Greeting> {
    let name = name.trim();
    if name.is_empty() {
        return Err(mizan::Error::bad_request("tell me your name"));
    }
    Ok(Greeting {
        text: format!("Hello, {name}!"),
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

/// Signs in as one of the demo's fixture users, `ada` (a user) or `grace` (staff), without a
/// password: a real session of the accounts module starts, in its `HttpOnly` cookie, as
/// `auth.login` starts one, and the answer is `auth.login`'s.
///
/// A development convenience only (`--dev`): it hands a staff session to anyone.
#[mizan::client]
pub async fn sign_in(req: &Request, user: String) -> Result<LoginResult> {
    if !matches!(user.as_str(), "ada" | "grace") {
        return Err(mizan::Error::not_found(
            "the demo signs in the users ada and grace",
        ));
    }
    let accounts = req.state::<Accounts>()?;
    let Some(record) = accounts.store().user_by_id(&user).await? else {
        return Err(mizan::Error::not_found(
            "the fixture user is missing from the database",
        ));
    };
    let token = accounts.sign_in(req, &record).await?;
    Ok(LoginResult {
        user: CurrentUser {
            authenticated: true,
            id: Some(record.id.clone()),
            email: Some(record.email.clone()),
            username: record.username.clone(),
            staff: record.staff,
            superuser: record.superuser,
        },
        token,
    })
}

/// The demo's whole registry, the development-only sign-in included: what the web app's client
/// is generated from.
pub fn registry() -> std::result::Result<Registry, RegistryError> {
    registry_for(true)
}

/// The demo's registry, with the accounts module's `auth.*` functions and `current_user`; `dev`
/// adds the password-less `demo.sign_in`, which hands a staff session to anyone and is served
/// only when the demo runs with `--dev`.
pub fn registry_for(dev: bool) -> std::result::Result<Registry, RegistryError> {
    let mut registry = Registry::new();
    registry
        .register(echo, "echo")?
        .register(greet, "greet")?
        .register(crate::notes::notes, "notes")?
        .register(crate::notes::add_note, "notes.add")?
        .register(admin_stats, "admin.stats")?
        .register(crate::chat::announce, "chat.announce")?
        .form::<crate::contact::Contact>()?
        .channel(crate::chat::Chat)?
        .channel(crate::chat::Ops)?;
    Accounts::register(&mut registry)?;
    if dev {
        registry.register(sign_in, "demo.sign_in")?;
    }
    Ok(registry)
}
