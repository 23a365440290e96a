//! [`Cache`]: the handle the server and the application share. It wraps the store with the
//! timeout, the purge queue of an unreachable store, the purge hook and the invalidation fan-out.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::Poll;
use std::time::{Duration, Instant};

use mizan_core::{CacheKeyDeriver, PermissionKeyDeriver, PermissionScope, RootSecret};
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use super::fill::Fills;
use super::store::{CacheStore, FillLock, Invalidation, PurgeHook, StoreError, StoredAnswer};
use crate::{BoxFuture, Error, Principal, Result};

/// How many invalidations a slow [`Cache::subscribe`] receiver may fall behind.
const EVENTS_CAPACITY: usize = 1024;

/// The context cache of a server (`spec/PROTOCOL.md` §2.16): give it to
/// [`Mizan::cache`](crate::Mizan::cache), and keep a clone to purge from outside functions
/// (functions reach it with [`Request::cache`](crate::Request::cache)).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use mizan::cache::Cache;
/// use mizan::core::RootSecret;
///
/// let cache = Cache::builder(&RootSecret::new([7u8; 32]).unwrap()).budget_bytes(1 << 20).build();
/// let mut events = cache.subscribe();
/// let purged = cache.purge_tags(["posts"]).await?;
/// assert_eq!(purged.tags, ["posts"]);
/// assert_eq!(events.recv().await.unwrap().rev, purged.rev.unwrap());
/// # Ok::<(), mizan::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn CacheStore>,
    keys: CacheKeyDeriver,
    /// The level keys, derived once: `anonymous`, `authenticated`, `staff`, `superuser`.
    levels: [String; 4],
    permissions: PermissionKeyDeriver,
    hook: Arc<dyn PurgeHook>,
    timeout: Duration,
    lock_ttl: Duration,
    /// After a failure the store is left alone this long: each read would otherwise wait for
    /// the timeout again, once per store operation, while the store is down.
    retry_after: Duration,
    /// Until when the store is left alone, while `down` is set.
    down_until: Mutex<Option<Instant>>,
    down: AtomicBool,
    fan_out: Arc<FanOut>,
    /// Tags purged while the store could not be reached, applied before it is read again.
    queued: tokio::sync::Mutex<Vec<String>>,
    has_queued: AtomicBool,
    pub(super) fills: Fills,
}

/// Who hears of invalidations: [`Cache::subscribe`] receivers and the servers built with the
/// cache (their channel sockets, §2.16.5).
struct FanOut {
    events: broadcast::Sender<Invalidation>,
    listeners: Mutex<Vec<Weak<ListenerFn>>>,
}

impl FanOut {
    fn tell(&self, invalidation: &Invalidation) {
        // No receiver is not an error: nobody listens yet.
        let _ = self.events.send(invalidation.clone());
        let listeners: Vec<_> = {
            let mut list = self
                .listeners
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            list.retain(|l| l.strong_count() > 0);
            list.iter().filter_map(Weak::upgrade).collect()
        };
        for listener in listeners {
            listener(invalidation);
        }
    }
}

/// What a server does with an invalidation.
pub(crate) type ListenerFn = dyn Fn(&Invalidation) + Send + Sync;

/// What a purge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    /// The purged tags, each once, in the order named.
    pub tags: Vec<String>,
    /// The rev issued; `None` when the store could not be reached (the purge is queued and
    /// applied when it answers again) or there was nothing to purge.
    pub rev: Option<u64>,
}

/// A store lookup.
pub(crate) enum Lookup {
    Hit(Arc<StoredAnswer>),
    Miss,
    /// The store failed, timed out, or has purges still to apply.
    Unavailable,
}

/// What a [`CacheBuilder`](super::CacheBuilder) hands over to build a [`Cache`].
pub(super) struct Parts<'a> {
    pub(super) secret: &'a RootSecret,
    pub(super) store: Arc<dyn CacheStore>,
    pub(super) hook: Arc<dyn PurgeHook>,
    pub(super) timeout: Duration,
    pub(super) lock_ttl: Duration,
    pub(super) retry_after: Duration,
}

