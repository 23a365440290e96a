//! Reading a context with a cache policy through the server cache (`spec/PROTOCOL.md` §2.16.3):
//! the rev check, the scope's permission key, hits, coalesced misses, and the headers that tell
//! CDNs and edges what they may keep (§2.16.7, §2.16.8).

use std::future::Future;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use serde_json::{Map, Value, json};

use super::context::{CONTEXT_CACHE_CONTROL, PRIVATE_CACHE_CONTROL, if_none_match};
use crate::cache::declare::CachePlan;
use crate::cache::memo::{HitHeaders, KeyMemo, PlaceId};
use crate::cache::{Cache, Lookup, StoredAnswer};
use crate::engine::{Shared, with_effects};
use crate::manifest::CachePolicy;
use crate::manifest::CacheScope;
use crate::registry::Registered;
use crate::{Error, Request, Result};

mod miss;

/// `X-Mizan-Cache-Status`: `hit`, `miss` or `bypass`.
pub const CACHE_STATUS_HEADER: &str = "x-mizan-cache-status";
/// `X-Mizan-Pk`: the permission key an answer an edge may keep was computed under (§2.16.8).
pub const PK_HEADER: &str = "x-mizan-pk";

/// Header names of every cached answer, built at compile time: `HeaderName::from_static` at run
/// time compares the name with every standard header first.
const CDN_CACHE_CONTROL: HeaderName = HeaderName::from_static("cdn-cache-control");
const SURROGATE_CONTROL: HeaderName = HeaderName::from_static("surrogate-control");
const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");
const CACHE_TAG: HeaderName = HeaderName::from_static("cache-tag");
const CACHE_STATUS: HeaderName = HeaderName::from_static(CACHE_STATUS_HEADER);
const PK: HeaderName = HeaderName::from_static(PK_HEADER);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Hit,
    Miss,
    Bypass,
}

impl Status {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Bypass => "bypass",
        })
    }
}

/// One context read with a policy.
struct Read<'a> {
    cache: &'a Cache,
    memo: &'a KeyMemo,
    name: &'a str,
    function: &'a Registered,
    plan: &'a CachePlan,
    policy: &'a CachePolicy,
    /// The memo's place of the read (its function and query), found before.
    place: PlaceId,
    /// The answer's tags; made only when the function runs (a hit has its stored answer's).
    tags: Vec<String>,
}

/// An answer's body and ETag, and how it was come by.
struct Answer {
    body: Bytes,
    /// Checked as header text where the answer was come by, so the response needs no check.
    etag: HeaderValue,
    status: Status,
}

/// `decoded` is `None` for a query the memo knows decodes to rev 0 (decoded again only if the
/// function runs). A block rather than an `async fn`, which would keep the head twice (see
/// `protocol::dispatch`).
#[allow(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its future"
)]
pub(super) fn respond<'a>(
    shared: &'a Shared,
    cache: &'a Cache,
    function: &'a Registered,
    plan: &'a CachePlan,
    parts: Parts,
    decoded: Option<(Map<String, Value>, u64)>,
    place: PlaceId,
) -> impl Future<Output = Result<Response>> + Send + 'a {
    async move {
        let name = &*plan.function;
        let (params, rev, tags) = match decoded {
            None => (None, 0, None),
            Some((params, rev)) => {
                // The templates first, without hashing the params (a hit needs no tags of its own):
                // params lacking what they need are refused by the parameter checks (422), before
                // any lookup.
                if plan.templates.iter().any(|t| t.expand(&params).is_err()) {
                    return Box::pin(refused(shared, function, parts, params)).await;
                }
                let mut tags = None;
                if rev > 0 {
                    let Ok(made) =
                        mizan_core::cache_tags::answer_tags(name, &params, &plan.templates)
                    else {
                        return Box::pin(refused(shared, function, parts, params)).await;
                    };
                    if let Some(current) = Box::pin(cache.tags_rev(&made)).await
                        && rev > current
                    {
                        return Err(Error::bad_request(format!(
                            "rev {rev} was not issued for this read; use rev {current}"
                        ))
                        .with_details(json!({ "reason": "unissued_rev", "rev": current })));
                    }
                    tags = Some(made);
                }
                (Some(params), rev, tags)
            }
        };
        let request = shared.request(parts).await?;
        let mut read = Read {
            cache,
            memo: &shared.key_memo,
            name,
            function,
            plan,
            policy: &plan.policy,
            place,
            tags: Vec::new(),
        };
        let result = read.answer(&request, params, rev, tags).await;
        Ok(with_effects(&request, result))
    }
}

