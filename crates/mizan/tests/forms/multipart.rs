//! Multipart submits: files streamed, refused while reading, handed over only where they were checked.

use axum::body::Body;
use http::{Request as HttpRequest, header};
use serde_json::json;

use super::common::*;

#[tokio::test]
async fn multipart_submits_stream_files_and_refuse_them_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let post = |content_type: String, body: Vec<u8>| {
        HttpRequest::post("/api/mizan/call/contact.submit")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let values = br#"{"name":"Grace","email":"grace@example.com","topic":"sales"}"#;
    let (ct, body) = multipart(&[
        ("__values", None, values),
        ("attachment", Some(("notes.txt", "text/plain")), b"hello"),
    ]);
    let reply = send(&app, post(ct, body)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let seen = SUBMITTED
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|(n, _)| n == "Grace")
        .cloned()
        .unwrap();
    assert_eq!(seen.1, Some(("notes.txt".to_owned(), 5, true)));
    assert_eq!(
        files_in(dir.path()),
        0,
        "the upload is deleted after the request"
    );

    let big = vec![b'x'; 1001];
    let (ct, body) = multipart(&[
        ("__values", None, values),
        ("attachment", Some(("big.txt", "text/plain")), &big),
    ]);
    let reply = send(&app, post(ct, body)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        paths(&reply, "fields"),
        vec![(
            json!(["attachment"]),
            "Ensure this file is at most 1000 bytes.".to_owned()
        )]
    );

    let (ct, body) = multipart(&[
        ("__values", None, values),
        ("attachment", Some(("x.pdf", "application/pdf")), b"%PDF"),
    ]);
    let reply = send(&app, post(ct, body)).await;
    assert_eq!(
        paths(&reply, "fields"),
        vec![(
            json!(["attachment"]),
            "This file type is not allowed.".to_owned()
        )]
    );

    let (ct, mut body) = multipart(&[
        ("__values", None, values),
        ("attachment", Some(("a.txt", "text/plain")), b"abc"),
    ]);
    body.truncate(body.len() - 20);
    let reply = send(&app, post(ct, body)).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["code"], "malformed_multipart");
    assert_eq!(reply.json()["details"]["reason"], "incomplete");

    let (ct, body) = multipart(&[("name", None, b"Al"), ("__values", None, values)]);
    let reply = send(&app, post(ct, body)).await;
    assert_eq!(reply.json()["details"]["reason"], "values");
    assert_eq!(
        files_in(dir.path()),
        0,
        "no upload is left behind by a failed submit"
    );
}

#[tokio::test]
async fn a_file_the_client_only_described_in_values_is_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let values = br#"{"name":"Described","email":"d@example.com","topic":"help","attachment":{"name":"x.txt","size":3,"type":"text/plain"}}"#;
    let (ct, body) = multipart(&[("__values", None, values)]);
    let request = HttpRequest::post("/api/mizan/call/contact.submit")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let seen = SUBMITTED
        .lock()
        .unwrap()
        .iter()
        .find(|(n, _)| n == "Described")
        .cloned()
        .unwrap();
    assert_eq!(
        seen.1, None,
        "the handler never sees a file that did not arrive"
    );
}
