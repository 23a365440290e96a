//! `GET /context/{name}` (`spec/PROTOCOL.md` §2.3): canonical bodies, strong ETags, 304s.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request as HttpRequest, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use mizan_core::{base64url, canonical};
use sha2::{Digest, Sha256};

use super::{SharedState, method_not_allowed, query, run};
use crate::function::Params;
use crate::{Error, ErrorCode, Result};

/// The caching headers of every successful context response.
pub(crate) const CONTEXT_CACHE_CONTROL: &str = "public, max-age=0, stale-while-revalidate=300";

pub(super) async fn handle(
    State(shared): SharedState,
    name: Result<Path<String>, PathRejection>,
    request: HttpRequest,
) -> Response {
    match respond(&shared, name, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn respond(
    shared: &super::Shared,
    name: Result<Path<String>, PathRejection>,
    request: HttpRequest,
) -> Result<Response> {
    let function = shared.function(name)?;
    if function.options.context.is_none() {
        return Ok(method_not_allowed("POST"));
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return Ok(method_not_allowed("GET"));
    }
    let (parts, _) = request.into_parts();
    let raw_query = parts.uri.query();
    if raw_query.is_some_and(|q| q.len() > shared.limits.query_bytes) {
        return Err(Error::new(
            ErrorCode::UriTooLong,
            format!(
                "the query string is over the limit of {} bytes",
                shared.limits.query_bytes
            ),
        ));
    }
    let (params, _rev) = query::decode_query(raw_query)?;
    let request = shared.request(&parts).await?;
    function.options.auth.check(&request)?;
    let output = run(function, &request, Params::new(params)).await?;
    let body = canonical::to_vec(&output).map_err(|e| {
        Error::internal(format!(
            "context {} returned a value that is not canonical JSON: {e}",
            function.options.rust_name
        ))
    })?;
    let etag = format!("\"{}\"", base64url::encode(&Sha256::digest(&body)));
    let etag = HeaderValue::from_str(&etag).map_err(Error::internal)?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CONTEXT_CACHE_CONTROL),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    headers.insert(header::ETAG, etag.clone());
    if if_none_match(&parts.headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok((headers, body).into_response())
}

/// Whether `If-None-Match` matches `etag`, with the weak comparison RFC 9110 §13.1.2 requires.
fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.as_bytes();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag).as_bytes() == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_uses_weak_comparison_and_lists() {
        let etag = HeaderValue::from_static("\"abc\"");
        let check = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
            if_none_match(&headers, &etag)
        };
        assert!(check("\"abc\""));
        assert!(check("W/\"abc\""));
        assert!(check("\"x\", \"abc\""));
        assert!(check("*"));
        assert!(!check("\"abcd\""));
        assert!(!check("abc"));
        assert!(!if_none_match(&HeaderMap::new(), &etag));
    }
}
