//! Client frames and their answers (§2.15.3, §2.15.4).

use std::time::Duration;

use serde_json::json;

use crate::support::{Server, Tick, Ticker, TopicParams, test_options};

#[tokio::test]
async fn welcome_announces_the_limits_and_ping_is_answered() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect_with(&[]).await.unwrap();
    client.send(json!({"type": "ping"})).await;
    assert_eq!(client.recv().await, json!({"type": "pong"}));
    client.send(json!({"type": "pong"})).await;
    client.quiet(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn subscribe_then_messages_then_unsubscribe() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect().await;
    let subscribed = client
        .subscribe("s1", "ticker", json!({"topic": "a"}))
        .await;
    assert_eq!(subscribed["type"], "subscribed");
    assert_eq!(subscribed["id"], "s1");
    assert_eq!(subscribed["channel"], "ticker");
    assert_eq!(subscribed["group"], "topic.a");
    assert_eq!(subscribed["offset"], 0);
    let epoch = subscribed["epoch"].as_str().unwrap().to_owned();
    assert_eq!(epoch.len(), 22);
    let tick = Tick {
        n: u64::MAX,
        note: "hi".into(),
    };
    let position = server
        .channels
        .publish::<Ticker>(&TopicParams { topic: "a".into() }, &tick)
        .await
        .unwrap();
    assert_eq!(position.offset, 1);
    assert_eq!(
        client.recv().await,
        json!({"type": "message", "channel": "ticker", "group": "topic.a", "epoch": epoch,
               "offset": 1, "data": {"n": "18446744073709551615", "note": "hi"}})
    );
    client
        .send(json!({"type": "unsubscribe", "id": "s1"}))
        .await;
    assert_eq!(
        client.recv().await,
        json!({"type": "unsubscribed", "id": "s1", "reason": "client"})
    );
    server
        .channels
        .publish::<Ticker>(&TopicParams { topic: "a".into() }, &tick)
        .await
        .unwrap();
    client.quiet(Duration::from_millis(200)).await;
    client
        .send(json!({"type": "unsubscribe", "id": "s1"}))
        .await;
    let error = client.recv().await;
    assert_eq!(error["id"], "s1");
    assert_eq!(error["error"]["code"], "not_found");
}

#[tokio::test]
async fn frames_that_cannot_be_read_are_answered_and_the_socket_stays() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect().await;
    for (frame, id, reference) in [
        ("not json", None, None),
        ("[1]", None, None),
        (r#"{"type": 5}"#, None, None),
        (r#"{"type": "dance"}"#, None, None),
        (
            r#"{"type": "subscribe", "id": "s1", "channel": "ticker"}"#,
            Some("s1"),
            None,
        ),
        (
            r#"{"type": "subscribe", "id": "bad id!", "channel": "ticker", "params": {}}"#,
            None,
            None,
        ),
        (
            r#"{"type": "subscribe", "id": "s1", "channel": "ticker", "params": {}, "since": {"epoch": "e", "offset": 1.5}}"#,
            Some("s1"),
            None,
        ),
        (
            r#"{"type": "send", "ref": "r1", "id": "s1"}"#,
            None,
            Some("r1"),
        ),
        (
            r#"{"type": "auth", "ref": "r2", "token": 7}"#,
            None,
            Some("r2"),
        ),
        (r#"{"type": "unsubscribe"}"#, None, None),
    ] {
        client
            .send_raw(tokio_tungstenite::tungstenite::Message::text(frame))
            .await;
        let error = client.recv().await;
        assert_eq!(error["type"], "error", "{frame}");
        assert_eq!(error["error"]["code"], "bad_request", "{frame}");
        assert_eq!(
            error["error"]["details"]["reason"], "malformed_frame",
            "{frame}"
        );
        assert_eq!(error["id"].as_str(), id, "{frame}");
        assert_eq!(error["ref"].as_str(), reference, "{frame}");
    }
    client.send(json!({"type": "ping"})).await;
    assert_eq!(client.recv().await["type"], "pong");
}

#[tokio::test]
async fn each_subscribe_error_in_order() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect().await;
    let ok = client
        .subscribe("s1", "ticker", json!({"topic": "a"}))
        .await;
    assert_eq!(ok["type"], "subscribed");
    let code = |frame: &serde_json::Value| {
        assert_eq!(frame["type"], "error", "{frame}");
        (
            frame["id"].as_str().unwrap().to_owned(),
            frame["error"]["code"].as_str().unwrap().to_owned(),
            frame["error"]["details"]["reason"]
                .as_str()
                .map(str::to_owned),
        )
    };
    // 1. A duplicate id wins over everything after it (unknown channel, bad params).
    let e = client.subscribe("s1", "nope", json!({"x": 1})).await;
    assert_eq!(
        code(&e),
        (
            "s1".into(),
            "bad_request".into(),
            Some("duplicate_id".into())
        )
    );
    // 3. No such channel, before the schema and params are looked at.
    let e = client.subscribe("s2", "nope", json!({"x": 1})).await;
    assert_eq!(code(&e), ("s2".into(), "not_found".into(), None));
    // 4. A stale schema hash, before the params.
    client
        .send(json!({"type": "subscribe", "id": "s2", "channel": "ticker", "params": {"x": 1}, "schema": "AAAAAAAAAAAAAAAAAAAAAA"}))
        .await;
    let e = client.recv().await;
    assert_eq!(code(&e), ("s2".into(), "stale_client".into(), None));
    // 5. Params that fail the schema, field by field.
    let e = client
        .subscribe("s2", "ticker", json!({"topic": 5, "x": 1}))
        .await;
    assert_eq!(code(&e).1, "validation_failed");
    let fields = e["error"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2, "{e}");
    // 6. The level, before the channel's own check: anonymous is unauthenticated.
    let e = client.subscribe("s2", "chat", json!({"room": "vip"})).await;
    assert_eq!(code(&e), ("s2".into(), "unauthenticated".into(), None));
    // The right schema hash passes.
    let hash = server_manifest_hash(&server).await;
    client
        .send(json!({"type": "subscribe", "id": "s2", "channel": "ticker", "params": {"topic": "b"}, "schema": hash}))
        .await;
    assert_eq!(client.recv().await["type"], "subscribed");
    assert_eq!(
        client
            .subscribe("s3", "ticker", json!({"topic": "c"}))
            .await["type"],
        "subscribed"
    );
    // 2. Too many subscriptions (the test server allows 3), before the channel is looked up.
    let e = client.subscribe("s4", "nope", json!({})).await;
    assert_eq!(
        code(&e),
        (
            "s4".into(),
            "bad_request".into(),
            Some("too_many_subscriptions".into())
        )
    );
}

async fn server_manifest_hash(server: &Server) -> String {
    let _ = server;
    let manifest = crate::support::registry().manifest();
    manifest.channel("ticker").unwrap().schema_hash.clone()
}

#[tokio::test]
async fn the_level_then_the_authorize_check_refuse_a_signed_in_user() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect_as("ada", false, 600).await;
    let e = client.subscribe("s1", "chat", json!({"room": "vip"})).await;
    assert_eq!(e["error"]["code"], "forbidden");
    assert_eq!(e["error"]["message"], "staff only");
    let e = client
        .subscribe("s1", "chat", json!({"room": "explode"}))
        .await;
    assert_eq!(
        e["error"],
        json!({"code": "internal", "message": "internal error", "status": 500})
    );
    assert_eq!(
        client
            .subscribe("s1", "chat", json!({"room": "lobby"}))
            .await["type"],
        "subscribed"
    );
}

