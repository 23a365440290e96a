//! The store under the cache (spec §2.16.6): a store that fails or hangs never reaches the caller,
//! purges made meanwhile are applied before it is read again, and processes sharing a store fill
//! a key once.

mod cache_support;
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cache_support::*;
use futures_util::future::join_all;
use http::HeaderName;
use mizan::BoxFuture;
use mizan::cache::{
    Cache, CacheStore, FillLock, Invalidation, MemoryStore, PurgeHook, PurgeSink, StoreError,
    StoredAnswer,
};
use serde_json::json;

const WORKING: u8 = 0;
const FAILING: u8 = 1;
const HANGING: u8 = 2;

/// A memory store that can be made to fail or hang, and to say it is shared.
#[derive(Clone)]
struct Switchable {
    inner: MemoryStore,
    mode: Arc<AtomicU8>,
    shared: bool,
    /// Operations the cache asked of this store.
    asked: Arc<AtomicUsize>,
}

impl Switchable {
    fn new(shared: bool) -> Self {
        Self {
            inner: MemoryStore::default(),
            mode: Arc::new(AtomicU8::new(WORKING)),
            shared,
            asked: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }

    /// The memory store works when called, so a failing store must not call it at all.
    fn gate<'a, T: Send + 'a>(
        &self,
        operation: impl FnOnce() -> BoxFuture<'a, Result<T, StoreError>>,
    ) -> BoxFuture<'a, Result<T, StoreError>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        match self.mode.load(Ordering::SeqCst) {
            FAILING => Box::pin(async { Err(StoreError::new("connection refused")) }),
            HANGING => Box::pin(std::future::pending()),
            _ => operation(),
        }
    }
}

impl CacheStore for Switchable {
    fn get<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<StoredAnswer>>, StoreError>> {
        self.gate(|| self.inner.get(key))
    }
    fn last_rev(&self) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.gate(|| self.inner.last_rev())
    }
    fn put(
        &self,
        answer: Arc<StoredAnswer>,
        ttl: Duration,
        started_at_rev: u64,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.gate(|| self.inner.put(answer, ttl, started_at_rev))
    }
    fn tags_rev<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, Result<u64, StoreError>> {
        self.gate(|| self.inner.tags_rev(tags))
    }
    fn purge<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, Result<u64, StoreError>> {
        self.gate(|| self.inner.purge(tags))
    }
    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<FillLock>, StoreError>> {
        self.gate(|| self.inner.try_lock(key, ttl))
    }
    fn unlock<'a>(&'a self, key: &'a str, lock: FillLock) -> BoxFuture<'a, Result<(), StoreError>> {
        self.gate(|| self.inner.unlock(key, lock))
    }
    fn is_shared(&self) -> bool {
        self.shared
    }
    fn on_purge(&self, sink: PurgeSink) {
        self.inner.on_purge(sink);
    }
}

/// Records the tags of every purge it is handed.
#[derive(Clone, Default)]
struct Recorder(Arc<std::sync::Mutex<Vec<Vec<String>>>>);

impl PurgeHook for Recorder {
    fn purge<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, ()> {
        self.0.lock().unwrap().push(tags.to_vec());
        Box::pin(async {})
    }
}

fn post_url(id: u32, rev: u64) -> String {
    url("post", json!({ "id": id }), rev)
}

