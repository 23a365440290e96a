//! Calls, batching, auth and bad input, through the axum router.

mod common;

use axum::body::Body;
use common::*;
use http::{Request as HttpRequest, header};
use serde_json::json;

#[tokio::test]
async fn echo_returns_its_output_uncached() {
    let app = app();
    let reply = post(&app, "/api/mizan/call/echo", r#"{"text":"hi"}"#).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"message": "hi"}));
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/json");
}

#[tokio::test]
async fn sync_functions_dotted_names_floats_and_optional_params() {
    let app = app();
    let reply = post(&app, "/api/mizan/call/math.add", r#"{"a":"2","b":"3"}"#).await;
    assert_eq!((reply.status, reply.json()), (200, json!(5.0)));
    let reply = post(
        &app,
        "/api/mizan/call/math.add",
        r#"{"a":"2","b":"3","scale":0.5}"#,
    )
    .await;
    assert_eq!(reply.json(), json!(2.5));
    let reply = post(
        &app,
        "/api/mizan/call/math.add",
        r#"{"a":"2","b":"3","scale":null}"#,
    )
    .await;
    assert_eq!(reply.json(), json!(5.0));
}

#[tokio::test]
async fn validation_reports_every_field_with_its_path() {
    let app = app();
    let body =
        r#"{"address":{"street":"Main","zap":"1"},"quantity":-1,"tags":["a",2],"extra":true}"#;
    let reply = post(&app, "/api/mizan/call/ship", body).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.code(), "validation_failed");
    let paths: Vec<_> = reply.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].clone())
        .collect();
    assert_eq!(
        paths,
        vec![
            json!(["address", "zip"]),
            json!(["address", "zap"]),
            json!(["quantity"]),
            json!(["tags", 1]),
            json!(["extra"])
        ]
    );
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
}

#[tokio::test]
async fn missing_and_wrong_typed_params_are_422() {
    let app = app();
    let reply = post(&app, "/api/mizan/call/echo", "{}").await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["fields"],
        json!([{"path": ["text"], "message": "missing required parameter"}])
    );
    let reply = post(&app, "/api/mizan/call/echo", r#"{"text":5}"#).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["fields"][0]["path"], json!(["text"]));
    let reply = post(&app, "/api/mizan/call/echo", r#"[1,2]"#).await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (422, "validation_failed")
    );
}

