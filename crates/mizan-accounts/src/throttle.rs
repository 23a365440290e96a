//! Counting attempts per key (an email, a client address) over fixed windows (§2.14.6).
//!
//! The counts live in this process's memory, in a bounded cache: a flood of distinct keys evicts
//! old windows instead of growing the server. Several processes each count their own share, so a
//! deployment of N processes allows up to N times the limit; the module's documentation says so.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use moka::sync::Cache;

/// At most `max` attempts per key in a window of `window`, which starts at the key's first
/// counted attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed in one window.
    pub max: u32,
    /// How long a window lasts.
    pub window: Duration,
}

impl Limit {
    /// `max` attempts per `window`.
    pub const fn new(max: u32, window: Duration) -> Self {
        Self { max, window }
    }
}

#[derive(Debug)]
struct Window {
    started: Instant,
    count: AtomicU32,
}

/// The windows of one kind of attempt.
#[derive(Clone)]
pub(crate) struct Counter {
    limit: Limit,
    windows: Cache<String, Arc<Window>>,
}

impl std::fmt::Debug for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counter")
            .field("limit", &self.limit)
            .finish()
    }
}

/// How many keys each counter remembers at most.
const MAX_KEYS: u64 = 100_000;

impl Counter {
    pub(crate) fn new(limit: Limit) -> Self {
        Self {
            limit,
            windows: Cache::builder()
                .max_capacity(MAX_KEYS)
                .time_to_live(limit.window)
                .build(),
        }
    }

    /// The whole seconds until `key` may try again, if its window is full.
    pub(crate) fn blocked(&self, key: &str) -> Option<u64> {
        let window = self.windows.get(key)?;
        (window.count.load(Ordering::Relaxed) >= self.limit.max).then(|| self.retry_after(&window))
    }

    /// Counts one attempt for `key`.
    pub(crate) fn record(&self, key: &str) {
        let window = self.windows.get_with_by_ref(key, || {
            Arc::new(Window {
                started: Instant::now(),
                count: AtomicU32::new(0),
            })
        });
        window.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one attempt for `key` unless its window is already full; the seconds to wait if it
    /// was.
    pub(crate) fn take(&self, key: &str) -> Option<u64> {
        if let Some(wait) = self.blocked(key) {
            return Some(wait);
        }
        self.record(key);
        None
    }

    fn retry_after(&self, window: &Window) -> u64 {
        let left = self.limit.window.saturating_sub(window.started.elapsed());
        // Whole seconds, rounded up, at least 1 (§2.14.6).
        (left.as_millis().div_ceil(1000) as u64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_blocks_until_it_ends() {
        let counter = Counter::new(Limit::new(2, Duration::from_millis(300)));
        assert_eq!(counter.blocked("a"), None);
        counter.record("a");
        assert_eq!(counter.blocked("a"), None);
        counter.record("a");
        assert_eq!(counter.blocked("a"), Some(1));
        assert_eq!(counter.blocked("b"), None, "keys are counted apart");
        std::thread::sleep(Duration::from_millis(350));
        counter.windows.run_pending_tasks();
        assert_eq!(counter.blocked("a"), None, "a new window starts");
    }

    #[test]
    fn take_counts_until_the_limit() {
        let counter = Counter::new(Limit::new(3, Duration::from_secs(3600)));
        assert_eq!(counter.take("x"), None);
        assert_eq!(counter.take("x"), None);
        assert_eq!(counter.take("x"), None);
        let wait = counter.take("x").unwrap();
        assert!((3599..=3600).contains(&wait), "{wait}");
    }
}
