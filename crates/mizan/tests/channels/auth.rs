//! Credentials over time (§2.15.7) and `auth` frames (§2.15.3).

use std::time::Duration;

use serde_json::json;

use crate::support::{Server, test_options, token};

#[tokio::test]
async fn an_expiring_token_ends_its_subscriptions_and_auth_restores_them() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect_as("ada", false, 2).await;
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
    // At the token's expiry the chat subscription (signed-in users only) ends; the ticker stays.
    let ended = client.recv().await;
    assert_eq!(ended["type"], "unsubscribed", "{ended}");
    assert_eq!(ended["id"], "c");
    assert_eq!(ended["reason"], "unauthenticated");
    assert_eq!(ended["error"]["code"], "unauthenticated");
    assert_eq!(ended["error"]["details"]["reason"], "expired");
    client.quiet(Duration::from_millis(300)).await;
    // Anonymous now.
    assert_eq!(
        client
            .subscribe("c", "chat", json!({"room": "lobby"}))
            .await["error"]["code"],
        "unauthenticated"
    );
    // A fresh token over the socket.
    client
        .send(json!({"type": "auth", "ref": "a1", "token": token("ada", false, 600)}))
        .await;
    assert_eq!(client.recv().await, json!({"type": "ack", "ref": "a1"}));
    assert_eq!(
        client
            .subscribe("c", "chat", json!({"room": "lobby"}))
            .await["type"],
        "subscribed"
    );
}

#[tokio::test]
async fn a_bad_token_keeps_the_principal_and_null_returns_to_the_upgrades() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect().await;
    client
        .send(json!({"type": "auth", "ref": "a1", "token": "garbage"}))
        .await;
    let error = client.recv().await;
    assert_eq!(
        (error["ref"].as_str(), error["error"]["code"].as_str()),
        (Some("a1"), Some("unauthenticated"))
    );
    client
        .send(json!({"type": "auth", "ref": "a2", "token": token("root", true, 600)}))
        .await;
    assert_eq!(client.recv().await["type"], "ack");
    assert_eq!(
        client.subscribe("v", "chat", json!({"room": "vip"})).await["type"],
        "subscribed"
    );
    // Back to the upgrade's credentials (none): the staff-only subscription is refused now.
    client
        .send(json!({"type": "auth", "ref": "a3", "token": null}))
        .await;
    assert_eq!(client.recv().await, json!({"type": "ack", "ref": "a3"}));
    let ended = client.recv().await;
    assert_eq!(
        (ended["type"].as_str(), ended["id"].as_str()),
        (Some("unsubscribed"), Some("v"))
    );
    assert_eq!(ended["reason"], "unauthenticated");
}

#[tokio::test]
async fn a_principal_that_loses_a_right_loses_the_subscriptions_that_need_it() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect_as("root", true, 600).await;
    assert_eq!(
        client.subscribe("v", "chat", json!({"room": "vip"})).await["type"],
        "subscribed"
    );
    assert_eq!(
        client
            .subscribe("l", "chat", json!({"room": "lobby"}))
            .await["type"],
        "subscribed"
    );
    client
        .send(json!({"type": "auth", "ref": "a", "token": token("root", false, 600)}))
        .await;
    assert_eq!(client.recv().await["type"], "ack");
    let ended = client.recv().await;
    assert_eq!(ended["id"], "v");
    assert_eq!(ended["reason"], "forbidden");
    assert_eq!(ended["error"]["message"], "staff only");
    client.quiet(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn credentials_are_checked_again_every_interval() {
    let options = mizan::channels::ChannelOptions {
        recheck_interval: Duration::from_secs(1),
        ..test_options()
    };
    let server = Server::start(options).await;
    let mut client = server.connect_as("ada", false, 600).await;
    assert_eq!(
        client
            .subscribe("c", "chat", json!({"room": "lobby"}))
            .await["type"],
        "subscribed"
    );
    client.quiet(Duration::from_millis(1300)).await;
    server
        .revoked
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let ended = client.recv().await;
    assert_eq!(
        (ended["type"].as_str(), ended["id"].as_str()),
        (Some("unsubscribed"), Some("c"))
    );
    assert_eq!(ended["error"]["details"]["reason"], "revoked");
}

#[tokio::test]
async fn text_that_is_not_utf8_closes_1007() {
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let server = Server::start(test_options()).await;
    let mut client = server.connect().await;
    let frame = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    client.send_raw(Message::Frame(frame)).await;
    assert_eq!(client.closed().await, Some(1007));
}
