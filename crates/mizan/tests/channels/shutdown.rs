//! Sockets on `mizan::serve`: counted as connections and closed with 1001 on shutdown.

use std::time::Duration;

use serde_json::json;

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
