//! Serves {{name}} on http://127.0.0.1:3000 (`ADDR` changes it). `MIZAN_SECRET` is the root
//! secret, 64 hex digits; without it the app uses a public development secret, and only on a
//! loopback address.
//!
//! `--mizan-generate web/src/mizan` writes the web app's TypeScript client from the functions
//! instead of serving, `--mizan-check web/src/mizan` fails when it is stale, and
//! `--mizan-manifest` prints the manifest.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use mizan::core::{RootSecret, hex};

use {{crate}}::{DEV_SECRET, Keys, app, functions};

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let registry = functions::registry()?;
    if let Some(exit) = mizan::codegen::run_from_args(&registry, std::env::args().skip(1)) {
        return Ok(exit);
    }
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    // Checked before binding, so a refused start never listens, even for a moment.
    let loopback_only = tokio::net::lookup_host(&addr)
        .await?
        .all(|resolved| resolved.ip().is_loopback());
    let secret = match std::env::var("MIZAN_SECRET") {
        Ok(hex_text) => {
            RootSecret::new(hex::decode(hex_text.trim()).ok_or("MIZAN_SECRET must be hex digits")?)?
        }
        Err(_) if loopback_only => {
            eprintln!("MIZAN_SECRET is not set: using the public development secret");
            RootSecret::new(DEV_SECRET)?
        }
        Err(_) => {
            eprintln!(
                "refusing to serve on {addr} with the public development secret: anyone could sign tokens; set MIZAN_SECRET (64 hex digits, `openssl rand -hex 32`)"
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let keys = Keys::new(secret);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    println!("{} listening on http://{local}", env!("CARGO_PKG_NAME"));
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    println!(
        "a user's token, for an hour:  {}",
        keys.token("ada", false, now, 3600)
    );
    println!(
        "a staff token, for an hour:   {}",
        keys.token("admin", true, now, 3600)
    );
    mizan::serve(listener, app(&keys)?)
        .with_graceful_shutdown(mizan::shutdown_signal())
        .await?;
    Ok(ExitCode::SUCCESS)
}
