//! The Redis cache store: the context cache's answers, tags and revs in one Redis, shared by every
//! server process connected to it (`spec/PROTOCOL.md` §2.16.6).
//!
//! Each operation is one round trip: `get`, `last_rev`, `tags_rev` and `try_lock` one command,
//! `put`, `purge` and `unlock` one atomic script, so that a put cannot slip between a purge's rev
//! and its deletions. How the keys are laid out is in `names`.

mod builder;
mod codec;
mod names;
mod ops;
mod subscriber;

use std::sync::Arc;
use std::time::Duration;

use mizan::BoxFuture;
use mizan::cache::{CacheStore, FillLock, Invalidation, PurgeSink, StoreError, StoredAnswer};
use tokio::sync::oneshot;

pub use builder::RedisCacheStoreBuilder;
use ops::Ops;
use subscriber::SinkSlot;

/// A [`CacheStore`] on Redis, for several server processes.
///
/// Answers are kept with their time to live, and each tag has a set of the answers having it; a
/// purge issues its rev from Redis's clock (`max(last + 1, Unix ms)`), deletes the tags' answers,
/// remembers each tag's rev for the [retention](RedisCacheStoreBuilder::tag_rev_retention) and
/// publishes the purge, which every store on the same Redis and prefix hands to its sink (a
/// store hands its own purges to its sink itself, once they succeed).
///
/// Every operation fails with a [`StoreError`] within the
/// [timeout](RedisCacheStoreBuilder::timeout) when Redis is down or does not answer, and works
/// again once it does; the Pub/Sub connection comes back by itself, with backoff, and hands the
/// sink the purges it missed meanwhile from a log of the purges Redis keeps for the tag rev
/// retention. An entry that does not decode, or holds another key's answer, is a miss.
///
/// Dropping the store closes its connections.
pub struct RedisCacheStore {
    ops: Ops,
    sink: SinkSlot,
    /// Dropped with the store, which ends the Pub/Sub task.
    _stop: oneshot::Sender<()>,
}

impl RedisCacheStore {
    /// A store on the Redis at `url` (`redis://[user:password@]host[:port][/db]`), to configure,
    /// then [connect](RedisCacheStoreBuilder::connect).
    pub fn builder(url: impl Into<String>) -> RedisCacheStoreBuilder {
        RedisCacheStoreBuilder::new(url.into())
    }
}

impl std::fmt::Debug for RedisCacheStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCacheStore").finish_non_exhaustive()
    }
}

impl CacheStore for RedisCacheStore {
    fn get<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<StoredAnswer>>, StoreError>> {
        Box::pin(self.ops.get(key))
    }

    fn last_rev(&self) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(self.ops.last_rev())
    }

    fn put(
        &self,
        answer: Arc<StoredAnswer>,
        ttl: Duration,
        started_at_rev: u64,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        Box::pin(async move { self.ops.put(&answer, ttl, started_at_rev).await })
    }

    fn tags_rev<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(self.ops.tags_rev(tags))
    }

    fn purge<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(async move {
            let rev = self.ops.purge(tags).await?;
            if let Some(sink) = self.sink.get() {
                sink(Invalidation {
                    tags: tags.to_vec(),
                    rev,
                });
            }
            Ok(rev)
        })
    }

    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<FillLock>, StoreError>> {
        Box::pin(self.ops.try_lock(key, ttl))
    }

    fn unlock<'a>(&'a self, key: &'a str, lock: FillLock) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { self.ops.unlock(key, &lock).await })
    }

    fn is_shared(&self) -> bool {
        true
    }

    fn on_purge(&self, sink: PurgeSink) {
        if self.sink.set(sink).is_err() {
            tracing::warn!("redis cache store: on_purge called twice; the first sink stays");
        }
    }
}
