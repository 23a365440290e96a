//! Redis for [Mizan](mizan): [`RedisLayer`], the channel layer that lets every server process
//! connected to one Redis share channels (`spec/PROTOCOL.md` §2.15.6).
//!
//! TODO-DOC
#![doc(html_root_url = "https://docs.rs/mizan-redis/0.1.0")]

pub mod channels;

#[doc(inline)]
pub use channels::{RedisLayer, RedisLayerBuilder};
