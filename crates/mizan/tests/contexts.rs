//! Context GETs: the canonical query, canonical bodies, caching headers and 304s.

mod common;

use axum::body::Body;
use common::*;
use http::{Request as HttpRequest, header};
use serde_json::{Map, json};

fn greet_url(name: &str, rev: u64) -> String {
    let params: Map<String, serde_json::Value> =
        json!({ "name": name }).as_object().unwrap().clone();
    format!(
        "/api/mizan/context/greet?{}",
        mizan::encode_query(&params, rev).unwrap()
    )
}

#[tokio::test]
async fn local_context_has_cdn_ready_headers_and_a_canonical_body() {
    let app = app();
    let reply = get(&app, &greet_url("Ada", 0)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, br#""Hello, Ada!""#);
    assert_eq!(
        reply.header(header::CACHE_CONTROL),
        "public, max-age=0, stale-while-revalidate=300"
    );
    assert_eq!(
        reply.header(header::VARY),
        "Authorization, Cookie, X-Mizan-Schema"
    );
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/json");
    let etag = reply.header(header::ETAG);
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 45,
        "{etag}"
    );
    assert_eq!(
        get(&app, &greet_url("Ada", 3)).await.header(header::ETAG),
        etag
    );
    assert_ne!(
        get(&app, &greet_url("Grace", 0)).await.header(header::ETAG),
        etag
    );
}

#[tokio::test]
async fn global_context_output_is_canonical_json() {
    let app = app();
    let reply = get(&app, "/api/mizan/context/current_user").await;
    assert_eq!(reply.body, br#"{"id":null,"staff":false}"#);
    let request = HttpRequest::get("/api/mizan/context/current_user")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", token(Some("7"), true, false)),
        )
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.body, br#"{"id":"7","staff":true}"#);
    // A signed-in caller's data must never sit in a shared cache.
    assert_eq!(reply.header(header::CACHE_CONTROL), "private, no-cache");
}

#[tokio::test]
async fn matching_if_none_match_gives_304_without_a_body() {
    let app = app();
    let first = get(&app, &greet_url("Ada", 0)).await;
    let etag = first.header(header::ETAG).to_owned();
    let request = HttpRequest::get(greet_url("Ada", 0))
        .header(header::IF_NONE_MATCH, format!("\"other\", {etag}"))
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.status, 304);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header(header::ETAG), etag);
    assert_eq!(
        reply.header(header::CACHE_CONTROL),
        "public, max-age=0, stale-while-revalidate=300"
    );
    let stale = HttpRequest::get(greet_url("Ada", 0))
        .header(header::IF_NONE_MATCH, "\"stale\"")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, stale).await.status, 200);
}

#[tokio::test]
async fn non_canonical_urls_are_400_and_name_the_canonical_one() {
    let app = app();
    let canonical = greet_url("Ada", 0);
    let query = canonical.split_once('?').unwrap().1;
    let reply = get(
        &app,
        &format!(
            "/api/mizan/context/greet?{}",
            query.replace("%7B", "%7b").replace("%3A", "%3a")
        ),
    )
    .await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (400, "non_canonical_query")
    );
    assert_eq!(reply.json()["details"]["canonical"], query);
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    for bad in [
        "?name=Ada",
        "?",
        "?rev=0",
        "?p=%7B%22name%22%3A%22Ada%22%7D&rev=1&rev=2",
    ] {
        let reply = get(&app, &format!("/api/mizan/context/greet{bad}")).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (400, "non_canonical_query"),
            "{bad}"
        );
    }
}

/// The decoding rules of spec §2.3, through the server: what each spelling gets.
#[tokio::test]
async fn query_decoding_follows_the_spec_to_the_letter() {
    let app = app();
    const ADA: &str = "p=%7B%22name%22%3A%22Ada%22%7D";
    // (query, status, code, details.canonical if any)
    let cases: &[(&str, u16, &str, Option<&str>)] = &[
        // `+` is neither a space nor a plus: unreadable, so no canonical query to offer.
        (
            "p=%7B%22name%22%3A%22A+da%22%7D",
            400,
            "non_canonical_query",
            None,
        ),
        // Escaped, it is a plus.
        (
            "p=%7B%22name%22%3A%22A%2bda%22%7D",
            400,
            "non_canonical_query",
            Some("p=%7B%22name%22%3A%22A%2Bda%22%7D"),
        ),
        // `rev` is percent-decoded, then read as digits.
        (
            "p=%7B%22name%22%3A%22Ada%22%7D&rev=%31",
            400,
            "non_canonical_query",
            Some("p=%7B%22name%22%3A%22Ada%22%7D&rev=1"),
        ),
        // A part named twice is unreadable at its second occurrence, even with the same value.
        (
            "p=%7B%22name%22%3A%22Ada%22%7D&rev=1&rev=1",
            400,
            "non_canonical_query",
            None,
        ),
        (
            "p=%7B%22name%22%3A%22Ada%22%7D&p=%7B%22name%22%3A%22Ada%22%7D",
            400,
            "non_canonical_query",
            None,
        ),
        // Non-canonical and malformed: `p` is read before the spelling is compared.
        ("p=%7b%22name%22%3a1.5%7d", 400, "malformed_json", None),
        // An unreadable part before it decides first.
        (
            "x=1&p=%7B%22name%22%3A1.5%7D",
            400,
            "non_canonical_query",
            None,
        ),
        // Only then are the params checked against the function.
        ("p=%7B%22name%22%3A1%7D", 422, "validation_failed", None),
    ];
    for &(query, status, code, canonical) in cases {
        let reply = get(&app, &format!("/api/mizan/context/greet?{query}")).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (status, code),
            "{query}"
        );
        let details = &reply.json()["details"];
        if code == "non_canonical_query" {
            assert_eq!(details["received"], query, "{query}");
            assert_eq!(details["canonical"].as_str(), canonical, "{query}");
        }
    }
    assert_eq!(
        get(&app, &format!("/api/mizan/context/greet?{ADA}"))
            .await
            .status,
        200
    );
}

