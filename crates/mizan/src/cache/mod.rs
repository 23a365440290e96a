//! The context cache (`spec/PROTOCOL.md` §2.16): answers of contexts with a cache policy, kept
//! under the Layer 1 cache key, purged by tag, with revs for writers and live invalidation for
//! everyone else.

pub(crate) mod declare;
pub mod store;

pub use store::{
    CacheStore, FillLock, Invalidation, PurgeHook, PurgeSink, StoreError, StoredAnswer,
};
