//! The expectation checks: an answer held to its case's status, headers and body, and to the
//! error shape of §2.6.

use mizan::core::ProtocolErrorCode;
use serde_json::Value;

use crate::wire::{Response, find, preview};

/// The members an error body may have (§2.6): always `code`, `message`, `status`; `fields` and
/// `details` only when the case expects them.
const ERROR_MEMBERS: &[&str] = &["code", "message", "status", "fields", "details"];

pub(crate) fn check_response(
    expect: &Value,
    response: &Response,
    head_request: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    let status = expect["status"].as_u64().unwrap_or(0);
    if u64::from(response.status) != status {
        problems.push(format!(
            "status {}, expected {status}; body {:?}",
            response.status,
            preview(&response.body)
        ));
        return problems;
    }
    let single = |name: &str| -> Result<&str, String> {
        match response.header_values(name).as_slice() {
            [one] => Ok(one),
            [] => Err(format!("no {name} header")),
            many => Err(format!("{} {name} headers: {many:?}", many.len())),
        }
    };
    let need_header = |name: &str, value: &str, problems: &mut Vec<String>| match single(name) {
        Ok(v) if v == value => {}
        Ok(v) => problems.push(format!("{name}: {v:?}, expected {value:?}")),
        Err(e) => problems.push(e),
    };
    // Every answer of the API (and the HTML shell) carries nosniff (§2.11): every JSON answer and
    // every page, unless the case is about what the demo serves outside the API.
    let outside_api = expect.get("outside_api") == Some(&Value::Bool(true));
    if !outside_api
        && response
            .header_values("content-type")
            .iter()
            .any(|v| v.starts_with("application/json") || v.starts_with("text/html"))
    {
        need_header("x-content-type-options", "nosniff", &mut problems);
    }
    if let Some(code) = expect.get("code").and_then(Value::as_str) {
        need_header("content-type", "application/json", &mut problems);
        need_header("cache-control", "no-store", &mut problems);
        match status {
            401 => need_header("www-authenticate", "Bearer", &mut problems),
            405 if response.header_values("allow").is_empty() => {
                problems.push("a 405 without Allow".to_owned());
            }
            // §2.11: the rest of the body was never read, so the connection is closed.
            408 => need_header("connection", "close", &mut problems),
            503 => {
                need_header("retry-after", "1", &mut problems);
                need_header("connection", "close", &mut problems);
            }
            _ => {}
        }
        if head_request {
            if !response.body.is_empty() {
                problems.push("a HEAD answer with a body".to_owned());
            }
        } else {
            match serde_json::from_slice::<Value>(&response.body) {
                Ok(body) => problems.extend(check_error(expect, &body, code, status)),
                Err(e) => problems.push(format!(
                    "the error body is not JSON ({e}): {:?}",
                    preview(&response.body)
                )),
            }
        }
    }
    if let Some(headers) = expect.get("headers").and_then(Value::as_object) {
        for (name, value) in headers {
            match value {
                Value::Null => {
                    if !response.header_values(name).is_empty() {
                        problems.push(format!(
                            "a {name} header {:?}, expected none",
                            response.header_values(name)
                        ));
                    }
                }
                Value::String(value) => need_header(name, value, &mut problems),
                _ => problems.push(format!("header {name}: the corpus gives a non-string")),
            }
        }
    }
    if let Some(body) = expect.get("body").and_then(Value::as_str)
        && response.body != body.as_bytes()
    {
        problems.push(format!(
            "body {:?}, expected {body:?}",
            preview(&response.body)
        ));
    }
    if expect.get("empty_body") == Some(&Value::Bool(true)) && !response.body.is_empty() {
        problems.push(format!("body {:?}, expected none", preview(&response.body)));
    }
    if let Some(max) = expect.get("max_body_bytes").and_then(Value::as_u64)
        && response.body.len() as u64 > max
    {
        problems.push(format!(
            "a body of {} bytes, over {max}",
            response.body.len()
        ));
    }
    if let Some(needles) = expect.get("not_contains").and_then(Value::as_array) {
        for needle in needles.iter().filter_map(Value::as_str) {
            if find(&response.body, needle.as_bytes()).is_some() {
                problems.push(format!("the body contains {needle:?}"));
            }
        }
    }
    if let Some(needles) = expect.get("contains").and_then(Value::as_array) {
        for needle in needles.iter().filter_map(Value::as_str) {
            if find(&response.body, needle.as_bytes()).is_none() {
                problems.push(format!("the body does not contain {needle:?}"));
            }
        }
    }
    if expect.get("html") == Some(&Value::Bool(true)) {
        match single("content-type") {
            Ok(v) if v.starts_with("text/html") => {}
            other => problems.push(format!("expected the HTML page, content-type {other:?}")),
        }
    }
    let body_json = || serde_json::from_slice::<Value>(&response.body);
    if let Some(wanted) = expect.get("json") {
        match body_json() {
            Ok(got) => {
                if let Err(e) = matches(wanted, &got, "$") {
                    problems.push(format!("body {got}: {e}"));
                }
            }
            Err(e) => problems.push(format!("the body is not JSON: {e}")),
        }
    }
    let results: Option<Vec<Value>> = match (
        expect.get("results").and_then(Value::as_array),
        expect.get("results_each"),
        expect.get("results_count").and_then(Value::as_u64),
    ) {
        (Some(results), _, _) => Some(results.clone()),
        (None, Some(each), Some(count)) => {
            Some(vec![each.clone(); usize::try_from(count).unwrap_or(0)])
        }
        _ => None,
    };
    if let Some(results) = results {
        match body_json() {
            Ok(got) => problems.extend(check_results(&results, &got)),
            Err(e) => problems.push(format!("the batch answer is not JSON: {e}")),
        }
    }
    problems
}

