//! Where answers are kept (`spec/PROTOCOL.md` §2.16.6): the [`CacheStore`] trait a backend
//! implements, and what passes through it. The in-memory store is in this crate; the Redis store,
//! for several processes, is `mizan_redis::RedisCacheStore`.
//!
//! A store is dumb on purpose: it keeps answers, tags and revs. Deciding what to store, the
//! scopes, the rev check, coalescing within a process, and what to do when a store fails (run the
//! function, queue purges) are [`Cache`](super::Cache)'s.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::BoxFuture;

/// One stored answer of a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The cache key (§1.3) it is stored under. A store hands back what it holds for a key; the
    /// cache compares this with the key it asked for, so a misplaced entry is a miss.
    pub key: String,
    /// The canonical JSON body.
    pub body: Bytes,
    /// The body's strong ETag, quoted (§2.3).
    pub etag: String,
    /// The answer's tags (§2.16.2), in order.
    pub tags: Vec<String>,
}

/// A purge, as every process sharing a store learns of it (§2.16.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalidation {
    /// The purged tags, in the purge's order.
    pub tags: Vec<String>,
    /// The rev the purge issued; `0` when the store could not be reached.
    pub rev: u64,
}

/// Where a store hands the purges of every process sharing it, this one's included, once each.
pub type PurgeSink = Arc<dyn Fn(Invalidation) + Send + Sync>;

/// Proof of holding the fill lock of one key, to release it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillLock(pub String);

/// A store that failed or did not answer in time. The cache never shows it to a caller: it runs
/// the function instead (§2.16.6).
#[derive(Debug, Clone)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// An error saying what failed.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cache store: {}", self.message)
    }
}

impl std::error::Error for StoreError {}

/// A backend of the context cache. Every method is bounded in time by the implementation (a
/// shared store returns [`StoreError`] on its timeout rather than wait).
pub trait CacheStore: Send + Sync + 'static {
    /// The answer stored under `key`, if any and not expired.
    fn get<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<StoredAnswer>>, StoreError>>;

    /// The answer stored under `key`, when the store can tell without waiting (it keeps its
    /// answers in this process's memory); `None` to be asked with [`get`](Self::get), which is
    /// what the default does. The cache tries this first on every read: it spares a read the
    /// future and the timeout around `get`.
    fn get_at_once(&self, key: &str) -> Option<Result<Option<Arc<StoredAnswer>>, StoreError>> {
        let _ = key;
        None
    }

    /// The highest rev issued so far (`0` before the first purge). The cache reads it before a
    /// fill starts and hands it to [`put`](Self::put).
    fn last_rev(&self) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// Stores `answer` under `answer.key` for `ttl`, unless one of `answer.tags` was purged with a
    /// rev greater than `started_at_rev` (the fill raced a write). Whether it was stored.
    fn put(
        &self,
        answer: Arc<StoredAnswer>,
        ttl: Duration,
        started_at_rev: u64,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// The highest rev remembered for any of `tags` (`0` when none was purged, or the purges are
    /// forgotten).
    fn tags_rev<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, Result<u64, StoreError>>;

    /// Purges `tags`: removes every answer having one of them, issues a new rev (greater than
    /// every rev issued before, also across restarts), remembers it as the rev of each tag, and
    /// hands an [`Invalidation`] to the sink of every process sharing the store. The new rev.
    fn purge<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, Result<u64, StoreError>>;

    /// Tries to become the one filler of `key` across processes, for at most `ttl` (a holder that
    /// dies releases it by expiry). `None` when another holder has it.
    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<FillLock>, StoreError>>;

    /// Releases a lock taken with [`try_lock`](Self::try_lock), if it is still this holder's.
    fn unlock<'a>(&'a self, key: &'a str, lock: FillLock) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Whether other processes share this store (so fills take [`try_lock`](Self::try_lock)).
    fn is_shared(&self) -> bool;

    /// Where purges go: called once, when the cache is built. Every purge through this store, by
    /// any process, reaches `sink` once.
    fn on_purge(&self, sink: PurgeSink);
}

/// Where a purge's tags go after the store was purged (§2.16.7): a CDN's purge-by-tag API, an
/// edge. Called once per purge, in the process that purged.
pub trait PurgeHook: Send + Sync + 'static {
    /// Purges `tags` downstream. Failures are the hook's to log: the store is purged already.
    fn purge<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, ()>;
}