/// Params no tags can be made of, answered as without a cache: the parameter checks refuse them.
async fn refused(
    shared: &Shared,
    function: &Registered,
    parts: Parts,
    params: Map<String, Value>,
) -> Result<Response> {
    let request = shared.request(parts).await?;
    let result = super::context::answer(function, &request, params).await;
    Ok(with_effects(&request, result))
}

impl Read<'_> {
    /// `params` are `None` when the memo knew the query (decoded here if the function runs);
    /// `tags` are the answer's when the rev check made them already.
    async fn answer(
        &mut self,
        request: &Request,
        params: Option<Map<String, Value>>,
        rev: u64,
        tags: Option<Vec<String>>,
    ) -> Result<Response> {
        self.function.options.auth.check(request).await?;
        let pk = self
            .cache
            .permission_key(self.policy.scope, request.principal());
        // The query as received is the canonical one of its params and rev (§2.3), so with the
        // permission key it decides the cache key.
        let query = request.uri().query();
        let place = self.memo.place_again(self.name, query, self.place);
        let mut params = params;
        let memoized = match pk.as_deref() {
            None => None,
            Some(pk) => match self.memo.find(&place, pk) {
                Some(found) => Some(found),
                None => {
                    let value = Value::Object(decoded(params.take(), query)?);
                    let key = self.cache.key(self.name, &value, pk, rev);
                    let Value::Object(map) = value else {
                        unreachable!("built as an object above")
                    };
                    params = Some(map);
                    key.map(|key| self.memo.keep(&place, pk, rev, key))
                }
            },
        };
        let key = memoized.as_ref().map(|m| &*m.key);
        let found = match key {
            Some(key) => self.cache.get(key).await,
            None => Lookup::Unavailable,
        };
        if let Lookup::Hit(stored) = &found {
            let shareable = self.shareable(request);
            if let Some(kept) = memoized.as_ref().and_then(|m| m.hit_headers.as_ref())
                && kept.fit(stored, shareable)
            {
                let not_modified = not_modified(request, &kept.etag_value);
                let headers = if not_modified {
                    kept.not_modified.clone()
                } else {
                    kept.ok.clone()
                };
                return Ok(finish(headers, not_modified, stored.body.clone()));
            }
            if let Some(answer) = Answer::from_stored(stored, Status::Hit) {
                // The key is of this function and these params, so the stored tags are this
                // read's.
                let headers = self.headers(request, &answer, &stored.tags, pk.as_deref())?;
                if let Some(memoized) = &memoized {
                    let maps = (headers.clone(), not_modified_headers(headers.clone()));
                    let kept = HitHeaders::new(stored, shareable, maps, answer.etag.clone());
                    self.memo.keep_hit_headers(memoized, kept);
                }
                return Ok(send(request, headers, &answer.etag, answer.body));
            }
        }
        let params = decoded(params, query)?;
        // The function runs: its answer needs its tags.
        self.tags = match tags {
            Some(tags) => tags,
            None => {
                match mizan_core::cache_tags::answer_tags(self.name, &params, &self.plan.templates)
                {
                    Ok(tags) => tags,
                    // Params nested deeper than a key allows: the parameter checks refuse them.
                    Err(_) => {
                        return Box::pin(super::context::answer(self.function, request, params))
                            .await;
                    }
                }
            }
        };
        let answer = match (key, found) {
            // A miss, or an ETag that is no header text (replaced by the fill, as a misplaced
            // entry).
            (Some(key), Lookup::Hit(_) | Lookup::Miss) => {
                Box::pin(self.fill(request, key, params)).await?
            }
            // The store failed, or no key for this caller (a token whose `pk` is empty): never
            // share its answer.
            (Some(_), Lookup::Unavailable) | (None, _) => {
                Box::pin(self.run_alone(request, params)).await?
            }
        };
        let headers = self.headers(request, &answer, &self.tags, pk.as_deref())?;
        Ok(send(request, headers, &answer.etag, answer.body))
    }

    /// As §2.3: an answer to a request with credentials stays out of shared caches even when
    /// every caller gets the same bytes, since several CDNs ignore `Vary`.
    fn shareable(&self, request: &Request) -> bool {
        self.policy.scope == CacheScope::Public
            && !request.principal().has_credentials()
            && matches!(self.function.options.auth, crate::AuthRequirement::Public)
            && !request.read_headers()
            && !request.has_effects()
    }

    /// Every header of the answer's `200`, `X-Content-Type-Options` (which every answer carries)
    /// and `Content-Length` included: a map cloned from these has room for no more, and grows
    /// for none.
    fn headers(
        &self,
        request: &Request,
        answer: &Answer,
        tags: &[String],
        pk: Option<&str>,
    ) -> Result<HeaderMap> {
        let scope = self.policy.scope;
        let mut headers = HeaderMap::with_capacity(13);
        if self.shareable(request) {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(CONTEXT_CACHE_CONTROL),
            );
            headers.insert(CDN_CACHE_CONTROL, self.plan.cdn_cache_control.clone());
            headers.insert(SURROGATE_CONTROL, self.plan.surrogate_control.clone());
        } else {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(PRIVATE_CACHE_CONTROL),
            );
        }
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Authorization, Cookie, X-Mizan-Schema"),
        );
        // Tags are of the tag alphabet, so they are always valid header text.
        headers.insert(
            CACHE_TAG,
            HeaderValue::from_str(&tags.join(",")).map_err(Error::internal)?,
        );
        if scope != CacheScope::User {
            headers.insert(
                SURROGATE_KEY,
                HeaderValue::from_str(&tags.join(" ")).map_err(Error::internal)?,
            );
            // A token's `pk` that is no header text names no key an edge could compute.
            if answer.status != Status::Bypass
                && let Some(pk) = pk.and_then(|pk| HeaderValue::from_str(pk).ok())
            {
                headers.insert(PK, pk);
            }
        }
        headers.insert(CACHE_STATUS, answer.status.header());
        headers.insert(header::ETAG, answer.etag.clone());
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(super::JSON));
        // What axum would add, here so that kept headers carry it too.
        headers.insert(
            header::CONTENT_LENGTH,
            super::content_length(answer.body.len()),
        );
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, super::NOSNIFF.clone());
        Ok(headers)
    }
}

