//! Session secrets and the `mizan_session` cookie (§2.14.2).

use std::time::Duration;

use http::HeaderMap;
use mizan::cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "mizan_session";

/// A new secret: 32 random bytes, base64url (43 characters).
pub(crate) fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator; without it no session could be trusted.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no randomness for a secret: {e}"));
    mizan_core::base64url::encode(&bytes)
}

/// What the store keeps of a secret: SHA-256, in hex, so a copy of the database signs nobody in.
pub(crate) fn digest(secret: &str) -> String {
    mizan_core::hex::encode(&Sha256::digest(secret.as_bytes()))
}

/// Whether the request's `Host` names the loopback interface, where browsers drop `Secure`
/// cookies sent over plain HTTP.
pub(crate) fn is_loopback(headers: &HeaderMap) -> bool {
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = match host.rsplit_once(':') {
        // `[::1]:8000`, `localhost:8000`; a bare `[::1]` has its colons inside the brackets.
        Some((name, port)) if !port.contains(']') => name,
        _ => host,
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// The cookie that holds `secret` for `lifetime`.
pub(crate) fn cookie(headers: &HeaderMap, secret: String, lifetime: Duration) -> Cookie<'static> {
    let max_age = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
    Cookie::build((SESSION_COOKIE, secret))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(!is_loopback(headers))
        .path("/")
        .max_age(mizan::cookie::time::Duration::seconds(max_age))
        .build()
}

/// The session cookie's name and attributes, for `Request::remove_cookie` to clear it with (an
/// empty value, `Max-Age=0` and an `Expires` in the past, spec §2.10).
pub(crate) fn removal(headers: &HeaderMap) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(!is_loopback(headers))
        .path("/")
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::HOST, value.parse().unwrap());
        headers
    }

    #[test]
    fn loopback_hosts_with_or_without_a_port() {
        for h in ["localhost", "localhost:8000", "127.0.0.1:1", "[::1]", "[::1]:8000"] {
            assert!(is_loopback(&host(h)), "{h}");
        }
        for h in ["example.com", "localhost.example.com", "127.0.0.2", "[::2]:80"] {
            assert!(!is_loopback(&host(h)), "{h}");
        }
        assert!(!is_loopback(&HeaderMap::new()));
    }

    #[test]
    fn secrets_are_43_characters_and_stored_as_their_digest() {
        let secret = new_secret();
        assert_eq!(secret.len(), 43);
        assert_ne!(secret, new_secret());
        assert_eq!(digest(&secret).len(), 64);
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_off_loopback() {
        let c = cookie(&host("example.com"), "s".into(), Duration::from_secs(60)).to_string();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"), "{c}");
        assert!(c.contains("Max-Age=60") && c.contains("Path=/"), "{c}");
        let c = cookie(&host("localhost:8000"), "s".into(), Duration::from_secs(60)).to_string();
        assert!(!c.contains("Secure"), "{c}");
    }
}
