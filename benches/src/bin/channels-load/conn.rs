//! One client socket of the generator: connect, upgrade, `welcome`, `subscribe`, `subscribed`,
//! then `message` frames, each read as soon as the loop is told the socket is readable.

use std::io::{ErrorKind, Read, Write};

use memchr::memmem;
use mio::net::TcpStream;

use crate::ws::{self, Frame};

/// Where a socket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// The TCP connect is in progress.
    Connecting,
    /// The upgrade request is sent; waiting for `101`.
    Upgrading,
    /// Upgraded; waiting for `welcome`.
    Welcome,
    /// `subscribe` is sent; waiting for `subscribed`.
    Subscribing,
    /// Subscribed: `message` frames arrive.
    Subscribed,
    /// Closed, by either side.
    Closed,
}

/// What a socket reports to the loop.
#[derive(Debug)]
pub(crate) enum Event {
    /// `subscribed` arrived.
    Subscribed,
    /// A `message` frame with the group's `offset` and the publish time in its data.
    Message {
        /// The message's offset in its group.
        offset: u64,
        /// `CLOCK_REALTIME` ns when the server published it.
        sent_ns: u64,
        /// The frame's payload length in bytes.
        len: usize,
    },
    /// A frame the benchmark does not expect (an `error`, a `gap`, an `unsubscribed`).
    Unexpected(String),
    /// The socket closed: the close frame's code when the server sent one, and why.
    Closed {
        /// The close code, if a close frame arrived.
        code: Option<u16>,
        /// What happened, for the report.
        why: String,
        /// Whether it had been subscribed.
        subscribed: bool,
    },
}

/// The bytes every socket sends, made once.
pub(crate) struct Scripts {
    /// The upgrade request.
    pub(crate) upgrade: Vec<u8>,
    /// A `subscribe` frame per group index.
    pub(crate) subscribe: Vec<Vec<u8>>,
    /// The `{"type":"pong"}` frame answering the server's `ping`.
    pub(crate) pong: Vec<u8>,
    /// The second `subscribe` of a socket that makes two (the slow client's own room).
    pub(crate) extra: Vec<u8>,
}

/// One client socket.
pub(crate) struct Conn {
    pub(crate) stream: TcpStream,
    pub(crate) stage: Stage,
    /// The index of the group it subscribes to.
    pub(crate) group: u32,
    /// While set, the loop does not read it (the slow client).
    pub(crate) paused: bool,
    /// Whether it sends [`Scripts::extra`] once its first subscription is made.
    pub(crate) extra: bool,
    /// The start of a frame whose end has not arrived; empty (and unallocated) almost always.
    inbox: Vec<u8>,
    /// Bytes the socket would not take yet.
    outbox: Vec<u8>,
}

/// `CLOCK_REALTIME` in nanoseconds, the clock the server stamps messages with.
pub(crate) fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The decimal digits right after `key` in `text` (the closing quote of a string ends them too).
fn number_after(text: &[u8], key: &[u8]) -> Option<u64> {
    let at = memmem::find(text, key)? + key.len();
    let digits = text[at..].iter().take_while(|b| b.is_ascii_digit());
    let mut value: u64 = 0;
    let mut any = false;
    for digit in digits {
        value = value
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
        any = true;
    }
    any.then_some(value)
}

impl Conn {
    /// A socket whose non-blocking connect has been started.
    pub(crate) fn connecting(stream: TcpStream, group: u32) -> Self {
        Self {
            stream,
            stage: Stage::Connecting,
            group,
            paused: false,
            extra: false,
            inbox: Vec::new(),
            outbox: Vec::new(),
        }
    }

    /// Sends `bytes`, keeping what the socket does not take for [`Conn::writable`].
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        if self.outbox.is_empty() {
            match self.stream.write(bytes) {
                Ok(n) => self.outbox.extend_from_slice(&bytes[n..]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.outbox.extend_from_slice(bytes),
                Err(e) => return Err(format!("write: {e}")),
            }
        } else {
            self.outbox.extend_from_slice(bytes);
        }
        self.flush()
    }

