//! The Mizan demo app as a library, so that tests and benchmarks serve exactly what `main` serves.

pub mod functions;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use mizan::core::mwt::{Claims, Keyring, Validation};
use mizan::core::{PermissionKeyDeriver, PermissionScope, RootSecret};
use mizan::{Mizan, MwtAuthenticator, RegistryError};

/// The issuer of the demo's tokens.
pub const ISSUER: &str = "mizan-demo";
/// The audience of the demo's tokens.
pub const AUDIENCE: &str = "mizan-demo-web";

/// The demo's keys, from one root secret.
#[derive(Debug, Clone)]
pub struct Keys {
    keyring: Keyring,
    permissions: PermissionKeyDeriver,
}

impl Keys {
    /// Keys derived from `secret`.
    pub fn new(secret: RootSecret) -> Self {
        let permissions = PermissionKeyDeriver::new(&secret);
        let keyring = match Keyring::single("demo", secret) {
            Ok(keyring) => keyring,
            Err(e) => unreachable!("\"demo\" is a valid key id: {e}"),
        };
        Self {
            keyring,
            permissions,
        }
    }

    /// A token for `user`, valid for an hour from `now`.
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
        let claims = Claims::new(ISSUER, AUDIENCE, now, now + 3600, pk)
            .with_subject(user)
            .with_roles(staff, false);
        self.keyring
            .sign(&claims)
            .unwrap_or_else(|e| unreachable!("small claims always sign: {e}"))
    }
}

/// The whole demo: Mizan under `/api/mizan` and an index page at `/`.
pub fn app(keys: &Keys) -> Result<Router, RegistryError> {
    let mizan = Mizan::new(functions::registry()?)
        .authenticator(MwtAuthenticator::new(
            keys.keyring.clone(),
            Validation::new(ISSUER, AUDIENCE),
        ))
        .state(functions::Stats::default());
    Ok(Router::new()
        .route("/", get(|| async { Html(INDEX) }))
        .nest("/api/mizan", mizan.router()))
}

const INDEX: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>Mizan demo</title>
<h1>Mizan demo</h1>
<p>The API is under <a href="/api/mizan/manifest">/api/mizan/</a>. Try:</p>
<pre>
curl -s -X POST localhost:8000/api/mizan/call/echo -H 'Content-Type: application/json' -d '{"text":"hi"}'
curl -si 'localhost:8000/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D'
curl -s localhost:8000/api/mizan/context/current_user
curl -s -X POST localhost:8000/api/mizan/call/admin.stats -H 'Content-Type: application/json' -d '{}'
</pre>
"#;
