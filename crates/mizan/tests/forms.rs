//! Forms over HTTP (`spec/PROTOCOL.md` §2.13): schema, validate and submit as JSON calls, the
//! multipart submit with files streamed and limited, and the post without JavaScript with its
//! CSRF rule, re-rendered page and redirect. The form is implemented by hand here, so that these
//! tests hold whatever the derive does.

use std::path::Path;
use std::sync::Mutex;

use axum::Router;
use axum::body::Body;
use http::{Request as HttpRequest, StatusCode, header};
use http_body_util::BodyExt;
use mizan::forms::{
    Choice, FieldKind, FieldSpec, Form, FormFields, FormHandler, FormSpec, Invalid, Upload,
};
use mizan::{BoxFuture, Mizan, Registry, Request, Result};
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

#[derive(Deserialize)]
struct Contact {
    name: String,
    email: String,
    topic: String,
    attachment: Option<Upload>,
}

/// What the handler saw, per submit.
/// A submit as the handler saw it: the name, and the file's name, size and whether it was on disk.
type Seen = (String, Option<(String, u64, bool)>);

static SUBMITTED: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

impl FormFields for Contact {
    fn fields() -> Vec<FieldSpec> {
        let mut name = FieldSpec::new("name", FieldKind::Text, "Name");
        name.min_length = Some(2);
        name.max_length = Some(20);
        let email = FieldSpec::new("email", FieldKind::Email, "Email");
        let mut topic = FieldSpec::new("topic", FieldKind::Choice, "Topic");
        topic.choices = Some(vec![
            Choice::new("sales", "Sales"),
            Choice::new("help", "Help"),
        ]);
        let mut attachment = FieldSpec::new("attachment", FieldKind::File, "Attachment");
        attachment.required = false;
        attachment.max_size = Some(1000);
        attachment.accept = Some(vec!["text/plain".into(), "image/*".into()]);
        vec![name.finish(), email.finish(), topic, attachment]
    }
}

impl Form for Contact {
    fn spec() -> FormSpec {
        let mut spec = FormSpec::new("contact", "Contact us", Self::fields());
        spec.redirect = Some("/thanks".into());
        spec.page = Some("/contact".into());
        spec
    }

    fn field_rules<'a>(
        _request: &'a Request,
        values: &'a Value,
        passed: &'a (dyn Fn(&str) -> bool + Send + Sync),
    ) -> BoxFuture<'a, Result<Vec<mizan::forms::FieldIssue>>> {
        Box::pin(async move {
            let mut issues = Vec::new();
            if passed("email") && values["email"] == "taken@example.com" {
                issues.push(mizan::forms::FieldIssue::new(
                    vec![mizan::forms::PathStep::Key("email".into())],
                    "This email is already registered.",
                ));
            }
            Ok(issues)
        })
    }
}

impl FormHandler for Contact {
    type Output = String;

    async fn clean(&self, _request: &Request) -> std::result::Result<(), Invalid> {
        if self.name == "Nobody" && self.topic == "sales" {
            return Err(Invalid::message("Nobody may not buy."));
        }
        Ok(())
    }

    async fn submit(self, _request: &Request) -> Result<String> {
        let file = self.attachment.as_ref().map(|u| {
            let on_disk = u.path().is_some_and(Path::exists);
            (u.file_name().to_owned(), u.size(), on_disk)
        });
        assert!(self.email.contains('@'));
        SUBMITTED.lock().unwrap().push((self.name.clone(), file));
        Ok(format!("Thanks, {}!", self.name))
    }
}

fn app(upload_dir: &Path) -> Router {
    let mut registry = Registry::new();
    registry.form::<Contact>().unwrap();
    let (api, shell) = Mizan::new(registry)
        .upload_dir(upload_dir)
        .router_with_shell(
            "/api/mizan",
            "<html><head></head><body><div id=\"root\"></div></body></html>",
        );
    api.fallback(mizan::Shell::handler).with_state(shell)
}

