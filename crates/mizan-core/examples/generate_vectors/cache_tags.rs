//! `spec/vectors/cache_tags.json`: tag validity, template parsing, expansion and the tags of an
//! answer (§2.16.1–§2.16.2).
//!
//! Hashed tags are computed here from their definition with `sha2` directly, not through the
//! library, so the file pins the rule and not just the code.

use mizan_core::cache_tags::{TagTemplate, answer_tags, is_valid_tag};
use mizan_core::{canonical, hex};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

fn obj(value: &Value) -> &Map<String, Value> {
    value.as_object().expect("params are an object")
}

/// `mizan:h:` + hex(first16(SHA-256(text))).
fn hashed(text: &str) -> String {
    format!("mizan:h:{}", hex::encode(&Sha256::digest(text)[..16]))
}

/// `mizan:p:` + hex(first16(SHA-256(canonical(["mizan.tag.v1", f, P])))).
fn params_tag(function: &str, params: &Value) -> String {
    let input = canonical::to_vec(&json!(["mizan.tag.v1", function, params])).expect("canonical");
    format!("mizan:p:{}", hex::encode(&Sha256::digest(&input)[..16]))
}

fn tags() -> Vec<Value> {
    let long = "a".repeat(128);
    let too_long = "a".repeat(129);
    let cases: Vec<(&str, &str, bool)> = vec![
        ("one_char", "a", true),
        ("every_class", "Az09_.:-%", true),
        ("server_tag", "mizan:fn:greet", true),
        ("longest", &long, true),
        ("empty", "", false),
        ("too_long", &too_long, false),
        ("space", "a b", false),
        ("comma", "a,b", false),
        ("slash", "a/b", false),
        ("brace", "a{b}", false),
        ("non_ascii", "é", false),
    ];
    cases
        .into_iter()
        .map(|(name, tag, valid)| {
            assert_eq!(is_valid_tag(tag), valid, "{name}");
            json!({"name": name, "tag": tag, "valid": valid})
        })
        .collect()
}

/// A template case: name, template, whether it is an `invalidates` one, and its slots or the
/// error's name.
type TemplateCase<'a> = (&'a str, &'a str, bool, Result<Vec<&'a str>, &'a str>);

/// An answer case: name, function, params, templates, and what the templates expand to.
type AnswerCase<'a> = (&'a str, &'a str, Value, Vec<&'a str>, Vec<String>);

fn templates() -> Vec<Value> {
    let long = format!("{}{{x}}", "a".repeat(129));
    let cases: Vec<TemplateCase<'_>> = vec![
        ("literal", "posts", false, Ok(vec![])),
        ("one_slot", "post:{id}", false, Ok(vec!["id"])),
        (
            "slots_repeat",
            "{a}-{b}:{a}",
            false,
            Ok(vec!["a", "b", "a"]),
        ),
        ("percent_literal", "50%", false, Ok(vec![])),
        (
            "function_tag_in_invalidates",
            "mizan:fn:post_list",
            true,
            Ok(vec![]),
        ),
        (
            "dotted_function_tag",
            "mizan:fn:notes.add",
            true,
            Ok(vec![]),
        ),
        ("empty", "", false, Err("empty_template")),
        ("unclosed", "post:{id", false, Err("unclosed_brace")),
        ("nested_open", "{a{b}", false, Err("unclosed_brace")),
        ("stray_close", "post}", false, Err("stray_closing_brace")),
        ("empty_slot", "post:{}", false, Err("invalid_slot_name")),
        ("slot_not_a_name", "{a-b}", false, Err("invalid_slot_name")),
        (
            "slot_starts_with_digit",
            "{1a}",
            false,
            Err("invalid_slot_name"),
        ),
        ("space", "post {id}", false, Err("invalid_character")),
        ("comma", "a,b", false, Err("invalid_character")),
        ("non_ascii", "é", false, Err("invalid_character")),
        ("literal_too_long", &long, false, Err("template_too_long")),
        ("reserved_prefix", "mizan:x", false, Err("reserved_prefix")),
        (
            "function_tag_in_cache_tags",
            "mizan:fn:post",
            false,
            Err("reserved_prefix"),
        ),
        (
            "params_tag_in_invalidates",
            "mizan:p:abc",
            true,
            Err("reserved_prefix"),
        ),
        (
            "function_tag_bad_name",
            "mizan:fn:1a",
            true,
            Err("invalid_function_tag"),
        ),
        (
            "function_tag_with_slot",
            "mizan:fn:{f}",
            true,
            Err("invalid_function_tag"),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, template, invalidates, expected)| {
            let parsed = if invalidates {
                TagTemplate::parse_invalidation(template)
            } else {
                TagTemplate::parse(template)
            };
            let mut case = json!({"name": name, "template": template, "invalidates": invalidates});
            match expected {
                Ok(slots) => {
                    let parsed = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(parsed.slots().collect::<Vec<_>>(), slots, "{name}");
                    case["slots"] = json!(slots);
                }
                Err(code) => {
                    let err = parsed.expect_err(name);
                    assert_eq!(err.code(), code, "{name}: {err}");
                    case["error"] = json!(code);
                }
            }
            case
        })
        .collect()
}

