//! Typed WebSocket channels (`spec/PROTOCOL.md` §2.15): clients subscribe with params over one
//! socket (`GET <base>/ws`), the server publishes to groups, and subscribers may send back.
//!
//! Declare a channel by implementing [`Channel`], register it with
//! [`Registry::channel`](crate::Registry::channel), and publish with [`Channels`] — from a server
//! function through [`Request::channels`](crate::Request::channels), or from anywhere else
//! holding a clone of the handle given to [`Mizan::channels`](crate::Mizan::channels).
//!
//! ```
//! use mizan::channels::{Channel, Channels, Subscriber};
//! use mizan::{AuthLevel, Mizan, Principal, Registry, Request, Result};
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct RoomParams {
//!     room: String,
//! }
//!
//! #[derive(Serialize, Deserialize, JsonSchema)]
//! struct ChatMessage {
//!     author: String,
//!     text: String,
//! }
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct ChatPost {
//!     text: String,
//! }
//!
//! /// A chat room per `room`: signed-in users read it and post to it.
//! struct Chat;
//!
//! impl Channel for Chat {
//!     const NAME: &'static str = "chat";
//!     const AUTH: AuthLevel = AuthLevel::Authenticated;
//!     type Params = RoomParams;
//!     type Message = ChatMessage;
//!     type Incoming = ChatPost;
//!
//!     fn group(params: &RoomParams) -> String {
//!         format!("room.{}", params.room)
//!     }
//!
//!     async fn authorize(&self, _principal: &Principal, params: &RoomParams) -> Result<()> {
//!         if params.room == "staff" {
//!             return Err(mizan::Error::forbidden("staff only"));
//!         }
//!         Ok(())
//!     }
//!
//!     async fn receive(&self, from: &Subscriber<'_, Self>, post: ChatPost) -> Result<()> {
//!         let author = from.principal().user().map_or("?", |u| u.id.as_str()).to_owned();
//!         from.publish(&ChatMessage { author, text: post.text }).await?;
//!         Ok(())
//!     }
//! }
//!
//! /// Posts as the server, from an ordinary server function.
//! #[mizan::client]
//! async fn announce(req: &Request, room: String, text: String) -> Result<()> {
//!     let message = ChatMessage { author: "server".into(), text };
//!     req.channels().publish::<Chat>(&RoomParams { room }, &message).await?;
//!     Ok(())
//! }
//!
//! let mut registry = Registry::new();
//! registry.channel(Chat)?.register(announce, "announce")?;
//! assert_eq!(registry.manifest().channels[0].name, "chat");
//! let channels = Channels::in_process();
//! let app: axum::Router = Mizan::new(registry).channels(channels.clone()).router("/api/mizan");
//! # let _ = app;
//! # Ok::<(), mizan::RegistryError>(())
//! ```
//!
//! Messages travel between the processes of an application through a [`ChannelLayer`]: the
//! default [`InProcess`] for one process, or `mizan_redis::RedisLayer` for several.

mod declare;
pub(crate) mod endpoint;
mod frames;
mod hub;
mod in_process;
mod layer;
#[cfg(test)]
mod live_tests;
mod options;
mod outbox;
mod publish;
pub(crate) mod registered;
mod socket;
mod watchers;

pub use declare::{Channel, NoIncoming, Subscriber};
pub use in_process::InProcess;
pub use layer::{
    ChannelLayer, Delivery, DeliverySink, GroupKey, History, HistoryOptions, LayerError, Position,
    is_valid_group,
};
pub use options::ChannelOptions;
pub use publish::{Channels, PublishError};
