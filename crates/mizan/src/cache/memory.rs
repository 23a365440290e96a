//! The in-process store (`spec/PROTOCOL.md` §2.16.6): answers within a byte budget, least
//! recently used dropped first, with a tag index for purges and the revs of recent purges, and
//! the answers read last in a table in front of the map ([`HotAnswers`]).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use moka::notification::RemovalCause;

use super::hot::HotAnswers;
use super::store::{CacheStore, FillLock, Invalidation, PurgeSink, StoreError, StoredAnswer};
use crate::BoxFuture;

/// The default byte budget of the answers kept: 64 MiB.
pub const DEFAULT_BUDGET_BYTES: u64 = 64 * 1024 * 1024;

/// How many tags' revs are remembered. A forgotten rev is not lost: it raises the floor every
/// tag's rev is read as at least, so a fill that raced a forgotten purge is still dropped.
const REMEMBERED_TAGS: u64 = 100_000;

/// How long a tag's rev is remembered: the longest `max_age + swr` a policy can declare.
const REV_RETENTION: Duration = Duration::from_secs(2 * 31_536_000);

/// What one entry costs besides its bytes (the map's slot, the `Arc`, the tag vector).
const ENTRY_OVERHEAD: usize = 128;

/// Answers kept in this process's memory. Clones share one store, so several caches built on
/// clones behave as processes sharing a store (which the tests use).
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Entry {
    answer: Arc<StoredAnswer>,
    ttl: Duration,
    /// When `ttl` ends, measured from before the insertion (so never after the map's own end);
    /// `None` for a time to live no `Instant` can hold (such an answer is never kept hot).
    expires: Option<Instant>,
}

struct Inner {
    answers: moka::sync::Cache<String, Entry>,
    /// The answers read last, cleared of every answer that leaves `answers`.
    hot: Arc<HotAnswers>,
    /// Tag → keys of the answers having it. Guarded with the puts and purges, so a put's race
    /// check and its insertion are one step against a purge.
    index: Mutex<Index>,
    revs: moka::sync::Cache<String, u64>,
    /// The highest rev of a tag forgotten before its retention ended.
    forgotten: Arc<AtomicU64>,
    last_rev: Mutex<u64>,
    locks: Mutex<HashMap<String, (u64, Instant)>>,
    next_lock: AtomicU64,
    sinks: Mutex<Vec<PurgeSink>>,
}

#[derive(Default)]
struct Index {
    keys: HashMap<String, HashSet<String>>,
    puts_since_sweep: usize,
}

struct PerEntryTtl;

