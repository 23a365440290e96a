//! The writing half of a socket: takes frames from its [`Outbox`] and writes them, then the
//! close frame.

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;

use crate::channels::outbox::{Next, Outbox};

/// Writes the outbox's frames until it closes the socket; returns once the close frame is sent,
/// or the connection fails.
pub(super) async fn write(mut sink: SplitSink<WebSocket, Message>, outbox: &Outbox) {
    loop {
        match outbox.next() {
            Next::Frame(frame) => {
                if sink.feed(Message::Text(frame)).await.is_err() {
                    return;
                }
            }
            Next::Close(code) => {
                let frame = CloseFrame {
                    code,
                    reason: "".into(),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                return;
            }
            Next::Wait => {
                if sink.flush().await.is_err() {
                    return;
                }
                outbox.notified().await;
            }
        }
    }
}
