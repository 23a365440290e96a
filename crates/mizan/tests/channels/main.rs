//! Channels (`spec/PROTOCOL.md` §2.15) over real sockets: frames, recovery, limits, credentials,
//! shutdown, registration and the manifest.

#![allow(missing_docs, unreachable_pub, dead_code)]

mod auth;
mod frames;
mod layers;
mod limits;
mod recovery;
mod registry;
mod shutdown;
mod support;