impl moka::Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _: &String, entry: &Entry, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Entry,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every guarded value is consistent between statements, so a poisoned lock is still usable.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl MemoryStore {
    /// A store keeping at most `budget_bytes` of answers (bodies, ETags, keys and tags).
    pub fn new(budget_bytes: u64) -> Self {
        let forgotten = Arc::new(AtomicU64::new(0));
        let floor = Arc::clone(&forgotten);
        let revs = moka::sync::Cache::builder()
            .max_capacity(REMEMBERED_TAGS)
            .time_to_live(REV_RETENTION)
            .eviction_listener(move |_tag, rev: u64, cause| {
                if cause == RemovalCause::Size {
                    floor.fetch_max(rev, Ordering::SeqCst);
                }
            })
            .build();
        let hot = Arc::new(HotAnswers::default());
        let evicted = Arc::clone(&hot);
        let answers = moka::sync::Cache::builder()
            .max_capacity(budget_bytes)
            .weigher(|key: &String, entry: &Entry| {
                let answer = &entry.answer;
                let bytes = key.len()
                    + answer.key.len()
                    + answer.body.len()
                    + answer.etag.len()
                    + answer.tags.iter().map(String::len).sum::<usize>()
                    + ENTRY_OVERHEAD;
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .eviction_listener(move |key: Arc<String>, _, _| evicted.forget(&key))
            .build();
        Self {
            inner: Arc::new(Inner {
                answers,
                hot,
                index: Mutex::new(Index::default()),
                revs,
                forgotten,
                last_rev: Mutex::new(0),
                locks: Mutex::new(HashMap::new()),
                next_lock: AtomicU64::new(1),
                sinks: Mutex::new(Vec::new()),
            }),
        }
    }

    /// How many answers are stored (after pending evictions ran).
    pub fn len(&self) -> u64 {
        self.inner.answers.run_pending_tasks();
        self.inner.answers.entry_count()
    }

    /// Whether no answer is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn rev_of(&self, tags: &[String]) -> u64 {
        let floor = self.inner.forgotten.load(Ordering::SeqCst);
        tags.iter()
            .filter_map(|tag| self.inner.revs.get(tag))
            .fold(floor, u64::max)
    }

    fn put_now(&self, answer: Arc<StoredAnswer>, ttl: Duration, started_at_rev: u64) -> bool {
        let mut index = lock(&self.inner.index);
        if self.rev_of(&answer.tags) > started_at_rev {
            return false;
        }
        for tag in &answer.tags {
            index
                .keys
                .entry(tag.clone())
                .or_default()
                .insert(answer.key.clone());
        }
        index.puts_since_sweep += 1;
        // Evicted and expired answers leave their keys in the index; sweep them now and then
        // instead of locking the index from moka's eviction listener.
        if index.puts_since_sweep >= 1024 {
            index.puts_since_sweep = 0;
            let answers = &self.inner.answers;
            index.keys.retain(|_, keys| {
                keys.retain(|key| answers.contains_key(key));
                !keys.is_empty()
            });
        }
        let key = answer.key.clone();
        let expires = Instant::now().checked_add(ttl);
        self.inner.answers.insert(
            key.clone(),
            Entry {
                answer,
                ttl,
                expires,
            },
        );
        // After the insertion: a read that offered the replaced answer meanwhile is undone.
        self.inner.hot.forget(&key);
        true
    }

    fn purge_now(&self, tags: &[String]) -> u64 {
        let rev = {
            let mut last = lock(&self.inner.last_rev);
            *last = (*last + 1).max(unix_ms());
            *last
        };
        {
            let mut index = lock(&self.inner.index);
            for tag in tags {
                self.inner.revs.insert(tag.clone(), rev);
                for key in index.keys.remove(tag).unwrap_or_default() {
                    self.inner.answers.invalidate(&key);
                    // After the map let go of it, before the purge returns (see `HotAnswers`).
                    self.inner.hot.forget(&key);
                }
            }
        }
        let sinks = lock(&self.inner.sinks).clone();
        for sink in sinks {
            sink(Invalidation {
                tags: tags.to_vec(),
                rev,
            });
        }
        rev
    }

    /// The answer under `key`: from the hot table, or from the map (and then kept hot).
    fn get_now(&self, key: &str) -> Option<Arc<StoredAnswer>> {
        match self.inner.hot.find(key) {
            Ok(hit) => {
                if hit.touch {
                    // Keeps the answer's place in the map's eviction order.
                    drop(self.inner.answers.get(key));
                }
                Some(hit.answer)
            }
            Err(missed) => {
                let entry = self.inner.answers.get(key)?;
                if let Some(expires) = entry.expires {
                    self.inner.hot.offer(missed, &entry.answer, expires);
                }
                Some(entry.answer)
            }
        }
    }

    fn try_lock_now(&self, key: &str, ttl: Duration) -> Option<FillLock> {
        let mut locks = lock(&self.inner.locks);
        let now = Instant::now();
        if locks.get(key).is_some_and(|(_, expiry)| *expiry > now) {
            return None;
        }
        let token = self.inner.next_lock.fetch_add(1, Ordering::Relaxed);
        locks.insert(key.to_owned(), (token, now + ttl));
        // Expired locks of keys nobody fills again would stay forever otherwise.
        if locks.len() > 4096 {
            locks.retain(|_, (_, expiry)| *expiry > now);
        }
        Some(FillLock(token.to_string()))
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new(DEFAULT_BUDGET_BYTES)
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("entries", &self.inner.answers.entry_count())
            .finish_non_exhaustive()
    }
}

impl CacheStore for MemoryStore {
    fn get<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<StoredAnswer>>, StoreError>> {
        Box::pin(std::future::ready(Ok(self.get_now(key))))
    }

    fn get_at_once(&self, key: &str) -> Option<Result<Option<Arc<StoredAnswer>>, StoreError>> {
        Some(Ok(self.get_now(key)))
    }

    fn last_rev(&self) -> BoxFuture<'_, Result<u64, StoreError>> {
        let last = *lock(&self.inner.last_rev);
        Box::pin(std::future::ready(Ok(last)))
    }

    fn put(
        &self,
        answer: Arc<StoredAnswer>,
        ttl: Duration,
        started_at_rev: u64,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        let stored = self.put_now(answer, ttl, started_at_rev);
        Box::pin(std::future::ready(Ok(stored)))
    }

