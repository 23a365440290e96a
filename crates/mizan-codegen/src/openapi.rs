//! An OpenAPI 3.1 document of the same surface (`openapi.json`), for non-React clients and tools.

use serde_json::{Map, Value, json};

use mizan_core::manifest::{AuthLevel, FunctionKind, HttpMethod};

use crate::model::{Model, root_without_meta};

/// Rewrites `#/$defs/X` references to `#/components/schemas/X`, and `#` (a recursive root type)
/// to the component `root` when the schema is one.
fn rewrite_refs(value: &mut Value, root: Option<&str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if let Some(name) = r.strip_prefix("#/$defs/") {
                    *r = format!("#/components/schemas/{name}");
                } else if let (true, Some(root)) = (r == "#", root) {
                    *r = format!("#/components/schemas/{root}");
                }
            }
            map.values_mut().for_each(|v| rewrite_refs(v, root));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, root)),
        _ => {}
    }
}

fn schema(raw: &Value) -> Value {
    let mut schema = root_without_meta(raw);
    rewrite_refs(&mut schema, None);
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

/// The query parameter `p` of a local context: the canonical encoding of its params
/// (`spec/PROTOCOL.md` §2.3), described as the string it is on the wire.
///
/// Not `content: application/json`: a tool would then write the params as JSON in its own key
/// order and spacing and percent-encode them with its own rules, and the server refuses every URL
/// but the canonical one. The value is given already encoded; it holds only unreserved characters
/// and `%XX` triples, which `allowReserved` passes through unchanged (RFC 6570 reserved
/// expansion). `p` is required only when some param is: params equal to `{}` have no `p`.
fn params_parameter(input_schema: &Value) -> Value {
    let required = input_schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|names| !names.is_empty());
    json!({
        "name": "p", "in": "query", "required": required,
        "allowReserved": true,
        "description": "The params object as canonical JSON (spec/PROTOCOL.md §1.1: no whitespace, \
            keys sorted by UTF-16 code units, integers only), percent-encoded byte by byte: every byte \
            other than A-Z a-z 0-9 - . _ ~ becomes % and two uppercase hex digits. Omitted when the \
            params are {}; comes before rev. Any other spelling is 400 non_canonical_query, whose \
            details.canonical is the right query (spec/PROTOCOL.md §2.3). x-mizan-params is the \
            schema of the params object.",
        "schema": { "type": "string", "pattern": "^([A-Za-z0-9._~-]|%[0-9A-F]{2})+$" },
        "x-mizan-params": schema(input_schema)
    })
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
        // The policy and the purges as the manifest states them (§2.16.1), so a tool or a CDN
        // configuration can read them from the same document.
        if let Some(cache) = &f.cache {
            operation["x-mizan-cache"] = json!(cache);
        }
        if !f.invalidates.is_empty() {
            operation["x-mizan-invalidates"] = json!(f.invalidates);
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
                    parameters.push(params_parameter(&f.input_schema));
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
        .map(|(name, raw)| {
            let mut schema = root_without_meta(raw);
            rewrite_refs(&mut schema, Some(name));
            (name.clone(), schema)
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_is_the_encoded_string_required_only_when_a_param_is() {
        let input = json!({"type": "object", "properties": {"name": {"type": "string"}},
                           "required": ["name"], "additionalProperties": false});
        let p = params_parameter(&input);
        assert_eq!(p["in"], "query");
        assert_eq!(p["required"], true);
        // Already percent-encoded: a tool must send it as is, not encode it again as JSON.
        assert_eq!(p["allowReserved"], true);
        assert!(p.get("content").is_none());
        assert_eq!(p["schema"]["type"], "string");
        assert_eq!(p["x-mizan-params"]["properties"]["name"]["type"], "string");
        let description = p["description"].as_str().unwrap();
        assert!(description.contains("A-Z a-z 0-9 - . _ ~"), "{description}");
        assert!(description.contains("uppercase hex"), "{description}");

        let optional =
            json!({"type": "object", "properties": {"page": {"type": ["integer", "null"]}}});
        assert_eq!(params_parameter(&optional)["required"], false);
    }
}
