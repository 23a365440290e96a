//! Reading a JSON request body within the limits.

use axum::body::Body;
use http::request::Parts;
use http::{HeaderValue, header};
use std::time::Duration;

use futures_util::FutureExt;
use http_body::Body as _;
use http_body_util::BodyExt;
use mizan_core::canonical::{self, CanonicalError, ParseOptions};
use serde_json::{Map, Value};

use crate::engine::Shared;
use crate::limits::Limits;
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

/// Checks the headers of a JSON request before any work: codings, content type, then declared
/// length.
pub(crate) fn check_headers(parts: &Parts, limits: &Limits) -> Result<Declared> {
    let head = BodyHeaders::read(parts);
    head.check_codings()?;
    let declared_len = head
        .content_length
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let Some(content_type) = head.content_type else {
        // Without a content type only an empty body is acceptable; a declared non-empty one is
        // refused now, a streamed one once it is read.
        return match declared_len {
            Some(len) if len > 0 => Err(unsupported_media_type()),
            _ => Ok(Declared::Nothing),
        };
    };
    // `Content-Type` is a singleton field (RFC 9110 §8.3): two of them are no clear declaration.
    if head.content_types > 1 || !is_json_media_type(content_type.as_bytes()) {
        return Err(unsupported_media_type());
    }
    if declared_len.is_some_and(|len| len > limits.body_bytes as u64) {
        return Err(too_large(limits));
    }
    Ok(Declared::Json)
}

/// The body is framed by `Content-Length` or by one `chunked` transfer coding, and not compressed
/// (`spec/PROTOCOL.md` §2.2). hyper removes the chunked framing whatever other codings are
/// listed before it, so a body sent `gzip, chunked` would otherwise be parsed as if it were plain.
pub(crate) fn check_codings(parts: &Parts) -> Result<()> {
    BodyHeaders::read(parts).check_codings()
}

/// What a request's head says of its body, read in one pass over its headers (a lookup per
/// header name costs a hash each; a request has a handful of headers).
struct BodyHeaders<'a> {
    /// Transfer codings listed over every `Transfer-Encoding` field (empty items skipped).
    transfer_codings: usize,
    /// Whether the first of them is `chunked`.
    transfer_starts_chunked: bool,
    /// Whether a `Content-Encoding` lists a coding other than `identity`.
    content_coded: bool,
    /// The first `Content-Length`.
    content_length: Option<&'a HeaderValue>,
    /// The first `Content-Type`, and how many there are.
    content_type: Option<&'a HeaderValue>,
    content_types: usize,
}

impl<'a> BodyHeaders<'a> {
    fn read(parts: &'a Parts) -> Self {
        let mut head = Self {
            transfer_codings: 0,
            transfer_starts_chunked: false,
            content_coded: false,
            content_length: None,
            content_type: None,
            content_types: 0,
        };
        let codings = |value: &'a HeaderValue| {
            value
                .as_bytes()
                .split(|&b| b == b',')
                .map(<[u8]>::trim_ascii)
                .filter(|coding| !coding.is_empty())
        };
        for (name, value) in &parts.headers {
            if name == header::TRANSFER_ENCODING {
                for coding in codings(value) {
                    if head.transfer_codings == 0 {
                        head.transfer_starts_chunked = coding.eq_ignore_ascii_case(b"chunked");
                    }
                    head.transfer_codings += 1;
                }
            } else if name == header::CONTENT_ENCODING {
                head.content_coded |=
                    codings(value).any(|coding| !coding.eq_ignore_ascii_case(b"identity"));
            } else if name == header::CONTENT_LENGTH {
                head.content_length.get_or_insert(value);
            } else if name == header::CONTENT_TYPE {
                head.content_type.get_or_insert(value);
                head.content_types += 1;
            }
        }
        head
    }

    fn check_codings(&self) -> Result<()> {
        if self.transfer_codings > 0
            && !(self.transfer_codings == 1 && self.transfer_starts_chunked)
        {
            return Err(Error::bad_request(
                "the only transfer coding accepted is one `chunked`",
            ));
        }
        if self.content_coded {
            return Err(Error::new(
                ErrorCode::UnsupportedMediaType,
                "send the body without a content coding (no `Content-Encoding`)",
            ));
        }
        Ok(())
    }
}

