//! An abusive burst of unfinished bodies against the real demo binary: its memory stays within
//! the body budget while the burst lasts and returns close to idle after it (`spec/PROTOCOL.md`
//! §2.11). Prints the resident set size before, during and after.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;

/// Connections in the burst, each declaring a 1 MiB body and sending all of it but one byte.
const CONNECTIONS: usize = 256;
const DECLARED: usize = 1 << 20;
/// The demo's body budget in this test.
const BUDGET: usize = 32 << 20;

/// Sends a head declaring [`DECLARED`] bytes and all of the body but its last byte; returns the
/// connection, or `None` when the server refused it (`503 overloaded`) or closed it.
async fn unfinished_body(addr: &str) -> Option<TcpStream> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let head = format!(
        "POST /api/mizan/call/echo HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nContent-Length: {DECLARED}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    let chunk = vec![b' '; 64 << 10];
    let mut sent = 0;
    while sent < DECLARED - 1 {
        let n = chunk.len().min(DECLARED - 1 - sent);
        if stream.write_all(&chunk[..n]).await.is_err() {
            return None;
        }
        sent += n;
    }
    Some(stream)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_within_the_body_budget_and_returns_after_a_burst() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("no /proc: resident set size cannot be read here");
        return;
    }
    let budget = BUDGET.to_string();
    let demo = common::DemoProcess::spawn(
        &["--body-budget", &budget, "--body-grace-ms", "30000"],
        None,
    )
    .await;
    let pid = demo.child.id().unwrap();
    let addr = demo.addr.clone();

    // Warm up: the runtime's threads and buffers exist before the baseline is read.
    for _ in 0..20 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"POST /api/mizan/call/echo HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"text\":\"hi\"}").await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = common::rss_kib(pid);

    let burst = tokio::time::timeout(Duration::from_secs(60), async {
        let mut held = Vec::new();
        let mut tasks = Vec::new();
        for _ in 0..CONNECTIONS {
            let addr = addr.clone();
            tasks.push(tokio::spawn(async move { unfinished_body(&addr).await }));
        }
        for task in tasks {
            if let Some(stream) = task.await.unwrap() {
                held.push(stream);
            }
        }
        held
    })
    .await
    .expect("the burst is sent within 60 s");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let during = common::rss_kib(pid);
    let open = burst.len();
    drop(burst);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = common::rss_kib(pid);
    println!(
        "demo RSS: idle {idle} KiB, during {CONNECTIONS} unfinished 1 MiB bodies ({open} taken by the client side) {during} KiB, after {after} KiB"
    );
    assert!(
        during < idle + (BUDGET as u64 >> 10) + 48 * 1024,
        "during the burst: {during} KiB, idle {idle} KiB, budget {} KiB",
        BUDGET >> 10
    );
    assert!(
        after < idle + 16 * 1024,
        "after the burst: {after} KiB, idle {idle} KiB"
    );
    // Still serving.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(
        b"GET /api/mizan/context/current_user HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    assert!(out.starts_with(b"HTTP/1.1 200"));
}
