//! Writes `spec/vectors/canonical.json` and `spec/vectors/mwt.json`.
//!
//! Run once when the specification changes: `cargo run -p mizan-core --example generate_vectors`.
//! Every case states the outcome it is meant to show, and the generator refuses to write a file in
//! which the library disagrees, so a vector is never just whatever the code happened to do.

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use mizan_core::mwt::{Claims, Keyring, Validation};
use mizan_core::{
    CacheKeyDeriver, KeyPurpose, PermissionKeyDeriver, PermissionScope, RootSecret, base64url,
    canonical, hex,
};
use serde_json::{Value, json};
use sha2::Sha256;

const CACHE_SECRET: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const K1_SECRET: &str = "6d697a616e2074657374206b6579206f6e652c2033322062797465732121213f";
const K2_SECRET: &str = "6d697a616e2074657374206b65792074776f2c20333220627974657321212121";
const K3_SECRET: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f00";
const FOREIGN_SECRET: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const ISSUER: &str = "https://mizan.test";
const AUDIENCE: &str = "mizan-demo";
const NOW: u64 = 1_800_000_000;

fn secret(hex_text: &str) -> RootSecret {
    RootSecret::new(hex::decode(hex_text).expect("hex")).expect("secret")
}

fn main() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors");
    std::fs::create_dir_all(&out).expect("create spec/vectors");
    write(&out.join("canonical.json"), &canonical_vectors());
    write(&out.join("mwt.json"), &mwt_vectors());
}

fn write(path: &Path, value: &Value) {
    let mut text = serde_json::to_string_pretty(value).expect("serialize");
    text.push('\n');
    std::fs::write(path, text).expect("write vectors");
    println!("wrote {}", path.display());
}

/// A cache-key case: name, function, params, permission key, rev and the error it must give.
type CacheKeyVariant<'a> = (&'a str, &'a str, &'a Value, &'a str, u64, Option<&'a str>);

