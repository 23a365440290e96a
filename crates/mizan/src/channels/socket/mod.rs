//! One channel socket (§2.15.2 – §2.15.8): one task, reading client frames and answering them,
//! while its writer half sends what the outbox holds.
//!
//! Frames are handled one at a time: while a handler runs (an authorize check, a `send`, an
//! authenticator) the socket reads nothing more, so `send` handlers run in order and a client
//! that floods waits on TCP. Messages keep flowing out meanwhile.

mod handle;
mod ops;
mod writer;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;
use http::request::Parts;
use tokio::time::{Instant, sleep_until};

use super::frames;
use super::layer::GroupKey;
use super::outbox::Outbox;
use super::registered::{AnyParams, RegisteredChannel};
use crate::engine::Shared;
use crate::own_waker::OwnWaker;
use crate::serve::ConnectionHandle;
use crate::{BoxFuture, Principal};
use ops::Done;

/// WebSocket close codes of §2.15.8.
mod close {
    pub(super) const GOING_AWAY: u16 = 1001;
    pub(super) const UNSUPPORTED: u16 = 1003;
    pub(super) const INVALID_TEXT: u16 = 1007;
    pub(super) const TOO_BIG: u16 = 1009;
    pub(super) const SERVER_ERROR: u16 = 1011;
    pub(super) const IDLE: u16 = 4000;
    pub(super) const FLOOD: u16 = 4029;
}

/// Counts an open socket until dropped.
pub(crate) struct SocketCount(Arc<AtomicUsize>);

impl SocketCount {
    /// Takes a place among at most `max` sockets; `None` when there is none left.
    pub(crate) fn take(count: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(Arc::clone(count)))
    }
}

impl Drop for SocketCount {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An active subscription.
pub(crate) struct Sub {
    id: Box<str>,
    channel: Arc<RegisteredChannel>,
    params: AnyParams,
    /// The hub's key, shared by every subscription of the group.
    key: GroupKey,
}

/// Whose credentials the socket's principal comes from (§2.15.7).
enum Credentials {
    /// The upgrade request's (its `Authorization` header or cookie), if any.
    Upgrade,
    /// The token of the last successful `auth` frame.
    Token(Box<str>),
    /// They failed a check: anonymous until an `auth` frame.
    Failed,
}

/// What a socket needs from the upgrade.
pub(crate) struct Upgrade {
    pub(crate) shared: Arc<Shared>,
    pub(crate) socket: u64,
    pub(crate) parts: Parts,
    pub(crate) principal: Principal,
    pub(crate) connection: Option<ConnectionHandle>,
    pub(crate) count: SocketCount,
}

/// The reading half's state.
struct Socket {
    shared: Arc<Shared>,
    socket: u64,
    outbox: Arc<Outbox>,
    /// The upgrade request, without its body, for the authenticator.
    parts: Parts,
    credentials: Credentials,
    principal: Principal,
    subs: Vec<Sub>,
    /// The tags of the last `watch` (§2.16.5), shared with the server's index.
    watched: Vec<Arc<str>>,
    /// Token bucket of the rate limit: tokens and when they were last counted.
    tokens: f64,
    counted: Instant,
    last_frame: Instant,
    last_ping: Instant,
    last_check: Instant,
    recheck_due: bool,
    /// When a closing socket is dropped if the client has not answered the close.
    closing: Option<Instant>,
    /// The connection can no longer be read (a frame broke a limit mid-way).
    broken: bool,
    _count: SocketCount,
}

/// Serves an upgraded socket until it closes.
pub(crate) async fn run(ws: WebSocket, upgrade: Upgrade) {
    let options = &upgrade.shared.channels.options;
    let outbox = Arc::new(Outbox::new(options.outbound_frames, options.outbound_bytes));
    outbox.push(frames::welcome(
        options.ping_interval.as_secs(),
        options.idle_timeout.as_secs(),
        options.max_frame_bytes,
        options.max_subscriptions,
    ));
    let now = Instant::now();
    let socket = Socket {
        tokens: f64::from(options.rate_burst),
        shared: upgrade.shared,
        socket: upgrade.socket,
        outbox: Arc::clone(&outbox),
        parts: upgrade.parts,
        credentials: Credentials::Upgrade,
        principal: upgrade.principal,
        subs: Vec::new(),
        watched: Vec::new(),
        counted: now,
        last_frame: now,
        last_ping: now,
        last_check: now,
        recheck_due: false,
        closing: None,
        broken: false,
        _count: upgrade.count,
    };
    let (sink, stream) = ws.split();
    let reader = socket.read(stream, upgrade.connection);
    let writer = writer::write(sink, &outbox);
    tokio::pin!(reader, writer);
    // Each half is polled only when it was woken: a delivery wakes the writer alone, and the
    // reader's lock, read and timers are not polled again for it (see `own_waker`).
    let (reader_waker, writer_waker) = (OwnWaker::new(), OwnWaker::new());
    let mut written = false;
    std::future::poll_fn(|cx| {
        // The close frame is out: the reader waits for the client's answer.
        if !written && writer_waker.woken(cx) {
            written = writer.as_mut().poll(&mut writer_waker.context()).is_ready();
        }
        // The reader ends the socket: the client closed, or the close handshake had its time.
        if reader_waker.woken(cx) {
            return reader.as_mut().poll(&mut reader_waker.context());
        }
        Poll::Pending
    })
    .await;
}

type Op = BoxFuture<'static, Done>;

impl Socket {
    fn options(&self) -> &super::ChannelOptions {
        &self.shared.channels.options
    }

