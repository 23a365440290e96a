//! `spec/vectors/errors.json`: every protocol error code with its HTTP status (§2.6).

use mizan_core::ProtocolErrorCode;
use serde_json::{Value, json};

/// The table of §2.6, written out again so that the generator checks the library against it.
const TABLE: &[(&str, u16)] = &[
    ("malformed_json", 400),
    ("malformed_multipart", 400),
    ("non_canonical_query", 400),
    ("bad_request", 400),
    ("unauthenticated", 401),
    ("forbidden", 403),
    ("not_found", 404),
    ("method_not_allowed", 405),
    ("request_timeout", 408),
    ("conflict", 409),
    ("stale_client", 409),
    ("payload_too_large", 413),
    ("uri_too_long", 414),
    ("unsupported_media_type", 415),
    ("validation_failed", 422),
    ("rate_limited", 429),
    ("internal", 500),
    ("overloaded", 503),
    ("unavailable", 503),
];

pub(crate) fn vectors() -> Value {
    let library: Vec<(&str, u16)> = ProtocolErrorCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.status()))
        .collect();
    assert_eq!(library, TABLE, "the library's table is not §2.6's");
    let codes: Vec<Value> = TABLE
        .iter()
        .map(|(code, status)| json!({"code": code, "status": status}))
        .collect();
    json!({ "codes": codes })
}
