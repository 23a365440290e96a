//! The server against layers that fail or report lost messages (§2.15.6), and publishing
//! without a server.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use mizan::channels::{
    ChannelLayer, Channels, DeliverySink, GroupKey, History, HistoryOptions, InProcess, LayerError,
    Position, PublishError,
};
use mizan::{BoxFuture, ErrorCode};
use serde_json::json;

use crate::support::{Server, Tick, Ticker, TopicParams, test_options};

/// A layer whose service is down.
struct Down;

impl ChannelLayer for Down {
    fn attach(&self, _sink: Arc<dyn DeliverySink>) {}

    fn publish<'a>(
        &'a self,
        _key: &'a GroupKey,
        _data: Bytes,
    ) -> BoxFuture<'a, Result<Position, LayerError>> {
        Box::pin(async { Err(LayerError::new("down")) })
    }

    fn join<'a>(&'a self, _key: &'a GroupKey) -> BoxFuture<'a, Result<(), LayerError>> {
        Box::pin(async { Err(LayerError::new("down")) })
    }

    fn leave(&self, _key: &GroupKey) {}

    fn history<'a>(
        &'a self,
        _key: &'a GroupKey,
        _after: Option<u64>,
    ) -> BoxFuture<'a, Result<History, LayerError>> {
        Box::pin(async { Err(LayerError::new("down")) })
    }
}

#[tokio::test]
async fn an_unreachable_layer_refuses_subscribes_and_publishes_with_unavailable() {
    let server = Server::start_on(test_options(), Channels::new(Down)).await;
    let mut client = server.connect().await;
    let error = client.subscribe("s", "ticker", json!({"topic": "a"})).await;
    assert_eq!(error["id"], "s");
    assert_eq!(error["error"]["code"], "unavailable");
    let tick = Tick {
        n: 1,
        note: String::new(),
    };
    let failed = server
        .channels
        .publish::<Ticker>(&TopicParams { topic: "a".into() }, &tick)
        .await;
    let failed = failed.unwrap_err();
    assert!(matches!(failed, PublishError::Layer(_)), "{failed:?}");
    assert_eq!(mizan::Error::from(failed).code(), ErrorCode::Unavailable);
    // The socket is fine otherwise.
    client.send(json!({"type": "ping"})).await;
    assert_eq!(client.recv().await["type"], "pong");
}

/// The in-process layer, with a hand on its sink to report a loss.
struct Lossy {
    inner: InProcess,
    sink: Arc<Mutex<Option<Arc<dyn DeliverySink>>>>,
}

impl ChannelLayer for Lossy {
    fn attach(&self, sink: Arc<dyn DeliverySink>) {
        *self.sink.lock().unwrap() = Some(Arc::clone(&sink));
        self.inner.attach(sink);
    }

    fn publish<'a>(
        &'a self,
        key: &'a GroupKey,
        data: Bytes,
    ) -> BoxFuture<'a, Result<Position, LayerError>> {
        self.inner.publish(key, data)
    }

    fn join<'a>(&'a self, key: &'a GroupKey) -> BoxFuture<'a, Result<(), LayerError>> {
        self.inner.join(key)
    }

    fn leave(&self, key: &GroupKey) {
        self.inner.leave(key);
    }

    fn history<'a>(
        &'a self,
        key: &'a GroupKey,
        after: Option<u64>,
    ) -> BoxFuture<'a, Result<History, LayerError>> {
        self.inner.history(key, after)
    }
}

