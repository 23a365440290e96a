//! The servers of the load benchmark: `bare` (axum handlers as a user writes them by hand),
//! `same` (axum handlers doing the work Mizan's protocol requires) and `mizan` (the demo app).
//!
//! - `bare`: `Json` in and out for echo and the batch, a `GET` with a `?name=` query returning
//!   JSON with the same `Cache-Control` for greet, no token check;
//! - `same`: at Mizan's paths, the strict JSON parse, the check against the published input
//!   schema, the canonical query and body, the SHA-256 ETag and `304`, MWT verification, and the
//!   same response headers;
//! - `mizan`: the demo app, exactly what `cargo run -p mizan-demo` serves (without `--dev`: its
//!   memory context cache included, see [`demo`]), served by `mizan::serve` with its default
//!   options as the demo's `main` does. Its
//!   accounts live in a SQLite file in a temporary folder, so a bearer token is also checked
//!   against that store (spec §2.14.3): a read the baselines do not make.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonschema::Validator;
use mizan_core::canonical::{self, ParseOptions};
use mizan_core::mwt::{Keyring, Validation};
use mizan_core::{RootSecret, base64url};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The root secret every server of the benchmark uses (hex), so one minted token verifies on all.
pub const SECRET_HEX: &str = "6d697a616e2062656e63686d61726b207365637265743a206e6f742072656164";

/// [`SECRET_HEX`] as a root secret.
pub fn secret() -> RootSecret {
    let bytes = mizan_core::hex::decode(SECRET_HEX).unwrap_or_default();
    RootSecret::new(bytes).unwrap_or_else(|e| unreachable!("the benchmark secret is valid: {e}"))
}

/// One server kind's router, keyed with [`secret`], and what it needs while it serves.
pub struct Served {
    /// The router.
    pub router: Router,
    /// The temporary folder of the Mizan server's database, removed when this is dropped.
    _database: Option<tempfile::TempDir>,
}

/// The router of one server kind, keyed with [`secret`].
pub async fn router(
    server: crate::workloads::Server,
) -> Result<Served, Box<dyn std::error::Error>> {
    use crate::workloads::Server;
    let (router, database) = match server {
        Server::Bare => (bare(), None),
        Server::Same => (same(secret())?, None),
        Server::Mizan => return demo(true).await,
    };
    Ok(Served {
        router,
        _database: database,
    })
}

/// The demo app as `cargo run -p mizan-demo` serves it: with a memory context cache (its
/// `main` always builds one, so `greet` is answered from the cache after its first read), or
/// without one (`cached == false`: every context read runs its function), its accounts in a
/// SQLite file in a temporary folder.
pub async fn demo(cached: bool) -> Result<Served, Box<dyn std::error::Error>> {
    let folder = tempfile::tempdir()?;
    let url = format!("sqlite://{}/demo.sqlite3", folder.path().display());
    let keys = mizan_demo::Keys::new(secret());
    let accounts = mizan_demo::open_accounts(&keys, &url).await?;
    let cache = cached.then(|| mizan::cache::Cache::builder(&secret()).build());
    let router = mizan_demo::app_with_channels(
        &accounts,
        &mizan_demo::Config::default(),
        mizan::channels::Channels::in_process(),
        cache,
    )?;
    Ok(Served {
        router,
        _database: Some(folder),
    })
}

// ---------------------------------------------------------------------------------------------
// bare: what a user writes without Mizan.

#[derive(Deserialize)]
struct EchoIn {
    text: String,
}

#[derive(Serialize)]
struct EchoOut {
    message: String,
    count: u64,
}

#[derive(Deserialize)]
struct GreetIn {
    name: String,
}

#[derive(Serialize)]
struct GreetOut {
    text: String,
}

#[derive(Deserialize)]
struct BatchIn {
    calls: Vec<CallIn>,
}

#[derive(Deserialize)]
struct CallIn {
    params: EchoIn,
}

#[derive(Serialize)]
struct BatchOut {
    results: Vec<ItemOut>,
}

#[derive(Serialize)]
struct ItemOut {
    ok: bool,
    data: EchoOut,
}

