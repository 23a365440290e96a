//! Keyrings (§1.5.3) and signing (§1.5.1).

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Claims, MAX_TOKEN_LEN, VERSION, is_valid_kid};
use crate::cache_key::keyed_mac;
use crate::canonical::CanonicalError;
use crate::{ErrorCode, KeyPurpose, RootSecret, base64url};

/// The keys that sign and verify MWTs: one primary that signs, any number that verify.
#[derive(Clone)]
pub struct Keyring {
    entries: Vec<Entry>,
    primary: usize,
}

#[derive(Clone)]
pub(super) struct Entry {
    pub(super) kid: String,
    pub(super) mac: Hmac<Sha256>,
}

impl Keyring {
    /// A keyring of one entry, which is the primary.
    pub fn single(kid: &str, secret: RootSecret) -> Result<Self, KeyringError> {
        Self::new(kid, [(kid.to_owned(), secret)])
    }

    /// A keyring of `entries`, of which `primary` signs.
    pub fn new(
        primary: &str,
        entries: impl IntoIterator<Item = (String, RootSecret)>,
    ) -> Result<Self, KeyringError> {
        let mut built: Vec<Entry> = Vec::new();
        for (kid, secret) in entries {
            if !is_valid_kid(&kid) {
                return Err(KeyringError::InvalidKid(kid));
            }
            if built.iter().any(|e| e.kid == kid) {
                return Err(KeyringError::DuplicateKid(kid));
            }
            let mac = keyed_mac(&secret.derive(KeyPurpose::Token));
            built.push(Entry { kid, mac });
        }
        let primary = built
            .iter()
            .position(|e| e.kid == primary)
            .ok_or(KeyringError::EmptyKeyring)?;
        Ok(Self {
            entries: built,
            primary,
        })
    }

    /// The key id new tokens are signed with.
    pub fn primary_kid(&self) -> &str {
        &self.entries[self.primary].kid
    }

    /// The key ids of every entry.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.kid.as_str())
    }

    pub(super) fn entry(&self, kid: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.kid == kid)
    }

    /// Signs `claims` with the primary key.
    pub fn sign(&self, claims: &Claims) -> Result<String, SignError> {
        sign_with_entry(&self.entries[self.primary], claims)
    }

    /// Signs `claims` with the entry `kid`.
    pub fn sign_with(&self, kid: &str, claims: &Claims) -> Result<String, SignError> {
        let entry = self.entry(kid).ok_or(SignError::UnknownKid)?;
        sign_with_entry(entry, claims)
    }
}

fn sign_with_entry(entry: &Entry, claims: &Claims) -> Result<String, SignError> {
    let mut payload = Vec::with_capacity(192);
    claims
        .write_canonical(&mut payload)
        .map_err(SignError::InvalidClaims)?;
    let len = VERSION.len()
        + entry.kid.len()
        + base64url::encoded_len(payload.len())
        + base64url::encoded_len(32)
        + 3;
    let mut token = String::with_capacity(len);
    token.push_str(VERSION);
    token.push('.');
    token.push_str(&entry.kid);
    token.push('.');
    base64url::encode_into(&payload, &mut token);
    let mut mac = entry.mac.clone();
    mac.update(token.as_bytes());
    let tag = mac.finalize().into_bytes();
    token.push('.');
    base64url::encode_into(&tag, &mut token);
    if token.len() > MAX_TOKEN_LEN {
        return Err(SignError::TokenTooLarge { len: token.len() });
    }
    Ok(token)
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("primary", &self.primary_kid())
            .field("kids", &self.kids().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Why a keyring cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyringError {
    /// A key id that breaks the `kid` rule.
    InvalidKid(String),
    /// Two entries share a key id.
    DuplicateKid(String),
    /// No entries, or the primary is not among them.
    EmptyKeyring,
}

impl KeyringError {
    /// The stable code of this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidKid(_) => ErrorCode::InvalidKid,
            Self::DuplicateKid(_) => ErrorCode::DuplicateKid,
            Self::EmptyKeyring => ErrorCode::EmptyKeyring,
        }
    }
}

impl fmt::Display for KeyringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidKid(kid) => {
                write!(f, "key id {kid:?} must be 1..=64 of A-Z a-z 0-9 - _")
            }
            Self::DuplicateKid(kid) => write!(f, "key id {kid:?} appears twice in the keyring"),
            Self::EmptyKeyring => f.write_str("the keyring has no entry for its primary key id"),
        }
    }
}

impl std::error::Error for KeyringError {}

/// Why claims cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The claims cannot be canonicalized (an out-of-range time, or bad `ext` content).
    InvalidClaims(CanonicalError),
    /// The token would be longer than 4096 bytes.
    TokenTooLarge {
        /// The length it would have had.
        len: usize,
    },
    /// [`Keyring::sign_with`] named a key id that is not in the keyring.
    UnknownKid,
}

impl SignError {
    /// The stable code of this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidClaims(_) => ErrorCode::InvalidClaims,
            Self::TokenTooLarge { .. } => ErrorCode::TokenTooLarge,
            Self::UnknownKid => ErrorCode::UnknownKid,
        }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidClaims(e) => write!(f, "claims cannot be signed: {e}"),
            Self::TokenTooLarge { len } => {
                write!(
                    f,
                    "the token would be {len} bytes; the limit is {MAX_TOKEN_LEN}"
                )
            }
            Self::UnknownKid => f.write_str("no keyring entry has that key id"),
        }
    }
}

impl std::error::Error for SignError {}
