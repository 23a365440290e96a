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

    fn window(&self, key: &str) -> Arc<Window> {
        self.windows.get_with_by_ref(key, || {
            Arc::new(Window {
                started: Instant::now(),
                count: AtomicU32::new(0),
            })
        })
    }

    /// Counts one attempt for `key`, or refuses it with the whole seconds to wait when its
    /// window is full. Counting and checking are one atomic step, so attempts made at the same
    /// moment cannot all pass a check made before any of them is counted.
    pub(crate) fn take(&self, key: &str) -> Result<(), u64> {
        let window = self.window(key);
        if window.count.fetch_add(1, Ordering::AcqRel) >= self.limit.max {
            window.count.fetch_sub(1, Ordering::AcqRel);
            return Err(self.retry_after(&window));
        }
        Ok(())
    }

    /// Gives back an attempt [`take`](Self::take) counted: a sign-in that succeeded is no failure.
    pub(crate) fn refund(&self, key: &str) {
        if let Some(window) = self.windows.get(key) {
            let _ = window
                .count
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        }
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
    fn a_full_window_refuses_until_it_ends() {
        let counter = Counter::new(Limit::new(2, Duration::from_millis(300)));
        assert_eq!(counter.take("a"), Ok(()));
        assert_eq!(counter.take("a"), Ok(()));
        assert_eq!(counter.take("a"), Err(1));
        assert_eq!(counter.take("b"), Ok(()), "keys are counted apart");
        std::thread::sleep(Duration::from_millis(350));
        counter.windows.run_pending_tasks();
        assert_eq!(counter.take("a"), Ok(()), "a new window starts");
    }

    #[test]
    fn refunds_give_attempts_back_and_waits_are_whole_seconds() {
        let counter = Counter::new(Limit::new(1, Duration::from_secs(3600)));
        assert_eq!(counter.take("x"), Ok(()));
        counter.refund("x");
        counter.refund("x");
        assert_eq!(counter.take("x"), Ok(()), "a refund never goes below zero");
        let wait = counter.take("x").unwrap_err();
        assert!((3599..=3600).contains(&wait), "{wait}");
    }

    #[test]
    fn attempts_at_the_same_moment_pass_at_most_the_limit() {
        let counter = Arc::new(Counter::new(Limit::new(10, Duration::from_secs(60))));
        let passed: usize = (0..8)
            .map(|_| {
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || (0..50).filter(|_| counter.take("k").is_ok()).count())
            })
            .map(|t| t.join().unwrap())
            .sum();
        assert_eq!(passed, 10);
    }
}
