//! A manifest that cannot become valid TypeScript gives a clear error naming the function, never
//! broken output.

use std::collections::BTreeMap;

use mizan_codegen::{GenerateError, read_manifest};
use serde_json::{Value, json};

/// Reads the manifest's JSON as `mizan generate` does, then generates.
fn generate(manifest: &Value) -> Result<BTreeMap<&'static str, String>, GenerateError> {
    mizan_codegen::generate(&read_manifest(&manifest.to_string())?)
}

fn function(name: &str, kind: &str, context: Value, input: Value, output: Value) -> Value {
    let (method, path) = match kind {
        "call" => ("POST", format!("/call/{name}")),
        _ => ("GET", format!("/context/{name}")),
    };
    json!({"name": name, "rust_name": name, "kind": kind, "context": context, "auth": "none",
           "method": method, "path": path, "params": [], "input": input, "output": output,
           "schema_hash": "AAAAAAAAAAAAAAAAAAAAAA"})
}

fn call(name: &str) -> Value {
    function(
        name,
        "call",
        Value::Null,
        json!({"type": "object", "additionalProperties": false}),
        json!({"type": "string"}),
    )
}

fn manifest(functions: Vec<Value>) -> Value {
    json!({"protocol": 1, "functions": functions})
}

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

fn form(name: &str) -> Value {
    json!({"name": name, "title": name, "multipart": false, "fields": [
        {"name": "note", "kind": "text", "label": "Note", "required": true, "widget": "text"}
    ]})
}

fn manifest_with_forms(functions: Vec<Value>, forms: Vec<Value>) -> Value {
    json!({"protocol": 1, "functions": functions, "forms": forms})
}

