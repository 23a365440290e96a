//! Functions: names, type names, params, schemas, malformed manifests.

use mizan_codegen::GenerateError;
use serde_json::{Value, json};

use super::{call, function, generate, manifest};

#[test]
fn invalid_function_names() {
    for bad in ["1st", "has space", "a..b", "", "ünï"] {
        assert_eq!(
            generate(&manifest(vec![call(bad)])).unwrap_err(),
            GenerateError::InvalidFunctionName(bad.into())
        );
    }
}

#[test]
fn names_that_clash_after_case_conversion() {
    let err = generate(&manifest(vec![
        call("contact_submit"),
        call("contact.submit"),
    ]))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::NameClash {
            first: "contact.submit".into(),
            second: "contact_submit".into(),
            generated: "ContactSubmit".into()
        }
    );
    assert!(
        err.to_string()
            .contains("\"contact.submit\" and \"contact_submit\"")
    );
}

fn with_output_type(name: &str, type_name: &str, schema: Value) -> Value {
    function(
        name,
        "call",
        Value::Null,
        json!({"type": "object", "additionalProperties": false}),
        json!({"$ref": format!("#/$defs/{type_name}"), "$defs": {type_name: schema}}),
    )
}

#[test]
fn reserved_invalid_and_taken_type_names() {
    for type_name in [
        "Record",
        "Promise",
        "default",
        "Has-Dash",
        "EchoInput",
        "PingOutput",
        "ThingSchema",
    ] {
        let err = generate(&manifest(vec![
            call("echo"),
            with_output_type("ping", type_name, json!({"type": "string"})),
        ]))
        .unwrap_err();
        assert_eq!(
            err,
            GenerateError::InvalidTypeName {
                function: "ping".into(),
                name: type_name.into()
            },
            "{type_name}"
        );
    }
}

#[test]
fn one_type_name_with_two_definitions() {
    let err = generate(&manifest(vec![
        with_output_type("a", "Item", json!({"type": "string"})),
        with_output_type("b", "Item", json!({"type": "integer"})),
    ]))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::TypeConflict {
            name: "Item".into(),
            first: "a".into(),
            second: "b".into()
        }
    );
    // The same definition twice is one type.
    assert!(
        generate(&manifest(vec![
            with_output_type("a", "Item", json!({"type": "string"})),
            with_output_type("b", "Item", json!({"type": "string"})),
        ]))
        .is_ok()
    );
}

#[test]
fn local_context_params_that_clash_with_provider_props() {
    // React keeps `key` and `ref` for itself, so they would never reach the params.
    for param in ["children", "rev", "key", "ref"] {
        let input = json!({"type": "object", "properties": {param: {"type": "string"}}, "required": [param]});
        let err = generate(&manifest(vec![function(
            "page",
            "context",
            json!("local"),
            input,
            json!({"type": "string"}),
        )]))
        .unwrap_err();
        assert_eq!(
            err,
            GenerateError::ReservedParameter {
                function: "page".into(),
                param: param.into()
            }
        );
    }
}

#[test]
fn schemas_the_emitters_cannot_express() {
    let input = json!({"type": "object", "properties": {"x": {"not": {"type": "string"}}}});
    let err = generate(&manifest(vec![function(
        "f",
        "call",
        Value::Null,
        input,
        json!(true),
    )]))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::UnsupportedSchema {
            function: "f".into(),
            side: "input",
            pointer: "/properties/x".into(),
            what: "the `not` keyword".into()
        }
    );
    let output = json!({"$ref": "https://example.com/schema.json"});
    let err = generate(&manifest(vec![function(
        "g",
        "call",
        Value::Null,
        json!(true),
        output,
    )]))
    .unwrap_err();
    assert!(err.to_string().contains("function \"g\""), "{err}");
}

