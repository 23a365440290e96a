//! Request bodies (`spec/PROTOCOL.md` §2.2, §2.4): media-type matching, the order of a batch's
//! checks relative to authentication, and error messages that name the configured limits.

mod common;

use axum::Router;
use axum::body::Body;
use common::*;
use http::{Request as HttpRequest, header};
use mizan::{Limits, Mizan};
use serde_json::json;

async fn post_typed(app: &Router, content_types: &[&str], body: &str) -> Reply {
    let mut request = HttpRequest::post("/api/mizan/call/echo");
    for content_type in content_types {
        request = request.header(header::CONTENT_TYPE, *content_type);
    }
    send(app, request.body(Body::from(body.to_owned())).unwrap()).await
}

#[tokio::test]
async fn media_types_match_as_rfc_9110_says() {
    let app = app();
    for accepted in [
        "Application/JSON",
        "application/json;",
        "application/json ;charset=UTF-8",
        "application/json; CHARSET=\"utf-8\"",
        "application/json; profile=x",
    ] {
        let reply = post_typed(&app, &[accepted], r#"{"text":"a"}"#).await;
        assert_eq!(reply.status, 200, "{accepted:?}");
    }
    for refused in [
        &["application/json; charset=utf8"][..],
        &["application/json; charset=iso-8859-1"],
        &["application/json; charset = utf-8"],
        &["application / json"],
        &["application/json; charset"],
        &["text/json"],
        &["application/json", "application/json"],
    ] {
        let reply = post_typed(&app, refused, r#"{"text":"a"}"#).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (415, "unsupported_media_type"),
            "{refused:?}"
        );
    }
    // A content type that is not JSON is refused even with an empty body.
    let reply = post_typed(&app, &["application/json; charset=utf8"], "").await;
    assert_eq!(reply.status, 415);
}

fn batch_of(calls: usize) -> String {
    let calls: Vec<_> = (0..calls)
        .map(|_| json!({"fn": "echo", "params": {"text": "a"}}))
        .collect();
    json!({ "calls": calls }).to_string()
}

#[tokio::test]
async fn a_batch_authenticates_before_reading_its_body() {
    let app = app();
    let bad = Some("mwt1.k1.not.a-token");
    // Content type and declared length come first...
    let request = HttpRequest::post("/api/mizan/batch")
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::AUTHORIZATION, "Bearer mwt1.k1.not.a-token")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(send(&app, request).await.status, 415);
    // ...then authentication, before the body is parsed, its shape or its size are looked at.
    for body in ["{", r#"{"calls":{}}"#, "[]", &batch_of(33)] {
        let reply = post_with(&app, "/api/mizan/batch", body, bad).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (401, "unauthenticated"),
            "{body}"
        );
    }
    // With good credentials the same bodies fail on their own account.
    let ada = token(Some("ada"), false, false);
    for (body, status) in [
        ("{", 400),
        (r#"{"calls":{}}"#, 422),
        ("[]", 422),
        (&batch_of(33), 413),
    ] {
        let reply = post_with(&app, "/api/mizan/batch", body, Some(&ada)).await;
        assert_eq!(reply.status, status, "{body}");
    }
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_authentication() {
    let app = app_with(Mizan::new(registry()).limits(Limits {
        body_bytes: 64,
        ..Limits::default()
    }));
    let body = batch_of(2);
    assert!(body.len() > 64);
    let request = HttpRequest::post("/api/mizan/batch")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, body.len())
        .header(header::AUTHORIZATION, "Bearer mwt1.k1.not.a-token")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&app, request).await.status, 413);
}

#[tokio::test]
async fn the_depth_error_names_the_configured_limit() {
    let app = app_with(Mizan::new(registry()).limits(Limits {
        json_depth: 4,
        ..Limits::default()
    }));
    let deep = |levels: usize| format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
    let reply = post(
        &app,
        "/api/mizan/call/echo",
        &format!(r#"{{"text":{}}}"#, deep(4)),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["details"]["reason"], "depth_exceeded");
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("limit of 4 levels"), "{message}");
    // In a batch, too: the limit is the params' own, whatever the batch adds around them.
    let batch = format!(
        r#"{{"calls":[{{"fn":"echo","params":{{"text":{}}}}}]}}"#,
        deep(4)
    );
    let reply = post(&app, "/api/mizan/batch", &batch).await;
    assert_eq!(reply.status, 400);
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("limit of 4 levels"), "{message}");
}
