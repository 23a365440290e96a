//! The Mizan Web Token (`spec/PROTOCOL.md` §1.5): `mwt1.<kid>.<payload>.<tag>`.
//!
//! ```
//! use mizan_core::mwt::{Claims, Keyring, Validation};
//! use mizan_core::RootSecret;
//!
//! let keyring = Keyring::single("k1", RootSecret::new([9u8; 32]).unwrap()).unwrap();
//! let claims = Claims::new("https://api.example", "web", 1_800_000_000, 1_800_003_600, "pk")
//!     .with_subject("42");
//! let token = keyring.sign(&claims).unwrap();
//! assert!(token.starts_with("mwt1.k1."));
//!
//! let validation = Validation::new("https://api.example", "web");
//! assert_eq!(keyring.verify_at(&token, &validation, 1_800_000_100).unwrap(), claims);
//! let late = keyring.verify_at(&token, &validation, 1_800_003_630).unwrap_err();
//! assert_eq!(late.code().as_str(), "expired");
//! ```

mod claims;
mod keyring;
mod verify;

pub use claims::Claims;
pub use keyring::{Keyring, KeyringError, SignError};
pub use verify::{Validation, VerifyError};

/// The literal first segment of every token of this version.
pub const VERSION: &str = "mwt1";

/// The longest token, in bytes.
pub const MAX_TOKEN_LEN: usize = 4096;

/// The default clock skew allowed when checking times, in seconds.
pub const DEFAULT_SKEW_SECS: u64 = 30;

/// The longest key id, in characters.
pub const MAX_KID_LEN: usize = 64;

/// Whether `kid` matches `1*64( ALPHA / DIGIT / "-" / "_" )`.
pub fn is_valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
