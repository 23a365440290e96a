//! The hand-written contact form the tests share, its app, and request helpers.

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
use serde_json::Value;
use tower::ServiceExt;

#[derive(Deserialize)]
pub(crate) struct Contact {
    name: String,
    email: String,
    topic: String,
    attachment: Option<Upload>,
}

/// What the handler saw, per submit.
/// A submit as the handler saw it: the name, and the file's name, size and whether it was on disk.
pub(crate) type Seen = (String, Option<(String, u64, bool)>);

pub(crate) static SUBMITTED: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

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

pub(crate) fn app(upload_dir: &Path) -> Router {
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

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

pub(crate) async fn send(app: &Router, request: HttpRequest<Body>) -> Reply {
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

pub(crate) async fn call(app: &Router, name: &str, params: Value) -> Reply {
    let request = HttpRequest::post(format!("/api/mizan/call/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(params.to_string()))
        .unwrap();
    send(app, request).await
}

pub(crate) fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(Iterator::count).unwrap_or(0)
}

/// A part: its name, its file name and type if it is a file, its bytes.
pub(crate) type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a [u8]);

pub(crate) fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
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

pub(crate) fn paths(reply: &Reply, member: &str) -> Vec<(Value, String)> {
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

pub(crate) fn form_post(
    body: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> HttpRequest<Body> {
    form_post_to("contact", body, cookie, origin)
}

pub(crate) fn form_post_to(
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
