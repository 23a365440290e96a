//! The accounts authenticator: bearer tokens checked against the store, or the session cookie
//! (`spec/PROTOCOL.md` §2.14.3).

use http::request::Parts;
use http::{Method, header};
use mizan::{Authenticator, BoxFuture, CSRF_HEADER, Error, Principal, Result, User};

use crate::session::{self, SESSION_COOKIE};
use crate::store::UserRecord;
use crate::{Accounts, now_secs};

/// The digest of the session a request was authenticated by, attached to its principal.
#[derive(Debug, Clone)]
pub(crate) struct SessionDigest(pub(crate) String);

/// Resolves requests to users of an [`Accounts`] store; made by [`Accounts::authenticator`].
#[derive(Debug, Clone)]
pub struct AccountsAuthenticator {
    pub(crate) accounts: Accounts,
}

/// The principal of a user the store vouches for, the record attached.
pub(crate) fn signed_in(principal: Principal, user: UserRecord) -> Principal {
    principal
        .with_user(Some(User {
            id: user.id.clone(),
            staff: user.staff,
            superuser: user.superuser,
        }))
        .with_extension(user)
}

/// `403 forbidden` with `details.reason`.
pub(crate) fn refused(reason: &'static str, message: &'static str) -> Error {
    Error::forbidden(message).with_details(serde_json::json!({ "reason": reason }))
}

/// The CSRF header and the origin check, which every unsafe cookie request and every `auth.*`
/// call must pass (§2.14.3, §2.14.4).
pub(crate) fn check_csrf(headers: &http::HeaderMap, allowed_origins: &[String]) -> Result<()> {
    if !headers.contains_key(CSRF_HEADER) {
        return Err(refused(
            "csrf",
            "send the X-Mizan-CSRF header with this request",
        ));
    }
    if !mizan::origin_allowed(headers, allowed_origins) {
        return Err(refused(
            "origin",
            "this request comes from an origin the server does not allow",
        ));
    }
    Ok(())
}

impl AccountsAuthenticator {
    async fn principal(&self, parts: &Parts) -> Result<Principal> {
        let accounts = &self.accounts.inner;
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let principal = accounts.bearer.principal(parts)?;
            let Some(sub) = principal.claims().and_then(|c| c.sub.clone()) else {
                return Ok(principal);
            };
            let issued_at = principal.claims().map_or(0, |c| c.iat);
            let user = accounts.store.user_by_id(&sub).await.map_err(Error::from)?;
            return match user {
                Some(user)
                    if user.active
                        && i64::try_from(issued_at).unwrap_or(i64::MAX)
                            >= user.credentials_changed_at =>
                {
                    Ok(signed_in(principal, user))
                }
                _ => Err(Error::unauthenticated("this token was revoked")
                    .with_details(serde_json::json!({"reason": "revoked"}))),
            };
        }
        let Some(secret) = session_secret(parts) else {
            return Ok(Principal::anonymous());
        };
        if parts.method != Method::GET && parts.method != Method::HEAD {
            check_csrf(&parts.headers, &accounts.settings.allowed_origins)?;
        }
        let digest = session::digest(secret);
        let user = accounts
            .store
            .session_user(&digest, now_secs())
            .await
            .map_err(Error::from)?;
        Ok(match user {
            Some(user) => {
                signed_in(Principal::anonymous(), user).with_extension(SessionDigest(digest))
            }
            // An ended session is no credential: its holder browses as anonymous (§2.14.3).
            None => Principal::anonymous(),
        })
    }
}

/// The request's session cookie, if it has a non-empty one.
pub(crate) fn session_secret(parts: &Parts) -> Option<&str> {
    mizan::cookie_value(&parts.headers, SESSION_COOKIE).filter(|v| !v.is_empty())
}

impl Authenticator for AccountsAuthenticator {
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Principal>> {
        Box::pin(self.principal(parts))
    }

    fn authenticate_now(&self, parts: &Parts) -> Option<Result<Principal>> {
        // Requests without credentials, most of them, need no store and no boxed future.
        (!parts.headers.contains_key(header::AUTHORIZATION) && session_secret(parts).is_none())
            .then(|| Ok(Principal::anonymous()))
    }
}
