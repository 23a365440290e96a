//! Redis for [Mizan](mizan): [`RedisLayer`], the channel layer through which every server process
//! connected to one Redis shares channels (`spec/PROTOCOL.md` §2.15.6), and [`RedisCacheStore`],
//! the context cache's store they share (§2.16.6).
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use mizan::channels::{Channels, HistoryOptions};
//! use mizan::{Mizan, Registry};
//! use mizan_redis::RedisLayer;
//!
//! # async fn run(registry: Registry) -> Result<(), Box<dyn std::error::Error>> {
//! let layer = RedisLayer::builder("redis://127.0.0.1:6379")
//!     .prefix("my-app") // one per application sharing the Redis
//!     .history(HistoryOptions { len: 100, lifetime: Duration::from_secs(300) })
//!     .timeout(Duration::from_secs(3))
//!     .connect()
//!     .await?;
//! let channels = Channels::new(layer);
//! let app: axum::Router = Mizan::new(registry).channels(channels.clone()).router("/api/mizan");
//! # let _ = app; Ok(()) }
//! ```
//!
//! The layer also works on its own, through the [`ChannelLayer`](mizan::channels::ChannelLayer)
//! trait, as the server uses it:
//!
//! ```no_run
//! use mizan::channels::{ChannelLayer, GroupKey};
//! use mizan_redis::RedisLayer;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let layer = RedisLayer::builder("redis://127.0.0.1:6379").connect().await?;
//! let lobby = GroupKey::new("chat", "room.lobby").expect("a valid group");
//! let position = layer.publish(&lobby, r#"{"text":"hi"}"#.into()).await?;
//! let history = layer.history(&lobby, Some(position.offset - 1)).await?;
//! assert!(history.complete);
//! # Ok(()) }
//! ```
//!
//! What it gives:
//!
//! - **One history for all processes.** Each group's epoch, offset and last messages live in
//!   Redis, written by one atomic script per publish, and expire together after the history's
//!   lifetime: they survive the restart of every server process, and a history that expired
//!   starts again under a new epoch, as §2.15.4 requires.
//! - **Fan-out only where needed.** Each process has one Pub/Sub connection and subscribes to the
//!   groups it has subscribers for, no other; membership is never written to Redis, so a
//!   process that dies leaves nothing behind.
//! - **Failures that end.** Publishing, reading history and joining fail with a
//!   [`LayerError`](mizan::channels::LayerError) within the [timeout](RedisLayerBuilder::timeout)
//!   when Redis does not answer (subscribers see `unavailable`). The Pub/Sub connection comes
//!   back by itself, with backoff; the groups are resubscribed and the messages the process
//!   missed meanwhile are handed over from the history, or a gap when it no longer holds them.
//!
//! The key layout is described in [`channels`].
//!
//! The cache store is built the same way, and handed to the context cache:
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use mizan_redis::RedisCacheStore;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let store = RedisCacheStore::builder("redis://127.0.0.1:6379")
//!     .prefix("my-app:cache:")
//!     .timeout(Duration::from_millis(250))
//!     .tag_rev_retention(Duration::from_secs(86_400))
//!     .connect()
//!     .await?;
//! # let _ = store; Ok(()) }
//! ```
//!
//! Like the layer, it fails each operation within its timeout when Redis does not answer (the
//! cache then runs the function), works again when Redis returns, and hands every process's
//! purges to each process sharing it, over Pub/Sub.

pub mod cache;
pub mod channels;
mod connect;

#[doc(inline)]
pub use cache::{RedisCacheStore, RedisCacheStoreBuilder};
#[doc(inline)]
pub use channels::{RedisLayer, RedisLayerBuilder};
