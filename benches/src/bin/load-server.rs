//! One server of the load benchmark (`scripts/bench-load.sh`) in its own process:
//! `load-server <bare|same|mizan> [addr]` prints `listening on <addr>` once it accepts
//! connections. Every kind runs on `#[tokio::main]`, as the demo's `main` does; see
//! [`mizan_benches::servers`] for what each serves.

use mizan_benches::workloads::Server;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let server = Server::from_mode(&mode).ok_or("usage: load-server <bare|same|mizan> [addr]")?;
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
