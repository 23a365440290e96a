//! Repeated rows: each file reaches its own row, and a post of very many rows costs little.

use std::path::Path;
use std::sync::Mutex;

use axum::Router;
use axum::body::Body;
use http::{Request as HttpRequest, header};
use mizan::forms::{FieldKind, FieldSpec, Form, FormFields, FormHandler, FormSpec, Upload};
use mizan::{Mizan, Registry, Request, Result};
use serde::Deserialize;
use serde_json::json;

use super::common::*;

#[derive(Deserialize)]
struct Item {
    qty: Option<i64>,
    doc: Option<Upload>,
}

#[derive(Deserialize)]
struct Meta {
    #[allow(dead_code)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Order {
    items: Vec<Item>,
    #[allow(dead_code)]
    meta: Option<Meta>,
}

/// Per submit of `Order`: each row's quantity and file name.
type OrderSeen = Vec<(Option<i64>, Option<String>)>;

static ORDERS: Mutex<Vec<OrderSeen>> = Mutex::new(Vec::new());

impl FormFields for Order {
    fn fields() -> Vec<FieldSpec> {
        let mut qty = FieldSpec::new("qty", FieldKind::Integer, "Qty");
        qty.required = false;
        let mut doc = FieldSpec::new("doc", FieldKind::File, "Doc");
        doc.required = false;
        doc.max_size = Some(100);
        let mut note = FieldSpec::new("note", FieldKind::Text, "Note");
        note.required = false;
        let mut items = FieldSpec::new("items", FieldKind::Rows, "Items");
        items.required = false;
        items.fields = Some(vec![qty, doc, note]);
        // A group whose members happen to be those of a file's description.
        let mut meta = FieldSpec::new("meta", FieldKind::Group, "Meta");
        meta.required = false;
        let mut size = FieldSpec::new("size", FieldKind::Integer, "Size");
        size.required = false;
        let mut kind = FieldSpec::new("type", FieldKind::Text, "Type");
        kind.required = false;
        let mut name = FieldSpec::new("name", FieldKind::Text, "Name");
        name.required = false;
        meta.fields = Some(vec![name, size, kind]);
        vec![items, meta]
    }
}

impl Form for Order {
    fn spec() -> FormSpec {
        let mut spec = FormSpec::new("order", "Order", Self::fields());
        spec.redirect = Some("/ordered".into());
        spec
    }
}

impl FormHandler for Order {
    type Output = String;
    async fn submit(self, _request: &Request) -> Result<String> {
        let rows = self
            .items
            .iter()
            .map(|item| {
                let file = item.doc.as_ref().map(|u| {
                    assert!(
                        u.path().is_some(),
                        "an Upload without a file reached submit"
                    );
                    u.file_name().to_owned()
                });
                (item.qty, file)
            })
            .collect();
        ORDERS.lock().unwrap().push(rows);
        Ok("ordered".to_owned())
    }
}

fn order_app(upload_dir: &Path) -> Router {
    let mut registry = Registry::new();
    registry.form::<Order>().unwrap();
    registry.form::<Contact>().unwrap();
    let (api, shell) = Mizan::new(registry)
        .upload_dir(upload_dir)
        .router_with_shell(
            "/api/mizan",
            "<html><head></head><body><div id=\"root\"></div></body></html>",
        );
    api.fallback(mizan::Shell::handler).with_state(shell)
}

fn order_submit(ct: String, body: Vec<u8>) -> HttpRequest<Body> {
    HttpRequest::post("/api/mizan/call/order.submit")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn each_row_gets_the_file_posted_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = order_app(dir.path());
    // Rows 0, 2, 3 and 4 (compacted to 0..=3); row 4's file comes first, and row 3 has two
    // files, of which the last counts. A stale path of row 3's first file ([items, 3, doc])
    // names row 4 once the rows are compacted.
    let (ct, body) = multipart(&[
        ("items.4.doc", Some(("four.txt", "text/plain")), b"4"),
        ("items.0.qty", None, b"0"),
        ("items.2.qty", None, b"2"),
        ("items.3.qty", None, b"3"),
        (
            "items.3.doc",
            Some(("three-first.txt", "text/plain")),
            b"3a",
        ),
        ("items.3.doc", Some(("three-last.txt", "text/plain")), b"3b"),
        ("items.4.qty", None, b"4"),
    ]);
    let reply = send(&app, order_submit(ct, body)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let seen = ORDERS.lock().unwrap().pop().unwrap();
    assert_eq!(
        seen,
        vec![
            (Some(0), None),
            (Some(2), None),
            (Some(3), Some("three-last.txt".to_owned())),
            (Some(4), Some("four.txt".to_owned())),
        ]
    );
    assert_eq!(files_in(dir.path()), 0);
}

#[tokio::test]
async fn a_file_marker_written_in_values_is_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let app = order_app(dir.path());
    // `__values` is the client's JSON: the server's own placeholder for flat files must mean
    // nothing in it.
    let values = br#"{"items":[{"qty":1}],"meta":{"__mizan_file":0}}"#;
    let (ct, body) = multipart(&[
        ("__values", None, values),
        ("items.0.doc", Some(("a.txt", "text/plain")), b"abc"),
    ]);
    let reply = send(&app, order_submit(ct, body)).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        paths(&reply, "fields"),
        vec![(json!(["meta", "__mizan_file"]), "Unknown field.".to_owned())]
    );
    assert_eq!(files_in(dir.path()), 0);
}

#[tokio::test]
async fn a_post_of_very_many_rows_costs_little() {
    let dir = tempfile::tempdir().unwrap();
    let app = order_app(dir.path());
    let token = "A".repeat(43);
    // ~1 MiB of `items.N.qty=x`: tens of thousands of rows, each with an error, each rendered in
    // the page that answers the post. Before the limit on fields this took minutes of CPU and
    // built a page of tens of megabytes.
    let body_of = |rows: usize| {
        let mut body = format!("__mizan_csrf={token}");
        for n in 0..rows {
            body.push_str(&format!("&items.{n}.qty=x"));
        }
        body
    };
    let started = std::time::Instant::now();
    let reply = send(
        &app,
        form_post_to(
            "order",
            &body_of(50_000),
            Some(&token),
            Some("http://app.test"),
        ),
    )
    .await;
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(3), "took {took:?}");
    assert_eq!(reply.status, 413);
    assert!(
        reply.body.contains("more than 1000 fields"),
        "{}",
        reply.body
    );
    assert!(reply.body.len() < 64 * 1024, "{} bytes", reply.body.len());

    // As many fields as a multipart body may have parts are fine.
    let reply = send(
        &app,
        form_post_to(
            "order",
            &body_of(999),
            Some(&token),
            Some("http://app.test"),
        ),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("Enter a whole number."));
}
