//! Posts without JavaScript: pages, CSRF, redirect.

use axum::body::Body;
use http::{Request as HttpRequest, header};

use super::common::*;

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
async fn the_csrf_cookie_is_secure_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    for (host, secure) in [
        ("app.example.com", true),
        ("localhost:8000", false),
        ("127.0.0.1:8000", false),
    ] {
        let page = send(
            &app,
            HttpRequest::get("/contact")
                .header(header::HOST, host)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        let cookie = page.headers[header::SET_COOKIE].to_str().unwrap();
        assert_eq!(cookie.contains("; Secure"), secure, "{host}: {cookie}");
    }
}
