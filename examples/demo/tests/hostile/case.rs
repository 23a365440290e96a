//! A case built from its JSON: the bytes of its requests and its expectations, with unknown
//! members refused.

use std::time::Duration;

use mizan::core::ProtocolErrorCode;
use serde_json::Value;

use crate::corpus::{Case, Expect, Names, Step};
use crate::macros::{expand, expand_value};

const CASE_MEMBERS: &[&str] = &[
    "name",
    "about",
    "spec",
    "method",
    "path",
    "version",
    "headers",
    "extra_head",
    "content_type",
    "no_host",
    "keep_alive",
    "body",
    "body_bytes",
    "chunked",
    "unfinished",
    "raw",
    "steps",
    "hold",
    "after_ms",
    "alone",
    "expect",
];

pub(crate) fn build_case(case: &Value, surface: &str, names: &Names) -> Result<Case, String> {
    let object = case.as_object().ok_or("a case is an object")?;
    for key in object.keys() {
        if !CASE_MEMBERS.contains(&key.as_str()) {
            return Err(format!("unknown member {key:?}"));
        }
    }
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .ok_or("no name")?
        .to_owned();
    let text = |key: &str| -> Result<Option<String>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => expand(s, names).map(Some),
            Some(_) => Err(format!("{key} must be a string")),
        }
    };
    let mut head_request = false;
    let steps = if let Some(raw) = text("raw")? {
        head_request = raw.starts_with("HEAD ");
        vec![Step::Send(latin1(&raw)?)]
    } else if let Some(steps) = object.get("steps") {
        let mut out = Vec::new();
        for step in steps.as_array().ok_or("steps must be an array")? {
            if let Some(send) = step.get("send").and_then(Value::as_str) {
                out.push(Step::Send(latin1(&expand(send, names)?)?));
            } else if let Some(request) = step.get("request") {
                out.push(Step::Send(structured_request(request, names)?));
            } else if let Some(ms) = step.get("sleep_ms").and_then(Value::as_u64) {
                out.push(Step::Sleep(Duration::from_millis(ms)));
            } else if step.get("shutdown") == Some(&Value::Bool(true)) {
                out.push(Step::Shutdown);
            } else {
                return Err(format!(
                    "a step is `send`, `request`, `sleep_ms` or `shutdown`: {step}"
                ));
            }
        }
        out
    } else {
        head_request = object.get("method").and_then(Value::as_str) == Some("HEAD");
        vec![Step::Send(structured_request(case, names)?)]
    };
    let mut holds = Vec::new();
    for hold in object
        .get("hold")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let count = hold.get("count").and_then(Value::as_u64).unwrap_or(1);
        let bytes = match hold.get("raw").and_then(Value::as_str) {
            Some(raw) => latin1(&expand(raw, names)?)?,
            None => structured_request(
                hold.get("request").ok_or("a hold has `raw` or `request`")?,
                names,
            )?,
        };
        for _ in 0..count {
            holds.push(bytes.clone());
        }
    }

    let expect = object.get("expect").ok_or("no expect")?;
    let within_ms = match expect.get("within_ms") {
        None => None,
        Some(v) => {
            let pair = v
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or("within_ms is [min, max]")?;
            Some((
                pair[0].as_u64().ok_or("within_ms is [min, max]")?,
                pair[1].as_u64().ok_or("within_ms is [min, max]")?,
            ))
        }
    };
    let expect = if expect.get("closed") == Some(&Value::Bool(true)) {
        Expect::Closed { within_ms }
    } else if let Some(list) = expect.get("responses") {
        Expect::Responses {
            responses: list
                .as_array()
                .ok_or("responses must be an array")?
                .iter()
                .map(|r| expand_value(r, names))
                .collect::<Result<_, _>>()?,
            within_ms,
        }
    } else {
        Expect::Responses {
            responses: vec![expand_value(expect, names)?],
            within_ms,
        }
    };
    if let Expect::Responses { responses, .. } = &expect {
        for response in responses {
            check_expectation(response)?;
        }
    }
    Ok(Case {
        name,
        surface: surface.to_owned(),
        steps,
        holds,
        after: Duration::from_millis(
            object
                .get("after_ms")
                .and_then(Value::as_u64)
                .unwrap_or(100),
        ),
        head_request,
        alone: object.get("alone") == Some(&Value::Bool(true)),
        expect,
    })
}

const EXPECT_MEMBERS: &[&str] = &[
    "status",
    "code",
    "details",
    "fields",
    "fields_count",
    "headers",
    "body",
    "json",
    "results",
    "results_each",
    "results_count",
    "empty_body",
    "html",
    "max_body_bytes",
    "informational",
    "within_ms",
    "not_contains",
    "contains",
    "outside_api",
];