type Counter = State<Arc<AtomicU64>>;

/// Axum handlers as a user writes them without Mizan.
pub fn bare() -> Router {
    async fn echo(State(count): Counter, axum::Json(input): axum::Json<EchoIn>) -> Response {
        let out = EchoOut {
            message: input.text,
            count: count.fetch_add(1, Ordering::Relaxed) + 1,
        };
        ([(header::CACHE_CONTROL, "no-store")], axum::Json(out)).into_response()
    }
    async fn greet(Query(q): Query<GreetIn>) -> Response {
        let out = GreetOut {
            text: format!("Hello, {}!", q.name.trim()),
        };
        (
            [(
                header::CACHE_CONTROL,
                "public, max-age=0, stale-while-revalidate=300",
            )],
            axum::Json(out),
        )
            .into_response()
    }
    async fn batch(State(count): Counter, axum::Json(input): axum::Json<BatchIn>) -> Response {
        let results = input
            .calls
            .into_iter()
            .map(|call| ItemOut {
                ok: true,
                data: EchoOut {
                    message: call.params.text,
                    count: count.fetch_add(1, Ordering::Relaxed) + 1,
                },
            })
            .collect();
        (
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(BatchOut { results }),
        )
            .into_response()
    }
    Router::new()
        .route("/echo", post(echo))
        .route("/greet", get(greet))
        .route("/batch", post(batch))
        .with_state(Arc::new(AtomicU64::new(0)))
}

// ---------------------------------------------------------------------------------------------
// same: the work Mizan's protocol requires, written by hand for these functions.

struct Same {
    count: AtomicU64,
    echo_schema: Validator,
    greet_schema: Validator,
    keyring: Keyring,
    validation: Validation,
}

const NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");

/// Axum handlers doing the work Mizan's protocol requires for the demo's functions.
pub fn same(secret: RootSecret) -> Result<Router, Box<dyn std::error::Error>> {
    // The schemas the demo publishes, compiled as Mizan compiles them (§2.2.1).
    let manifest = mizan_demo::functions::registry()?.manifest();
    let compile = |name: &str| -> Result<Validator, Box<dyn std::error::Error>> {
        let entry = manifest.function(name).ok_or("the demo has {name}")?;
        Ok(jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_pattern_options(jsonschema::PatternOptions::regex())
            .should_validate_formats(false)
            .build(&entry.input)?)
    };
    let state = Arc::new(Same {
        count: AtomicU64::new(0),
        echo_schema: compile("echo")?,
        greet_schema: compile("greet")?,
        keyring: Keyring::single("demo", secret)?,
        validation: Validation::new(mizan_demo::ISSUER, mizan_demo::AUDIENCE),
    });
    Ok(Router::new()
        .route("/api/mizan/call/echo", post(same_echo))
        .route("/api/mizan/context/greet", get(same_greet))
        .route("/api/mizan/batch", post(same_batch))
        .with_state(state))
}

fn json_headers(cache_control: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(4);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(NOSNIFF, HeaderValue::from_static("nosniff"));
    headers
}

/// The bearer token, verified, when there is one; `Err` for a bad one.
fn verify_bearer(state: &Same, headers: &HeaderMap) -> Result<(), StatusCode> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(());
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(StatusCode::UNAUTHORIZED)?;
    state
        .keyring
        .verify(token, &state.validation)
        .map(drop)
        .map_err(|_| StatusCode::UNAUTHORIZED)
}

