//! The HTML shell with hydration, and cookie authentication with its CSRF rule.

mod common;

use axum::Router;
use axum::body::Body;
use common::*;
use http::{Request as HttpRequest, header};
use mizan::core::mwt::Validation;
use mizan::{Mizan, MwtAuthenticator, Shell};
use serde_json::json;

const TEMPLATE: &str =
    "<!doctype html><html><head><title>t</title></head><body><div id=\"root\"></div></body></html>";

fn app_with_shell() -> Router {
    let mizan = Mizan::new(registry())
        .authenticator(
            MwtAuthenticator::new(keyring(), Validation::new(ISSUER, AUDIENCE))
                .with_cookie("mizan_token"),
        )
        .state(Counter(Default::default()));
    let (api, shell) = mizan.router_with_shell("/api/mizan", TEMPLATE);
    Router::new()
        .merge(api)
        .fallback(Shell::handler)
        .with_state(shell)
}

fn payload(html: &str) -> serde_json::Value {
    let start = html.find("id=\"mizan-hydration\">").unwrap() + "id=\"mizan-hydration\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn with_cookie(request: http::request::Builder, token: &str) -> http::request::Builder {
    request.header(header::COOKIE, format!("theme=dark; mizan_token={token}"))
}

#[tokio::test]
async fn the_shell_embeds_the_global_contexts_of_its_requester() {
    let app = app_with_shell();
    let reply = get(&app, "/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    let html = String::from_utf8(reply.body.clone()).unwrap();
    assert!(html.starts_with("<!doctype html><html><head><title>t</title><script type=\"application/json\" id=\"mizan-hydration\">"));
    assert_eq!(
        payload(&html),
        json!({"contexts": {"current_user": {"id": null, "staff": false}}})
    );

    let request = with_cookie(
        HttpRequest::get("/some/page"),
        &token(Some("ada"), true, false),
    )
    .body(Body::empty())
    .unwrap();
    let html = String::from_utf8(send(&app, request).await.body).unwrap();
    assert_eq!(
        payload(&html)["contexts"]["current_user"],
        json!({"id": "ada", "staff": true})
    );
}

#[tokio::test]
async fn hydrated_data_matches_the_context_endpoint_byte_for_byte() {
    let app = app_with_shell();
    let html = String::from_utf8(get(&app, "/").await.body).unwrap();
    let body = get(&app, "/api/mizan/context/current_user").await.body;
    let embedded = payload(&html)["contexts"]["current_user"].to_string();
    assert_eq!(embedded.as_bytes(), body.as_slice());
}

#[tokio::test]
async fn cookie_tokens_authenticate_reads_but_writes_need_the_csrf_header() {
    let app = app_with_shell();
    let grace = token(Some("grace"), true, false);
    let read = with_cookie(HttpRequest::get("/api/mizan/context/current_user"), &grace)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&app, read).await.json(),
        json!({"id": "grace", "staff": true})
    );

    let forged = with_cookie(HttpRequest::post("/api/mizan/call/admin_stats"), &grace)
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, forged).await;
    assert_eq!(
        (reply.status, reply.json()["details"]["reason"].clone()),
        (403, json!("csrf"))
    );

    let genuine = with_cookie(HttpRequest::post("/api/mizan/call/admin_stats"), &grace)
        .header(mizan::CSRF_HEADER, "1")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, genuine).await.json(), json!("42"));

    let bad_cookie = with_cookie(
        HttpRequest::get("/api/mizan/context/current_user"),
        "mwt1.k1.e30.AAAA",
    )
    .body(Body::empty())
    .unwrap();
    // A cookie that does not verify is no credential (§2.5): the caller is anonymous, so a stale
    // cookie never locks anyone out of the page or of public functions.
    let reply = send(&app, bad_cookie).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["id"], json!(null));
    let page = with_cookie(HttpRequest::get("/"), "mwt1.k1.e30.AAAA")
        .body(Body::empty())
        .unwrap();
    let html = String::from_utf8(send(&app, page).await.body).unwrap();
    assert_eq!(
        payload(&html)["contexts"]["current_user"],
        json!({"id": null, "staff": false})
    );
}
