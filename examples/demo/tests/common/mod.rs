//! Raw HTTP/1.1 over TCP for the demo's tests, so they see exactly what a client would.

#![allow(dead_code, unreachable_pub)]

pub mod ws;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `raw` (a whole request with `Connection: close`) to `addr` and reads the answer: the
/// status, the head as sent (cookie values are case-sensitive) and the body.
pub async fn request_raw(
    addr: impl tokio::net::ToSocketAddrs,
    raw: impl AsRef<str>,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw.as_ref().as_bytes()).await.unwrap();
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut out))
        .await
        .unwrap()
        .unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    (
        head[9..12].parse().unwrap(),
        head.to_owned(),
        body.to_owned(),
    )
}

/// Like [`request_raw`], with the head lowercased for header checks.
pub async fn request(
    addr: impl tokio::net::ToSocketAddrs,
    raw: impl AsRef<str>,
) -> (u16, String, String) {
    let (status, head, body) = request_raw(addr, raw).await;
    (status, head.to_lowercase(), body)
}

/// A demo process started by [`DemoProcess::spawn`] or [`DemoProcess::spawn_in`], killed when
/// dropped.
pub struct DemoProcess {
    /// The process.
    pub child: tokio::process::Child,
    /// Where it listens: `127.0.0.1:<port>`.
    pub addr: String,
    /// The database it said it opened (its `database: ...` line).
    pub database: String,
    /// The tokens it printed for `ada` (a user) and `grace` (staff).
    pub ada: String,
    /// See [`ada`](Self::ada).
    pub grace: String,
    /// The temporary folder of its database, removed after the process is gone.
    _folder: Option<tempfile::TempDir>,
}

impl DemoProcess {
    /// Starts the demo binary on a free loopback port with `args` and the root secret
    /// `secret_hex` (the public demo secret when `None`), on a SQLite database of its own in a
    /// fresh temporary folder, which is also its working directory.
    pub async fn spawn(args: &[&str], secret_hex: Option<&str>) -> Self {
        let folder = tempfile::tempdir().unwrap();
        let url = sqlite_url(folder.path());
        let mut demo = Self::spawn_in(folder.path(), Some(&url), args, secret_hex).await;
        demo._folder = Some(folder);
        demo
    }

    /// Starts the demo binary in the working directory `folder`, on `database_url` (none: the
    /// demo's default, whatever `MIZAN_DATABASE_URL` says here), like [`spawn`](Self::spawn).
    /// What it prints after the tokens is read and dropped, so it never blocks on a full pipe.
    pub async fn spawn_in(
        folder: &std::path::Path,
        database_url: Option<&str>,
        args: &[&str],
        secret_hex: Option<&str>,
    ) -> Self {
        use tokio::io::AsyncBufReadExt;
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_mizan-demo"));
        command
            .args(args)
            .current_dir(folder)
            .env("MIZAN_DEMO_ADDR", "127.0.0.1:0")
            .env_remove("MIZAN_DATABASE_URL")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        if let Some(url) = database_url {
            command.args(["--database-url", url]);
        }
        match secret_hex {
            Some(secret) => command.env("MIZAN_SECRET", secret),
            None => command.env_remove("MIZAN_SECRET"),
        };
        let mut child = command.spawn().unwrap();
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = std::collections::HashMap::new();
        // `database: URL`, `mizan demo listening on http://ADDR`, then the two tokens.
        while printed.len() < 4 {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("the demo starts within 30 s")
                .unwrap()
                .expect("the demo prints its database, its address and two tokens");
            for (key, marker) in [
                ("database", "database: "),
                ("addr", "listening on http://"),
                ("ada", "token for ada (user): "),
                ("grace", "token for grace (staff): "),
            ] {
                if let Some((_, value)) = line.split_once(marker) {
                    printed.insert(key, value.trim().to_owned());
                }
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            addr: printed.remove("addr").unwrap(),
            database: printed.remove("database").unwrap(),
            ada: printed.remove("ada").unwrap(),
            grace: printed.remove("grace").unwrap(),
            _folder: None,
        }
    }
}

/// The URL of the SQLite database `demo.sqlite3` in `folder`.
pub fn sqlite_url(folder: &std::path::Path) -> String {
    format!("sqlite://{}/demo.sqlite3", folder.display())
}

/// The value of the cookie `name` that a response head (as [`request_raw`] returns it) sets.
pub fn set_cookie_value<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines()
        .filter_map(|line| {
            let (field, value) = line.split_once(':')?;
            field
                .eq_ignore_ascii_case("set-cookie")
                .then_some(value.trim())
        })
        .find_map(|cookie| cookie.strip_prefix(name)?.strip_prefix('='))
        .map(|rest| rest.split(';').next().unwrap_or(""))
}

/// `VmRSS` of a process, in KiB (0 once it is gone).
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmRSS:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}
