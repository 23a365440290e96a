//! Every server function of {{name}} over HTTP, through the router the server serves.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use mizan::core::RootSecret;
use serde_json::{Value, json};
use tower::ServiceExt;

use {{crate}}::{Keys, TOKEN_COOKIE, app};

fn keys() -> Keys {
    Keys::new(RootSecret::new([7u8; 32]).expect("32 bytes is long enough"))
}

fn token(user: &str, staff: bool) -> String {
    signed_by(&keys(), user, staff)
}

fn signed_by(keys: &Keys, user: &str, staff: bool) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    keys.token(user, staff, now, 60)
}

/// Sends `request` to the app; the status and the body.
async fn send(request: Request<Body>) -> (StatusCode, String) {
    let router: Router = app(&keys()).expect("the functions register");
    let response = router.oneshot(request).await.expect("the router answers");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    (status, String::from_utf8(body.to_vec()).expect("UTF-8"))
}

async fn call(name: &str, params: Value, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::post(format!("/api/mizan/call/{name}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let (status, body) = send(request.body(Body::from(params.to_string())).unwrap()).await;
    (status, serde_json::from_str(&body).expect("a JSON answer"))
}

async fn read(name: &str, params: Value, token: Option<&str>) -> (StatusCode, Value) {
    let params = params.as_object().cloned().unwrap_or_default();
    let query = mizan::encode_query(&params, 0).expect("canonical params");
    let url = if query.is_empty() {
        format!("/api/mizan/context/{name}")
    } else {
        format!("/api/mizan/context/{name}?{query}")
    };
    let mut request = Request::get(url);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let (status, body) = send(request.body(Body::empty()).unwrap()).await;
    (status, serde_json::from_str(&body).expect("a JSON answer"))
}

#[tokio::test]
async fn echo_says_back_what_it_was_told() {
    let (status, body) = call("echo", json!({"text": "hi"}), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"message": "hi", "count": 1}));
}

#[tokio::test]
async fn echo_refuses_blank_text_and_unknown_params() {
    let (status, body) = call("echo", json!({"text": "  "}), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "bad_request");
    let (status, body) = call("echo", json!({"text": "hi", "extra": 1}), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn greet_is_read_by_its_canonical_url() {
    let (status, body) = read("greet", json!({"name": "Ada"}), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"text": "Hello, Ada!"}));
    let (status, body) = read("greet", json!({"name": " "}), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn current_user_is_whoever_the_token_names() {
    let (status, body) = read("current_user", json!({}), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"id": null, "staff": false}));
    let (_, body) = read("current_user", json!({}), Some(&token("ada", false))).await;
    assert_eq!(body, json!({"id": "ada", "staff": false}));
}

#[tokio::test]
async fn admin_stats_is_for_staff_only() {
    let (status, body) = call("admin.stats", json!({}), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "unauthenticated");
    let (status, body) = call("admin.stats", json!({}), Some(&token("ada", false))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "forbidden");
    let (status, body) = call("admin.stats", json!({}), Some(&token("admin", true))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["echoes"].is_u64(), "{body}");
}

#[tokio::test]
async fn a_forged_token_is_refused() {
    let other_secret = Keys::new(RootSecret::new([8u8; 32]).expect("32 bytes is long enough"));
    let forged = signed_by(&other_secret, "admin", true);
    let (status, body) = call("admin.stats", json!({}), Some(&forged)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn the_page_embeds_the_current_user_of_its_cookie() {
    let request = Request::get("/")
        .header(
            header::COOKIE,
            format!("{TOKEN_COOKIE}={}", token("ada", false)),
        )
        .body(Body::empty())
        .unwrap();
    let (status, html) = send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"mizan-hydration\""), "{html}");
    assert!(
        html.contains(r#""current_user":{"id":"ada","staff":false}"#),
        "{html}"
    );
}