/// Whether a `Content-Type` value declares JSON in UTF-8 (`spec/PROTOCOL.md` §2.2).
///
/// The value must be a `media-type` of RFC 9110 §8.3.1: `type "/" subtype *( OWS ";" OWS
/// [ name "=" value ] )`, with the type and subtype `application/json` in any case, parameter
/// names in any case, values tokens or quoted strings, and no whitespace around `/` or `=`.
/// Empty parameters (`application/json;`) are allowed, as the grammar allows them. Every
/// `charset` parameter must be `utf-8` in any case, quoted or not; other parameters are ignored.
fn is_json_media_type(value: &[u8]) -> bool {
    // What clients send, answered without parsing.
    if value == b"application/json" {
        return true;
    }
    let value = value.trim_ascii();
    let Some((media_type, mut rest)) = split_token(value) else {
        return false;
    };
    if !media_type.eq_ignore_ascii_case(b"application") {
        return false;
    }
    let Some(after_slash) = rest.strip_prefix(b"/") else {
        return false;
    };
    let Some((subtype, after_subtype)) = split_token(after_slash) else {
        return false;
    };
    if !subtype.eq_ignore_ascii_case(b"json") {
        return false;
    }
    rest = after_subtype;
    loop {
        rest = rest.trim_ascii_start();
        let Some(after_semicolon) = rest.strip_prefix(b";") else {
            // Only whitespace may follow the last parameter (trimmed above).
            return rest.is_empty();
        };
        rest = after_semicolon.trim_ascii_start();
        if rest.is_empty() || rest[0] == b';' {
            continue;
        }
        let Some((name, after_name)) = split_token(rest) else {
            return false;
        };
        let Some(after_equals) = after_name.strip_prefix(b"=") else {
            return false;
        };
        let Some((parameter_value, after_value)) = split_value(after_equals) else {
            return false;
        };
        if name.eq_ignore_ascii_case(b"charset") && !parameter_value.eq_ignore_ascii_case(b"utf-8")
        {
            return false;
        }
        rest = after_value;
    }
}

