//! Routing at the base path (`spec/PROTOCOL.md` §2.1): one URL per endpoint, and every other path
//! at or under the base is a JSON `404 not_found`, never the application's fallback.

mod common;

use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::body::Body;
use axum::response::Html;
use common::*;
use http::{Request as HttpRequest, header};
use mizan::Mizan;

const PAGE: &str = "<!doctype html><title>the app</title>";

/// Mounted as the demo mounts it: Mizan merged at the base, an HTML page as the fallback.
fn app_at(base: &str) -> Router {
    let mizan = Mizan::new(registry()).state(Counter(AtomicU64::new(0)));
    Router::new()
        .merge(mizan.router(base))
        .fallback(|| async { Html(PAGE) })
}

async fn request(app: &Router, method: &str, path: &str) -> Reply {
    let mut builder = HttpRequest::builder().method(method).uri(path);
    let body = if method == "POST" {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
        Body::from(r#"{"text":"hi"}"#)
    } else {
        Body::empty()
    };
    send(app, builder.body(body).unwrap()).await
}

fn assert_not_found(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 404, "{what}");
    // A `HEAD` answer has the headers of the `GET` one and no body.
    if !what.starts_with("HEAD") {
        assert_eq!(reply.code(), "not_found", "{what}");
    }
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "application/json",
        "{what}"
    );
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store", "{what}");
}

#[tokio::test]
async fn a_doubled_slash_reaches_no_function() {
    let app = app_at("/api/mizan");
    for (method, path) in [
        ("POST", "/api/mizan//call/echo"),
        ("POST", "/api/mizan///call/echo"),
        ("POST", "/api/mizan/call//echo"),
        ("POST", "/api/mizan/call/echo/"),
        ("GET", "/api/mizan//context/current_user"),
        ("GET", "/api/mizan/context//current_user"),
        ("GET", "/api/mizan//manifest"),
        ("POST", "/api/mizan//batch"),
    ] {
        assert_not_found(&request(&app, method, path).await, path);
    }
    // The context is served on its one URL only.
    let reply = request(&app, "GET", "/api/mizan/context/current_user").await;
    assert_eq!(reply.status, 200);
    assert!(reply.header(header::CACHE_CONTROL).starts_with("public"));
}

#[tokio::test]
async fn the_base_itself_and_unknown_paths_are_json_404_never_the_page() {
    let app = app_at("/api/mizan");
    for path in [
        "/api/mizan",
        "/api/mizan/",
        "/api/mizan/nope",
        "/api/mizan/call",
        "/api/mizan/call/",
        "/api/mizan/context/",
        "/api/mizan/batch/",
        "/api/mizan/manifest/",
        "/api/mizan/call/nope/deeper",
    ] {
        for method in ["GET", "POST", "HEAD", "OPTIONS"] {
            assert_not_found(
                &request(&app, method, path).await,
                &format!("{method} {path}"),
            );
        }
    }
    // Paths outside the base still reach the application.
    for path in ["/", "/about", "/api", "/api/mizanx", "/api/mizan.json"] {
        let reply = request(&app, "GET", path).await;
        assert_eq!(
            (reply.status, reply.body.as_slice()),
            (200, PAGE.as_bytes()),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_base_may_end_in_a_slash_or_be_the_root() {
    let app = app_at("/api/mizan/");
    assert_eq!(
        request(&app, "POST", "/api/mizan/call/echo").await.status,
        200
    );
    assert_not_found(&request(&app, "GET", "/api/mizan/").await, "/api/mizan/");

    let app = app_at("/");
    let reply = request(&app, "POST", "/call/echo").await;
    assert_eq!(reply.json(), serde_json::json!({"message": "hi"}));
    assert_eq!(request(&app, "GET", "/manifest").await.status, 200);
    assert_not_found(&request(&app, "GET", "/").await, "/");
    assert_not_found(&request(&app, "GET", "/index.html").await, "/index.html");
}

#[test]
#[should_panic(expected = "invalid Mizan base path")]
fn a_base_without_a_leading_slash_is_refused() {
    let _: Router = Mizan::new(registry()).router("api/mizan");
}

#[test]
#[should_panic(expected = "invalid Mizan base path")]
fn a_base_with_a_capture_is_refused() {
    let _: Router = Mizan::new(registry()).router("/api/{tenant}");
}

#[test]
#[should_panic(expected = "invalid Mizan base path")]
fn a_base_that_would_need_percent_encoding_is_refused() {
    let _: Router = Mizan::new(registry()).router("/my api");
}

#[tokio::test]
async fn batch_accepts_post_only() {
    let app = app_at("/api/mizan");
    for method in ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let reply = request(&app, method, "/api/mizan/batch").await;
        assert_eq!(
            (reply.status, reply.header(header::ALLOW)),
            (405, "POST"),
            "{method}"
        );
        assert_eq!(reply.header(header::CONTENT_TYPE), "application/json");
        if method != "HEAD" {
            assert_eq!(reply.code(), "method_not_allowed");
        }
    }
}

#[tokio::test]
async fn manifest_accepts_get_and_head() {
    let app = app_at("/api/mizan");
    let reply = request(&app, "HEAD", "/api/mizan/manifest").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/json");
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-cache");
    assert!(reply.body.is_empty());
    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let reply = request(&app, method, "/api/mizan/manifest").await;
        assert_eq!(
            (reply.status, reply.header(header::ALLOW)),
            (405, "GET, HEAD"),
            "{method}"
        );
        assert_eq!(reply.code(), "method_not_allowed");
    }
    // A server that hides its manifest has no such endpoint, whatever the method.
    let hidden: Router = Router::new().merge(
        Mizan::new(registry())
            .expose_manifest(false)
            .router("/api/mizan"),
    );
    for method in ["GET", "POST", "OPTIONS"] {
        let reply = request(&hidden, method, "/api/mizan/manifest").await;
        assert_eq!(reply.status, 404, "{method}");
        assert_eq!(reply.header(header::ALLOW), "");
    }
}

#[tokio::test]
async fn options_is_no_method_of_any_endpoint() {
    let app = app_at("/api/mizan");
    let reply = request(&app, "OPTIONS", "/api/mizan/call/echo").await;
    assert_eq!((reply.status, reply.header(header::ALLOW)), (405, "POST"));
    let reply = request(&app, "OPTIONS", "/api/mizan/context/current_user").await;
    assert_eq!(
        (reply.status, reply.header(header::ALLOW)),
        (405, "GET, HEAD")
    );
}
