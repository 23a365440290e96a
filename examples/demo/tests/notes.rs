//! The notes board: boards and texts are checked by the input schema, notes come back newest
//! first and at most 50, and the manifest states the board's cache policy and purge.

use mizan::core::RootSecret;
use mizan_demo::{Keys, app, open_accounts};
use serde_json::{Value, json};
use tokio::net::TcpListener;

mod common;

async fn serve() -> (std::net::SocketAddr, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    let keys = Keys::new(RootSecret::new([7u8; 32]).unwrap());
    let accounts = open_accounts(&keys, &common::sqlite_url(folder.path()))
        .await
        .unwrap();
    let router = app(&accounts, &mizan_demo::Config::default()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (addr, folder)
}

async fn add(addr: std::net::SocketAddr, board: &str, text: &str) -> (u16, Value) {
    let body = json!({"board": board, "text": text}).to_string();
    let raw = format!(
        "POST /api/mizan/call/notes.add HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, _, body) = common::request(addr, raw).await;
    (status, serde_json::from_str(&body).unwrap())
}

async fn read(addr: std::net::SocketAddr, board: &str) -> (u16, Value) {
    let params = json!({"board": board});
    let query = mizan::encode_query(params.as_object().unwrap(), 0).unwrap();
    let raw = format!(
        "GET /api/mizan/context/notes?{query} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n"
    );
    let (status, _, body) = common::request(addr, raw).await;
    (status, serde_json::from_str(&body).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_are_kept_per_board_newest_first_and_at_most_fifty() {
    let (addr, _folder) = serve().await;
    assert_eq!(read(addr, "empty").await, (200, json!([])));
    for i in 1..=52 {
        let (status, note) = add(addr, "lobby", &format!("note {i}")).await;
        assert_eq!(status, 200, "{note}");
        assert_eq!(note, json!({"id": i, "text": format!("note {i}")}));
    }
    add(addr, "other-1", "elsewhere").await;
    let (status, notes) = read(addr, "lobby").await;
    assert_eq!(status, 200);
    let notes = notes.as_array().unwrap();
    assert_eq!(notes.len(), 50);
    assert_eq!(notes[0], json!({"id": 52, "text": "note 52"}));
    assert_eq!(notes[49], json!({"id": 3, "text": "note 3"}));
    assert_eq!(
        read(addr, "other-1").await,
        (200, json!([{"id": 1, "text": "elsewhere"}]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_boards_and_texts_are_refused_by_the_schema() {
    let (addr, _folder) = serve().await;
    let long_board = "b".repeat(41);
    let long_text = "é".repeat(281);
    for (board, text, field) in [
        ("", "hi", "board"),
        ("Lobby", "hi", "board"),
        ("a b", "hi", "board"),
        (long_board.as_str(), "hi", "board"),
        ("lobby", "", "text"),
        ("lobby", long_text.as_str(), "text"),
    ] {
        let (status, error) = add(addr, board, text).await;
        assert_eq!(status, 422, "{board:?} {text:?}: {error}");
        assert_eq!(error["code"], "validation_failed");
        assert_eq!(error["fields"][0]["path"][0], field, "{error}");
    }
    // 280 characters (560 bytes) and 40 characters are fine; nothing refused was kept.
    let (status, _) = add(addr, &"b".repeat(40), &"é".repeat(280)).await;
    assert_eq!(status, 200);
    assert_eq!(read(addr, "lobby").await, (200, json!([])));
    let (status, error) = read(addr, "Not-A-Board").await;
    assert_eq!((status, &error["code"]), (422, &json!("validation_failed")));
}

#[test]
fn the_manifest_states_the_policy_and_the_purge() {
    let manifest = mizan_demo::functions::registry().unwrap().manifest();
    let notes = manifest.function("notes").unwrap();
    assert_eq!(
        serde_json::to_value(&notes.cache).unwrap(),
        json!({"scope": "public", "max_age": 300, "swr": 300, "tags": ["notes:{board}"]})
    );
    assert_eq!(
        manifest.function("notes.add").unwrap().invalidates,
        ["notes:{board}"]
    );
    assert_eq!(
        serde_json::to_value(&manifest.function("greet").unwrap().cache).unwrap(),
        json!({"scope": "public", "max_age": 60, "swr": 300, "tags": ["greetings"]})
    );
}
