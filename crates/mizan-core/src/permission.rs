//! Permission keys (`spec/PROTOCOL.md` §1.4): who may see a cached response, as an opaque key.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::cache_key::keyed_mac;
use crate::canonical::write_string;
use crate::{ErrorCode, KeyPurpose, RootSecret};

/// The longest user id, in bytes.
pub const MAX_USER_ID_LEN: usize = 256;

/// The set of people a cached response is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermissionScope<'a> {
    /// Everyone, signed in or not.
    Anonymous,
    /// Any signed-in user.
    Authenticated,
    /// Staff users.
    Staff,
    /// Superusers.
    Superuser,
    /// One user, for output that depends on who asks.
    User(&'a str),
}

impl PermissionScope<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::Authenticated => "authenticated",
            Self::Staff => "staff",
            Self::Superuser => "superuser",
            Self::User(_) => "user",
        }
    }
}

/// Derives permission keys with the permission key of one root secret.
///
/// ```
/// use mizan_core::{PermissionKeyDeriver, PermissionScope, RootSecret};
///
/// let deriver = PermissionKeyDeriver::new(&RootSecret::new([1u8; 32]).unwrap());
/// let ada = deriver.permission_key(PermissionScope::User("42")).unwrap();
/// assert_eq!(ada.len(), 32);
/// assert_ne!(ada, deriver.permission_key(PermissionScope::Anonymous).unwrap());
/// ```
#[derive(Clone)]
pub struct PermissionKeyDeriver {
    mac: Hmac<Sha256>,
}

impl PermissionKeyDeriver {
    /// A deriver keyed with `key(permission)` of `secret`.
    pub fn new(secret: &RootSecret) -> Self {
        Self {
            mac: keyed_mac(&secret.derive(KeyPurpose::Permission)),
        }
    }

    /// The permission key of `scope`: 32 lowercase hex characters.
    pub fn permission_key(&self, scope: PermissionScope<'_>) -> Result<String, InvalidUserId> {
        let mut descriptor = Vec::with_capacity(48);
        descriptor.extend_from_slice(b"[\"mizan.pk.v1\",\"");
        descriptor.extend_from_slice(scope.kind().as_bytes());
        descriptor.push(b'"');
        if let PermissionScope::User(id) = scope {
            if id.is_empty() || id.len() > MAX_USER_ID_LEN {
                return Err(InvalidUserId { len: id.len() });
            }
            descriptor.push(b',');
            write_string(&mut descriptor, id);
        }
        descriptor.push(b']');
        let mut mac = self.mac.clone();
        mac.update(&descriptor);
        let digest = mac.finalize().into_bytes();
        Ok(crate::hex::encode(&digest[..16]))
    }
}

impl fmt::Debug for PermissionKeyDeriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PermissionKeyDeriver(redacted)")
    }
}

/// A user id that is empty or longer than [`MAX_USER_ID_LEN`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUserId {
    /// The length that was given, in bytes.
    pub len: usize,
}

impl InvalidUserId {
    /// The stable code of this failure.
    pub const fn code(&self) -> ErrorCode {
        ErrorCode::InvalidUserId
    }
}

impl fmt::Display for InvalidUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "user ids are 1..={MAX_USER_ID_LEN} bytes; this one is {}",
            self.len
        )
    }
}

impl std::error::Error for InvalidUserId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_give_distinct_keys() {
        let d = PermissionKeyDeriver::new(&RootSecret::new([3u8; 32]).unwrap());
        let keys: std::collections::HashSet<String> = [
            PermissionScope::Anonymous,
            PermissionScope::Authenticated,
            PermissionScope::Staff,
            PermissionScope::Superuser,
            PermissionScope::User("1"),
            PermissionScope::User("2"),
        ]
        .into_iter()
        .map(|s| d.permission_key(s).unwrap())
        .collect();
        assert_eq!(keys.len(), 6);
    }

    #[test]
    fn rejects_bad_user_ids() {
        let d = PermissionKeyDeriver::new(&RootSecret::new([3u8; 32]).unwrap());
        assert_eq!(
            d.permission_key(PermissionScope::User("")).unwrap_err().len,
            0
        );
        let long = "x".repeat(257);
        assert_eq!(
            d.permission_key(PermissionScope::User(&long))
                .unwrap_err()
                .code()
                .as_str(),
            "invalid_user_id"
        );
        assert!(
            d.permission_key(PermissionScope::User(&long[..256]))
                .is_ok()
        );
    }
}