#[tokio::test]
async fn send_checks_then_runs_the_handler_in_order() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect_as("ada", false, 600).await;
    assert_eq!(
        client
            .subscribe("c", "chat", json!({"room": "lobby"}))
            .await["type"],
        "subscribed"
    );
    assert_eq!(
        client.subscribe("t", "ticker", json!({"topic": "a"})).await["type"],
        "subscribed"
    );
    client
        .send(json!({"type": "send", "ref": "r0", "id": "zz", "data": {}}))
        .await;
    let e = client.recv().await;
    assert_eq!(
        (e["ref"].as_str(), e["error"]["code"].as_str()),
        (Some("r0"), Some("not_found"))
    );
    client
        .send(json!({"type": "send", "ref": "r1", "id": "t", "data": {}}))
        .await;
    let e = client.recv().await;
    assert_eq!(e["error"]["details"]["reason"], "no_incoming");
    client
        .send(json!({"type": "send", "ref": "r2", "id": "c", "data": {"text": 1, "count": 5}}))
        .await;
    let e = client.recv().await;
    assert_eq!(e["error"]["code"], "validation_failed");
    let paths: Vec<_> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].clone())
        .collect();
    assert!(paths.contains(&json!(["data", "text"])), "{e}");
    assert!(paths.contains(&json!(["data", "count"])), "{e}");
    client
        .send(json!({"type": "send", "ref": "r3", "id": "c", "data": {"text": "fail"}}))
        .await;
    let e = client.recv().await;
    assert_eq!(
        (e["ref"].as_str(), e["error"]["code"].as_str()),
        (Some("r3"), Some("conflict"))
    );
    client
        .send(json!({"type": "send", "ref": "r4", "id": "c", "data": {"text": "panic"}}))
        .await;
    let e = client.recv().await;
    assert_eq!(e["error"]["code"], "internal");
    // A slow handler first: the next one waits for it, so the answers come in order.
    client
        .send(json!({"type": "send", "ref": "r5", "id": "c", "data": {"text": "slow"}}))
        .await;
    client
        .send(json!({"type": "send", "ref": "r6", "id": "c", "data": {"text": "hi", "count": "7"}}))
        .await;
    assert_eq!(client.recv().await, json!({"type": "ack", "ref": "r5"}));
    let message = client.recv().await;
    assert_eq!(message["data"], json!({"author": "ada", "text": "hi x7"}));
    assert_eq!(client.recv().await, json!({"type": "ack", "ref": "r6"}));
}

#[tokio::test]
async fn a_server_function_publishes_through_its_request() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect().await;
    assert_eq!(
        client
            .subscribe("s", "ticker", json!({"topic": "news"}))
            .await["type"],
        "subscribed"
    );
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let body = r#"{"topic":"news","n":"42"}"#;
    let request = format!(
        "POST /api/mizan/call/announce HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let message = client.recv().await;
    assert_eq!(
        message["data"],
        json!({"n": "42", "note": "from a function"})
    );
}
