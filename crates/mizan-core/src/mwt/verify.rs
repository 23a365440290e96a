//! Verification (§1.5.4), in the specified order of checks.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::Mac;

use super::{Claims, DEFAULT_SKEW_SECS, Keyring, MAX_TOKEN_LEN, VERSION, is_valid_kid};
use crate::{ErrorCode, base64url};

/// What a verifier expects of a token besides a valid tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    /// The expected `iss`.
    pub issuer: String,
    /// The expected `aud`.
    pub audience: String,
    /// Seconds of clock difference tolerated on every time check.
    pub skew_secs: u64,
}

impl Validation {
    /// Expects `issuer` and `audience`, with the default skew of 30 seconds.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            skew_secs: DEFAULT_SKEW_SECS,
        }
    }

    /// Sets the clock skew.
    #[must_use]
    pub fn with_skew(mut self, skew_secs: u64) -> Self {
        self.skew_secs = skew_secs;
        self
    }

    /// The time checks of verification as of `now` (Unix seconds): `exp`, `nbf` and `iat`, each
    /// with the skew. The last checks [`Keyring::verify_at`] makes; a server that keeps the claims
    /// of a verified token makes them again on every later use of it.
    ///
    /// # Errors
    ///
    /// [`VerifyError::Expired`], [`VerifyError::NotYetValid`] or [`VerifyError::IssuedInFuture`].
    pub fn check_times(&self, claims: &Claims, now: u64) -> Result<(), VerifyError> {
        let skew = self.skew_secs;
        if now >= claims.exp.saturating_add(skew) {
            return Err(VerifyError::Expired);
        }
        if claims.nbf.is_some_and(|nbf| now.saturating_add(skew) < nbf) {
            return Err(VerifyError::NotYetValid);
        }
        if claims.iat > now.saturating_add(skew) {
            return Err(VerifyError::IssuedInFuture);
        }
        Ok(())
    }
}

impl Keyring {
    /// Verifies `token` against the system clock.
    pub fn verify(&self, token: &str, validation: &Validation) -> Result<Claims, VerifyError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.verify_at(token, validation, now)
    }

    /// Verifies `token` as of `now` (Unix seconds).
    pub fn verify_at(
        &self,
        token: &str,
        validation: &Validation,
        now: u64,
    ) -> Result<Claims, VerifyError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(VerifyError::TokenTooLarge);
        }
        let mut segments = token.split('.');
        let (Some(version), Some(kid), Some(payload), Some(tag), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(VerifyError::MalformedToken);
        };
        if version != VERSION {
            return Err(VerifyError::UnsupportedVersion);
        }
        let entry = is_valid_kid(kid)
            .then(|| self.entry(kid))
            .flatten()
            .ok_or(VerifyError::UnknownKid)?;
        let mut tag_bytes = [0u8; 32];
        let (Some(payload_bytes), Some(tag_ok)) =
            (base64url::decode(payload), decode_tag(tag, &mut tag_bytes))
        else {
            return Err(VerifyError::InvalidEncoding);
        };
        if !tag_ok {
            return Err(VerifyError::InvalidTagLength);
        }
        let signed_len = token.len() - tag.len() - 1;
        let mut mac = entry.mac.clone();
        mac.update(&token.as_bytes()[..signed_len]);
        mac.verify_slice(&tag_bytes)
            .map_err(|_| VerifyError::BadSignature)?;

        let claims = Claims::from_canonical(&payload_bytes).ok_or(VerifyError::MalformedPayload)?;

        if claims.iss != validation.issuer {
            return Err(VerifyError::WrongIssuer);
        }
        if claims.aud != validation.audience {
            return Err(VerifyError::WrongAudience);
        }
        validation.check_times(&claims, now)?;
        Ok(claims)
    }
}

/// Decodes a tag into `out`: `None` when it is not strict base64url, `Some(false)` when it is but
/// not of 32 bytes.
fn decode_tag(tag: &str, out: &mut [u8; 32]) -> Option<bool> {
    if base64url::decoded_len(tag.len()) == Some(32) {
        base64url::decode_to_slice(tag, out)?;
        Some(true)
    } else {
        base64url::decode(tag).map(|_| false)
    }
}

/// Why a token was rejected; one variant per step of §1.5.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyError {
    /// Longer than 4096 bytes.
    TokenTooLarge,
    /// Not four `.`-separated segments.
    MalformedToken,
    /// The first segment is not `mwt1`.
    UnsupportedVersion,
    /// The key id is not in the keyring.
    UnknownKid,
    /// The payload or the tag is not strict base64url.
    InvalidEncoding,
    /// The tag is not 32 bytes.
    InvalidTagLength,
    /// The tag does not match.
    BadSignature,
    /// The payload is not a canonical claims object.
    MalformedPayload,
    /// `iss` is not the expected issuer.
    WrongIssuer,
    /// `aud` is not the expected audience.
    WrongAudience,
    /// `now >= exp + skew`.
    Expired,
    /// `now < nbf - skew`.
    NotYetValid,
    /// `iat > now + skew`.
    IssuedInFuture,
}

impl VerifyError {
    /// The stable code of this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::TokenTooLarge => ErrorCode::TokenTooLarge,
            Self::MalformedToken => ErrorCode::MalformedToken,
            Self::UnsupportedVersion => ErrorCode::UnsupportedVersion,
            Self::UnknownKid => ErrorCode::UnknownKid,
            Self::InvalidEncoding => ErrorCode::InvalidEncoding,
            Self::InvalidTagLength => ErrorCode::InvalidTagLength,
            Self::BadSignature => ErrorCode::BadSignature,
            Self::MalformedPayload => ErrorCode::MalformedPayload,
            Self::WrongIssuer => ErrorCode::WrongIssuer,
            Self::WrongAudience => ErrorCode::WrongAudience,
            Self::Expired => ErrorCode::Expired,
            Self::NotYetValid => ErrorCode::NotYetValid,
            Self::IssuedInFuture => ErrorCode::IssuedInFuture,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TokenTooLarge => "token is longer than 4096 bytes",
            Self::MalformedToken => "token is not four '.'-separated segments",
            Self::UnsupportedVersion => "token version is not mwt1",
            Self::UnknownKid => "token key id is not in the keyring",
            Self::InvalidEncoding => "token payload or tag is not strict base64url",
            Self::InvalidTagLength => "token tag is not 32 bytes",
            Self::BadSignature => "token tag does not match",
            Self::MalformedPayload => "token payload is not a canonical claims object",
            Self::WrongIssuer => "token issuer is not the expected one",
            Self::WrongAudience => "token audience is not the expected one",
            Self::Expired => "token has expired",
            Self::NotYetValid => "token is not valid yet",
            Self::IssuedInFuture => "token is issued in the future",
        })
    }
}

impl std::error::Error for VerifyError {}
