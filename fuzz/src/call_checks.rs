//! The invariants of the call body path (bytes → params, `spec/PROTOCOL.md` §2.2, §2.4, §2.6),
//! checked through the real axum router.
//!
//! Compiled twice, like `core_checks.rs`: in the `mizan-fuzz` crate for the `call_body` target
//! and, by `#[path]`, in `crates/mizan/tests/fuzz_regressions.rs`, which replays the committed
//! cases of `fuzz/regressions/call_body/` on stable.

use axum::Router;
use axum::body::Body;
use http::{Request, header};
use http_body_util::BodyExt;
use mizan::core::ProtocolErrorCode;
use mizan::{Mizan, Registry};
use serde_json::Value;
use tower::ServiceExt;

/// The endpoints a fuzz input can reach, under `/api/mizan/`: every function of the parity
/// registry (`crates/mizan/tests/parity/functions.rs`), the batch endpoint, and a function that
/// does not exist.
pub const ENDPOINTS: [&str; 8] = [
    "call/strings",
    "call/numbers",
    "call/shapes",
    "call/lists",
    "call/nothing",
    "call/none",
    "batch",
    "call/missing",
];

/// The `Content-Type` a fuzz input is sent with (`None`: no header).
pub const CONTENT_TYPES: [Option<&str>; 4] = [
    Some("application/json"),
    None,
    Some("Application/JSON; charset=\"UTF-8\""),
    Some("text/plain"),
];

/// The members an error body may have (§2.6).
const ERROR_MEMBERS: [&str; 5] = ["code", "message", "status", "fields", "details"];

/// A router serving a registry at `/api/mizan`, and a current-thread runtime to drive it.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    app: Router,
}

impl Harness {
    /// Serves `registry` with default limits and anonymous authentication.
    pub fn new(registry: Registry) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime");
        let app = Router::new().merge(Mizan::new(registry).router("/api/mizan"));
        Self { runtime, app }
    }

    /// Sends `data` as a request: the first byte picks the endpoint (low three bits, an index
    /// into [`ENDPOINTS`]) and the `Content-Type` (next two bits, into [`CONTENT_TYPES`]); the
    /// rest is the body of a `POST`. Checks the answer and returns its status.
    ///
    /// Every answer is below 500 with `Content-Type: application/json`; a `200` carries JSON;
    /// anything else is the error shape of §2.6: an object of `code`, `message` and `status` (and
    /// maybe `fields`, `details`) whose `code` is in the table with this very status, sent with
    /// `Cache-Control: no-store`.
    pub fn check(&self, data: &[u8]) -> u16 {
        let (selector, body) = data.split_first().map_or((0, data), |(&s, b)| (s, b));
        let endpoint = ENDPOINTS[usize::from(selector & 7)];
        let content_type = CONTENT_TYPES[usize::from((selector >> 3) & 3)];
        let mut request = Request::post(format!("/api/mizan/{endpoint}"));
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let request = request
            .body(Body::from(body.to_vec()))
            .expect("a valid request");
        let app = self.app.clone();
        let (parts, bytes) = self.runtime.block_on(async move {
            let response = app
                .oneshot(request)
                .await
                .expect("the router is infallible");
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.expect("a buffered body").to_bytes();
            (parts, bytes)
        });
        let status = parts.status.as_u16();
        let shown = String::from_utf8_lossy(&bytes);
        assert!(status < 500, "{endpoint}: {status} {shown}");
        let content_type = parts.headers.get(header::CONTENT_TYPE);
        assert_eq!(
            content_type.and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{endpoint}: {status} without JSON content type"
        );
        let json: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{endpoint}: {status} body is not JSON ({e}): {shown}"));
        if parts.status.is_success() {
            assert_eq!(status, 200, "{endpoint}: {shown}");
            if endpoint == "batch" {
                // Each item is `{"ok":true,"data":…}` or `{"ok":false,"error":<§2.6 error>}`.
                let results = json["results"].as_array().expect("a batch answers results");
                for result in results {
                    match result["ok"].as_bool() {
                        Some(true) => assert!(result.get("data").is_some(), "{shown}"),
                        Some(false) => {
                            let error = &result["error"];
                            let status = error["status"].as_u64().expect("an item status");
                            let status = u16::try_from(status).expect("an HTTP status");
                            assert!(status < 500, "batch item {status}: {shown}");
                            check_error(error, status, endpoint);
                        }
                        None => panic!("batch item without ok: {shown}"),
                    }
                }
            }
            return status;
        }
        assert_eq!(
            parts
                .headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{endpoint}: {status} error without Cache-Control: no-store"
        );
        check_error(&json, status, endpoint);
        status
    }
}

/// Checks that `json` is the error body of §2.6 for `status`.
fn check_error(json: &Value, status: u16, endpoint: &str) {
    let error = json
        .as_object()
        .unwrap_or_else(|| panic!("{endpoint}: error body is not an object: {json}"));
    let code = error["code"]
        .as_str()
        .and_then(ProtocolErrorCode::from_wire)
        .unwrap_or_else(|| panic!("{endpoint}: unknown error code: {json}"));
    assert_eq!(code.status(), status, "{endpoint}: {json}");
    assert_eq!(error["status"], status, "{endpoint}: {json}");
    assert!(error["message"].is_string(), "{endpoint}: {json}");
    assert!(
        error.keys().all(|k| ERROR_MEMBERS.contains(&k.as_str())),
        "{endpoint}: unexpected member: {json}"
    );
    if let Some(fields) = error.get("fields") {
        let fields = fields.as_array().expect("fields is an array");
        assert!(!fields.is_empty() && fields.len() <= 100, "{json}");
        for field in fields {
            assert!(field["path"].is_array() && field["message"].is_string());
        }
    }
}
