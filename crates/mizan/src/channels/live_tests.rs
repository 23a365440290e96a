//! Live invalidation over real sockets (§2.16.5): `watch` frames in, purges handed to
//! [`ChannelServer::invalidated`](super::endpoint::ChannelServer::invalidated) as the cache does,
//! `invalidated` frames out.
//!
//! These live in the crate because the cache's purges are the only public way to reach
//! `invalidated`; the tests call it directly on the running server's state instead.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::ChannelOptions;
use crate::cache::Invalidation;
use crate::engine::Shared;
use crate::{Mizan, Registry};

/// How long any single wait may take.
const WAIT: Duration = Duration::from_secs(5);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn serve(options: ChannelOptions) -> (String, Arc<Shared>) {
    let (router, shared) = Mizan::new(Registry::new())
        .channel_options(options)
        .router_and_shared("/api/mizan");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(crate::serve(listener, router).into_future());
    (format!("ws://{addr}/api/mizan/ws"), shared)
}

/// A socket past its `welcome`.
async fn connect(url: &str) -> Ws {
    let (mut ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("connect in time")
        .unwrap();
    assert_eq!(recv(&mut ws).await["type"], "welcome");
    ws
}

async fn send(ws: &mut Ws, frame: &str) {
    ws.send(Message::text(frame)).await.unwrap();
}

/// The next server frame; panics on a close or after [`WAIT`].
async fn recv(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame in time")
            .expect("the socket is open")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Sends `watch`, then a `ping`: the socket reads frames in order, so once the `pong` is back the
/// watch is in place. Returns what came before the `pong` (nothing for an accepted watch).
async fn watch(ws: &mut Ws, tags: Value) -> Vec<Value> {
    send(ws, &json!({"type": "watch", "tags": tags}).to_string()).await;
    settle(ws).await
}

/// The frames before the answer to a `ping`.
async fn settle(ws: &mut Ws) -> Vec<Value> {
    send(ws, r#"{"type":"ping"}"#).await;
    let mut before = Vec::new();
    loop {
        let frame = recv(ws).await;
        if frame["type"] == "pong" {
            return before;
        }
        before.push(frame);
    }
}

fn purge(tags: &[&str], rev: u64) -> Invalidation {
    Invalidation {
        tags: tags.iter().map(|&t| t.to_owned()).collect(),
        rev,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_reaches_the_watching_sockets_once_each_with_their_tags() {
    let (url, shared) = serve(ChannelOptions::default()).await;
    let mut a = connect(&url).await;
    let mut b = connect(&url).await;
    let mut bystander = connect(&url).await;
    assert!(
        watch(&mut a, json!(["post:1", "posts", "mizan:fn:post"]))
            .await
            .is_empty()
    );
    assert!(watch(&mut b, json!(["posts"])).await.is_empty());
    assert!(watch(&mut bystander, json!(["user:9"])).await.is_empty());

    shared
        .channels
        .invalidated(&purge(&["posts", "other", "post:1"], 1_700_000_000_001));
    assert_eq!(
        recv(&mut a).await,
        json!({"type":"invalidated","tags":["posts","post:1"],"rev":1_700_000_000_001_u64})
    );
    assert_eq!(
        recv(&mut b).await,
        json!({"type":"invalidated","tags":["posts"],"rev":1_700_000_000_001_u64})
    );
    // Nothing else arrived: the next frame of each is the answer to a later ping.
    for ws in [&mut a, &mut b, &mut bystander] {
        assert!(settle(ws).await.is_empty());
    }

    // A purge while the store was unreachable carries rev 0.
    shared.channels.invalidated(&purge(&["user:9"], 0));
    assert_eq!(
        recv(&mut bystander).await,
        json!({"type":"invalidated","tags":["user:9"],"rev":0})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_replaces_the_set_and_a_malformed_watch_leaves_it_alone() {
    let (url, shared) = serve(ChannelOptions::default()).await;
    let mut ws = connect(&url).await;
    assert!(watch(&mut ws, json!(["a", "b"])).await.is_empty());
    assert!(watch(&mut ws, json!(["c"])).await.is_empty());
    shared.channels.invalidated(&purge(&["a", "b"], 1));
    assert!(settle(&mut ws).await.is_empty(), "a and b were replaced");
    shared.channels.invalidated(&purge(&["c"], 2));
    assert_eq!(recv(&mut ws).await["tags"], json!(["c"]));

    for bad in [
        json!("c"),
        json!(["d", "d"]),
        json!(["bad tag"]),
        json!([1]),
    ] {
        let answers = watch(&mut ws, bad.clone()).await;
        assert_eq!(answers.len(), 1, "{bad}: {answers:?}");
        assert_eq!(answers[0]["type"], "error");
        assert_eq!(answers[0]["error"]["code"], "bad_request");
        assert_eq!(answers[0]["error"]["details"]["reason"], "malformed_frame");
        assert!(answers[0].get("id").is_none() && answers[0].get("ref").is_none());
    }
    shared.channels.invalidated(&purge(&["c", "d"], 3));
    assert_eq!(
        recv(&mut ws).await,
        json!({"type":"invalidated","tags":["c"],"rev":3}),
        "the set is still [c]"
    );

    assert!(watch(&mut ws, json!([])).await.is_empty());
    assert_eq!(shared.channels.watchers.watched_tags(), 0);
    shared.channels.invalidated(&purge(&["c"], 4));
    assert!(
        settle(&mut ws).await.is_empty(),
        "an empty watch clears the set"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_socket_leaves_the_index() {
    let (url, shared) = serve(ChannelOptions::default()).await;
    let mut ws = connect(&url).await;
    let mut stays = connect(&url).await;
    assert!(watch(&mut ws, json!(["x", "y"])).await.is_empty());
    assert!(watch(&mut stays, json!(["y"])).await.is_empty());
    assert_eq!(shared.channels.watchers.watched_tags(), 2);
    ws.close(None).await.unwrap();
    drop(ws);
    tokio::time::timeout(WAIT, async {
        while shared.channels.watchers.watched_tags() != 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the closed socket's tags are dropped");
    shared.channels.invalidated(&purge(&["x", "y"], 5));
    assert_eq!(recv(&mut stays).await["tags"], json!(["y"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_frames_count_toward_the_flood_limit() {
    let options = ChannelOptions {
        rate_burst: 5,
        rate_per_second: 1,
        ..ChannelOptions::default()
    };
    let (url, _shared) = serve(options).await;
    let mut ws = connect(&url).await;
    for i in 0..10 {
        let frame = json!({"type": "watch", "tags": [format!("t{i}")]}).to_string();
        if ws.send(Message::text(frame)).await.is_err() {
            break;
        }
    }
    let code = tokio::time::timeout(WAIT, async {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Close(frame) = message {
                return frame.map(|f| f.code);
            }
        }
        None
    })
    .await
    .expect("closed in time");
    assert_eq!(code, Some(CloseCode::from(4029)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_watcher_is_closed_as_a_slow_consumer() {
    let options = ChannelOptions {
        outbound_frames: 4,
        ..ChannelOptions::default()
    };
    let (url, shared) = serve(options).await;
    let mut ws = connect(&url).await;
    assert!(watch(&mut ws, json!(["hot"])).await.is_empty());
    // Queued faster than any writer drains: far past the limit in one go.
    for rev in 1..=1000 {
        shared.channels.invalidated(&purge(&["hot"], rev));
    }
    let code = tokio::time::timeout(WAIT, async {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Close(frame) = message {
                return frame.map(|f| f.code);
            }
        }
        None
    })
    .await
    .expect("closed in time");
    assert_eq!(code, Some(CloseCode::from(4001)));
}
