//! The limits of channel sockets (§2.15.8), and which origins may open one (§2.15.2).

use std::time::Duration;

/// How channel sockets are bounded; the defaults are the reference server's (§2.15.8).
///
/// ```
/// use std::time::Duration;
/// use mizan::channels::ChannelOptions;
///
/// let options = ChannelOptions {
///     idle_timeout: Duration::from_secs(30),
///     ..ChannelOptions::default()
/// }
/// .allow_origin("https://app.example.com");
/// assert_eq!(options.max_frame_bytes, 65536);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelOptions {
    /// The largest client frame (or fragmented message), in bytes; beyond it: close 1009.
    pub max_frame_bytes: usize,
    /// The most subscriptions of one socket.
    pub max_subscriptions: usize,
    /// How long a socket may be quiet before the server sends `ping` (announced in whole
    /// seconds in `welcome`).
    pub ping_interval: Duration,
    /// How long a socket may send nothing before it is closed with 4000.
    pub idle_timeout: Duration,
    /// The most frames waiting to be written to one socket; beyond: close 4001.
    pub outbound_frames: usize,
    /// The most bytes waiting to be written to one socket; beyond: close 4001.
    pub outbound_bytes: usize,
    /// The frames a client may send in a burst; beyond the rate: close 4029.
    pub rate_burst: u32,
    /// The frames per second the burst refills at.
    pub rate_per_second: u32,
    /// The most open sockets of the server; beyond: `503 overloaded`.
    pub max_sockets: usize,
    /// How often a socket's credentials are checked again, at least (§2.15.7).
    pub recheck_interval: Duration,
    /// How long the client has to answer a close before the connection is dropped.
    pub close_timeout: Duration,
    /// Origins besides the server's own that may open sockets (`https://app.example.com`).
    pub allowed_origins: Vec<String>,
}

impl Default for ChannelOptions {
    fn default() -> Self {
        Self {
            max_frame_bytes: 65536,
            max_subscriptions: 100,
            ping_interval: Duration::from_secs(25),
            idle_timeout: Duration::from_secs(60),
            outbound_frames: 1024,
            outbound_bytes: 1 << 20,
            rate_burst: 100,
            rate_per_second: 20,
            max_sockets: 100_000,
            recheck_interval: Duration::from_secs(60),
            close_timeout: Duration::from_secs(5),
            allowed_origins: Vec::new(),
        }
    }
}

impl ChannelOptions {
    /// Lets pages of `origin` (scheme, host and port, as browsers send it in `Origin`) open
    /// sockets; the server's own origin always may.
    #[must_use]
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }
}
