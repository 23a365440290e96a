//! Response effects (spec §2.10): cookies, headers and cache hints set by functions, on calls,
//! batches, contexts and the HTML shell, kept on errors and dropped on panics.

mod common;

use axum::Router;
use axum::body::Body;
use common::{Reply, get, post, send};
use http::{HeaderName, HeaderValue, header};
use mizan::cookie::{Cookie, SameSite, time::Duration};
use mizan::{Error, Mizan, Registry, Request, Result};

#[mizan::client]
fn sign_in(req: &Request, user: String) -> Result<bool> {
    req.set_cookie(
        Cookie::build(("session", format!("s-{user}")))
            .http_only(true)
            .secure(true)
            .same_site(SameSite::Strict)
            .path("/")
            .max_age(Duration::hours(2)),
    )?;
    req.set_header(
        HeaderName::from_static("x-signed-in"),
        HeaderValue::from_static("yes"),
    )?;
    Ok(true)
}

#[mizan::client]
fn sign_out(req: &Request) -> Result<()> {
    req.remove_cookie(Cookie::build("session").path("/"))?;
    Err(Error::unauthenticated("signed out"))
}

#[mizan::client]
fn set_then_panic(req: &Request) -> Result<()> {
    req.set_cookie(Cookie::new("leak", "1"))?;
    panic!("after setting a cookie");
}

#[mizan::client]
fn bad_cookie(req: &Request) -> Result<()> {
    req.set_cookie(Cookie::new("a", "x; Domain=evil.example"))?;
    Ok(())
}

#[mizan::client]
fn reserved_header(req: &Request) -> Result<()> {
    req.set_header(header::CACHE_CONTROL, HeaderValue::from_static("public"))?;
    Ok(())
}

#[mizan::client]
fn publish(req: &Request, tag: String, rev: u32) -> Result<()> {
    req.invalidate_tag(tag)?;
    req.set_header(
        HeaderName::from_static("x-last-publish"),
        HeaderValue::from_str(&rev.to_string()).map_err(Error::internal)?,
    )?;
    Ok(())
}

#[mizan::client(context = "local")]
fn visit(req: &Request, page: String) -> Result<String> {
    if page == "first" {
        req.set_cookie(Cookie::new("visited", "1"))?;
    }
    Ok(page)
}

#[mizan::client(context = "global")]
fn session_refresh(req: &Request) -> Result<u32> {
    req.set_cookie(Cookie::build(("refreshed", "1")).http_only(true))?;
    Ok(1)
}

#[mizan::client(context = "local")]
fn cart(req: &Request, item: String) -> Result<String> {
    Ok(format!(
        "{item} in cart {}",
        req.cookie("cart").unwrap_or("none")
    ))
}

#[mizan::client(context = "local")]
fn hinted(req: &Request, tag: String) -> Result<String> {
    req.invalidate_tag(tag.clone())?;
    Ok(tag)
}

#[mizan::client]
fn cdn_header(req: &Request, name: String) -> Result<()> {
    req.set_header(
        HeaderName::try_from(name).map_err(Error::internal)?,
        HeaderValue::from_static("max-age=600"),
    )?;
    Ok(())
}

#[mizan::client(context = "global")]
fn broken_global(req: &Request) -> Result<u32> {
    req.set_cookie(Cookie::new("from_broken", "1"))?;
    Err(Error::bad_request("broken on purpose"))
}

fn sets_then_panics(req: &Request) -> bool {
    let _ = req.set_cookie(Cookie::new("from_check", "1"));
    panic!("a bug in the check");
}

#[mizan::client(auth = sets_then_panics)]
fn behind_a_panicking_check(_req: &Request) -> Result<()> {
    Ok(())
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(sign_in, "sign_in")
        .unwrap()
        .register(sign_out, "sign_out")
        .unwrap()
        .register(set_then_panic, "set_then_panic")
        .unwrap()
        .register(bad_cookie, "bad_cookie")
        .unwrap()
        .register(reserved_header, "reserved_header")
        .unwrap()
        .register(publish, "publish")
        .unwrap()
        .register(visit, "visit")
        .unwrap()
        .register(session_refresh, "session_refresh")
        .unwrap()
        .register(cart, "cart")
        .unwrap()
        .register(hinted, "hinted")
        .unwrap()
        .register(cdn_header, "cdn_header")
        .unwrap()
        .register(broken_global, "broken_global")
        .unwrap()
        .register(behind_a_panicking_check, "behind_a_panicking_check")
        .unwrap();
    registry
}

