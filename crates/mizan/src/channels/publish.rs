//! Publishing: the [`Channels`] handle a server function, a background task or another process
//! publishes through (§2.15.6).

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use super::declare::Channel;
use super::hub::Hub;
use super::in_process::InProcess;
use super::layer::{ChannelLayer, GroupKey, HistoryOptions, LayerError, Position};
use crate::Error;

/// The application's channels: publish to a group from anywhere. Cheap to clone; every clone
/// shares one layer (and, in a server, one set of subscribers).
///
/// A server gets one with [`Mizan::channels`](crate::Mizan::channels) (by default
/// [`Channels::in_process`]), and server functions reach it through
/// [`Request::channels`](crate::Request::channels). A process that only publishes (a worker
/// connected to the same Redis) builds one with [`Channels::new`] and needs no server.
#[derive(Clone)]
pub struct Channels {
    inner: Arc<Inner>,
}

struct Inner {
    layer: Arc<dyn ChannelLayer>,
    /// The subscribers of this process (none in a process that only publishes). Attached at
    /// once: a layer is attached before anything else is asked of it.
    hub: Arc<Hub>,
}

impl Channels {
    /// Channels of one process, with the default history (100 messages kept 300 s per group).
    pub fn in_process() -> Self {
        Self::new(InProcess::new(HistoryOptions::default()))
    }

    /// Channels carried by `layer`, such as `mizan_redis::RedisLayer` to reach every process.
    pub fn new(layer: impl ChannelLayer) -> Self {
        let layer: Arc<dyn ChannelLayer> = Arc::new(layer);
        let hub = Hub::new(Arc::clone(&layer));
        Self {
            inner: Arc::new(Inner { layer, hub }),
        }
    }

    /// The layer.
    pub fn layer(&self) -> &dyn ChannelLayer {
        &*self.inner.layer
    }

    /// The subscribers of this process.
    pub(crate) fn hub(&self) -> &Arc<Hub> {
        &self.inner.hub
    }

    /// Publishes `message` to the group of `C` that `params` name, and returns its position.
    pub async fn publish<C: Channel>(
        &self,
        params: &C::Params,
        message: &C::Message,
    ) -> Result<Position, PublishError> {
        let group = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| C::group(params)))
            .map_err(|_| PublishError::GroupPanicked)?;
        self.publish_to_group::<C>(&group, message).await
    }

    /// Publishes `message` to `group` of `C` (as [`Channel::group`] computes it).
    pub async fn publish_to_group<C: Channel>(
        &self,
        group: &str,
        message: &C::Message,
    ) -> Result<Position, PublishError> {
        let key = GroupKey::new(C::NAME, group)
            .ok_or_else(|| PublishError::InvalidGroup(group.to_owned()))?;
        let mut data = Vec::with_capacity(128);
        // As outputs are written: 64-bit integers as strings (§2.9).
        crate::wide_int::write_json(message, &mut data)
            .map_err(|e| PublishError::Serialize(e.to_string()))?;
        self.inner
            .layer
            .publish(&key, Bytes::from(data))
            .await
            .map_err(PublishError::Layer)
    }
}

impl Default for Channels {
    fn default() -> Self {
        Self::in_process()
    }
}

impl fmt::Debug for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channels").finish_non_exhaustive()
    }
}

/// Why a message was not published.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublishError {
    /// The group is not 1 to 256 bytes without control characters.
    InvalidGroup(String),
    /// The channel's `group` function panicked.
    GroupPanicked,
    /// The message could not be serialized (a map with non-string keys, say).
    Serialize(String),
    /// The layer could not be reached.
    Layer(LayerError),
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidGroup(group) => write!(
                f,
                "{group:?} is not a valid group: 1 to 256 bytes without control characters"
            ),
            Self::GroupPanicked => f.write_str("the channel's group function panicked"),
            Self::Serialize(e) => write!(f, "the message cannot be serialized: {e}"),
            Self::Layer(e) => write!(f, "the channel layer did not answer: {e}"),
        }
    }
}

/// So a server function can `?` a publish: `unavailable` when the layer did not answer,
/// `internal` otherwise. (`PublishError` is not a `std::error::Error`, as `mizan::Error` is not:
/// every `std::error::Error` converts into `mizan::Error` as `internal`, which would leave no room
/// for this mapping.)
impl From<PublishError> for Error {
    fn from(error: PublishError) -> Self {
        match error {
            PublishError::Layer(e) => Error::unavailable(e),
            other => Error::internal(other),
        }
    }
}
