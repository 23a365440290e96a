//! `POST /batch` (`spec/PROTOCOL.md` §2.4): several calls, each with its own result or error.

use axum::extract::{Request as HttpRequest, State};
use axum::response::{IntoResponse, Response};
use http::Method;
use serde_json::{Value, json};

use super::{SharedState, body, check_schema, json_no_store, method_not_allowed};
use crate::engine::{Shared, run};
use crate::function::Encoding;
use crate::{Error, ErrorCode, Request, Result};

pub(super) async fn handle(State(shared): SharedState, request: HttpRequest) -> Response {
    match respond(&shared, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn respond(shared: &Shared, request: HttpRequest) -> Result<Response> {
    if request.method() != Method::POST {
        return Ok(method_not_allowed("POST"));
    }
    let (parts, http_body) = request.into_parts();
    let declared = body::check_headers(&parts, &shared.limits)?;
    let request = shared.request(parts).await?;
    let result = run_batch(shared, &request, http_body, declared).await;
    Ok(crate::engine::finish(shared, &request, result).await)
}

async fn run_batch(
    shared: &Shared,
    request: &Request,
    http_body: axum::body::Body,
    declared: body::Declared,
) -> Result<Response> {
    let value = body::read_json(http_body, declared, shared, 3).await?;
    let calls = match value {
        Value::Object(mut object) if object.len() == 1 => match object.remove("calls") {
            Some(Value::Array(calls)) => calls,
            _ => return Err(shape_error()),
        },
        _ => return Err(shape_error()),
    };
    if calls.len() > shared.limits.batch_calls {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            format!("a batch holds at most {} calls", shared.limits.batch_calls),
        ));
    }
    // In order, each after the previous one finished: a batch is what the client would have sent
    // one by one, so later calls see earlier calls' effects.
    let mut out = Vec::with_capacity(64 * calls.len() + 16);
    out.extend_from_slice(b"{\"results\":[");
    for (i, call) in calls.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match one(shared, request, call).await {
            Ok(data) => {
                out.extend_from_slice(b"{\"ok\":true,\"data\":");
                out.extend_from_slice(&data);
                out.push(b'}');
            }
            Err(error) => {
                let item = json!({ "ok": false, "error": error.to_json() });
                serde_json::to_writer(&mut out, &item).map_err(Error::internal)?;
            }
        }
    }
    out.extend_from_slice(b"]}");
    Ok(json_no_store(out))
}

fn shape_error() -> Error {
    Error::new(
        ErrorCode::ValidationFailed,
        "a batch is {\"calls\": [{\"fn\": \"<name>\", \"params\": {...}, \"schema\": \"<hash>\"}, ...]}",
    )
}

async fn one(shared: &Shared, request: &Request, call: Value) -> Result<Vec<u8>> {
    let Value::Object(call) = call else {
        return Err(shape_error());
    };
    // One pass over the members (every shape mistake is the same error).
    let (mut name, mut params, mut schema) = (None, None, None);
    for (key, value) in call {
        match (key.as_str(), value) {
            ("fn", Value::String(value)) => name = Some(value),
            ("params", value) => params = Some(value),
            ("schema", Value::String(value)) => schema = Some(value),
            _ => return Err(shape_error()),
        }
    }
    let Some(name) = name else {
        return Err(shape_error());
    };
    let function = shared
        .registry
        .get(&name)
        .ok_or_else(|| Error::not_found(format!("no function named {name:?}")))?;
    if function.options.kind.is_context() {
        return Err(Error::new(
            ErrorCode::MethodNotAllowed,
            "contexts are read with GET /context/{name}, not in a batch",
        ));
    }
    check_schema(function, schema.as_deref().map(str::as_bytes))?;
    function.options.auth.check(request).await?;
    let params = match params {
        Some(params) => body::params_object(params)?,
        None => serde_json::Map::new(),
    };
    run(function, request, params, Encoding::Json).await
}
