//! Configuring and connecting a [`RedisCacheStore`].

use std::sync::Arc;
use std::time::Duration;

use mizan::cache::StoreError;
use tokio::sync::oneshot;

use super::RedisCacheStore;
use super::names::Names;
use super::ops::Ops;
use super::subscriber::{self, Subscription, Upkeep};

/// The options of a [`RedisCacheStore`], from [`RedisCacheStore::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `connect` is called"]
pub struct RedisCacheStoreBuilder {
    url: String,
    prefix: String,
    retention: Duration,
    upkeep: Upkeep,
}

impl RedisCacheStoreBuilder {
    pub(super) fn new(url: String) -> Self {
        Self {
            url,
            prefix: "mizan:cache:".to_owned(),
            retention: Duration::from_secs(86_400),
            upkeep: Upkeep {
                min: Duration::from_millis(100),
                max: Duration::from_secs(5),
                ping: Duration::from_secs(5),
                timeout: Duration::from_millis(250),
            },
        }
    }

    /// The start of every key and of the Pub/Sub channel the store uses (default `mizan:cache:`,
    /// used as given: end it with a separator). The applications sharing one Redis need different
    /// prefixes, the processes of one application the same.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long one operation may wait for Redis before it fails with a [`StoreError`] (default
    /// 250 ms, spec §2.16.6); also the bound on connecting.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.upkeep.timeout = timeout;
        self
    }

    /// How long the rev of a tag's last purge is remembered (default 24 h). It must be at least
    /// the longest `max_age + swr` of the application's policies (spec §2.16.3).
    pub fn tag_rev_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The delays between attempts to reconnect the Pub/Sub connection: from `min`, doubling up to
    /// `max`, each randomized between half and all of it (default: 100 ms to 5 s).
    pub fn reconnect_delay(mut self, min: Duration, max: Duration) -> Self {
        self.upkeep.min = min;
        self.upkeep.max = max;
        self
    }

    /// How often the Pub/Sub connection is checked with `PING` (default 5 s): a connection that
    /// died without closing is noticed within this plus the timeout.
    pub fn health_check(mut self, every: Duration) -> Self {
        self.upkeep.ping = every;
        self
    }

    /// Connects to Redis (a connection for commands, one for Pub/Sub, subscribed to the purges);
    /// fails within the timeout when Redis does not answer, or at once when an option is unusable.
    pub async fn connect(self) -> Result<RedisCacheStore, StoreError> {
        self.check()?;
        let limit = self.upkeep.timeout;
        let (client, commands, pubsub) =
            crate::connect::open(&self.url, limit, self.upkeep.min, self.upkeep.max)
                .await
                .map_err(StoreError::new)?;
        let ops = Ops::new(commands, Names::new(self.prefix), limit, self.retention)?;
        let sink = Arc::default();
        let (stop, stopped) = oneshot::channel();
        let subscription = Subscription {
            client,
            commands: ops.connection.clone(),
            channel: ops.names.channel(),
            log: ops.names.log(),
            origin: ops.origin.clone(),
            sink: Arc::clone(&sink),
            upkeep: self.upkeep,
        };
        subscriber::spawn(subscription, pubsub, stopped)
            .await
            .map_err(|error| StoreError::new(format!("redis: subscribing to purges: {error}")))?;
        Ok(RedisCacheStore {
            ops,
            sink,
            _stop: stop,
        })
    }

    fn check(&self) -> Result<(), StoreError> {
        let invalid = |what: &str| Err(StoreError::new(format!("redis cache store: {what}")));
        if self.prefix.is_empty() {
            return invalid("the prefix must not be empty");
        }
        if self.retention < Duration::from_millis(1) {
            return invalid("the tag rev retention must be at least 1 ms");
        }
        if self.upkeep.timeout.is_zero() {
            return invalid("the timeout must not be zero");
        }
        if self.upkeep.min.is_zero() || self.upkeep.min > self.upkeep.max {
            return invalid(
                "the reconnect delays must be positive, the minimum not over the maximum",
            );
        }
        if self.upkeep.ping.is_zero() {
            return invalid("the health check interval must not be zero");
        }
        Ok(())
    }
}
