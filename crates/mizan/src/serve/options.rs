//! The connection limits of [`serve`](super::serve).

use std::time::Duration;

/// Timeouts and limits of the connections [`serve`](crate::serve()) accepts (`spec/PROTOCOL.md`
/// §2.11). The defaults are safe for a server facing the internet.
///
/// ```
/// use std::time::Duration;
/// use mizan::ServeOptions;
///
/// let options = ServeOptions {
///     header_read_timeout: Duration::from_secs(5),
///     max_connections: 10_000,
///     ..ServeOptions::default()
/// };
/// assert_eq!(options.idle_timeout, Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// How long a request head (request line and headers) may take from its first byte to its
    /// end (default 10 s); a connection whose head takes longer is closed without an answer.
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in progress and no byte moving either
    /// way (default 60 s), counted from when it is accepted or its last answer was handed over.
    pub idle_timeout: Duration,
    /// The most connections open at once (default 1024; `0` counts as 1). While that many are
    /// open the server accepts no more: new connections wait in the operating system's listen
    /// backlog, which refuses them once it is full, until one closes.
    pub max_connections: usize,
    /// How long a graceful shutdown lets requests in progress finish before their connections
    /// are closed (default 10 s).
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
