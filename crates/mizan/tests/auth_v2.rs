//! Auth v2: async custom checks, principals with claims and extensions, panics in authenticators
//! and checks, and the exact rules of §2.5 (Bearer syntax, repeated headers, CSRF order).

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use common::{AUDIENCE, ISSUER, Reply, keyring, send};
use http::request::Parts;
use http::{Request as HttpRequest, header};
use mizan::core::mwt::{Claims, Validation};
use mizan::{
    Authenticator, BoxFuture, CSRF_HEADER, Error, Mizan, MwtAuthenticator, Principal, Registry,
    Request, Result,
};
use serde_json::json;

/// The application's user record, loaded by the authenticator from its store.
#[derive(Clone, Debug)]
struct Account {
    display_name: String,
    active: bool,
}

/// A store that answers asynchronously, as a database would.
struct Store(HashMap<String, Account>);

impl Store {
    async fn load(&self, id: &str) -> Option<Account> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.0.get(id).cloned()
    }
}

struct StoreAuthenticator {
    tokens: MwtAuthenticator,
    store: Store,
}

impl Authenticator for StoreAuthenticator {
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Principal>> {
        Box::pin(async move {
            if parts.headers.contains_key("x-panic-async") {
                panic!("the store exploded");
            }
            let principal = self.tokens.principal(parts)?;
            let Some(user) = principal.user() else {
                return Ok(principal);
            };
            match self.store.load(&user.id).await {
                Some(account) => Ok(principal.with_extension(account)),
                None => Err(Error::unauthenticated("no such user")),
            }
        })
    }

    fn authenticate_now(&self, parts: &Parts) -> Option<Result<Principal>> {
        if parts.headers.contains_key("x-panic-sync") {
            panic!("a bug in the authenticator");
        }
        None
    }
}

/// An async check that reads the record the authenticator attached.
async fn is_active(req: &Request) -> bool {
    tokio::task::yield_now().await;
    req.principal()
        .extension::<Account>()
        .is_some_and(|a| a.active)
}

/// A check that can fail for its own reasons.
async fn within_quota(req: &Request) -> Result<bool> {
    match req.headers().get("x-quota").and_then(|v| v.to_str().ok()) {
        Some("down") => Err(Error::conflict("the quota service is down")),
        Some("over") => Ok(false),
        _ => Ok(req.principal().is_authenticated()),
    }
}

static PANIC_IN_CHECK: AtomicBool = AtomicBool::new(true);

fn panicky(_req: &Request) -> bool {
    if PANIC_IN_CHECK.swap(false, Ordering::SeqCst) {
        panic!("a bug in the check");
    }
    true
}

#[mizan::client(auth = is_active)]
async fn active_only(req: &Request) -> Result<String> {
    let account = req
        .principal()
        .extension::<Account>()
        .ok_or_else(|| Error::internal("no account"))?;
    Ok(account.display_name.clone())
}

#[mizan::client(auth = within_quota)]
fn quota(_req: &Request) -> Result<bool> {
    Ok(true)
}

