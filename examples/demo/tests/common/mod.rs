//! Raw HTTP/1.1 over TCP for the demo's tests, so they see exactly what a client would.

#![allow(dead_code, unreachable_pub)]

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

/// Starts the demo binary on a free loopback port with `args`, the root secret `secret_hex`
/// (the public demo secret when `None`), and returns it with its address. What it prints after
/// the address is read and dropped, so it never blocks on a full pipe.
pub async fn spawn_demo(
    args: &[&str],
    secret_hex: Option<&str>,
) -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_mizan-demo"));
    command
        .args(args)
        .env("MIZAN_DEMO_ADDR", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    match secret_hex {
        Some(secret) => command.env("MIZAN_SECRET", secret),
        None => command.env_remove("MIZAN_SECRET"),
    };
    let mut child = command.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the demo prints its address within 30 s")
            .unwrap()
            .expect("the demo prints `listening on http://ADDR`");
        if let Some((_, addr)) = line.split_once("listening on http://") {
            break addr.trim().to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
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
