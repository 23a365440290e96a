//! The size and time limits of the protocol, shared by the HTTP endpoints and the function runner.

use std::time::Duration;

/// Limits of the protocol; the defaults suit most applications (`spec/PROTOCOL.md` §2.11).
///
/// ```
/// use std::time::Duration;
/// use mizan::Limits;
///
/// let limits = Limits {
///     body_bytes: 256 << 10,
///     body_grace: Duration::from_secs(2),
///     ..Limits::default()
/// };
/// assert_eq!(limits.body_min_rate, 8192);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body, in bytes (default 1 MiB).
    pub body_bytes: usize,
    /// The deepest nesting of arrays and objects in the params of calls and batch items (default
    /// 32); the `depth_exceeded` message names it. A context's `p` is canonical JSON, whose depth
    /// is always at most 32 (`spec/PROTOCOL.md` §1.1.2).
    pub json_depth: usize,
    /// The longest query string of a context URL, in bytes (default 8 KiB).
    pub query_bytes: usize,
    /// The most calls in one batch (default 32).
    pub batch_calls: usize,
    /// How long a request body may take before [`body_min_rate`](Self::body_min_rate) applies
    /// (default 5 s).
    pub body_grace: Duration,
    /// The slowest a request body may arrive, in bytes per second after the grace period (default
    /// 8192): `t` after the server starts reading a body, at least `(t - body_grace) ×
    /// body_min_rate` bytes of it must have arrived, or the request fails with `408
    /// request_timeout`. `0` sets no minimum rate: the body must then arrive within
    /// `body_grace`.
    pub body_min_rate: u32,
    /// The most bytes of request bodies one [`Mizan`](crate::Mizan) buffers at once, across all
    /// its requests (default 64 MiB). A request whose body would go over it fails with `503
    /// overloaded` and `Retry-After: 1` instead of growing the server's memory. A body declared
    /// with `Content-Length` reserves its whole length before it is read.
    pub body_budget_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 1 << 20,
            json_depth: 32,
            query_bytes: 8 << 10,
            batch_calls: 32,
            body_grace: Duration::from_secs(5),
            body_min_rate: 8192,
            body_budget_bytes: 64 << 20,
        }
    }
}