/// Strict parse, schema check and decode of echo's params; its output as JSON.
fn run_echo(state: &Same, params: Value, out: &mut Vec<u8>) -> Result<(), StatusCode> {
    if !state.echo_schema.is_valid(&params) {
        return Err(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let Value::Object(mut params) = params else {
        return Err(StatusCode::UNPROCESSABLE_ENTITY);
    };
    let text: String = params
        .remove("text")
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or(StatusCode::UNPROCESSABLE_ENTITY)?;
    let count = state.count.fetch_add(1, Ordering::Relaxed) + 1;
    // 64-bit integers travel as strings (§2.9).
    #[derive(Serialize)]
    struct Out {
        message: String,
        count: String,
    }
    serde_json::to_writer(
        out,
        &Out {
            message: text,
            count: count.to_string(),
        },
    )
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, StatusCode> {
    if headers.get(header::CONTENT_TYPE).map(HeaderValue::as_bytes) != Some(b"application/json") {
        return Err(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let options = ParseOptions {
        max_depth: 32,
        allow_floats: true,
    };
    canonical::parse_with(body, options).map_err(|_| StatusCode::BAD_REQUEST)
}

async fn same_echo(State(state): State<Arc<Same>>, headers: HeaderMap, body: Bytes) -> Response {
    let result = (|| {
        verify_bearer(&state, &headers)?;
        let params = parse_body(&headers, &body)?;
        let mut out = Vec::with_capacity(128);
        run_echo(&state, params, &mut out)?;
        Ok::<_, StatusCode>((json_headers("no-store"), out).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn same_batch(State(state): State<Arc<Same>>, headers: HeaderMap, body: Bytes) -> Response {
    let result = (|| {
        verify_bearer(&state, &headers)?;
        let Value::Object(mut envelope) = parse_body(&headers, &body)? else {
            return Err(StatusCode::UNPROCESSABLE_ENTITY);
        };
        let Some(Value::Array(calls)) = envelope.remove("calls") else {
            return Err(StatusCode::UNPROCESSABLE_ENTITY);
        };
        let mut out = Vec::with_capacity(64 * calls.len() + 16);
        out.extend_from_slice(b"{\"results\":[");
        for (i, call) in calls.into_iter().enumerate() {
            let Value::Object(mut call) = call else {
                return Err(StatusCode::UNPROCESSABLE_ENTITY);
            };
            if call.remove("fn").as_ref().and_then(Value::as_str) != Some("echo") {
                return Err(StatusCode::NOT_FOUND);
            }
            let params = call
                .remove("params")
                .unwrap_or_else(|| Value::Object(Map::new()));
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"ok\":true,\"data\":");
            run_echo(&state, params, &mut out)?;
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
        Ok::<_, StatusCode>((json_headers("no-store"), out).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn same_greet(
    State(state): State<Arc<Same>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let result = (|| {
        if method != Method::GET {
            return Err(StatusCode::METHOD_NOT_ALLOWED);
        }
        verify_bearer(&state, &headers)?;
        // The canonical query (§2.3), decoded and checked.
        let (params, _rev) = mizan_core::context_query::decode_query(uri.query())
            .map_err(|_| StatusCode::BAD_REQUEST)?;
        let params = Value::Object(params);
        if !state.greet_schema.is_valid(&params) {
            return Err(StatusCode::UNPROCESSABLE_ENTITY);
        }
        let Value::Object(mut params) = params else {
            return Err(StatusCode::UNPROCESSABLE_ENTITY);
        };
        let name: String = params
            .remove("name")
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or(StatusCode::UNPROCESSABLE_ENTITY)?;
        let output = GreetOut {
            text: format!("Hello, {}!", name.trim()),
        };
        // The canonical body and its strong ETag.
        let value = serde_json::to_value(&output).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        let body = canonical::to_vec(&value).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        let mut etag = String::with_capacity(45);
        etag.push('"');
        base64url::encode_into(&Sha256::digest(&body), &mut etag);
        etag.push('"');
        let etag = HeaderValue::try_from(etag).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        let mut response_headers = json_headers("public, max-age=0, stale-while-revalidate=300");
        response_headers.insert(
            header::VARY,
            HeaderValue::from_static("Authorization, Cookie, X-Mizan-Schema"),
        );
        let matches = headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .any(|tag| {
                tag == "*" || tag.strip_prefix("W/").unwrap_or(tag).as_bytes() == etag.as_bytes()
            });
        response_headers.insert(header::ETAG, etag);
        if matches {
            response_headers.remove(header::CONTENT_TYPE);
            return Ok((StatusCode::NOT_MODIFIED, response_headers).into_response());
        }
        Ok::<_, StatusCode>((response_headers, body).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}
