//! The short-lived MWTs the module issues on sign-in and refresh (§2.14.5).

use std::time::Duration;

use mizan_core::mwt::{Claims, Keyring, Validation};
use mizan_core::{PermissionKeyDeriver, PermissionScope, RootSecret};
use schemars::JsonSchema;
use serde::Serialize;

use crate::store::UserRecord;

/// The `ext` member that binds a token to a session: the session's digest (§2.14.5).
pub(crate) const SESSION_CLAIM: &str = "sid";

/// A token and its expiry, as `auth.login`, `auth.change_password` and `auth.token` answer it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
// Named for the generated TypeScript, where an application's own `Token` may exist.
#[schemars(rename = "AuthToken")]
pub struct Token {
    /// The MWT, for `Authorization: Bearer`.
    pub token: String,
    /// Its `exp`: seconds since the Unix epoch. A `u32` (good until 2106) so that it is a JSON
    /// number on the wire; 64-bit integers travel as strings (§2.9).
    pub expires_at: u32,
}

/// Signs and verifies the module's tokens: a keyring, the issuer and audience, and the permission
/// keys of the user levels.
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    keyring: Keyring,
    validation: Validation,
    permissions: PermissionKeyDeriver,
    lifetime: Duration,
}

impl TokenIssuer {
    /// Tokens signed with `keyring`'s primary key, for `validation`'s issuer and audience, whose
    /// `pk` comes from `root` (the same root secret as the keyring's, as a rule). They live 300
    /// seconds unless [`lifetime`](Self::lifetime) says otherwise.
    pub fn new(keyring: Keyring, validation: Validation, root: &RootSecret) -> Self {
        Self {
            keyring,
            validation,
            permissions: PermissionKeyDeriver::new(root),
            lifetime: Duration::from_secs(300),
        }
    }

    /// How long each token lives.
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// A token for `user` as the store showed it at `read_at` (seconds since the Unix epoch),
    /// bound to `session` (its digest, in `ext.sid`) if given. Its `iat` is `read_at`, or the
    /// user's credentials time if that is later (§2.14.3): never the time of issue, so a request
    /// authenticated before a password change cannot carry a token past it.
    pub(crate) fn issue(&self, user: &UserRecord, read_at: i64, session: Option<&str>) -> Token {
        let now = u64::try_from(read_at.max(user.credentials_changed_at)).unwrap_or(0);
        let scope = if user.superuser {
            PermissionScope::Superuser
        } else if user.staff {
            PermissionScope::Staff
        } else {
            PermissionScope::Authenticated
        };
        let pk = self
            .permissions
            .permission_key(scope)
            .unwrap_or_else(|e| unreachable!("level scopes have no user id: {e}"));
        let expires_at = now + self.lifetime.as_secs();
        let claims = Claims::new(
            &self.validation.issuer,
            &self.validation.audience,
            now,
            expires_at,
            pk,
        )
        .with_subject(user.id.clone())
        .with_roles(user.staff, user.superuser);
        let claims = match session {
            Some(sid) => {
                let mut ext = serde_json::Map::new();
                ext.insert(SESSION_CLAIM.to_owned(), sid.into());
                claims.with_ext(ext)
            }
            None => claims,
        };
        let token = self
            .keyring
            .sign(&claims)
            .unwrap_or_else(|e| unreachable!("small claims always sign: {e}"));
        Token {
            token,
            expires_at: u32::try_from(expires_at).unwrap_or(u32::MAX),
        }
    }

    /// An authenticator of these tokens in `Authorization: Bearer` (never in a cookie).
    pub(crate) fn bearer(&self) -> mizan::MwtAuthenticator {
        mizan::MwtAuthenticator::new(self.keyring.clone(), self.validation.clone())
    }
}
