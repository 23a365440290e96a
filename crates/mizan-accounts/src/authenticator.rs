//! The accounts authenticator: bearer tokens checked against the store, or the session cookie
//! (`spec/PROTOCOL.md` §2.14.3).

use http::request::Parts;
use http::{Method, header};
use mizan::{Authenticator, BoxFuture, CSRF_HEADER, Error, Principal, Result, User};

use crate::session::{self, SESSION_COOKIE};
use crate::store::UserRecord;
use crate::tokens::SESSION_CLAIM;
use crate::{Accounts, AccountsError, now_secs};

/// The digest of the session a request's cookie was authenticated by, attached to its principal.
#[derive(Debug, Clone)]
pub(crate) struct SessionDigest(pub(crate) String);

/// The digest of the session a request's bearer token is bound to (its `ext.sid`).
#[derive(Debug, Clone)]
pub(crate) struct TokenSession(pub(crate) String);

/// When the store was read for the request's principal, in seconds since the Unix epoch: tokens
/// issued for it carry this `iat` (§2.14.3).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadAt(pub(crate) i64);

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
        let read_at = now_secs();
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let principal = accounts.bearer.principal(parts)?;
            let Some(claims) = principal.claims() else {
                return Ok(principal);
            };
            let Some(sub) = claims.sub.clone() else {
                return Ok(principal);
            };
            let issued_at = i64::try_from(claims.iat).unwrap_or(i64::MAX);
            let bound = claims
                .ext
                .as_ref()
                .and_then(|ext| ext.get(SESSION_CLAIM))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            // A token bound to a session lives only as long as the session (logout ends it).
            let user = match &bound {
                Some(sid) => accounts.store.session_user(sid, read_at).await,
                None => accounts.store.user_by_id(&sub).await,
            }
            .map_err(AccountsError::into_mizan_error)?;
            return match user {
                Some(user)
                    if user.id == sub
                        && user.active
                        && issued_at >= user.credentials_changed_at =>
                {
                    let principal = signed_in(principal, user).with_extension(ReadAt(read_at));
                    Ok(match bound {
                        Some(sid) => principal.with_extension(TokenSession(sid)),
                        None => principal,
                    })
                }
                _ => Err(Error::unauthenticated("this token was revoked")
                    .with_details(serde_json::json!({"reason": "revoked"}))),
            };
        }
        let Some(secret) = session_secret(parts) else {
            return Ok(Principal::anonymous());
        };
        let upgrade = parts
            .headers
            .get(header::UPGRADE)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
        if parts.method != Method::GET && parts.method != Method::HEAD {
            check_csrf(&parts.headers, &accounts.settings.allowed_origins)?;
        } else if upgrade
            && !mizan::origin_allowed(&parts.headers, &accounts.settings.allowed_origins)
        {
            // Browsers cannot add a header to a WebSocket upgrade: its origin is the check.
            return Err(refused(
                "origin",
                "this request comes from an origin the server does not allow",
            ));
        }
        let digest = session::digest(secret);
        let user = accounts
            .store
            .session_user(&digest, read_at)
            .await
            .map_err(AccountsError::into_mizan_error)?;
        Ok(match user {
            Some(user) => signed_in(Principal::anonymous(), user)
                .with_extension(SessionDigest(digest))
                .with_extension(ReadAt(read_at)),
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