fn app() -> Router {
    let cache = mizan::cache::Cache::builder(&common::secret()).build();
    Router::new().merge(Mizan::new(registry()).cache(cache).router("/api/mizan"))
}

/// The `X-Mizan-Rev` of a reply: a purge's rev, issued as Unix milliseconds at least.
fn rev_of(reply: &Reply) -> u64 {
    let rev: u64 = reply
        .header(HeaderName::from_static("x-mizan-rev"))
        .parse()
        .unwrap();
    assert!(rev > 1_700_000_000_000, "{rev}");
    rev
}

/// The HTML page of an app that serves the shell as its fallback.
async fn page() -> Reply {
    let (api, shell) =
        Mizan::new(registry()).router_with_shell("/api/mizan", "<html><head></head></html>");
    let app = Router::new()
        .merge(api)
        .fallback(mizan::Shell::handler)
        .with_state(shell);
    send(&app, http::Request::get("/").body(Body::empty()).unwrap()).await
}

fn cookies(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_call_sets_an_http_only_cookie_and_a_header_beside_its_typed_output() {
    let reply = post(&app(), "/api/mizan/call/sign_in", r#"{"user":"ada"}"#).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), serde_json::json!(true));
    assert_eq!(
        cookies(&reply),
        ["session=s-ada; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=7200"]
    );
    assert_eq!(reply.header(HeaderName::from_static("x-signed-in")), "yes");
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
}

#[tokio::test]
async fn effects_travel_with_an_error_answer() {
    let reply = post(&app(), "/api/mizan/call/sign_out", "{}").await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.code(), "unauthenticated");
    let set = cookies(&reply);
    assert_eq!(set.len(), 1);
    assert!(
        set[0].starts_with("session=; Path=/; Max-Age=0; Expires="),
        "{set:?}"
    );
}

#[tokio::test]
async fn a_panic_drops_the_effects_and_the_server_goes_on() {
    let app = app();
    let reply = post(&app, "/api/mizan/call/set_then_panic", "{}").await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.code(), "internal");
    assert!(cookies(&reply).is_empty());
    let reply = post(&app, "/api/mizan/call/sign_in", r#"{"user":"bo"}"#).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn effects_that_would_break_the_protocol_are_internal_errors() {
    for name in ["bad_cookie", "reserved_header"] {
        let reply = post(&app(), &format!("/api/mizan/call/{name}"), "{}").await;
        assert_eq!(reply.status, 500, "{name}");
        assert_eq!(reply.code(), "internal");
        assert!(cookies(&reply).is_empty());
        assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    }
}

#[tokio::test]
async fn cache_hints_are_headers() {
    let reply = post(
        &app(),
        "/api/mizan/call/publish",
        r#"{"tag":"posts","rev":12}"#,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header(HeaderName::from_static("x-mizan-invalidate")),
        "posts"
    );
    rev_of(&reply);
    let without_cache = Router::new().merge(Mizan::new(registry()).router("/api/mizan"));
    let reply = post(
        &without_cache,
        "/api/mizan/call/publish",
        r#"{"tag":"posts","rev":12}"#,
    )
    .await;
    assert_eq!(
        reply.header(HeaderName::from_static("x-mizan-invalidate")),
        "posts"
    );
    assert_eq!(reply.header(HeaderName::from_static("x-mizan-rev")), "");
    let reply = post(
        &app(),
        "/api/mizan/call/publish",
        r#"{"tag":"a,b","rev":1}"#,
    )
    .await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        reply.header(HeaderName::from_static("x-mizan-invalidate")),
        ""
    );
}

