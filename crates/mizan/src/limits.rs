//! The size limits of the protocol, shared by the HTTP endpoints and the function runner.

/// Limits of the protocol; the defaults suit most applications.
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 1 << 20,
            json_depth: 32,
            query_bytes: 8 << 10,
            batch_calls: 32,
        }
    }
}
