//! Registration fails loudly at startup, never silently.

// Parameter types here exist for their schemas; their values are never read.
#![allow(dead_code)]

use mizan::{GenerateError, Registry, RegistryError, Request, Result};
use schemars::JsonSchema;
use serde::Serialize;

#[mizan::client]
fn ping(_req: &Request) -> Result<String> {
    Ok("pong".into())
}

#[derive(Serialize, JsonSchema)]
struct Price {
    amount: f64,
}

#[mizan::client(context = "local")]
fn price(_req: &Request, sku: String) -> Result<Price> {
    Ok(Price {
        amount: sku.len() as f64,
    })
}

#[mizan::client]
fn price_call(_req: &Request, sku: String) -> Result<Price> {
    Ok(Price {
        amount: sku.len() as f64,
    })
}

#[test]
fn issue_duplicate_function_name_is_an_error() {
    let mut registry = Registry::new();
    registry.register(ping, "ping").unwrap();
    let err = registry.register(ping, "ping").unwrap_err();
    assert_eq!(err, RegistryError::DuplicateName("ping".into()));
    assert_eq!(registry.names().collect::<Vec<_>>(), ["ping"]);
}

#[test]
fn invalid_names_are_rejected() {
    let mut registry = Registry::new();
    for bad in ["", "a b", "1ping", "a..b", "ping.", "a/b"] {
        assert_eq!(
            registry.register(ping, bad).unwrap_err(),
            RegistryError::InvalidName(bad.into())
        );
    }
    assert!(registry.register(ping, "contact.submit").is_ok());
}

#[test]
fn contexts_that_can_return_floats_are_rejected_but_calls_may() {
    let mut registry = Registry::new();
    let err = registry.register(price, "price").unwrap_err();
    assert!(
        matches!(&err, RegistryError::FloatInContextOutput { schema_path, .. } if schema_path == "/properties/amount"),
        "{err:?}"
    );
    assert!(err.to_string().contains("canonical JSON"));
    assert!(registry.register(price_call, "price").is_ok());
}

#[test]
fn functions_stay_callable_as_rust() {
    let req = Request::builder().build();
    assert_eq!(ping::call(&req).unwrap(), "pong");
}

