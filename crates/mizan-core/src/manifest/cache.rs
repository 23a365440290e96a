//! A context's cache policy and a call's invalidations, as the manifest publishes them
//! (`spec/PROTOCOL.md` §2.16.1).

use serde::{Deserialize, Serialize};

/// Whose answers a cached context shares (§2.16.3): the scope decides the permission key of the
/// cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    /// The answer is the same for every caller who may read it.
    Public,
    /// The answer is the same for every caller with the same permission key.
    Permission,
    /// The answer depends on the user.
    User,
}

impl CacheScope {
    /// The scope's name in the manifest.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Permission => "permission",
            Self::User => "user",
        }
    }
}

/// The manifest's `cache` member of a context (§2.16.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachePolicy {
    /// Whose answers are shared.
    pub scope: CacheScope,
    /// Seconds an answer is kept (`1 ..= 31536000`).
    pub max_age: u32,
    /// Seconds a shared cache may serve an answer after `max_age` while it refetches.
    pub swr: u32,
    /// Tag templates (§2.16.2), in declared order.
    pub tags: Vec<String>,
}

/// The longest `max_age` or `swr` a policy may declare: one year, in seconds.
pub const MAX_CACHE_SECONDS: u32 = 31_536_000;

/// The `swr` of a policy that does not declare one.
pub const DEFAULT_SWR: u32 = 300;
