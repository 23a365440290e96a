//! The accounts servers of the load benchmark (`bench-load accounts`): one `auth` echo call
//! behind `mizan-accounts` (a session cookie, or a bearer MWT checked against the store, on
//! SQLite or PostgreSQL) and behind a plain [`MwtAuthenticator`] (a bearer MWT, no store), and
//! the requests the benchmark sends them.
//!
//! An accounts server sets up its own database (a SQLite file in a fresh temporary folder, or a
//! fresh schema in PostgreSQL) and creates the user [`EMAIL`] before it listens; the benchmark
//! signs in over HTTP with `auth.login` for the cookie and the token. The server removes the
//! database when its standard input closes, which is how the benchmark stops it.

use std::path::PathBuf;
use std::time::Duration;

use mizan::core::mwt::{Claims, Keyring, Validation};
use mizan::core::{PermissionKeyDeriver, PermissionScope};
use mizan::{Mizan, MwtAuthenticator, Registry, Request};
use mizan_accounts::{Accounts, Limit, TokenIssuer};
use schemars::JsonSchema;
use serde::Serialize;

use crate::servers::secret;
use crate::workloads::{ECHO_BODY, Spec};

type Error = Box<dyn std::error::Error>;

/// The benchmark user's email.
pub const EMAIL: &str = "ada@bench.test";
/// The benchmark user's password.
pub const PASSWORD: &str = "correct horse battery staple";
/// Where the benchmark's functions are mounted.
pub const API: &str = "/api/mizan";
/// The PostgreSQL the benchmark uses unless `MIZAN_BENCH_POSTGRES` names another: the one the
/// accounts tests use (`scripts/services.sh` starts it).
pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A server process of the accounts benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccountsServer {
    /// The bare axum handlers of [`crate::servers::bare`], for reference.
    Bare,
    /// Mizan with a plain [`MwtAuthenticator`]: bearer tokens verified, no store.
    Mwt,
    /// Mizan with `mizan-accounts` on a SQLite file.
    Sqlite,
    /// Mizan with `mizan-accounts` on PostgreSQL.
    Postgres,
}

/// Every accounts server.
pub const ACCOUNTS_SERVERS: [AccountsServer; 4] = [
    AccountsServer::Bare,
    AccountsServer::Mwt,
    AccountsServer::Sqlite,
    AccountsServer::Postgres,
];

impl AccountsServer {
    /// The `load-server` argument (`bare` is the load benchmark's own bare server).
    pub fn mode(self) -> &'static str {
        match self {
            Self::Bare => "bare",
            Self::Mwt => "mwt",
            Self::Sqlite => "accounts-sqlite",
            Self::Postgres => "accounts-postgres",
        }
    }

    /// The server of a `load-server` argument.
    pub fn from_mode(mode: &str) -> Option<Self> {
        ACCOUNTS_SERVERS.into_iter().find(|s| s.mode() == mode)
    }

    /// The name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bare => "bare axum",
            Self::Mwt => "Mizan, `MwtAuthenticator` (no store)",
            Self::Sqlite => "Mizan + accounts, SQLite",
            Self::Postgres => "Mizan + accounts, PostgreSQL",
        }
    }
}

/// What the `auth` echo call returns.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AuthEcho {
    /// The text, as sent.
    pub message: String,
    /// The id of the user the request was authenticated as.
    pub user: String,
}

/// Says back what it was told, and to whom: signed-in users only, so a request whose credential
/// did not resolve to a user answers `401` and fails the benchmark instead of counting.
#[mizan::client(auth)]
pub async fn echo(req: &Request, text: String) -> mizan::Result<AuthEcho> {
    let user = req.user().map(|u| u.id.clone()).unwrap_or_default();
    Ok(AuthEcho {
        message: text,
        user,
    })
}

/// The keyring and validation every Mizan server of this benchmark signs and verifies with, so
/// a token from `auth.login` on the SQLite server verifies on the MWT-only server too.
fn keys() -> Result<(Keyring, Validation), Error> {
    Ok((
        Keyring::single("bench", secret())?,
        Validation::new("mizan-bench", "mizan-bench-web"),
    ))
}

/// A bearer token the [`AccountsServer::Mwt`] server accepts: user `ada`, valid for an hour,
/// signed as its keyring signs.
pub fn mwt_token() -> Result<String, Error> {
    let (keyring, _) = keys()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let pk = PermissionKeyDeriver::new(&secret()).permission_key(PermissionScope::Authenticated)?;
    let claims =
        Claims::new("mizan-bench", "mizan-bench-web", now, now + 3600, pk).with_subject("ada");
    Ok(keyring.sign(&claims)?)
}

