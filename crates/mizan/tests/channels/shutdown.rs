//! Sockets on `mizan::serve`: counted as connections and closed with 1001 on shutdown.

use std::time::Duration;

use serde_json::json;

use mizan::ServeOptions;
use mizan::channels::Channels;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Server, WAIT, test_options};

#[tokio::test]
async fn a_graceful_shutdown_closes_sockets_with_1001_and_returns() {
    let mut server = Server::start(test_options()).await;
    let mut first = server.connect().await;
    let mut second = server.connect().await;
    assert_eq!(
        first.subscribe("s", "ticker", json!({"topic": "a"})).await["type"],
        "subscribed"
    );
    server.shut_down();
    assert_eq!(first.closed().await, Some(1001));
    assert_eq!(second.closed().await, Some(1001));
    let done = tokio::time::timeout(WAIT, &mut server.done).await;
    assert!(matches!(done, Ok(Ok(Ok(())))), "{done:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test]
async fn an_open_socket_counts_as_a_connection_of_the_server() {
    let serve_options = ServeOptions {
        max_connections: 1,
        ..ServeOptions::default()
    };
    let server = Server::start_serving(test_options(), Channels::in_process(), serve_options).await;
    let socket = server.connect().await;
    let mut http = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    http.write_all(b"GET /api/mizan/manifest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    let waited =
        tokio::time::timeout(Duration::from_millis(300), http.read_to_end(&mut response)).await;
    assert!(
        waited.is_err(),
        "answered while the socket held the only place"
    );
    drop(socket);
    tokio::time::timeout(WAIT, http.read_to_end(&mut response))
        .await
        .unwrap()
        .unwrap();
    assert!(
        response.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&response)
    );
}
