//! Session secrets and the `mizan_session` cookie (§2.14.2).

use std::time::Duration;

use mizan::cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "mizan_session";

/// A new secret: 32 random bytes, base64url (43 characters).
pub(crate) fn new_secret() -> String {
    random_base64url::<32>()
}

/// `N` bytes from the operating system's generator, base64url; without it no secret or id could
/// be trusted.
pub(crate) fn random_base64url<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no randomness: {e}"));
    mizan_core::base64url::encode(&bytes)
}

/// What the store keeps of a secret: SHA-256, in hex, so a copy of the database signs nobody in.
pub(crate) fn digest(secret: &str) -> String {
    mizan_core::hex::encode(&Sha256::digest(secret.as_bytes()))
}

/// The session cookie holding `secret` for `lifetime`; `Secure` when `secure`. Sent with an empty
/// value through `Request::remove_cookie`, it clears the cookie (`Max-Age=0`).
pub(crate) fn cookie(secret: String, lifetime: Duration, secure: bool) -> Cookie<'static> {
    let max_age = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
    Cookie::build((SESSION_COOKIE, secret))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(mizan::cookie::time::Duration::seconds(max_age))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_43_characters_and_stored_as_their_digest() {
        let secret = new_secret();
        assert_eq!(secret.len(), 43);
        assert_ne!(secret, new_secret());
        assert_eq!(digest(&secret).len(), 64);
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_when_asked() {
        let c = cookie("s".into(), Duration::from_secs(60), true).to_string();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"),
            "{c}"
        );
        assert!(c.contains("Max-Age=60") && c.contains("Path=/"), "{c}");
        let c = cookie("s".into(), Duration::from_secs(60), false).to_string();
        assert!(!c.contains("Secure"), "{c}");
    }
}
