//! `spec/vectors/canonical.json`: canonical JSON, cache keys and permission keys.

use mizan_core::{
    CacheKeyDeriver, KeyPurpose, PermissionKeyDeriver, PermissionScope, RootSecret, canonical, hex,
};
use serde_json::{Value, json};

use crate::{CACHE_SECRET, secret};

/// A cache-key case: name, function, params, permission key, rev and the error it must give.
type CacheKeyVariant<'a> = (&'a str, &'a str, &'a Value, &'a str, u64, Option<&'a str>);

/// What a canonical case is meant to show.
enum Expect {
    Canonical(&'static str),
    Error(&'static str),
}

pub(crate) fn vectors() -> Value {
    use Expect::{Canonical as C, Error as E};
    let root = secret(CACHE_SECRET);
    let pks = PermissionKeyDeriver::new(&root);
    let anonymous = pks.permission_key(PermissionScope::Anonymous).unwrap();
    let staff = pks.permission_key(PermissionScope::Staff).unwrap();
    let user42 = pks.permission_key(PermissionScope::User("42")).unwrap();
    let deriver = CacheKeyDeriver::new(&root);

    let deep32 = format!("{}1{}", "[".repeat(32), "]".repeat(32));
    let deep32_out: &'static str = Box::leak(deep32.clone().into_boxed_str());
    let deep33 = format!("{}1{}", "[".repeat(33), "]".repeat(33));
    let deep1000 = "[".repeat(1000);
    let obj_deep32 = format!("{}{{}}{}", "{\"a\":".repeat(31), "}".repeat(31));
    let obj_deep32_out: &'static str = Box::leak(obj_deep32.clone().into_boxed_str());

    let text_cases: Vec<(&str, String, Expect)> = vec![
        ("empty_object", "{}".into(), C("{}")),
        (
            "empty_object_with_whitespace",
            " \t{ \r\n}\n ".into(),
            C("{}"),
        ),
        ("empty_array", "[]".into(), C("[]")),
        (
            "literals",
            r#"{"t":true,"f":false,"n":null}"#.into(),
            C(r#"{"f":false,"n":null,"t":true}"#),
        ),
        (
            "key_order_ascii",
            r#"{"b":1,"a":2,"c":3}"#.into(),
            C(r#"{"a":2,"b":1,"c":3}"#),
        ),
        (
            "key_order_case_digits_underscore",
            r#"{"a":1,"B":2,"_":3,"1":4}"#.into(),
            C(r#"{"1":4,"B":2,"_":3,"a":1}"#),
        ),
        (
            "key_order_prefix_first",
            r#"{"ab":1,"a":2,"":3}"#.into(),
            C(r#"{"":3,"a":2,"ab":1}"#),
        ),
        (
            "key_order_quote_before_backslash",
            r#"{"a\\b":2,"a\"b":1}"#.into(),
            C(r#"{"a\"b":1,"a\\b":2}"#),
        ),
        (
            "nested_objects_sorted_at_every_level",
            r#"{"z":{"y":{"x":{}}},"a":{"c":1,"b":2}}"#.into(),
            C(r#"{"a":{"b":2,"c":1},"z":{"y":{"x":{}}}}"#),
        ),
        (
            "nested_arrays",
            "[[],[[]],[1,[2,[3]]]]".into(),
            C("[[],[[]],[1,[2,[3]]]]"),
        ),
        (
            "array_order_is_kept",
            r#"{"list":[3,1,2]}"#.into(),
            C(r#"{"list":[3,1,2]}"#),
        ),
        (
            "mixed_params",
            r#"{"user":{"name":"Ada","tags":["x","y"],"age":36},"page":1}"#.into(),
            C(r#"{"page":1,"user":{"age":36,"name":"Ada","tags":["x","y"]}}"#),
        ),
        (
            "whitespace_between_every_token",
            "\t{ \"a\" : [ 1 , 2 ] ,\r\n \"b\" : { } }\n".into(),
            C(r#"{"a":[1,2],"b":{}}"#),
        ),
        (
            "utf16_order_escaped_input",
            r#"{"\uff61":1,"\ud83d\ude00":2}"#.into(),
            C("{\"\u{1F600}\":2,\"\u{FF61}\":1}"),
        ),
        (
            "utf16_order_raw_input",
            "{\"\u{FF61}\":1,\"\u{1F600}\":2}".into(),
            C("{\"\u{1F600}\":2,\"\u{FF61}\":1}"),
        ),
        (
            "utf16_order_private_use_vs_astral",
            "{\"\u{E000}\":1,\"\u{10000}\":2,\"\u{D7FF}\":3}".into(),
            C("{\"\u{D7FF}\":3,\"\u{10000}\":2,\"\u{E000}\":1}"),
        ),
        (
            "astral_escaped_pair_becomes_raw",
            r#"{"s":"\ud834\udd1e"}"#.into(),
            C("{\"s\":\"\u{1D11E}\"}"),
        ),
        (
            "astral_raw",
            "{\"s\":\"\u{1D11E}\u{1F600}\"}".into(),
            C("{\"s\":\"\u{1D11E}\u{1F600}\"}"),
        ),
        (
            "combining_character_kept",
            r#"{"e":"e\u0301"}"#.into(),
            C("{\"e\":\"e\u{301}\"}"),
        ),
        (
            "precomposed_character_kept",
            r#"{"e":"\u00e9"}"#.into(),
            C("{\"e\":\"\u{E9}\"}"),
        ),
        (
            "combining_key_sorts_by_base_letter",
            "{\"\u{E9}\":2,\"e\u{301}\":1}".into(),
            C("{\"e\u{301}\":1,\"\u{E9}\":2}"),
        ),
        (
            "short_escapes",
            r#"{"s":"\"\\\/\b\f\n\r\t"}"#.into(),
            C(r#"{"s":"\"\\/\b\f\n\r\t"}"#),
        ),
        (
            "control_escapes_lowercase_hex",
            r#"{"s":"\u0000\u0001\u001F\u000B"}"#.into(),
            C(r#"{"s":"\u0000\u0001\u001f\u000b"}"#),
        ),
        (
            "no_escape_for_del_and_line_separators",
            r#"{"s":"\u007f\u2028\u2029"}"#.into(),
            C("{\"s\":\"\u{7F}\u{2028}\u{2029}\"}"),
        ),
        (
            "unicode_escapes_of_ascii_unescaped",
            r#"{"\u0061":"\u0062\u002F"}"#.into(),
            C(r#"{"a":"b/"}"#),
        ),
        ("empty_key_and_string", r#"{"":""}"#.into(), C(r#"{"":""}"#)),
        (
            "integer_max_safe",
            r#"{"n":9007199254740991}"#.into(),
            C(r#"{"n":9007199254740991}"#),
        ),
        (
            "integer_min_safe",
            r#"{"n":-9007199254740991}"#.into(),
            C(r#"{"n":-9007199254740991}"#),
        ),
        (
            "negative_zero_is_zero",
            r#"{"n":-0}"#.into(),
            C(r#"{"n":0}"#),
        ),
        (
            "small_integers",
            "[0,1,-1,10,-10,123456789]".into(),
            C("[0,1,-1,10,-10,123456789]"),
        ),
        ("top_level_string", r#""hi""#.into(), C(r#""hi""#)),
        ("top_level_integer", " 42 ".into(), C("42")),
        ("top_level_null", "null".into(), C("null")),
        ("depth_32_arrays", deep32, C(deep32_out)),
        ("depth_32_objects", obj_deep32, C(obj_deep32_out)),
        (
            "float_rejected",
            r#"{"n":1.5}"#.into(),
            E("float_not_allowed"),
        ),
        (
            "integral_float_rejected",
            r#"{"n":1.0}"#.into(),
            E("float_not_allowed"),
        ),
        (
            "exponent_rejected",
            r#"{"n":1e3}"#.into(),
            E("float_not_allowed"),
        ),
        (
            "negative_exponent_rejected",
            "[-2E-2]".into(),
            E("float_not_allowed"),
        ),
        (
            "nan_rejected",
            r#"{"n":NaN}"#.into(),
            E("non_finite_number"),
        ),
        (
            "infinity_rejected",
            r#"{"n":Infinity}"#.into(),
            E("non_finite_number"),
        ),
        (
            "negative_infinity_rejected",
            "[-Infinity]".into(),
            E("non_finite_number"),
        ),
        (
            "integer_just_above_max",
            r#"{"n":9007199254740992}"#.into(),
            E("integer_out_of_range"),
        ),
        (
            "integer_just_below_min",
            r#"{"n":-9007199254740992}"#.into(),
            E("integer_out_of_range"),
        ),
        (
            "integer_twenty_digits",
            r#"{"n":12345678901234567890}"#.into(),
            E("integer_out_of_range"),
        ),
        (
            "lone_high_surrogate",
            r#"{"s":"\ud800"}"#.into(),
            E("lone_surrogate"),
        ),
        (
            "lone_low_surrogate",
            r#"{"s":"\udc00"}"#.into(),
            E("lone_surrogate"),
        ),
        (
            "reversed_surrogate_pair",
            r#"{"s":"\udc00\ud800"}"#.into(),
            E("lone_surrogate"),
        ),
        (
            "high_surrogate_then_letter_escape",
            r#"{"s":"\ud800\u0041"}"#.into(),
            E("lone_surrogate"),
        ),
        (
            "lone_surrogate_in_key",
            r#"{"\ud83d":1}"#.into(),
            E("lone_surrogate"),
        ),
        (
            "high_surrogate_then_short_escape",
            r#"["\ud800\u12"]"#.into(),
            E("lone_surrogate"),
        ),
        (
            "high_surrogate_at_end_of_string",
            r#"["\ud800"]"#.into(),
            E("lone_surrogate"),
        ),
        (
            "duplicate_key",
            r#"{"a":1,"a":2}"#.into(),
            E("duplicate_key"),
        ),
        (
            "duplicate_key_after_unescaping",
            r#"{"a":1,"\u0061":2}"#.into(),
            E("duplicate_key"),
        ),
        (
            "duplicate_key_nested",
            r#"{"o":{"x":1,"x":1}}"#.into(),
            E("duplicate_key"),
        ),
        (
            "duplicate_key_reported_before_later_float",
            r#"{"a":1,"a":1.5}"#.into(),
            E("duplicate_key"),
        ),
        (
            "float_reported_before_later_duplicate",
            r#"{"a":1.5,"a":1}"#.into(),
            E("float_not_allowed"),
        ),
        ("depth_33", deep33, E("depth_exceeded")),
        ("depth_1000_unclosed", deep1000, E("depth_exceeded")),
        ("byte_order_mark", "\u{FEFF}{}".into(), E("invalid_json")),
        ("trailing_comma", r#"{"a":1,}"#.into(), E("invalid_json")),
        ("single_quotes", "{'a':1}".into(), E("invalid_json")),
        ("leading_zero", r#"{"n":01}"#.into(), E("invalid_json")),
        ("plus_sign", r#"{"n":+1}"#.into(), E("invalid_json")),
        ("fraction_without_digits", "[1.]".into(), E("invalid_json")),
        ("minus_alone", "-".into(), E("invalid_json")),
        (
            "raw_tab_in_string",
            "{\"s\":\"a\tb\"}".into(),
            E("invalid_json"),
        ),
        (
            "unknown_escape",
            r#"{"s":"\x41"}"#.into(),
            E("invalid_json"),
        ),
        (
            "short_unicode_escape",
            r#"{"s":"\u12"}"#.into(),
            E("invalid_json"),
        ),
        ("empty_input", String::new(), E("invalid_json")),
        ("whitespace_only", " \n".into(), E("invalid_json")),
        ("trailing_content", "{} {}".into(), E("invalid_json")),
        (
            "unterminated_string",
            r#"{"a":"b"#.into(),
            E("invalid_json"),
        ),
        ("comment", "{/*c*/}".into(), E("invalid_json")),
        ("true_misspelled", "[tru]".into(), E("invalid_json")),
    ];

    let byte_cases: Vec<(&str, &str, &str)> = vec![
        ("invalid_utf8_byte_ff", "7b2261223a22ff227d", "invalid_utf8"),
        (
            "invalid_utf8_overlong_slash",
            "7b2261223a22c0af227d",
            "invalid_utf8",
        ),
        (
            "invalid_utf8_encoded_surrogate",
            "7b2261223a22eda080227d",
            "invalid_utf8",
        ),
        (
            "invalid_utf8_truncated_sequence",
            "7b2261223a22e282",
            "invalid_utf8",
        ),
        (
            "invalid_utf8_above_u10ffff",
            "7b2261223a22f4908080227d",
            "invalid_utf8",
        ),
    ];

    let mut cases = Vec::new();
    for (name, input, expect) in text_cases {
        let result = canonical::from_slice(input.as_bytes());
        let mut case = json!({"name": name, "input": input});
        match (expect, result) {
            (C(want), Ok(bytes)) => {
                assert_eq!(String::from_utf8(bytes.clone()).unwrap(), want, "{name}");
                case["canonical"] = json!(want);
                let params = canonical::parse(input.as_bytes()).unwrap();
                case["cache_key"] = cache_key_case(&deriver, "echo", &params, &anonymous, 0);
            }
            (E(want), Err(e)) => {
                assert_eq!(e.code().as_str(), want, "{name}: {e}");
                case["error"] = json!(want);
            }
            (_, other) => panic!("{name}: unexpected {other:?}"),
        }
        cases.push(case);
    }
    for (name, input_hex, want) in byte_cases {
        let err = canonical::from_slice(&hex::decode(input_hex).unwrap()).unwrap_err();
        assert_eq!(err.code().as_str(), want, "{name}");
        cases.push(json!({"name": name, "input_hex": input_hex, "error": want}));
    }

    // Cache-key variants: one input, every other input of the key changed in turn.
    let greet = r#"{"name":"Ada"}"#;
    let params = canonical::parse(greet.as_bytes()).unwrap();
    let obj_deep32 = canonical::parse(obj_deep32_out.as_bytes()).unwrap();
    let fn_128 = format!("a.{}", "b".repeat(126));
    let fn_129 = format!("a.{}", "b".repeat(127));
    let variants: Vec<CacheKeyVariant<'_>> = vec![
        (
            "cache_key_greet_anonymous",
            "greet",
            &params,
            &anonymous,
            0,
            None,
        ),
        (
            "cache_key_greet_rev_1",
            "greet",
            &params,
            &anonymous,
            1,
            None,
        ),
        (
            "cache_key_greet_rev_max",
            "greet",
            &params,
            &anonymous,
            (1 << 53) - 1,
            None,
        ),
        ("cache_key_greet_staff", "greet", &params, &staff, 0, None),
        (
            "cache_key_greet_user_42",
            "greet",
            &params,
            &user42,
            0,
            None,
        ),
        (
            "cache_key_dotted_function",
            "contact.submit",
            &params,
            &anonymous,
            0,
            None,
        ),
        (
            "cache_key_params_depth_32",
            "echo",
            &obj_deep32,
            &anonymous,
            0,
            None,
        ),
        (
            "cache_key_rev_too_large",
            "greet",
            &params,
            &anonymous,
            1 << 53,
            Some("invalid_rev"),
        ),
        (
            "cache_key_function_with_space",
            "bad name",
            &params,
            &anonymous,
            0,
            Some("invalid_function_name"),
        ),
        (
            "cache_key_function_leading_digit",
            "1greet",
            &params,
            &anonymous,
            0,
            Some("invalid_function_name"),
        ),
        (
            "cache_key_function_empty_segment",
            "contact..submit",
            &params,
            &anonymous,
            0,
            Some("invalid_function_name"),
        ),
        (
            "cache_key_function_128_bytes",
            &fn_128,
            &params,
            &anonymous,
            0,
            None,
        ),
        (
            "cache_key_function_129_bytes",
            &fn_129,
            &params,
            &anonymous,
            0,
            Some("invalid_function_name"),
        ),
        (
            "cache_key_permission_key_needing_escapes",
            "greet",
            &params,
            "a\"\\\u{1}\u{E9}",
            0,
            None,
        ),
        (
            "cache_key_empty_permission_key",
            "greet",
            &params,
            "",
            0,
            Some("invalid_permission_key"),
        ),
    ];
    for (name, function, params, pk, rev, want) in variants {
        let input = String::from_utf8(canonical::to_vec(params).unwrap()).unwrap();
        let ck = cache_key_case(&deriver, function, params, pk, rev);
        assert_eq!(ck.get("error").and_then(Value::as_str), want, "{name}");
        cases.push(json!({"name": name, "input": input, "canonical": input, "cache_key": ck}));
    }
    let top_array = json!({"name": "cache_key_params_not_object", "input": "[1]", "canonical": "[1]",
        "cache_key": cache_key_case(&deriver, "echo", &json!([1]), &anonymous, 0)});
    assert_eq!(top_array["cache_key"]["error"], "params_not_object");
    cases.push(top_array);

    let long_id = "u".repeat(256);
    let too_long_id = "u".repeat(257);
    // Lengths count UTF-8 bytes, not characters or UTF-16 units.
    let e_acute_256 = "\u{E9}".repeat(128);
    let e_acute_257 = format!("{}a", "\u{E9}".repeat(128));
    let emoji_256 = "\u{1F600}".repeat(64);
    let scopes: Vec<(&str, Option<&str>, PermissionScope<'_>)> = vec![
        ("anonymous", None, PermissionScope::Anonymous),
        ("authenticated", None, PermissionScope::Authenticated),
        ("staff", None, PermissionScope::Staff),
        ("superuser", None, PermissionScope::Superuser),
        ("user", Some("42"), PermissionScope::User("42")),
        (
            "user",
            Some("ada@example.com"),
            PermissionScope::User("ada@example.com"),
        ),
        (
            "user",
            Some("\u{FC}ber \u{1F600}"),
            PermissionScope::User("\u{FC}ber \u{1F600}"),
        ),
        ("user", Some(&long_id), PermissionScope::User(&long_id)),
        (
            "user",
            Some(&e_acute_256),
            PermissionScope::User(&e_acute_256),
        ),
        (
            "user",
            Some(&e_acute_257),
            PermissionScope::User(&e_acute_257),
        ),
        ("user", Some(&emoji_256), PermissionScope::User(&emoji_256)),
        ("user", Some(""), PermissionScope::User("")),
        (
            "user",
            Some(&too_long_id),
            PermissionScope::User(&too_long_id),
        ),
    ];
    let permission_keys: Vec<Value> = scopes
        .into_iter()
        .map(|(scope, user_id, s)| {
            let mut v = json!({"scope": scope});
            if let Some(id) = user_id {
                v["user_id"] = json!(id);
            }
            match pks.permission_key(s) {
                Ok(pk) => v["pk"] = json!(pk),
                Err(e) => v["error"] = json!(e.code().as_str()),
            }
            v
        })
        .collect();

    assert!(cases.len() >= 40);
    json!({
        "description": "Canonical JSON, cache-key and permission-key vectors; spec/PROTOCOL.md §1.1-§1.4. Generated by `cargo run -p mizan-core --example generate_vectors`; do not edit by hand.",
        "secret_hex": CACHE_SECRET,
        "derived": derived(&root),
        "permission_keys": permission_keys,
        "cases": cases,
    })
}

fn derived(root: &RootSecret) -> Value {
    json!({
        "token": hex::encode(&root.derive(KeyPurpose::Token)),
        "cache": hex::encode(&root.derive(KeyPurpose::Cache)),
        "permission": hex::encode(&root.derive(KeyPurpose::Permission)),
    })
}

fn cache_key_case(
    d: &CacheKeyDeriver,
    function: &str,
    params: &Value,
    pk: &str,
    rev: u64,
) -> Value {
    let mut v = json!({"fn": function, "pk": pk, "rev": rev});
    match d.derive(function, params, pk, rev) {
        Ok(key) => v["key"] = json!(key.to_hex()),
        Err(e) => v["error"] = json!(e.code().as_str()),
    }
    v
}