/// An error object (§2.6): `code`, `message`, `status` and, exactly when expected, `fields` and
/// `details`.
fn check_error(expect: &Value, body: &Value, code: &str, status: u64) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(object) = body.as_object() else {
        return vec![format!("the error is not an object: {body}")];
    };
    for key in object.keys() {
        if !ERROR_MEMBERS.contains(&key.as_str()) {
            problems.push(format!(
                "the error has the undocumented member {key:?}: {body}"
            ));
        }
    }
    if object.get("code").and_then(Value::as_str) != Some(code) {
        problems.push(format!(
            "code {:?}, expected {code:?}: {body}",
            object.get("code")
        ));
    }
    if object.get("status").and_then(Value::as_u64) != Some(status) {
        problems.push(format!(
            "status member {:?}, expected {status}",
            object.get("status")
        ));
    }
    match object.get("message").and_then(Value::as_str) {
        Some(m) if !m.is_empty() => {
            if code == "internal" && m != "internal error" {
                problems.push(format!("an internal error with the message {m:?}"));
            }
        }
        _ => problems.push(format!("no message: {body}")),
    }
    match (expect.get("details"), object.get("details")) {
        (None, None) => {}
        (Some(wanted), Some(got)) => {
            if let Err(e) = matches(wanted, got, "details") {
                problems.push(format!("details {got}: {e}"));
            }
        }
        (None, Some(got)) => problems.push(format!("unexpected details {got}")),
        (Some(wanted), None) => problems.push(format!("no details, expected {wanted}")),
    }
    let fields_expected = expect.get("fields").is_some() || expect.get("fields_count").is_some();
    match object.get("fields") {
        None if fields_expected => problems.push(format!("no fields: {body}")),
        None => {}
        Some(_) if !fields_expected => {
            problems.push(format!("unexpected fields: {body}"));
        }
        Some(got) => problems.extend(check_fields(expect, got)),
    }
    problems
}

