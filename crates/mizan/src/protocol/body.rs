//! Reading a JSON request body within the limits.

use axum::body::Body;
use http::header;
use http::request::Parts;
use http_body_util::{BodyExt, Limited};
use mizan_core::canonical::{self, ParseOptions};
use serde_json::{Map, Value};

use super::Limits;
use crate::{Error, ErrorCode, Result};

/// Whether a request declared its body as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Declared {
    /// `Content-Type: application/json`.
    Json,
    /// No `Content-Type`: acceptable only with an empty body.
    Nothing,
}

fn unsupported_media_type() -> Error {
    Error::new(
        ErrorCode::UnsupportedMediaType,
        "send params as `Content-Type: application/json` (UTF-8)",
    )
}

/// Checks the headers of a JSON request before any work: content type, then declared length.
pub(crate) fn check_headers(parts: &Parts, limits: &Limits) -> Result<Declared> {
    let declared_len = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) else {
        // Without a content type only an empty body is acceptable; a declared non-empty one is
        // refused now, a streamed one once it is read.
        return match declared_len {
            Some(len) if len > 0 => Err(unsupported_media_type()),
            _ => Ok(Declared::Nothing),
        };
    };
    let content_type = content_type.to_str().unwrap_or("");
    let mut pieces = content_type.split(';').map(str::trim);
    let media_type = pieces.next().unwrap_or("");
    let charset_ok = pieces.all(|p| {
        let p = p.to_ascii_lowercase();
        !p.starts_with("charset=") || p == "charset=utf-8" || p == "charset=\"utf-8\""
    });
    if !media_type.eq_ignore_ascii_case("application/json") || !charset_ok {
        return Err(unsupported_media_type());
    }
    if declared_len.is_some_and(|len| len > limits.body_bytes as u64) {
        return Err(too_large(limits));
    }
    Ok(Declared::Json)
}

fn too_large(limits: &Limits) -> Error {
    Error::new(
        ErrorCode::PayloadTooLarge,
        format!("the body is over the limit of {} bytes", limits.body_bytes),
    )
}

/// Reads the body (at most the limit) and parses it strictly; an empty body is `{}`.
///
/// `extra_depth` is the nesting the body adds around params (3 in a batch: the body, `calls` and the item), so that params may
/// nest as deep in a batch as in a call.
pub(crate) async fn read_json(
    body: Body,
    declared: Declared,
    limits: &Limits,
    extra_depth: usize,
) -> Result<Value> {
    let bytes = Limited::new(body, limits.body_bytes)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                too_large(limits)
            } else {
                Error::bad_request("the request body could not be read")
            }
        })?
        .to_bytes();
    if bytes.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    if declared == Declared::Nothing {
        return Err(unsupported_media_type());
    }
    let options = ParseOptions {
        max_depth: limits.json_depth + extra_depth,
        allow_floats: true,
    };
    canonical::parse_with(&bytes, options).map_err(|e| {
        Error::new(ErrorCode::MalformedJson, e.to_string())
            .with_details(serde_json::json!({ "reason": e.code().as_str() }))
    })
}

/// The params object of a call; anything but an object is `validation_failed`.
pub(crate) fn params_object(value: Value) -> Result<Map<String, Value>> {
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(Error::new(
            ErrorCode::ValidationFailed,
            "params must be a JSON object of named parameters",
        )),
    }
}
