//! Runs the Mizan demo on 127.0.0.1:8000 (or `MIZAN_DEMO_ADDR`).
//!
//! `--mizan-generate <dir>` writes the web app's TypeScript client from the registry instead
//! (`cargo run -p mizan-demo -- --mizan-generate examples/demo/web/src/mizan`), `--mizan-check
//! <dir>` fails when the committed client is stale, and `--mizan-manifest` prints the manifest.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use mizan::core::{RootSecret, hex};
use mizan_demo::{Keys, app};

/// Used when `MIZAN_SECRET` is not set; fine for a demo on loopback, never for anything else.
const DEV_SECRET: [u8; 32] = *b"mizan demo secret: never deploy!";

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let registry = mizan_demo::functions::registry()?;
    if let Some(exit) = mizan::codegen::run_from_args(&registry, std::env::args().skip(1)) {
        return Ok(exit);
    }
    let addr = std::env::var("MIZAN_DEMO_ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
    let secret = match std::env::var("MIZAN_SECRET") {
        Ok(hex_text) => {
            RootSecret::new(hex::decode(hex_text.trim()).ok_or("MIZAN_SECRET must be hex")?)?
        }
        Err(_) => {
            eprintln!("MIZAN_SECRET is not set: using the public demo secret");
            RootSecret::new(DEV_SECRET)?
        }
    };
    let keys = Keys::new(secret);
    let router = app(&keys)?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    println!("mizan demo listening on http://{local}");
    println!("token for ada (user):    {}", keys.token("ada", false, now));
    println!(
        "token for grace (staff): {}",
        keys.token("grace", true, now)
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}
