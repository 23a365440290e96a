//! The demo's chat across processes and failures (spec §2.15.5, §2.15.6): two demo processes
//! sharing Redis, a client killed mid-stream that recovers what it missed, and a server process
//! restarted while its client was away, recovering from the history Redis kept (and, without
//! Redis, an honest `gap`).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

mod common;
use common::DemoProcess;
use common::ws::{self, Socket};

const REDIS: &str = "redis://127.0.0.1:6379";

/// A room name no other run uses, so runs sharing one Redis never see each other's messages.
fn fresh_room(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{what}-{}-{nanos}", std::process::id())
}

async fn demo_on_redis(folder: &std::path::Path) -> DemoProcess {
    let url = common::sqlite_url(folder);
    DemoProcess::spawn_in(folder, Some(&url), &["--redis-url", REDIS], None).await
}

async fn open(addr: &str) -> Socket {
    let mut socket = ws::connect(addr, &[]).await.open();
    let welcome = socket.next_json().await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    socket
}

/// Subscribes `id` to the chat `room` (with `since`, if given); the `subscribed` frame.
async fn subscribe(socket: &mut Socket, id: &str, room: &str, since: Option<Value>) -> Value {
    let mut frame =
        json!({"type": "subscribe", "id": id, "channel": "chat", "params": {"room": room}});
    if let Some(since) = since {
        frame["since"] = since;
    }
    socket.send_json(&frame).await;
    let answer = socket.expect_type("subscribed").await;
    assert_eq!(answer["id"], id, "{answer}");
    answer
}

/// Sends `text` to the room of subscription `id` and waits for its `ack`.
async fn say(socket: &mut Socket, id: &str, text: &str) {
    // A ref is 1 to 64 characters from `A-Z a-z 0-9 _ . : -` (§2.15.3).
    let reference: String = format!("r-{text}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(64)
        .collect();
    socket
        .send_json(&json!({"type": "send", "ref": reference, "id": id, "data": {"text": text}}))
        .await;
    loop {
        let frame = socket.next_json().await;
        match frame["type"].as_str() {
            Some("ack") if frame["ref"] == reference.as_str() => return,
            Some("error") => panic!("send refused: {frame}"),
            _ => {}
        }
    }
}

/// The texts of the next `count` messages.
async fn texts(socket: &mut Socket, count: usize) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    while out.len() < count {
        let frame = socket.expect_type("message").await;
        out.push((
            frame["offset"].as_u64().unwrap(),
            frame["data"]["text"].as_str().unwrap().to_owned(),
        ));
    }
    out
}

#[tokio::test]
async fn a_message_sent_on_one_process_reaches_a_subscriber_on_another() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (first, second) = tokio::join!(demo_on_redis(one.path()), demo_on_redis(two.path()));
    let room = fresh_room("shared");
    let mut listener = open(&second.addr).await;
    subscribe(&mut listener, "s", &room, None).await;
    let mut speaker = open(&first.addr).await;
    subscribe(&mut speaker, "s", &room, None).await;
    say(&mut speaker, "s", "across processes").await;
    let got = texts(&mut listener, 1).await;
    assert_eq!(got[0].1, "across processes");

    // A server function on the first process publishes too.
    let body = json!({"room": room, "text": "from a function"}).to_string();
    let raw = format!(
        "POST /api/mizan/call/chat.announce HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        first.grace,
        body.len()
    );
    let (status, _, answer) = common::request(&first.addr, raw).await;
    assert_eq!(status, 200, "{answer}");
    let got = texts(&mut listener, 1).await;
    assert_eq!(got[0].1, "from a function");
    let posted: Value = serde_json::from_str(&answer).unwrap();
    // A u64 in a function's output travels as a decimal string (§2.9).
    assert_eq!(posted["offset"], got[0].0.to_string(), "{answer}");
}

#[tokio::test]
async fn a_client_killed_mid_stream_recovers_every_message_it_missed() {
    let folder = tempfile::tempdir().unwrap();
    let demo = DemoProcess::spawn_in(
        folder.path(),
        Some(&common::sqlite_url(folder.path())),
        &[],
        None,
    )
    .await;
    let room = fresh_room("killed");
    let mut speaker = open(&demo.addr).await;
    subscribe(&mut speaker, "s", &room, None).await;
    let mut reader = open(&demo.addr).await;
    let subscribed = subscribe(&mut reader, "s", &room, None).await;
    let epoch = subscribed["epoch"].clone();
    for text in ["one", "two", "three"] {
        say(&mut speaker, "s", text).await;
    }
    let seen = texts(&mut reader, 3).await;
    let last = seen[2].0;
    // Killed: the TCP connection just ends, no close handshake.
    drop(reader);
    for text in ["four", "five", "six"] {
        say(&mut speaker, "s", text).await;
    }
    let mut reader = open(&demo.addr).await;
    let again = subscribe(
        &mut reader,
        "s2",
        &room,
        Some(json!({"epoch": epoch, "offset": last})),
    )
    .await;
    assert_eq!(again["epoch"], epoch, "{again}");
    let missed = texts(&mut reader, 3).await;
    let missed_texts: Vec<&str> = missed.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(missed_texts, ["four", "five", "six"]);
    assert_eq!(
        missed.iter().map(|(o, _)| *o).collect::<Vec<_>>(),
        [last + 1, last + 2, last + 3]
    );
    say(&mut speaker, "s", "seven").await;
    assert_eq!(texts(&mut reader, 1).await[0].1, "seven");
}

