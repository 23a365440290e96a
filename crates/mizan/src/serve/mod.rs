//! Serving an axum app with the connection limits of `spec/PROTOCOL.md` §2.11: timeouts, a cap
//! on open connections, and a graceful shutdown.
//!
//! `axum::serve` runs hyper without a timer, so a connection that never finishes its request
//! stays open for ever; [`serve`] is its counterpart with the limits in place.

mod connection;
mod options;
mod signal;

use std::future::{Future, IntoFuture};
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::BoxFuture;
pub(crate) use connection::ConnectionHandle;
use connection::Stop;
pub use options::ServeOptions;
pub use signal::shutdown_signal;

/// Serves `router` on `listener` over HTTP/1.1 with the limits of [`ServeOptions`], until the
/// graceful shutdown signal (if any) resolves.
///
/// ```no_run
/// use axum::Router;
/// use mizan::{Mizan, Registry, ServeOptions};
///
/// # async fn run() -> std::io::Result<()> {
/// let app: Router = Router::new().merge(Mizan::new(Registry::new()).router("/api/mizan"));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
/// mizan::serve(listener, app)
///     .options(ServeOptions::default())
///     .with_graceful_shutdown(mizan::shutdown_signal())
///     .await
/// # }
/// ```
///
/// On shutdown it stops accepting, lets requests in progress finish for
/// [`ServeOptions::shutdown_grace`] (answering them with `Connection: close`, and closing idle
/// connections at once), then closes what is left and returns.
pub fn serve(listener: TcpListener, router: Router) -> Serve {
    Serve {
        listener,
        router,
        options: ServeOptions::default(),
        shutdown: None,
    }
}

/// The server [`serve`] returns: configure it, then `.await` it.
#[must_use = "a server does nothing until it is awaited"]
pub struct Serve {
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: Option<BoxFuture<'static, ()>>,
}

impl Serve {
    /// Sets the timeouts and limits.
    pub fn options(mut self, options: ServeOptions) -> Self {
        self.options = options;
        self
    }

    /// Shuts the server down gracefully when `signal` resolves, such as [`shutdown_signal`].
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.shutdown = Some(Box::pin(signal));
        self
    }

    async fn run(self) -> io::Result<()> {
        let Self {
            listener,
            router,
            options,
            shutdown,
        } = self;
        let mut shutdown = shutdown.unwrap_or_else(|| Box::pin(std::future::pending()));
        // `acquire_many` counts in u32; no server holds that many connections anyway.
        let capacity = u32::try_from(options.max_connections.max(1)).unwrap_or(u32::MAX);
        let permits = Arc::new(Semaphore::new(capacity as usize));
        let (stop, stopped) = watch::channel(Stop::Serving);
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&permits).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => unreachable!("the semaphore is never closed"),
                },
                () = &mut shutdown => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        wait_after_accept_error(&e).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            // Answers are written whole; Nagle's delay would only add latency.
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection::serve(
                stream,
                peer,
                router.clone(),
                options,
                stopped.clone(),
                permit,
            ));
        }
        drop(listener);
        tracing::info!("shutting down: finishing the requests in progress");
        let _ = stop.send(Stop::Draining);
        if tokio::time::timeout(options.shutdown_grace, permits.acquire_many(capacity))
            .await
            .is_err()
        {
            tracing::warn!("shutdown grace period over: closing the connections left");
            let _ = stop.send(Stop::Closing);
            let _ =
                tokio::time::timeout(Duration::from_secs(1), permits.acquire_many(capacity)).await;
        }
        Ok(())
    }
}

impl IntoFuture for Serve {
    type Output = io::Result<()>;
    type IntoFuture = BoxFuture<'static, io::Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl std::fmt::Debug for Serve {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// An error of one connection (reset before it was accepted) costs nothing; any other, such as
/// running out of file descriptors, would spin the accept loop, so it waits a moment.
async fn wait_after_accept_error(error: &io::Error) {
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!("accepting a connection failed: {error}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