/// A non-empty RFC 9110 `token` at the start of `text`, and what follows it.
fn split_token(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = text
        .iter()
        .position(|&b| !is_tchar(b))
        .unwrap_or(text.len());
    (end > 0).then(|| text.split_at(end))
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A parameter value, a token or a quoted string (its escapes undone), and what follows it.
fn split_value(text: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let Some(quoted) = text.strip_prefix(b"\"") else {
        let (token, rest) = split_token(text)?;
        return Some((token.to_vec(), rest));
    };
    let mut value = Vec::new();
    let mut i = 0;
    while let Some(&b) = quoted.get(i) {
        match b {
            b'"' => return Some((value, &quoted[i + 1..])),
            b'\\' => {
                let escaped = *quoted.get(i + 1)?;
                if !(escaped == b'\t' || escaped >= 0x20) || escaped == 0x7f {
                    return None;
                }
                value.push(escaped);
                i += 2;
            }
            // qdtext: HTAB, SP, visible ASCII but `"` and `\`, obs-text.
            b'\t' | 0x20..=0x7e | 0x80..=0xff => {
                value.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    None
}

pub(crate) fn too_large(limits: &Limits) -> Error {
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
    shared: &Shared,
    extra_depth: usize,
) -> Result<Value> {
    let limits = &shared.limits;
    let bytes = read_bytes(body, shared).await?;
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
        // Layer 1 names its own default depth; the server's limit is the configured one.
        let message = match e {
            CanonicalError::DepthExceeded { offset } => format!(
                "params nest deeper than the limit of {} levels{}",
                limits.json_depth,
                offset
                    .map(|at| format!(" (at byte {at})"))
                    .unwrap_or_default()
            ),
            _ => e.to_string(),
        };
        Error::new(ErrorCode::MalformedJson, message)
            .with_details(serde_json::json!({ "reason": e.code().as_str() }))
    })
}

/// Reads a whole body within the size limit, the read deadline and the body budget.
///
/// The bytes land in one buffer sized from `Content-Length` up front, so a large body is one
/// allocation that is given back to the system when it is dropped, not many small ones that
/// fragment the heap.
pub(crate) async fn read_bytes(body: Body, shared: &Shared) -> Result<Vec<u8>> {
    let limits = &shared.limits;
    let mut reservation = shared.body_budget.reserve();
    let declared_len = usize::try_from(body.size_hint().exact().unwrap_or(0)).unwrap_or(usize::MAX);
    if declared_len > limits.body_bytes {
        return Err(too_large(limits));
    }
    reservation.grow(declared_len)?;
    let mut bytes = Vec::with_capacity(declared_len);
    // Started when the body is first waited for: most bodies are in hand with their head, and
    // are read without the clock or a timer.
    let mut deadline: Option<ReadDeadline> = None;
    let mut body = body;
    loop {
        let next = match body.frame().now_or_never() {
            Some(next) => next,
            None => {
                let deadline = deadline.get_or_insert_with(|| ReadDeadline::new(limits));
                match tokio::time::timeout_at(deadline.at(bytes.len()), body.frame()).await {
                    Ok(next) => next,
                    Err(_) => return Err(too_slow(limits)),
                }
            }
        };
        let frame = match next {
            Some(Ok(frame)) => frame,
            None => return Ok(bytes),
            Some(Err(_)) => {
                return Err(Error::bad_request("the request body could not be read"));
            }
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers carry no params
        };
        let total = bytes.len() + data.len();
        if total > limits.body_bytes {
            return Err(too_large(limits));
        }
        reservation.grow(total)?;
        bytes.extend_from_slice(&data);
    }
}

/// When the body read so far must have grown: `body_grace` after the deadline was made, plus one
/// second per `body_min_rate` bytes received. A call's body makes it when it first waits for
/// bytes (before that, nothing was slow); a multipart body when its reading starts.
pub(crate) struct ReadDeadline {
    start: tokio::time::Instant,
    grace: Duration,
    min_rate: u32,
}

impl ReadDeadline {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            start: tokio::time::Instant::now(),
            grace: limits.body_grace,
            min_rate: limits.body_min_rate,
        }
    }

    pub(crate) fn at(&self, received: usize) -> tokio::time::Instant {
        let earned = if self.min_rate == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(received as f64 / f64::from(self.min_rate))
        };
        self.start + self.grace + earned
    }
}

pub(crate) fn too_slow(limits: &Limits) -> Error {
    Error::new(
        ErrorCode::RequestTimeout,
        format!(
            "the request body arrived too slowly (under {} bytes per second after {} ms)",
            limits.body_min_rate,
            limits.body_grace.as_millis()
        ),
    )
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

#[cfg(test)]
mod tests {
    use super::is_json_media_type;

    #[test]
    fn media_types_follow_the_rfc_9110_grammar() {
        for accepted in [
            "application/json",
            "Application/JSON",
            "APPLICATION/json",
            "application/json;",
            "application/json ; ",
            "application/json;;",
            "application/json; ;charset=utf-8",
            "application/json;charset=utf-8",
            "application/json; charset=UTF-8",
            "application/json;\tCharSet=\"Utf-8\"",
            "application/json; charset=\"utf\\-8\"",
            "application/json; version=2",
            "application/json; q=\"a;b\"; charset=utf-8",
            "  application/json  ",
        ] {
            assert!(is_json_media_type(accepted.as_bytes()), "{accepted:?}");
        }
        for refused in [
            "",
            "application",
            "application/",
            "/json",
            "application /json",
            "application/ json",
            "application/json charset=utf-8",
            "application/jsonx",
            "application/*",
            "application/vnd.api+json",
            "text/json",
            "application/json; charset=utf8",
            "application/json; charset=latin1",
            "application/json; charset=\"\"",
            "application/json; charset=utf-8; charset=latin1",
            "application/json; charset = utf-8",
            "application/json; charset",
            "application/json; =utf-8",
            "application/json; charset=\"utf-8",
            "application/json; charset=utf-8 x",
            "application/json; a=b c",
            "application/json, text/plain",
        ] {
            assert!(!is_json_media_type(refused.as_bytes()), "{refused:?}");
        }
    }
}
