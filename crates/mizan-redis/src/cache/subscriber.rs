//! The store's one Pub/Sub connection, owned by one task: subscribed to the purge channel, it hands
//! every other store's purges to the sink, and when the connection is lost it reconnects with
//! backoff, subscribes again and hands over the purges it missed from the purge log. The store
//! hands its own purges to the sink itself, when they succeed, so they reach it even while this
//! connection is down; their echo is skipped here.
//!
//! Each purge is handed over once: the task remembers the log id of the last purge it handled and
//! skips any at or before it, whether it comes live or from the log.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use mizan::cache::{Invalidation, PurgeSink};
use redis::Value;
use redis::aio::{ConnectionManager, PubSub, PubSubSink, PubSubStream};
use tokio::sync::oneshot;
use tokio::time::{Instant, timeout};

use super::codec::{self, LogId, Purge};

/// How many log entries one read takes.
const LOG_PAGE: usize = 500;

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
    /// For reading the log (a subscribed connection cannot).
    pub(crate) commands: ConnectionManager,
    pub(crate) channel: String,
    pub(crate) log: String,
    pub(crate) origin: String,
    pub(crate) sink: SinkSlot,
    pub(crate) upkeep: Upkeep,
}

/// Subscribes `pubsub` to the channel and finds where the log ends, within the timeout (so that a
/// store that cannot subscribe fails to connect), then starts the task; it ends when `stop`'s
/// sender is dropped.
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
    // After subscribing: every purge past this point arrives live.
    let mut newest = redis::cmd("XREVRANGE");
    newest
        .arg(&subscription.log)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1);
    let entries: Vec<Value> = bounded(
        subscription.upkeep.timeout,
        newest.query_async(&mut subscription.commands.clone()),
    )
    .await?;
    let last = match entries.first() {
        None => LogId::default(),
        Some(entry) => {
            log_entry(entry)
                .ok_or("the purge log holds an entry this store did not write")?
                .0
        }
    };
    tokio::spawn(subscription.run((sink, stream), stop, last));
    Ok(())
}

/// Why a connected session ended.
enum Ended {
    Stopped,
    Lost(String),
}

impl Subscription {
    async fn run(
        self,
        connection: (PubSubSink, PubSubStream),
        mut stop: oneshot::Receiver<()>,
        mut last: LogId,
    ) {
        let mut connection = Some(connection);
        let mut delay = self.upkeep.min;
        loop {
            if let Some((mut sink, mut stream)) = connection.take() {
                match self
                    .serve(&mut sink, &mut stream, &mut stop, &mut last)
                    .await
                {
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
            match self.reconnect(&mut last).await {
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
        last: &mut LogId,
    ) -> Ended {
        let every = self.upkeep.ping;
        let mut ping = tokio::time::interval_at(Instant::now() + every, every);
        loop {
            tokio::select! {
                _ = &mut *stop => return Ended::Stopped,
                message = stream.next() => match message {
                    None => return Ended::Lost("closed".into()),
                    Some(message) => match codec::decode_message(message.get_payload_bytes()) {
                        Some((id, purge)) => self.deliver(last, id, purge),
                        None => tracing::warn!(
                            "redis cache store: dropped a purge message this store did not write"
                        ),
                    },
                },
                _ = ping.tick() => {
                    if let Err(reason) = bounded(self.upkeep.timeout, sink.ping::<redis::Value>()).await {
                        return Ended::Lost(reason);
                    }
                }
            }
        }
    }

    /// Hands a purge to the sink, unless it was handled already or is this store's own.
    fn deliver(&self, last: &mut LogId, id: LogId, purge: Purge) {
        if id <= *last {
            return;
        }
        *last = id;
        if purge.origin == self.origin {
            return;
        }
        if let Some(sink) = self.sink.get() {
            sink(Invalidation {
                tags: purge.tags,
                rev: purge.rev,
            });
        }
    }

    /// A new connection subscribed to the purges, after which the purges logged since `last` are
    /// handed over.
    async fn reconnect(&self, last: &mut LogId) -> Result<(PubSubSink, PubSubStream), String> {
        let timeout = self.upkeep.timeout;
        let pubsub = bounded(timeout, self.client.get_async_pubsub()).await?;
        let (mut sink, stream) = pubsub.split();
        bounded(timeout, sink.subscribe(&self.channel)).await?;
        loop {
            let mut page = redis::cmd("XRANGE");
            page.arg(&self.log)
                .arg(format!("({last}"))
                .arg("+")
                .arg("COUNT")
                .arg(LOG_PAGE);
            let entries: Vec<Value> =
                bounded(timeout, page.query_async(&mut self.commands.clone())).await?;
            for entry in &entries {
                match log_entry(entry) {
                    Some((id, purge)) => self.deliver(last, id, purge),
                    None => {
                        return Err("the purge log holds an entry this store did not write".into());
                    }
                }
            }
            if entries.len() < LOG_PAGE {
                return Ok((sink, stream));
            }
        }
    }
}

/// One entry of the purge log as XRANGE gives it, `[id, ["p", "<rev> <tail>"]]`.
fn log_entry(entry: &Value) -> Option<(LogId, Purge)> {
    let Value::Array(parts) = entry else {
        return None;
    };
    let [Value::BulkString(id), Value::Array(fields)] = parts.as_slice() else {
        return None;
    };
    let [_, Value::BulkString(message)] = fields.as_slice() else {
        return None;
    };
    Some((LogId::parse(id)?, codec::decode_purge(message)?))
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
