//! The channel cases of the corpus (`hostile/channels/*.json`, spec §2.15): each opens its own
//! WebSocket to the demo (or has its upgrade refused), sends its frames exactly as written, and
//! is held to the frames and the close code the spec documents. A bystander socket subscribed
//! to a room for the whole run must still receive a message published after the last case, and
//! the demo must still answer: a hostile socket never harms the others.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::common::ws::{self, Frame, Socket, Upgrade};
use crate::corpus::Names;
use crate::demo::Demo;
use crate::macros::{expand, expand_value};
use crate::tokens::make_token;

/// One channel case, as read from the corpus.
struct WsCase {
    name: String,
    value: Value,
}

/// Every case of `hostile/channels/*.json`, with the tokens those files define.
fn load(sessions: &BTreeMap<String, String>) -> (Vec<WsCase>, Names) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile/channels");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut names = Names {
        sessions: sessions.clone(),
        ..Names::default()
    };
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let document: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (name, recipe) in document["tokens"].as_object().into_iter().flatten() {
            let token = make_token(recipe, now).unwrap_or_else(|e| panic!("token {name}: {e}"));
            names.tokens.insert(name.clone(), token);
        }
        for case in document["cases"].as_array().expect("cases") {
            let name = case["name"].as_str().expect("a case has a name").to_owned();
            for (i, variant) in variants(case).into_iter().enumerate() {
                let name = if case.get("each").is_some() {
                    format!("{name} [{i}]")
                } else {
                    name.clone()
                };
                cases.push(WsCase {
                    name,
                    value: variant,
                });
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for case in &cases {
        assert!(seen.insert(case.name.clone()), "case {:?} twice", case.name);
    }
    (cases, names)
}

/// A case with `each` is one case per entry, with `{{VAR}}` in its strings replaced by the
/// entry's members.
fn variants(case: &Value) -> Vec<Value> {
    let Some(each) = case.get("each").and_then(Value::as_array) else {
        return vec![case.clone()];
    };
    each.iter()
        .map(|vars| {
            let mut text = case.to_string();
            for (key, value) in vars.as_object().expect("each entry is an object") {
                let replacement = match value {
                    Value::String(s) => serde_json::to_string(s)
                        .unwrap()
                        .trim_matches('"')
                        .to_owned(),
                    other => other.to_string(),
                };
                text = text.replace(&format!("{{{{{key}}}}}"), &replacement);
            }
            serde_json::from_str(&text).expect("a variant is JSON")
        })
        .collect()
}

/// Runs every channel case against `demo`; the failures, one line each.
pub(crate) async fn run(demo: &Demo) -> Vec<String> {
    let (cases, names) = load(&demo.sessions);
    assert!(cases.len() >= 40, "only {} channel cases", cases.len());
    let mut bystander = ws::connect(&demo.addr, &[]).await.open();
    bystander.expect_type("welcome").await;
    bystander
        .send_json(
            &json!({"type":"subscribe","id":"b","channel":"chat","params":{"room":"bystander"}}),
        )
        .await;
    bystander.expect_type("subscribed").await;

    let mut failures = Vec::new();
    for chunk in cases.chunks(8) {
        let outcomes = join_all(chunk.iter().map(|case| run_case(demo, case, &names))).await;
        for (case, outcome) in chunk.iter().zip(outcomes) {
            if let Err(why) = outcome {
                failures.push(format!("{}: {why}", case.name));
            }
        }
    }
    println!("hostile corpus: {} channel cases", cases.len());

    // The bystander still receives: a staff announcement through the HTTP API.
    let body = r#"{"room":"bystander","text":"still here"}"#;
    let raw = format!(
        "POST /api/mizan/call/chat.announce HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        names
            .tokens
            .get("ws_grace")
            .expect("the corpus defines ws_grace"),
        body.len()
    );
    let (status, _, answer) = crate::common::request(&demo.addr, raw).await;
    if status != 200 {
        failures.push(format!("chat.announce after the corpus: {status} {answer}"));
    } else {
        let message = bystander.expect_type("message").await;
        if message["data"]["text"] != "still here" {
            failures.push(format!("the bystander got {message}"));
        }
    }
    failures
}

async fn run_case(demo: &Demo, case: &WsCase, names: &Names) -> Result<(), String> {
    tokio::time::timeout(
        Duration::from_secs(10),
        run_case_inner(demo, &case.value, names),
    )
    .await
    .map_err(|_| "took over 10 s".to_owned())?
}

async fn run_case_inner(demo: &Demo, case: &Value, names: &Names) -> Result<(), String> {
    let headers: Vec<(String, String)> = case["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            let name = pair[0].as_str().unwrap_or_default().to_owned();
            let value = expand(
                &pair[1]
                    .as_str()
                    .unwrap_or_default()
                    .replace("{{host}}", &demo.addr),
                names,
            );
            value.map(|v| (name, v))
        })
        .collect::<Result<_, _>>()?;
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let path = case["path"].as_str().unwrap_or("/api/mizan/ws");

    if let Some(raw) = case.get("raw_request").and_then(Value::as_str) {
        let raw = expand(raw, names)?;
        let (status, head, body) = crate::common::request(&demo.addr, raw).await;
        return check_refusal(&case["refused"], status, &head, &body);
    }
    let mut socket = match ws::connect_path(&demo.addr, path, &header_refs).await {
        Upgrade::Refused { status, head, body } => {
            return check_refusal(&case["refused"], status, &head, &body);
        }
        Upgrade::Open(socket) => socket,
    };
    if case.get("refused").is_some() {
        return Err("the upgrade was accepted".into());
    }
    let welcome = socket.next_json().await;
    if welcome["type"] != "welcome" {
        return Err(format!("first frame {welcome}"));
    }
    for step in case["send"].as_array().into_iter().flatten() {
        send_step(&mut socket, step, names).await?;
    }
    for expected in case["expect"].as_array().into_iter().flatten() {
        let got = next_interesting(&mut socket, expected).await?;
        matches(expected, &got)?;
    }
    match case.get("close").and_then(Value::as_u64) {
        Some(code) => {
            let got = socket.closed_within(Duration::from_secs(5)).await;
            if got != Some(code as u16) {
                return Err(format!("closed with {got:?}, not {code}"));
            }
        }
        None => {
            socket.send_json(&json!({"type": "ping"})).await;
            let pong = next_interesting(&mut socket, &json!({"type": "pong"})).await?;
            if pong["type"] != "pong" {
                return Err(format!("after the case, ping got {pong}"));
            }
            socket.close(1000).await;
        }
    }
    Ok(())
}

