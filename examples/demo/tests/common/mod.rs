//! Raw HTTP/1.1 over TCP for the demo's tests, so they see exactly what a client would.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `raw` (a whole request with `Connection: close`) to `addr` and reads the answer: the
/// status, the head as sent (cookie values are case-sensitive) and the body.
pub async fn request_raw(
    addr: impl tokio::net::ToSocketAddrs,
    raw: impl AsRef<str>,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw.as_ref().as_bytes()).await.unwrap();
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut out))
        .await
        .unwrap()
        .unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    (
        head[9..12].parse().unwrap(),
        head.to_owned(),
        body.to_owned(),
    )
}

/// Like [`request_raw`], with the head lowercased for header checks.
pub async fn request(
    addr: impl tokio::net::ToSocketAddrs,
    raw: impl AsRef<str>,
) -> (u16, String, String) {
    let (status, head, body) = request_raw(addr, raw).await;
    (status, head.to_lowercase(), body)
}