impl Cache {
    pub(super) fn assemble(parts: Parts<'_>) -> Self {
        let Parts {
            secret,
            store,
            hook,
            timeout,
            lock_ttl,
            retry_after,
        } = parts;
        let permissions = PermissionKeyDeriver::new(secret);
        let level = |scope| match permissions.permission_key(scope) {
            Ok(key) => key,
            Err(_) => unreachable!("only user scopes carry an id to refuse"),
        };
        let levels = [
            level(PermissionScope::Anonymous),
            level(PermissionScope::Authenticated),
            level(PermissionScope::Staff),
            level(PermissionScope::Superuser),
        ];
        let fan_out = Arc::new(FanOut {
            events: broadcast::channel(EVENTS_CAPACITY).0,
            listeners: Mutex::new(Vec::new()),
        });
        let sink = Arc::clone(&fan_out);
        store.on_purge(Arc::new(move |invalidation| sink.tell(&invalidation)));
        Cache {
            inner: Arc::new(Inner {
                store,
                keys: CacheKeyDeriver::new(secret),
                levels,
                permissions,
                hook,
                timeout,
                lock_ttl,
                retry_after,
                down_until: Mutex::new(None),
                down: AtomicBool::new(false),
                fan_out,
                queued: tokio::sync::Mutex::new(Vec::new()),
                has_queued: AtomicBool::new(false),
                fills: Fills::default(),
            }),
        }
    }
    /// Purges `tags` (§2.16.4): removes the answers having one of them in every process sharing
    /// the store, issues a rev, tells watching clients and hands the tags to the purge hook.
    /// Invalid tags are an `internal` error (the application named them).
    pub async fn purge_tags<I, S>(&self, tags: I) -> Result<Purged>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut list: Vec<String> = Vec::new();
        for tag in tags {
            let tag = tag.into();
            if !mizan_core::cache_tags::is_valid_tag(&tag) {
                return Err(Error::internal(format!(
                    "{tag:?} is not a valid cache tag: use 1 to 128 bytes of [A-Za-z0-9_.:%-]"
                )));
            }
            if !list.contains(&tag) {
                list.push(tag);
            }
        }
        if list.is_empty() {
            return Ok(Purged {
                tags: list,
                rev: None,
            });
        }
        let rev = self.purge_valid(&list).await;
        Ok(Purged { tags: list, rev })
    }

    /// Purges every answer of the context `function` (its tag `mizan:fn:<function>`).
    pub async fn purge_function(&self, function: &str) -> Result<Purged> {
        self.purge_tags([mizan_core::cache_tags::function_tag(function)])
            .await
    }

    /// Purges the answers of `function` for one params object, for every caller and rev (its
    /// `mizan:p:` tag, §2.16.2).
    pub async fn purge_params(
        &self,
        function: &str,
        params: &Map<String, Value>,
    ) -> Result<Purged> {
        let tag = mizan_core::cache_tags::params_tag(function, params)
            .map_err(|e| Error::bad_request(e.to_string()))?;
        self.purge_tags([tag]).await
    }

    /// Every invalidation from now on: this process's purges and, with a shared store, other
    /// processes'. A receiver that falls over 1024 behind skips the oldest
    /// ([`broadcast::error::RecvError::Lagged`]).
    pub fn subscribe(&self) -> broadcast::Receiver<Invalidation> {
        self.inner.fan_out.events.subscribe()
    }

    /// Calls `listener` on every invalidation while it is alive (a server's sockets).
    pub(crate) fn listen(&self, listener: &Arc<ListenerFn>) {
        self.inner
            .fan_out
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::downgrade(listener));
    }

    /// Purges tags known to be valid and distinct; the rev, or `None` when the store failed.
    pub(crate) async fn purge_valid(&self, tags: &[String]) -> Option<u64> {
        let mut queued = self.inner.queued.lock().await;
        for tag in tags {
            if !queued.contains(tag) {
                queued.push(tag.clone());
            }
        }
        let rev = self.apply_queued(queued).await;
        if rev.is_none() {
            // This process's sockets still hear of it; other processes will when it is applied.
            self.inner.fan_out.tell(&Invalidation {
                tags: tags.to_vec(),
                rev: 0,
            });
        }
        rev
    }

    /// Applies the queued purges (this one's included) to the store as one purge, then hands
    /// them to the hook once the queue is released: a slow CDN must not hold up reads or purges.
    async fn apply_queued(
        &self,
        mut queued: tokio::sync::MutexGuard<'_, Vec<String>>,
    ) -> Option<u64> {
        if queued.is_empty() {
            self.inner.has_queued.store(false, Ordering::SeqCst);
            return None;
        }
        let Ok(rev) = self.bounded(|| self.inner.store.purge(&queued)).await else {
            // Set before the queue is released, so no read slips in before the purge is applied.
            self.inner.has_queued.store(true, Ordering::SeqCst);
            return None;
        };
        let tags = std::mem::take(&mut *queued);
        self.inner.has_queued.store(false, Ordering::SeqCst);
        drop(queued);
        self.inner.hook.purge(&tags).await;
        Some(rev)
    }

    /// Whether the store may be read: no purge is waiting to be applied to it, or the waiting
    /// ones were applied now.
    async fn ready(&self) -> bool {
        if !self.inner.has_queued.load(Ordering::SeqCst) {
            return true;
        }
        // Another request applying the queue: do not wait for it, run the function.
        let Ok(queued) = self.inner.queued.try_lock() else {
            return false;
        };
        // Boxed: this rarely runs, and every read's future would carry its size.
        queued.is_empty() || Box::pin(self.apply_queued(queued)).await.is_some()
    }

    /// Runs one store operation within the timeout; not even started while the store is left
    /// alone.
    async fn bounded<'a, T>(
        &self,
        operation: impl FnOnce() -> BoxFuture<'a, std::result::Result<T, StoreError>>,
    ) -> std::result::Result<T, StoreError> {
        if self.left_alone() {
            return Err(StoreError::new(
                "unreachable a moment ago; not asked again yet",
            ));
        }
        let mut operation = operation();
        // An in-process store answers on the first poll: no timer is armed for it.
        let first = std::future::poll_fn(|cx| Poll::Ready(operation.as_mut().poll(cx))).await;
        let result = match first {
            Poll::Ready(result) => result,
            // Boxed: the timer is large, and an in-process store's reads never get here.
            Poll::Pending => {
                let timeout = self.inner.timeout;
                Box::pin(async move {
                    tokio::time::timeout(timeout, operation)
                        .await
                        .unwrap_or_else(|_| {
                            Err(StoreError::new(format!("no answer within {timeout:?}")))
                        })
                })
                .await
            }
        };
        self.noted(result)
    }

    /// Passes a store operation's result on, after leaving the store alone for `retry_after`
    /// when it failed.
    fn noted<T>(
        &self,
        result: std::result::Result<T, StoreError>,
    ) -> std::result::Result<T, StoreError> {
        if let Err(error) = &result {
            tracing::warn!(%error, retry_after = ?self.inner.retry_after, "mizan cache store unreachable");
            if !self.inner.retry_after.is_zero() {
                *self
                    .inner
                    .down_until
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) =
                    Some(Instant::now() + self.inner.retry_after);
                self.inner.down.store(true, Ordering::SeqCst);
            }
        }
        result
    }

    /// Whether the store failed less than `retry_after` ago, so it is not asked now.
    fn left_alone(&self) -> bool {
        if !self.inner.down.load(Ordering::SeqCst) {
            return false;
        }
        let mut until = self
            .inner
            .down_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if until.is_some_and(|t| Instant::now() < t) {
            return true;
        }
        *until = None;
        self.inner.down.store(false, Ordering::SeqCst);
        false
    }

    pub(crate) async fn get(&self, key: &str) -> Lookup {
        if !self.ready().await {
            return Lookup::Unavailable;
        }
        let store = &self.inner.store;
        // A store left alone is not asked at once either: `bounded` says so.
        let at_once = if self.left_alone() {
            None
        } else {
            store.get_at_once(key)
        };
        let found = match at_once {
            Some(result) => self.noted(result),
            None => self.bounded(|| store.get(key)).await,
        };
        match found {
            // A misplaced entry is a miss, replaced by the fill (§2.16.6).
            Ok(Some(answer)) if answer.key == key => Lookup::Hit(answer),
            Ok(_) => Lookup::Miss,
            Err(_) => Lookup::Unavailable,
        }
    }

    /// The rev a fill starts at, `None` when the store cannot be reached (nothing is stored).
    pub(crate) async fn last_rev(&self) -> Option<u64> {
        self.bounded(|| self.inner.store.last_rev()).await.ok()
    }

    /// Stores a fill's answer; whether it was stored.
    pub(crate) async fn put(
        &self,
        answer: Arc<StoredAnswer>,
        ttl: Duration,
        started_at_rev: u64,
    ) -> bool {
        if !self.ready().await {
            return false;
        }
        self.bounded(|| self.inner.store.put(answer, ttl, started_at_rev))
            .await
            .unwrap_or(false)
    }

    /// The current rev of an answer's tags; `None` when the store cannot be reached.
    pub(crate) async fn tags_rev(&self, tags: &[String]) -> Option<u64> {
        if !self.ready().await {
            return None;
        }
        self.bounded(|| self.inner.store.tags_rev(tags)).await.ok()
    }

    pub(crate) fn is_shared(&self) -> bool {
        self.inner.store.is_shared()
    }

    pub(crate) fn lock_ttl(&self) -> Duration {
        self.inner.lock_ttl
    }

    pub(crate) async fn try_lock(&self, key: &str) -> Option<Option<FillLock>> {
        self.bounded(|| self.inner.store.try_lock(key, self.inner.lock_ttl))
            .await
            .ok()
    }

    pub(crate) async fn unlock(&self, key: &str, lock: FillLock) {
        // A lock not released expires on its own.
        let _ = self.bounded(|| self.inner.store.unlock(key, lock)).await;
    }

    pub(crate) fn fills(&self) -> &Fills {
        &self.inner.fills
    }

    /// The cache key (§1.3) of an answer; `None` for params no key can be derived from.
    pub(crate) fn key(&self, function: &str, params: &Value, pk: &str, rev: u64) -> Option<String> {
        self.inner
            .keys
            .derive(function, params, pk, rev)
            .ok()
            .map(|key| key.to_hex())
    }

    /// The permission key of `principal` under `scope` (§2.16.3).
    pub(crate) fn permission_key<'a>(
        &'a self,
        scope: crate::CacheScope,
        principal: &'a Principal,
    ) -> Option<Cow<'a, str>> {
        let [anonymous, authenticated, staff, superuser] = &self.inner.levels;
        let key: &str = match scope {
            crate::CacheScope::Public => anonymous,
            crate::CacheScope::Permission => match principal.permission_key() {
                Some(pk) => pk,
                None if principal.is_superuser() => superuser,
                None if principal.is_staff() => staff,
                None if principal.is_authenticated() => authenticated,
                None => anonymous,
            },
            crate::CacheScope::User => match principal.user() {
                Some(user) => {
                    return self
                        .inner
                        .permissions
                        .permission_key(PermissionScope::User(&user.id))
                        .ok()
                        .map(Cow::Owned);
                }
                None => anonymous,
            },
        };
        Some(Cow::Borrowed(key))
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("shared_store", &self.inner.store.is_shared())
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}