#[test]
fn form_names_that_clash_or_break_the_rule() {
    let err = generate(&manifest_with_forms(
        Vec::new(),
        vec![form("contactUs"), form("contact_us")],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::FormNameClash {
            form: "contact_us".into(),
            other: Some("contactUs".into()),
            generated: "contactUsFormSpec".into(),
        }
    );
    assert!(err.to_string().contains("rename one"), "{err}");

    // A function's output type named like the form's values type.
    let titled = function(
        "lookup",
        "call",
        Value::Null,
        json!({"type": "object", "additionalProperties": false}),
        json!({"title": "ContactFormValues", "type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}),
    );
    let err = generate(&manifest_with_forms(vec![titled], vec![form("contact")])).unwrap_err();
    assert_eq!(
        err,
        GenerateError::FormNameClash {
            form: "contact".into(),
            other: None,
            generated: "ContactFormValues".into(),
        }
    );
    assert!(err.to_string().contains("rename the form"), "{err}");

    assert!(matches!(
        generate(&manifest_with_forms(Vec::new(), vec![form("a.b")])),
        Err(GenerateError::Manifest(why)) if why.contains("\"a.b\"")
    ));
}

#[test]
fn a_form_without_its_submit_function_has_an_unknown_output() {
    let files = generate(&manifest_with_forms(Vec::new(), vec![form("note")])).unwrap();
    let forms = &files["forms.ts"];
    assert!(forms.contains("useMizanForm<NoteFormValues, unknown>(noteFormSpec, options)"));
    assert!(
        !forms.contains("./types.js"),
        "no import of types it does not use"
    );
    assert!(files["index.ts"].contains("export * from \"./forms.js\";"));
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

fn channel(name: &str, message: Value, incoming: Option<Value>) -> Value {
    let params = json!({"type": "object", "properties": {"room": {"type": "string"}},
                        "required": ["room"], "additionalProperties": false});
    let hash = mizan_core::manifest::channel_schema_hash(&params, &message, incoming.as_ref());
    json!({"name": name, "rust_name": name, "auth": "none", "params": params,
           "message": message, "incoming": incoming, "schema_hash": hash})
}

fn manifest_with_channels(functions: Vec<Value>, channels: Vec<Value>) -> Value {
    json!({"protocol": 1, "functions": functions, "channels": channels})
}

#[test]
fn channel_names_that_clash_with_functions_channels_or_types() {
    // The call `chat.channel` has the hook `useChatChannel`, which the channel `chat` generates.
    let err = generate(&manifest_with_channels(
        vec![call("chat.channel")],
        vec![channel("chat", json!({"type": "string"}), None)],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::ChannelNameClash {
            channel: "chat".into(),
            other: "function \"chat.channel\"".into(),
            generated: "useChatChannel".into(),
        }
    );
    assert!(err.to_string().contains("rename one"), "{err}");

    let err = generate(&manifest_with_channels(
        Vec::new(),
        vec![
            channel("chat_room", json!({"type": "string"}), None),
            channel("chat.room", json!({"type": "string"}), None),
        ],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::ChannelNameClash {
            channel: "chat_room".into(),
            other: "channel \"chat.room\"".into(),
            generated: "ChatRoomChannelParams".into(),
        }
    );

    // A channel's message type named like a function's generated input type.
    let titled = json!({"title": "EchoInput", "type": "object",
                        "properties": {"a": {"type": "string"}}, "required": ["a"]});
    let err = generate(&manifest_with_channels(
        vec![call("echo")],
        vec![channel("news", titled, None)],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::ChannelNameClash {
            channel: "news".into(),
            other: "function \"echo\"".into(),
            generated: "EchoInput".into(),
        }
    );

    // The same type name as a function's, defined differently.
    let output = json!({"title": "Post", "type": "object",
                        "properties": {"text": {"type": "string"}}, "required": ["text"]});
    let message = json!({"title": "Post", "type": "object",
                         "properties": {"text": {"type": "integer"}}, "required": ["text"]});
    let err = generate(&manifest_with_channels(
        vec![function(
            "latest",
            "call",
            Value::Null,
            json!({"type": "object", "additionalProperties": false}),
            output.clone(),
        )],
        vec![channel("news", message, None)],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::ChannelNameClash {
            channel: "news".into(),
            other: "a different type of function \"latest\"".into(),
            generated: "Post".into(),
        }
    );
    // Defined the same way, it is one type.
    let files = generate(&manifest_with_channels(
        vec![function(
            "latest",
            "call",
            Value::Null,
            json!({"type": "object", "additionalProperties": false}),
            output.clone(),
        )],
        vec![channel("news", output, None)],
    ))
    .unwrap();
    assert_eq!(files["types.ts"].matches("export type Post =").count(), 1);
    assert!(files["types.ts"].contains("export type NewsChannelMessage = Post;"));
}

#[test]
fn channels_that_break_the_rules() {
    assert_eq!(
        generate(&manifest_with_channels(
            Vec::new(),
            vec![channel("has space", json!({"type": "string"}), None)]
        ))
        .unwrap_err(),
        GenerateError::InvalidChannelName("has space".into())
    );
    let mut bad_hash = channel("chat", json!({"type": "string"}), None);
    bad_hash["schema_hash"] = json!("short");
    assert!(matches!(
        generate(&manifest_with_channels(Vec::new(), vec![bad_hash])),
        Err(GenerateError::Manifest(why)) if why.contains("\"chat\"") && why.contains("schema hash")
    ));
    let err = generate(&manifest_with_channels(
        Vec::new(),
        vec![channel(
            "chat",
            json!({"type": "string"}),
            Some(json!({"$ref": "#/$defs/Missing"})),
        )],
    ))
    .unwrap_err();
    assert!(
        matches!(&err, GenerateError::UnsupportedChannelSchema { channel, side: "incoming", .. } if channel == "chat"),
        "{err:?}"
    );
    let err = generate(&manifest_with_channels(
        Vec::new(),
        vec![channel(
            "chat",
            json!({"title": "PostSchema", "type": "object", "properties": {}}),
            None,
        )],
    ))
    .unwrap_err();
    assert!(
        matches!(&err, GenerateError::Manifest(why) if why.contains("PostSchema")),
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
