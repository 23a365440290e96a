//! `spec/vectors/query.json`: the canonical context query, both ways.

use mizan_core::context_query::{QueryError, decode_query, encode_query};
use serde_json::{Map, Value, json};

/// What a case is meant to show: a canonical query, decoded params and rev, or a protocol error
/// with its exact `details`.
enum Expect {
    Query(&'static str),
    Decoded(Value, u64),
    Error(&'static str, Option<Value>),
}

/// Percent-encodes every byte outside `A-Z a-z 0-9 - . _ ~`, for queries the encoder refuses.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn error_json(err: &QueryError) -> Value {
    let mut out = json!({"error": err.code().as_str(), "status": err.code().status()});
    if let Some(details) = err.details() {
        out["details"] = details;
    }
    out
}

fn expected_error(code: &str, details: Option<Value>) -> Value {
    let status = mizan_core::ProtocolErrorCode::from_wire(code)
        .unwrap_or_else(|| panic!("unknown code {code}"))
        .status();
    let mut out = json!({"error": code, "status": status});
    if let Some(details) = details {
        out["details"] = details;
    }
    out
}

fn encode_cases() -> Vec<Value> {
    use Expect::{Error as E, Query as Q};
    let cases: Vec<(&str, Value, u64, Expect)> = vec![
        ("no_params_rev_0", json!({}), 0, Q("")),
        ("no_params_rev_7", json!({}), 7, Q("rev=7")),
        (
            "no_params_largest_rev",
            json!({}),
            9_007_199_254_740_991,
            Q("rev=9007199254740991"),
        ),
        (
            "one_string",
            json!({"name": "Ada"}),
            0,
            Q("p=%7B%22name%22%3A%22Ada%22%7D"),
        ),
        (
            "params_then_rev",
            json!({"name": "Ada"}),
            3,
            Q("p=%7B%22name%22%3A%22Ada%22%7D&rev=3"),
        ),
        (
            "keys_sorted_utf8_escaped_unreserved_kept",
            json!({"name": "Ada Lovelace", "a": "é~"}),
            2,
            Q("p=%7B%22a%22%3A%22%C3%A9~%22%2C%22name%22%3A%22Ada%20Lovelace%22%7D&rev=2"),
        ),
        (
            "reserved_characters_escaped_uppercase",
            json!({"s": "!'()*+&=?#/%"}),
            0,
            Q("p=%7B%22s%22%3A%22%21%27%28%29%2A%2B%26%3D%3F%23%2F%25%22%7D"),
        ),
        (
            "nested_values_sorted_at_every_level",
            json!({"n": 0, "l": [true, null, {"b": 1, "a": -3}]}),
            0,
            Q(
                "p=%7B%22l%22%3A%5Btrue%2Cnull%2C%7B%22a%22%3A-3%2C%22b%22%3A1%7D%5D%2C%22n%22%3A0%7D",
            ),
        ),
        (
            "astral_and_json_escapes",
            json!({"e": "\u{1F600}\n\u{1}"}),
            0,
            Q("p=%7B%22e%22%3A%22%F0%9F%98%80%5Cn%5Cu0001%22%7D"),
        ),
        (
            "safe_integer_bounds",
            json!({"max": 9_007_199_254_740_991_i64, "min": -9_007_199_254_740_991_i64}),
            0,
            Q("p=%7B%22max%22%3A9007199254740991%2C%22min%22%3A-9007199254740991%7D"),
        ),
        (
            "float_param",
            json!({"x": 1.5}),
            0,
            E(
                "malformed_json",
                Some(json!({"reason": "float_not_allowed"})),
            ),
        ),
        (
            "unsafe_integer_param",
            json!({"x": 9_007_199_254_740_992_i64}),
            0,
            E(
                "malformed_json",
                Some(json!({"reason": "integer_out_of_range"})),
            ),
        ),
        (
            "rev_above_2_53_minus_1",
            json!({}),
            9_007_199_254_740_992,
            E("bad_request", Some(json!({"reason": "invalid_rev"}))),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, params, rev, expect)| {
            let object: Map<String, Value> = params.as_object().unwrap().clone();
            let got = encode_query(&object, rev);
            let mut case = json!({"name": name, "params": params, "rev": rev});
            match (expect, got) {
                (Expect::Query(want), Ok(query)) => {
                    assert_eq!(query, want, "{name}");
                    // What the encoder writes, the decoder reads back.
                    assert_eq!(
                        decode_query((!query.is_empty()).then_some(query.as_str())),
                        Ok((object, rev)),
                        "{name}"
                    );
                    case["query"] = json!(query);
                }
                (Expect::Error(code, details), Err(err)) => {
                    let want = expected_error(code, details);
                    assert_eq!(error_json(&err), want, "{name}");
                    merge(&mut case, want);
                }
                (_, got) => panic!("{name}: unexpected {got:?}"),
            }
            case
        })
        .collect()
}

fn merge(case: &mut Value, fields: Value) {
    if let (Value::Object(case), Value::Object(fields)) = (case, fields) {
        case.extend(fields);
    }
}

/// `non_canonical_query` naming the canonical query.
fn fix(received: &str, canonical: &str) -> Expect {
    Expect::Error(
        "non_canonical_query",
        Some(json!({"received": received, "canonical": canonical})),
    )
}

/// `non_canonical_query` for a query with a part that cannot be read.
fn unreadable(received: &str) -> Expect {
    Expect::Error("non_canonical_query", Some(json!({ "received": received })))
}

fn malformed(reason: &str) -> Expect {
    Expect::Error("malformed_json", Some(json!({ "reason": reason })))
}

fn decode_cases() -> Vec<Value> {
    use Expect::{Decoded as D, Error as E};
    const ADA: &str = "p=%7B%22name%22%3A%22Ada%22%7D";
    let deep = percent(&format!("{{\"a\":{}{}}}", "[".repeat(32), "]".repeat(32)));
    let deep: &'static str = Box::leak(format!("p={deep}").into_boxed_str());
    let cases: Vec<(&str, Option<&str>, Expect)> = vec![
        // Canonical queries.
        ("no_query", None, D(json!({}), 0)),
        ("rev_only", Some("rev=7"), D(json!({}), 7)),
        ("params_only", Some(ADA), D(json!({"name": "Ada"}), 0)),
        (
            "params_then_rev",
            Some("p=%7B%22name%22%3A%22Ada%22%7D&rev=3"),
            D(json!({"name": "Ada"}), 3),
        ),
        (
            "largest_rev",
            Some("rev=9007199254740991"),
            D(json!({}), 9_007_199_254_740_991),
        ),
        (
            "reserved_characters",
            Some("p=%7B%22s%22%3A%22%21%27%28%29%2A%2B%26%3D%3F%23%2F%25%22%7D"),
            D(json!({"s": "!'()*+&=?#/%"}), 0),
        ),
        (
            "proto_key_is_an_ordinary_member",
            Some("p=%7B%22__proto__%22%3A1%7D"),
            D(json!({"__proto__": 1}), 0),
        ),
        // An empty query after `?` is not the absent query.
        ("empty_query", Some(""), unreadable("")),
        // Readable but not canonical: the canonical query is named.
        (
            "lowercase_hex",
            Some("p=%7b%22name%22%3a%22Ada%22%7d"),
            fix("p=%7b%22name%22%3a%22Ada%22%7d", ADA),
        ),
        (
            "escaped_unreserved_byte",
            Some("p=%7B%22name%22%3A%22%41da%22%7D"),
            fix("p=%7B%22name%22%3A%22%41da%22%7D", ADA),
        ),
        (
            "literal_reserved_characters",
            Some("p=%7B%22name%22:%22Ada%22}"),
            fix("p=%7B%22name%22:%22Ada%22}", ADA),
        ),
        (
            "json_whitespace",
            Some("p=%7B%20%22name%22%3A%22Ada%22%7D"),
            fix("p=%7B%20%22name%22%3A%22Ada%22%7D", ADA),
        ),
        (
            "json_keys_unsorted",
            Some("p=%7B%22b%22%3A1%2C%22a%22%3A2%7D"),
            fix(
                "p=%7B%22b%22%3A1%2C%22a%22%3A2%7D",
                "p=%7B%22a%22%3A2%2C%22b%22%3A1%7D",
            ),
        ),
        (
            "json_needless_escape",
            Some("p=%7B%22name%22%3A%22%5Cu0041da%22%7D"),
            fix("p=%7B%22name%22%3A%22%5Cu0041da%22%7D", ADA),
        ),
        (
            "escaped_plus_is_a_plus",
            Some("p=%7B%22n%22%3A%22a%2bb%22%7D"),
            fix(
                "p=%7B%22n%22%3A%22a%2bb%22%7D",
                "p=%7B%22n%22%3A%22a%2Bb%22%7D",
            ),
        ),
        ("empty_params", Some("p=%7B%7D"), fix("p=%7B%7D", "")),
        (
            "empty_params_with_rev",
            Some("p=%7B%7D&rev=2"),
            fix("p=%7B%7D&rev=2", "rev=2"),
        ),
        ("rev_0", Some("rev=0"), fix("rev=0", "")),
        ("rev_leading_zero", Some("rev=01"), fix("rev=01", "rev=1")),
        (
            "rev_percent_encoded_digit",
            Some("rev=%31"),
            fix("rev=%31", "rev=1"),
        ),
        (
            "rev_before_params",
            Some("rev=3&p=%7B%22name%22%3A%22Ada%22%7D"),
            fix(
                "rev=3&p=%7B%22name%22%3A%22Ada%22%7D",
                "p=%7B%22name%22%3A%22Ada%22%7D&rev=3",
            ),
        ),
        // A part that cannot be read: no canonical query.
        ("trailing_ampersand", Some("rev=1&"), unreadable("rev=1&")),
        ("leading_ampersand", Some("&rev=1"), unreadable("&rev=1")),
        (
            "double_ampersand",
            Some("p=%7B%22name%22%3A%22Ada%22%7D&&rev=1"),
            unreadable("p=%7B%22name%22%3A%22Ada%22%7D&&rev=1"),
        ),
        ("unknown_part", Some("name=Ada"), unreadable("name=Ada")),
        (
            "part_names_are_case_sensitive",
            Some("REV=1"),
            unreadable("REV=1"),
        ),
        ("part_without_equals", Some("rev"), unreadable("rev")),
        (
            "unknown_part_after_canonical_ones",
            Some("p=%7B%22name%22%3A%22Ada%22%7D&rev=1&x=1"),
            unreadable("p=%7B%22name%22%3A%22Ada%22%7D&rev=1&x=1"),
        ),
        (
            "plus_in_p",
            Some("p=%7B%22n%22%3A%22a+b%22%7D"),
            unreadable("p=%7B%22n%22%3A%22a+b%22%7D"),
        ),
        ("plus_in_rev", Some("rev=+1"), unreadable("rev=+1")),
        (
            "escaped_plus_in_rev",
            Some("rev=%2B1"),
            unreadable("rev=%2B1"),
        ),
        ("escape_not_hex", Some("p=%ZZ"), unreadable("p=%ZZ")),
        ("escape_truncated", Some("p=%7B%7"), unreadable("p=%7B%7")),
        (
            "literal_space",
            Some("p=%7B%22n%22%3A%22a b%22%7D"),
            unreadable("p=%7B%22n%22%3A%22a b%22%7D"),
        ),
        (
            "literal_non_ascii",
            Some("p=%7B%22n%22%3A%22\u{e9}%22%7D"),
            unreadable("p=%7B%22n%22%3A%22\u{e9}%22%7D"),
        ),
        (
            "rev_repeated",
            Some("rev=1&rev=2"),
            unreadable("rev=1&rev=2"),
        ),
        (
            "rev_repeated_with_same_value",
            Some("rev=1&rev=1"),
            unreadable("rev=1&rev=1"),
        ),
        (
            "p_repeated",
            Some("p=%7B%22a%22%3A1%7D&p=%7B%22a%22%3A1%7D"),
            unreadable("p=%7B%22a%22%3A1%7D&p=%7B%22a%22%3A1%7D"),
        ),
        (
            "p_repeated_is_refused_before_its_value_is_read",
            Some("p=%7B%22a%22%3A1%7D&p=%5B"),
            unreadable("p=%7B%22a%22%3A1%7D&p=%5B"),
        ),
        ("rev_empty", Some("rev="), unreadable("rev=")),
        ("rev_negative", Some("rev=-1"), unreadable("rev=-1")),
        ("rev_not_an_integer", Some("rev=1.0"), unreadable("rev=1.0")),
        (
            "rev_above_2_53_minus_1",
            Some("rev=9007199254740992"),
            unreadable("rev=9007199254740992"),
        ),
        (
            "rev_beyond_64_bits",
            Some("rev=99999999999999999999"),
            unreadable("rev=99999999999999999999"),
        ),
        (
            "unreadable_part_before_malformed_p",
            Some("x=1&p=%5B"),
            unreadable("x=1&p=%5B"),
        ),
        // `p` that is not JSON as §1.1.5 reads it.
        ("p_empty", Some("p="), malformed("invalid_json")),
        (
            "p_float",
            Some("p=%7B%22a%22%3A1.5%7D"),
            malformed("float_not_allowed"),
        ),
        (
            "p_malformed_and_misspelled",
            Some("p=%7b%22a%22%3a1.5%7d"),
            malformed("float_not_allowed"),
        ),
        (
            "p_malformed_before_an_unreadable_part",
            Some("p=%5B&x=1"),
            malformed("invalid_json"),
        ),
        (
            "p_malformed_after_a_misspelled_rev",
            Some("rev=01&p=%5B"),
            malformed("invalid_json"),
        ),
        (
            "p_duplicate_key",
            Some("p=%7B%22a%22%3A1%2C%22a%22%3A2%7D"),
            malformed("duplicate_key"),
        ),
        (
            "p_invalid_utf8",
            Some("p=%7B%22a%22%3A%22%FF%22%7D"),
            malformed("invalid_utf8"),
        ),
        (
            "p_lone_surrogate",
            Some("p=%7B%22a%22%3A%22%5CuD800%22%7D"),
            malformed("lone_surrogate"),
        ),
        (
            "p_unsafe_integer",
            Some("p=%7B%22a%22%3A9007199254740992%7D"),
            malformed("integer_out_of_range"),
        ),
        ("p_depth_33", Some(deep), malformed("depth_exceeded")),
        (
            "p_byte_order_mark",
            Some("p=%EF%BB%BF%7B%7D"),
            malformed("invalid_json"),
        ),
        // `p` that is JSON but not an object.
        ("p_array", Some("p=%5B%5D"), E("validation_failed", None)),
        ("p_number", Some("p=1"), E("validation_failed", None)),
        ("p_null", Some("p=null"), E("validation_failed", None)),
        (
            "p_not_object_before_an_unreadable_part",
            Some("p=%22s%22&x"),
            E("validation_failed", None),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, query, expect)| {
            let got = decode_query(query);
            let mut case = json!({"name": name, "query": query});
            match (expect, got) {
                (Expect::Decoded(params, rev), Ok((got_params, got_rev))) => {
                    assert_eq!((Value::Object(got_params), got_rev), (params.clone(), rev));
                    merge(&mut case, json!({"params": params, "rev": rev}));
                }
                (Expect::Error(code, details), Err(err)) => {
                    let want = expected_error(code, details);
                    assert_eq!(error_json(&err), want, "{name}");
                    merge(&mut case, want);
                }
                (_, got) => panic!("{name}: unexpected {got:?}"),
            }
            case
        })
        .collect()
}

pub(crate) fn vectors() -> Value {
    let encode = encode_cases();
    let decode = decode_cases();
    assert!(encode.len() >= 10 && decode.len() >= 50);
    json!({"encode": encode, "decode": decode})
}