    async fn read(
        mut self,
        mut stream: futures_util::stream::SplitStream<WebSocket>,
        mut connection: Option<ConnectionHandle>,
    ) {
        let mut op: Option<Op> = None;
        let timer = sleep_until(self.deadline(false));
        tokio::pin!(timer);
        loop {
            if op.is_none() && self.recheck_due && self.closing.is_none() {
                self.recheck_due = false;
                self.last_check = Instant::now();
                op = Some(self.check_credentials());
            }
            timer.as_mut().reset(self.deadline(op.is_some()));
            tokio::select! {
                frame = stream.next(), if op.is_none() && !self.broken => match frame {
                    None => return,
                    Some(Ok(message)) => op = self.on_message(message),
                    Some(Err(error)) => {
                        if self.closing.is_some() {
                            return;
                        }
                        self.on_error(error);
                    }
                },
                done = run_op(&mut op), if op.is_some() => op = self.apply(done),
                () = &mut timer => {
                    if self.on_timer() {
                        return;
                    }
                }
                () = stopping(connection.as_mut()), if self.closing.is_none() => {
                    self.close(close::GOING_AWAY);
                    connection = None;
                }
                // Closed by the outbox (a slow consumer): the handshake has its time and no more,
                // even when the client reads nothing.
                () = self.outbox.closing(), if self.closing.is_none() => self.start_closing(),
            }
        }
    }

    /// The next time something is due: the close's end, else idle, ping and credential checks
    /// (idle and ping wait while a handler runs).
    fn deadline(&self, busy: bool) -> Instant {
        if let Some(deadline) = self.closing {
            return deadline;
        }
        let options = self.options();
        let now = Instant::now();
        let far = now + Duration::from_secs(24 * 3600);
        let recheck = self.last_check + options.recheck_interval;
        // A token still accepted at its `exp` (the verifier's clock skew) is tried every second.
        let expiry = self.expires_in().map_or(far, |left| {
            (now + left).max(self.last_check + Duration::from_secs(1))
        });
        let mut deadline = recheck.min(expiry);
        if !busy {
            let ping = self.last_frame.max(self.last_ping) + options.ping_interval;
            let idle = self.last_frame + options.idle_timeout;
            deadline = deadline.min(ping).min(idle);
        }
        deadline
    }

    /// How long until the principal's token expires (zero once it has).
    fn expires_in(&self) -> Option<Duration> {
        let exp = self.principal.claims()?.exp;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
        Some(Duration::from_secs(exp).saturating_sub(now))
    }

    /// Handles the timer; `true` when the socket is over.
    fn on_timer(&mut self) -> bool {
        let now = Instant::now();
        if let Some(deadline) = self.closing {
            return now >= deadline;
        }
        let options = self.options();
        let (idle, ping) = (options.idle_timeout, options.ping_interval);
        if now >= self.last_frame + idle {
            self.close(close::IDLE);
            return false;
        }
        if now >= self.last_frame.max(self.last_ping) + ping {
            self.last_ping = now;
            self.outbox.push(frames::ping());
        }
        if now >= self.last_check + self.options().recheck_interval
            || self.expires_in().is_some_and(|left| {
                left.is_zero() && now >= self.last_check + Duration::from_secs(1)
            })
        {
            self.recheck_due = true;
        }
        false
    }

    /// Starts closing the socket with `code` (the first close's code wins).
    fn close(&mut self, code: u16) {
        self.start_closing();
        self.outbox.close(code);
    }

    /// Gives the close handshake its time from now on.
    fn start_closing(&mut self) {
        if self.closing.is_none() {
            self.closing = Some(Instant::now() + self.options().close_timeout);
        }
    }

    fn on_error(&mut self, error: axum::Error) {
        let code = match error.into_inner().downcast::<tungstenite::Error>() {
            Ok(error) => match *error {
                tungstenite::Error::Capacity(_) => close::TOO_BIG,
                tungstenite::Error::Utf8(_) => close::INVALID_TEXT,
                tungstenite::Error::Protocol(_) => 1002,
                _ => close::SERVER_ERROR,
            },
            Err(_) => close::SERVER_ERROR,
        };
        // What follows on the connection cannot be read as frames any more.
        self.broken = true;
        self.close(code);
    }

    fn on_message(&mut self, message: Message) -> Option<Op> {
        let now = Instant::now();
        self.last_frame = now;
        if self.closing.is_some() {
            return None;
        }
        if !self.take_token(now) {
            self.close(close::FLOOD);
            return None;
        }
        match message {
            Message::Text(text) => self.on_frame(text.as_str()),
            Message::Binary(_) => {
                self.close(close::UNSUPPORTED);
                None
            }
            // The client closed: the WebSocket answers it; the stream then ends.
            Message::Close(_) => {
                self.start_closing();
                None
            }
            Message::Ping(_) | Message::Pong(_) => None,
        }
    }

    /// Takes one frame from the rate limit's bucket.
    fn take_token(&mut self, now: Instant) -> bool {
        let options = self.options();
        let (burst, rate) = (
            f64::from(options.rate_burst),
            f64::from(options.rate_per_second),
        );
        let elapsed = now.duration_since(self.counted).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(burst);
        self.counted = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let hub = self.shared.channels.channels.hub();
        for sub in &self.subs {
            hub.unsubscribe(&sub.key, self.socket, &sub.id);
        }
        self.shared
            .channels
            .watchers
            .unwatch(self.socket, &self.watched);
    }
}

/// Runs the operation under way to its end.
async fn run_op(op: &mut Option<Op>) -> Done {
    match op {
        Some(op) => op.as_mut().await,
        None => std::future::pending().await,
    }
}

/// Resolves when the server serving the connection shuts down; never without one.
async fn stopping(connection: Option<&mut ConnectionHandle>) {
    match connection {
        Some(connection) => connection.stopping().await,
        None => std::future::pending().await,
    }
}