#[tokio::test]
async fn malformed_json_is_400_with_the_layer1_reason() {
    let app = app();
    for (body, reason) in [
        (r#"{"text":"#, "invalid_json"),
        (r#"{"text":"a","text":"b"}"#, "duplicate_key"),
        (r#"{"text":"\ud800"}"#, "lone_surrogate"),
        (r#"{"a":9007199254740993,"b":1}"#, "integer_out_of_range"),
    ] {
        let reply = post(&app, "/api/mizan/call/math.add", body).await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.code(), "malformed_json");
        assert_eq!(reply.json()["details"]["reason"], reason, "{body}");
    }
    let invalid_utf8 = HttpRequest::post("/api/mizan/call/echo")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(vec![b'{', b'"', 0xff, b'"', b'}']))
        .unwrap();
    let reply = send(&app, invalid_utf8).await;
    assert_eq!(
        (reply.status, reply.json()["details"]["reason"].clone()),
        (400, json!("invalid_utf8"))
    );
}

#[tokio::test]
async fn nesting_beyond_the_limit_is_400() {
    let app = app();
    let deep = format!(r#"{{"text":{}1{}}}"#, "[".repeat(40), "]".repeat(40));
    let reply = post(&app, "/api/mizan/call/echo", &deep).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["details"]["reason"], "depth_exceeded");
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_and_the_limit_is_configurable() {
    let app = app();
    let big = format!(r#"{{"text":"{}"}}"#, "x".repeat((1 << 20) + 1));
    let reply = post(&app, "/api/mizan/call/echo", &big).await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (413, "payload_too_large")
    );
    // Without a Content-Length the limit still holds while streaming.
    let stream =
        Body::from_stream(futures_util::stream::iter((0..40).map(|_| {
            Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 32 << 10]))
        })));
    let request = HttpRequest::post("/api/mizan/call/echo")
        .header(header::CONTENT_TYPE, "application/json")
        .body(stream)
        .unwrap();
    assert_eq!(send(&app, request).await.status, 413);

    let small = app_with(mizan::Mizan::new(registry()).limits(mizan::Limits {
        body_bytes: 16,
        ..Default::default()
    }));
    let reply = post(&small, "/api/mizan/call/echo", r#"{"text":"just over 16"}"#).await;
    assert_eq!(reply.status, 413);
    let reply = post(&small, "/api/mizan/call/echo", r#"{"text":"ok"}"#).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn content_type_must_be_json() {
    let app = app();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/json; charset=latin1"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = HttpRequest::post("/api/mizan/call/echo");
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        let reply = send(&app, request.body(Body::from(r#"{"text":"a"}"#)).unwrap()).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (415, "unsupported_media_type"),
            "{content_type:?}"
        );
    }
    let request = HttpRequest::post("/api/mizan/call/echo")
        .header(header::CONTENT_TYPE, "Application/JSON; charset=UTF-8")
        .body(Body::from(r#"{"text":"a"}"#))
        .unwrap();
    assert_eq!(send(&app, request).await.status, 200);
}

#[tokio::test]
async fn unknown_functions_and_wrong_methods() {
    let app = app();
    let reply = post(&app, "/api/mizan/call/nope", "{}").await;
    assert_eq!((reply.status, reply.code().as_str()), (404, "not_found"));
    let reply = get(&app, "/api/mizan/call/echo").await;
    assert_eq!((reply.status, reply.header(header::ALLOW)), (405, "POST"));
    assert_eq!(reply.code(), "method_not_allowed");
    let reply = post(&app, "/api/mizan/call/greet", r#"{"name":"Ada"}"#).await;
    assert_eq!(
        (reply.status, reply.header(header::ALLOW)),
        (405, "GET, HEAD")
    );
    let reply = get(&app, "/api/mizan/nothing/here").await;
    assert_eq!((reply.status, reply.code().as_str()), (404, "not_found"));
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
}

#[tokio::test]
async fn auth_levels_give_401_then_403() {
    let app = app();
    let ada = token(Some("ada"), false, false);
    let grace = token(Some("grace"), true, false);
    let root = token(Some("root"), false, true);
    let reply = post(&app, "/api/mizan/call/admin_stats", "{}").await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (401, "unauthenticated")
    );
    assert_eq!(reply.header(header::WWW_AUTHENTICATE), "Bearer");
    let reply = post_with(&app, "/api/mizan/call/admin_stats", "{}", Some(&ada)).await;
    assert_eq!((reply.status, reply.code().as_str()), (403, "forbidden"));
    assert_eq!(
        post_with(&app, "/api/mizan/call/admin_stats", "{}", Some(&grace))
            .await
            .json(),
        json!("42")
    );
    assert_eq!(
        post_with(&app, "/api/mizan/call/admin_stats", "{}", Some(&root))
            .await
            .status,
        200
    );

    assert_eq!(post(&app, "/api/mizan/call/whoami", "{}").await.status, 401);
    assert_eq!(
        post_with(&app, "/api/mizan/call/whoami", "{}", Some(&ada))
            .await
            .json(),
        json!("ada")
    );

    assert_eq!(
        post_with(&app, "/api/mizan/call/root_only", "{}", Some(&grace))
            .await
            .status,
        403
    );
    assert_eq!(
        post_with(&app, "/api/mizan/call/root_only", "{}", Some(&root))
            .await
            .status,
        200
    );

    assert_eq!(
        post(&app, "/api/mizan/call/ada_only", "{}").await.status,
        401
    );
    assert_eq!(
        post_with(&app, "/api/mizan/call/ada_only", "{}", Some(&grace))
            .await
            .status,
        403
    );
    assert_eq!(
        post_with(&app, "/api/mizan/call/ada_only", "{}", Some(&ada))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn auth_is_checked_before_the_body_is_parsed() {
    let app = app();
    let reply = post(&app, "/api/mizan/call/admin_stats", "{not json").await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn bad_tokens_are_401_with_the_reason() {
    let app = app();
    let reply = post_with(
        &app,
        "/api/mizan/call/echo",
        r#"{"text":"a"}"#,
        Some("mwt1.k1.e30.AAAA"),
    )
    .await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (401, "unauthenticated")
    );
    assert_eq!(reply.json()["details"]["reason"], "invalid_tag_length");
    let request = HttpRequest::post("/api/mizan/call/echo")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Basic YTpi")
        .body(Body::from(r#"{"text":"a"}"#))
        .unwrap();
    assert_eq!(send(&app, request).await.status, 401);
}

#[tokio::test]
async fn app_errors_keep_their_code_and_internals_stay_hidden() {
    let app = app();
    let reply = post(&app, "/api/mizan/call/fails", r#"{"code":"conflict"}"#).await;
    assert_eq!((reply.status, reply.code().as_str()), (409, "conflict"));
    let reply = post(&app, "/api/mizan/call/fails", r#"{"code":"internal"}"#).await;
    assert_eq!(
        (reply.status, reply.json()["message"].clone()),
        (500, json!("internal error"))
    );
    assert!(!String::from_utf8_lossy(&reply.body).contains("secret"));
    let reply = post(&app, "/api/mizan/call/fails", r#"{"code":"panic"}"#).await;
    assert_eq!((reply.status, reply.code().as_str()), (500, "internal"));
    let reply = post(&app, "/api/mizan/call/missing_state", "{}").await;
    assert_eq!(reply.status, 500);
    // The server keeps serving after a panic.
    assert_eq!(
        post(&app, "/api/mizan/call/echo", r#"{"text":"still here"}"#)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn empty_body_means_no_params() {
    let app = app();
    let request = HttpRequest::post("/api/mizan/call/admin_stats")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", token(Some("g"), true, false)),
        )
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, request).await.json(), json!("42"));
}

#[tokio::test]
async fn batch_gives_each_call_its_own_result() {
    let app = app();
    let body = json!({"calls": [
        {"fn": "echo", "params": {"text": "one"}},
        {"fn": "nope"},
        {"fn": "echo", "params": {}},
        {"fn": "admin_stats"},
        {"fn": "greet", "params": {"name": "Ada"}},
        {"fn": "math.add", "params": {"a": "1", "b": "2"}},
    ]});
    let reply = post(&app, "/api/mizan/batch", &body.to_string()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    let results = reply.json()["results"].clone();
    assert_eq!(results[0], json!({"ok": true, "data": {"message": "one"}}));
    assert_eq!(results[1]["error"]["code"], "not_found");
    assert_eq!(results[2]["error"]["code"], "validation_failed");
    assert_eq!(results[3]["error"]["status"], 401);
    assert_eq!(results[4]["error"]["code"], "method_not_allowed");
    assert_eq!(results[5], json!({"ok": true, "data": 3.0}));
}

#[tokio::test]
async fn batch_shape_and_size_are_checked() {
    let app = app();
    for body in [r#"[]"#, r#"{"calls":{}}"#, r#"{"calls":[],"x":1}"#] {
        assert_eq!(
            post(&app, "/api/mizan/batch", body).await.status,
            422,
            "{body}"
        );
    }
    let reply = post(
        &app,
        "/api/mizan/batch",
        r#"{"calls":[{"fn":"echo","params":{"text":"a"},"extra":1}]}"#,
    )
    .await;
    assert_eq!(
        reply.json()["results"][0]["error"]["code"],
        "validation_failed"
    );
    let calls: Vec<_> = (0..33)
        .map(|_| json!({"fn": "echo", "params": {"text": "a"}}))
        .collect();
    let reply = post(
        &app,
        "/api/mizan/batch",
        &json!({"calls": calls}).to_string(),
    )
    .await;
    assert_eq!(reply.status, 413);
    assert_eq!(get(&app, "/api/mizan/batch").await.status, 405);
}

#[tokio::test]
async fn a_body_without_content_type_is_refused_before_auth() {
    let app = app();
    let request = HttpRequest::post("/api/mizan/call/admin_stats")
        .header(header::CONTENT_LENGTH, "2")
        .body(Body::from("{}"))
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (415, "unsupported_media_type")
    );
}

#[tokio::test]
async fn batch_params_nest_as_deep_as_call_params() {
    let app = app();
    let deep = |levels: usize| format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
    // The params object is depth 1, so `text` may hold 31 more levels in a call...
    let call = format!(r#"{{"text":{}}}"#, deep(31));
    assert_eq!(
        post(&app, "/api/mizan/call/echo", &call).await.code(),
        "validation_failed"
    );
    // ...and the same params inside a batch parse too (then fail validation: text is no string).
    let batch = format!(r#"{{"calls":[{{"fn":"echo","params":{call}}}]}}"#);
    let reply = post(&app, "/api/mizan/batch", &batch).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json()["results"][0]["error"]["code"],
        "validation_failed"
    );
    let too_deep = format!(
        r#"{{"calls":[{{"fn":"echo","params":{{"text":{}}}}}]}}"#,
        deep(32)
    );
    assert_eq!(post(&app, "/api/mizan/batch", &too_deep).await.status, 400);
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = app();
    let request = HttpRequest::post("/api/mizan/call/whoami")
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::AUTHORIZATION,
            format!("BEARER {}", token(Some("ada"), false, false)),
        )
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(send(&app, request).await.json(), json!("ada"));
}

#[tokio::test]
async fn sixty_four_bit_integers_travel_as_strings_without_losing_digits() {
    let app = app();
    let reply = post(
        &app,
        "/api/mizan/call/next_id",
        r#"{"id":"18446744073709551614"}"#,
    )
    .await;
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!("18446744073709551615"))
    );
    let reply = post(
        &app,
        "/api/mizan/call/next_id",
        r#"{"id":"9007199254740993","step":"-1"}"#,
    )
    .await;
    assert_eq!(reply.status, 400);
    // Params are checked against the published schema, where a 64-bit integer is a string:
    // a JSON number there is refused like any other wrong type.
    for bad in [
        r#"{"id":41}"#,
        r#"{"id":"042"}"#,
        r#"{"id":"-1"}"#,
        r#"{"id":"1e3"}"#,
        r#"{"id":"18446744073709551616"}"#,
    ] {
        let reply = post(&app, "/api/mizan/call/next_id", bad).await;
        assert_eq!(reply.status, 422, "{bad}");
        assert_eq!(reply.json()["fields"][0]["path"], json!(["id"]), "{bad}");
    }
    let manifest = get(&app, "/api/mizan/manifest").await.json();
    let described = manifest["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "next_id")
        .unwrap()
        .clone();
    assert_eq!(described["input"]["properties"]["id"]["type"], "string");
    assert_eq!(described["output"]["type"], "string");
}
