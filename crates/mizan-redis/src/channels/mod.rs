//! The Redis channel layer: several server processes share channels through one Redis
//! (`spec/PROTOCOL.md` §2.15.6).
//!
//! What lives where, for a group `g` of channel `c` under the prefix `p` (with `c` and `g`
//! percent-encoded so that no two groups share a name):
//!
//! - `p:{c:g}:position`, a hash: the group's `epoch` and `offset`;
//! - `p:{c:g}:history`, a stream of the last messages, with ids `0-<offset>`;
//! - `p:{c:g}:messages`, the Pub/Sub channel each message is published to as
//!   `<epoch> <offset> <data>`.
//!
//! Both keys expire with the history's lifetime after the last publish. Nothing about which
//! process has subscribers is written: each process subscribes to the Pub/Sub channels of the
//! groups it has subscribers for, on its one Pub/Sub connection.

mod builder;
mod group;
mod keys;
mod payload;
mod subscriber;

use std::sync::Arc;

use bytes::Bytes;
use mizan::BoxFuture;
use mizan::channels::{ChannelLayer, DeliverySink, GroupKey, History, LayerError, Position};

pub use builder::RedisLayerBuilder;
use group::GroupStore;
use subscriber::{SinkSlot, Subscriber};

/// A [`ChannelLayer`] on Redis: offsets, epochs and history in Redis (they survive the restart of
/// every server process), messages carried by Redis Pub/Sub to every process that has joined their
/// group.
///
/// When Redis cannot be reached, publishing, reading history and joining fail with a
/// [`LayerError`] within the [timeout](RedisLayerBuilder::timeout); the Pub/Sub connection is
/// re-established with backoff, the joined groups resubscribed, and each group's messages
/// published meanwhile handed to the sink from the history (or a gap where it no longer has them).
/// A publish that failed for want of an answer may still have reached Redis and been delivered:
/// a timeout cannot tell "not done" from "not answered".
///
/// Dropping the layer closes its connections, which ends its subscriptions in Redis.
pub struct RedisLayer {
    store: Arc<GroupStore>,
    subscriber: Subscriber,
    sink: SinkSlot,
}

impl RedisLayer {
    /// A layer on the Redis at `url` (`redis://[user:password@]host[:port][/db]`), to configure,
    /// then [connect](RedisLayerBuilder::connect).
    pub fn builder(url: impl Into<String>) -> RedisLayerBuilder {
        RedisLayerBuilder::new(url.into())
    }
}

impl std::fmt::Debug for RedisLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLayer").finish_non_exhaustive()
    }
}

impl ChannelLayer for RedisLayer {
    fn attach(&self, sink: Arc<dyn DeliverySink>) {
        if self.sink.set(sink).is_err() {
            tracing::warn!("redis channel layer: attached twice; the first sink stays");
        }
    }

    fn publish<'a>(
        &'a self,
        key: &'a GroupKey,
        data: Bytes,
    ) -> BoxFuture<'a, Result<Position, LayerError>> {
        Box::pin(async move { self.store.publish(key, &data).await })
    }

    fn join<'a>(&'a self, key: &'a GroupKey) -> BoxFuture<'a, Result<(), LayerError>> {
        Box::pin(self.subscriber.join(key))
    }

    fn leave(&self, key: &GroupKey) {
        self.subscriber.leave(key);
    }

    fn history<'a>(
        &'a self,
        key: &'a GroupKey,
        after: Option<u64>,
    ) -> BoxFuture<'a, Result<History, LayerError>> {
        Box::pin(self.store.history(key, after))
    }
}
