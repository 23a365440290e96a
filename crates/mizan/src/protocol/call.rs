//! `POST /call/{name}` (`spec/PROTOCOL.md` §2.2).

use std::future::Future;

use axum::body::Body;
use axum::response::Response;
use http::Method;
use http::request::Parts;

use super::{GET_OR_HEAD, body, check_schema, json_no_store, method_not_allowed, sent_schema};
use crate::Result;
use crate::engine::{Shared, finish, run};
use crate::function::Encoding;
use crate::registry::Registered;

/// A call. A block rather than an `async fn`, so that the request's head is kept once in the
/// future, not as an argument and again as a local (see `protocol::dispatch`).
#[allow(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its future"
)]
pub(super) fn respond<'a>(
    shared: &'a Shared,
    function: &'a Registered,
    parts: Parts,
    http_body: Body,
) -> impl Future<Output = Result<Response>> + Send + 'a {
    async move {
        if function.options.kind.is_context() {
            return Ok(method_not_allowed(GET_OR_HEAD));
        }
        if parts.method != Method::POST {
            return Ok(method_not_allowed("POST"));
        }
        check_schema(function, sent_schema(&parts))?;
        // A multipart body only (§2.13.3): any other form body is refused below as for every
        // call (§2.2), so that a cross-site HTML form cannot send a submit a browser would not
        // preflight as URL-encoded.
        if let Some(form) = &function.form_submit
            && let Some(kind @ super::form_body::FormBody::Multipart(_)) =
                super::form_body::declared(&parts)
        {
            // Boxed: only form submits carry the multipart reader's state.
            return Box::pin(submit_form(shared, form.as_ref(), kind, parts, http_body)).await;
        }
        let declared = body::check_headers(&parts, &shared.limits)?;
        let request = shared.request(parts).await?;
        let result = async {
            function.options.auth.check(&request).await?;
            let params =
                body::params_object(body::read_json(http_body, declared, shared, 0).await?)?;
            let output = run(function, &request, params, Encoding::Json).await?;
            Ok(json_no_store(output))
        }
        .await;
        Ok(finish(shared, &request, result).await)
    }
}

async fn submit_form(
    shared: &Shared,
    form: &dyn crate::forms::AnyForm,
    kind: super::form_body::FormBody,
    parts: Parts,
    http_body: Body,
) -> Result<Response> {
    body::check_codings(&parts)?;
    let request = shared.request(parts).await?;
    let result = super::form_post::submit_call(shared, form, kind, &request, http_body).await;
    Ok(finish(shared, &request, result).await)
}
