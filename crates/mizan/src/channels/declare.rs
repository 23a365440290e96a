//! What an application writes to declare a channel: the [`Channel`] trait, the [`Subscriber`] its
//! handlers see, and [`NoIncoming`] for channels clients may not send to.

use std::future::Future;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;
use serde::de::{DeserializeOwned, Deserializer};

use super::Channels;
use super::layer::Position;
use super::publish::PublishError;
use crate::{AuthLevel, Error, Principal, Result};

/// A typed stream of messages from the server to the subscribers of a group, with optional
/// messages back (`spec/PROTOCOL.md` §2.15). Register it with
/// [`Registry::channel`](crate::Registry::channel); publish with [`Channels::publish`].
///
/// See the [module documentation](super) for a complete example.
pub trait Channel: Send + Sync + 'static {
    /// The channel's name in the manifest and in `subscribe` frames (the function-name rule of
    /// §1.3: `.`-separated `[A-Za-z_][A-Za-z0-9_]*` segments).
    const NAME: &'static str;

    /// The level a subscriber needs, checked before [`authorize`](Self::authorize) (§2.15.3 step
    /// 6). [`AuthLevel::Custom`] lets `authorize` alone decide and says so in the manifest.
    const AUTH: AuthLevel = AuthLevel::None;

    /// What a client subscribes with; the group is computed from it.
    type Params: DeserializeOwned + JsonSchema + Send + Sync + 'static;

    /// What every message's `data` is.
    type Message: Serialize + JsonSchema + Send + Sync + 'static;

    /// What subscribers may `send`; [`NoIncoming`] when they may not.
    type Incoming: DeserializeOwned + JsonSchema + Send + 'static;

    /// The group a subscription with `params` belongs to: 1 to 256 bytes without control
    /// characters. Subscribers see it, so it must hold no secret.
    fn group(params: &Self::Params) -> String;

    /// Whether `principal` may subscribe with `params`, after the [`AUTH`](Self::AUTH) level
    /// passed; the error is the answer (typically `unauthenticated` or `forbidden`). Also run
    /// again whenever the socket's principal changes (§2.15.7).
    fn authorize(
        &self,
        principal: &Principal,
        params: &Self::Params,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (principal, params);
        async { Ok(()) }
    }

    /// Handles a message a subscriber sent (`send`, §2.15.3); its error is the answer. The
    /// default refuses, which only matters when [`Incoming`](Self::Incoming) is not
    /// [`NoIncoming`] (for `NoIncoming` the server answers `no_incoming` before this runs).
    fn receive(
        &self,
        from: &Subscriber<'_, Self>,
        message: Self::Incoming,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (from, message);
        async { Err(Error::bad_request("this channel takes no messages")) }
    }
}

/// The subscription a [`Channel::receive`] runs for: who sent the message, with which params,
/// and a way to publish to its group.
pub struct Subscriber<'a, C: Channel + ?Sized> {
    pub(crate) principal: &'a Principal,
    pub(crate) params: &'a C::Params,
    pub(crate) group: &'a str,
    pub(crate) channels: &'a Channels,
}

impl<C: Channel + ?Sized> Subscriber<'_, C> {
    /// The socket's principal now.
    pub fn principal(&self) -> &Principal {
        self.principal
    }

    /// The params the subscription was made with.
    pub fn params(&self) -> &C::Params {
        self.params
    }

    /// The subscription's group.
    pub fn group(&self) -> &str {
        self.group
    }

    /// The application's channels, to publish elsewhere.
    pub fn channels(&self) -> &Channels {
        self.channels
    }

    /// Publishes `message` to this subscription's group (the sender receives it too).
    pub async fn publish(&self, message: &C::Message) -> Result<Position, PublishError>
    where
        C: Sized,
    {
        self.channels
            .publish_to_group::<C>(self.group, message)
            .await
    }
}

impl<C: Channel + ?Sized> std::fmt::Debug for Subscriber<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscriber")
            .field("channel", &C::NAME)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// The [`Channel::Incoming`] of a channel clients may not send to: it has no value, so the
/// manifest's `incoming` is `null` and every `send` is answered `no_incoming`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoIncoming {}

impl<'de> serde::Deserialize<'de> for NoIncoming {
    fn deserialize<D: Deserializer<'de>>(_deserializer: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom("this channel takes no messages"))
    }
}

impl JsonSchema for NoIncoming {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NoIncoming".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        // Never published: the manifest says `null` for such a channel.
        json_schema!(false)
    }
}