#[tokio::test]
async fn a_loss_the_layer_reports_is_a_gap_for_each_subscription_of_the_group() {
    let sink = Arc::new(Mutex::new(None));
    let layer = Lossy {
        inner: InProcess::new(HistoryOptions::default()),
        sink: Arc::clone(&sink),
    };
    let server = Server::start_on(test_options(), Channels::new(layer)).await;
    let mut client = server.connect().await;
    assert_eq!(
        client.subscribe("a", "ticker", json!({"topic": "x"})).await["type"],
        "subscribed"
    );
    assert_eq!(
        client.subscribe("b", "ticker", json!({"topic": "x"})).await["type"],
        "subscribed"
    );
    assert_eq!(
        client
            .subscribe("c", "ticker", json!({"topic": "other"}))
            .await["type"],
        "subscribed"
    );
    let key = GroupKey::new("ticker", "topic.x").unwrap();
    let position = Position {
        epoch: "E".into(),
        offset: 7,
    };
    let sink = sink.lock().unwrap().clone().expect("attached");
    sink.gap(&key, position);
    let mut ids = vec![];
    for _ in 0..2 {
        let gap = client.recv().await;
        assert_eq!(
            (
                gap["type"].as_str(),
                gap["epoch"].as_str(),
                gap["offset"].as_u64()
            ),
            (Some("gap"), Some("E"), Some(7))
        );
        ids.push(gap["id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
    client.quiet(std::time::Duration::from_millis(200)).await;
}

#[tokio::test]
async fn publishing_needs_no_server() {
    let channels = Channels::in_process();
    let params = TopicParams {
        topic: "solo".into(),
    };
    let tick = Tick {
        n: 3,
        note: String::new(),
    };
    let first = channels.publish::<Ticker>(&params, &tick).await.unwrap();
    let second = channels
        .clone()
        .publish::<Ticker>(&params, &tick)
        .await
        .unwrap();
    assert_eq!((first.offset, second.offset), (1, 2));
    assert_eq!(first.epoch, second.epoch);
    let history = channels
        .layer()
        .history(&GroupKey::new("ticker", "topic.solo").unwrap(), Some(0))
        .await
        .unwrap();
    assert_eq!(
        history.messages[0].1,
        Bytes::from_static(br#"{"n":"3","note":""}"#)
    );
    let bad = channels
        .publish_to_group::<Ticker>("", &tick)
        .await
        .unwrap_err();
    assert_eq!(bad, PublishError::InvalidGroup(String::new()));
}

/// The in-process layer, counting the groups left.
struct Counting {
    inner: InProcess,
    left: Arc<Mutex<Vec<String>>>,
}

impl ChannelLayer for Counting {
    fn attach(&self, sink: Arc<dyn DeliverySink>) {
        self.inner.attach(sink);
    }

    fn publish<'a>(
        &'a self,
        key: &'a GroupKey,
        data: Bytes,
    ) -> BoxFuture<'a, Result<Position, LayerError>> {
        self.inner.publish(key, data)
    }

    fn join<'a>(&'a self, key: &'a GroupKey) -> BoxFuture<'a, Result<(), LayerError>> {
        self.inner.join(key)
    }

    fn leave(&self, key: &GroupKey) {
        self.left.lock().unwrap().push(key.to_string());
        self.inner.leave(key);
    }

    fn history<'a>(
        &'a self,
        key: &'a GroupKey,
        after: Option<u64>,
    ) -> BoxFuture<'a, Result<History, LayerError>> {
        self.inner.history(key, after)
    }
}

#[tokio::test]
async fn the_group_is_left_when_its_last_member_goes_however_it_goes() {
    let left = Arc::new(Mutex::new(Vec::new()));
    let layer = Counting {
        inner: InProcess::new(HistoryOptions::default()),
        left: Arc::clone(&left),
    };
    let server = Server::start_on(test_options(), Channels::new(layer)).await;
    let mut one = server.connect().await;
    let mut two = server.connect().await;
    assert_eq!(
        one.subscribe("a", "ticker", json!({"topic": "x"})).await["type"],
        "subscribed"
    );
    assert_eq!(
        two.subscribe("a", "ticker", json!({"topic": "x"})).await["type"],
        "subscribed"
    );
    one.send(json!({"type": "unsubscribe", "id": "a"})).await;
    assert_eq!(one.recv().await["type"], "unsubscribed");
    assert!(
        left.lock().unwrap().is_empty(),
        "left while a member remained"
    );
    // The last member's socket goes away without unsubscribing.
    drop(two);
    let deadline = std::time::Instant::now() + crate::support::WAIT;
    while left.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "never left");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(*left.lock().unwrap(), ["ticker/topic.x"]);
    // A failed subscribe leaves nothing behind either.
    let error = one.subscribe("b", "chat", json!({"room": "lobby"})).await;
    assert_eq!(error["error"]["code"], "unauthenticated");
    assert_eq!(
        left.lock().unwrap().len(),
        1,
        "the refused subscribe never joined"
    );
}