/// The next frame worth comparing with `expected`: server pings are answered and skipped, and
/// `message` frames skipped unless one is expected.
async fn next_interesting(socket: &mut Socket, expected: &Value) -> Result<Value, String> {
    loop {
        match socket.next_within(Duration::from_secs(5)).await {
            Some(Frame::Json(v)) if v["type"] == "ping" => {
                socket.send_json(&json!({"type": "pong"})).await;
            }
            Some(Frame::Json(v)) if v["type"] == "message" && expected["type"] != "message" => {}
            Some(Frame::Json(v)) => return Ok(v),
            other => return Err(format!("expected {expected}, got {other:?}")),
        }
    }
}

/// Compares the members a case names: `type`, `id`, `ref`, `reason`, and for errors `code`,
/// `reason` (`details.reason`) and `fields` (their paths).
fn matches(expected: &Value, got: &Value) -> Result<(), String> {
    let fail = || Err(format!("expected {expected}, got {got}"));
    for member in ["type", "id", "ref"] {
        match expected.get(member) {
            Some(Value::Null) if got.get(member).is_some() => return fail(),
            Some(Value::Null) | None => {}
            Some(want) if got.get(member) != Some(want) => return fail(),
            Some(_) => {}
        }
    }
    if expected["type"] == "error" || expected["type"] == "unsubscribed" {
        let error = &got["error"];
        if let Some(code) = expected.get("code")
            && &error["code"] != code
        {
            return fail();
        }
        if let Some(reason) = expected.get("error_reason")
            && &error["details"]["reason"] != reason
        {
            return fail();
        }
        if let Some(paths) = expected.get("fields") {
            let got_paths: Vec<&Value> = error["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| &f["path"])
                .collect();
            let want: Vec<&Value> = paths.as_array().into_iter().flatten().collect();
            if got_paths != want {
                return fail();
            }
        }
        let status_ok = error["status"].is_u64() && error["message"].is_string();
        if expected["type"] == "error" && !status_ok {
            return Err(format!("an error frame without status and message: {got}"));
        }
    }
    if let Some(reason) = expected.get("reason")
        && got.get("reason") != Some(reason)
    {
        return fail();
    }
    Ok(())
}

async fn send_step(socket: &mut Socket, step: &Value, names: &Names) -> Result<(), String> {
    if let Some(ms) = step.get("sleep_ms").and_then(Value::as_u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        return Ok(());
    }
    let repeat = step.get("repeat").and_then(Value::as_u64).unwrap_or(1);
    let mut bytes = Vec::new();
    for i in 0..repeat {
        if let Some(value) = step.get("json") {
            let numbered: Value =
                serde_json::from_str(&value.to_string().replace("{{i}}", &i.to_string()))
                    .map_err(|e| e.to_string())?;
            let text = expand_value(&numbered, names)?.to_string();
            bytes.extend(ws::encode(true, ws::TEXT, text.as_bytes()));
        } else if let Some(text) = step.get("text").and_then(Value::as_str) {
            let text = expand(text, names)?;
            bytes.extend(ws::encode(true, ws::TEXT, text.as_bytes()));
        } else if let Some(hex) = step.get("frame_hex").and_then(Value::as_str) {
            // Raw bytes on the wire, not a frame built here (an unmasked frame, garbage).
            bytes.extend(mizan::core::hex::decode(hex).ok_or("bad frame_hex")?);
        } else if let Some(hex) = step.get("payload_hex").and_then(Value::as_str) {
            let payload = mizan::core::hex::decode(hex).ok_or("bad payload_hex")?;
            let opcode = step.get("opcode").and_then(Value::as_u64).unwrap_or(1) as u8;
            let fin = step.get("fin").and_then(Value::as_bool).unwrap_or(true);
            bytes.extend(ws::encode(fin, opcode, &payload));
        } else if let Some(size) = step.get("text_of_size").and_then(Value::as_u64) {
            let opcode = step.get("opcode").and_then(Value::as_u64).unwrap_or(1) as u8;
            let fin = step.get("fin").and_then(Value::as_bool).unwrap_or(true);
            bytes.extend(ws::encode(fin, opcode, &vec![b'a'; size as usize]));
        } else {
            return Err(format!("a step of no known kind: {step}"));
        }
    }
    socket.send_raw(&bytes).await;
    Ok(())
}

fn check_refusal(expected: &Value, status: u16, head: &str, body: &str) -> Result<(), String> {
    if expected.is_null() {
        return Err(format!("the upgrade was refused: {status} {body}"));
    }
    if Some(u64::from(status)) != expected["status"].as_u64() {
        return Err(format!(
            "status {status}, not {}: {body}",
            expected["status"]
        ));
    }
    if !head.contains("content-type: application/json") {
        return Err(format!("a refusal without a JSON body: {head}"));
    }
    let error: Value = serde_json::from_str(body).map_err(|e| format!("{e}: {body}"))?;
    if let Some(code) = expected.get("code")
        && &error["code"] != code
    {
        return Err(format!("code {}, not {code}", error["code"]));
    }
    if let Some(reason) = expected.get("reason")
        && &error["details"]["reason"] != reason
    {
        return Err(format!(
            "reason {}, not {reason}",
            error["details"]["reason"]
        ));
    }
    if let Some(allow) = expected.get("allow").and_then(Value::as_str)
        && !head.contains(&format!("allow: {}", allow.to_lowercase()))
    {
        return Err(format!("no `Allow: {allow}` in {head}"));
    }
    Ok(())
}
