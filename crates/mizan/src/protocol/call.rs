//! `POST /call/{name}` (`spec/PROTOCOL.md` §2.2).

use axum::body::Body;
use axum::response::Response;
use http::Method;
use http::request::Parts;

use super::{GET_OR_HEAD, body, check_schema, json_response, method_not_allowed, sent_schema};
use crate::Result;
use crate::engine::{Shared, run, with_effects};
use crate::function::Encoding;
use crate::registry::Registered;

pub(super) async fn respond(
    shared: &Shared,
    function: &Registered,
    parts: Parts,
    http_body: Body,
) -> Result<Response> {
    if function.options.kind.is_context() {
        return Ok(method_not_allowed(GET_OR_HEAD));
    }
    if parts.method != Method::POST {
        return Ok(method_not_allowed("POST"));
    }
    check_schema(function, sent_schema(&parts))?;
    let declared = body::check_headers(&parts, &shared.limits)?;
    let request = shared.request(parts).await?;
    let result = async {
        function.options.auth.check(&request).await?;
        let params = body::params_object(body::read_json(http_body, declared, shared, 0).await?)?;
        let output = run(function, &request, params, Encoding::Json).await?;
        Ok(json_response(output, "no-store"))
    }
    .await;
    Ok(with_effects(&request, result))
}
