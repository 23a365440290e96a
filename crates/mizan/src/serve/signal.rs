//! The signal that starts a graceful shutdown.

use std::future::Future;

/// A future that resolves on `SIGTERM` (how process managers and containers stop a server) or
/// Ctrl-C (`SIGINT`).
///
/// The signals are caught from the moment this is called, not from when the future is first
/// polled, so call it before announcing that the server is up: a `SIGTERM` sent right after that
/// then shuts the server down gracefully instead of killing the process. Call it inside a Tokio
/// runtime.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        async move {
            let (Ok(mut terminate), Ok(mut interrupt)) = (terminate, interrupt) else {
                tracing::warn!("shutdown signals cannot be caught: serving until killed");
                return std::future::pending().await;
            };
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
