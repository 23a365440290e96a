//! Input: the decimal strings at 64-bit integer positions of a params object, turned back into
//! JSON numbers before serde reads them.

use serde_json::{Map, Value};

use super::WIDE_FORMATS;

fn is_wide(schema: &Map<String, Value>) -> bool {
    schema
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| WIDE_FORMATS.contains(&f))
}

/// Whether a schema has any 64-bit or wider integer, so inputs without one skip the conversion.
pub(crate) fn has_wide(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => is_wide(map) || map.values().any(has_wide),
        Value::Array(items) => items.iter().any(has_wide),
        _ => false,
    }
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0"
}

/// Turns the decimal strings at the 64-bit integer positions of `schema` back into JSON numbers,
/// so that serde reads them as integers wherever they are (flattened, in tagged or untagged enums).
/// Anything else is left as it is, for the decoder to judge.
pub(crate) fn numbers_from_strings(value: &mut Value, schema: &Value, root: &Value) {
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(name) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        if let Some(def) = root.get("$defs").and_then(|d| d.get(name)) {
            numbers_from_strings(value, def, root);
        }
        return;
    }
    if is_wide(map) {
        if let Value::String(s) = value {
            let number = is_decimal(s)
                .then(|| {
                    s.parse::<i64>()
                        .map(Value::from)
                        .or_else(|_| s.parse::<u64>().map(Value::from))
                        .ok()
                })
                .flatten();
            if let Some(number) = number {
                *value = number;
            }
        }
        return;
    }
    for part in map
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        numbers_from_strings(value, part, root);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(variants) = map.get(key).and_then(Value::as_array)
            && let Some(variant) = variants.iter().find(|v| could_be(value, v, root))
        {
            numbers_from_strings(value, variant, root);
        }
    }
    match value {
        Value::Object(object) => {
            let properties = map.get("properties").and_then(Value::as_object);
            let additional = map.get("additionalProperties").filter(|a| a.is_object());
            for (key, member) in object.iter_mut() {
                if let Some(schema) = properties.and_then(|p| p.get(key)).or(additional) {
                    numbers_from_strings(member, schema, root);
                }
            }
        }
        Value::Array(items) => {
            let prefix = map.get("prefixItems").and_then(Value::as_array);
            for (i, item) in items.iter_mut().enumerate() {
                if let Some(schema) = prefix.and_then(|p| p.get(i)).or_else(|| map.get("items")) {
                    numbers_from_strings(item, schema, root);
                }
            }
        }
        _ => {}
    }
}

/// Whether `value` can be an instance of the union variant `schema`: its JSON type fits, and
/// every `const` property (an enum tag) it names matches.
fn could_be(value: &Value, schema: &Value, root: &Value) -> bool {
    let Value::Object(map) = schema else {
        return true;
    };
    if let Some(name) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        return root
            .get("$defs")
            .and_then(|d| d.get(name))
            .is_none_or(|def| could_be(value, def, root));
    }
    let type_fits = |t: &str| match (t, value) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("object", Value::Object(_))
        | ("array", Value::Array(_)) => true,
        ("string", Value::String(_)) | ("number" | "integer", Value::Number(_)) => true,
        ("integer", Value::String(s)) => is_wide(map) && is_decimal(s),
        _ => false,
    };
    let types_ok = match map.get("type") {
        Some(Value::String(t)) => type_fits(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(type_fits),
        _ => true,
    };
    let tags_ok = match (map.get("properties").and_then(Value::as_object), value) {
        (Some(properties), Value::Object(object)) => {
            properties.iter().all(|(key, p)| match p.get("const") {
                Some(tag) => object.get(key) == Some(tag),
                None => true,
            })
        }
        _ => true,
    };
    types_ok && tags_ok
}
