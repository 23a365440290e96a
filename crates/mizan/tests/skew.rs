//! Version skew (`spec/PROTOCOL.md` §2.7): a client names the schema hash of each function it was
//! built against; a server whose function changed answers `409 stale_client`, and a function that
//! did not change keeps working across the deploy.

mod common;

use axum::Router;
use axum::body::Body;
use common::{Reply, send};
use http::{Request as HttpRequest, header};
use mizan::{Manifest, Mizan, Registry};
use serde_json::json;

/// The application as the client was built against it.
mod old {
    use mizan::{Request, Result};
    use schemars::JsonSchema;
    use serde::Serialize;

    #[derive(Serialize, JsonSchema)]
    pub(crate) struct Profile {
        pub(crate) name: String,
    }

    #[mizan::client]
    pub(crate) async fn echo(_req: &Request, text: String) -> Result<String> {
        Ok(text)
    }

    #[mizan::client]
    pub(crate) async fn rename(_req: &Request, name: String) -> Result<String> {
        Ok(name)
    }

    #[mizan::client(context = "local")]
    pub(crate) fn profile(_req: &Request, id: u32) -> Result<Profile> {
        Ok(Profile {
            name: format!("user {id}"),
        })
    }

    #[mizan::client(auth = "staff")]
    pub(crate) async fn purge(_req: &Request, days: u32) -> Result<u32> {
        Ok(days)
    }
}

/// The next deploy: `echo` is unchanged, the others changed their input or output.
mod new {
    use mizan::{Request, Result};
    use schemars::JsonSchema;
    use serde::Serialize;

    #[derive(Serialize, JsonSchema)]
    pub(crate) struct Profile {
        pub(crate) name: String,
        pub(crate) avatar: Option<String>,
    }

    #[mizan::client]
    pub(crate) async fn echo(_req: &Request, text: String) -> Result<String> {
        Ok(text)
    }

    #[mizan::client]
    pub(crate) async fn rename(_req: &Request, name: String, loud: bool) -> Result<String> {
        Ok(if loud { name.to_uppercase() } else { name })
    }

    #[mizan::client(context = "local")]
    pub(crate) fn profile(_req: &Request, id: u32) -> Result<Profile> {
        Ok(Profile {
            name: format!("user {id}"),
            avatar: None,
        })
    }

    #[mizan::client(auth = "staff")]
    pub(crate) async fn purge(_req: &Request, days: u64) -> Result<u32> {
        Ok(u32::try_from(days).unwrap_or(u32::MAX))
    }
}

fn old_registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(old::echo, "echo")
        .unwrap()
        .register(old::rename, "rename")
        .unwrap()
        .register(old::profile, "profile")
        .unwrap()
        .register(old::purge, "purge")
        .unwrap();
    registry
}

fn new_registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(new::echo, "echo")
        .unwrap()
        .register(new::rename, "rename")
        .unwrap()
        .register(new::profile, "profile")
        .unwrap()
        .register(new::purge, "purge")
        .unwrap();
    registry
}

fn serve(registry: Registry) -> Router {
    Router::new().merge(Mizan::new(registry).router("/api/mizan"))
}

/// What a generated client knows: the hash of each function in the manifest it was built from.
struct BuiltClient(Manifest);

impl BuiltClient {
    fn hash(&self, name: &str) -> &str {
        &self.0.function(name).unwrap().schema_hash
    }