#[tokio::test]
async fn a_failing_store_never_reaches_the_caller_and_purges_wait_for_it() {
    for mode in [FAILING, HANGING] {
        let store = Switchable::new(false);
        let hook = Recorder::default();
        let cache = Cache::builder(&common::secret())
            .store(store.clone())
            .store_timeout(Duration::from_millis(50))
            .store_retry_after(RETRY_AFTER)
            .purge_hook(hook.clone())
            .build();
        let server = server_with(cache);
        let anyone = Caller::anonymous();
        let mut events = server.cache.subscribe();
        assert_eq!(
            status(&read(&server.app, &anyone, &post_url(1, 0)).await),
            "miss"
        );
        let warm = call(
            &server.app,
            "touch",
            json!({"tag": "unrelated", "fail": false}),
        )
        .await;
        let issued = rev(&warm);
        assert!(issued > 0);
        events.recv().await.unwrap();

        store.set(mode);
        let started = Instant::now();
        let reply = read(&server.app, &anyone, &post_url(1, 0)).await;
        assert_eq!(reply.status, 200, "mode {mode}");
        assert_eq!(status(&reply), "bypass");
        assert_eq!(body(&reply), json!("post 1 v0"));
        assert_eq!(reply.header(HeaderName::from_static("x-mizan-pk")), "");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "bounded by the timeout"
        );
        // Any well-formed rev is accepted while the store cannot say which were issued.
        let reply = read(&server.app, &anyone, &post_url(1, issued + 1000)).await;
        assert_eq!(reply.status, 200);

        let edit = call(&server.app, "edit_post", json!({"id": 1})).await;
        assert_eq!(edit.status, 200);
        assert_eq!(
            edit.header(HeaderName::from_static("x-mizan-invalidate")),
            "post:1"
        );
        assert_eq!(edit.header(HeaderName::from_static("x-mizan-rev")), "");
        // This process's sockets hear of it now, with rev 0.
        assert_eq!(
            events.recv().await.unwrap(),
            Invalidation {
                tags: vec!["post:1".into()],
                rev: 0
            }
        );
        assert_eq!(
            hook.0.lock().unwrap().len(),
            1,
            "the hook runs after the store was purged"
        );

        store.set(WORKING);
        // Once the store has been left alone long enough, it is asked again, and the queued purge
        // is applied before it is read: no answer from before the edit.
        tokio::time::sleep(RETRY_AFTER + Duration::from_millis(20)).await;
        let reply = read(&server.app, &anyone, &post_url(1, 0)).await;
        assert_eq!(body(&reply), json!("post 1 v1"));
        assert_eq!(status(&reply), "miss");
        let applied = events.recv().await.unwrap();
        assert_eq!(applied.tags, ["post:1"]);
        assert!(applied.rev > issued);
        assert_eq!(
            hook.0.lock().unwrap().last().unwrap(),
            &["post:1".to_owned()]
        );
        assert_eq!(
            status(&read(&server.app, &anyone, &post_url(1, 0)).await),
            "hit"
        );
    }
}

/// How long the stores of these tests are left alone after a failure.
const RETRY_AFTER: Duration = Duration::from_millis(100);

#[tokio::test]
async fn a_store_that_failed_is_left_alone_for_a_while_then_asked_again() {
    let store = Switchable::new(false);
    let cache = Cache::builder(&common::secret())
        .store(store.clone())
        .store_timeout(Duration::from_millis(50))
        .store_retry_after(Duration::from_secs(3600))
        .build();
    let server = server_with(cache.clone());
    let anyone = Caller::anonymous();
    assert_eq!(
        status(&read(&server.app, &anyone, &post_url(1, 0)).await),
        "miss"
    );
    store.set(HANGING);
    let asked = store.asked.load(Ordering::SeqCst);
    let reply = read(&server.app, &anyone, &post_url(1, 0)).await;
    assert_eq!((reply.status, status(&reply)), (200, "bypass"));
    assert_eq!(
        store.asked.load(Ordering::SeqCst),
        asked + 1,
        "one operation timed out"
    );
    // Within the pause nothing is asked of the store: reads run the function, purges queue.
    for id in 1..=5 {
        let reply = read(&server.app, &anyone, &post_url(id, 0)).await;
        assert_eq!((reply.status, status(&reply)), (200, "bypass"));
    }
    let edit = call(&server.app, "edit_post", json!({"id": 1})).await;
    assert_eq!(edit.status, 200);
    assert_eq!(edit.header(HeaderName::from_static("x-mizan-rev")), "");
    assert_eq!(store.asked.load(Ordering::SeqCst), asked + 1);

    // With no pause, the store is asked on every operation.
    let eager = Switchable::new(false);
    let server = server_with(
        Cache::builder(&common::secret())
            .store(eager.clone())
            .store_timeout(Duration::from_millis(20))
            .store_retry_after(Duration::ZERO)
            .build(),
    );
    eager.set(FAILING);
    let before = eager.asked.load(Ordering::SeqCst);
    for id in 1..=3 {
        read(&server.app, &anyone, &post_url(id, 0)).await;
    }
    assert!(eager.asked.load(Ordering::SeqCst) >= before + 3);
}

