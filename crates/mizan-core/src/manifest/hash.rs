//! The schema hash of a function (`spec/PROTOCOL.md` §2.7): a short fingerprint of its input and
//! output schemas that clients send back, so a server can tell when a client was built against
//! another version of the function.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::base64url;
use crate::canonical::{utf16_cmp, write_string};

/// The length of a schema hash in characters: 16 bytes in base64url without padding.
pub const SCHEMA_HASH_LEN: usize = 22;

/// The schema hash of a function with these schemas: `b64u` of the first 16 bytes of the
/// SHA-256 of the RFC 8785 (JCS) serialization of `{"input": input, "output": output}`, each
/// schema without its annotations ([`ANNOTATIONS`]): a renamed function or an edited doc comment
/// changes nothing on the wire, so it must not turn open pages into stale clients.
///
/// For values canonical JSON (§1.1) accepts, JCS is exactly `canonical(v)`; schemas may hold
/// what it refuses (a `multipleOf` of `0.01`, a bound beyond `2^53`), which JCS writes as
/// ECMAScript writes numbers.
///
/// ```
/// use mizan_core::manifest::schema_hash;
/// use serde_json::json;
///
/// let hash = schema_hash(&json!({"type": "object"}), &json!({"type": "string"}));
/// assert_eq!(hash.len(), 22);
/// // Key order and whitespace do not matter; content does.
/// let same: serde_json::Value = serde_json::from_str(r#"{ "type" : "object" }"#).unwrap();
/// assert_eq!(schema_hash(&same, &json!({"type": "string"})), hash);
/// assert_ne!(schema_hash(&json!({"type": "object"}), &json!({"type": "integer"})), hash);
/// ```
pub fn schema_hash(input: &Value, output: &Value) -> String {
    let mut text = Vec::with_capacity(512);
    text.extend_from_slice(b"{\"input\":");
    write_jcs(&mut text, &without_annotations(input));
    text.extend_from_slice(b",\"output\":");
    write_jcs(&mut text, &without_annotations(output));
    text.push(b'}');
    let digest = Sha256::digest(&text);
    base64url::encode(&digest[..16])
}

/// The schema hash of a channel (`spec/PROTOCOL.md` §2.15.1): as [`schema_hash`], over
/// `{"params": params, "message": message, "incoming": incoming}`, where `incoming` is `null` for a
/// channel whose subscribers may not send.
///
/// ```
/// use mizan_core::manifest::channel_schema_hash;
/// use serde_json::json;
///
/// let read_only = channel_schema_hash(&json!({"type": "object"}), &json!({"type": "string"}), None);
/// let two_way = channel_schema_hash(
///     &json!({"type": "object"}),
///     &json!({"type": "string"}),
///     Some(&json!({"type": "string"})),
/// );
/// assert_eq!(read_only.len(), 22);
/// assert_ne!(read_only, two_way);
/// ```
pub fn channel_schema_hash(params: &Value, message: &Value, incoming: Option<&Value>) -> String {
    let mut text = Vec::with_capacity(512);
    // JCS orders members by key: "incoming" < "message" < "params".
    text.extend_from_slice(b"{\"incoming\":");
    match incoming {
        Some(schema) => write_jcs(&mut text, &without_annotations(schema)),
        None => text.extend_from_slice(b"null"),
    }
    text.extend_from_slice(b",\"message\":");
    write_jcs(&mut text, &without_annotations(message));
    text.extend_from_slice(b",\"params\":");
    write_jcs(&mut text, &without_annotations(params));
    text.push(b'}');
    let digest = Sha256::digest(&text);
    base64url::encode(&digest[..16])
}

/// The keywords left out of a schema before it is hashed: they describe values for people and
/// tools but never change which values are valid.
pub const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
];

/// Keywords whose value is one schema.
const SCHEMA_KEYWORDS: &[&str] = &[
    "items",
    "additionalItems",
    "additionalProperties",
    "unevaluatedItems",
    "unevaluatedProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
];

/// Keywords whose value is an array of schemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["prefixItems", "allOf", "anyOf", "oneOf"];

