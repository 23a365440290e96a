//! Cache keys (`spec/PROTOCOL.md` §1.3): one HMAC per (function, params, permission key, rev).

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::canonical::{self, CanonicalError, MAX_SAFE_INTEGER};
use crate::{ErrorCode, KeyPurpose, RootSecret};

/// The longest function name, in bytes.
pub const MAX_FUNCTION_NAME_LEN: usize = 128;

/// Derives cache keys with the cache key of one root secret.
///
/// ```
/// use mizan_core::{CacheKeyDeriver, RootSecret};
/// use serde_json::json;
///
/// let deriver = CacheKeyDeriver::new(&RootSecret::new([1u8; 32]).unwrap());
/// let key = deriver.derive("greet", &json!({"name": "Ada"}), "anon-pk", 0).unwrap();
/// assert_eq!(key.to_hex().len(), 64);
/// assert_ne!(key, deriver.derive("greet", &json!({"name": "Ada"}), "anon-pk", 1).unwrap());
/// ```
#[derive(Clone)]
pub struct CacheKeyDeriver {
    /// Keyed once; cloning the keyed state is much cheaper than re-keying per derivation.
    mac: Hmac<Sha256>,
}

impl CacheKeyDeriver {
    /// A deriver keyed with `key(cache)` of `secret`.
    pub fn new(secret: &RootSecret) -> Self {
        let key = secret.derive(KeyPurpose::Cache);
        Self {
            mac: keyed_mac(&key),
        }
    }

    /// The cache key of one context response.
    pub fn derive(
        &self,
        function: &str,
        params: &Value,
        permission_key: &str,
        rev: u64,
    ) -> Result<CacheKey, CacheKeyError> {
        let mut input = Vec::with_capacity(192);
        cache_key_input(&mut input, function, params, permission_key, rev)?;
        let mut mac = self.mac.clone();
        mac.update(&input);
        Ok(CacheKey(mac.finalize().into_bytes().into()))
    }
}

impl fmt::Debug for CacheKeyDeriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CacheKeyDeriver(redacted)")
    }
}

pub(crate) fn keyed_mac(key: &[u8; 32]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so a 32-byte key never fails.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 accepts 32-byte keys"),
    }
}

/// Writes `canonical(["mizan.ck.v1", fn, params, pk, rev])`, the bytes a cache key is the HMAC of.
pub fn cache_key_input(
    out: &mut Vec<u8>,
    function: &str,
    params: &Value,
    permission_key: &str,
    rev: u64,
) -> Result<(), CacheKeyError> {
    if !is_valid_function_name(function) {
        return Err(CacheKeyError::InvalidFunctionName);
    }
    if !params.is_object() {
        return Err(CacheKeyError::ParamsNotObject);
    }
    if permission_key.is_empty() {
        return Err(CacheKeyError::InvalidPermissionKey);
    }
    let rev = i64::try_from(rev)
        .ok()
        .filter(|r| *r <= MAX_SAFE_INTEGER)
        .ok_or(CacheKeyError::InvalidRev)?;
    out.extend_from_slice(b"[\"mizan.ck.v1\",");
    canonical::write_string(out, function);
    out.push(b',');
    canonical::write_value(out, params, 0)?;
    out.push(b',');
    canonical::write_string(out, permission_key);
    out.push(b',');
    canonical::write_i64(out, rev);
    out.push(b']');
    Ok(())
}

/// Whether `name` is a valid function name: 1..=128 bytes of `.`-separated segments, each
/// `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_valid_function_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_FUNCTION_NAME_LEN
        && name.split('.').all(|segment| {
            let mut bytes = segment.bytes();
            matches!(bytes.next(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_'))
                && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// A cache key: 32 bytes, written as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey([u8; 32]);

impl CacheKey {
    /// The raw digest.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 64 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({})", self.to_hex())
    }
}

/// Why a cache key cannot be derived.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheKeyError {
    /// The function name breaks the naming rule.
    InvalidFunctionName,
    /// The params are not a JSON object.
    ParamsNotObject,
    /// The permission key is empty.
    InvalidPermissionKey,
    /// `rev` is above `2^53 - 1`.
    InvalidRev,
    /// The params cannot be canonicalized.
    Canonical(CanonicalError),
}

impl CacheKeyError {
    /// The stable code of this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidFunctionName => ErrorCode::InvalidFunctionName,
            Self::ParamsNotObject => ErrorCode::ParamsNotObject,
            Self::InvalidPermissionKey => ErrorCode::InvalidPermissionKey,
            Self::InvalidRev => ErrorCode::InvalidRev,
            Self::Canonical(e) => e.code(),
        }
    }
}

impl From<CanonicalError> for CacheKeyError {
    fn from(e: CanonicalError) -> Self {
        Self::Canonical(e)
    }
}

impl fmt::Display for CacheKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidFunctionName => f.write_str(
                "function names are 1..=128 bytes of '.'-separated [A-Za-z_][A-Za-z0-9_]* segments",
            ),
            Self::ParamsNotObject => f.write_str("params must be a JSON object"),
            Self::InvalidPermissionKey => f.write_str("the permission key must not be empty"),
            Self::InvalidRev => f.write_str("rev must be an integer in 0..=2^53-1"),
            Self::Canonical(e) => write!(f, "params: {e}"),
        }
    }
}

impl std::error::Error for CacheKeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Canonical(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn function_names() {
        for ok in ["echo", "contact.submit", "_a.b_2", "A"] {
            assert!(is_valid_function_name(ok), "{ok}");
        }
        let long = "a".repeat(129);
        for bad in ["", ".", "a.", ".a", "1a", "a-b", "a..b", "é", long.as_str()] {
            assert!(!is_valid_function_name(bad), "{bad}");
        }
    }

    #[test]
    fn input_is_a_canonical_array() {
        let mut out = Vec::new();
        cache_key_input(&mut out, "echo", &json!({"text": "hi"}), "p", 0).unwrap();
        assert_eq!(out, br#"["mizan.ck.v1","echo",{"text":"hi"},"p",0]"#);
    }

    #[test]
    fn rejects_bad_inputs_with_their_codes() {
        let d = CacheKeyDeriver::new(&RootSecret::new([1u8; 32]).unwrap());
        let code = |r: Result<CacheKey, CacheKeyError>| r.unwrap_err().code().as_str();
        assert_eq!(
            code(d.derive("a b", &json!({}), "p", 0)),
            "invalid_function_name"
        );
        assert_eq!(code(d.derive("a", &json!([]), "p", 0)), "params_not_object");
        assert_eq!(
            code(d.derive("a", &json!({}), "", 0)),
            "invalid_permission_key"
        );
        assert_eq!(code(d.derive("a", &json!({}), "p", 1 << 53)), "invalid_rev");
        assert_eq!(
            code(d.derive("a", &json!({"x": 0.5}), "p", 0)),
            "float_not_allowed"
        );
        assert!(d.derive("a", &json!({}), "p", (1 << 53) - 1).is_ok());
    }
}
