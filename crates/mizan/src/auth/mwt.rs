//! Mizan Web Tokens from `Authorization: Bearer` or a cookie (`spec/PROTOCOL.md` §2.5).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use http::request::Parts;
use mizan_core::mwt::{Keyring, Validation};

use super::Authenticator;
use super::verified::VerifiedTokens;
use crate::future::BoxFuture;
use crate::request::cookie_value;
use crate::{Error, Principal, Result};

/// The header a browser client sends with every unsafe request when it is authenticated by a
/// cookie. A cross-site page cannot send a custom header without the server's CORS consent, so its
/// presence proves the request came from the application's own pages.
pub const CSRF_HEADER: &str = "x-mizan-csrf";

/// Authenticates MWTs from `Authorization: Bearer <token>`, and optionally from a cookie.
///
/// No token means anonymous; a token that fails verification is `unauthenticated` (401) with the
/// token's failure code in `details.reason`, so clients can tell expiry apart. A token from the
/// cookie authenticates `POST`s only when the request also carries the [`CSRF_HEADER`]
/// (`403 forbidden`, `details.reason = "csrf"`, otherwise), because browsers attach cookies to
/// cross-site requests too.
#[derive(Debug, Clone)]
pub struct MwtAuthenticator {
    keyring: Keyring,
    validation: Validation,
    cookie: Option<String>,
    /// Shared by clones, which verify alike.
    verified: Arc<VerifiedTokens>,
}

impl MwtAuthenticator {
    /// Verifies bearer tokens with `keyring` against `validation`.
    pub fn new(keyring: Keyring, validation: Validation) -> Self {
        Self {
            keyring,
            validation,
            cookie: None,
            verified: Arc::default(),
        }
    }

    /// Also reads the token from the cookie `name` when there is no `Authorization` header, so
    /// the first HTML request of a page is authenticated too (and its global contexts hydrate for
    /// the right user).
    #[must_use]
    pub fn with_cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie = Some(name.into());
        self
    }

    fn cookie_token<'a>(&self, parts: &'a Parts) -> Option<&'a str> {
        cookie_value(&parts.headers, self.cookie.as_deref()?).filter(|value| !value.is_empty())
    }

    fn verify(&self, token: &str) -> Result<Principal> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // A token verified before is checked for time only: the rest of its verification would
        // decide the same.
        let verified = match self.verified.claims(token) {
            Some(claims) => self.validation.check_times(&claims, now).map(|()| claims),
            None => self
                .keyring
                .verify_at(token, &self.validation, now)
                .inspect(|claims| self.verified.keep(token, claims)),
        };
        let claims = verified.map_err(|e| {
            Error::unauthenticated(format!("invalid token: {e}"))
                .with_details(serde_json::json!({"reason": e.code().as_str()}))
        })?;
        Ok(Principal::from_claims(claims))
    }

    /// The principal of a request's head, by the rules of §2.5: an `Authorization` header wins over
    /// the cookie; it must appear once and be exactly `Bearer`, one or more spaces, and the token;
    /// a cookie token on a method other than `GET`/`HEAD` needs the CSRF header, checked before the
    /// token is verified; a cookie token that fails verification counts as no cookie.
    pub fn principal(&self, parts: &Parts) -> Result<Principal> {
        let mut authorization = parts.headers.get_all(http::header::AUTHORIZATION).iter();
        let Some(header) = authorization.next() else {
            let Some(token) = self.cookie_token(parts) else {
                return Ok(Principal::anonymous());
            };
            let safe = parts.method == http::Method::GET || parts.method == http::Method::HEAD;
            if !safe && !parts.headers.contains_key(CSRF_HEADER) {
                return Err(Error::forbidden(format!(
                    "cookie-authenticated requests must send the {CSRF_HEADER} header"
                ))
                .with_details(serde_json::json!({"reason": "csrf"})));
            }
            // A cookie that no longer verifies (expired, signed with a retired key) is no
            // credential: the holder browses as anonymous, and can still reach public functions
            // such as signing out, which clears it. A bad bearer token is the caller's error.
            return Ok(self.verify(token).unwrap_or_default());
        };
        if authorization.next().is_some() {
            return Err(Error::unauthenticated(
                "send one Authorization header, not several",
            ));
        }
        let token = header.to_str().ok().and_then(bearer_token).ok_or_else(|| {
            Error::unauthenticated("the Authorization header must be `Bearer <token>`")
        })?;
        self.verify(token)
    }
}

/// The token of `Bearer <token>`: the scheme in any case (RFC 9110 §11.1), then one or more
/// spaces (not tabs), then one or more visible ASCII characters. Surrounding whitespace of the
/// field value is not part of it (RFC 9110 §5.5), so it is ignored.
fn bearer_token(value: &str) -> Option<&str> {
    let value = value.trim_matches([' ', '\t']);
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case("bearer") || !rest.starts_with(' ') {
        return None;
    }
    let token = rest.trim_start_matches(' ');
    // Every byte checked without stopping early: a loop the compiler runs many bytes at a time
    // (tokens are hundreds of bytes, read on every request).
    let visible = token
        .bytes()
        .fold(true, |visible, b| visible & b.is_ascii_graphic());
    (!token.is_empty() && visible).then_some(token)
}

impl Authenticator for MwtAuthenticator {
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Principal>> {
        Box::pin(std::future::ready(self.principal(parts)))
    }

    fn authenticate_now(&self, parts: &Parts) -> Option<Result<Principal>> {
        Some(self.principal(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mizan_core::RootSecret;
    use mizan_core::mwt::Claims;

    fn reason(error: &Error) -> &str {
        error
            .details()
            .and_then(|d| d["reason"].as_str())
            .unwrap_or("")
    }

    #[test]
    fn a_token_verified_before_is_still_checked_for_time_and_only_its_own_text_passes() {
        let keyring = Keyring::single("k1", RootSecret::new([7u8; 32]).unwrap()).unwrap();
        let auth = MwtAuthenticator::new(keyring.clone(), Validation::new("iss", "aud"));
        // Claims kept for a token that verified once and has expired since.
        let expired = Claims::new("iss", "aud", 1, 2, "pk").with_subject("ada");
        auth.verified.keep("v1.k1.p.t", &expired);
        let error = auth.verify("v1.k1.p.t").unwrap_err();
        assert_eq!(reason(&error), "expired");

        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let live = Claims::new("iss", "aud", now, now + 3600, "pk").with_subject("ada");
        let token = keyring.sign(&live).unwrap();
        let first = auth.verify(&token).unwrap();
        assert_eq!(auth.verified.claims(&token), Some(live));
        let again = auth.verify(&token).unwrap();
        assert_eq!(again.user().map(|u| &u.id), first.user().map(|u| &u.id));
        assert_eq!(again.permission_key(), Some("pk"));
        // The same token with its signature changed is verified in full, and refused.
        let mut forged = token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert!(auth.verify(&forged).is_err());
        assert!(auth.verified.claims(&forged).is_none());
    }

    #[test]
    fn bearer_is_the_scheme_one_or_more_spaces_and_one_token() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bEARER   abc"), Some("abc"));
        assert_eq!(bearer_token(" Bearer abc \t"), Some("abc"));
        for bad in [
            "Bearer",
            "Bearer ",
            "Bearer\tabc",
            "Bearer a b",
            "Bearerabc",
            "Basic abc",
            "Bearer a\tb",
        ] {
            assert_eq!(bearer_token(bad), None, "{bad:?}");
        }
    }
}
