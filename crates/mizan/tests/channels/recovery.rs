//! History and recovery (§2.15.5), and one `message` frame per socket (§2.15.4).

use std::time::Duration;

use mizan::channels::HistoryOptions;
use serde_json::{Value, json};

use crate::support::{Client, Server, Tick, Ticker, TopicParams, test_options};

async fn publish(server: &Server, topic: &str, n: u64) -> u64 {
    let tick = Tick {
        n,
        note: String::new(),
    };
    let params = TopicParams {
        topic: topic.into(),
    };
    server
        .channels
        .publish::<Ticker>(&params, &tick)
        .await
        .unwrap()
        .offset
}

async fn subscribe_since(
    client: &mut Client,
    id: &str,
    topic: &str,
    epoch: &str,
    offset: u64,
) -> Value {
    client
        .send(
            json!({"type": "subscribe", "id": id, "channel": "ticker", "params": {"topic": topic},
                     "since": {"epoch": epoch, "offset": offset}}),
        )
        .await;
    client.recv().await
}

#[tokio::test]
async fn recovery_sends_every_missed_message_in_order() {
    let server = Server::start(test_options()).await;
    let mut first = server.connect().await;
    let subscribed = first.subscribe("s", "ticker", json!({"topic": "r"})).await;
    let epoch = subscribed["epoch"].as_str().unwrap().to_owned();
    for n in 1..=5 {
        publish(&server, "r", n).await;
    }
    let mut second = server.connect().await;
    let subscribed = subscribe_since(&mut second, "s", "r", &epoch, 2).await;
    assert_eq!(
        (subscribed["type"].as_str(), subscribed["offset"].as_u64()),
        (Some("subscribed"), Some(5))
    );
    for offset in 3..=5 {
        let message = second.recv().await;
        assert_eq!(message["offset"], offset);
        assert_eq!(message["data"]["n"], offset.to_string());
    }
    // Up to date: nothing to recover.
    let mut third = server.connect().await;
    assert_eq!(
        subscribe_since(&mut third, "s", "r", &epoch, 5).await["type"],
        "subscribed"
    );
    third.quiet(Duration::from_millis(200)).await;
    // Live messages follow.
    publish(&server, "r", 6).await;
    assert_eq!(second.recv().await["offset"], 6);
    assert_eq!(third.recv().await["offset"], 6);
}

#[tokio::test]
async fn a_gap_for_an_offset_the_history_lost_another_epoch_or_an_offset_ahead() {
    let history = HistoryOptions {
        len: 2,
        lifetime: Duration::from_secs(300),
    };
    let server = Server::start_with(test_options(), history).await;
    let mut client = server.connect().await;
    let epoch = client
        .subscribe("s0", "ticker", json!({"topic": "g"}))
        .await["epoch"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 1..=4 {
        publish(&server, "g", n).await;
        assert_eq!(client.recv().await["offset"], n);
    }
    for (id, since_epoch, offset) in [
        ("lost", epoch.as_str(), 1),
        ("other", "AnotherEpoch", 3),
        ("ahead", epoch.as_str(), 9),
    ] {
        let subscribed = subscribe_since(&mut client, id, "g", since_epoch, offset).await;
        assert_eq!(subscribed["type"], "subscribed", "{id}");
        assert_eq!(
            client.recv().await,
            json!({"type": "gap", "id": id, "epoch": epoch, "offset": 4}),
            "{id}"
        );
        client.send(json!({"type": "unsubscribe", "id": id})).await;
        assert_eq!(client.recv().await["type"], "unsubscribed");
    }
    // Two back is still held.
    assert_eq!(
        subscribe_since(&mut client, "held", "g", &epoch, 2).await["type"],
        "subscribed"
    );
    assert_eq!(client.recv().await["offset"], 3);
    assert_eq!(client.recv().await["offset"], 4);
}

#[tokio::test]
async fn a_socket_gets_each_message_once_however_many_subscriptions_share_its_group() {
    let server = Server::start(test_options()).await;
    let mut client = server.connect().await;
    assert_eq!(
        client.subscribe("a", "ticker", json!({"topic": "x"})).await["type"],
        "subscribed"
    );
    assert_eq!(
        client.subscribe("b", "ticker", json!({"topic": "x"})).await["type"],
        "subscribed"
    );
    publish(&server, "x", 1).await;
    assert_eq!(client.recv().await["offset"], 1);
    client.quiet(Duration::from_millis(200)).await;
    // One of them leaving keeps the group's messages coming for the other.
    client.send(json!({"type": "unsubscribe", "id": "a"})).await;
    assert_eq!(client.recv().await["type"], "unsubscribed");
    publish(&server, "x", 2).await;
    assert_eq!(client.recv().await["offset"], 2);
    client.quiet(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn messages_published_while_subscribing_are_not_lost() {
    let history = HistoryOptions {
        len: 1000,
        lifetime: Duration::from_secs(300),
    };
    let server = Server::start_with(test_options(), history).await;
    let mut client = server.connect().await;
    let epoch = client
        .subscribe("s0", "ticker", json!({"topic": "busy"}))
        .await["epoch"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .send(json!({"type": "unsubscribe", "id": "s0"}))
        .await;
    assert_eq!(client.recv().await["type"], "unsubscribed");
    let publisher = {
        let channels = server.channels.clone();
        tokio::spawn(async move {
            for n in 1..=200u64 {
                let tick = Tick {
                    n,
                    note: String::new(),
                };
                channels
                    .publish::<Ticker>(
                        &TopicParams {
                            topic: "busy".into(),
                        },
                        &tick,
                    )
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let subscribed = subscribe_since(&mut client, "s1", "busy", &epoch, 0).await;
    assert_eq!(subscribed["type"], "subscribed");
    publisher.await.unwrap();
    let mut next = 1;
    while next <= 200 {
        let message = client.recv().await;
        let offset = message["offset"].as_u64().unwrap();
        assert!(offset <= next, "offset {offset} skipped past {next}");
        if offset == next {
            next += 1;
        }
    }
}
