//! Root secrets and the per-purpose keys derived from them (`spec/PROTOCOL.md` §1.2).

use std::fmt;

use hkdf::Hkdf;
use sha2::Sha256;

use crate::ErrorCode;

/// The shortest root secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// A deployment's root secret, from which every key is derived.
///
/// Its `Debug` output never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct RootSecret(Vec<u8>);

impl RootSecret {
    /// Wraps secret bytes; at least [`MIN_SECRET_LEN`] of them.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SecretTooShort> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_LEN {
            return Err(SecretTooShort { len: bytes.len() });
        }
        Ok(Self(bytes))
    }

    /// The key for one purpose: `HKDF-SHA256(salt = "mizan.v1", info = "mizan.v1.<purpose>")`.
    pub fn derive(&self, purpose: KeyPurpose) -> [u8; 32] {
        let hkdf = Hkdf::<Sha256>::new(Some(b"mizan.v1"), &self.0);
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 * 32, so expansion cannot fail.
        if hkdf.expand(purpose.info().as_bytes(), &mut key).is_err() {
            unreachable!("HKDF output length is fixed and valid");
        }
        key
    }
}

impl fmt::Debug for RootSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootSecret({} bytes, redacted)", self.0.len())
    }
}

/// What a derived key is used for; each purpose gets an unrelated key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// MWT tags.
    Token,
    /// Cache keys.
    Cache,
    /// Permission keys.
    Permission,
}

impl KeyPurpose {
    /// The HKDF `info` string of this purpose.
    pub const fn info(self) -> &'static str {
        match self {
            Self::Token => "mizan.v1.token",
            Self::Cache => "mizan.v1.cache",
            Self::Permission => "mizan.v1.permission",
        }
    }
}

/// A root secret shorter than [`MIN_SECRET_LEN`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretTooShort {
    /// The length that was given.
    pub len: usize,
}

impl SecretTooShort {
    /// The stable code of this failure.
    pub const fn code(&self) -> ErrorCode {
        ErrorCode::SecretTooShort
    }
}

impl fmt::Display for SecretTooShort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "root secret is {} bytes; at least {MIN_SECRET_LEN} are required",
            self.len
        )
    }
}

impl std::error::Error for SecretTooShort {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_secrets() {
        assert_eq!(RootSecret::new([0u8; 31]).unwrap_err().len, 31);
        assert!(RootSecret::new([0u8; 32]).is_ok());
    }

    #[test]
    fn purposes_give_different_keys_and_debug_hides_the_secret() {
        let secret = RootSecret::new([7u8; 32]).unwrap();
        let token = secret.derive(KeyPurpose::Token);
        assert_ne!(token, secret.derive(KeyPurpose::Cache));
        assert_ne!(token, secret.derive(KeyPurpose::Permission));
        assert_eq!(format!("{secret:?}"), "RootSecret(32 bytes, redacted)");
    }
}