/// The params of a read: as decoded before the lookup, or decoded now, from a query the memo
/// knew (which decoded before, so it cannot fail now).
fn decoded(params: Option<Map<String, Value>>, query: Option<&str>) -> Result<Map<String, Value>> {
    match params {
        Some(params) => Ok(params),
        None => Ok(mizan_core::context_query::decode_query(query)
            .map_err(Error::from_query)?
            .0),
    }
}

/// Whether the request's `If-None-Match` matches `etag`.
fn not_modified(request: &Request, etag: &HeaderValue) -> bool {
    if_none_match(
        request.protocol_headers().get_all(header::IF_NONE_MATCH),
        etag,
    )
}

/// The headers of a `304` made of those of the `200`: no `Content-Type`, and the
/// `Content-Length` axum sets for an empty body, both changed in place.
fn not_modified_headers(mut headers: HeaderMap) -> HeaderMap {
    headers.remove(header::CONTENT_TYPE);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    headers
}

/// The answer of `headers` (those of a `200`, the ETag among them) and `body`: a `304` when the
/// request's `If-None-Match` matches `etag`.
fn send(request: &Request, headers: HeaderMap, etag: &HeaderValue, body: Bytes) -> Response {
    if not_modified(request, etag) {
        return finish(not_modified_headers(headers), true, body);
    }
    finish(headers, false, body)
}

/// The `200` of `body`, or its `304`, with `headers` made for it.
fn finish(headers: HeaderMap, not_modified: bool, body: Bytes) -> Response {
    if not_modified {
        let mut response = super::response(headers, Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        return response;
    }
    super::response(headers, Body::from(body))
}

impl Answer {
    /// A stored answer; `None` when its ETag is no header text (a store holding something else).
    fn from_stored(stored: &StoredAnswer, status: Status) -> Option<Self> {
        Some(Self {
            body: stored.body.clone(),
            etag: HeaderValue::from_str(&stored.etag).ok()?,
            status,
        })
    }
}
