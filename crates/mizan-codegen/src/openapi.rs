//! An OpenAPI 3.1 document of the same surface (`openapi.json`), for non-React clients and tools.

use serde_json::{Map, Value, json};

use mizan_core::manifest::{AuthLevel, FunctionKind, HttpMethod};

use crate::model::{Model, root_without_meta};

/// Rewrites `#/$defs/X` references to `#/components/schemas/X`.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/")
            {
                *r = format!("#/components/schemas/{name}");
            }
            map.values_mut().for_each(rewrite_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn schema(raw: &Value) -> Value {
    let mut schema = root_without_meta(raw);
    rewrite_refs(&mut schema);
    schema
}

/// The response body of a function: its named type by reference when it has one.
fn output_schema(model: &Model, raw: &Value) -> Value {
    match raw.get("title").and_then(Value::as_str) {
        Some(title) if model.types.contains_key(title) => {
            json!({ "$ref": format!("#/components/schemas/{title}") })
        }
        _ => schema(raw),
    }
}

/// `openapi.json`.
pub(crate) fn emit(model: &Model) -> String {
    let error_response = json!({
        "description": "An error (spec/PROTOCOL.md §2.6)",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/MizanError" } } }
    });
    let mut paths = Map::new();
    for f in &model.functions {
        let mut operation = json!({
            "operationId": f.name,
            "tags": [if f.kind.is_context() { "contexts" } else { "calls" }],
            "responses": {
                "200": {
                    "description": "The output",
                    "content": { "application/json": { "schema": output_schema(model, &f.output_schema) } }
                },
                "default": error_response,
            }
        });
        if f.auth != AuthLevel::None {
            operation["security"] = json!([{ "bearer": [] }]);
            operation["x-mizan-auth"] = json!(f.auth.as_str());
        }
        let mut parameters = vec![json!({
            "name": "X-Mizan-Schema", "in": "header", "required": false,
            "description": "The schema hash the client was built against; another one is 409 stale_client (spec/PROTOCOL.md §2.7)",
            "schema": { "type": "string", "enum": [f.schema_hash] }
        })];
        match f.kind {
            FunctionKind::Call => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": { "application/json": { "schema": schema(&f.input_schema) } }
                });
            }
            FunctionKind::Context(_) => {
                if f.kind == FunctionKind::LOCAL_CONTEXT {
                    parameters.push(json!({
                        "name": "p", "in": "query", "required": true,
                        "description": "The params as percent-encoded canonical JSON (spec/PROTOCOL.md §2.3)",
                        "content": { "application/json": { "schema": schema(&f.input_schema) } }
                    }));
                }
                parameters.push(json!({
                    "name": "rev", "in": "query", "required": false,
                    "description": "Cache-busting revision; omitted when 0",
                    "schema": { "type": "integer", "minimum": 1, "maximum": 9_007_199_254_740_991_u64 }
                }));
            }
        }
        operation["parameters"] = Value::Array(parameters);
        let method = match f.method {
            HttpMethod::Get => "get",
            HttpMethod::Post => "post",
        };
        paths.insert(f.path.clone(), json!({ method: operation }));
    }
    let mut schemas: Map<String, Value> = model
        .type_schemas
        .iter()
        .map(|(name, raw)| (name.clone(), schema(raw)))
        .collect();
    schemas.insert(
        "MizanError".into(),
        json!({
            "type": "object",
            "required": ["code", "message", "status"],
            "properties": {
                "code": { "type": "string" },
                "message": { "type": "string" },
                "status": { "type": "integer" },
                "fields": { "type": "array", "items": {
                    "type": "object", "required": ["path", "message"],
                    "properties": {
                        "path": { "type": "array", "items": { "type": ["string", "integer"] } },
                        "message": { "type": "string" }
                    }
                }},
                "details": {}
            }
        }),
    );
    let document = json!({
        "openapi": "3.1.0",
        "info": { "title": "Mizan API", "version": "1", "x-generated-by": "mizan-codegen; do not edit" },
        "servers": [{ "url": "/api/mizan" }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "MWT" } }
        }
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
