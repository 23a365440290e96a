//! The answers every endpoint builds on: their headers, built once where they can be.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};

use crate::{Error, ErrorCode};

/// `X-Content-Type-Options: nosniff`, on every answer (§2.11).
pub(crate) static NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");

/// `405 method_not_allowed` with `Allow: <allow>`.
pub(crate) fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = Error::new(
        ErrorCode::MethodNotAllowed,
        format!("use {allow} for this endpoint"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// The `200` of a call: `body` as JSON, `no-store`.
pub(crate) fn json_no_store(body: Vec<u8>) -> Response {
    // Cloned from one map built once: cheaper than inserting its headers into a new one. Its
    // `Content-Length` (set here, as axum would) replaces the template's in place; a clone has
    // room for the template's headers only, so an effect's header makes it grow (rarely).
    static TEMPLATE: std::sync::LazyLock<http::HeaderMap> = std::sync::LazyLock::new(|| {
        let mut headers = response_headers();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        headers
    });
    let mut headers = TEMPLATE.clone();
    headers.insert(header::CONTENT_LENGTH, content_length(body.len()));
    response(headers, axum::body::Body::from(body))
}

/// Lengths whose `Content-Length` value is made once: most answers are shorter.
const SHARED_LENGTHS: usize = 1024;

/// The `Content-Length` value of `len`. Below [`SHARED_LENGTHS`] it is a clone of a value made
/// once, which costs no allocation (`HeaderValue::from(len)` allocates its text every time).
pub(crate) fn content_length(len: usize) -> HeaderValue {
    static LENGTHS: std::sync::LazyLock<Vec<HeaderValue>> = std::sync::LazyLock::new(|| {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(SHARED_LENGTHS);
        for n in 0..SHARED_LENGTHS {
            text.push_str(&n.to_string());
            ends.push(text.len());
        }
        // Leaked once, about 3 KiB: a value on `'static` text is cloned without a reference
        // count.
        let text: &'static str = Box::leak(text.into_boxed_str());
        let mut start = 0;
        ends.into_iter()
            .map(|end| {
                let value = HeaderValue::from_static(&text[start..end]);
                start = end;
                value
            })
            .collect()
    });
    match LENGTHS.get(len) {
        Some(value) => value.clone(),
        None => HeaderValue::from(len),
    }
}

/// `application/json`.
pub(crate) const JSON: &str = "application/json";

/// A header map with room for every header a Mizan response carries, so that none of them makes
/// it grow, holding the one every answer carries (`X-Content-Type-Options: nosniff`, §2.11).
pub(crate) fn response_headers() -> http::HeaderMap {
    let mut headers = http::HeaderMap::with_capacity(8);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF.clone());
    headers
}

/// A `200 OK` response of `headers` and `body`, built in place: converting a tuple would insert
/// the headers a second time.
pub(crate) fn response(headers: http::HeaderMap, body: axum::body::Body) -> Response {
    let mut response = Response::new(body);
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_content_length_is_the_decimal_length_shared_or_not() {
        for len in [0, 1, 9, 10, 99, 100, 999, 1000, 1023, 1024, 1025, 65_536] {
            assert_eq!(content_length(len), HeaderValue::from(len), "{len}");
        }
    }
}