/// What a canonical case is meant to show.
enum Expect {
    Canonical(&'static str),
    Error(&'static str),
}

fn canonical_vectors() -> Value {
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

/// Signs arbitrary segment text with a token key, as a sloppy or hostile signer would.
fn raw_token(secret_hex: &str, kid: &str, payload_segment: &str) -> String {
    let key = secret(secret_hex).derive(KeyPurpose::Token);
    let signed = format!("mwt1.{kid}.{payload_segment}");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        base64url::encode(&mac.finalize().into_bytes())
    )
}

fn raw_payload_token(kid: &str, payload: &str) -> String {
    raw_token(K1_SECRET, kid, &base64url::encode(payload.as_bytes()))
}

fn mwt_vectors() -> Value {
    let keyring = Keyring::new(
        "k1",
        [
            ("k1".to_owned(), secret(K1_SECRET)),
            ("k2".to_owned(), secret(K2_SECRET)),
            ("2026-11_rot".to_owned(), secret(K3_SECRET)),
        ],
    )
    .unwrap();
    let validation = Validation::new(ISSUER, AUDIENCE);
    let iat = NOW - 60;
    let exp = NOW + 3600;
    let base = Claims::new(
        ISSUER,
        AUDIENCE,
        iat,
        exp,
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    );
    let full = base
        .clone()
        .with_subject("42")
        .with_not_before(NOW - 30)
        .with_roles(true, true)
        .with_ext(
            json!({"tenant": "acme", "scopes": ["read", "write"], "n": 7})
                .as_object()
                .unwrap()
                .clone(),
        );
    let minimal = keyring.sign(&base).unwrap();

    let mut cases: Vec<Value> = Vec::new();
    let valid = |name: &str, kid: Option<&str>, claims: &Claims, now: u64| {
        let token = match kid {
            Some(kid) => keyring.sign_with(kid, claims).unwrap(),
            None => keyring.sign(claims).unwrap(),
        };
        assert_eq!(
            &keyring.verify_at(&token, &validation, now).unwrap(),
            claims,
            "{name}"
        );
        let mut case =
            json!({"name": name, "token": token, "now": now, "claims": claims.to_value()});
        if let Some(kid) = kid {
            case["kid"] = json!(kid);
        }
        case
    };
    let mut list = vec![
        valid("valid_minimal", None, &base, NOW),
        valid("valid_all_claims", None, &full, NOW),
        valid(
            "valid_subject_only",
            None,
            &base.clone().with_subject("ada@example.com"),
            NOW,
        ),
        valid(
            "valid_staff_only",
            None,
            &base.clone().with_subject("7").with_roles(true, false),
            NOW,
        ),
        valid(
            "valid_unicode_ext",
            None,
            &base.clone().with_ext(
                json!({"name": "\u{1F600} \u{E9}", "\u{FF61}": 1, "\u{1F600}": 2})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            NOW,
        ),
        valid("valid_signed_by_secondary_key", Some("k2"), &base, NOW),
        valid(
            "valid_kid_with_dash_and_underscore",
            Some("2026-11_rot"),
            &base,
            NOW,
        ),
        valid(
            "valid_one_second_before_expiry_with_skew",
            None,
            &base,
            exp + 30 - 1,
        ),
        valid(
            "valid_at_nbf_minus_skew",
            None,
            &base.clone().with_not_before(NOW + 100),
            NOW + 100 - 30,
        ),
        valid(
            "valid_iat_at_now_plus_skew",
            None,
            &Claims::new(ISSUER, AUDIENCE, NOW + 30, NOW + 3600, "pk"),
            NOW,
        ),
    ];
    // The largest token allowed: pad `ext` until the token is exactly 4096 bytes.
    let mut pad = 2800;
    let max_claims = loop {
        let claims = base
            .clone()
            .with_ext(json!({"pad": "x".repeat(pad)}).as_object().unwrap().clone());
        let len = keyring.sign(&claims).map_or(usize::MAX, |t| t.len());
        if len == 4096 {
            break claims;
        }
        assert!(len < 4096, "no padding gives exactly 4096 bytes");
        pad += 1;
    };
    list.push(valid("valid_exactly_4096_bytes", None, &max_claims, NOW));
    let too_big = base.clone().with_ext(
        json!({"pad": "x".repeat(pad + 3)})
            .as_object()
            .unwrap()
            .clone(),
    );
    assert_eq!(
        keyring.sign(&too_big).unwrap_err().code().as_str(),
        "token_too_large"
    );
    let oversize = raw_token(
        K1_SECRET,
        "k1",
        &base64url::encode(&canonical::to_vec(&too_big.to_value()).unwrap()),
    );
    assert!(oversize.len() > 4096);

    let [_, _, payload, tag]: [&str; 4] =
        minimal.split('.').collect::<Vec<_>>().try_into().unwrap();
    let tag_bytes = base64url::decode(tag).unwrap();
    let flip_first = {
        let mut t = tag_bytes.clone();
        t[0] ^= 1;
        base64url::encode(&t)
    };
    // The last of 43 characters carries 4 significant bits and 2 unused ones; set an unused one.
    let trailing_bits = {
        let last = tag.as_bytes()[42];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let index = alphabet.iter().position(|&c| c == last).unwrap();
        format!("{}{}", &tag[..42], char::from(alphabet[index | 1]))
    };
    let tampered_payload = {
        let mut p = base64url::decode(payload).unwrap();
        let at = p.iter().position(|&b| b == b'4').unwrap();
        p[at] = b'5';
        base64url::encode(&p)
    };
    let claims_json =
        |c: &Claims| String::from_utf8(canonical::to_vec(&c.to_value()).unwrap()).unwrap();
    let jwt_header = base64url::encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let jwt_body = base64url::encode(claims_json(&base).as_bytes());
    let jwt = {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&secret(K1_SECRET).derive(KeyPurpose::Token)).unwrap();
        mac.update(format!("{jwt_header}.{jwt_body}").as_bytes());
        format!(
            "{jwt_header}.{jwt_body}.{}",
            base64url::encode(&mac.finalize().into_bytes())
        )
    };
    let jwt_root_key = {
        let mut mac = Hmac::<Sha256>::new_from_slice(&hex::decode(K1_SECRET).unwrap()).unwrap();
        mac.update(format!("{jwt_header}.{jwt_body}").as_bytes());
        format!(
            "{jwt_header}.{jwt_body}.{}",
            base64url::encode(&mac.finalize().into_bytes())
        )
    };
    let base_json = claims_json(&base);
    let invalid: Vec<(&str, String, u64, &str)> = vec![
        ("oversize", oversize, NOW, "token_too_large"),
        ("empty_string", String::new(), NOW, "malformed_token"),
        (
            "three_segments",
            format!("mwt1.k1.{payload}"),
            NOW,
            "malformed_token",
        ),
        (
            "five_segments",
            format!("{minimal}.x"),
            NOW,
            "malformed_token",
        ),
        ("jwt_signed_with_token_key", jwt, NOW, "malformed_token"),
        (
            "jwt_signed_with_root_secret",
            jwt_root_key,
            NOW,
            "malformed_token",
        ),
        (
            "wrong_version",
            minimal.replacen("mwt1", "mwt2", 1),
            NOW,
            "unsupported_version",
        ),
        (
            "version_uppercase",
            minimal.replacen("mwt1", "MWT1", 1),
            NOW,
            "unsupported_version",
        ),
        (
            "unknown_kid",
            minimal.replacen(".k1.", ".k9.", 1),
            NOW,
            "unknown_kid",
        ),
        (
            "kid_with_illegal_character",
            minimal.replacen(".k1.", ".k!1.", 1),
            NOW,
            "unknown_kid",
        ),
        (
            "empty_kid",
            minimal.replacen(".k1.", "..", 1),
            NOW,
            "unknown_kid",
        ),
        (
            "padding_on_tag",
            format!("{minimal}="),
            NOW,
            "invalid_encoding",
        ),
        (
            "padding_on_payload",
            raw_token(K1_SECRET, "k1", &format!("{}=", base64url::encode(b"{}a"))),
            NOW,
            "invalid_encoding",
        ),
        (
            "standard_alphabet_in_payload",
            raw_token(K1_SECRET, "k1", "e30+"),
            NOW,
            "invalid_encoding",
        ),
        (
            "non_zero_trailing_bits_in_tag",
            format!("mwt1.k1.{payload}.{trailing_bits}"),
            NOW,
            "invalid_encoding",
        ),
        (
            "tag_length_1_mod_4",
            format!("mwt1.k1.{payload}.{tag}AA"),
            NOW,
            "invalid_encoding",
        ),
        (
            "truncated_tag_16_bytes",
            format!("mwt1.k1.{payload}.{}", base64url::encode(&tag_bytes[..16])),
            NOW,
            "invalid_tag_length",
        ),
        (
            "tag_33_bytes",
            format!(
                "mwt1.k1.{payload}.{}",
                base64url::encode(&[tag_bytes.as_slice(), &[0]].concat())
            ),
            NOW,
            "invalid_tag_length",
        ),
        (
            "empty_tag",
            format!("mwt1.k1.{payload}."),
            NOW,
            "invalid_tag_length",
        ),
        (
            "bad_tag",
            format!("mwt1.k1.{payload}.{flip_first}"),
            NOW,
            "bad_signature",
        ),
        (
            "tampered_payload",
            format!("mwt1.k1.{tampered_payload}.{tag}"),
            NOW,
            "bad_signature",
        ),
        (
            "signed_by_foreign_key_under_known_kid",
            raw_token(FOREIGN_SECRET, "k1", payload),
            NOW,
            "bad_signature",
        ),
        (
            "kid_swapped_to_secondary",
            minimal.replacen(".k1.", ".k2.", 1),
            NOW,
            "bad_signature",
        ),
        (
            "payload_not_json",
            raw_payload_token("k1", "not json"),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_empty",
            raw_payload_token("k1", ""),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_array",
            raw_payload_token("k1", "[]"),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_missing_exp",
            raw_payload_token("k1", &base_json.replacen(&format!(",\"exp\":{exp}"), "", 1)),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_iat_as_string",
            raw_payload_token(
                "k1",
                &base_json.replacen(&format!("\"iat\":{iat}"), &format!("\"iat\":\"{iat}\""), 1),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_exp_float",
            raw_payload_token(
                "k1",
                &base_json.replacen(&format!("\"exp\":{exp}"), &format!("\"exp\":{exp}.5"), 1),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_negative_exp",
            raw_payload_token(
                "k1",
                &base_json.replacen(&format!("\"exp\":{exp}"), "\"exp\":-1", 1),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_unknown_claim",
            raw_payload_token(
                "k1",
                &base_json.replacen("\"pk\"", "\"alg\":\"none\",\"pk\"", 1),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_null_subject",
            raw_payload_token(
                "k1",
                &format!("{},\"sub\":null}}", base_json.trim_end_matches('}')),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_staff_false",
            raw_payload_token(
                "k1",
                &format!("{},\"staff\":false}}", base_json.trim_end_matches('}')),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_not_canonical_whitespace",
            raw_payload_token("k1", &base_json.replacen(',', ", ", 1)),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_not_canonical_key_order",
            raw_payload_token(
                "k1",
                &format!(
                    "{{\"pk\":\"p\",{}",
                    &base_json[1..].replacen(",\"pk\":\"0f1e2d3c4b5a69788796a5b4c3d2e1f0\"", "", 1)
                ),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_duplicate_claim",
            raw_payload_token("k1", &base_json.replacen("\"iss\"", "\"iat\":1,\"iss\"", 1)),
            NOW,
            "malformed_payload",
        ),
        (
            "wrong_issuer",
            keyring
                .sign(&Claims {
                    iss: "https://evil.test".into(),
                    ..base.clone()
                })
                .unwrap(),
            NOW,
            "wrong_issuer",
        ),
        (
            "wrong_audience",
            keyring
                .sign(&Claims {
                    aud: "other-app".into(),
                    ..base.clone()
                })
                .unwrap(),
            NOW,
            "wrong_audience",
        ),
        (
            "expired_at_exp_plus_skew",
            minimal.clone(),
            exp + 30,
            "expired",
        ),
        ("expired_long_ago", minimal.clone(), exp + 86_400, "expired"),
        (
            "not_yet_valid_one_second_early",
            keyring
                .sign(&base.clone().with_not_before(NOW + 100))
                .unwrap(),
            NOW + 100 - 30 - 1,
            "not_yet_valid",
        ),
        (
            "issued_in_future_beyond_skew",
            keyring
                .sign(&Claims::new(ISSUER, AUDIENCE, NOW + 31, NOW + 3600, "pk"))
                .unwrap(),
            NOW,
            "issued_in_future",
        ),
    ];
    // Exact boundaries with no skew, and a size limit counted in bytes, not characters.
    let strict = Validation::new(ISSUER, AUDIENCE).with_skew(0);
    let at_nbf = base.clone().with_not_before(NOW + 100);
    let iat_now = Claims::new(ISSUER, AUDIENCE, NOW, NOW + 3600, "pk");
    let skewless: Vec<(&str, String, u64, Option<&str>)> = vec![
        (
            "skew0_valid_one_second_before_exp",
            minimal.clone(),
            exp - 1,
            None,
        ),
        (
            "skew0_expired_at_exp",
            minimal.clone(),
            exp,
            Some("expired"),
        ),
        (
            "skew0_valid_at_nbf",
            keyring.sign(&at_nbf).unwrap(),
            NOW + 100,
            None,
        ),
        (
            "skew0_not_yet_valid_one_second_before_nbf",
            keyring.sign(&at_nbf).unwrap(),
            NOW + 99,
            Some("not_yet_valid"),
        ),
        (
            "skew0_valid_iat_equals_now",
            keyring.sign(&iat_now).unwrap(),
            NOW,
            None,
        ),
        (
            "skew0_issued_in_future_by_one_second",
            keyring.sign(&iat_now).unwrap(),
            NOW - 1,
            Some("issued_in_future"),
        ),
    ];
    for (name, token, now, want) in skewless {
        let result = keyring.verify_at(&token, &strict, now);
        let mut case = json!({"name": name, "token": token, "now": now, "skew": 0});
        match want {
            None => case["claims"] = result.unwrap_or_else(|e| panic!("{name}: {e}")).to_value(),
            Some(code) => {
                assert_eq!(result.unwrap_err().code().as_str(), code, "{name}");
                case["error"] = json!(code);
            }
        }
        list.push(case);
    }
    let wide = format!("mwt1.k1.{}.{}", "\u{E9}".repeat(2100), tag);
    assert!(wide.chars().count() < 4096 && wide.len() > 4096);
    assert_eq!(
        keyring
            .verify_at(&wide, &validation, NOW)
            .unwrap_err()
            .code()
            .as_str(),
        "token_too_large"
    );
    list.push(json!({"name": "oversize_in_bytes_not_characters", "token": wide, "now": NOW, "error": "token_too_large"}));

    for (name, token, now, want) in invalid {
        let got = keyring.verify_at(&token, &validation, now).unwrap_err();
        assert_eq!(got.code().as_str(), want, "{name}");
        list.push(json!({"name": name, "token": token, "now": now, "error": want}));
    }
    cases.append(&mut list);
    assert!(cases.len() >= 25);

    let key_entry = |kid: &str, hex_secret: &str| {
        json!({"kid": kid, "secret_hex": hex_secret,
               "token_key_hex": hex::encode(&secret(hex_secret).derive(KeyPurpose::Token))})
    };
    json!({
        "description": "Mizan Web Token vectors; spec/PROTOCOL.md §1.5-§1.6. Generated by `cargo run -p mizan-core --example generate_vectors`; do not edit by hand.",
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "skew": 30,
        "keyring": {
            "primary": "k1",
            "keys": [key_entry("k1", K1_SECRET), key_entry("k2", K2_SECRET), key_entry("2026-11_rot", K3_SECRET)],
        },
        "cases": cases,
    })
}