/// A pattern with a Unicode-dependent shorthand.
#[derive(serde::Deserialize, JsonSchema)]
struct Digits(#[schemars(regex(pattern = r"^\d+$"))] String);

#[mizan::client]
fn lookup(_req: &Request, code: Digits) -> Result<bool> {
    let _ = code;
    Ok(true)
}

#[derive(Serialize, JsonSchema)]
struct Tagged(#[schemars(regex(pattern = r"(?i)^ok$"))] String);

#[mizan::client]
fn tagged(_req: &Request) -> Result<Tagged> {
    Ok(Tagged("ok".into()))
}

#[test]
fn patterns_outside_the_portable_subset_are_rejected_in_inputs_and_outputs() {
    let mut registry = Registry::new();
    let err = registry.register(lookup, "lookup").unwrap_err();
    match &err {
        RegistryError::UnportablePattern {
            name,
            schema_path,
            pattern,
            reason,
        } => {
            assert_eq!(
                (name.as_str(), schema_path.as_str(), pattern.as_str()),
                ("lookup", "input/$defs/Digits", r"^\d+$")
            );
            assert!(reason.contains("[0-9]"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("portable regex subset"));
    let err = registry.register(tagged, "tagged").unwrap_err();
    assert!(
        matches!(&err, RegistryError::UnportablePattern { schema_path, reason, .. }
            if schema_path == "output/" && reason.contains("inline flags")),
        "{err:?}"
    );
}

/// `Id(5)` and `Name("5")` would both be `"5"` on the wire.
#[derive(serde::Deserialize, JsonSchema)]
#[serde(untagged)]
enum IdOrName {
    Id(u64),
    Name(String),
}

#[mizan::client]
fn find(_req: &Request, who: IdOrName) -> Result<bool> {
    let _ = who;
    Ok(true)
}

/// A narrow integer beside a string is a number or a string on the wire: fine.
#[derive(serde::Deserialize, JsonSchema)]
#[serde(untagged)]
enum SmallIdOrName {
    Id(u32),
    Name(String),
}

#[mizan::client]
fn find_small(_req: &Request, who: SmallIdOrName) -> Result<bool> {
    let _ = who;
    Ok(true)
}

#[test]
fn untagged_unions_a_64_bit_integer_makes_ambiguous_are_rejected() {
    let mut registry = Registry::new();
    let err = registry.register(find, "find").unwrap_err();
    assert_eq!(
        err,
        RegistryError::AmbiguousUnion {
            name: "find".into(),
            schema_path: "input/$defs/IdOrName/anyOf".into(),
            variants: (0, 1),
        }
    );
    assert!(err.to_string().contains("64-bit integer"));
    assert!(registry.register(find_small, "find_small").is_ok());
}

#[mizan::client]
fn next(_req: &Request, after: std::num::NonZeroU64) -> Result<std::num::NonZeroU64> {
    Ok(after)
}

#[test]
fn non_zero_64_bit_integers_keep_their_minimum_in_the_published_schema() {
    let mut registry = Registry::new();
    registry.register(next, "next").unwrap();
    let manifest = serde_json::to_value(registry.manifest()).unwrap();
    let function = &manifest["functions"][0];
    for schema in [
        &function["input"]["properties"]["after"],
        &function["output"],
    ] {
        assert_eq!(schema["type"], "string", "{schema}");
        let pattern = regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
        assert!(!pattern.is_match("0"), "{pattern}");
        assert!(pattern.is_match("1") && pattern.is_match("18446744073709551615"));
        assert!(!pattern.is_match("18446744073709551616"));
    }
}

/// As sent: `note` is left out when empty, `flag` always sent.
#[derive(Serialize, JsonSchema)]
struct Sent {
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    flag: Option<bool>,
}

#[mizan::client]
fn sent(_req: &Request, sample: Sent2) -> Result<Sent> {
    let _ = sample;
    Ok(Sent {
        note: None,
        flag: None,
    })
}

/// The same shape as a parameter.
#[derive(serde::Deserialize, JsonSchema)]
struct Sent2 {
    flag: Option<bool>,
}

#[test]
fn output_schemas_describe_values_as_they_are_sent() {
    let mut registry = Registry::new();
    registry.register(sent, "sent").unwrap();
    let manifest = serde_json::to_value(registry.manifest()).unwrap();
    let output = &manifest["functions"][0]["output"];
    // In the serialize view a plain `Option` member is always present; a skipped one is not.
    assert_eq!(output["required"], serde_json::json!(["flag"]), "{output}");
    // The type looks different from its deserialize view, so it is published under another name.
    assert_eq!(output["title"], "Sent_Output");
    let input = &manifest["functions"][0]["input"];
    assert_eq!(input["$defs"]["Sent2"].get("required"), None, "{input}");
}

#[mizan::client(context = "local")]
fn wrapped(_req: &Request, children: String) -> Result<String> {
    Ok(children)
}

#[mizan::client(context = "local")]
fn versioned(_req: &Request, rev: u32) -> Result<u32> {
    Ok(rev)
}

#[mizan::client]
fn call_with_children(_req: &Request, children: String) -> Result<String> {
    Ok(children)
}

#[test]
fn local_contexts_with_a_param_their_provider_cannot_take_fail_at_registration() {
    let error = Registry::new().register(wrapped, "wrapped").err().unwrap();
    assert_eq!(
        error,
        RegistryError::GeneratorRules {
            name: "wrapped".into(),
            problems: vec![GenerateError::ReservedParameter {
                function: "wrapped".into(),
                param: "children".into()
            }]
        }
    );
    assert!(error.to_string().contains("children"), "{error}");
    let error = Registry::new()
        .register(versioned, "versioned")
        .err()
        .unwrap();
    assert!(
        matches!(&error, RegistryError::GeneratorRules { problems, .. }
            if problems == &[GenerateError::ReservedParameter { function: "versioned".into(), param: "rev".into() }]),
        "{error}"
    );
    // A call has no provider: the name is fine there.
    assert!(Registry::new().register(call_with_children, "c").is_ok());
}

/// Two Rust types that the generated client would both call `Item`.
mod shop {
    #[derive(serde::Serialize, schemars::JsonSchema)]
    pub(crate) struct Item {
        pub(crate) sku: String,
    }
}

mod blog {
    #[derive(serde::Serialize, schemars::JsonSchema)]
    pub(crate) struct Item {
        pub(crate) title: String,
        pub(crate) words: u32,
    }
}

#[mizan::client]
fn shop_items(_req: &Request) -> Result<Vec<shop::Item>> {
    Ok(Vec::new())
}

#[mizan::client]
fn first_shop_item(_req: &Request) -> Result<Option<shop::Item>> {
    Ok(None)
}

#[mizan::client]
fn blog_items(_req: &Request) -> Result<Vec<blog::Item>> {
    Ok(Vec::new())
}

/// Named `Record` for TypeScript, which is a global type there.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Record")]
struct Row {
    id: u32,
}

#[mizan::client]
fn rows(_req: &Request) -> Result<Vec<Row>> {
    Ok(Vec::new())
}

/// A local context with every mistake at once: two reserved params and a second `Item`.
#[mizan::client(context = "local")]
fn everything_wrong(_req: &Request, children: String, rev: u32) -> Result<Vec<blog::Item>> {
    let _ = (children, rev);
    Ok(Vec::new())
}

#[mizan::client]
fn contact_submit(_req: &Request) -> Result<()> {
    Ok(())
}

#[test]
fn two_types_the_client_would_name_alike_fail_at_the_second_registration() {
    let mut registry = Registry::new();
    registry.register(shop_items, "shop.items").unwrap();
    // The same type in another function is the same TypeScript type.
    registry.register(first_shop_item, "shop.first").unwrap();
    let error = registry.register(blog_items, "blog.items").err().unwrap();
    assert_eq!(
        error,
        RegistryError::GeneratorRules {
            name: "blog.items".into(),
            problems: vec![GenerateError::TypeConflict {
                name: "Item".into(),
                first: "shop.items".into(),
                second: "blog.items".into()
            }]
        }
    );
    assert!(
        error.to_string().starts_with(
            "function \"blog.items\" cannot be part of the generated TypeScript client: the type name \"Item\" has different definitions"
        ),
        "{error}"
    );
    // The refused function left nothing behind: the registry generates.
    assert_eq!(
        registry.names().collect::<Vec<_>>(),
        ["shop.first", "shop.items"]
    );
    mizan_codegen::generate(&registry.manifest()).unwrap();
}

#[test]
fn a_type_name_typescript_cannot_use_fails_at_registration() {
    let error = Registry::new().register(rows, "rows").err().unwrap();
    assert_eq!(
        error,
        RegistryError::GeneratorRules {
            name: "rows".into(),
            problems: vec![GenerateError::InvalidTypeName {
                function: "rows".into(),
                name: "Record".into()
            }]
        }
    );
}

#[test]
fn function_names_that_become_one_typescript_name_fail_at_registration() {
    let mut registry = Registry::new();
    registry.register(ping, "contact.submit").unwrap();
    let error = registry
        .register(contact_submit, "contact_submit")
        .err()
        .unwrap();
    assert_eq!(
        error,
        RegistryError::GeneratorRules {
            name: "contact_submit".into(),
            problems: vec![GenerateError::NameClash {
                first: "contact.submit".into(),
                second: "contact_submit".into(),
                generated: "ContactSubmit".into()
            }]
        }
    );
}

#[test]
fn every_rule_a_function_breaks_is_reported_at_once() {
    let mut registry = Registry::new();
    registry.register(shop_items, "shop.items").unwrap();
    let error = registry
        .register(everything_wrong, "shop_items")
        .err()
        .unwrap();
    let RegistryError::GeneratorRules { name, problems } = &error else {
        panic!("{error}");
    };
    assert_eq!(name, "shop_items");
    assert_eq!(
        problems,
        &[
            GenerateError::NameClash {
                first: "shop.items".into(),
                second: "shop_items".into(),
                generated: "ShopItems".into()
            },
            GenerateError::ReservedParameter {
                function: "shop_items".into(),
                param: "children".into()
            },
            GenerateError::ReservedParameter {
                function: "shop_items".into(),
                param: "rev".into()
            },
            GenerateError::TypeConflict {
                name: "Item".into(),
                first: "shop.items".into(),
                second: "shop_items".into()
            },
        ]
    );
    // One message naming the function, with every problem in it.
    let message = error.to_string();
    for needle in [
        "\"shop_items\"",
        "ShopItems",
        "\"children\"",
        "\"rev\"",
        "\"Item\"",
    ] {
        assert!(message.contains(needle), "{needle}: {message}");
    }
}

#[mizan::client(context = "local")]
fn board(_req: &Request, id: u32) -> Result<u32> {
    Ok(id)
}

/// A call whose hook (`useBoardQuery`) is the one the local context `board` is read with.
#[mizan::client]
fn board_query(_req: &Request) -> Result<u32> {
    Ok(0)
}

#[test]
fn two_functions_declaring_one_generated_hook_are_refused_at_registration() {
    let mut registry = Registry::new();
    registry.register(board, "board").unwrap();
    let error = registry.register(board_query, "board_query").err().unwrap();
    assert_eq!(
        error,
        RegistryError::GeneratorRules {
            name: "board_query".into(),
            problems: vec![GenerateError::NameClash {
                first: "board".into(),
                second: "board_query".into(),
                generated: "useBoardQuery".into(),
            }]
        }
    );
}
