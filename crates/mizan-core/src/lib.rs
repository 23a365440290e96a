//! Layer 1 of Mizan: the primitives that a Rust origin and a TypeScript edge must agree on byte
//! for byte, plus the framework-free parts of Layer 2 (the context query and the protocol's error
//! table). No web framework, no I/O, no async runtime.
//!
//! ```
//! use mizan_core::mwt::{Claims, Keyring, Validation};
//! use mizan_core::{CacheKeyDeriver, PermissionKeyDeriver, PermissionScope, RootSecret};
//! use serde_json::json;
//!
//! let secret = RootSecret::new(*b"an example root secret, 32 bytes").unwrap();
//!
//! // Who is asking, as an opaque permission key.
//! let pk = PermissionKeyDeriver::new(&secret)
//!     .permission_key(PermissionScope::User("42"))
//!     .unwrap();
//!
//! // Where the response to `greet(name = "Ada")` is cached for them.
//! let key = CacheKeyDeriver::new(&secret)
//!     .derive("greet", &json!({"name": "Ada"}), &pk, 0)
//!     .unwrap();
//! assert_eq!(key.to_hex().len(), 64);
//!
//! // A bearer token that carries the permission key to the edge.
//! let keyring = Keyring::single("2026-11", secret).unwrap();
//! let claims = Claims::new("mizan", "web", 1_800_000_000, 1_800_003_600, pk).with_subject("42");
//! let token = keyring.sign(&claims).unwrap();
//! let checked = keyring
//!     .verify_at(&token, &Validation::new("mizan", "web"), 1_800_000_001)
//!     .unwrap();
//! assert_eq!(checked.sub.as_deref(), Some("42"));
//! ```
//!
//! The rules are specified in `spec/PROTOCOL.md` (Layer 1, and §2.3 and §2.6 of Layer 2) and
//! pinned by the vectors in `spec/vectors/`, which this crate's tests and `mizan-ts`'s tests both
//! load.

pub mod base64url;
pub mod cache_key;
pub mod cache_tags;
pub mod canonical;
pub mod context_query;
mod error;
pub mod form;
pub mod hex;
pub mod keys;
pub mod manifest;
pub mod mwt;
pub mod permission;
mod protocol_error;

#[doc(inline)]
pub use cache_key::{CacheKey, CacheKeyDeriver, CacheKeyError};
#[doc(inline)]
pub use canonical::CanonicalError;
pub use error::ErrorCode;
#[doc(inline)]
pub use keys::{KeyPurpose, RootSecret, SecretTooShort};
#[doc(inline)]
pub use permission::{InvalidUserId, PermissionKeyDeriver, PermissionScope};
pub use protocol_error::ProtocolErrorCode;
