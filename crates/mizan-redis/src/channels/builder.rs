//! Configuring and connecting a [`RedisLayer`].

use std::sync::Arc;
use std::time::Duration;

use mizan::channels::{HistoryOptions, LayerError};

use super::RedisLayer;
use super::group::GroupStore;
use super::subscriber::{Subscriber, Upkeep};

/// The options of a [`RedisLayer`], from [`RedisLayer::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `connect` is called"]
pub struct RedisLayerBuilder {
    url: String,
    prefix: String,
    history: HistoryOptions,
    timeout: Duration,
    upkeep: Upkeep,
}

impl RedisLayerBuilder {
    pub(super) fn new(url: String) -> Self {
        Self {
            url,
            prefix: "mizan".to_owned(),
            history: HistoryOptions::default(),
            timeout: Duration::from_secs(3),
            upkeep: Upkeep {
                min: Duration::from_millis(100),
                max: Duration::from_secs(5),
                ping: Duration::from_secs(5),
            },
        }
    }

    /// The start of every key and Pub/Sub channel name the layer uses (default `mizan`): the
    /// applications sharing one Redis need different prefixes, the processes of one application
    /// the same. It must not contain `{` or `}`, which Redis Cluster reads as a hash tag.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How many messages each group keeps, and for how long after its last publish (default: 100
    /// messages, 300 s). Every process of an application should use the same.
    pub fn history(mut self, history: HistoryOptions) -> Self {
        self.history = history;
        self
    }

    /// How long one operation may wait for Redis before it fails with a [`LayerError`] (default:
    /// 3 s): a publish, a history read, a join, connecting.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The delays between attempts to reconnect the Pub/Sub connection: from `min`, doubling up to
    /// `max`, each randomized between half and all of it (default: 100 ms to 5 s).
    pub fn reconnect_delay(mut self, min: Duration, max: Duration) -> Self {
        self.upkeep.min = min;
        self.upkeep.max = max;
        self
    }

    /// How often the Pub/Sub connection is checked with `PING` (default: 5 s): a connection that
    /// died without closing (a network partition) is noticed within this plus the timeout.
    pub fn health_check(mut self, every: Duration) -> Self {
        self.upkeep.ping = every;
        self
    }

    /// Connects to Redis (a connection for commands, one for Pub/Sub); fails within the timeout
    /// when Redis does not answer, or at once when an option is unusable.
    pub async fn connect(self) -> Result<RedisLayer, LayerError> {
        self.check()?;
        let (client, commands, pubsub) =
            crate::connect::open(&self.url, self.timeout, self.upkeep.min, self.upkeep.max)
                .await
                .map_err(LayerError::new)?;
        let store = Arc::new(GroupStore::new(
            commands,
            self.prefix,
            self.history,
            self.timeout,
        ));
        let sink = Arc::default();
        let subscriber = Subscriber::spawn(
            client,
            pubsub,
            Arc::clone(&store),
            Arc::clone(&sink),
            self.upkeep,
        );
        Ok(RedisLayer {
            store,
            subscriber,
            sink,
        })
    }

    fn check(&self) -> Result<(), LayerError> {
        let invalid = |what: &str| Err(LayerError::new(format!("redis layer: {what}")));
        if self.prefix.is_empty() || self.prefix.contains(['{', '}']) {
            return invalid("the prefix must be non-empty and hold no `{` or `}`");
        }
        if self.history.lifetime < Duration::from_millis(1) {
            return invalid("the history's lifetime must be at least 1 ms");
        }
        if self.timeout.is_zero() {
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
