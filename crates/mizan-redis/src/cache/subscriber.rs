//! The store's one Pub/Sub connection, owned by one task: subscribed to the purge channel, it hands
//! every other store's purges to the sink, and when the connection is lost it reconnects with
//! backoff and subscribes again. The store hands its own purges to the sink itself, when they
//! succeed, so they reach it even while this connection is down; their echo is skipped here.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use mizan::cache::{Invalidation, PurgeSink};
use redis::aio::{PubSub, PubSubSink, PubSubStream};
use tokio::sync::oneshot;
use tokio::time::{Instant, timeout};

use super::codec;

/// Where purges go once [`on_purge`](mizan::cache::CacheStore::on_purge) was called.
pub(crate) type SinkSlot = Arc<OnceLock<PurgeSink>>;

/// How the task keeps its connection: reconnection delays from `min`, doubling up to `max`, each
/// times a random factor between 0.5 and 1; a `PING` every `ping`, so that a connection that died
/// without closing is noticed; `timeout` on each step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Upkeep {
    pub(crate) min: Duration,
    pub(crate) max: Duration,
    pub(crate) ping: Duration,
    pub(crate) timeout: Duration,
}

/// The task's settings.
pub(crate) struct Subscription {
    pub(crate) client: redis::Client,
    pub(crate) channel: String,
    pub(crate) origin: String,
    pub(crate) sink: SinkSlot,
    pub(crate) upkeep: Upkeep,
}

/// Subscribes `pubsub` to the channel, within the timeout (so that a store that cannot subscribe
/// fails to connect), then starts the task; it ends when `stop`'s sender is dropped.
pub(crate) async fn spawn(
    subscription: Subscription,
    pubsub: PubSub,
    stop: oneshot::Receiver<()>,
) -> Result<(), String> {
    let (mut sink, stream) = pubsub.split();
    bounded(
        subscription.upkeep.timeout,
        sink.subscribe(&subscription.channel),
    )
    .await?;
    tokio::spawn(subscription.run((sink, stream), stop));
    Ok(())
}

/// Why a connected session ended.
enum Ended {
    Stopped,
    Lost(String),
}

impl Subscription {
    async fn run(self, connection: (PubSubSink, PubSubStream), mut stop: oneshot::Receiver<()>) {
        let mut connection = Some(connection);
        let mut delay = self.upkeep.min;
        loop {
            if let Some((mut sink, mut stream)) = connection.take() {
                match self.serve(&mut sink, &mut stream, &mut stop).await {
                    Ended::Stopped => return,
                    Ended::Lost(reason) => {
                        tracing::warn!(
                            "redis cache store: Pub/Sub connection lost ({reason}); reconnecting"
                        );
                        delay = self.upkeep.min;
                    }
                }
            }
            tokio::select! {
                _ = &mut stop => return,
                () = tokio::time::sleep(jittered(delay)) => {}
            }
            match self.reconnect().await {
                Ok(restored) => {
                    tracing::info!("redis cache store: Pub/Sub connection restored");
                    connection = Some(restored);
                }
                Err(error) => {
                    tracing::warn!("redis cache store: reconnecting failed: {error}");
                    delay = (delay * 2).min(self.upkeep.max);
                }
            }
        }
    }

    async fn serve(
        &self,
        sink: &mut PubSubSink,
        stream: &mut PubSubStream,
        stop: &mut oneshot::Receiver<()>,
    ) -> Ended {
        let every = self.upkeep.ping;
        let mut ping = tokio::time::interval_at(Instant::now() + every, every);
        loop {
            tokio::select! {
                _ = &mut *stop => return Ended::Stopped,
                message = stream.next() => match message {
                    None => return Ended::Lost("closed".into()),
                    Some(message) => self.deliver(message.get_payload_bytes()),
                },
                _ = ping.tick() => {
                    if let Err(reason) = bounded(self.upkeep.timeout, sink.ping::<redis::Value>()).await {
                        return Ended::Lost(reason);
                    }
                }
            }
        }
    }

    fn deliver(&self, payload: &[u8]) {
        let Some((rev, origin, tags)) = codec::decode_purge(payload) else {
            tracing::warn!("redis cache store: dropped a purge message this store did not write");
            return;
        };
        if origin == self.origin {
            return;
        }
        if let Some(sink) = self.sink.get() {
            sink(Invalidation { tags, rev });
        }
    }

    async fn reconnect(&self) -> Result<(PubSubSink, PubSubStream), String> {
        let timeout = self.upkeep.timeout;
        let pubsub = bounded(timeout, self.client.get_async_pubsub()).await?;
        let (mut sink, stream) = pubsub.split();
        bounded(timeout, sink.subscribe(&self.channel)).await?;
        Ok((sink, stream))
    }
}

/// `operation`, failing after `limit`.
async fn bounded<T>(
    limit: Duration,
    operation: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, String> {
    match timeout(limit, operation).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {limit:?}")),
    }
}

/// `delay` times a random factor between 0.5 and 1.
fn jittered(delay: Duration) -> Duration {
    let mut byte = [0u8; 1];
    // Without randomness the full delay is as good, only less spread.
    let random = getrandom::fill(&mut byte).map_or(255, |()| byte[0]);
    delay.mul_f64(0.5 + f64::from(random) / 510.0)
}
