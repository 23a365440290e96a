//! Mizan over a real TCP socket on loopback, with a raw HTTP/1.1 client.

mod common;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn serve() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, common::app()).await.unwrap() });
    addr
}

async fn exchange(addr: std::net::SocketAddr, raw: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out))
        .await
        .expect("the server answers and closes")
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_calls_contexts_and_errors_over_tcp() {
    let addr = serve().await;
    let body = r#"{"text":"over the wire"}"#;
    let request = format!(
        "POST /api/mizan/call/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let reply = exchange(addr, request.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("cache-control: no-store"), "{reply}");
    assert!(reply.ends_with(r#"{"message":"over the wire"}"#), "{reply}");

    let reply = exchange(
        addr,
        b"GET /api/mizan/context/current_user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("etag: \""), "{reply}");
    assert!(reply.contains("vary: Authorization, Cookie"), "{reply}");

    let bad = "POST /api/mizan/call/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nConnection: close\r\n\r\n{\"te";
    let reply = exchange(addr, bad.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    assert!(reply.contains(r#""code":"malformed_json""#), "{reply}");

    let declared_huge = "POST /api/mizan/call/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{}";
    let reply = exchange(addr, declared_huge.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");

    let huge_query = format!(
        "GET /api/mizan/context/greet?p={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "A".repeat(20_000)
    );
    let reply = exchange(addr, huge_query.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 414"), "{reply}");

    // Still serving after all of that.
    let reply = exchange(addr, request.as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// What hyper and `http` hand over is the raw query: an empty query after `?` is kept (and is not
/// canonical), `+` and `%31` arrive untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_raw_query_reaches_the_decoder_over_tcp() {
    let addr = serve().await;
    let get = |target: &str| {
        format!("GET /api/mizan/context/{target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    };
    let reply = exchange(addr, get("current_user").as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let reply = exchange(addr, get("current_user?").as_bytes()).await;
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    assert!(reply.contains(r#""details":{"received":""}"#), "{reply}");
    assert!(reply.contains(r#""code":"non_canonical_query""#), "{reply}");
    let reply = exchange(addr, get("current_user?rev=%31").as_bytes()).await;
    assert!(reply.contains(r#""canonical":"rev=1""#), "{reply}");
    let reply = exchange(addr, get("current_user?rev=+1").as_bytes()).await;
    assert!(reply.contains(r#""received":"rev=+1""#), "{reply}");
    assert!(!reply.contains("canonical\":"), "{reply}");
}
