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
    let app: Router = Router::new().merge(Mizan::new(functions::registry()).router("/api/mizan"));
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

/// A context whose param has a length limit.
#[mizan::client(context = "local")]
fn headline(_req: &mizan::Request, title: functions::Title) -> mizan::Result<bool> {
    let _ = title;
    Ok(true)
}

#[tokio::test]
async fn context_and_batch_params_are_checked_the_same_way() {
    let mut registry = functions::registry();
    registry.register(headline, "headline").unwrap();
    let app: Router = Router::new().merge(Mizan::new(registry).router("/api/mizan"));
    let url = |title: &str| {
        let params = serde_json::json!({ "title": title });
        format!(
            "/api/mizan/context/headline?{}",
            mizan::encode_query(params.as_object().unwrap(), 0).unwrap()
        )
    };
    assert_eq!(common::get(&app, &url(&"😀".repeat(10))).await.status, 200);
    let reply = common::get(&app, &url(&"😀".repeat(11))).await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (422, "validation_failed")
    );
    assert_eq!(
        reply.json()["fields"][0]["path"],
        serde_json::json!(["title"])
    );
    let batch = serde_json::json!({"calls": [
        {"fn": "strings", "params": {"title": "ok", "slug": "ok", "code": "A"}},
        {"fn": "strings", "params": {"title": "ok", "slug": "ok", "code": "A", "nickname": ""}},
    ]});
    let reply = common::post(&app, "/api/mizan/batch", &batch.to_string()).await;
    let results = &reply.json()["results"];
    assert_eq!(results[0]["ok"], true, "{results}");
    assert_eq!(
        results[1]["error"]["fields"][0]["path"],
        serde_json::json!(["nickname"]),
        "{results}"
    );
}
