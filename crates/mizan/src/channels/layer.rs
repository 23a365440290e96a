//! The seam between a server process and the other processes of its application: a channel layer
//! assigns offsets, keeps each group's history and carries messages to every process with
//! subscribers in the group (`spec/PROTOCOL.md` §2.15.6).
//!
//! The process's own subscribers (group membership, encoding each message once, per-socket
//! queues) are not the layer's business: it hands every message of the groups this process has
//! [joined](ChannelLayer::join) to the [`DeliverySink`] it was [attached](ChannelLayer::attach) to.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::BoxFuture;

/// A channel's group: where a message goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    channel: Arc<str>,
    group: Arc<str>,
}

impl GroupKey {
    /// The group `group` of the channel `channel`; `None` when the group breaks the rule of
    /// §2.15.3 (1 to 256 bytes, no control characters). The channel name is not checked here.
    pub fn new(channel: impl Into<Arc<str>>, group: impl Into<Arc<str>>) -> Option<Self> {
        let group = group.into();
        is_valid_group(&group).then(|| Self {
            channel: channel.into(),
            group,
        })
    }

    /// The channel's name.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// The group's name.
    pub fn group(&self) -> &str {
        &self.group
    }
}

impl fmt::Display for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.channel, self.group)
    }
}

/// Whether `group` is a valid group name: 1 to 256 bytes without control characters.
pub fn is_valid_group(group: &str) -> bool {
    (1..=256).contains(&group.len()) && !group.chars().any(|c| c.is_ascii_control())
}

/// A group's place in its history (§2.15.4): the epoch names one run of the history, the offset
/// is the last message's (`0` before the first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    /// 1 to 64 characters from `A-Z a-z 0-9 _ -`.
    pub epoch: Arc<str>,
    /// `0 ..= 2^53 - 1`.
    pub offset: u64,
}

/// One published message as a layer hands it over: where it went, its position, and the JSON
/// text of its `data` (written once by the publisher, shared by everything that handles it).
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The channel and group.
    pub key: GroupKey,
    /// The message's epoch and offset.
    pub position: Position,
    /// The message's `data`, as JSON text.
    pub data: Bytes,
}

/// A group's history after some offset.
#[derive(Debug, Clone)]
pub struct History {
    /// The group's position now. A layer creates it (with a new epoch at offset 0) for a group
    /// it has no history of, so that the first message published after it has this epoch.
    pub position: Position,
    /// The messages after the asked offset, oldest first, with their offsets; empty when none
    /// was asked for.
    pub messages: Vec<(u64, Bytes)>,
    /// Whether `messages` holds every offset from the asked one + 1 to `position.offset`.
    /// Always `false` when the asked offset is greater than `position.offset`.
    pub complete: bool,
}

/// How long and how much history a layer keeps per group (§2.15.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Messages kept per group (the reference default: 100).
    pub len: usize,
    /// How long a group's history is kept after its last publish (default: 300 s).
    pub lifetime: Duration,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        Self {
            len: 100,
            lifetime: Duration::from_secs(300),
        }
    }
}

/// A layer could not do what was asked: the service behind it did not answer. Subscribers see
/// `unavailable` (§2.15.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerError {
    message: String,
}

impl LayerError {
    /// An error saying `message` (for logs; clients see only `unavailable`).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for LayerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LayerError {}

/// Where a layer hands the messages of the groups this process has joined.
pub trait DeliverySink: Send + Sync + 'static {
    /// A message of a joined group. Called in offset order per group; it may repeat a message
    /// already handed over (after a reconnect), which the sink drops by its offset.
    fn deliver(&self, delivery: Delivery);

    /// Messages of a joined group were lost to this process and cannot be recovered from the
    /// history (the layer was cut off too long): the group's subscribers get a `gap` at
    /// `position`.
    fn gap(&self, key: &GroupKey, position: Position);
}

/// Carries messages between the processes of an application (§2.15.6).
///
/// The reference layers: [`InProcess`](super::InProcess) and, in the `mizan-redis` crate,
/// `RedisLayer`.
pub trait ChannelLayer: Send + Sync + 'static {
    /// Where to hand messages from now on; called once, before any other method.
    fn attach(&self, sink: Arc<dyn DeliverySink>);

    /// Publishes `data` (the JSON text of a message) to `key`'s group: assigns the next offset,
    /// appends it to the history (keeping [`HistoryOptions`]), and hands it to the sink of every
    /// process that has joined the group, this one included. Returns the message's position.
    fn publish<'a>(
        &'a self,
        key: &'a GroupKey,
        data: Bytes,
    ) -> BoxFuture<'a, Result<Position, LayerError>>;

    /// This process has subscribers in `key`'s group now. Resolves once every message published
    /// after it resolves will be handed to the sink. Joining a joined group again is a no-op.
    fn join<'a>(&'a self, key: &'a GroupKey) -> BoxFuture<'a, Result<(), LayerError>>;

    /// This process has no subscriber left in `key`'s group: stop handing over its messages and
    /// release what joining it took (in Redis: the Pub/Sub subscription).
    ///
    /// Called with the process's membership lock held (so that a `join` of the same group that
    /// comes later reaches the layer after it), which the sink's methods also take: it must not
    /// wait for a sink call in progress, nor hold a lock of its own that is held while calling
    /// the sink. Sending a command to the layer's own task, or a short lock never held across a
    /// sink call, is fine.
    fn leave(&self, key: &GroupKey);

    /// The group's position and, when `after` is given, its messages with greater offsets in
    /// the current epoch. A layer that has no history of the group starts one (see
    /// [`History::position`]).
    fn history<'a>(
        &'a self,
        key: &'a GroupKey,
        after: Option<u64>,
    ) -> BoxFuture<'a, Result<History, LayerError>>;
}