#[tokio::test]
async fn processes_sharing_a_store_fill_a_key_once_and_see_each_others_purges() {
    let store = Switchable::new(true);
    let one = server_with(
        Cache::builder(&common::secret())
            .store(store.clone())
            .build(),
    );
    let two = server_with(
        Cache::builder(&common::secret())
            .store(store.clone())
            .build(),
    );
    let slow = url("slow_post", json!({"id": 3}), 0);
    let anyone = Caller::anonymous();
    let reads = (0..6).map(|i| {
        let app = if i % 2 == 0 { &one.app } else { &two.app };
        read(app, &anyone, &slow)
    });
    let replies = join_all(reads).await;
    assert_eq!(
        one.runs.count("slow_post") + two.runs.count("slow_post"),
        1,
        "one run across both processes"
    );
    for reply in &replies {
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, replies[0].body);
    }
    let mut heard_by_two = two.cache.subscribe();
    let purged = one.cache.purge_tags(["post:3"]).await.unwrap();
    let heard = heard_by_two.recv().await.unwrap();
    assert_eq!(heard.rev, purged.rev.unwrap());
    assert_eq!(status(&read(&two.app, &anyone, &slow).await), "miss");
}

#[tokio::test]
async fn a_dead_lock_holder_delays_a_fill_only_until_its_lock_expires() {
    let store = Switchable::new(true);
    let cache = Cache::builder(&common::secret())
        .store(store.clone())
        .lock_ttl(Duration::from_millis(200))
        .build();
    let server = server_with(cache);
    let key = mizan::core::CacheKeyDeriver::new(&common::secret())
        .derive("post", &json!({"id": 2}), &Caller::anonymous().pk(), 0)
        .unwrap()
        .to_hex();
    // Another process took the key's fill lock and died without releasing it.
    let held = store
        .inner
        .try_lock(&key, Duration::from_millis(200))
        .await
        .unwrap();
    assert!(held.is_some());
    let started = Instant::now();
    let reply = read(&server.app, &Caller::anonymous(), &post_url(2, 0)).await;
    let waited = started.elapsed();
    assert_eq!(reply.status, 200);
    assert_eq!(status(&reply), "miss");
    assert!(
        waited >= Duration::from_millis(150),
        "waited {waited:?} for the holder"
    );
    assert!(
        waited < Duration::from_secs(1),
        "waited {waited:?}: bounded"
    );
    assert_eq!(server.runs.count("post"), 1);
}

/// A CDN that takes its time.
struct SlowCdn;

impl PurgeHook for SlowCdn {
    fn purge<'a>(&'a self, _tags: &'a [String]) -> BoxFuture<'a, ()> {
        Box::pin(tokio::time::sleep(Duration::from_millis(600)))
    }
}

#[tokio::test]
async fn a_slow_purge_hook_holds_up_neither_reads_nor_other_purges() {
    let server = server_with(
        Cache::builder(&common::secret())
            .purge_hook(SlowCdn)
            .build(),
    );
    let anyone = Caller::anonymous();
    read(&server.app, &anyone, &post_url(1, 0)).await;
    let cache = server.cache.clone();
    let purging = tokio::spawn(async move { cache.purge_tags(["post:1"]).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let reply = read(&server.app, &anyone, &post_url(1, 0)).await;
    assert_eq!(
        status(&reply),
        "miss",
        "the store was purged; the hook is still running"
    );
    assert_eq!(
        status(&read(&server.app, &anyone, &post_url(1, 0)).await),
        "hit"
    );
    let other = server.cache.purge_tags(["post:2"]).await.unwrap();
    assert!(other.rev.is_some());
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert!(purging.await.unwrap().unwrap().rev.is_some());
}
