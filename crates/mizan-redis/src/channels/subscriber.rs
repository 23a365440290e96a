//! The process's one Pub/Sub connection, owned by one task: it subscribes to the groups this
//! process has joined (and to no other), hands their messages to the sink, and when the connection
//! is lost, reconnects with backoff, resubscribes and recovers what was missed from the history.
//!
//! Membership lives only here, in memory: a process that dies leaves nothing behind in Redis.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use mizan::channels::{Delivery, DeliverySink, GroupKey, LayerError, Position};
use redis::aio::{PubSub, PubSubSink, PubSubStream};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, timeout};

use super::group::GroupStore;
use super::payload;

/// Where messages go once the layer is attached.
pub(crate) type SinkSlot = Arc<OnceLock<Arc<dyn DeliverySink>>>;

/// How the task keeps its connection: the delays between reconnection attempts (from `min`,
/// doubling up to `max`, each times a random factor between 0.5 and 1 so that many processes do
/// not reconnect in step), and how often it checks the connection with `PING`, so that one that
/// died without closing is noticed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Upkeep {
    pub(crate) min: Duration,
    pub(crate) max: Duration,
    pub(crate) ping: Duration,
}

/// A handle to the subscriber task; the task ends when the handle is dropped, closing the
/// connection (Redis then drops its subscriptions).
pub(crate) struct Subscriber {
    commands: mpsc::UnboundedSender<Command>,
    timeout: Duration,
}

enum Command {
    Join(GroupKey, oneshot::Sender<Result<(), LayerError>>),
    Leave(GroupKey),
}

impl Subscriber {
    /// Starts the task on `pubsub`, a connection made by the caller (so that a layer that cannot
    /// reach Redis fails to connect, rather than retrying in the background).
    pub(crate) fn spawn(
        client: redis::Client,
        pubsub: PubSub,
        store: Arc<GroupStore>,
        sink: SinkSlot,
        upkeep: Upkeep,
    ) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        let timeout = store.timeout();
        let task = Task {
            client,
            store,
            sink,
            upkeep,
            commands: receiver,
            joined: HashMap::new(),
        };
        tokio::spawn(task.run(pubsub.split()));
        Self { commands, timeout }
    }

    /// Subscribes to `key`'s group; resolves once Redis confirmed it.
    pub(crate) async fn join(&self, key: &GroupKey) -> Result<(), LayerError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Join(key.clone(), reply))
            .map_err(|_| LayerError::new("redis: the subscriber task has ended"))?;
        // The task's steps are bounded by the timeout too; a join that waited here longer is
        // refused, and the task undoes it when it finds nobody waiting for its answer.
        match timeout(self.timeout, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(LayerError::new("redis: the subscriber task has ended")),
            Err(_) => Err(LayerError::new(format!(
                "redis, group {key}: subscribing took longer than {:?}",
                self.timeout
            ))),
        }
    }

    /// Unsubscribes from `key`'s group, in the background, after any join sent before.
    pub(crate) fn leave(&self, key: &GroupKey) {
        // Only fails when the task has ended, which unsubscribed from everything.
        let _ = self.commands.send(Command::Leave(key.clone()));
    }
}

/// A group this process has joined, with the position of the last message handed to the sink
/// (or, before any, of the group when it was joined): recovery reads the history after it.
struct Joined {
    key: GroupKey,
    last: Position,
}

/// Why a connected session ended.
enum Ended {
    /// The handle was dropped.
    Closed,
    /// The connection failed.
    Lost(String),
}

struct Task {
    client: redis::Client,
    store: Arc<GroupStore>,
    sink: SinkSlot,
    upkeep: Upkeep,
    commands: mpsc::UnboundedReceiver<Command>,
    /// By Pub/Sub channel name.
    joined: HashMap<String, Joined>,
}

impl Task {
    async fn run(mut self, connection: (PubSubSink, PubSubStream)) {
        let mut connection = Some(connection);
        let mut delay = self.upkeep.min;
        loop {
            if let Some((mut sink, mut stream)) = connection.take() {
                match self.serve(&mut sink, &mut stream).await {
                    Ended::Closed => return,
                    Ended::Lost(reason) => {
                        tracing::warn!(
                            "redis channel layer: Pub/Sub connection lost ({reason}); reconnecting"
                        );
                        delay = self.upkeep.min;
                    }
                }
            }
            if !self.wait_disconnected(jittered(delay)).await {
                return;
            }
            match self.reconnect().await {
                Ok(restored) => {
                    tracing::info!(
                        groups = self.joined.len(),
                        "redis channel layer: Pub/Sub connection restored"
                    );
                    connection = Some(restored);
                }
                Err(error) => {
                    tracing::warn!("redis channel layer: reconnecting failed: {error}");
                    delay = (delay * 2).min(self.upkeep.max);
                }
            }
        }
    }

    /// Handles commands, messages and health checks until the connection fails or the handle is
    /// dropped.
    async fn serve(&mut self, sink: &mut PubSubSink, stream: &mut PubSubStream) -> Ended {
        let every = self.upkeep.ping;
        let mut ping = tokio::time::interval_at(Instant::now() + every, every);
        loop {
            tokio::select! {
                command = self.commands.recv() => {
                    let outcome = match command {
                        None => return Ended::Closed,
                        Some(Command::Join(key, reply)) => self.join(sink, key, reply).await,
                        Some(Command::Leave(key)) => self.leave(sink, &key).await,
                    };
                    if let Err(reason) = outcome {
                        return Ended::Lost(reason);
                    }
                }
                message = stream.next() => match message {
                    None => return Ended::Lost("closed".into()),
                    Some(message) => self.deliver(&message),
                },
                _ = ping.tick() => {
                    if let Err(reason) = self.bounded(sink.ping::<redis::Value>()).await {
                        return Ended::Lost(reason);
                    }
                }
            }
        }
    }

