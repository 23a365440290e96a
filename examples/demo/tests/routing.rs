//! The demo's mounting: every path at or under `/api/mizan` is Mizan's (a JSON `404` when it is no
//! endpoint), never the HTML page the demo serves as its fallback.

use mizan::core::RootSecret;
use mizan_demo::{Keys, app, open_accounts};
use tokio::net::TcpListener;

mod common;

async fn request(addr: std::net::SocketAddr, method: &str, path: &str) -> (u16, String, String) {
    let body = if method == "POST" {
        r#"{"text":"hi"}"#
    } else {
        ""
    };
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    common::request(addr, raw).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_under_the_base_are_never_the_page() {
    let folder = tempfile::tempdir().unwrap();
    let keys = Keys::new(RootSecret::new([7u8; 32]).unwrap());
    let accounts = open_accounts(&keys, &common::sqlite_url(folder.path()))
        .await
        .unwrap();
    let router = app(&accounts, &mizan_demo::Config::default()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });

    for (method, path) in [
        ("GET", "/api/mizan"),
        ("GET", "/api/mizan/"),
        ("POST", "/api/mizan/"),
        ("GET", "/api/mizan/nope"),
        ("POST", "/api/mizan//call/echo"),
        ("GET", "/api/mizan//context/current_user"),
        (
            "GET",
            "/api/mizan//context/greet?p=%7B%22name%22%3A%22Ada%22%7D",
        ),
    ] {
        let (status, head, body) = request(addr, method, path).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert!(head.contains("content-type: application/json"), "{path}");
        assert!(head.contains("cache-control: no-store"), "{path}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["code"], "not_found", "{path}");
    }
    // The one URL of each endpoint still works, and the page is still the fallback elsewhere.
    let (status, _, _) = request(addr, "POST", "/api/mizan/call/echo").await;
    assert_eq!(status, 200);
    let (status, head, _) = request(addr, "GET", "/api/mizan/context/current_user").await;
    assert_eq!(status, 200);
    assert!(head.contains("cache-control: public"));
    let (status, head, _) = request(addr, "GET", "/some/page").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"));
}
