//! What a server function sees of the HTTP request besides its params: extensions that
//! middleware attached.

mod common;

use axum::Router;
use axum::extract::Request as HttpRequest;
use common::post;
use mizan::{Error, Mizan, Registry, Request, Result};

#[derive(Clone)]
struct RequestId(&'static str);

#[mizan::client]
fn request_id(req: &Request) -> Result<String> {
    req.extensions()
        .get::<RequestId>()
        .map(|id| id.0.to_owned())
        .ok_or_else(|| Error::bad_request("no request id"))
}

#[tokio::test]
async fn functions_see_the_extensions_middleware_attached() {
    let mut registry = Registry::new();
    registry.register(request_id, "request_id").unwrap();
    let app: Router = Router::new()
        .merge(Mizan::new(registry).router("/api/mizan"))
        .layer(axum::middleware::map_request(
            |mut request: HttpRequest| async move {
                request.extensions_mut().insert(RequestId("req-7"));
                request
            },
        ));
    let reply = post(&app, "/api/mizan/call/request_id", "{}").await;
    assert_eq!(
        (reply.status, reply.json()),
        (200, serde_json::json!("req-7"))
    );
    let unit = Request::builder().extension(RequestId("unit")).build();
    assert_eq!(request_id::call(&unit).unwrap(), "unit");
}