#[test]
fn malformed_manifests() {
    for bad in [
        json!({}),
        json!({"protocol": 2, "functions": []}),
        json!({"protocol": 1, "functions": {}}),
        json!({"protocol": 1, "functions": [{"kind": "call"}]}),
        json!({"protocol": 1, "functions": [{"name": "a", "kind": "query", "input": true, "output": true, "auth": "none"}]}),
        json!({"protocol": 1, "functions": [{"name": "a", "kind": "call", "auth": "none", "output": true}]}),
        with(call("a"), "method", json!("GET")),
        with(call("a"), "method", json!("PUT")),
        with(call("a"), "path", json!("call/a")),
        with(call("a"), "schema_hash", json!("short")),
        with(call("a"), "schema_hash", json!("AAAAAAAAAAAAAAAAAAAAA=")),
        with(call("a"), "auth", json!("admins")),
        with(call("a"), "context", json!("local")),
    ] {
        assert!(
            matches!(generate(&bad), Err(GenerateError::Manifest(_))),
            "{bad}"
        );
    }
    assert!(generate(&manifest(vec![])).is_ok());
}

/// A manifest of the one function `f` with its member `key` replaced.
fn with(mut f: Value, key: &str, value: Value) -> Value {
    f[key] = value;
    manifest(vec![f])
}

#[test]
fn hooks_send_the_schema_hash_and_openapi_uses_the_manifest_path() {
    let mut echo = call("echo");
    echo["path"] = json!("/v2/call/echo");
    let files = generate(&manifest(vec![echo])).unwrap();
    assert!(
        files["hooks.ts"].contains(
            r#"("echo", s.EchoInputSchema, { ...options, schemaHash: "AAAAAAAAAAAAAAAAAAAAAA" })"#
        ),
        "{}",
        files["hooks.ts"]
    );
    let openapi: Value = serde_json::from_str(&files["openapi.json"]).unwrap();
    assert!(
        openapi["paths"]["/v2/call/echo"]["post"].is_object(),
        "{openapi}"
    );
}

#[test]
fn references_to_definitions_the_schema_lacks() {
    // A root `$ref` without `$defs` (a schema cut out of a generator's definitions) would name a
    // type that nothing declares.
    let err = generate(&manifest(vec![function(
        "contact.submit",
        "call",
        Value::Null,
        json!({"type": "object"}),
        json!({"$ref": "#/$defs/Received"}),
    )]))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::UnsupportedSchema {
            function: "contact.submit".into(),
            side: "output",
            pointer: "/".into(),
            what: "the reference \"#/$defs/Received\", which its `$defs` does not define".into()
        }
    );
    let nested = json!({"type": "object", "properties": {"a/b": {"items": {"$ref": "#/$defs/Missing"}}},
                        "$defs": {"Here": {"type": "string"}}});
    let err = generate(&manifest(vec![function(
        "f",
        "call",
        Value::Null,
        nested,
        json!({"$ref": "#/$defs/Here", "$defs": {"Here": {"type": "string"}}}),
    )]))
    .unwrap_err();
    assert!(
        matches!(&err, GenerateError::UnsupportedSchema { side: "input", pointer, .. } if pointer == "/properties/a~1b/items"),
        "{err:?}"
    );
}

fn context(name: &str, scope: &str) -> Value {
    function(
        name,
        "context",
        json!(scope),
        json!({"type": "object", "additionalProperties": false}),
        json!({"type": "string"}),
    )
}

#[test]
fn hook_names_that_two_functions_would_both_declare() {
    // A local context `a` declares `useAQuery`, `useASuspenseQuery`, `aQueryKey`, ...: another
    // function whose own hooks would take one of them is refused, naming both.
    for (other, generated) in [
        (call("a_query"), "useAQuery"),
        (context("a_suspense", "local"), "useASuspenseQuery"),
        (context("a_suspense_query", "global"), "useASuspenseQuery"),
    ] {
        let other_name = other["name"].as_str().unwrap().to_owned();
        assert_eq!(
            generate(&manifest(vec![context("a", "local"), other])).unwrap_err(),
            GenerateError::NameClash {
                first: "a".into(),
                second: other_name,
                generated: generated.into(),
            }
        );
    }
    // A global context `b` declares `useBSuspense`, which a local context `b_suspense`'s
    // provider hook would take too.
    assert_eq!(
        generate(&manifest(vec![
            context("b", "global"),
            context("b_suspense", "local")
        ]))
        .unwrap_err(),
        GenerateError::NameClash {
            first: "b".into(),
            second: "b_suspense".into(),
            generated: "useBSuspense".into(),
        }
    );
    // Names that only look alike are fine.
    assert!(generate(&manifest(vec![context("a", "local"), call("a_query_key")])).is_ok());
}
