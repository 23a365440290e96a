//! The parity corpus through the real server: every case of `parity/corpus.json` is posted to its
//! function and must be accepted, or refused with `422 validation_failed` at exactly the listed
//! paths. `packages/mizan-react/test/parity.test.ts` runs the same corpus through the generated
//! Zod schemas in `parity/client/`.

mod common;
#[path = "parity/functions.rs"]
mod functions;

use axum::Router;
use mizan::Mizan;
use serde_json::Value;

fn sorted_paths(fields: &Value) -> Vec<String> {
    let mut paths: Vec<String> = fields
        .as_array()
        .map(|list| list.iter().map(|f| f["path"].to_string()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
}

#[tokio::test]
async fn the_server_accepts_and_refuses_the_corpus_at_the_listed_paths() {
    let corpus: Value = serde_json::from_str(include_str!("parity/corpus.json")).unwrap();
    let cases = corpus["cases"].as_array().unwrap();
    assert!(cases.len() >= 120, "the corpus has {} cases", cases.len());
    let app: Router = Router::new().nest("/api/mizan", Mizan::new(functions::registry()).router());
    let mut failures = Vec::new();
    for case in cases {
        let path = format!("/api/mizan/call/{}", case["fn"].as_str().unwrap());
        let reply = common::post(&app, &path, &case["params"].to_string()).await;
        let expected: Vec<Value> = case["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| serde_json::json!({ "path": p }))
            .collect();
        let expected = sorted_paths(&Value::Array(expected));
        let got = match reply.status {
            200 => Vec::new(),
            422 if reply.code() == "validation_failed" => sorted_paths(&reply.json()["fields"]),
            status => vec![format!(
                "status {status}: {}",
                String::from_utf8_lossy(&reply.body)
            )],
        };
        if got != expected || (expected.is_empty() && reply.status != 200) {
            failures.push(format!(
                "{} / {}: expected {expected:?}, got {got:?}",
                case["fn"], case["note"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