#[tokio::test]
async fn a_restarted_server_recovers_its_client_from_the_history_in_redis() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let room = fresh_room("restart");
    let first = demo_on_redis(one.path()).await;
    let mut reader = open(&first.addr).await;
    let subscribed = subscribe(&mut reader, "s", &room, None).await;
    let epoch = subscribed["epoch"].clone();
    let mut speaker = open(&first.addr).await;
    subscribe(&mut speaker, "s", &room, None).await;
    say(&mut speaker, "s", "before").await;
    let last = texts(&mut reader, 1).await[0].0;

    // The server dies (SIGKILL: no shutdown, nothing cleaned up) ...
    drop(reader);
    drop(speaker);
    drop(first);
    // ... messages go on through another process ...
    let other = demo_on_redis(two.path()).await;
    let mut speaker = open(&other.addr).await;
    subscribe(&mut speaker, "s", &room, None).await;
    for text in ["while", "it", "was", "down"] {
        say(&mut speaker, "s", text).await;
    }
    // ... and a new process on the first one's database takes the client back.
    let restarted = demo_on_redis(one.path()).await;
    let mut reader = open(&restarted.addr).await;
    let again = subscribe(
        &mut reader,
        "s",
        &room,
        Some(json!({"epoch": epoch, "offset": last})),
    )
    .await;
    assert_eq!(again["epoch"], epoch, "the epoch lives in Redis: {again}");
    let missed: Vec<String> = texts(&mut reader, 4)
        .await
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(missed, ["while", "it", "was", "down"]);
}

#[tokio::test]
async fn without_redis_a_restart_loses_the_history_and_says_so() {
    let folder = tempfile::tempdir().unwrap();
    let url = common::sqlite_url(folder.path());
    let room = fresh_room("memory");
    let first = DemoProcess::spawn_in(folder.path(), Some(&url), &[], None).await;
    let mut socket = open(&first.addr).await;
    let subscribed = subscribe(&mut socket, "s", &room, None).await;
    let mut speaker = open(&first.addr).await;
    subscribe(&mut speaker, "s", &room, None).await;
    say(&mut speaker, "s", "lost").await;
    let last = texts(&mut socket, 1).await[0].0;
    drop((socket, speaker));
    drop(first);
    let restarted = DemoProcess::spawn_in(folder.path(), Some(&url), &[], None).await;
    let mut socket = open(&restarted.addr).await;
    let since = json!({"epoch": subscribed["epoch"], "offset": last});
    let again = subscribe(&mut socket, "s", &room, Some(since)).await;
    assert_ne!(again["epoch"], subscribed["epoch"], "{again}");
    let gap = socket.expect_type("gap").await;
    assert_eq!(gap["id"], "s", "{gap}");
    assert_eq!(gap["epoch"], again["epoch"], "{gap}");
}

#[tokio::test]
async fn the_socket_refuses_other_sites_and_the_staff_feed_refuses_users() {
    let folder = tempfile::tempdir().unwrap();
    let demo = DemoProcess::spawn_in(
        folder.path(),
        Some(&common::sqlite_url(folder.path())),
        &[],
        None,
    )
    .await;
    match ws::connect(&demo.addr, &[("Origin", "https://evil.example")]).await {
        ws::Upgrade::Refused { status, body, .. } => {
            assert_eq!(status, 403, "{body}");
            assert!(body.contains(r#""reason":"origin""#), "{body}");
        }
        ws::Upgrade::Open(_) => panic!("a cross-site upgrade was accepted"),
    }
    let bearer = format!("Bearer {}", demo.ada);
    let mut socket = ws::connect(&demo.addr, &[("Authorization", &bearer)])
        .await
        .open();
    socket.expect_type("welcome").await;
    socket
        .send_json(&json!({"type": "subscribe", "id": "o", "channel": "ops", "params": {}}))
        .await;
    let refused = socket.expect_type("error").await;
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
    socket
        .send_json(&json!({"type": "auth", "ref": "a", "token": demo.grace}))
        .await;
    socket.expect_type("ack").await;
    socket
        .send_json(&json!({"type": "subscribe", "id": "o", "channel": "ops", "params": {}}))
        .await;
    socket.expect_type("subscribed").await;
}