#[tokio::test]
async fn a_batch_sends_every_item_effect_in_order_except_a_panicked_items() {
    let body = r#"{"calls":[
        {"fn":"sign_in","params":{"user":"ada"}},
        {"fn":"publish","params":{"tag":"posts","rev":5}},
        {"fn":"set_then_panic"},
        {"fn":"sign_out"},
        {"fn":"publish","params":{"tag":"users","rev":3}}
    ]}"#;
    let reply = post(&app(), "/api/mizan/batch", body).await;
    assert_eq!(reply.status, 200);
    let results = reply.json()["results"].clone();
    assert_eq!(results[2]["error"]["code"], "internal");
    assert_eq!(results[3]["error"]["code"], "unauthenticated");
    let set = cookies(&reply);
    assert_eq!(set.len(), 2, "{set:?}");
    assert!(set[0].starts_with("session=s-ada;"));
    assert!(
        set[1].starts_with("session=;"),
        "the later item's cookie comes last"
    );
    assert_eq!(
        reply.header(HeaderName::from_static("x-mizan-invalidate")),
        "posts, users"
    );
    // One purge of the union: one rev, the highest.
    rev_of(&reply);
    assert_eq!(reply.header(HeaderName::from_static("x-last-publish")), "3");
    assert_eq!(reply.header(HeaderName::from_static("x-signed-in")), "yes");
}

#[tokio::test]
async fn a_context_that_sets_a_cookie_is_never_shared() {
    let app = app();
    let first = get(
        &app,
        "/api/mizan/context/visit?p=%7B%22page%22%3A%22first%22%7D",
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(cookies(&first), ["visited=1"]);
    assert_eq!(first.header(header::CACHE_CONTROL), "private, no-cache");
    let other = get(
        &app,
        "/api/mizan/context/visit?p=%7B%22page%22%3A%22other%22%7D",
    )
    .await;
    assert!(cookies(&other).is_empty());
    assert_eq!(
        other.header(header::CACHE_CONTROL),
        "public, max-age=0, stale-while-revalidate=300"
    );
}

#[tokio::test]
async fn the_html_shell_sends_what_its_global_contexts_set() {
    let reply = page().await;
    assert_eq!(reply.status, 200);
    assert_eq!(cookies(&reply), ["refreshed=1; HttpOnly"]);
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    let html = String::from_utf8(reply.body).unwrap();
    assert!(html.contains(r#""session_refresh":1"#), "{html}");
}

#[tokio::test]
async fn a_context_that_reads_cookies_or_records_effects_is_never_shared() {
    let app = app();
    let reply = send(
        &app,
        http::Request::get("/api/mizan/context/cart?p=%7B%22item%22%3A%22tea%22%7D")
            .header(header::COOKIE, "cart=c-42")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.json(), serde_json::json!("tea in cart c-42"));
    assert_eq!(reply.header(header::CACHE_CONTROL), "private, no-cache");
    let reply = get(
        &app,
        "/api/mizan/context/hinted?p=%7B%22tag%22%3A%22posts%22%7D",
    )
    .await;
    assert_eq!(
        reply.header(HeaderName::from_static("x-mizan-invalidate")),
        "posts"
    );
    assert_eq!(reply.header(header::CACHE_CONTROL), "private, no-cache");
}

#[tokio::test]
async fn cache_and_auth_headers_are_the_protocols() {
    for name in [
        "cdn-cache-control",
        "surrogate-control",
        "expires",
        "www-authenticate",
        "x-mizan-schema",
    ] {
        let reply = post(
            &app(),
            "/api/mizan/call/cdn_header",
            &format!(r#"{{"name":"{name}"}}"#),
        )
        .await;
        assert_eq!(reply.status, 500, "{name}");
        assert_eq!(
            reply.header(HeaderName::from_static("cdn-cache-control")),
            ""
        );
    }
    let reply = post(
        &app(),
        "/api/mizan/call/cdn_header",
        r#"{"name":"x-app-note"}"#,
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn a_panicking_check_and_a_failed_global_context_send_no_effects() {
    let reply = post(&app(), "/api/mizan/call/behind_a_panicking_check", "{}").await;
    assert_eq!(reply.status, 500);
    assert!(cookies(&reply).is_empty(), "{:?}", cookies(&reply));

    let reply = page().await;
    assert_eq!(
        cookies(&reply),
        ["refreshed=1; HttpOnly"],
        "only the embedded context's"
    );
    let html = String::from_utf8(reply.body).unwrap();
    assert!(!html.contains("broken_global"), "{html}");
}
