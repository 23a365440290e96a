//! A raw RFC 6455 client for the demo's channel tests: it sends exactly the bytes a case asks
//! for (binary frames, invalid UTF-8, fragments a browser never would) and reports every frame
//! and the close code the server sends.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Text frame opcode.
pub const TEXT: u8 = 0x1;
/// Binary frame opcode.
pub const BINARY: u8 = 0x2;
/// Continuation frame opcode.
pub const CONTINUATION: u8 = 0x0;
/// Close frame opcode.
pub const CLOSE: u8 = 0x8;
/// Ping frame opcode.
pub const PING: u8 = 0x9;
/// Pong frame opcode.
pub const PONG: u8 = 0xA;

/// What the server did with the upgrade request.
pub enum Upgrade {
    /// `101`: an open socket.
    Open(Socket),
    /// Another status, with its head (lowercased) and body.
    Refused {
        /// The status.
        status: u16,
        /// The head, lowercased.
        head: String,
        /// The body.
        body: String,
    },
}

/// One frame from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A text frame, parsed as JSON.
    Json(Value),
    /// A close frame's code (`None` without one).
    Close(Option<u16>),
    /// The server closed the TCP connection without a close frame.
    Eof,
}

/// An open WebSocket.
pub struct Socket {
    stream: TcpStream,
    buffer: Vec<u8>,
}

/// Opens `GET /api/mizan/ws` on `addr` with the extra header lines `headers`.
pub async fn connect(addr: &str, headers: &[(&str, &str)]) -> Upgrade {
    connect_path(addr, "/api/mizan/ws", headers).await
}

/// Opens `GET <path>` as a WebSocket upgrade with the extra header lines `headers`.
pub async fn connect_path(addr: &str, path: &str, headers: &[(&str, &str)]) -> Upgrade {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buffer = Vec::new();
    let end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("the upgrade answer took over 10 s")
            .unwrap();
        assert!(n > 0, "the server closed before answering the upgrade");
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
    let status: u16 = head[9..12].parse().unwrap();
    let rest = buffer[end..].to_vec();
    if status == 101 {
        return Upgrade::Open(Socket {
            stream,
            buffer: rest,
        });
    }
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = rest;
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Upgrade::Refused {
        status,
        head,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

impl Upgrade {
    /// The open socket; panics with what the server said otherwise.
    pub fn open(self) -> Socket {
        match self {
            Self::Open(socket) => socket,
            Self::Refused { status, body, .. } => panic!("upgrade refused: {status} {body}"),
        }
    }
}

/// One frame's bytes as a client sends it: masked, with `fin` and `opcode`.
pub fn encode(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(if fin { 0x80 } else { 0 }) | opcode];
    let mask_bit = 0x80;
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= 0xFFFF => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}

impl Socket {
    /// Sends a text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.send_raw(&encode(true, TEXT, text.as_bytes())).await;
    }

    /// Sends a JSON value as a text frame.
    pub async fn send_json(&mut self, value: &Value) {
        self.send_text(&value.to_string()).await;
    }

    /// Sends bytes as they are (frames built with [`encode`]). A server that already closed may
    /// refuse them; that is not the caller's failure, so errors are ignored.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let _ = self.stream.write_all(bytes).await;
    }

    /// The next frame (pings are answered and skipped), within `within`; `None` on timeout.
    pub async fn next_within(&mut self, within: Duration) -> Option<Frame> {
        tokio::time::timeout(within, self.next_frame()).await.ok()
    }

    /// The next frame; pings are answered with a pong and skipped.
    pub async fn next_frame(&mut self) -> Frame {
        loop {
            let Some((opcode, payload)) = self.read_frame().await else {
                return Frame::Eof;
            };
            match opcode {
                TEXT => {
                    return Frame::Json(
                        serde_json::from_slice(&payload).expect("server frames are JSON"),
                    );
                }
                CLOSE => {
                    let code =
                        (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
                    return Frame::Close(code);
                }
                PING => self.send_raw(&encode(true, PONG, &payload)).await,
                _ => {}
            }
        }
    }

    /// The next JSON frame whose `type` is not `ping` (answered with `pong`) and, unless
    /// `keep_messages`, not `message`; panics on anything else or after 10 s.
    pub async fn next_json(&mut self) -> Value {
        loop {
            match self.next_within(Duration::from_secs(10)).await {
                Some(Frame::Json(v)) if v["type"] == "ping" => {
                    self.send_json(&serde_json::json!({"type": "pong"})).await;
                }
                Some(Frame::Json(v)) => return v,
                other => panic!("expected a JSON frame, got {other:?}"),
            }
        }
    }

    /// Reads frames until one of type `kind`, answering pings; panics after 10 s or on close.
    pub async fn expect_type(&mut self, kind: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(Frame::Json(v)) if v["type"] == kind => return v,
                Some(Frame::Json(v)) if v["type"] == "ping" => {
                    self.send_json(&serde_json::json!({"type": "pong"})).await;
                }
                Some(Frame::Json(_)) => {}
                other => panic!("waiting for a {kind} frame, got {other:?}"),
            }
        }
    }

    /// Reads until the server closes; the close code (`None` for a close frame without one or
    /// a bare TCP close). Panics after `within`.
    pub async fn closed_within(&mut self, within: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(Frame::Close(code)) => return code,
                Some(Frame::Eof) => return None,
                Some(Frame::Json(_)) => {}
                None => panic!("the server did not close within {within:?}"),
            }
        }
    }

    /// Sends a close frame with `code`.
    pub async fn close(&mut self, code: u16) {
        self.send_raw(&encode(true, CLOSE, &code.to_be_bytes()))
            .await;
    }

    async fn read_frame(&mut self) -> Option<(u8, Vec<u8>)> {
        loop {
            if let Some((opcode, payload, used)) = parse(&self.buffer) {
                self.buffer.drain(..used);
                return Some((opcode, payload));
            }
            let mut chunk = [0u8; 16384];
            let n = self.stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }
}

/// A whole unmasked server frame at the start of `bytes`: opcode, payload, bytes used.
fn parse(bytes: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let [first, second, ..] = bytes else {
        return None;
    };
    let opcode = first & 0x0F;
    let (length, start) = match second & 0x7F {
        126 => (
            u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]) as usize,
            4,
        ),
        127 => (
            u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let payload = bytes.get(start..start + length)?.to_vec();
    Some((opcode, payload, start + length))
}
