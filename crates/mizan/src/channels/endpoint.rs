//! `GET <base>/ws`: the checks before a channel socket opens (§2.15.2), then the upgrade.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use axum::extract::FromRequestParts;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Uri, header};

use super::socket::{self, SocketCount, Upgrade};
use super::watchers::Watchers;
use super::{ChannelOptions, Channels};
use crate::engine::Shared;
use crate::serve::ConnectionHandle;
use crate::{Error, ErrorCode};

/// The bytes a socket reads at once, allocated for its life: small, so idle sockets are cheap
/// (tungstenite's default is 128 KiB).
const READ_BUFFER_BYTES: usize = 1024;

/// The channels part of a configured server.
pub(crate) struct ChannelServer {
    pub(crate) channels: Channels,
    pub(crate) options: ChannelOptions,
    /// The sockets watching tags (§2.16.5).
    pub(crate) watchers: Watchers,
    sockets: Arc<AtomicUsize>,
    next_socket: AtomicU64,
}

impl ChannelServer {
    pub(crate) fn new(channels: Channels, options: ChannelOptions) -> Self {
        Self {
            channels,
            options,
            watchers: Watchers::default(),
            sockets: Arc::new(AtomicUsize::new(0)),
            next_socket: AtomicU64::new(0),
        }
    }

    /// Hands a purge to the sockets watching its tags (`spec/PROTOCOL.md` §2.16.5): each gets
    /// one `invalidated` frame through its outbound queue. The cache calls it for every purge of
    /// every process sharing its store.
    pub(crate) fn invalidated(&self, invalidation: &crate::cache::Invalidation) {
        self.watchers.invalidated(invalidation);
    }
}

/// The headers a socket keeps from its upgrade request, for the authenticator's later checks
/// (§2.15.7); the rest is dropped, since every open socket holds them.
const KEPT_HEADERS: [header::HeaderName; 4] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::HOST,
    header::ORIGIN,
];

/// Answers `GET <base>/ws`.
pub(crate) async fn respond(shared: &Arc<Shared>, request: axum::extract::Request) -> Response {
    if request.method() != Method::GET {
        return crate::protocol::method_not_allowed("GET");
    }
    let (mut parts, _body) = request.into_parts();
    let Ok(upgrade) = WebSocketUpgrade::from_request_parts(&mut parts, &()).await else {
        return Error::bad_request("this endpoint takes a WebSocket upgrade")
            .with_details(serde_json::json!({"reason": "not_websocket"}))
            .into_response();
    };
    if !parts
        .headers
        .get(header::SEC_WEBSOCKET_KEY)
        .is_some_and(|key| is_websocket_key(key.as_bytes()))
    {
        return Error::bad_request("Sec-WebSocket-Key must be 16 bytes in base64 (RFC 6455)")
            .with_details(serde_json::json!({"reason": "not_websocket"}))
            .into_response();
    }
    let server = &shared.channels;
    let options = &server.options;
    if !crate::origin_allowed(&parts.headers, &options.allowed_origins) {
        return Error::forbidden("this origin may not open channel sockets")
            .with_details(serde_json::json!({"reason": "origin"}))
            .into_response();
    }
    let principal = match shared.authenticate(&parts).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    let Some(count) = SocketCount::take(&server.sockets, options.max_sockets) else {
        return Error::new(
            ErrorCode::Overloaded,
            "too many open sockets; retry shortly",
        )
        .into_response();
    };
    let connection = parts.extensions.remove::<ConnectionHandle>();
    // Copies, not clones: hyper's header values and URI are slices of its read buffer, which a
    // clone would keep alive (kilobytes) for the socket's whole life.
    // Without credentials there is nothing to check again: an authenticator answers anonymous.
    let has_credentials = [header::AUTHORIZATION, header::COOKIE]
        .iter()
        .any(|name| parts.headers.contains_key(name));
    let kept = if has_credentials {
        &KEPT_HEADERS[..]
    } else {
        &[]
    };
    let values = kept
        .iter()
        .map(|name| parts.headers.get_all(name).iter().count())
        .sum();
    let mut headers = HeaderMap::with_capacity(values);
    for name in kept {
        for value in parts.headers.get_all(name) {
            if let Ok(copy) = HeaderValue::from_bytes(value.as_bytes()) {
                headers.append(name, copy);
            }
        }
    }
    parts.headers = headers;
    parts.uri = Uri::from_maybe_shared(Bytes::copy_from_slice(parts.uri.path().as_bytes()))
        .unwrap_or_default();
    let socket = Upgrade {
        shared: Arc::clone(shared),
        socket: server.next_socket.fetch_add(1, Ordering::Relaxed),
        parts,
        principal,
        connection,
        count,
    };
    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(options.outbound_bytes + options.max_frame_bytes + 1024)
        .max_message_size(options.max_frame_bytes)
        .max_frame_size(options.max_frame_bytes)
        .on_upgrade(move |ws| socket::run(ws, socket))
}

/// Whether `key` is 16 bytes in base64 (RFC 4648 §4, padded), as RFC 6455 §4.2.1 asks of
/// `Sec-WebSocket-Key`: 22 characters of the alphabet, the last carrying no unused bits, then `==`.
fn is_websocket_key(key: &[u8]) -> bool {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let index = |b: u8| ALPHABET.iter().position(|&a| a == b);
    let [body @ .., last, b'=', b'='] = key else {
        return false;
    };
    body.len() == 21
        && body.iter().all(|&b| index(b).is_some())
        && index(*last).is_some_and(|i| i % 16 == 0)
}

#[cfg(test)]
mod tests {
    use super::is_websocket_key;

    #[test]
    fn websocket_keys_are_16_bytes_in_base64() {
        assert!(is_websocket_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(!is_websocket_key(b"abc"));
        assert!(!is_websocket_key(b"dGhlIHNhbXBsZSBub25j")); // 15 bytes
        assert!(!is_websocket_key(b"dGhlIHNhbXBsZSBub25jZR==")); // unused bits set
        assert!(!is_websocket_key(b"dGhlIHNhbXBsZSBub25j*Q=="));
        assert!(!is_websocket_key(b"dGhlIHNhbXBsZSBub25jZQ="));
    }
}
