//! The Mizan demo app as a library, so that tests and benchmarks serve exactly what `main` serves.

pub mod chat;
pub mod contact;
pub mod functions;
pub mod notes;
pub mod users;

use axum::Router;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use mizan::channels::Channels;
use mizan::core::mwt::{Claims, Keyring, Validation};
use mizan::core::{PermissionKeyDeriver, PermissionScope, RootSecret};
use mizan::{Limits, Mizan, RegistryError, Shell};
use mizan_accounts::{Accounts, TokenIssuer};
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::services::fs::ServeFileSystemResponseBody;

/// The issuer of the demo's tokens.
pub const ISSUER: &str = "mizan-demo";
/// The audience of the demo's tokens.
pub const AUDIENCE: &str = "mizan-demo-web";

/// The database the demo opens unless told otherwise: a SQLite file in the working directory,
/// created on first start.
pub const DEFAULT_DATABASE: &str = "sqlite://mizan-demo.sqlite3";

/// The demo's keys, from one root secret.
#[derive(Debug, Clone)]
pub struct Keys {
    keyring: Keyring,
    permissions: PermissionKeyDeriver,
    tokens: TokenIssuer,
}

impl Keys {
    /// Keys derived from `secret`.
    pub fn new(secret: RootSecret) -> Self {
        let permissions = PermissionKeyDeriver::new(&secret);
        let tokens_root = secret.clone();
        let keyring = match Keyring::single("demo", secret) {
            Ok(keyring) => keyring,
            Err(e) => unreachable!("\"demo\" is a valid key id: {e}"),
        };
        let tokens = TokenIssuer::new(
            keyring.clone(),
            Validation::new(ISSUER, AUDIENCE),
            &tokens_root,
        );
        Self {
            keyring,
            permissions,
            tokens,
        }
    }

    /// A token for `user`, valid for [`TOKEN_LIFETIME_SECS`] from `now`, as `main` prints for the
    /// fixture users (see [`users`]). Its `pk` is the permission key of the user's level (spec
    /// §1.4), not a per-user one: users of one level read the same cached answers.
    pub fn token(&self, user: &str, staff: bool, now: u64) -> String {
        let scope = if staff {
            PermissionScope::Staff
        } else {
            PermissionScope::Authenticated
        };
        let pk = self
            .permissions
            .permission_key(scope)
            .unwrap_or_else(|e| unreachable!("scopes without a user id are valid: {e}"));
        let claims = Claims::new(ISSUER, AUDIENCE, now, now + TOKEN_LIFETIME_SECS, pk)
            .with_subject(user)
            .with_roles(staff, false);
        self.keyring
            .sign(&claims)
            .unwrap_or_else(|e| unreachable!("small claims always sign: {e}"))
    }
}

/// How long a token printed by `main` lives, in seconds.
pub const TOKEN_LIFETIME_SECS: u64 = 3600;

/// Opens the accounts store at `database_url` (`sqlite://<file>`, created on first start, or
/// `postgres://...`), brings its schema up to date, and makes sure the fixture users exist
/// ([`users::ensure_fixture_users`]). The module signs its tokens with `keys`.
pub async fn open_accounts(keys: &Keys, database_url: &str) -> Result<Accounts, users::SetupError> {
    let accounts = Accounts::builder(keys.tokens.clone())
        .database(database_url)
        .open()
        .await
        .map_err(users::SetupError::Store)?;
    users::ensure_fixture_users(&accounts).await?;
    Ok(accounts)
}

/// Where `npm run build` puts the web app.
pub const WEB_DIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/web/dist");

/// How the demo serves its API.
#[derive(Debug, Clone, Copy, Default)]
pub struct Config {
    /// Serve the password-less `demo.sign_in` (`--dev`).
    pub dev: bool,
    /// The protocol's limits.
    pub limits: Limits,
}

/// The whole demo: Mizan under `/api/mizan`, authenticated by `accounts` (see [`open_accounts`]),
/// the built web app's assets under `/assets`, and the HTML shell, with the global contexts
/// embedded, for every other path. Nothing is cached (see [`app_with_channels`]).
pub fn app(accounts: &Accounts, config: &Config) -> Result<Router, RegistryError> {
    app_with_channels(accounts, config, Channels::in_process(), None)
}

