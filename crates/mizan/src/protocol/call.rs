//! `POST /call/{name}` (`spec/PROTOCOL.md` §2.2).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request as HttpRequest, State};
use axum::response::{IntoResponse, Response};
use http::Method;

use super::{SharedState, body, json_response, method_not_allowed, run};
use crate::function::Params;
use crate::{Error, Result};

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
    if function.options.context.is_some() {
        return Ok(method_not_allowed("GET"));
    }
    if request.method() != Method::POST {
        return Ok(method_not_allowed("POST"));
    }
    let (parts, http_body) = request.into_parts();
    let declared = body::check_headers(&parts, &shared.limits)?;
    let request = shared.request(&parts).await?;
    function.options.auth.check(&request)?;
    let params = body::params_object(body::read_json(http_body, declared, &shared.limits).await?)?;
    let output = run(function, &request, Params::new(params)).await?;
    let bytes = serde_json::to_vec(&output).map_err(Error::internal)?;
    Ok(json_response(bytes, "no-store"))
}
