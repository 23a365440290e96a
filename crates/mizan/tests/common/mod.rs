//! An application used by the protocol tests: every kind of function, over real HTTP.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use http::{Request as HttpRequest, Response, header};
use http_body_util::BodyExt;
use mizan::core::RootSecret;
use mizan::core::mwt::{Claims, Keyring, Validation};
use mizan::{Error, Mizan, MwtAuthenticator, Registry, Request, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

pub const ISSUER: &str = "mizan-test";
pub const AUDIENCE: &str = "mizan-test-app";

#[derive(Serialize, JsonSchema)]
pub struct Output {
    pub message: String,
}

pub struct Counter(pub AtomicU64);

#[mizan::client]
pub async fn echo(_req: &Request, text: String) -> Result<Output> {
    Ok(Output { message: text })
}

#[mizan::client]
pub fn add(_req: &Request, a: i64, b: i64, scale: Option<f64>) -> Result<f64> {
    Ok((a + b) as f64 * scale.unwrap_or(1.0))
}

#[derive(Deserialize, JsonSchema, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub street: String,
    pub zip: String,
}

#[mizan::client]
pub async fn ship(
    _req: &Request,
    address: Address,
    quantity: u32,
    tags: Vec<String>,
) -> Result<Address> {
    if quantity == 0 || tags.len() > 10 {
        return Err(Error::bad_request("nothing to ship"));
    }
    Ok(address)
}

#[mizan::client(context = "local")]
pub fn greet(req: &Request, name: String) -> Result<String> {
    let counter = req.state::<Counter>()?;
    counter.0.fetch_add(1, Ordering::SeqCst);
    Ok(format!("Hello, {name}!"))
}

#[derive(Serialize, JsonSchema)]
pub struct CurrentUser {
    pub id: Option<String>,
    pub staff: bool,
}

#[mizan::client(context = "global")]
pub async fn current_user(req: &Request) -> Result<CurrentUser> {
    Ok(CurrentUser {
        id: req.user().map(|u| u.id.clone()),
        staff: req.principal().is_staff(),
    })
}

#[mizan::client(auth = "staff")]
pub async fn admin_stats(_req: &Request) -> Result<u64> {
    Ok(42)
}

#[mizan::client(auth)]
pub async fn whoami(req: &Request) -> Result<String> {
    Ok(req.user().map(|u| u.id.clone()).unwrap_or_default())
}

pub fn is_ada(req: &Request) -> bool {
    req.user().is_some_and(|u| u.id == "ada")
}

#[mizan::client(auth = is_ada)]
pub async fn ada_only(_req: &Request) -> Result<bool> {
    Ok(true)
}

#[mizan::client(auth = "superuser")]
pub fn root_only(_req: &Request) -> Result<bool> {
    Ok(true)
}

#[mizan::client]
pub async fn fails(_req: &Request, code: String) -> Result<()> {
    match code.as_str() {
        "conflict" => Err(Error::conflict("already exists")),
        "internal" => Err(Error::internal("secret database detail")),
        _ => panic!("boom"),
    }
}

#[mizan::client]
pub async fn next_id(_req: &Request, id: u64, step: Option<i64>) -> Result<u64> {
    let step = u64::try_from(step.unwrap_or(1))
        .map_err(|_| Error::bad_request("step must be positive"))?;
    id.checked_add(step)
        .ok_or_else(|| Error::bad_request("overflow"))
}

#[mizan::client]
pub async fn missing_state(req: &Request) -> Result<String> {
    Ok(req.state::<String>()?.clone())
}

pub fn secret() -> RootSecret {
    RootSecret::new([11u8; 32]).unwrap()
}

pub fn keyring() -> Keyring {
    Keyring::single("k1", secret()).unwrap()
}

pub fn token(sub: Option<&str>, staff: bool, superuser: bool) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut claims =
        Claims::new(ISSUER, AUDIENCE, now, now + 600, "pk").with_roles(staff, superuser);
    claims.sub = sub.map(str::to_owned);
    keyring().sign(&claims).unwrap()
}

pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(echo, "echo")
        .unwrap()
        .register(add, "math.add")
        .unwrap()
        .register(ship, "ship")
        .unwrap()
        .register(greet, "greet")
        .unwrap()
        .register(current_user, "current_user")
        .unwrap()
        .register(admin_stats, "admin_stats")
        .unwrap()
        .register(whoami, "whoami")
        .unwrap()
        .register(ada_only, "ada_only")
        .unwrap()
        .register(root_only, "root_only")
        .unwrap()
        .register(fails, "fails")
        .unwrap()
        .register(next_id, "next_id")
        .unwrap()
        .register(missing_state, "missing_state")
        .unwrap();
    registry
}

pub fn app() -> Router {
    app_with(Mizan::new(registry()))
}

pub fn app_with(mizan: Mizan) -> Router {
    let mizan = mizan
        .authenticator(MwtAuthenticator::new(
            keyring(),
            Validation::new(ISSUER, AUDIENCE),
        ))
        .state(Counter(AtomicU64::new(0)));
    Router::new().merge(mizan.router("/api/mizan"))
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_owned()
    }
}

pub async fn send(app: &Router, request: HttpRequest<Body>) -> Reply {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn post(app: &Router, path: &str, body: &str) -> Reply {
    post_with(app, path, body, None).await
}

pub async fn post_with(app: &Router, path: &str, body: &str, token: Option<&str>) -> Reply {
    let mut request = HttpRequest::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    send(app, request.body(Body::from(body.to_owned())).unwrap()).await
}

pub async fn get(app: &Router, path: &str) -> Reply {
    send(app, HttpRequest::get(path).body(Body::empty()).unwrap()).await
}
