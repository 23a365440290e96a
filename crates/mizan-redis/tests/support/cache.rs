//! What the cache store's tests share: stores on the test Redis, a sink that records purges, a
//! private `redis-server` the test can kill and restart, and a server that never answers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use mizan::cache::{CacheStore, Invalidation, StoredAnswer};
use mizan_redis::{RedisCacheStore, RedisCacheStoreBuilder};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{PATIENCE, REDIS};

/// A store builder on `addr` under `prefix`, with a timeout roomy enough for a loaded machine and
/// quick reconnection.
pub fn store_builder_at(addr: &str, prefix: &str) -> RedisCacheStoreBuilder {
    RedisCacheStore::builder(format!("redis://{addr}"))
        .prefix(format!("{prefix}:"))
        .timeout(Duration::from_secs(1))
        .tag_rev_retention(Duration::from_secs(60))
        .reconnect_delay(Duration::from_millis(50), Duration::from_millis(400))
        .health_check(Duration::from_millis(500))
}

/// A connected store on the test Redis under `prefix`.
pub async fn store(prefix: &str) -> RedisCacheStore {
    store_builder_at(REDIS, prefix).connect().await.unwrap()
}

/// An answer under `key` with `tags`, its body naming the key.
pub fn answer(key: &str, tags: &[&str]) -> Arc<StoredAnswer> {
    Arc::new(StoredAnswer {
        key: key.to_owned(),
        body: Bytes::from(format!("{{\"key\":\"{key}\"}}")),
        etag: format!("\"etag-{key}\""),
        tags: tags.iter().map(|&tag| tag.to_owned()).collect(),
    })
}

pub fn tags(tags: &[&str]) -> Vec<String> {
    tags.iter().map(|&tag| tag.to_owned()).collect()
}

/// Unix time in milliseconds.
pub fn unix_ms() -> u64 {
    u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// The purges handed to a store's sink.
pub struct Purges(mpsc::UnboundedReceiver<Invalidation>);

impl Purges {
    /// Attaches a recording sink to `store`.
    pub fn attach(store: &impl CacheStore) -> Purges {
        let (sender, receiver) = mpsc::unbounded_channel();
        store.on_purge(Arc::new(move |invalidation| {
            let _ = sender.send(invalidation);
        }));
        Purges(receiver)
    }

    pub async fn next(&mut self) -> Invalidation {
        tokio::time::timeout(PATIENCE, self.0.recv())
            .await
            .expect("a purge in time")
            .expect("the sink is alive")
    }

    pub async fn within(&mut self, wait: Duration) -> Option<Invalidation> {
        tokio::time::timeout(wait, self.0.recv())
            .await
            .ok()
            .flatten()
    }

    pub async fn nothing_for(&mut self, wait: Duration) {
        if let Some(purge) = self.within(wait).await {
            panic!("unexpected purge: {purge:?}");
        }
    }
}

/// A TCP server that accepts connections and never answers, as a hung Redis would.
pub struct Silent {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Silent {
    pub async fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        Silent { addr, task }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.task.abort();
    }
}
