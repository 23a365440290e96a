//! Forms over HTTP beyond JSON: `POST <base>/form/<name>`, the post of a browser without
//! JavaScript, answered with pages (`spec/PROTOCOL.md` §2.13.5); and the multipart submit of
//! `POST <base>/call/<name>.submit` (§2.13.4).

use std::sync::Arc;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, Method, StatusCode, header};
use mizan_core::form::{FieldIssue, Mode, messages};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::form_body::{self, FormBody};
use super::{body, json_no_store, method_not_allowed};
use crate::engine::{Shared, guarded, with_effects};
use crate::forms::{AnyForm, Verdict, failed};
use crate::{Error, ErrorCode, Request, Result};

/// The cookie that carries the CSRF token of posts without JavaScript.
pub(crate) const CSRF_COOKIE: &str = "mizan_csrf";

/// A new CSRF token: 32 random bytes, base64url.
pub(crate) fn new_csrf_token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator; without it no token could be trusted.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no randomness for a CSRF token: {e}"));
    mizan_core::base64url::encode(&bytes)
}

/// The request's CSRF token, or a new one with the `Set-Cookie` that stores it.
pub(crate) fn csrf_token(parts: &Parts) -> (String, Option<HeaderValue>) {
    match crate::request::cookie_value(&parts.headers, CSRF_COOKIE) {
        Some(token) if token.len() == 43 => (token.to_owned(), None),
        _ => {
            let token = new_csrf_token();
            let secure = if crate::is_loopback_host(&parts.headers) {
                ""
            } else {
                "; Secure"
            };
            let cookie = format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
            (token, HeaderValue::from_str(&cookie).ok())
        }
    }
}

/// Whether a post comes from this site (§2.13.5): not `Sec-Fetch-Site: cross-site`, and an
/// `Origin`, if sent, that is the request's own or one the server allows.
fn same_site(parts: &Parts, shared: &Shared) -> bool {
    let headers = &parts.headers;
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let origin = origin.as_bytes();
    let own = [format!("http://{host}"), format!("https://{host}")];
    own.iter().any(|o| o.as_bytes() == origin)
        || shared
            .cors
            .as_ref()
            .is_some_and(|cors| cors.allowed(headers).is_some())
}

/// `POST <base>/form/<name>`.
///
/// The order: the site check, then who asks and whether they may (before a byte of the body is
/// read, so that no stranger's upload is written), then the body, then the CSRF token in it, and
/// only then the form's rules and handler.
pub(crate) async fn respond(
    shared: &Arc<Shared>,
    name: &str,
    parts: Parts,
    http_body: Body,
) -> Response {
    let Some(form) = shared
        .registry
        .get_form(name)
        .filter(|f| f.spec().redirect.is_some())
    else {
        return Error::not_found(format!("no form named {name:?} takes posts")).into_response();
    };
    if parts.method != Method::POST {
        return method_not_allowed("POST");
    }
    let form = Arc::clone(form);
    let page = Page {
        shared,
        form: &*form,
        csrf: csrf_token(&parts),
        parts: parts.clone(),
    };
    let empty = json!({});
    if let Err(e) = body::check_codings(&parts) {
        return page.failure(e, &empty).await;
    }
    let Some(kind) = form_body::declared(&parts) else {
        let e = Error::new(
            ErrorCode::UnsupportedMediaType,
            "post the form as application/x-www-form-urlencoded or multipart/form-data",
        );
        return page.failure(e, &empty).await;
    };
    if !same_site(&parts, shared) {
        return page.expired(&empty).await;
    }
    let cookie = crate::request::cookie_value(&parts.headers, CSRF_COOKIE)
        .unwrap_or_default()
        .to_owned();
    let mut parts = parts;
    // Stands for the header a script would send (§2.5); the token in the body is checked below,
    // before anything runs.
    parts
        .headers
        .insert(crate::CSRF_HEADER, HeaderValue::from_static("form"));
    let request = match shared.request(parts).await {
        Ok(request) => request,
        Err(e) => return page.failure(e, &empty).await,
    };
    if let Err(e) = form.auth().check(&request).await {
        return with_effects(&request, Ok(page.failure(e, &empty).await));
    }
    let posted =
        match form_body::read(form.spec(), kind, http_body, shared, &shared.upload_dir).await {
            Ok(posted) => posted,
            Err(e) => return with_effects(&request, Ok(page.failure(e, &empty).await)),
        };
    // A browser cannot be given a file back (§2.13.5).
    let mut shown = posted.values.clone();
    crate::forms::clear_files(&form.spec().fields, &mut shown);
    let sent = posted.csrf.as_deref().unwrap_or_default();
    if sent.is_empty() || !bool::from(sent.as_bytes().ct_eq(cookie.as_bytes())) {
        return with_effects(&request, Ok(page.expired(&shown).await));
    }
    let response = match evaluate(&*form, &request, posted).await {
        Ok(Verdict::Passed(_)) => {
            let location = form
                .spec()
                .redirect
                .clone()
                .unwrap_or_else(|| "/".to_owned());
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(Verdict::Failed(issues)) => {
            page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown, &issues)
                .await
        }
        Err(e) => page.failure(e, &shown).await,
    };
    crate::engine::finish(shared, &request, Ok(response)).await
}

