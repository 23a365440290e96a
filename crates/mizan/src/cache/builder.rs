//! [`CacheBuilder`]: how a [`Cache`] is configured, and the default purge hook.

use std::sync::Arc;
use std::time::Duration;

use mizan_core::RootSecret;

use super::handle::{Cache, Parts};
use super::memory::{DEFAULT_BUDGET_BYTES, MemoryStore};
use super::store::{CacheStore, PurgeHook};
use crate::BoxFuture;

/// The default bound on every store operation (§2.16.6).
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_millis(250);

/// The default time a store that failed is left alone before it is asked again.
pub const DEFAULT_STORE_RETRY_AFTER: Duration = Duration::from_secs(1);

/// The default time a cross-process fill lock is held at most.
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(5);

/// The default purge hook: logs the tags at `info`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogPurgeHook;

impl PurgeHook for LogPurgeHook {
    fn purge<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, ()> {
        tracing::info!(tags = ?tags, "mizan cache purge");
        Box::pin(std::future::ready(()))
    }
}

/// Configures a [`Cache`].
pub struct CacheBuilder {
    secret: RootSecret,
    budget_bytes: u64,
    store: Option<Arc<dyn CacheStore>>,
    hook: Arc<dyn PurgeHook>,
    timeout: Duration,
    lock_ttl: Duration,
    retry_after: Duration,
}

impl std::fmt::Debug for CacheBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheBuilder")
            .field("budget_bytes", &self.budget_bytes)
            .field("timeout", &self.timeout)
            .field("lock_ttl", &self.lock_ttl)
            .finish_non_exhaustive()
    }
}

impl CacheBuilder {
    /// The memory budget of the in-process store (default 64 MiB); unused with
    /// [`store`](Self::store).
    #[must_use]
    pub fn budget_bytes(mut self, bytes: u64) -> Self {
        self.budget_bytes = bytes;
        self
    }

    /// A store instead of the in-process one: one shared by several processes (Redis).
    #[must_use]
    pub fn store(mut self, store: impl CacheStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// Where purged tags go after the store was purged (default [`LogPurgeHook`]).
    #[must_use]
    pub fn purge_hook(mut self, hook: impl PurgeHook) -> Self {
        self.hook = Arc::new(hook);
        self
    }

    /// How long a process holds the fill lock of a key at most (default 5 s); followers in other
    /// processes wait for its answer that long at most, then run the function themselves.
    #[must_use]
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl;
        self
    }

    /// The bound on every store operation (default 250 ms); past it the store counts as
    /// unreachable for that operation.
    #[must_use]
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long a store that failed or timed out is left alone (default 1 s): meanwhile reads run
    /// the function at once (`bypass`) instead of each waiting for the timeout, and purges are
    /// queued. `Duration::ZERO` asks the store on every operation.
    #[must_use]
    pub fn store_retry_after(mut self, pause: Duration) -> Self {
        self.retry_after = pause;
        self
    }

    /// The cache.
    pub fn build(self) -> Cache {
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(MemoryStore::new(self.budget_bytes)));
        Cache::assemble(Parts {
            secret: &self.secret,
            store,
            hook: self.hook,
            timeout: self.timeout,
            lock_ttl: self.lock_ttl,
            retry_after: self.retry_after,
        })
    }
}

impl Cache {
    /// A builder keyed with `secret`, the deployment's root secret (cache and permission keys,
    /// §1.3, §1.4, derive from it, as an edge's do).
    pub fn builder(secret: &RootSecret) -> CacheBuilder {
        CacheBuilder {
            secret: secret.clone(),
            budget_bytes: DEFAULT_BUDGET_BYTES,
            store: None,
            hook: Arc::new(LogPurgeHook),
            timeout: DEFAULT_STORE_TIMEOUT,
            lock_ttl: DEFAULT_LOCK_TTL,
            retry_after: DEFAULT_STORE_RETRY_AFTER,
        }
    }
}
