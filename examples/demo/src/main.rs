//! Runs the Mizan demo on 127.0.0.1:8000 (or `MIZAN_DEMO_ADDR`); `--help` lists the options.
//!
//! `--mizan-generate <dir>` writes the web app's TypeScript client from the registry instead
//! (`cargo run -p mizan-demo -- --mizan-generate examples/demo/web/src/mizan`), `--mizan-check
//! <dir>` fails when the committed client is stale, and `--mizan-manifest` prints the manifest.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;
use mizan::core::{RootSecret, hex};
use mizan::{Limits, ServeOptions};
use mizan_demo::{Config, Keys, app};

/// Used when `MIZAN_SECRET` is not set; fine for a demo on loopback, never for anything else.
const DEV_SECRET: [u8; 32] = *b"mizan demo secret: never deploy!";

/// The Mizan demo server.
#[derive(Debug, Parser)]
#[command(name = "mizan-demo")]
struct Args {
    /// Serve the password-less `demo.sign_in` and `demo.sign_out`, which hand a staff token to
    /// anyone: for development only.
    #[arg(long)]
    dev: bool,
    /// How long a request head may take, in milliseconds.
    #[arg(long, value_name = "MS")]
    header_timeout_ms: Option<u64>,
    /// How long a connection may sit idle, in milliseconds.
    #[arg(long, value_name = "MS")]
    idle_timeout_ms: Option<u64>,
    /// The most connections open at once.
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// How long a graceful shutdown waits for requests in progress, in milliseconds.
    #[arg(long, value_name = "MS")]
    shutdown_grace_ms: Option<u64>,
    /// How long a request body may take before the minimum rate applies, in milliseconds.
    #[arg(long, value_name = "MS")]
    body_grace_ms: Option<u64>,
    /// The slowest a request body may arrive after its grace period, in bytes per second.
    #[arg(long, value_name = "BYTES")]
    body_min_rate: Option<u32>,
    /// The most bytes of request bodies buffered at once.
    #[arg(long, value_name = "BYTES")]
    body_budget: Option<usize>,
}

impl Args {
    fn limits(&self) -> Limits {
        let defaults = Limits::default();
        Limits {
            body_grace: self
                .body_grace_ms
                .map_or(defaults.body_grace, Duration::from_millis),
            body_min_rate: self.body_min_rate.unwrap_or(defaults.body_min_rate),
            body_budget_bytes: self.body_budget.unwrap_or(defaults.body_budget_bytes),
            ..defaults
        }
    }

    fn serve_options(&self) -> ServeOptions {
        let defaults = ServeOptions::default();
        let ms = |value: Option<u64>, default| value.map_or(default, Duration::from_millis);
        ServeOptions {
            header_read_timeout: ms(self.header_timeout_ms, defaults.header_read_timeout),
            idle_timeout: ms(self.idle_timeout_ms, defaults.idle_timeout),
            max_connections: self.max_connections.unwrap_or(defaults.max_connections),
            shutdown_grace: ms(self.shutdown_grace_ms, defaults.shutdown_grace),
        }
    }
}

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let registry = mizan_demo::functions::registry()?;
    if let Some(exit) = mizan::codegen::run_from_args(&registry, std::env::args().skip(1)) {
        return Ok(exit);
    }
    let args = Args::parse();
    let addr = std::env::var("MIZAN_DEMO_ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
    // Checked before binding, so a refused start never listens, even for a moment.
    let loopback_only = tokio::net::lookup_host(&addr)
        .await?
        .all(|resolved| resolved.ip().is_loopback());
    let secret = match std::env::var("MIZAN_SECRET") {
        Ok(hex_text) => {
            RootSecret::new(hex::decode(hex_text.trim()).ok_or("MIZAN_SECRET must be hex")?)?
        }
        Err(_) if loopback_only => {
            eprintln!("MIZAN_SECRET is not set: using the public demo secret");
            RootSecret::new(DEV_SECRET)?
        }
        Err(_) => {
            eprintln!(
                "refusing to serve on {addr} with the public demo secret: anyone could sign tokens; set MIZAN_SECRET (64 hex digits) or bind to 127.0.0.1"
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    let keys = Keys::new(secret);
    let config = Config {
        dev: args.dev,
        limits: args.limits(),
    };
    let router = app(&keys, &config)?;
    // Caught from here on: a SIGTERM sent as soon as the address is printed stops the demo
    // gracefully.
    let shutdown = mizan::shutdown_signal();
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    println!("mizan demo listening on http://{local}");
    if args.dev {
        eprintln!("development mode (--dev): demo.sign_in hands out tokens without a password");
    }
    println!("token for ada (user):    {}", keys.token("ada", false, now));
    println!(
        "token for grace (staff): {}",
        keys.token("grace", true, now)
    );
    mizan::serve(listener, router)
        .options(args.serve_options())
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(ExitCode::SUCCESS)
}
