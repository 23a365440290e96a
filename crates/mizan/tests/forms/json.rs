//! `<name>.schema`, `.validate` and `.submit` as JSON calls.

use axum::body::Body;
use http::{Request as HttpRequest, header};
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn schema_validate_and_submit_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let schema = call(&app, "contact.schema", json!({})).await;
    assert_eq!(schema.status, 200);
    assert_eq!(schema.json()["fields"][1]["max_length"], 254);

    let checked = call(
        &app,
        "contact.validate",
        json!({"name": "A", "email": "taken@example.com", "extra": 1}),
    )
    .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(
        paths(&checked, "fields"),
        vec![
            (
                json!(["email"]),
                "This email is already registered.".to_owned()
            ),
            (json!(["extra"]), "Unknown field.".to_owned()),
            (
                json!(["name"]),
                "Ensure this value has at least 2 characters.".to_owned()
            ),
            (json!(["topic"]), "This field is required.".to_owned()),
        ]
    );
    let ok = json!({"name": "Ada", "email": "ada@example.com", "topic": "help"});
    assert_eq!(
        call(&app, "contact.validate", ok.clone()).await.json(),
        json!({"fields": []})
    );

    let refused = call(
        &app,
        "contact.submit",
        json!({"name": "Nobody", "email": "n@example.com", "topic": "sales"}),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        paths(&refused, "fields"),
        vec![(json!([]), "Nobody may not buy.".to_owned())]
    );
    let with_file = call(&app, "contact.submit", json!({"name": "Ada", "email": "ada@example.com", "topic": "help", "attachment": {"name": "a.txt", "size": 1, "type": "text/plain"}})).await;
    assert_eq!(
        paths(&with_file, "fields"),
        vec![(json!(["attachment"]), "Upload a valid file.".to_owned())]
    );

    let done = call(&app, "contact.submit", ok).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json(), json!("Thanks, Ada!"));
}

#[tokio::test]
async fn a_call_submit_takes_json_or_multipart_only() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    // §2.13.3: the params of `submit` are JSON or the multipart body of §2.13.4; any other
    // body is refused as for every call (§2.2). A URL-encoded body is what a cross-site HTML
    // form sends without a preflight.
    let request = HttpRequest::post("/api/mizan/call/contact.submit")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=Ada&email=ada%40example.com&topic=help"))
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.status, 415, "{}", reply.body);
    assert_eq!(reply.json()["code"], "unsupported_media_type");
}
