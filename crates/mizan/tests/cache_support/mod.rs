//! Cached contexts and invalidating calls for the cache tests, and the requests they need.
//!
//! Policies are attached by [`Cached`], a wrapper that adds `cache` and `invalidates` to a
//! function's options, the way `#[mizan::client(cache(...), invalidates = [...])]` declares them.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use http::{HeaderName, Request as HttpRequest, header};
use mizan::__private::{Encoding, Params, ServerFunction};
use mizan::cache::Cache;
use mizan::core::mwt::{Claims, Validation};
use mizan::core::{PermissionKeyDeriver, PermissionScope};
use mizan::{
    BoxFuture, CacheOptions, CacheScope, Error, FunctionOptions, Mizan, MwtAuthenticator, Registry,
    Request, Result,
};
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value};

use crate::common::{AUDIENCE, ISSUER, Reply, keyring, secret, send};

/// Runs of each function, by name.
#[derive(Default)]
pub struct Runs(pub std::sync::Mutex<std::collections::HashMap<String, u64>>);

impl Runs {
    pub fn count(&self, name: &str) -> u64 {
        self.0.lock().unwrap().get(name).copied().unwrap_or(0)
    }

    fn add(&self, name: &str) {
        *self.0.lock().unwrap().entry(name.to_owned()).or_default() += 1;
    }
}

/// The version of the data behind `post`: edits bump it, so a stale answer shows.
pub struct Version(pub AtomicU64);

fn counted(req: &Request, name: &str) -> Result<()> {
    req.state::<Arc<Runs>>()?.add(name);
    Ok(())
}

fn version(req: &Request) -> Result<u64> {
    Ok(req.state::<Arc<Version>>()?.0.load(Ordering::SeqCst))
}

#[mizan::client(context = "local")]
pub async fn post(req: &Request, id: u32) -> Result<String> {
    counted(req, "post")?;
    Ok(format!("post {id} v{}", version(req)?))
}

#[mizan::client(context = "local")]
pub async fn slow_post(req: &Request, id: u32) -> Result<String> {
    counted(req, "slow_post")?;
    let v = version(req)?;
    tokio::time::sleep(Duration::from_millis(150)).await;
    Ok(format!("slow post {id} v{v}"))
}

/// What a caller of the given level sees.
#[mizan::client(context = "global")]
pub async fn board(req: &Request) -> Result<String> {
    counted(req, "board")?;
    let p = req.principal();
    Ok(if p.is_superuser() {
        "board for superusers".into()
    } else if p.is_staff() {
        "board for staff".into()
    } else if p.is_authenticated() {
        "board for users".into()
    } else {
        "board for everyone".into()
    })
}

#[mizan::client(context = "global")]
pub async fn inbox(req: &Request) -> Result<String> {
    counted(req, "inbox")?;
    Ok(format!(
        "inbox of {}",
        req.user().map_or("nobody", |u| u.id.as_str())
    ))
}

#[mizan::client(context = "global", auth = "staff")]
pub async fn staff_stats(req: &Request) -> Result<u64> {
    counted(req, "staff_stats")?;
    Ok(7)
}

#[mizan::client(context = "local")]
pub async fn peek(req: &Request, id: u32) -> Result<String> {
    counted(req, "peek")?;
    let agent = req.headers().get(header::USER_AGENT).is_some();
    Ok(format!("{id} {agent}"))
}

#[mizan::client(context = "local")]
pub async fn greet_cookie(req: &Request, id: u32) -> Result<u32> {
    counted(req, "greet_cookie")?;
    req.set_cookie(mizan::cookie::Cookie::new("seen", "1"))?;
    Ok(id)
}

#[mizan::client(context = "local")]
pub async fn flaky(req: &Request, id: u32) -> Result<u32> {
    counted(req, "flaky")?;
    if id == 0 {
        return Err(Error::conflict("no post zero"));
    }
    Ok(id)
}

#[mizan::client]
pub async fn edit_post(req: &Request, id: u32) -> Result<u32> {
    req.state::<Arc<Version>>()?
        .0
        .fetch_add(1, Ordering::SeqCst);
    Ok(id)
}

#[mizan::client]
pub async fn touch(req: &Request, tag: String, fail: bool) -> Result<()> {
    req.invalidate_tag(tag)?;
    if fail {
        return Err(Error::conflict("refused after naming a tag"));
    }
    Ok(())
}

#[mizan::client]
pub async fn touch_then_panic(req: &Request, tag: String) -> Result<()> {
    req.invalidate_tag(tag)?;
    panic!("after naming a tag");
}

/// A function with a cache policy or invalidations added to its options.
pub struct Cached<F> {
    pub inner: F,
    pub cache: Option<CacheOptions>,
    pub invalidates: &'static [&'static str],
}

impl<F: ServerFunction> ServerFunction for Cached<F> {
    fn options(&self) -> FunctionOptions {
        FunctionOptions {
            cache: self.cache,
            invalidates: self.invalidates,
            ..self.inner.options()
        }
    }
    fn input_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        self.inner.input_schema(generator)
    }
    fn output_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        self.inner.output_schema(generator)
    }
    fn call<'a>(
        &'a self,
        request: &'a Request,
        params: Params,
        encoding: Encoding,
    ) -> BoxFuture<'a, Result<Vec<u8>>> {
        self.inner.call(request, params, encoding)
    }
}