#[mizan::client(auth = panicky)]
fn guarded(_req: &Request) -> Result<bool> {
    Ok(true)
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct TokenView {
    user: Option<String>,
    pk: Option<String>,
    plan: Option<String>,
}

#[mizan::client]
fn token_view(req: &Request) -> Result<TokenView> {
    let principal = req.principal();
    Ok(TokenView {
        user: principal.user().map(|u| u.id.clone()),
        pk: principal.permission_key().map(str::to_owned),
        plan: principal
            .ext()
            .and_then(|ext| ext.get("plan"))
            .and_then(|v| v.as_str())
            .map(str::to_owned),
    })
}

#[mizan::client(context = "local")]
fn public_page(_req: &Request, slug: String) -> Result<String> {
    Ok(slug)
}

#[mizan::client(auth)]
fn members(_req: &Request) -> Result<bool> {
    Ok(true)
}

fn store() -> Store {
    let account = |name: &str, active| Account {
        display_name: name.to_owned(),
        active,
    };
    Store(HashMap::from([
        ("ada".to_owned(), account("Ada L.", true)),
        ("bo".to_owned(), account("Bo", false)),
    ]))
}

fn app() -> Router {
    let mut registry = Registry::new();
    registry
        .register(active_only, "active_only")
        .unwrap()
        .register(quota, "quota")
        .unwrap()
        .register(guarded, "guarded")
        .unwrap()
        .register(token_view, "token_view")
        .unwrap()
        .register(public_page, "public_page")
        .unwrap()
        .register(members, "members")
        .unwrap();
    let tokens = MwtAuthenticator::new(keyring(), Validation::new(ISSUER, AUDIENCE))
        .with_cookie("mizan_token");
    let mizan = Mizan::new(registry).authenticator(StoreAuthenticator {
        tokens,
        store: store(),
    });
    Router::new().merge(mizan.router("/api/mizan"))
}

fn claims(sub: Option<&str>) -> Claims {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut claims = Claims::new(ISSUER, AUDIENCE, now, now + 600, "pk-of-holder");
    claims.sub = sub.map(str::to_owned);
    claims
}

fn token_for(sub: Option<&str>) -> String {
    keyring().sign(&claims(sub)).unwrap()
}

async fn call(app: &Router, name: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = HttpRequest::post(format!("/api/mizan/call/{name}"))
        .header(header::CONTENT_TYPE, "application/json");
    for (key, value) in headers {
        request = request.header(*key, *value);
    }
    send(app, request.body(Body::from("{}")).unwrap()).await
}

fn bearer(sub: &str) -> String {
    format!("Bearer {}", token_for(Some(sub)))
}

#[tokio::test]
async fn an_async_check_sees_what_an_async_authenticator_loaded() {
    let app = app();
    let reply = call(&app, "active_only", &[("authorization", &bearer("ada"))]).await;
    assert_eq!((reply.status, reply.json()), (200, json!("Ada L.")));
    let reply = call(&app, "active_only", &[("authorization", &bearer("bo"))]).await;
    assert_eq!((reply.status, reply.code()), (403, "forbidden".to_owned()));
    let reply = call(&app, "active_only", &[]).await;
    assert_eq!(
        (reply.status, reply.code()),
        (401, "unauthenticated".to_owned())
    );
    let reply = call(&app, "active_only", &[("authorization", &bearer("eve"))]).await;
    assert_eq!(reply.status, 401, "the authenticator refuses unknown users");
}

#[tokio::test]
async fn a_check_that_fails_answers_with_its_error() {
    let app = app();
    let ada = bearer("ada");
    let reply = call(
        &app,
        "quota",
        &[("authorization", &ada), ("x-quota", "down")],
    )
    .await;
    assert_eq!((reply.status, reply.code()), (409, "conflict".to_owned()));
    let reply = call(
        &app,
        "quota",
        &[("authorization", &ada), ("x-quota", "over")],
    )
    .await;
    assert_eq!(reply.status, 403);
    let reply = call(&app, "quota", &[("authorization", &ada)]).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn panics_in_checks_and_authenticators_are_internal_and_the_server_goes_on() {
    let app = app();
    let reply = call(&app, "guarded", &[]).await;
    assert_eq!((reply.status, reply.code()), (500, "internal".to_owned()));
    assert!(!String::from_utf8_lossy(&reply.body).contains("bug"));
    let reply = call(&app, "guarded", &[]).await;
    assert_eq!(reply.status, 200, "the next request is served");
    for trigger in ["x-panic-sync", "x-panic-async"] {
        let reply = call(&app, "token_view", &[(trigger, "1")]).await;
        assert_eq!((reply.status, reply.code()), (500, "internal".to_owned()));
        assert!(!String::from_utf8_lossy(&reply.body).contains("exploded"));
        let reply = call(&app, "token_view", &[]).await;
        assert_eq!(reply.status, 200);
    }
}

#[tokio::test]
async fn the_principal_carries_the_verified_pk_and_ext() {
    let mut ext = serde_json::Map::new();
    ext.insert("plan".into(), json!("pro"));
    let token = keyring().sign(&claims(Some("ada")).with_ext(ext)).unwrap();
    let reply = call(
        &app(),
        "token_view",
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(
        reply.json(),
        json!({"user": "ada", "pk": "pk-of-holder", "plan": "pro"})
    );
}

#[tokio::test]
async fn a_token_without_sub_is_anonymous_for_checks_but_never_shared_by_caches() {
    let app = app();
    let auth = format!("Bearer {}", token_for(None));
    let reply = call(&app, "members", &[("authorization", &auth)]).await;
    assert_eq!(reply.status, 401);
    let reply = call(&app, "token_view", &[("authorization", &auth)]).await;
    assert_eq!(
        reply.json(),
        json!({"user": null, "pk": "pk-of-holder", "plan": null})
    );
    let url = "/api/mizan/context/public_page?p=%7B%22slug%22%3A%22home%22%7D";
    let with_token = send(
        &app,
        HttpRequest::get(url)
            .header(header::AUTHORIZATION, &auth)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        with_token.header(header::CACHE_CONTROL),
        "private, no-cache"
    );
    let without = send(&app, HttpRequest::get(url).body(Body::empty()).unwrap()).await;
    assert_eq!(
        without.header(header::CACHE_CONTROL),
        "public, max-age=0, stale-while-revalidate=300"
    );
}

#[tokio::test]
async fn bearer_syntax_is_exact() {
    let app = app();
    let token = token_for(Some("ada"));
    for (value, status) in [
        (format!("Bearer {token}"), 200),
        (format!("bearer    {token}"), 200),
        (format!("Bearer\t{token}"), 401),
        (format!("Bearer {token} extra"), 401),
        (format!("Basic {token}"), 401),
        ("Bearer".to_owned(), 401),
    ] {
        let reply = call(&app, "members", &[("authorization", &value)]).await;
        assert_eq!(reply.status, status, "{value:?}");
    }
    let auth = format!("Bearer {token}");
    let reply = call(
        &app,
        "members",
        &[("authorization", &auth), ("authorization", &auth)],
    )
    .await;
    assert_eq!(
        reply.status, 401,
        "repeated Authorization headers are refused"
    );
}

#[tokio::test]
async fn csrf_is_checked_before_the_cookie_token_is_verified() {
    let app = app();
    let cookie = "mizan_token=not-a-token";
    let reply = call(&app, "members", &[("cookie", cookie)]).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["details"]["reason"], "csrf");
    let reply = call(&app, "members", &[("cookie", cookie), (CSRF_HEADER, "1")]).await;
    assert_eq!(
        reply.status, 401,
        "with the header, the bad token is judged"
    );
    let good = format!("mizan_token={}", token_for(Some("ada")));
    let reply = call(&app, "members", &[("cookie", &good), (CSRF_HEADER, "1")]).await;
    assert_eq!(reply.status, 200);
    let reply = call(
        &app,
        "members",
        &[("cookie", cookie), ("authorization", &bearer("ada"))],
    )
    .await;
    assert_eq!(
        reply.status, 200,
        "an Authorization header wins over the cookie"
    );
}