fn check_expectation(expect: &Value) -> Result<(), String> {
    let object = expect.as_object().ok_or("an expectation is an object")?;
    for key in object.keys() {
        if !EXPECT_MEMBERS.contains(&key.as_str()) {
            return Err(format!("unknown expectation {key:?}"));
        }
    }
    let status = object
        .get("status")
        .and_then(Value::as_u64)
        .ok_or("an answer's expectation names its status")?;
    if let Some(code) = object.get("code").and_then(Value::as_str) {
        // The case's status is the documented one for its code (§2.6), so a typo cannot hide.
        let table = ProtocolErrorCode::from_wire(code).map(ProtocolErrorCode::status);
        if table.is_some_and(|s| u64::from(s) != status) {
            return Err(format!(
                "code {code} has status {table:?} in §2.6, not {status}"
            ));
        }
    }
    Ok(())
}

/// A request from its parts: `method` (default `POST`), `path`, `version` (default `HTTP/1.1`),
/// `headers` (pairs, in order), `extra_head` (raw header lines, after them), and a body (`body` as UTF-8, `body_bytes` as Latin-1, or
/// `chunked`: a list of chunks). `Host: demo`, `Content-Type: application/json` (for `POST`),
/// `Content-Length` and `Connection: close` are added unless the case gives its own (or
/// `content_type` is `null`, `no_host` or `keep_alive` is true).
fn structured_request(case: &Value, names: &Names) -> Result<Vec<u8>, String> {
    let method = match case.get("method") {
        Some(m) => expand(m.as_str().ok_or("method is a string")?, names)?,
        None => "POST".to_owned(),
    };
    let path = expand(
        case.get("path").and_then(Value::as_str).ok_or("no path")?,
        names,
    )?;
    let version = case
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("HTTP/1.1");
    let mut headers: Vec<(String, String)> = Vec::new();
    for pair in case
        .get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pair = pair
            .as_array()
            .filter(|p| p.len() == 2)
            .ok_or("a header is [name, value]")?;
        headers.push((
            expand(pair[0].as_str().ok_or("header name")?, names)?,
            expand(pair[1].as_str().ok_or("header value")?, names)?,
        ));
    }
    let has = |headers: &[(String, String)], name: &str| {
        headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let flag = |key: &str| case.get(key) == Some(&Value::Bool(true));
    let mut body: Option<Vec<u8>> = None;
    if let Some(text) = case.get("body").and_then(Value::as_str) {
        body = Some(expand(text, names)?.into_bytes());
    } else if let Some(text) = case.get("body_bytes").and_then(Value::as_str) {
        body = Some(latin1(&expand(text, names)?)?);
    }
    let mut chunked = None;
    if let Some(chunks) = case.get("chunked") {
        let mut out = Vec::new();
        for chunk in chunks.as_array().ok_or("chunked is a list of chunks")? {
            let bytes = latin1(&expand(
                chunk.as_str().ok_or("a chunk is a string")?,
                names,
            )?)?;
            out.extend_from_slice(format!("{:x}\r\n", bytes.len()).as_bytes());
            out.extend_from_slice(&bytes);
            out.extend_from_slice(b"\r\n");
        }
        if !flag("unfinished") {
            out.extend_from_slice(b"0\r\n\r\n");
        }
        chunked = Some(out);
    }
    if !flag("no_host") && !has(&headers, "host") {
        headers.insert(0, ("Host".to_owned(), "demo".to_owned()));
    }
    match case.get("content_type") {
        Some(Value::Null) => {}
        Some(Value::String(ct)) => headers.push(("Content-Type".to_owned(), expand(ct, names)?)),
        Some(_) => return Err("content_type is a string or null".to_owned()),
        None => {
            if method == "POST" && !has(&headers, "content-type") {
                headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
            }
        }
    }
    if chunked.is_some() {
        if !has(&headers, "transfer-encoding") {
            headers.push(("Transfer-Encoding".to_owned(), "chunked".to_owned()));
        }
    } else if let Some(body) = &body
        && !has(&headers, "content-length")
        && !has(&headers, "transfer-encoding")
    {
        headers.push(("Content-Length".to_owned(), body.len().to_string()));
    }
    if !flag("keep_alive") && !has(&headers, "connection") {
        headers.push(("Connection".to_owned(), "close".to_owned()));
    }
    let mut out = latin1(&format!("{method} {path} {version}\r\n"))?;
    for (name, value) in &headers {
        out.extend_from_slice(&latin1(&format!("{name}: {value}\r\n"))?);
    }
    if let Some(lines) = case.get("extra_head").and_then(Value::as_str) {
        out.extend_from_slice(&latin1(&expand(lines, names)?)?);
    }
    out.extend_from_slice(b"\r\n");
    if let Some(chunked) = chunked {
        out.extend_from_slice(&chunked);
    } else if let Some(body) = body {
        out.extend_from_slice(&body);
    }
    Ok(out)
}

/// Characters U+0000..U+00FF as the bytes 0x00..0xFF, so a corpus string can hold any byte.
fn latin1(text: &str) -> Result<Vec<u8>, String> {
    text.chars()
        .map(|c| {
            u8::try_from(u32::from(c))
                .map_err(|_| format!("{c:?} is not a byte: raw text is Latin-1 (\\u0000-\\u00ff)"))
        })
        .collect()
}
