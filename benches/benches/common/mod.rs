//! What the in-process benchmarks share.

use http_body_util::BodyExt;
use tower::ServiceExt;

/// Sends `request` through `router`, checks its status and reads its whole body.
pub(crate) async fn send(
    router: &axum::Router,
    request: axum::http::Request<axum::body::Body>,
    status: u16,
) {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|e| match e {});
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let body = response.into_body().collect().await.expect("body");
    std::hint::black_box(body);
}
