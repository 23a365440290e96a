//! One server of the load benchmark (`scripts/bench-load.sh`) in its own process:
//! `load-server <bare|same|mizan|mwt|accounts-sqlite|accounts-postgres|cache-bare|cache-mizan> [addr]` prints
//! `listening on <addr>` once it accepts connections. Every kind runs on `#[tokio::main]`, as the
//! demo's `main` does; see [`mizan_benches::servers`], [`mizan_benches::accounts`] and
//! [`mizan_benches::cache`] for what each serves. The accounts servers set up their database first, and remove it and exit when
//! their standard input closes.

use mizan_benches::accounts::{self, AccountsServer};
use mizan_benches::workloads::Server;
use tokio::io::AsyncReadExt;

const USAGE: &str = "usage: load-server <bare|same|mizan|mwt|accounts-sqlite|accounts-postgres|cache-bare|cache-mizan> [addr]";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    if let Some(server) = AccountsServer::from_mode(&mode).filter(|s| *s != AccountsServer::Bare) {
        let (router, cleanup) = accounts::router(server).await?;
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        println!("listening on {}", listener.local_addr()?);
        let served = mizan::serve(listener, router)
            .with_graceful_shutdown(stdin_closed())
            .await;
        cleanup.run().await;
        return Ok(served?);
    }
    if let Some(router) = cache_router(&mode)? {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        println!("listening on {}", listener.local_addr()?);
        if mode == "cache-mizan" {
            mizan::serve(listener, router).await?;
        } else {
            axum::serve(listener, router).await?;
        }
        return Ok(());
    }
    let server = Server::from_mode(&mode).ok_or(USAGE)?;
    let served = mizan_benches::servers::router(server).await?;
    let router = served.router.clone();
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on {}", listener.local_addr()?);
    // `MIZAN_BENCH_AXUM_SERVE=1` serves Mizan with `axum::serve` instead, to tell the cost of
    // `mizan::serve`'s deadlines apart from the protocol's.
    let axum_serve = std::env::var_os("MIZAN_BENCH_AXUM_SERVE").is_some();
    if server == Server::Mizan && !axum_serve {
        // As the demo's `main` serves it.
        mizan::serve(listener, router).await?;
    } else {
        // As a user serves plain axum.
        axum::serve(listener, router).await?;
    }
    Ok(())
}

/// The router of a cache benchmark server, `None` for another mode.
fn cache_router(mode: &str) -> Result<Option<axum::Router>, Box<dyn std::error::Error>> {
    Ok(match mode {
        "cache-mizan" => Some(mizan_benches::cache::mizan_router()?),
        "cache-bare" => Some(mizan_benches::cache::bare_router()),
        _ => None,
    })
}

/// Resolves when standard input reaches its end: the benchmark closes it to stop the server
/// (a kill would leave the database behind).
async fn stdin_closed() {
    let mut sink = [0u8; 64];
    let mut stdin = tokio::io::stdin();
    while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
}