    async fn call(&self, app: &Router, name: &str, params: &str) -> Reply {
        let request = HttpRequest::post(format!("/api/mizan/call/{name}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-Mizan-Schema", self.hash(name))
            .body(Body::from(params.to_owned()))
            .unwrap();
        send(app, request).await
    }

    async fn context(&self, app: &Router, name: &str, query: &str) -> Reply {
        let request = HttpRequest::get(format!("/api/mizan/context/{name}{query}"))
            .header("X-Mizan-Schema", self.hash(name))
            .body(Body::empty())
            .unwrap();
        send(app, request).await
    }
}

const PROFILE_7: &str = "?p=%7B%22id%22%3A7%7D";

#[tokio::test]
async fn a_rolling_deploy_keeps_unchanged_functions_working() {
    let (before, after) = (serve(old_registry()), serve(new_registry()));
    let client = BuiltClient(old_registry().manifest());

    // Against the servers of its own version, everything works.
    assert_eq!(
        client.call(&before, "echo", r#"{"text":"a"}"#).await.status,
        200
    );
    assert_eq!(
        client
            .call(&before, "rename", r#"{"name":"a"}"#)
            .await
            .status,
        200
    );
    assert_eq!(
        client.context(&before, "profile", PROFILE_7).await.status,
        200
    );

    // Against the new servers, the unchanged function still works...
    let reply = client.call(&after, "echo", r#"{"text":"a"}"#).await;
    assert_eq!((reply.status, reply.json()), (200, json!("a")));
    // ...and the changed ones say the page is out of date instead of failing confusingly.
    for reply in [
        client.call(&after, "rename", r#"{"name":"a"}"#).await,
        client.context(&after, "profile", PROFILE_7).await,
    ] {
        assert_eq!(
            (reply.status, reply.code()),
            (409, "stale_client".to_owned())
        );
        assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
        assert!(reply.json()["message"].as_str().unwrap().contains("reload"));
    }
}

#[tokio::test]
async fn hashes_follow_the_schemas_and_nothing_else() {
    let (old, new) = (old_registry().manifest(), new_registry().manifest());
    let hash = |m: &Manifest, name: &str| m.function(name).unwrap().schema_hash.clone();
    assert_eq!(hash(&old, "echo"), hash(&new, "echo"));
    for changed in ["rename", "profile", "purge"] {
        assert_ne!(hash(&old, changed), hash(&new, changed), "{changed}");
    }
    for f in &new.functions {
        assert_eq!(
            f.schema_hash,
            mizan::manifest::schema_hash(&f.input, &f.output),
            "{}",
            f.name
        );
    }
    // The served manifest is the typed one, byte for byte what the typed value reads back as.
    let reply = common::get(&serve(new_registry()), "/api/mizan/manifest").await;
    let served: Manifest = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(served, new);
}

#[tokio::test]
async fn without_a_hash_nothing_is_checked() {
    let after = serve(new_registry());
    let reply = common::post(
        &after,
        "/api/mizan/call/rename",
        r#"{"name":"a","loud":true}"#,
    )
    .await;
    assert_eq!((reply.status, reply.json()), (200, json!("A")));
    let reply = common::get(&after, &format!("/api/mizan/context/profile{PROFILE_7}")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header(header::VARY),
        "Authorization, Cookie, X-Mizan-Schema"
    );
}

#[tokio::test]
async fn the_hash_is_checked_after_the_method_and_before_auth_and_params() {
    let after = serve(new_registry());
    let client = BuiltClient(old_registry().manifest());
    // Before: an unknown function and the wrong method.
    let request = HttpRequest::post("/api/mizan/call/nope")
        .header("X-Mizan-Schema", client.hash("echo"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&after, request).await.status, 404);
    let reply = client.call(&after, "profile", "{}").await;
    assert_eq!(reply.status, 405);
    let request = HttpRequest::get("/api/mizan/call/rename")
        .header("X-Mizan-Schema", client.hash("rename"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&after, request).await.status, 405);
    // After: the content type, authentication, the auth requirement and the params.
    let request = HttpRequest::post("/api/mizan/call/rename")
        .header(header::CONTENT_TYPE, "text/plain")
        .header("X-Mizan-Schema", client.hash("rename"))
        .body(Body::from("x"))
        .unwrap();
    assert_eq!(send(&after, request).await.status, 409);
    let reply = client.call(&after, "purge", r#"{"days":"many"}"#).await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "stale_client".to_owned())
    );
    let reply = client.call(&after, "rename", "[1]").await;
    assert_eq!(reply.status, 409);
    let reply = client
        .context(&after, "profile", "?p=%7B%22id%22%3A7.5%7D")
        .await;
    assert_eq!(reply.status, 409);
    let reply = client.context(&after, "profile", "?rev=0").await;
    assert_eq!(reply.status, 409);
    // With the current hash, the same requests fail on what follows.
    let current = BuiltClient(new_registry().manifest());
    let reply = current.call(&after, "purge", r#"{"days":"many"}"#).await;
    assert_eq!(reply.status, 401);
    let reply = current.call(&after, "rename", r#"{"name":"a"}"#).await;
    assert_eq!(reply.status, 422);
    let reply = current.context(&after, "profile", "?rev=0").await;
    assert_eq!(reply.status, 400);
    let reply = current.context(&after, "profile", PROFILE_7).await;
    assert_eq!(reply.status, 200);
    // Anything but the exact hash is stale: case, padding, an empty value.
    for sent in ["", "x", &current.hash("echo").to_ascii_lowercase()] {
        let request = HttpRequest::post("/api/mizan/call/echo")
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-Mizan-Schema", sent)
            .body(Body::from(r#"{"text":"a"}"#))
            .unwrap();
        assert_eq!(send(&after, request).await.status, 409, "{sent:?}");
    }
}

#[tokio::test]
async fn batch_items_carry_their_own_hash() {
    let after = serve(new_registry());
    let client = BuiltClient(old_registry().manifest());
    let body = json!({"calls": [
        {"fn": "echo", "params": {"text": "a"}, "schema": client.hash("echo")},
        {"fn": "rename", "params": {"name": "a"}, "schema": client.hash("rename")},
        {"fn": "purge", "params": 5, "schema": client.hash("purge")},
        {"fn": "rename", "params": {"name": "a", "loud": false}},
        {"fn": "echo", "params": {"text": "a"}, "schema": 7},
        {"fn": "profile", "params": {"id": 1}, "schema": client.hash("profile")},
    ]});
    let reply = common::post(&after, "/api/mizan/batch", &body.to_string()).await;
    assert_eq!(reply.status, 200);
    let results = reply.json()["results"].clone();
    assert_eq!(results[0], json!({"ok": true, "data": "a"}));
    for stale in [1, 2] {
        assert_eq!(results[stale]["error"]["code"], "stale_client", "{stale}");
        assert_eq!(results[stale]["error"]["status"], 409);
    }
    assert_eq!(results[3], json!({"ok": true, "data": "a"}));
    assert_eq!(results[4]["error"]["code"], "validation_failed");
    assert_eq!(results[5]["error"]["code"], "method_not_allowed");
}
