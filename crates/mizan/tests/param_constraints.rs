//! Constraints written on a server function's parameters reach the published input schema, so
//! the server enforces them and the generated Zod mirrors them.

mod common;

use common::*;
use mizan::{Mizan, Registry, Request, Result};
use serde_json::json;

/// Adds a note.
#[mizan::client]
async fn add_note(
    _req: &Request,
    /// The note's title, shown in lists.
    #[schemars(length(min = 1, max = 80))]
    title: String,
    #[validate(range(max = 100))] priority: u32,
    #[schemars(regex(pattern = r"^[^@ ]+@[^@ ]+$"))] author: Option<String>,
    body: String,
) -> Result<String> {
    Ok(format!("{title} ({priority}, {author:?}): {body}"))
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register(add_note, "notes.add").unwrap();
    registry
}

#[test]
fn the_input_schema_carries_the_constraints_and_docs_of_the_params() {
    let manifest = registry().manifest();
    let input = &manifest.functions[0].input;
    let properties = &input["properties"];
    assert_eq!(properties["title"]["minLength"], 1, "{input}");
    assert_eq!(properties["title"]["maxLength"], 80, "{input}");
    assert_eq!(
        properties["title"]["description"],
        "The note's title, shown in lists."
    );
    assert_eq!(properties["priority"]["maximum"], 100, "{input}");
    assert_eq!(
        properties["author"]["pattern"], r"^[^@ ]+@[^@ ]+$",
        "{input}"
    );
    // Undocumented and unconstrained params are as before.
    assert_eq!(
        properties["body"],
        json!({"type": "string", "description": "The `body` parameter."})
    );
    assert_eq!(input["required"], json!(["title", "priority", "body"]));
}

#[tokio::test]
async fn the_server_enforces_them_with_the_field_path() {
    let app = app_with(Mizan::new(registry()));
    let call = |title: String, priority: u32| {
        json!({"title": title, "priority": priority, "body": "b"}).to_string()
    };
    let reply = post(
        &app,
        "/api/mizan/call/notes.add",
        &call("x".repeat(81), 100),
    )
    .await;
    assert_eq!(
        reply.status,
        422,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json()["fields"][0]["path"], json!(["title"]));
    let reply = post(&app, "/api/mizan/call/notes.add", &call(String::new(), 1)).await;
    assert_eq!(reply.json()["fields"][0]["path"], json!(["title"]));
    let reply = post(&app, "/api/mizan/call/notes.add", &call("t".into(), 101)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["fields"][0]["path"], json!(["priority"]));
    let body = json!({"title": "t", "priority": 1, "body": "b", "author": "nobody"}).to_string();
    let reply = post(&app, "/api/mizan/call/notes.add", &body).await;
    assert_eq!(reply.json()["fields"][0]["path"], json!(["author"]));
    // At the limits, accepted.
    let reply = post(
        &app,
        "/api/mizan/call/notes.add",
        &call("x".repeat(80), 100),
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        reply.json(),
        json!(format!("{} (100, None): b", "x".repeat(80)))
    );
}

#[test]
fn the_generated_zod_mirrors_them() {
    let files = mizan_codegen::generate(&registry().manifest()).unwrap();
    let schemas = &files["schemas.ts"];
    assert!(schemas.contains("z.string().min(1).max(80)"), "{schemas}");
    assert!(
        schemas.contains("priority: z.int().gte(0).lte(100)"),
        "{schemas}"
    );
}

#[tokio::test]
async fn the_rust_function_stays_callable_without_the_attributes() {
    let req = Request::builder().build();
    let text = add_note::call(&req, "t".into(), 3, None, "b".into())
        .await
        .unwrap();
    assert_eq!(text, "t (3, None): b");
}
