//! One accepted connection: HTTP/1.1 by hyper, with the idle and header deadlines watched here.
//!
//! hyper's own header timeout starts when it begins waiting for a head, so it would also bound
//! the idle time between keep-alive requests; the two are separate settings, so the connection
//! watches its own traffic instead. The watch costs no timer and no wake-up per request: requests
//! only write timestamps, and one timer per connection looks at them at least once per header
//! timeout (which is what keeps the head deadline exact) and when a deadline falls due.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::time::{Instant, sleep_until};
use tower_service::Service;

use super::ServeOptions;
use crate::own_waker::OwnWaker;

/// Where a graceful shutdown stands; connections follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Serving as usual.
    Serving,
    /// Finish the requests in progress, answer them with `Connection: close`, accept no more.
    Draining,
    /// The grace period is over: close now.
    Closing,
}

/// What a request served by [`serve`](crate::serve) carries of its connection: the connection's
/// place among the open ones, and the shutdown to follow once upgraded.
#[derive(Clone)]
pub(crate) struct ConnectionHandle {
    _permit: Arc<OwnedSemaphorePermit>,
    stop: watch::Receiver<Stop>,
}

impl ConnectionHandle {
    /// Resolves when the server begins shutting down.
    pub(crate) async fn stopping(&mut self) {
        // A dropped sender means the server is gone: as good as stopping.
        let _ = self.stop.wait_for(|stop| *stop != Stop::Serving).await;
    }
}

/// What the connection's watchdog knows of its traffic. Times are milliseconds after `accepted`.
#[derive(Debug)]
struct Activity {
    accepted: Instant,
    /// Requests being handled now (their handler has not returned).
    in_flight: AtomicUsize,
    /// Whether the next byte read begins a request head: set when the connection opens and when
    /// a handler returns, cleared by that byte.
    awaiting_head: AtomicBool,
    /// When the current head's first byte was read.
    head_started_ms: AtomicU64,
    /// When a handler last returned or bytes were last written.
    quiet_since_ms: AtomicU64,
    /// Whether the watchdog still reads these times: no longer once the connection's task has
    /// ended, while an upgraded connection (a channel socket) lives on and writes on every
    /// delivery, which then need not read the clock.
    watched: AtomicBool,
}

impl Activity {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.accepted.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn at(&self, ms: &AtomicU64) -> Instant {
        self.accepted + Duration::from_millis(ms.load(Ordering::Acquire))
    }
}

/// Serves one connection until it ends, times out, or the shutdown closes it.
pub(super) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    options: ServeOptions,
    stop: watch::Receiver<Stop>,
    permit: OwnedSemaphorePermit,
) {
    // Shared with every request, so an upgraded socket (a channel's WebSocket) keeps counting as
    // an open connection after hyper hands it over, and hears the shutdown.
    let handle = ConnectionHandle {
        _permit: Arc::new(permit),
        stop: stop.clone(),
    };
    let activity = Arc::new(Activity {
        accepted: Instant::now(),
        in_flight: AtomicUsize::new(0),
        awaiting_head: AtomicBool::new(true),
        head_started_ms: AtomicU64::new(0),
        quiet_since_ms: AtomicU64::new(0),
        watched: AtomicBool::new(true),
    });
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let handlers = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
        // Where the request came from, as axum's own `serve` with connect info gives it: the
        // accounts module counts sign-in attempts per client address.
        request.extensions_mut().insert(ConnectInfo(peer));
        // Only an upgrade can outlive its request: the rest of the requests skip the clone and
        // the boxed extension on the hot path.
        if request.headers().contains_key(http::header::UPGRADE) {
            request.extensions_mut().insert(handle.clone());
        }
        let in_flight = InFlight::begin(&handlers);
        let call = router.clone().call(request);
        async move {
            let response = call.await;
            drop(in_flight);
            response
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .with_upgrades();
    tokio::pin!(connection);
    let watchdog = watch_deadlines(&activity, &options);
    tokio::pin!(watchdog);
    let mut draining = false;
    // The state as it is now, then each change: boxed and made again each time, at most thrice.
    let mut stop_state = Box::pin(next_state(stop, false));
    let beside = OwnWaker::new();
    std::future::poll_fn(|cx| {
        if beside.woken(cx) {
            let mut side = beside.context();
            if watchdog.as_mut().poll(&mut side).is_ready() {
                return Poll::Ready(());
            }
            while let Poll::Ready((alive, mut stop)) = stop_state.as_mut().poll(&mut side) {
                let now = *stop.borrow_and_update();
                if !alive || now == Stop::Closing {
                    return Poll::Ready(());
                }
                if now != Stop::Serving && !draining {
                    draining = true;
                    connection.as_mut().graceful_shutdown();
                }
                stop_state = Box::pin(next_state(stop, true));
            }
        }
        connection.as_mut().poll(cx).map(|result| {
            if let Err(e) = result {
                tracing::debug!("connection ended with an error: {e}");
            }
        })
    })
    .await;
    activity.watched.store(false, Ordering::Relaxed);
}

/// Resolves with the receiver at once, or (`wait`) when the shutdown's state changes; and whether
/// the server is still there to change it.
async fn next_state(mut stop: watch::Receiver<Stop>, wait: bool) -> (bool, watch::Receiver<Stop>) {
    let alive = !wait || stop.changed().await.is_ok();
    (alive, stop)
}

/// Resolves when the connection has been idle for the idle timeout, or a head has taken longer
/// than the header read timeout since its first byte.
async fn watch_deadlines(activity: &Activity, options: &ServeOptions) {
    // Never sleep longer than the header timeout, except until a head's own deadline: a head that
    // begins while the watchdog sleeps is then seen before its deadline passes.
    let check_every = options.header_read_timeout.max(Duration::from_millis(1));
    let timer = sleep_until(activity.accepted + check_every.min(options.idle_timeout));
    tokio::pin!(timer);
    loop {
        timer.as_mut().await;
        let now = Instant::now();
        let deadline = if activity.in_flight.load(Ordering::Acquire) > 0 {
            // A handler runs: its own deadlines (the body's) apply, not the connection's.
            None
        } else if activity.awaiting_head.load(Ordering::Acquire) {
            Some(activity.at(&activity.quiet_since_ms) + options.idle_timeout)
        } else {
            Some(activity.at(&activity.head_started_ms) + options.header_read_timeout)
        };
        match deadline {
            Some(deadline) if deadline <= now => {
                tracing::debug!("closing a connection: idle, or its request head too slow");
                return;
            }
            Some(deadline) => timer.as_mut().reset(deadline.min(now + check_every)),
            None => timer.as_mut().reset(now + check_every),
        }
    }
}

/// Counts a request as in progress until its handler returns.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        activity
            .quiet_since_ms
            .store(activity.now_ms(), Ordering::Release);
        activity.awaiting_head.store(true, Ordering::Release);
        activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The socket, reporting its traffic to the watchdog.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        let activity = &this.activity;
        if buf.filled().len() > before
            && activity.awaiting_head.load(Ordering::Relaxed)
            && activity.awaiting_head.swap(false, Ordering::AcqRel)
        {
            activity
                .head_started_ms
                .store(activity.now_ms(), Ordering::Release);
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.wrote(&poll);
        poll
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.wrote(&poll);
        poll
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl Watched {
    fn wrote(&self, poll: &Poll<io::Result<usize>>) {
        if let Poll::Ready(Ok(1..)) = poll
            && self.activity.watched.load(Ordering::Relaxed)
        {
            self.activity
                .quiet_since_ms
                .store(self.activity.now_ms(), Ordering::Release);
        }
    }
}