struct Reply {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn send(app: &Router, request: HttpRequest<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn call(app: &Router, name: &str, params: Value) -> Reply {
    let request = HttpRequest::post(format!("/api/mizan/call/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(params.to_string()))
        .unwrap();
    send(app, request).await
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(Iterator::count).unwrap_or(0)
}

/// A part: its name, its file name and type if it is a file, its bytes.
type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a [u8]);

fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "XbOuNdArYx";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some((file_name, media_type)) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn paths(reply: &Reply, member: &str) -> Vec<(Value, String)> {
    let mut out: Vec<(Value, String)> = reply.json()[member]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|f| {
            (
                f["path"].clone(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort_by_key(|(p, _)| p.to_string());
    out
}

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

fn form_post(body: &str, cookie: Option<&str>, origin: Option<&str>) -> HttpRequest<Body> {
    form_post_to("contact", body, cookie, origin)
}

fn form_post_to(
    form: &str,
    body: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> HttpRequest<Body> {
    let mut request = HttpRequest::post(format!("/api/mizan/form/{form}"))
        .header(header::HOST, "app.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("mizan_csrf={cookie}"));
    }
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn posts_without_javascript_get_pages() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let page = send(
        &app,
        HttpRequest::get("/contact").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<div id=\"root\"><form class=\"mizan-form\""),
        "{}",
        page.body
    );
    let set_cookie = page.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    let token = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("mizan_csrf=")
        .to_owned();
    assert_eq!(token.len(), 43);
    assert!(
        page.body
            .contains(&format!("name=\"__mizan_csrf\" value=\"{token}\""))
    );

    let invalid = format!("__mizan_csrf={token}&name=A%3Cb%3E&email=nope&topic=sales");
    let reply = send(
        &app,
        form_post(&invalid, Some(&token), Some("http://app.test")),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        reply.body.contains("value=\"A&lt;b&gt;\""),
        "values are kept: {}",
        reply.body
    );
    assert!(reply.body.contains("Enter a valid email address."));
    assert!(reply.body.contains("<option value=\"sales\" selected>"));
    assert!(
        reply.body.contains("\"forms\":{\"contact\":{\"fields\""),
        "hydration: {}",
        reply.body
    );

    let no_token = send(&app, form_post("name=Ada", Some(&token), None)).await;
    assert_eq!(no_token.status, 403);
    assert!(
        no_token
            .body
            .contains("Your form expired. Please submit it again.")
    );
    assert!(
        no_token.body.contains("value=\"Ada\""),
        "values are kept on a CSRF failure too"
    );
    let foreign = format!("__mizan_csrf={token}&name=Ada&email=ada%40example.com&topic=help");
    let cross = send(
        &app,
        form_post(&foreign, Some(&token), Some("https://evil.test")),
    )
    .await;
    assert_eq!(cross.status, 403);

    let done = send(
        &app,
        form_post(&foreign, Some(&token), Some("http://app.test")),
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.headers[header::LOCATION], "/thanks");
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

#[derive(Deserialize)]
struct MembersOnly {
    note: String,
}

impl FormFields for MembersOnly {
    fn fields() -> Vec<FieldSpec> {
        vec![FieldSpec::new("note", FieldKind::Text, "Note")]
    }
}

impl Form for MembersOnly {
    fn spec() -> FormSpec {
        let mut spec = FormSpec::new("members", "Members", Self::fields());
        spec.redirect = Some("/done".into());
        spec
    }

    fn auth() -> mizan::AuthRequirement {
        mizan::AuthRequirement::Authenticated
    }
}

impl FormHandler for MembersOnly {
    type Output = String;
    async fn submit(self, _request: &Request) -> Result<String> {
        Ok(self.note)
    }
}

#[tokio::test]
async fn auth_is_checked_for_every_way_in_and_bad_specs_do_not_register() {
    let mut registry = Registry::new();
    registry.form::<MembersOnly>().unwrap();
    let err = registry.form::<MembersOnly>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "a function named \"members.schema\" is already registered"
    );
    let app: Router = Mizan::new(registry).router("/api/mizan");
    let reply = call(&app, "members.submit", json!({"note": "hi"})).await;
    assert_eq!(reply.status, 401);
    let reply = call(&app, "members.validate", json!({"note": "hi"})).await;
    assert_eq!(reply.status, 401);
    let token = "A".repeat(43);
    let page = send(
        &app,
        form_post_to(
            "members",
            &format!("__mizan_csrf={token}&note=hi"),
            Some(&token),
            None,
        ),
    )
    .await;
    assert_eq!(page.status, 401);
    assert!(
        page.body.contains("<main id=\"root\"><form"),
        "{}",
        page.body
    );

    let mut spec = FormSpec::new("bad", "Bad", vec![]);
    let mut n = FieldSpec::new("n", FieldKind::Integer, "N");
    n.max = Some(json!(5.0));
    spec.fields.push(n);
    assert!(
        mizan_core_spec_problem(&spec).contains("not an integer"),
        "integer limits are written as integers"
    );
    let mut tab = FormSpec::new(
        "tab",
        "Tab",
        vec![FieldSpec::new("a", FieldKind::Text, "A")],
    );
    tab.redirect = Some("/\t/evil.example".into());
    assert!(mizan_core_spec_problem(&tab).contains("must be a path on this site"));
    let reserved = FormSpec::new(
        "reserved",
        "Reserved",
        vec![FieldSpec::new("__mizan_file", FieldKind::Text, "X")],
    );
    assert!(mizan_core_spec_problem(&reserved).contains("reserved"));
}

/// Registers a throwaway form type with `spec` and returns the registration error's text.
fn mizan_core_spec_problem(spec: &FormSpec) -> String {
    static SPEC: Mutex<Option<FormSpec>> = Mutex::new(None);
    #[derive(Deserialize)]
    struct Probe {}
    impl FormFields for Probe {
        fn fields() -> Vec<FieldSpec> {
            Vec::new()
        }
    }
    impl Form for Probe {
        fn spec() -> FormSpec {
            SPEC.lock().unwrap().clone().unwrap()
        }
    }
    impl FormHandler for Probe {
        type Output = ();
        async fn submit(self, _request: &Request) -> Result<()> {
            Ok(())
        }
    }
    *SPEC.lock().unwrap() = Some(spec.clone());
    Registry::new()
        .form::<Probe>()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

// ---- Review: rows, files in rows, and hostile flat posts. ----

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