    /// Subscribes, then reads the group's position as the point recovery starts from. The error
    /// is the connection's failure; the caller's is in `reply`.
    async fn join(
        &mut self,
        sink: &mut PubSubSink,
        key: GroupKey,
        reply: oneshot::Sender<Result<(), LayerError>>,
    ) -> Result<(), String> {
        let channel = self.store.names(&key).pubsub;
        if self.joined.contains_key(&channel) {
            let _ = reply.send(Ok(()));
            return Ok(());
        }
        if reply.is_closed() {
            return Ok(());
        }
        if let Err(reason) = self.bounded(sink.subscribe(&channel)).await {
            let _ = reply.send(Err(LayerError::new(format!(
                "redis, group {key}: subscribing failed: {reason}"
            ))));
            return Err(reason);
        }
        // After the subscription, so that every message past this position arrives live.
        let start = match self.store.history(&key, None).await {
            Ok(history) => history.position,
            Err(error) => {
                let _ = reply.send(Err(error));
                return self.bounded(sink.unsubscribe(&channel)).await;
            }
        };
        if reply.send(Ok(())).is_err() {
            // The caller gave up waiting: it will not leave a group it believes it never joined.
            return self.bounded(sink.unsubscribe(&channel)).await;
        }
        self.joined.insert(channel, Joined { key, last: start });
        Ok(())
    }

    async fn leave(&mut self, sink: &mut PubSubSink, key: &GroupKey) -> Result<(), String> {
        let channel = self.store.names(key).pubsub;
        if self.joined.remove(&channel).is_none() {
            return Ok(());
        }
        self.bounded(sink.unsubscribe(&channel)).await
    }

    /// Hands a live message to the sink, decoded once.
    fn deliver(&mut self, message: &redis::Msg) {
        let Some(joined) = self.joined.get_mut(message.get_channel_name()) else {
            // A message sent before an unsubscription took effect.
            return;
        };
        let Some((position, data)) =
            payload::decode(Bytes::copy_from_slice(message.get_payload_bytes()))
        else {
            tracing::warn!(
                group = %joined.key,
                "redis channel layer: dropped a payload this layer did not publish"
            );
            return;
        };
        if position.epoch != joined.last.epoch || position.offset > joined.last.offset {
            joined.last = position.clone();
        }
        if let Some(sink) = self.sink.get() {
            sink.deliver(Delivery {
                key: joined.key.clone(),
                position,
                data,
            });
        }
    }

    /// Waits `delay`, refusing joins (nothing can be subscribed now) and forgetting left groups;
    /// `false` when the handle was dropped.
    async fn wait_disconnected(&mut self, delay: Duration) -> bool {
        let deadline = tokio::time::sleep(delay);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => return true,
                command = self.commands.recv() => match command {
                    None => return false,
                    Some(Command::Join(key, reply)) => {
                        let channel = self.store.names(&key).pubsub;
                        // A joined group stays joined, and is resubscribed on reconnection.
                        let _ = reply.send(if self.joined.contains_key(&channel) {
                            Ok(())
                        } else {
                            Err(LayerError::new(format!(
                                "redis, group {key}: the Pub/Sub connection is down, reconnecting"
                            )))
                        });
                    }
                    Some(Command::Leave(key)) => {
                        self.joined.remove(&self.store.names(&key).pubsub);
                    }
                },
            }
        }
    }

    /// A new connection subscribed to every joined group, after which each group's missed
    /// messages are delivered from the history, or a gap where the history no longer has them.
    async fn reconnect(&mut self) -> Result<(PubSubSink, PubSubStream), String> {
        let pubsub = self.bounded(self.client.get_async_pubsub()).await?;
        let (mut sink, stream) = pubsub.split();
        if !self.joined.is_empty() {
            let channels: Vec<&String> = self.joined.keys().collect();
            self.bounded(sink.subscribe(channels)).await?;
        }
        let Some(deliveries) = self.sink.get().cloned() else {
            return Ok((sink, stream));
        };
        for joined in self.joined.values_mut() {
            let history = self
                .store
                .history(&joined.key, Some(joined.last.offset))
                .await
                .map_err(|error| error.to_string())?;
            if history.position.epoch != joined.last.epoch || !history.complete {
                deliveries.gap(&joined.key, history.position.clone());
            } else {
                for (offset, data) in history.messages {
                    let position = Position {
                        epoch: history.position.epoch.clone(),
                        offset,
                    };
                    deliveries.deliver(Delivery {
                        key: joined.key.clone(),
                        position,
                        data,
                    });
                }
            }
            joined.last = history.position;
        }
        Ok((sink, stream))
    }

    /// `operation`, failing after the layer's timeout.
    async fn bounded<T>(
        &self,
        operation: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, String> {
        match timeout(self.store.timeout(), operation).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err(format!("no answer within {:?}", self.store.timeout())),
        }
    }
}

/// `delay` times a random factor between 0.5 and 1.
fn jittered(delay: Duration) -> Duration {
    let mut byte = [0u8; 1];
    // Without randomness the full delay is as good, only less spread.
    let random = getrandom::fill(&mut byte).map_or(255, |()| byte[0]);
    delay.mul_f64(0.5 + f64::from(random) / 510.0)
}
