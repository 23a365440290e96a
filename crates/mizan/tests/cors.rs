//! Cross-origin access (`spec/PROTOCOL.md` §2.12) and the headers every answer carries (§2.11).

mod common;

use axum::body::Body;
use http::{Request as HttpRequest, header};
use mizan::{Cors, Mizan};

use common::{app, app_with, get, post, send};

const ALLOWED: &str = "https://app.example.com";

fn cors_app(credentials: bool) -> axum::Router {
    let cors = Cors::allow_origins([ALLOWED, "http://localhost:5173"])
        .unwrap()
        .allow_credentials(credentials);
    app_with(Mizan::new(common::registry()).cors(cors))
}

fn preflight(path: &str, origin: &str) -> HttpRequest<Body> {
    HttpRequest::options(path)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type, x-mizan-csrf",
        )
        .body(Body::empty())
        .unwrap()
}

fn from_origin(origin: &str) -> HttpRequest<Body> {
    HttpRequest::post("/api/mizan/call/echo")
        .header(header::ORIGIN, origin)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"text":"hi"}"#))
        .unwrap()
}

#[tokio::test]
async fn every_answer_is_nosniff() {
    let app = app();
    for reply in [
        post(&app, "/api/mizan/call/echo", r#"{"text":"hi"}"#).await,
        post(&app, "/api/mizan/call/echo", "{").await,
        get(&app, "/api/mizan/context/current_user").await,
        get(&app, "/api/mizan/manifest").await,
        get(&app, "/api/mizan/nope").await,
        post(&app, "/api/mizan/batch", r#"{"calls":[]}"#).await,
        get(&app, "/api/mizan/call/echo").await,
    ] {
        assert_eq!(reply.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    }
}

#[tokio::test]
async fn without_cors_no_access_control_header_is_sent_and_preflights_fail() {
    let app = app();
    let reply = send(&app, preflight("/api/mizan/call/echo", ALLOWED)).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.code(), "method_not_allowed");
    let reply = send(&app, from_origin(ALLOWED)).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .headers
            .keys()
            .all(|name| !name.as_str().starts_with("access-control-")),
        "{:?}",
        reply.headers
    );
}

#[tokio::test]
async fn an_allowed_origin_gets_its_preflight_and_its_answers() {
    let app = cors_app(false);
    let reply = send(&app, preflight("/api/mizan/call/echo", ALLOWED)).await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), ALLOWED);
    assert_eq!(
        reply.header(header::ACCESS_CONTROL_ALLOW_METHODS),
        "GET, HEAD, POST"
    );
    assert_eq!(
        reply.header(header::ACCESS_CONTROL_ALLOW_HEADERS),
        "authorization, content-type, x-mizan-csrf, x-mizan-schema"
    );
    assert_eq!(reply.header(header::ACCESS_CONTROL_MAX_AGE), "600");
    assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_CREDENTIALS), "");
    assert!(reply.body.is_empty());

    let reply = send(&app, from_origin(ALLOWED)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), ALLOWED);
    assert_eq!(
        reply.header(header::ACCESS_CONTROL_EXPOSE_HEADERS),
        "cache-tag, etag, retry-after, x-mizan-cache-status, x-mizan-invalidate, x-mizan-rev"
    );
    assert!(
        reply
            .headers
            .get_all(header::VARY)
            .iter()
            .any(|v| v == "Origin")
    );

    // Errors carry the headers too, so the page can read the error.
    let mut request = from_origin(ALLOWED);
    *request.body_mut() = Body::from("{");
    let reply = send(&app, request).await;
    assert_eq!(reply.code(), "malformed_json");
    assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), ALLOWED);
}

#[tokio::test]
async fn credentials_are_allowed_only_when_configured() {
    let app = cors_app(true);
    let reply = send(&app, preflight("/api/mizan/batch", "http://localhost:5173")).await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header(header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
        "true"
    );
    let reply = send(&app, from_origin("http://localhost:5173")).await;
    assert_eq!(
        reply.header(header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
        "true"
    );
}

#[tokio::test]
async fn other_origins_get_no_access() {
    let app = cors_app(true);
    for origin in [
        "https://evil.example",
        "https://app.example.com.evil",
        "null",
        "HTTPS://APP.EXAMPLE.COM",
    ] {
        let reply = send(&app, preflight("/api/mizan/call/echo", origin)).await;
        assert_eq!(reply.status, 403, "{origin}");
        assert_eq!(reply.code(), "forbidden");
        let reply = send(&app, from_origin(origin)).await;
        assert_eq!(
            reply.status, 200,
            "the server still answers; the browser keeps it from the page"
        );
        assert_eq!(
            reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
            "",
            "{origin}"
        );
        assert!(
            reply
                .headers
                .get_all(header::VARY)
                .iter()
                .any(|v| v == "Origin")
        );
    }
    // Two `Origin` headers are no clear origin.
    let mut request = from_origin(ALLOWED);
    request
        .headers_mut()
        .append(header::ORIGIN, ALLOWED.parse().unwrap());
    let reply = send(&app, request).await;
    assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "");
}

#[test]
fn origins_must_be_written_as_browsers_send_them() {
    let error = Cors::allow_origins(["https://app.example.com/"]).unwrap_err();
    assert!(error.to_string().contains("no path"), "{error}");
    assert!(Cors::allow_origins(["*"]).is_err());
}
