//! {{name}}: its server functions, served by Mizan under `/api/mizan` next to the built web app,
//! with Mizan Web Tokens for authentication.

pub mod functions;

use axum::Router;
use mizan::core::mwt::{Claims, Keyring, Validation};
use mizan::core::{PermissionKeyDeriver, PermissionScope, RootSecret};
use mizan::{Mizan, MwtAuthenticator, RegistryError, Shell};
use tower_http::services::ServeDir;

/// The issuer of the app's tokens: a token of another issuer is refused.
pub const ISSUER: &str = "{{name}}";
/// The audience of the app's tokens.
pub const AUDIENCE: &str = "{{name}}-web";
/// The id of the signing key in the keyring; a new key with another id can be added for rotation.
pub const KEY_ID: &str = "k1";
/// The cookie the page's token travels in, besides `Authorization: Bearer`.
pub const TOKEN_COOKIE: &str = "{{crate}}_token";
/// The root secret used when `MIZAN_SECRET` is not set: public, for development on loopback only.
pub const DEV_SECRET: [u8; 32] = *b"development secret: never deploy";
/// Where `npm run build` (in `web/`) puts the web app.
pub const WEB_DIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/web/dist");

/// The keys of the app, all derived from one root secret.
#[derive(Debug, Clone)]
pub struct Keys {
    keyring: Keyring,
    permissions: PermissionKeyDeriver,
}

impl Keys {
    /// Keys derived from `secret`.
    pub fn new(secret: RootSecret) -> Self {
        let permissions = PermissionKeyDeriver::new(&secret);
        let keyring = Keyring::single(KEY_ID, secret)
            .unwrap_or_else(|e| unreachable!("{KEY_ID:?} is a valid key id: {e}"));
        Self {
            keyring,
            permissions,
        }
    }

    /// Verifies tokens from `Authorization: Bearer` or the [`TOKEN_COOKIE`].
    pub fn authenticator(&self) -> MwtAuthenticator {
        MwtAuthenticator::new(self.keyring.clone(), Validation::new(ISSUER, AUDIENCE))
            .with_cookie(TOKEN_COOKIE)
    }

    /// A token for `user`, valid from `now` for `lifetime_secs`. This is how the app issues
    /// tokens once a user has proven who they are (a password check of yours, or the
    /// `mizan-accounts` crate, which does all of it).
    pub fn token(&self, user: &str, staff: bool, now: u64, lifetime_secs: u64) -> String {
        let scope = if staff {
            PermissionScope::Staff
        } else {
            PermissionScope::Authenticated
        };
        let pk = self
            .permissions
            .permission_key(scope)
            .unwrap_or_else(|e| unreachable!("scopes without a user id are valid: {e}"));
        let claims = Claims::new(ISSUER, AUDIENCE, now, now + lifetime_secs, pk)
            .with_subject(user)
            .with_roles(staff, false);
        self.keyring
            .sign(&claims)
            .unwrap_or_else(|e| unreachable!("small claims always sign: {e}"))
    }
}

/// The whole app: Mizan under `/api/mizan`, the built web app's files under `/assets`, and for
/// every other path the HTML page with the requester's global contexts embedded.
pub fn app(keys: &Keys) -> Result<Router, RegistryError> {
    let page = std::fs::read_to_string(format!("{WEB_DIST}/index.html"))
        .unwrap_or_else(|_| NOT_BUILT_PAGE.to_owned());
    let mizan = Mizan::new(functions::registry()?)
        .authenticator(keys.authenticator())
        .state(functions::Counter::default());
    let (api, shell) = mizan.router_with_shell("/api/mizan", page);
    Ok(Router::new()
        .merge(api)
        .nest_service("/assets", ServeDir::new(format!("{WEB_DIST}/assets")))
        .fallback(Shell::handler)
        .with_state(shell))
}

/// Served when the web app has not been built, so the page still says what to do.
const NOT_BUILT_PAGE: &str = r#"<!doctype html>
<html>
<head><meta charset="utf-8"><title>{{name}}</title></head>
<body>
<h1>{{name}}</h1>
<p>The web app is not built: run <code>bash scripts/run.sh</code>. The API is under
<a href="/api/mizan/manifest">/api/mizan/</a>.</p>
<div id="root"></div>
</body>
</html>
"#;
