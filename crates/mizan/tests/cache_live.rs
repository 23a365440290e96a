//! Live invalidation end to end (spec §2.16.5): a call's purge, a purge from outside functions and
//! a purge by another process sharing the store each reach a socket watching one of the tags.

mod cache_support;
mod common;

use std::future::IntoFuture;
use std::time::Duration;

use cache_support::*;
use futures_util::{SinkExt, StreamExt};
use mizan::cache::{Cache, MemoryStore};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const WAIT: Duration = Duration::from_secs(5);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn listen(server: &Server) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(mizan::serve(listener, server.app.clone()).into_future());
    format!("ws://{addr}/api/mizan/ws")
}

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

/// A socket watching `tags`, the watch in place (a `ping` answered after it).
async fn watching(url: &str, tags: Value) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert_eq!(recv(&mut ws).await["type"], "welcome");
    let watch = json!({"type": "watch", "tags": tags}).to_string();
    ws.send(Message::text(watch)).await.unwrap();
    ws.send(Message::text(r#"{"type":"ping"}"#)).await.unwrap();
    assert_eq!(recv(&mut ws).await["type"], "pong");
    ws
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purges_reach_watching_sockets_with_their_rev() {
    let store = MemoryStore::default();
    let one = server_with(
        Cache::builder(&common::secret())
            .store(store.clone())
            .build(),
    );
    let two = server_with(Cache::builder(&common::secret()).store(store).build());
    let url = listen(&one).await;
    let mut ws = watching(&url, json!(["post:1", "board"])).await;

    let edit = call(&one.app, "edit_post", json!({"id": 1})).await;
    assert_eq!(
        recv(&mut ws).await,
        json!({"type": "invalidated", "tags": ["post:1"], "rev": rev(&edit)})
    );

    let purged = one.cache.purge_tags(["posts", "board"]).await.unwrap();
    assert_eq!(
        recv(&mut ws).await,
        json!({"type": "invalidated", "tags": ["board"], "rev": purged.rev.unwrap()})
    );

    // Another process sharing the store purges: this process's socket hears of it.
    let elsewhere = two.cache.purge_tags(["post:1"]).await.unwrap();
    assert_eq!(
        recv(&mut ws).await,
        json!({"type": "invalidated", "tags": ["post:1"], "rev": elsewhere.rev.unwrap()})
    );
}
