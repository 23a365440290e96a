//! Hostile params: mutations of the parity corpus's own inputs (values swapped for values of
//! other types, deep and wide nesting, huge strings and numbers, odd keys) never get anything but
//! `200` or a well-formed `422`, and a flood of bad fields gets a small answer.

mod common;
#[path = "parity/functions.rs"]
mod functions;

use axum::Router;
use mizan::Mizan;
use serde_json::{Map, Value, json};

/// A small deterministic generator, so a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

fn hostile_value(rng: &mut XorShift, depth: usize) -> Value {
    match rng.below(if depth > 6 { 9 } else { 12 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(-9_007_199_254_740_991_i64),
        3 => json!(9_007_199_254_740_991_u64),
        4 => json!(0.5),
        5 => json!("18446744073709551616"),
        6 => json!("😀".repeat(rng.below(40))),
        7 => json!("\u{0}\u{1f}é\u{301}\\\"".repeat(rng.below(5))),
        8 => json!("x".repeat(rng.below(3) * 5_000)),
        9 => Value::Array(
            (0..rng.below(5))
                .map(|_| hostile_value(rng, depth + 1))
                .collect(),
        ),
        10 | 11 => {
            let mut map = Map::new();
            for _ in 0..rng.below(5) {
                let key = [
                    "",
                    "x",
                    "__proto__",
                    "constructor",
                    "0",
                    "tags",
                    "title",
                    "kind",
                ][rng.below(8)];
                map.insert(key.to_owned(), hostile_value(rng, depth + 1));
            }
            Value::Object(map)
        }
        _ => unreachable!("below() stays below its bound"),
    }
}

/// Replaces one value somewhere in `value` with a hostile one.
fn mutate(rng: &mut XorShift, value: &mut Value, depth: usize) {
    let descend = depth < 8 && rng.below(3) != 0;
    match value {
        Value::Object(map) if descend && !map.is_empty() => {
            let key = map
                .keys()
                .nth(rng.below(map.len()))
                .cloned()
                .unwrap_or_default();
            if let Some(inner) = map.get_mut(&key) {
                mutate(rng, inner, depth + 1);
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            mutate(rng, &mut items[i], depth + 1);
        }
        _ => *value = hostile_value(rng, depth),
    }
}

#[tokio::test]
async fn mutated_corpus_inputs_get_200_or_a_well_formed_422() {
    let corpus: Value = serde_json::from_str(include_str!("parity/corpus.json")).unwrap();
    let cases = corpus["cases"].as_array().unwrap();
    let app: Router = Router::new().merge(Mizan::new(functions::registry()).router("/api/mizan"));
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..5_000 {
        let case = &cases[rng.below(cases.len())];
        let mut params = case["params"].clone();
        for _ in 0..=rng.below(3) {
            mutate(&mut rng, &mut params, 0);
        }
        let body = params.to_string();
        let path = format!("/api/mizan/call/{}", case["fn"].as_str().unwrap());
        let reply = common::post(&app, &path, &body).await;
        match reply.status {
            200 => {}
            400 | 422 => {
                let error = reply.json();
                assert_eq!(error["status"], reply.status, "round {round}: {body}");
                if reply.status == 422 && params.is_object() {
                    let fields = error["fields"]
                        .as_array()
                        .unwrap_or_else(|| panic!("round {round}: no fields for {body}: {error}"));
                    assert!(
                        !fields.is_empty() && fields.len() <= 100,
                        "round {round}: {body}"
                    );
                    for field in fields {
                        assert!(field["path"].is_array() && field["message"].is_string());
                    }
                }
            }
            other => panic!(
                "round {round}: {other} for {body}: {}",
                String::from_utf8_lossy(&reply.body)
            ),
        }
    }
}

#[tokio::test]
async fn a_flood_of_bad_fields_is_reported_as_the_first_hundred() {
    let app = common::app();
    // About 1 MiB of unknown members: the answer stays small and comes at once.
    let members: Vec<String> = (0..60_000).map(|i| format!("\"k{i}\":0")).collect();
    let body = format!("{{\"text\":\"hi\",{}}}", members.join(","));
    let reply = common::post(&app, "/api/mizan/call/echo", &body).await;
    assert_eq!(reply.status, 422);
    let json = reply.json();
    assert_eq!(json["fields"].as_array().unwrap().len(), 100);
    assert_eq!(json["fields"][0]["path"], serde_json::json!(["k0"]));
    assert_eq!(json["details"]["truncated"], true);
    assert!(reply.body.len() < 16 << 10, "{} bytes", reply.body.len());

    let reply = common::post(&app, "/api/mizan/call/echo", r#"{"text":"hi","a":1,"b":2}"#).await;
    assert_eq!(
        reply.json().get("details"),
        None,
        "no truncation under the cap"
    );
}
