//! `GET /context/{name}` (`spec/PROTOCOL.md` §2.3): canonical bodies, strong ETags, 304s.

use std::future::{Future, ready};

use axum::body::Body;
use axum::response::Response;
use futures_util::future::Either;
use http::request::Parts;
use http::{HeaderValue, Method, StatusCode, header};
use mizan_core::base64url;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{GET_OR_HEAD, check_schema, method_not_allowed, sent_schema};
use crate::cache::Cache;
use crate::cache::declare::CachePlan;
use crate::cache::memo::PlaceId;
use crate::engine::{Shared, run};
use crate::function::Encoding;
use crate::registry::Registered;
use crate::{Error, ErrorCode, Result};

/// The caching headers of every successful context response.
pub(crate) const CONTEXT_CACHE_CONTROL: &str = "public, max-age=0, stale-while-revalidate=300";

/// For a signed-in caller or a function with an auth requirement: shared caches must not keep it
/// (several CDNs ignore `Vary: Cookie`), the browser revalidates it every time.
pub(crate) const PRIVATE_CACHE_CONTROL: &str = "private, no-cache";

/// What a context read needs once its head was checked.
enum Checked<'a> {
    /// Answered already (a refusal of the method).
    Answered(Response),
    /// Through the cache; the params are `None` for a query the memo knows decodes to rev 0.
    Cached {
        cache: &'a Cache,
        plan: &'a CachePlan,
        decoded: Option<(Map<String, Value>, u64)>,
        place: PlaceId,
    },
    /// By running the function.
    Run(Map<String, Value>),
}

/// A context read. Composed of plain futures rather than written as an `async fn`, so that the
/// request's head is not kept twice (see `protocol::dispatch`).
pub(super) fn respond<'a>(
    shared: &'a Shared,
    function: &'a Registered,
    parts: Parts,
) -> impl Future<Output = Result<Response>> + Send + 'a {
    match check(shared, function, &parts) {
        Ok(Checked::Answered(response)) => Either::Left(ready(Ok(response))),
        Err(error) => Either::Left(ready(Err(error))),
        Ok(Checked::Cached {
            cache,
            plan,
            decoded,
            place,
        }) => Either::Right(Either::Left(super::cached::respond(
            shared, cache, function, plan, parts, decoded, place,
        ))),
        Ok(Checked::Run(params)) => Either::Right(Either::Right(async move {
            let request = shared.request(parts).await?;
            let result = answer(function, &request, params).await;
            Ok(crate::engine::with_effects(&request, result))
        })),
    }
}

/// The checks of a read's head, in the order of §2.3, and its params.
fn check<'a>(shared: &'a Shared, function: &'a Registered, parts: &Parts) -> Result<Checked<'a>> {
    if !function.options.kind.is_context() {
        return Ok(Checked::Answered(method_not_allowed("POST")));
    }
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return Ok(Checked::Answered(method_not_allowed(GET_OR_HEAD)));
    }
    check_schema(function, sent_schema(parts))?;
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
    if let (Some(plan), Some(cache)) = (&function.cache, &shared.cache) {
        // A query this server decoded before, to rev 0, is decoded again only if the function
        // runs: decoding it cannot fail, and with rev 0 nothing else is checked before the
        // lookup.
        let memo = &shared.key_memo;
        let place = memo.place(&plan.function, raw_query);
        let decoded = if memo.is_known_rev_zero(&place) {
            None
        } else {
            Some(mizan_core::context_query::decode_query(raw_query).map_err(Error::from_query)?)
        };
        return Ok(Checked::Cached {
            cache,
            plan,
            decoded,
            place: place.id(),
        });
    }
    let (params, _rev) =
        mizan_core::context_query::decode_query(raw_query).map_err(Error::from_query)?;
    Ok(Checked::Run(params))
}

pub(super) async fn answer(
    function: &Registered,
    request: &crate::Request,
    params: serde_json::Map<String, serde_json::Value>,
) -> Result<Response> {
    function.options.auth.check(request).await?;
    let body = run(function, request, params, Encoding::Canonical).await?;
    let etag = etag(&body)?;
    let mut headers = super::response_headers();
    // Shared caches may keep only what every anonymous caller gets alike: no credentials (a token
    // without `sub` still carries claims the function may read), no auth requirement, no header
    // or cookie read (its answer may differ by caller), and no effect (a cookie, a header or a
    // cache hint meant for this one caller).
    let shareable = !request.principal().has_credentials()
        && matches!(function.options.auth, crate::AuthRequirement::Public)
        && !request.read_headers()
        && !request.has_effects();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if shareable {
            CONTEXT_CACHE_CONTROL
        } else {
            PRIVATE_CACHE_CONTROL
        }),
    );
    headers.insert(
        header::VARY,
        // A client built against other schemas gets a 409 for the same URL.
        HeaderValue::from_static("Authorization, Cookie, X-Mizan-Schema"),
    );
    let not_modified = if_none_match(
        request.protocol_headers().get_all(header::IF_NONE_MATCH),
        &etag,
    );
    headers.insert(header::ETAG, etag);
    if not_modified {
        let mut response = super::response(headers, Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        return Ok(response);
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(super::JSON));
    Ok(super::response(headers, Body::from(body)))
}

/// The strong ETag of a body: its SHA-256 in base64url, quoted.
pub(super) fn etag(body: &[u8]) -> Result<HeaderValue> {
    // 32 bytes are 43 base64url characters; with the quotes, 45.
    let mut quoted = [b'"'; 45];
    base64url::encode_to_slice(&Sha256::digest(body), &mut quoted[1..44]);
    HeaderValue::from_bytes(&quoted).map_err(Error::internal)
}

/// Whether `If-None-Match` matches `etag`, with the weak comparison RFC 9110 §13.1.2 requires.
pub(super) fn if_none_match<'a>(
    values: impl IntoIterator<Item = &'a HeaderValue>,
    etag: &HeaderValue,
) -> bool {
    let ours = etag.as_bytes();
    values
        .into_iter()
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
        let check = |value: &'static str| if_none_match(&[HeaderValue::from_static(value)], &etag);
        assert!(check("\"abc\""));
        assert!(check("W/\"abc\""));
        assert!(check("\"x\", \"abc\""));
        assert!(check("*"));
        assert!(!check("\"abcd\""));
        assert!(!check("abc"));
        assert!(!if_none_match(&[], &etag));
    }
}
