//! The context cache (`spec/PROTOCOL.md` §2.16): answers of contexts with a cache policy, kept
//! under the Layer 1 cache key, purged by tag, with revs for writers and live invalidation for
//! everyone else.
//!
//! A server caches only when it is given a [`Cache`] ([`Mizan::cache`](crate::Mizan::cache)).
//! Without one, a context with a policy is answered as one without (§2.3): nothing is stored, no
//! rev is checked or issued, and its answers carry neither `X-Mizan-Cache-Status` nor the CDN
//! headers; the manifest still publishes its policy.

mod builder;
pub(crate) mod declare;
pub(crate) mod fill;
mod handle;
mod hot;
pub(crate) mod memo;
mod memory;
pub mod store;

pub use builder::{
    CacheBuilder, DEFAULT_LOCK_TTL, DEFAULT_STORE_RETRY_AFTER, DEFAULT_STORE_TIMEOUT, LogPurgeHook,
};
pub use handle::{Cache, Purged};
pub(crate) use handle::{ListenerFn, Lookup};
pub use memory::{DEFAULT_BUDGET_BYTES, MemoryStore};
pub use store::{
    CacheStore, FillLock, Invalidation, PurgeHook, PurgeSink, StoreError, StoredAnswer,
};