/// Keywords whose value is an object of schemas by name.
const SCHEMA_MAP_KEYWORDS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// `schema` without [`ANNOTATIONS`] wherever a schema stands (the root and the subschemas of the
/// keywords above); property names, `enum` and `const` values are data and stay as they are.
fn without_annotations(schema: &Value) -> Value {
    let Value::Object(members) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in members {
        let key_str = key.as_str();
        if ANNOTATIONS.contains(&key_str) {
            continue;
        }
        let value = match value {
            _ if SCHEMA_KEYWORDS.contains(&key_str) => without_annotations(value),
            Value::Array(items) if SCHEMA_LIST_KEYWORDS.contains(&key_str) => {
                Value::Array(items.iter().map(without_annotations).collect())
            }
            Value::Object(named) if SCHEMA_MAP_KEYWORDS.contains(&key_str) => Value::Object(
                named
                    .iter()
                    .map(|(name, sub)| (name.clone(), without_annotations(sub)))
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// Whether `text` has the form of a schema hash: 22 base64url characters whose last one carries
/// no unused bits, as [`schema_hash`] writes them.
pub fn is_schema_hash(text: &str) -> bool {
    text.len() == SCHEMA_HASH_LEN && base64url::decode(text).is_some_and(|b| b.len() == 16)
}

/// Appends the RFC 8785 serialization of `value`.
fn write_jcs(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => {
            // JCS reads every number as an IEEE 754 double, as JavaScript does.
            let double = number.as_f64().unwrap_or(f64::NAN);
            write_ecmascript_number(out, double);
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_jcs(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    members.sort_by(|a, b| utf16_cmp(a.0, b.0));
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(out, key);
        out.push(b':');
        write_jcs(out, value);
    }
    out.push(b'}');
}

/// ECMAScript's `Number::toString` (ECMA-262 §6.1.6.1.20), as RFC 8785 §3.2.2.3 requires.
/// serde_json numbers are always finite; a non-finite value is written `null`, as
/// `JSON.stringify` does.
fn write_ecmascript_number(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    if x == 0.0 {
        out.push(b'0');
        return;
    }
    if x < 0.0 {
        out.push(b'-');
    }
    // Rust writes the shortest digits that read back as the same double, as ECMAScript asks;
    // only their layout differs.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let digits = match digits.iter().rposition(|&d| d != b'0') {
        Some(last) => &digits[..=last],
        None => &digits[..1],
    };
    let k = digits.len() as i32;
    let n = exponent + 1;
    if k <= n && n <= 21 {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat_n(b'0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.extend_from_slice(&digits[..n as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-n) as usize));
        out.extend_from_slice(digits);
    } else {
        out.push(digits[0]);
        if k > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if n - 1 < 0 { b'-' } else { b'+' });
        out.extend_from_slice((n - 1).unsigned_abs().to_string().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jcs(value: &Value) -> String {
        let mut out = Vec::new();
        write_jcs(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_written_as_ecmascript_writes_them() {
        // RFC 8785 Appendix B and ECMAScript's own examples.
        for (double, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.01, "0.01"),
            (100.0, "100"),
            (123.456, "123.456"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e21, "1.5e+21"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (333333333.3333333, "333333333.3333333"),
            (9007199254740992.0, "9007199254740992"),
            (18446744073709551615.0, "18446744073709552000"),
        ] {
            let mut out = Vec::new();
            write_ecmascript_number(&mut out, double);
            assert_eq!(String::from_utf8(out).unwrap(), text, "{double:e}");
        }
    }

    #[test]
    fn jcs_extends_canonical_json() {
        let value = json!({"b": [1, -2, "\u{1f}\n"], "a": {"\u{FF61}": 1, "\u{1F600}": 2}});
        assert_eq!(
            jcs(&value),
            crate::canonical::to_string(&value).unwrap(),
            "equal to canonical(v) wherever canonical JSON is defined"
        );
        assert_eq!(
            jcs(&json!({"max": u64::MAX, "step": 0.5})),
            r#"{"max":18446744073709552000,"step":0.5}"#
        );
    }

    #[test]
    fn annotations_do_not_count_but_property_names_and_values_do() {
        let input = json!({
            "type": "object", "title": "EchoInput",
            "properties": {
                "title": {"type": "string", "description": "shown on the page", "maxLength": 80},
                "kind": {"enum": ["a", "b"], "default": "a"}
            },
            "$defs": {"Item": {"title": "Item", "type": "object", "examples": [{}]}},
            "anyOf": [{"description": "x", "type": "object"}],
            "required": ["title"]
        });
        let bare = json!({
            "type": "object",
            "properties": {
                "title": {"type": "string", "maxLength": 80},
                "kind": {"enum": ["a", "b"]}
            },
            "$defs": {"Item": {"type": "object"}},
            "anyOf": [{"type": "object"}],
            "required": ["title"]
        });
        let output = json!({"type": "string", "title": "Output"});
        assert_eq!(
            schema_hash(&input, &output),
            schema_hash(&bare, &json!({"type": "string"}))
        );
        let mut longer = bare.clone();
        longer["properties"]["title"]["maxLength"] = json!(81);
        assert_ne!(schema_hash(&longer, &output), schema_hash(&bare, &output));
        let mut renamed = bare.clone();
        renamed["required"] = json!(["name"]);
        assert_ne!(schema_hash(&renamed, &output), schema_hash(&bare, &output));
        let data = json!({"const": {"title": "kept"}});
        assert_ne!(
            schema_hash(&data, &output),
            schema_hash(&json!({"const": {}}), &output),
            "const values are data"
        );
    }

    #[test]
    fn the_hash_is_pinned() {
        // Changing the definition breaks every deployed client: this value must never change.
        let hash = schema_hash(
            &json!({"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}),
            &json!({"type": "string"}),
        );
        assert_eq!(hash, "UktwCoKgea3oZsbSpYvDGw");
        assert!(is_schema_hash(&hash));
        assert!(!is_schema_hash("UktwCoKgea3oZsbSpYvDG"));
        assert!(!is_schema_hash("UktwCoKgea3oZsbSpYvDG="));
        assert!(!is_schema_hash("UktwCoKgea3oZsbSpYvDGx"), "unused bits set");
    }
}
