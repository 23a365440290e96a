//! The upgrade's checks (§2.15.2) and the limits and close codes (§2.15.8).

use std::time::{Duration, Instant};

use mizan::channels::ChannelOptions;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use crate::support::{Server, Tick, Ticker, TopicParams, WAIT, test_options};

async fn http(server: &Server, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(WAIT, stream.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    response
}

#[tokio::test]
async fn other_methods_are_405_and_a_plain_get_is_not_websocket() {
    let server = Server::start(test_options()).await;
    let response = http(
        &server,
        "POST /api/mizan/ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 405"), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("allow: get\r\n"),
        "{response}"
    );
    let response = http(
        &server,
        "GET /api/mizan/ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(
        response.contains(r#""reason":"not_websocket""#),
        "{response}"
    );
    let response = http(
        &server,
        "GET /api/mizan/ws/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
}

#[tokio::test]
async fn a_foreign_origin_is_refused_and_an_allowed_one_is_not() {
    let server = Server::start(test_options()).await;
    let (status, body) = server
        .connect_with(&[("origin", "https://evil.example".into())])
        .await
        .err()
        .expect("refused");
    assert_eq!(status, 403);
    assert_eq!(body["details"]["reason"], "origin");
    assert!(
        server
            .connect_with(&[("origin", "https://allowed.example".into())])
            .await
            .is_ok()
    );
    let own = format!("http://{}", server.addr);
    assert!(server.connect_with(&[("origin", own)]).await.is_ok());
}

#[tokio::test]
async fn bad_credentials_in_the_upgrade_are_401() {
    let server = Server::start(test_options()).await;
    let (status, body) = server
        .connect_with(&[("authorization", "Bearer nope".into())])
        .await
        .err()
        .expect("refused");
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unauthenticated"))
    );
}

#[tokio::test]
async fn sockets_over_the_limit_are_503_overloaded() {
    let server = Server::start(ChannelOptions {
        max_sockets: 1,
        ..test_options()
    })
    .await;
    let first = server.connect().await;
    let (status, body) = server.connect_with(&[]).await.err().expect("refused");
    assert_eq!((status, body["code"].as_str()), (503, Some("overloaded")));
    drop(first);
    // The place is given back once the first socket is gone.
    let deadline = Instant::now() + WAIT;
    loop {
        if server.connect_with(&[]).await.is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the socket's place was never given back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_binary_frame_closes_1003() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect().await;
    client.send_raw(Message::binary(vec![1, 2, 3])).await;
    assert_eq!(client.closed().await, Some(1003));
}

#[tokio::test]
async fn an_oversized_frame_closes_1009() {
    let server = Server::start(ChannelOptions {
        max_frame_bytes: 1024,
        ..test_options()
    })
    .await;
    let mut client = server.connect().await;
    client.send_raw(Message::text("x".repeat(2000))).await;
    assert_eq!(client.closed().await, Some(1009));
}

#[tokio::test]
async fn an_oversized_fragmented_message_closes_1009() {
    let server = Server::start(ChannelOptions {
        max_frame_bytes: 1024,
        ..test_options()
    })
    .await;
    let mut client = server.connect().await;
    let first = Frame::message(vec![b'x'; 800], OpCode::Data(Data::Text), false);
    let second = Frame::message(vec![b'x'; 800], OpCode::Data(Data::Continue), true);
    client.send_raw(Message::Frame(first)).await;
    client.send_raw(Message::Frame(second)).await;
    assert_eq!(client.closed().await, Some(1009));
}

#[tokio::test]
async fn a_flood_closes_4029() {
    let options = ChannelOptions {
        rate_burst: 5,
        rate_per_second: 1,
        ..test_options()
    };
    let server = Server::start(options).await;
    let mut client = server.connect().await;
    for _ in 0..10 {
        client.send(json!({"type": "ping"})).await;
    }
    let mut pongs = 0;
    let code = loop {
        match client.event().await {
            crate::support::Event::Frame(frame) => {
                assert_eq!(frame["type"], "pong");
                pongs += 1;
            }
            crate::support::Event::Closed(code) => break code,
        }
    };
    assert_eq!((pongs, code), (5, Some(4029)));
}

#[tokio::test]
async fn a_quiet_socket_is_pinged_then_closed_4000() {
    let options = ChannelOptions {
        ping_interval: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        ..test_options()
    };
    let server = Server::start(options).await;
    let started = Instant::now();
    let mut client = server.connect().await;
    assert_eq!(client.recv().await, json!({"type": "ping"}));
    // Answering keeps it open past the idle timeout.
    client.send(json!({"type": "pong"})).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    client.send(json!({"type": "pong"})).await;
    assert_eq!(client.recv().await, json!({"type": "ping"}));
    let code = client.closed().await;
    assert_eq!(code, Some(4000));
    assert!(
        started.elapsed() >= Duration::from_millis(3400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_slow_consumer_is_closed_4001_while_another_socket_keeps_receiving() {
    let options = ChannelOptions {
        outbound_bytes: 2 << 20,
        // The slow client reads its backlog only after the flood: the close must wait for it.
        close_timeout: Duration::from_secs(20),
        ..test_options()
    };
    let server = Server::start(options).await;
    let mut slow = server.connect().await;
    let mut fast = server.connect().await;
    assert_eq!(
        slow.subscribe("s", "ticker", json!({"topic": "flood"}))
            .await["type"],
        "subscribed"
    );
    assert_eq!(
        fast.subscribe("s", "ticker", json!({"topic": "flood"}))
            .await["type"],
        "subscribed"
    );
    let note = "y".repeat(16 << 10);
    let total = 2000u64;
    let reader = tokio::spawn(async move {
        for n in 1..=total {
            let message = fast.recv().await;
            assert_eq!(message["offset"], n);
        }
        fast
    });
    for n in 1..=total {
        let tick = Tick {
            n,
            note: note.clone(),
        };
        server
            .channels
            .publish::<Ticker>(
                &TopicParams {
                    topic: "flood".into(),
                },
                &tick,
            )
            .await
            .unwrap();
        if n % 8 == 0 {
            // Give the fast reader's socket a chance to drain, as a real publisher would.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let mut fast = reader.await.unwrap();
    assert_eq!(slow.closed().await, Some(4001));
    fast.send(json!({"type": "ping"})).await;
    assert_eq!(fast.recv().await["type"], "pong");
}
