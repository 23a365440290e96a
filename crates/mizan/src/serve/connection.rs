//! One accepted connection: HTTP/1.1 by hyper, with the idle and header deadlines watched here.
//!
//! hyper's own header timeout starts when it begins waiting for a head, so it would also bound
//! the idle time between keep-alive requests; the two are separate settings, so the connection
//! watches its own bytes instead.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit, watch};
use tokio::time::{Instant, sleep_until};
use tower_service::Service;

use super::ServeOptions;

/// Where a graceful shutdown stands; connections follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// Serving as usual.
    Serving,
    /// Finish the requests in progress, answer them with `Connection: close`, accept no more.
    Draining,
    /// The grace period is over: close now.
    Closing,
}

/// What the connection's watchdog knows of its traffic.
#[derive(Debug)]
struct Activity {
    /// When the connection was accepted: the origin of `last_write_ms`.
    accepted: Instant,
    /// Requests being handled now (their handler has not returned).
    in_flight: AtomicUsize,
    /// Requests whose handling has begun, ever.
    started: AtomicU64,
    /// When bytes were last written, in milliseconds after `accepted`.
    last_write_ms: AtomicU64,
    /// Set by the watchdog while it waits for the first byte of the next head.
    awaiting_byte: AtomicBool,
    /// Woken when a handler returns and when an awaited byte arrives.
    changed: Notify,
}

/// Serves one connection until it ends, times out, or the shutdown closes it.
pub(super) async fn serve(
    stream: TcpStream,
    router: Router,
    options: ServeOptions,
    mut stop: watch::Receiver<Stop>,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity {
        accepted: Instant::now(),
        in_flight: AtomicUsize::new(0),
        started: AtomicU64::new(0),
        last_write_ms: AtomicU64::new(0),
        awaiting_byte: AtomicBool::new(false),
        changed: Notify::new(),
    });
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let handlers = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
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
    loop {
        if !draining && *stop.borrow_and_update() != Stop::Serving {
            draining = true;
            connection.as_mut().graceful_shutdown();
        }
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!("connection ended with an error: {e}");
                }
                return;
            }
            () = &mut watchdog => return,
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() == Stop::Closing {
                    return;
                }
            }
        }
    }
}

/// Resolves when the connection has been idle for the idle timeout, or a head has taken longer
/// than the header read timeout since its first byte.
async fn watch_deadlines(activity: &Activity, options: &ServeOptions) {
    loop {
        while activity.in_flight.load(Ordering::Acquire) > 0 {
            activity.changed.notified().await;
        }
        let started = activity.started.load(Ordering::Acquire);
        let idle_since = Instant::now();
        activity.awaiting_byte.store(true, Ordering::Release);
        let mut deadline = idle_since + options.idle_timeout;
        let first_byte = loop {
            let timed_out = tokio::select! {
                () = activity.changed.notified() => false,
                () = sleep_until(deadline) => true,
            };
            if activity.started.load(Ordering::Acquire) != started
                || activity.in_flight.load(Ordering::Acquire) > 0
            {
                break false;
            }
            if !activity.awaiting_byte.load(Ordering::Acquire) {
                break true;
            }
            if timed_out {
                // The last answer may still have been written after the handler returned.
                let quiet_since = activity.last_write().max(idle_since);
                if Instant::now() >= quiet_since + options.idle_timeout {
                    tracing::debug!("closing an idle connection");
                    return;
                }
                deadline = quiet_since + options.idle_timeout;
            }
        };
        activity.awaiting_byte.store(false, Ordering::Release);
        if !first_byte {
            continue;
        }
        let deadline = Instant::now() + options.header_read_timeout;
        loop {
            let timed_out = tokio::select! {
                () = activity.changed.notified() => false,
                () = sleep_until(deadline) => true,
            };
            if activity.started.load(Ordering::Acquire) != started {
                break;
            }
            if timed_out {
                tracing::debug!("closing a connection whose request head is too slow");
                return;
            }
        }
    }
}

/// Counts a request as in progress until its handler returns.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.started.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.changed.notify_one();
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
        if buf.filled().len() > before
            && this.activity.awaiting_byte.load(Ordering::Relaxed)
            && this.activity.awaiting_byte.swap(false, Ordering::AcqRel)
        {
            this.activity.changed.notify_one();
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
        this.count(&poll);
        poll
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.count(&poll);
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
    fn count(&self, poll: &Poll<io::Result<usize>>) {
        if let Poll::Ready(Ok(1..)) = poll {
            let since = self.activity.accepted.elapsed().as_millis();
            self.activity
                .last_write_ms
                .store(u64::try_from(since).unwrap_or(u64::MAX), Ordering::Relaxed);
        }
    }
}

impl Activity {
    /// When bytes were last written (when it was accepted, if never), to the millisecond.
    fn last_write(&self) -> Instant {
        self.accepted + Duration::from_millis(self.last_write_ms.load(Ordering::Relaxed))
    }
}