/// The page a post is answered with.
struct Page<'a> {
    shared: &'a Arc<Shared>,
    form: &'a dyn AnyForm,
    csrf: (String, Option<HeaderValue>),
    parts: Parts,
}

impl Page<'_> {
    async fn render(&self, status: StatusCode, values: &Value, errors: &[FieldIssue]) -> Response {
        let mut response = page(
            self.shared,
            &self.parts,
            self.form,
            values,
            errors,
            &self.csrf.0,
            status,
        )
        .await;
        if let Some(cookie) = &self.csrf.1 {
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookie.clone());
        }
        response
    }

    async fn expired(&self, values: &Value) -> Response {
        self.render(
            StatusCode::FORBIDDEN,
            values,
            &[FieldIssue::new(Vec::new(), messages::FORM_EXPIRED)],
        )
        .await
    }

    /// A failure that is no field's: its message above the form, with its status.
    async fn failure(&self, e: Error, values: &Value) -> Response {
        let status = StatusCode::from_u16(e.code().status()).unwrap_or(StatusCode::BAD_REQUEST);
        // The rest of the body was never read.
        let close = matches!(
            e.code(),
            ErrorCode::RequestTimeout | ErrorCode::Overloaded | ErrorCode::PayloadTooLarge
        );
        let mut response = self
            .render(
                status,
                values,
                &[FieldIssue::new(Vec::new(), e.message().to_owned())],
            )
            .await;
        if close {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if e.code() == ErrorCode::Unauthenticated {
            // As every 401 does (§2.5, RFC 9110 §11.6.1).
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if e.code() == ErrorCode::Overloaded {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// Checks a posted body (its sender's auth already checked) and, when it passed and nothing was refused while reading, submits it.
async fn evaluate(
    form: &dyn AnyForm,
    request: &Request,
    posted: form_body::Posted,
) -> Result<Verdict> {
    let submit = posted.issues.is_empty();
    let verdict = guarded(
        request,
        form.evaluate(request, posted.values, Mode::Validate, posted.files, submit),
        || format!("form {:?} panicked", form.spec().name),
    )
    .await?;
    if posted.issues.is_empty() {
        return Ok(verdict);
    }
    let mut issues = posted.issues;
    if let Verdict::Failed(more) = verdict {
        issues.extend(
            more.into_iter()
                .filter(|m| !issues.iter().any(|i| i.path == m.path))
                .collect::<Vec<_>>(),
        );
    }
    Ok(Verdict::Failed(issues))
}

/// The multipart (or URL-encoded) body of `POST <base>/call/<name>.submit`: the JSON answers of
/// a call.
pub(crate) async fn submit_call(
    shared: &Shared,
    form: &dyn AnyForm,
    kind: FormBody,
    request: &Request,
    http_body: Body,
) -> Result<Response> {
    form.auth().check(request).await?;
    let posted = form_body::read(form.spec(), kind, http_body, shared, &shared.upload_dir).await?;
    match evaluate(form, request, posted).await? {
        Verdict::Passed(output) => Ok(json_no_store(output.unwrap_or_default())),
        Verdict::Failed(issues) => Err(failed(issues)),
    }
}

/// The page holding the form rendered with `values` and `errors` (§2.13.5): the shell with the
/// requester's global contexts and `forms.<name>` in its hydration payload, or a minimal page.
pub(crate) async fn page(
    shared: &Arc<Shared>,
    parts: &Parts,
    form: &dyn AnyForm,
    values: &Value,
    errors: &[FieldIssue],
    token: &str,
    status: StatusCode,
) -> Response {
    let spec = form.spec();
    let action = format!("{}/form/{}", shared.base, spec.name);
    let html = crate::forms::render_form(spec, &action, values, errors, token);
    let (fields, _) = crate::forms::field_errors(errors.to_vec());
    let forms = json!({ spec.name.clone(): { "values": values, "fields": fields } });
    let (body, hydrated) = match &shared.shell_template {
        Some(template) => {
            let shell = crate::Shell::new(Arc::clone(shared), Arc::clone(template));
            let (contexts, hydrated) = shell.hydrate(parts).await;
            // `{"contexts":{...}}` with the forms added; the contexts stay byte for byte (§2.8).
            let payload = match contexts.strip_suffix('}') {
                Some(open) => format!("{open},\"forms\":{forms}}}"),
                None => contexts,
            };
            let page = crate::shell::insert_in_root(template, &html);
            (crate::shell::embed_hydration(&page, &payload), hydrated)
        }
        None => (
            format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body><main id=\"root\">{html}</main></body></html>",
                crate::forms::escape_html(&spec.title)
            ),
            None,
        ),
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    match hydrated {
        Some(request) => with_effects(&request, Ok(response)),
        None => response,
    }
}
