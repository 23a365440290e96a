//! What the Redis layer's tests share: a layer on the test Redis under a prefix of its own, a sink
//! that records what it is handed, and a TCP proxy the test can cut.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use mizan::channels::{ChannelLayer, Delivery, DeliverySink, GroupKey, HistoryOptions, Position};
use mizan_redis::{RedisLayer, RedisLayerBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// The Redis the tests use; `scripts/services.sh` starts one there.
pub const REDIS: &str = "127.0.0.1:6379";

/// How long a test waits for something that should happen.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// A prefix no other test (or test run) uses.
pub fn unique_prefix() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "mizan-test-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A builder on the test Redis with `prefix`, a history kept 30 s (so that nothing outlives the
/// run for long) and a short timeout.
pub fn builder(prefix: &str) -> RedisLayerBuilder {
    builder_at(REDIS, prefix)
}

pub fn builder_at(addr: &str, prefix: &str) -> RedisLayerBuilder {
    RedisLayer::builder(format!("redis://{addr}"))
        .prefix(prefix)
        .history(HistoryOptions {
            len: 100,
            lifetime: Duration::from_secs(30),
        })
        .timeout(Duration::from_secs(1))
        .reconnect_delay(Duration::from_millis(50), Duration::from_millis(400))
}

/// What a sink was handed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Message(GroupKey, Position, String),
    Gap(GroupKey, Position),
}

/// Records every delivery and gap, in order.
pub struct Recorder {
    events: mpsc::UnboundedSender<Event>,
}

impl DeliverySink for Recorder {
    fn deliver(&self, delivery: Delivery) {
        let data = String::from_utf8(delivery.data.to_vec()).unwrap();
        let _ = self
            .events
            .send(Event::Message(delivery.key, delivery.position, data));
    }

    fn gap(&self, key: &GroupKey, position: Position) {
        let _ = self.events.send(Event::Gap(key.clone(), position));
    }
}

/// A connected layer with a recording sink attached.
pub struct Node {
    pub layer: RedisLayer,
    pub events: mpsc::UnboundedReceiver<Event>,
}

impl Node {
    pub async fn connect(builder: RedisLayerBuilder) -> Node {
        let layer = builder.connect().await.unwrap();
        let (sender, events) = mpsc::unbounded_channel();
        layer.attach(Arc::new(Recorder { events: sender }));
        Node { layer, events }
    }

    /// The next event, failing the test when none comes in time.
    pub async fn next(&mut self) -> Event {
        tokio::time::timeout(PATIENCE, self.events.recv())
            .await
            .expect("an event in time")
            .expect("the sink is alive")
    }

    /// Fails when an event comes within `wait`.
    pub async fn nothing_for(&mut self, wait: Duration) {
        if let Ok(event) = tokio::time::timeout(wait, self.events.recv()).await {
            panic!("unexpected event: {event:?}");
        }
    }

    pub async fn publish(&self, key: &GroupKey, data: &str) -> Position {
        self.layer
            .publish(key, Bytes::copy_from_slice(data.as_bytes()))
            .await
            .unwrap()
    }
}

pub fn key(channel: &str, group: &str) -> GroupKey {
    GroupKey::new(channel, group).unwrap()
}

/// A plain connection to the test Redis, to look at what the layer left there.
pub async fn redis() -> redis::aio::MultiplexedConnection {
    redis::Client::open(format!("redis://{REDIS}"))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// The Pub/Sub channels under `prefix` that some connection is subscribed to, sorted.
pub async fn subscribed_channels(prefix: &str) -> Vec<String> {
    let mut channels: Vec<String> = redis::cmd("PUBSUB")
        .arg("CHANNELS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut redis().await)
        .await
        .unwrap();
    channels.sort();
    channels
}

/// Polls `subscribed_channels(prefix)` until it is `expected`, failing after `PATIENCE`.
pub async fn await_channels(prefix: &str, expected: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let channels = subscribed_channels(prefix).await;
        if channels.len() == expected {
            return channels;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {expected} subscribed channels, found {channels:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many connections subscribe to `channel`.
pub async fn numsub(channel: &str) -> u64 {
    let (_, count): (String, u64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(channel)
        .query_async(&mut redis().await)
        .await
        .unwrap();
    count
}

/// A TCP forwarder to the test Redis that the test can cut (as a network failure or a Redis
/// restart would) or stall (as a partition that closes nothing would: bytes are held, not passed).
pub struct Proxy {
    pub addr: SocketAddr,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accepted: Arc<AtomicUsize>,
    open: watch::Sender<bool>,
}

impl Proxy {
    pub async fn start(addr: SocketAddr) -> Proxy {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let registry = Arc::clone(&tasks);
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        let (open, gate) = watch::channel(true);
        let accept = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::Relaxed);
                let gate = gate.clone();
                let forward = tokio::spawn(async move {
                    if let Ok(outbound) = TcpStream::connect(REDIS).await {
                        let (from_client, to_client) = inbound.into_split();
                        let (from_redis, to_redis) = outbound.into_split();
                        tokio::select! {
                            () = pump(from_client, to_redis, gate.clone()) => {}
                            () = pump(from_redis, to_client, gate) => {}
                        }
                    }
                });
                registry.lock().unwrap().push(forward);
            }
        });
        tasks.lock().unwrap().push(accept);
        Proxy {
            addr,
            tasks,
            accepted,
            open,
        }
    }

    /// How many connections the proxy has accepted.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Closes the listener and every forwarded connection.
    pub fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Holds every byte in either direction, on open connections and new ones, until `resume`.
    pub fn stall(&self) {
        self.open.send_replace(false);
    }

    pub fn resume(&self) {
        self.open.send_replace(true);
    }
}

/// Passes bytes from `from` to `to` while the gate is open; ends with either side.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut gate: watch::Receiver<bool>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if gate.wait_for(|open| *open).await.is_err()
            || to.write_all(&buffer[..read]).await.is_err()
        {
            return;
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

pub mod cache;
pub mod private_redis;