/// What removes a server's database when it stops.
#[derive(Debug)]
pub enum Cleanup {
    /// Nothing to remove.
    Nothing,
    /// The temporary folder of a SQLite file.
    Folder(PathBuf),
    /// A PostgreSQL schema, and the URL of the database that holds it.
    Schema {
        /// The database, without the search path.
        base: String,
        /// The schema.
        schema: String,
    },
}

impl Cleanup {
    /// Removes the database; failures are reported, not fatal (the server is stopping anyway).
    pub async fn run(self) {
        match self {
            Self::Nothing => {}
            Self::Folder(dir) => {
                if let Err(e) = std::fs::remove_dir_all(&dir) {
                    eprintln!("load-server: could not remove {}: {e}", dir.display());
                }
            }
            Self::Schema { base, schema } => {
                let sql = format!("DROP SCHEMA {schema} CASCADE");
                if let Err(e) = execute(&base, sql).await {
                    eprintln!("load-server: could not drop schema {schema}: {e}");
                }
            }
        }
    }
}

/// Runs one statement on the database at `url`.
async fn execute(url: &str, sql: String) -> Result<(), Error> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await?;
    let result = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await;
    pool.close().await;
    result?;
    Ok(())
}

/// The router of a Mizan server of this benchmark (not [`AccountsServer::Bare`], which the
/// load benchmark's own code serves), its database set up and the user created.
pub async fn router(server: AccountsServer) -> Result<(axum::Router, Cleanup), Error> {
    let (keyring, validation) = keys()?;
    let mut registry = Registry::new();
    registry.register(echo, "echo")?;
    let (url, cleanup) = match server {
        AccountsServer::Bare => return Err("the bare server is `servers::bare`".into()),
        AccountsServer::Mwt => {
            let mizan =
                Mizan::new(registry).authenticator(MwtAuthenticator::new(keyring, validation));
            return Ok((mizan.router(API), Cleanup::Nothing));
        }
        AccountsServer::Sqlite => {
            let dir = std::env::temp_dir().join(format!(
                "mizan-bench-accounts-{}-{}",
                std::process::id(),
                unique()
            ));
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}/accounts.sqlite3", dir.display());
            (url, Cleanup::Folder(dir))
        }
        AccountsServer::Postgres => {
            let base = std::env::var("MIZAN_BENCH_POSTGRES")
                .unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
            let schema = format!("mizan_bench_{}_{}", std::process::id(), unique());
            execute(&base, format!("CREATE SCHEMA {schema}"))
                .await
                .map_err(|e| {
                    format!("PostgreSQL at {base} (scripts/services.sh starts it): {e}")
                })?;
            let url = format!("{base}?options=-c%20search_path%3D{schema}");
            (url, Cleanup::Schema { base, schema })
        }
    };
    // Tokens outlive a full run; throttles never refuse, since the login measurement signs in
    // with wrong passwords hundreds of times from one address: it measures the cost, not the limit.
    let unlimited = Limit::new(u32::MAX, Duration::from_secs(1));
    let tokens =
        TokenIssuer::new(keyring, validation, &secret()).lifetime(Duration::from_secs(86_400));
    let accounts = Accounts::builder(tokens)
        .database(url)
        .login_limits(unlimited, unlimited)
        .open()
        .await?;
    accounts
        .admin()
        .create_user(EMAIL, Some(PASSWORD), false, false)
        .await?;
    Accounts::register(&mut registry)?;
    Ok((accounts.install(Mizan::new(registry)).router(API), cleanup))
}

/// Nanoseconds of the clock, to tell apart databases made in the same process id.
fn unique() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}

/// `POST /api/mizan/call/<name>` with a JSON body; `csrf` adds the header that every `auth.*`
/// call and every cookie request must carry (a bearer client needs none).
pub fn call(
    name: &str,
    body: String,
    mut headers: Vec<(&'static str, String)>,
    csrf: bool,
) -> Spec {
    headers.push(("Content-Type", "application/json".to_owned()));
    if csrf {
        headers.push(("X-Mizan-CSRF", "1".to_owned()));
    }
    Spec {
        method: "POST",
        path: format!("{API}/call/{name}"),
        headers,
        body,
        status: 200,
    }
}

/// `auth.login` with `email` and `password`.
pub fn login(email: &str, password: &str) -> Spec {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    call("auth.login", body, Vec::new(), true)
}

/// The `auth` echo call with a session cookie.
pub fn echo_with_cookie(session: &str) -> Spec {
    let cookie = format!("{}={session}", mizan_accounts::SESSION_COOKIE);
    call("echo", ECHO_BODY.to_owned(), vec![("Cookie", cookie)], true)
}

/// The `auth` echo call with a bearer token.
pub fn echo_with_token(token: &str) -> Spec {
    let authorization = format!("Bearer {token}");
    call(
        "echo",
        ECHO_BODY.to_owned(),
        vec![("Authorization", authorization)],
        false,
    )
}