/// [`app`] whose chat travels through `channels`: in-process for one server, or through Redis
/// (`mizan_redis::RedisLayer`) so that several demo processes share their rooms; with `cache`,
/// contexts with a cache policy are kept and purged (spec §2.16).
pub fn app_with_channels(
    accounts: &Accounts,
    config: &Config,
    channels: Channels,
    cache: Option<mizan::cache::Cache>,
) -> Result<Router, RegistryError> {
    let template = std::fs::read_to_string(format!("{WEB_DIST}/index.html"))
        .unwrap_or_else(|_| FALLBACK_PAGE.to_owned());
    let mizan = Mizan::new(functions::registry_for(config.dev)?)
        .limits(config.limits)
        .channels(channels)
        .state(functions::Stats::default())
        .state(contact::Inbox::default())
        .state(notes::Notes::default());
    let mizan = match cache {
        Some(cache) => mizan.cache(cache),
        None => mizan,
    };
    let mizan = accounts.install(mizan);
    let (api, shell) = mizan.router_with_shell("/api/mizan", template);
    Ok(Router::new()
        .merge(api)
        .nest_service(
            "/assets",
            ServiceExt::<axum::extract::Request>::map_response(
                ServeDir::new(format!("{WEB_DIST}/assets")),
                missing_asset,
            ),
        )
        .route("/contact/thanks", axum::routing::get(contact_thanks))
        .fallback(Shell::handler)
        .with_state(shell))
}

/// What `/contact/thanks` says, in the HTML itself: a post without JavaScript lands there (the
/// contact form's `redirect`), so it must read the same with scripts off. The React app draws the
/// same words over it when scripts run.
const THANKS: &str = "<section class=\"contact\"><h2>Thank you</h2><p>Your message was received. We will answer by email.</p><p><a href=\"/contact\">Write another message</a></p></section>";

/// The shell for `/contact/thanks`, with [`THANKS`] in its root element.
async fn contact_thanks(
    axum::extract::State(shell): axum::extract::State<Shell>,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let page = shell.render(&parts).await.replacen(
        "<div id=\"root\">",
        &format!("<div id=\"root\">{THANKS}"),
        1,
    );
    (
        [
            (http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (http::header::CACHE_CONTROL, "no-store"),
            (http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        page,
    )
        .into_response()
}

/// A file that cannot be served is missing: `ServeDir` answers `500` when the operating system
/// refuses the name itself (too long, say), which is the client's fault, not the server's.
fn missing_asset(response: Response<ServeFileSystemResponseBody>) -> Response {
    let status = response.status();
    let mut response = if status.is_server_error() || status == StatusCode::NOT_FOUND {
        mizan::Error::not_found("no such asset").into_response()
    } else {
        response.map(axum::body::Body::new)
    };
    response.headers_mut().insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        http::HeaderValue::from_static("nosniff"),
    );
    response
}

/// Served when the web app has not been built, so the API still has a page that explains itself.
const FALLBACK_PAGE: &str = r#"<!doctype html>
<html>
<head><meta charset="utf-8"><title>Mizan demo</title></head>
<body>
<h1>Mizan demo</h1>
<p>The web app is not built: run <code>bash scripts/demo.sh</code>. The API is under
<a href="/api/mizan/manifest">/api/mizan/</a>:</p>
<pre>
curl -s -X POST localhost:8000/api/mizan/call/echo -H 'Content-Type: application/json' -d '{"text":"hi"}'
curl -si 'localhost:8000/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D'
curl -s localhost:8000/api/mizan/context/current_user
</pre>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Spec §2.5: a signed-in user's token carries the permission key of the user's level, never
    /// a per-user one.
    #[test]
    fn tokens_carry_the_permission_key_of_the_users_level() {
        let secret = || RootSecret::new([7u8; 32]).unwrap();
        let keys = Keys::new(secret());
        let permissions = PermissionKeyDeriver::new(&secret());
        let validation = Validation::new(ISSUER, AUDIENCE);
        for (user, staff, scope) in [
            ("ada", false, PermissionScope::Authenticated),
            ("grace", true, PermissionScope::Staff),
        ] {
            let token = keys.token(user, staff, 1_000);
            let claims = keys.keyring.verify_at(&token, &validation, 1_500).unwrap();
            assert_eq!(claims.pk, permissions.permission_key(scope).unwrap());
            assert_eq!(claims.sub.as_deref(), Some(user));
            assert_eq!(claims.staff, staff);
        }
    }
}