fn expansions() -> Vec<Value> {
    let long = "x".repeat(130);
    let cases: Vec<(&str, &str, Value, Result<String, &str>)> = vec![
        (
            "integer",
            "post:{id}",
            json!({"id": 42}),
            Ok("post:42".into()),
        ),
        ("negative", "n:{v}", json!({"v": -7}), Ok("n:-7".into())),
        (
            "wide_integer_as_string",
            "u:{v}",
            json!({"v": "18446744073709551615"}),
            Ok("u:18446744073709551615".into()),
        ),
        (
            "booleans",
            "{a}.{b}",
            json!({"a": true, "b": false}),
            Ok("true.false".into()),
        ),
        (
            "space",
            "user:{name}",
            json!({"name": "Ada Lovelace"}),
            Ok("user:Ada%20Lovelace".into()),
        ),
        (
            "colon",
            "user:{name}",
            json!({"name": "a:b"}),
            Ok("user:a%3Ab".into()),
        ),
        (
            "percent",
            "p:{v}",
            json!({"v": "50%"}),
            Ok("p:50%25".into()),
        ),
        (
            "unescaped",
            "k:{v}",
            json!({"v": "A-z_0.9"}),
            Ok("k:A-z_0.9".into()),
        ),
        (
            "utf8_uppercase_hex",
            "e:{v}",
            json!({"v": "é/ü"}),
            Ok("e:%C3%A9%2F%C3%BC".into()),
        ),
        (
            "slot_twice",
            "{id}-{id}",
            json!({"id": 1}),
            Ok("1-1".into()),
        ),
        (
            "extra_params_ignored",
            "posts",
            json!({"id": 1}),
            Ok("posts".into()),
        ),
        ("empty_value", "e:{v}", json!({"v": ""}), Ok("e:".into())),
        (
            "exactly_128",
            "t:{v}",
            json!({"v": "y".repeat(126)}),
            Ok(format!("t:{}", "y".repeat(126))),
        ),
        (
            "over_128_hashed",
            "t:{v}",
            json!({"v": long}),
            Ok(hashed(&format!("t:{long}"))),
        ),
        (
            "escapes_push_over_128",
            "{v}",
            json!({"v": " ".repeat(43)}),
            Ok(hashed(&"%20".repeat(43))),
        ),
        (
            "empty_result_hashed",
            "{v}",
            json!({"v": ""}),
            Ok(hashed("")),
        ),
        ("missing", "x:{id}", json!({}), Err("missing_param")),
        (
            "null",
            "x:{v}",
            json!({"v": null}),
            Err("unsupported_param_type"),
        ),
        (
            "float",
            "x:{v}",
            json!({"v": 1.5}),
            Err("unsupported_param_type"),
        ),
        (
            "array",
            "x:{v}",
            json!({"v": [1]}),
            Err("unsupported_param_type"),
        ),
        (
            "object",
            "x:{v}",
            json!({"v": {}}),
            Err("unsupported_param_type"),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, template, params, expected)| {
            let got = mizan_core::cache_tags::expand(template, obj(&params));
            let mut case = json!({"name": name, "template": template, "params": params});
            match expected {
                Ok(tag) => {
                    assert_eq!(got.as_deref(), Ok(tag.as_str()), "{name}");
                    case["tag"] = json!(tag);
                }
                Err(code) => {
                    assert_eq!(got.map_err(|e| e.code()), Err(code), "{name}");
                    case["error"] = json!(code);
                }
            }
            case
        })
        .collect()
}

fn answers() -> Vec<Value> {
    let cases: Vec<AnswerCase<'_>> = vec![
        (
            "no_templates",
            "greet",
            json!({"name": "Ada"}),
            vec![],
            vec![],
        ),
        (
            "no_params",
            "site.config",
            json!({}),
            vec!["config"],
            vec!["config".into()],
        ),
        (
            "templates_in_order",
            "post",
            json!({"id": 42}),
            vec!["posts", "post:{id}"],
            vec!["posts".into(), "post:42".into()],
        ),
        (
            "repeats_dropped",
            "notes",
            json!({"board": "a"}),
            vec!["notes:{board}", "notes:a", "all"],
            vec!["notes:a".into(), "all".into()],
        ),
        (
            "key_order_does_not_matter",
            "pair",
            json!({"b": "x", "a": 1}),
            vec!["{a}:{b}"],
            vec!["1:x".into()],
        ),
    ];
    cases
        .into_iter()
        .map(|(name, function, params, templates, expanded)| {
            let mut expected = vec![format!("mizan:fn:{function}"), params_tag(function, &params)];
            expected.extend(expanded);
            let parsed: Vec<TagTemplate> =
                templates.iter().map(|t| TagTemplate::parse(t).expect("template")).collect();
            let got = answer_tags(function, obj(&params), &parsed).expect(name);
            assert_eq!(got, expected, "{name}");
            json!({"name": name, "function": function, "params": params, "templates": templates, "tags": expected})
        })
        .collect()
}

pub(crate) fn vectors() -> Value {
    json!({
        "tags": tags(),
        "templates": templates(),
        "expand": expansions(),
        "answers": answers(),
    })
}
