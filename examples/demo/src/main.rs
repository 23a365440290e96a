//! Runs the Mizan demo on 127.0.0.1:8000 (or `MIZAN_DEMO_ADDR`); `--help` lists the options.
//! Users and sessions live in `mizan-demo.sqlite3` in the working directory (created on first
//! start) unless `--database-url` or `MIZAN_DATABASE_URL` names another database, such as
//! `postgres://user@host/db`.
//!
//! `--mizan-generate <dir>` writes the web app's TypeScript client from the registry instead
//! (`cargo run -p mizan-demo -- --mizan-generate examples/demo/web/src/mizan`), `--mizan-check
//! <dir>` fails when the committed client is stale, and `--mizan-manifest` prints the manifest.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;
use mizan::channels::Channels;
use mizan::core::{RootSecret, hex};
use mizan::{Limits, ServeOptions};
use mizan_demo::{Config, DEFAULT_DATABASE, Keys, app_with_channels, open_accounts};
use mizan_redis::{RedisCacheStore, RedisLayer};

/// Used when `MIZAN_SECRET` is not set; fine for a demo on loopback, never for anything else.
const DEV_SECRET: [u8; 32] = *b"mizan demo secret: never deploy!";

/// The Mizan demo server.
#[derive(Debug, Parser)]
#[command(name = "mizan-demo")]
struct Args {
    /// Serve the password-less `demo.sign_in`, which hands a staff session to anyone: for
    /// development only.
    #[arg(long)]
    dev: bool,
    /// Where users and sessions live: `sqlite://<file>` (relative to the working directory,
    /// created on first start) or `postgres://user@host:port/database`.
    #[arg(long, value_name = "URL", env = "MIZAN_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database_url: String,
    /// Share the chat and the context cache with every demo process connected to this Redis
    /// (`redis://127.0.0.1:6379`); without it, channels and cached answers live in this process
    /// only.
    #[arg(long, value_name = "URL", env = "MIZAN_REDIS_URL")]
    redis_url: Option<String>,
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
    let cache = mizan::cache::Cache::builder(&secret);
    let keys = Keys::new(secret);
    println!("database: {}", without_password(&args.database_url));
    let accounts = open_accounts(&keys, &args.database_url).await?;
    // Caught from here on, before the port opens: a SIGTERM sent as soon as a client can connect
    // stops the demo gracefully (closing channel sockets with 1001), never kills it outright.
    let shutdown = mizan::shutdown_signal();
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    let config = Config {
        dev: args.dev,
        limits: args.limits(),
    };
    let (channels, cache) = match &args.redis_url {
        Some(url) => {
            println!(
                "channels and cache: through Redis at {}",
                without_password(url)
            );
            let layer = RedisLayer::builder(url.as_str())
                .prefix("mizan-demo")
                .connect()
                .await?;
            let store = RedisCacheStore::builder(url.as_str())
                .prefix("mizan-demo:cache:")
                .connect()
                .await?;
            (Channels::new(layer), cache.store(store))
        }
        None => (Channels::in_process(), cache),
    };
    let router = app_with_channels(&accounts, &config, channels, Some(cache.build()))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    println!("mizan demo listening on http://{local}");
    if args.dev {
        eprintln!(
            "development mode (--dev): demo.sign_in signs in ada or grace without a password"
        );
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

/// `url` with the password of its user info, if any, replaced by `***`: what the demo prints of a
/// database URL.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn printed_database_urls_hide_only_the_password() {
        for (url, printed) in [
            ("sqlite://mizan-demo.sqlite3", "sqlite://mizan-demo.sqlite3"),
            ("postgres://app@db/demo", "postgres://app@db/demo"),
            (
                "postgres://app:s3cret@db:5432/demo?sslmode=require",
                "postgres://app:***@db:5432/demo?sslmode=require",
            ),
            ("postgres://app:a@b@db/demo", "postgres://app:***@db/demo"),
        ] {
            assert_eq!(without_password(url), printed);
        }
    }
}