/// `fields`: each entry exactly `path` and `message`; the paths (and messages, where the case
/// gives them) as expected, in any order.
fn check_fields(expect: &Value, got: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(entries) = got.as_array() else {
        return vec![format!("fields is not an array: {got}")];
    };
    for entry in entries {
        let valid = entry.as_object().is_some_and(|e| {
            e.len() == 2
                && e.get("path").is_some_and(|p| {
                    p.as_array()
                        .is_some_and(|p| p.iter().all(|s| s.is_string() || s.as_u64().is_some()))
                })
                && e.get("message")
                    .and_then(Value::as_str)
                    .is_some_and(|m| !m.is_empty())
        });
        if !valid {
            problems.push(format!(
                "a field entry that is not {{path, message}}: {entry}"
            ));
        }
    }
    if let Some(count) = expect.get("fields_count").and_then(Value::as_u64)
        && entries.len() as u64 != count
    {
        problems.push(format!("{} field entries, expected {count}", entries.len()));
    }
    if let Some(wanted) = expect.get("fields").and_then(Value::as_array) {
        if wanted.len() != entries.len() {
            problems.push(format!(
                "fields {got}, expected {}",
                Value::Array(wanted.clone())
            ));
            return problems;
        }
        for item in wanted {
            let (path, message) = match item {
                Value::Array(_) => (item, None),
                _ => (&item["path"], item.get("message")),
            };
            let found = entries
                .iter()
                .any(|e| &e["path"] == path && message.is_none_or(|m| e.get("message") == Some(m)));
            if !found {
                problems.push(format!("no field entry {item} in {got}"));
            }
        }
    }
    problems
}

/// A batch answer: exactly `results`, one item per call, each `{ok: true, data}` or
/// `{ok: false, error}` as expected.
fn check_results(wanted: &[Value], got: &Value) -> Vec<String> {
    let results = match got.as_object() {
        Some(o) if o.len() == 1 => o.get("results").and_then(Value::as_array),
        _ => None,
    };
    let Some(results) = results else {
        return vec![format!(
            "a batch answer is exactly {{\"results\": [...]}}: {got}"
        )];
    };
    if results.len() != wanted.len() {
        return vec![format!(
            "{} results, expected {}: {got}",
            results.len(),
            wanted.len()
        )];
    }
    let mut problems = Vec::new();
    for (i, (want, item)) in wanted.iter().zip(results).enumerate() {
        let keys: Vec<&str> = item
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if want.get("ok") == Some(&Value::Bool(true)) {
            let well_formed = item["ok"] == true && keys.len() == 2 && keys.contains(&"data");
            if !well_formed {
                problems.push(format!(
                    "result {i}: expected {{ok: true, data}}, got {item}"
                ));
            } else if let Some(data) = want.get("data")
                && let Err(e) = matches(data, &item["data"], "data")
            {
                problems.push(format!("result {i}: {e}"));
            }
            continue;
        }
        if item["ok"] != false || keys.len() != 2 || !keys.contains(&"error") {
            problems.push(format!(
                "result {i}: expected {{ok: false, error}}, got {item}"
            ));
            continue;
        }
        let code = want["code"].as_str().unwrap_or_default();
        let status = u64::from(
            ProtocolErrorCode::from_wire(code)
                .map(ProtocolErrorCode::status)
                .unwrap_or(0),
        );
        for problem in check_error(want, &item["error"], code, status) {
            problems.push(format!("result {i}: {problem}"));
        }
    }
    problems
}

/// JSON equality, where the string `"$any"` matches any value.
fn matches(wanted: &Value, got: &Value, at: &str) -> Result<(), String> {
    match (wanted, got) {
        (Value::String(w), _) if w == "$any" => Ok(()),
        (Value::Object(w), Value::Object(g)) => {
            if w.len() != g.len() || w.keys().any(|k| !g.contains_key(k)) {
                return Err(format!(
                    "{at}: members {:?}, expected {:?}",
                    g.keys().collect::<Vec<_>>(),
                    w.keys().collect::<Vec<_>>()
                ));
            }
            for (k, v) in w {
                matches(v, &g[k], &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                return Err(format!("{at}: {} items, expected {}", g.len(), w.len()));
            }
            for (i, (w, g)) in w.iter().zip(g).enumerate() {
                matches(w, g, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        _ if wanted == got => Ok(()),
        _ => Err(format!("{at}: {got}, expected {wanted}")),
    }
}