/// The query limit counts the bytes after `?`, not the `?`.
#[tokio::test]
async fn the_query_limit_counts_the_bytes_after_the_question_mark() {
    let app = app();
    let limit = mizan::Limits::default().query_bytes;
    assert_eq!(limit, 8192);
    let at_limit = format!("p={}", "A".repeat(limit - 2));
    assert_eq!(at_limit.len(), limit);
    let reply = get(&app, &format!("/api/mizan/context/greet?{at_limit}")).await;
    // Not too long: decoded, and `AAA…` is not JSON.
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (400, "malformed_json")
    );
    let reply = get(&app, &format!("/api/mizan/context/greet?{at_limit}A")).await;
    assert_eq!((reply.status, reply.code().as_str()), (414, "uri_too_long"));
}

#[tokio::test]
async fn bad_context_params_get_their_4xx() {
    let app = app();
    let reply = get(&app, "/api/mizan/context/greet").await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (422, "validation_failed")
    );
    let reply = get(&app, "/api/mizan/context/greet?p=%7B%22name%22%3A1.5%7D").await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (400, "malformed_json")
    );
    assert_eq!(reply.json()["details"]["reason"], "float_not_allowed");
    let reply = get(&app, "/api/mizan/context/greet?p=%5B%5D").await;
    assert_eq!(reply.status, 422);
    let huge = format!("/api/mizan/context/greet?p={}", "A".repeat(9000));
    let reply = get(&app, &huge).await;
    assert_eq!((reply.status, reply.code().as_str()), (414, "uri_too_long"));
    let reply = send(
        &app,
        HttpRequest::post(greet_url("Ada", 0))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (reply.status, reply.header(header::ALLOW)),
        (405, "GET, HEAD")
    );
    let reply = get(&app, "/api/mizan/context/echo").await;
    assert_eq!((reply.status, reply.header(header::ALLOW)), (405, "POST"));
    assert_eq!(get(&app, "/api/mizan/context/nope").await.status, 404);
}

#[tokio::test]
async fn state_is_shared_with_functions() {
    let app = app();
    for _ in 0..3 {
        assert_eq!(get(&app, &greet_url("Ada", 0)).await.status, 200);
    }
    let reply = get(&app, "/api/mizan/manifest").await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn manifest_describes_every_function() {
    let app = app();
    let reply = get(&app, "/api/mizan/manifest").await;
    let manifest = reply.json();
    let functions = manifest["functions"].as_array().unwrap();
    let names: Vec<&str> = functions
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    let find = |name: &str| {
        functions
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    let greet_fn = find("greet");
    assert_eq!(
        (
            greet_fn["kind"].clone(),
            greet_fn["context"].clone(),
            greet_fn["method"].clone(),
            greet_fn["path"].clone()
        ),
        (
            json!("context"),
            json!("local"),
            json!("GET"),
            json!("/context/greet")
        )
    );
    assert_eq!(greet_fn["input"]["properties"]["name"]["type"], "string");
    assert_eq!(greet_fn["input"]["additionalProperties"], false);
    assert_eq!(greet_fn["input"]["required"], json!(["name"]));
    assert_eq!(find("admin_stats")["auth"], "staff");
    assert_eq!(find("ada_only")["auth"], "custom");
    assert_eq!(find("whoami")["auth"], "authenticated");
    assert_eq!(find("current_user")["context"], "global");
    let add_fn = find("math.add");
    assert_eq!(
        (add_fn["kind"].clone(), add_fn["context"].clone()),
        (json!("call"), json!(null))
    );
    assert_eq!(add_fn["params"], json!(["a", "b", "scale"]));
    assert_eq!(add_fn["input"]["required"], json!(["a", "b"]));
    let echo_fn = find("echo");
    assert_eq!(echo_fn["output"]["properties"]["message"]["type"], "string");
    assert_eq!(
        echo_fn["output"]["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let hidden = app_with(mizan::Mizan::new(registry()).expose_manifest(false));
    assert_eq!(get(&hidden, "/api/mizan/manifest").await.status, 404);
}