    fn tags_rev<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(std::future::ready(Ok(self.rev_of(tags))))
    }

    fn purge<'a>(&'a self, tags: &'a [String]) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(std::future::ready(Ok(self.purge_now(tags))))
    }

    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<FillLock>, StoreError>> {
        Box::pin(std::future::ready(Ok(self.try_lock_now(key, ttl))))
    }

    fn unlock<'a>(&'a self, key: &'a str, held: FillLock) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut locks = lock(&self.inner.locks);
        if locks
            .get(key)
            .is_some_and(|(token, _)| token.to_string() == held.0)
        {
            locks.remove(key);
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn is_shared(&self) -> bool {
        false
    }

    fn on_purge(&self, sink: PurgeSink) {
        lock(&self.inner.sinks).push(sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn answer(key: &str, tags: &[&str], body: usize) -> Arc<StoredAnswer> {
        Arc::new(StoredAnswer {
            key: key.to_owned(),
            body: Bytes::from(vec![b'x'; body]),
            etag: "\"e\"".to_owned(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        })
    }

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn a_purge_removes_tagged_answers_and_refuses_racing_fills() {
        let store = MemoryStore::default();
        let minute = Duration::from_secs(60);
        assert!(store.put_now(answer("a", &["posts", "post:1"], 4), minute, 0));
        assert!(store.put_now(answer("b", &["posts", "post:2"], 4), minute, 0));
        assert!(store.put_now(answer("c", &["users"], 4), minute, 0));
        let started = *lock(&store.inner.last_rev);
        let rev = store.purge_now(&tags(&["post:1"]));
        assert!(rev > started && rev >= unix_ms() - 1000);
        assert!(store.inner.answers.get("a").is_none());
        assert!(store.inner.answers.get("b").is_some());
        // A fill that started before the purge is dropped; one that started after is kept.
        assert!(!store.put_now(answer("a", &["posts", "post:1"], 4), minute, started));
        assert!(store.put_now(answer("a", &["posts", "post:1"], 4), minute, rev));
        assert_eq!(store.rev_of(&tags(&["post:1", "users"])), rev);
        assert_eq!(store.rev_of(&tags(&["users"])), 0);
        let next = store.purge_now(&tags(&["posts"]));
        assert!(next > rev);
        assert!(store.inner.answers.get("a").is_none() && store.inner.answers.get("b").is_none());
        assert!(store.inner.answers.get("c").is_some());
    }

    /// Reads `key` until the hot table serves it (the first read after a put comes from the map).
    fn read_hot(store: &MemoryStore, key: &str) {
        assert!(store.get_now(key).is_some(), "{key} stored");
        assert!(store.inner.hot.find(key).is_ok(), "{key} hot after a read");
    }

    #[test]
    fn a_hot_answer_is_gone_after_a_purge_a_replacement_an_expiry_or_an_eviction() {
        let store = MemoryStore::new(64 * 1024);
        let minute = Duration::from_secs(60);
        store.put_now(answer("a", &["posts"], 4), minute, 0);
        read_hot(&store, "a");
        store.purge_now(&tags(&["posts"]));
        assert!(store.get_now("a").is_none());

        store.put_now(answer("b", &["users"], 4), minute, 0);
        read_hot(&store, "b");
        let replacement = Arc::new(StoredAnswer {
            body: Bytes::from_static(b"new"),
            ..(*answer("b", &["users"], 4)).clone()
        });
        store.put_now(replacement, minute, 0);
        assert_eq!(store.get_now("b").expect("replaced").body, "new");

        store.put_now(answer("c", &["users"], 4), Duration::from_millis(30), 0);
        read_hot(&store, "c");
        std::thread::sleep(Duration::from_millis(60));
        assert!(store.get_now("c").is_none());

        store.put_now(answer("d", &["users"], 4), minute, 0);
        read_hot(&store, "d");
        store.inner.answers.invalidate("d");
        assert!(
            store.get_now("d").is_none(),
            "the eviction listener clears the hot table"
        );
    }

    #[test]
    fn an_answer_kept_for_longer_than_an_instant_can_say_is_served_not_kept_hot() {
        let store = MemoryStore::default();
        assert!(store.put_now(answer("a", &["t"], 4), Duration::MAX, 0));
        assert!(store.get_now("a").is_some());
        assert!(store.get_now("a").is_some());
        assert!(store.inner.hot.find("a").is_err());
    }

    #[test]
    fn the_byte_budget_bounds_the_answers_kept() {
        let store = MemoryStore::new(64 * 1024);
        for i in 0..200 {
            store.put_now(
                answer(&format!("k{i}"), &["t"], 1024),
                Duration::from_secs(60),
                0,
            );
        }
        assert!(store.len() < 64, "{} answers kept", store.len());
        assert!(!store.is_empty());
    }

    #[test]
    fn a_fill_lock_has_one_holder_until_released_or_expired() {
        let store = MemoryStore::default();
        let held = store.try_lock_now("k", Duration::from_secs(60)).unwrap();
        assert!(store.try_lock_now("k", Duration::from_secs(60)).is_none());
        drop(futures_util::FutureExt::now_or_never(
            store.unlock("k", held),
        ));
        let short = store.try_lock_now("k", Duration::from_millis(1)).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert!(store.try_lock_now("k", Duration::from_secs(60)).is_some());
        drop(short);
    }
}