    fn flush(&mut self) -> Result<(), String> {
        while !self.outbox.is_empty() {
            match self.stream.write(&self.outbox) {
                Ok(0) => return Err("write: socket closed".to_owned()),
                Ok(n) => {
                    self.outbox.drain(..n);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(format!("write: {e}")),
            }
        }
        self.outbox = Vec::new();
        Ok(())
    }

    /// The socket can be written to: the connect finished (or failed), or waiting bytes fit.
    pub(crate) fn writable(&mut self, scripts: &Scripts) -> Option<Event> {
        let result = if self.stage == Stage::Connecting {
            self.connected(scripts)
        } else {
            self.flush()
        };
        result.err().map(|why| self.closed(None, why))
    }

    fn connected(&mut self, scripts: &Scripts) -> Result<(), String> {
        if let Ok(Some(e)) | Err(e) = self.stream.take_error() {
            return Err(format!("connect: {e}"));
        }
        match self.stream.peer_addr() {
            Ok(_) => {
                self.stage = Stage::Upgrading;
                self.send(&scripts.upgrade)
            }
            // Not yet: another event follows.
            Err(e) if e.kind() == ErrorKind::NotConnected => Ok(()),
            Err(e) => Err(format!("connect: {e}")),
        }
    }

    fn closed(&mut self, code: Option<u16>, why: String) -> Event {
        let subscribed = self.stage == Stage::Subscribed;
        self.stage = Stage::Closed;
        self.inbox = Vec::new();
        self.outbox = Vec::new();
        Event::Closed {
            code,
            why,
            subscribed,
        }
    }

    /// Reads everything the socket holds into `scratch` and hands each event to `sink` with the
    /// time of the read that brought it.
    pub(crate) fn readable(
        &mut self,
        scripts: &Scripts,
        scratch: &mut [u8],
        sink: &mut impl FnMut(Event, u64),
    ) {
        if self.stage == Stage::Connecting {
            if let Err(why) = self.connected(scripts) {
                return sink(self.closed(None, why), now_ns());
            }
            if self.stage == Stage::Connecting {
                return;
            }
        }
        while self.stage != Stage::Closed {
            let n = match self.stream.read(scratch) {
                Ok(0) => {
                    return sink(
                        self.closed(None, "the server closed the TCP connection".into()),
                        now_ns(),
                    );
                }
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return sink(self.closed(None, format!("read: {e}")), now_ns()),
            };
            let at = now_ns();
            let outcome = if self.inbox.is_empty() {
                let used = self.consume(&scratch[..n], scripts, at, sink);
                used.map(|used| self.inbox.extend_from_slice(&scratch[used..n]))
            } else {
                let mut inbox = std::mem::take(&mut self.inbox);
                inbox.extend_from_slice(&scratch[..n]);
                let used = self.consume(&inbox, scripts, at, sink);
                used.map(|used| {
                    inbox.drain(..used);
                    if !inbox.is_empty() {
                        self.inbox = inbox;
                    }
                })
            };
            if let Err(why) = outcome {
                return sink(self.closed(None, why), at);
            }
        }
    }

    /// Handles the whole frames (or upgrade answer) at the start of `buf`; the bytes used.
    fn consume(
        &mut self,
        buf: &[u8],
        scripts: &Scripts,
        at: u64,
        sink: &mut impl FnMut(Event, u64),
    ) -> Result<usize, String> {
        let mut used = 0;
        if self.stage == Stage::Upgrading {
            match ws::upgrade_answer(buf)? {
                Some(head) => {
                    used = head;
                    self.stage = Stage::Welcome;
                }
                None => return Ok(0),
            }
        }
        while self.stage != Stage::Closed {
            let Some((frame, len)) = ws::parse(&buf[used..])? else {
                break;
            };
            used += len;
            match frame {
                Frame::Text(text) => {
                    if let Some(event) = self.text(text, scripts)? {
                        sink(event, at);
                    }
                }
                Frame::Ping(payload) => {
                    let mut pong = Vec::new();
                    ws::pong(payload, &mut pong);
                    self.send(&pong)?;
                }
                Frame::Close(code) => {
                    let mut echo = Vec::new();
                    ws::close(code.unwrap_or(1000), &mut echo);
                    // The close handshake is a courtesy; the socket is dropped either way.
                    let _ = self.send(&echo);
                    sink(
                        self.closed(code, "the server sent a close frame".into()),
                        at,
                    );
                }
                Frame::Other => {}
            }
        }
        Ok(used)
    }

    /// Handles one server frame (spec §2.15.4).
    fn text(&mut self, text: &[u8], scripts: &Scripts) -> Result<Option<Event>, String> {
        // The hot path: a `message`, read without a JSON parse (members may come in any order,
        // so each is looked for by its key).
        if memmem::find(text, br#""type":"message""#).is_some() {
            let offset = number_after(text, br#""offset":"#);
            let sent_ns = number_after(text, br#""sent_ns":""#)
                .or_else(|| number_after(text, br#""sent_ns":"#));
            return match (offset, sent_ns) {
                (Some(offset), Some(sent_ns)) => Ok(Some(Event::Message {
                    offset,
                    sent_ns,
                    len: text.len(),
                })),
                _ => Err(format!(
                    "a message without offset or sent_ns: {}",
                    String::from_utf8_lossy(text)
                )),
            };
        }
        let frame: serde_json::Value = serde_json::from_slice(text)
            .map_err(|e| format!("a server frame that is not JSON ({e})"))?;
        match (self.stage, frame["type"].as_str()) {
            (_, Some("ping")) => {
                self.send(&scripts.pong)?;
                Ok(None)
            }
            (Stage::Welcome, Some("welcome")) => {
                self.stage = Stage::Subscribing;
                let subscribe = &scripts.subscribe[self.group as usize];
                self.send(subscribe)?;
                Ok(None)
            }
            (Stage::Subscribing, Some("subscribed")) if self.extra => {
                self.extra = false;
                self.send(&scripts.extra)?;
                Ok(None)
            }
            (Stage::Subscribing, Some("subscribed")) => {
                self.stage = Stage::Subscribed;
                Ok(Some(Event::Subscribed))
            }
            (Stage::Subscribing, Some("error")) => Err(format!("subscribe refused: {frame}")),
            _ => Ok(Some(Event::Unexpected(frame.to_string()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::number_after;

    #[test]
    fn numbers_are_read_after_their_key_in_any_member_order() {
        let frame = br#"{"data":{"sent_ns":"1764441234567890123","pad":"xx"},"offset":42,"type":"message"}"#;
        assert_eq!(number_after(frame, br#""offset":"#), Some(42));
        assert_eq!(
            number_after(frame, br#""sent_ns":""#),
            Some(1_764_441_234_567_890_123)
        );
        assert_eq!(number_after(frame, br#""epoch":"#), None);
        assert_eq!(number_after(br#"{"offset":"x"}"#, br#""offset":"#), None);
        assert_eq!(
            number_after(br#"{"offset":99999999999999999999}"#, br#""offset":"#),
            None
        );
    }
}
