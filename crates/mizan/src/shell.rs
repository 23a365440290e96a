//! The HTML shell: the page's HTML with the global contexts embedded, so the first render of the
//! React app needs no request (`spec/PROTOCOL.md` §2.8).

use std::sync::Arc;

use axum::extract::{Request as HttpRequest, State};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, header};

use crate::engine::{Shared, run};
use crate::function::Encoding;
use crate::{FunctionKind, Request};

/// The `id` of the `<script type="application/json">` element that carries the payload.
pub const HYDRATION_ELEMENT_ID: &str = "mizan-hydration";

/// Serves an HTML page with the global contexts of its requester embedded.
///
/// Made by [`Mizan::router_with_shell`](crate::Mizan::router_with_shell); use
/// [`Shell::handler`] as the fallback of the application's router.
#[derive(Clone)]
pub struct Shell {
    shared: Arc<Shared>,
    template: Arc<str>,
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shell").finish_non_exhaustive()
    }
}

impl Shell {
    pub(crate) fn new(shared: Arc<Shared>, template: Arc<str>) -> Self {
        Self { shared, template }
    }

    /// The payload for a request: `{"contexts":{"<name>":<canonical output>,...}}` with every
    /// global context the requester may read. A context that fails (including for auth) is left
    /// out; the client then fetches it and sees the error itself.
    pub async fn hydration(&self, parts: &Parts) -> String {
        self.hydrate(parts).await.0
    }

    /// The payload, and the request whose effects the global contexts recorded.
    pub(crate) async fn hydrate(&self, parts: &Parts) -> (String, Option<Request>) {
        let mut out = String::from("{\"contexts\":{");
        let principal = self.shared.authenticate(parts).await.ok();
        let mut hydrated = None;
        if let Some(principal) = principal {
            let request = Request::new(parts.clone(), principal, self.shared.state.clone());
            let mut first = true;
            for name in self.shared.registry.names() {
                let Some(function) = self.shared.registry.get(name) else {
                    continue;
                };
                if function.options.kind != FunctionKind::GLOBAL_CONTEXT {
                    continue;
                }
                // Only the contexts embedded in the page send their effects with it (§2.10).
                let before = request.begin_step();
                let answer = match function.options.auth.check(&request).await {
                    Ok(()) => {
                        run(function, &request, Default::default(), Encoding::Canonical).await
                    }
                    Err(e) => Err(e),
                };
                request.end_step(before, answer.is_ok());
                let Ok(body) = answer else {
                    continue;
                };
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&serde_json::Value::String(name.to_owned()).to_string());
                out.push(':');
                // Canonical JSON is UTF-8 text by construction.
                out.push_str(&String::from_utf8_lossy(&body));
            }
            hydrated = Some(request);
        }
        out.push_str("}}");
        (out, hydrated)
    }

    /// The page for a request: the template with the payload embedded.
    ///
    /// Effects the global contexts record (cookies, headers) are not part of a string: use
    /// [`handler`](Self::handler), which sends them with the page.
    pub async fn render(&self, parts: &Parts) -> String {
        embed_hydration(&self.template, &self.hydration(parts).await)
    }

    /// An axum handler serving the page; never cached, since it holds per-user data. The effects
    /// the global contexts recorded (a refreshed session cookie, say) are sent with the page.
    pub async fn handler(State(shell): State<Shell>, request: HttpRequest) -> Response {
        let (parts, _) = request.into_parts();
        let (payload, hydrated) = shell.hydrate(&parts).await;
        // The page of a form holds it rendered, so that it works before (and without) scripts
        // (§2.13.5).
        let form = shell
            .shared
            .registry
            .forms()
            .find(|f| f.spec().page.as_deref() == Some(parts.uri.path()));
        let (html, set_cookie) = match form {
            Some(form) => {
                let (token, set_cookie) = crate::protocol::csrf_token(&parts);
                let action = format!("{}/form/{}", shell.shared.base, form.spec().name);
                let rendered = crate::forms::render_form(
                    form.spec(),
                    &action,
                    &serde_json::json!({}),
                    &[],
                    &token,
                );
                (insert_in_root(&shell.template, &rendered), set_cookie)
            }
            None => (shell.template.to_string(), None),
        };
        let html = embed_hydration(&html, &payload);
        let response = (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::VARY,
                    HeaderValue::from_static("Authorization, Cookie"),
                ),
            ],
            html,
        )
            .into_response();
        let mut response = match hydrated {
            Some(request) => crate::engine::with_effects(&request, Ok(response)),
            None => response,
        };
        if let Some(cookie) = set_cookie {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        response
    }
}

/// Inserts `html` as the first child of the element whose `id` is `root` (the element a React
/// app renders into), or before `</body>` when there is none.
pub(crate) fn insert_in_root(template: &str, html: &str) -> String {
    let at = ["id=\"root\"", "id='root'", "id=root"]
        .iter()
        .find_map(|marker| {
            let start = template.find(marker)?;
            Some(start + template[start..].find('>')? + 1)
        })
        .or_else(|| template.find("</body>"))
        .unwrap_or(template.len());
    let mut out = String::with_capacity(template.len() + html.len());
    out.push_str(&template[..at]);
    out.push_str(html);
    out.push_str(&template[at..]);
    out
}

/// Inserts `payload` (JSON text) into `html` as
/// `<script type="application/json" id="mizan-hydration">…</script>`, before `</head>` (or before
/// `</body>`, or at the end). `<`, `>`, `&`, U+2028 and U+2029 are written as `\u` escapes, so the
/// payload can never close the script element or open another, whatever strings it holds.
///
/// ```
/// let html = mizan::embed_hydration("<head></head>", r#"{"contexts":{"x":"</script><b>"}}"#);
/// assert_eq!(
///     html,
///     r#"<head><script type="application/json" id="mizan-hydration">{"contexts":{"x":"\u003c/script\u003e\u003cb\u003e"}}</script></head>"#
/// );
/// ```
pub fn embed_hydration(html: &str, payload: &str) -> String {
    let mut script = String::with_capacity(payload.len() + 80);
    script.push_str("<script type=\"application/json\" id=\"");
    script.push_str(HYDRATION_ELEMENT_ID);
    script.push_str("\">");
    for c in payload.chars() {
        match c {
            '<' => script.push_str("\\u003c"),
            '>' => script.push_str("\\u003e"),
            '&' => script.push_str("\\u0026"),
            '\u{2028}' => script.push_str("\\u2028"),
            '\u{2029}' => script.push_str("\\u2029"),
            c => script.push(c),
        }
    }
    script.push_str("</script>");
    let at = html
        .find("</head>")
        .or_else(|| html.find("</body>"))
        .unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + script.len());
    out.push_str(&html[..at]);
    out.push_str(&script);
    out.push_str(&html[at..]);
    out
}