pub fn policy(scope: CacheScope, tags: &'static [&'static str]) -> Option<CacheOptions> {
    Some(CacheOptions {
        scope,
        max_age: 60,
        swr: 300,
        tags,
    })
}

fn cached<F: ServerFunction>(
    inner: F,
    scope: CacheScope,
    tags: &'static [&'static str],
) -> Cached<F> {
    Cached {
        inner,
        cache: policy(scope, tags),
        invalidates: &[],
    }
}

pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(
            cached(post, CacheScope::Public, &["posts", "post:{id}"]),
            "post",
        )
        .unwrap()
        .register(
            cached(slow_post, CacheScope::Public, &["post:{id}"]),
            "slow_post",
        )
        .unwrap()
        .register(cached(board, CacheScope::Permission, &["board"]), "board")
        .unwrap()
        .register(cached(inbox, CacheScope::User, &["inbox"]), "inbox")
        .unwrap()
        .register(cached(staff_stats, CacheScope::Public, &[]), "staff_stats")
        .unwrap()
        .register(cached(peek, CacheScope::Public, &[]), "peek")
        .unwrap()
        .register(
            cached(greet_cookie, CacheScope::Public, &[]),
            "greet_cookie",
        )
        .unwrap()
        .register(cached(flaky, CacheScope::Public, &[]), "flaky")
        .unwrap()
        .register(
            Cached {
                inner: edit_post,
                cache: None,
                invalidates: &["post:{id}"],
            },
            "edit_post",
        )
        .unwrap()
        .register(touch, "touch")
        .unwrap()
        .register(touch_then_panic, "touch_then_panic")
        .unwrap();
    registry
}

/// A server with its cache, and what its functions count.
pub struct Server {
    pub app: Router,
    pub cache: Cache,
    pub runs: Arc<Runs>,
    pub version: Arc<Version>,
}

pub fn cache() -> Cache {
    Cache::builder(&secret()).build()
}

pub fn server() -> Server {
    server_with(cache())
}

pub fn server_with(cache: Cache) -> Server {
    let runs = Arc::new(Runs::default());
    let version = Arc::new(Version(AtomicU64::new(0)));
    let mizan = Mizan::new(registry())
        .authenticator(MwtAuthenticator::new(
            keyring(),
            Validation::new(ISSUER, AUDIENCE),
        ))
        .state(Arc::clone(&runs))
        .state(Arc::clone(&version))
        .cache(cache.clone());
    Server {
        app: Router::new().merge(mizan.router("/api/mizan")),
        cache,
        runs,
        version,
    }
}

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: Option<String>,
    pub staff: bool,
    pub superuser: bool,
}

impl Caller {
    pub fn anonymous() -> Self {
        Self {
            id: None,
            staff: false,
            superuser: false,
        }
    }

    pub fn user(id: &str) -> Self {
        Self {
            id: Some(id.to_owned()),
            staff: false,
            superuser: false,
        }
    }

    pub fn staff(id: &str) -> Self {
        Self {
            staff: true,
            ..Self::user(id)
        }
    }

    /// The permission key a token issuer gives this caller: its level's (§1.4).
    pub fn pk(&self) -> String {
        let deriver = PermissionKeyDeriver::new(&secret());
        let scope = match (&self.id, self.staff, self.superuser) {
            (None, ..) => PermissionScope::Anonymous,
            (Some(_), _, true) => PermissionScope::Superuser,
            (Some(_), true, false) => PermissionScope::Staff,
            (Some(_), false, false) => PermissionScope::Authenticated,
        };
        deriver.permission_key(scope).unwrap()
    }

    pub fn token(&self) -> Option<String> {
        let id = self.id.as_ref()?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = Claims::new(ISSUER, AUDIENCE, now, now + 600, self.pk())
            .with_subject(id.clone())
            .with_roles(self.staff, self.superuser);
        Some(keyring().sign(&claims).unwrap())
    }
}

pub fn url(name: &str, params: Value, rev: u64) -> String {
    let params: Map<String, Value> = params.as_object().unwrap().clone();
    let query = mizan::encode_query(&params, rev).unwrap();
    if query.is_empty() {
        format!("/api/mizan/context/{name}")
    } else {
        format!("/api/mizan/context/{name}?{query}")
    }
}

pub async fn read(app: &Router, caller: &Caller, url: &str) -> Reply {
    read_with(app, caller, url, &[]).await
}

pub async fn read_with(
    app: &Router,
    caller: &Caller,
    url: &str,
    headers: &[(HeaderName, &str)],
) -> Reply {
    let mut request = HttpRequest::get(url);
    if let Some(token) = caller.token() {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

pub async fn call(app: &Router, name: &str, params: Value) -> Reply {
    crate::common::post(app, &format!("/api/mizan/call/{name}"), &params.to_string()).await
}

pub fn status(reply: &Reply) -> &str {
    reply.header(HeaderName::from_static("x-mizan-cache-status"))
}

pub fn rev(reply: &Reply) -> u64 {
    reply
        .header(HeaderName::from_static("x-mizan-rev"))
        .parse()
        .unwrap_or(0)
}

pub fn body(reply: &Reply) -> Value {
    reply.json()
}
