//! The demo binary as a process: its database, its fixture users, development mode, the public
//! secret, and shutting down on `SIGTERM`.

use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::process::Command;

mod common;
use common::{DemoProcess, request};

async fn start(args: &[&str]) -> DemoProcess {
    DemoProcess::spawn(args, None).await
}

fn sign_in() -> String {
    let body = r#"{"user":"grace"}"#;
    format!(
        "POST /api/mizan/call/demo.sign_in HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn the_password_less_sign_in_exists_only_in_development_mode() {
    let demo = start(&[]).await;
    let (status, _, body) = request(&demo.addr, sign_in()).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains(r#""code":"not_found""#), "{body}");

    let demo = start(&["--dev"]).await;
    let (status, head, body) = request(&demo.addr, sign_in()).await;
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("set-cookie: mizan_session="), "{head}");
}

#[tokio::test]
async fn the_public_demo_secret_is_refused_off_loopback() {
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mizan-demo"))
        .current_dir(folder.path())
        // Never bound: the check comes first.
        .env("MIZAN_DEMO_ADDR", "0.0.0.0:0")
        .env_remove("MIZAN_SECRET")
        .env_remove("MIZAN_DATABASE_URL")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("the demo refuses at once")
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to serve on 0.0.0.0:0"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "it must not listen");
    let created: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
    assert!(created.is_empty(), "nor open a database: {created:?}");
}

#[tokio::test]
async fn sigterm_stops_accepting_closes_idle_connections_and_exits() {
    let mut demo = start(&[]).await;
    let addr = demo.addr.clone();
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let pid = demo.child.id().unwrap().to_string();
    let start = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(5), demo.child.wait())
        .await
        .expect("the demo exits within 5 s of SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(2), idle.read(&mut buf))
        .await
        .expect("the idle connection is closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err());
}
