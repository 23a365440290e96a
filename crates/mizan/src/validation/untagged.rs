//! Unions a 64-bit integer makes ambiguous (`spec/PROTOCOL.md` §2.9).
//!
//! A 64-bit integer travels as a decimal string, and the server turns such a string back into a
//! number before decoding. In an untagged union (`anyOf`/`oneOf`) beside a variant that accepts a
//! string or a number at the same place, `Name("5")` and `Id(5)` are the same bytes on the wire,
//! so one of them cannot come back as itself. The rule: in every `anyOf` and `oneOf`, a 64-bit
//! integer in one variant must not sit where another variant accepts a string or a number (the
//! variant itself, or the same property of two object variants whose `const` tags do not tell
//! them apart, or their array items). Registration refuses anything else.

use serde_json::{Map, Value};

use super::resolve;
use crate::wide_int::is_wide_integer;

/// Nesting deep enough for any real type; it stops `$ref` cycles.
const MAX_DEPTH: usize = 24;

/// The JSON Pointer of the first ambiguous union in `root`, with the two variants' indexes.
pub(crate) fn find_ambiguous_union(root: &Value) -> Option<(String, usize, usize)> {
    walk(root, root, String::new())
}

fn walk(node: &Value, root: &Value, at: String) -> Option<(String, usize, usize)> {
    match node {
        Value::Object(map) => {
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(variants)) = map.get(key) {
                    for (i, a) in variants.iter().enumerate() {
                        for (j, b) in variants.iter().enumerate().skip(i + 1) {
                            if clash(a, b, root, 0) {
                                return Some((format!("{at}/{key}"), i, j));
                            }
                        }
                    }
                }
            }
            map.iter().find_map(|(key, value)| {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                walk(value, root, format!("{at}/{escaped}"))
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| walk(item, root, format!("{at}/{i}"))),
        _ => None,
    }
}

fn variants(map: &Map<String, Value>) -> impl Iterator<Item = &Value> {
    ["anyOf", "oneOf", "allOf"]
        .into_iter()
        .filter_map(|k| map.get(k).and_then(Value::as_array))
        .flatten()
}

fn types(map: &Map<String, Value>) -> Option<Vec<&str>> {
    match map.get("type")? {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(ts) => Some(ts.iter().filter_map(Value::as_str).collect()),
        _ => Some(Vec::new()),
    }
}

/// Whether the node is, or has among its variants, a 64-bit integer.
fn is_wide(node: &Value, root: &Value, depth: usize) -> bool {
    let Some(map) = resolve(root, node).filter(|_| depth < MAX_DEPTH) else {
        return false;
    };
    is_wide_integer(map) || variants(map).any(|v| is_wide(v, root, depth + 1))
}

/// Whether the node accepts some string or number.
fn admits_scalar(node: &Value, root: &Value, depth: usize) -> bool {
    if node == &Value::Bool(true) {
        return true;
    }
    let Some(map) = resolve(root, node).filter(|_| depth < MAX_DEPTH) else {
        return false;
    };
    let scalar = |v: &Value| v.is_string() || v.is_number();
    if let Some(value) = map.get("const") {
        return scalar(value);
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        return values.iter().any(scalar);
    }
    match types(map) {
        Some(ts) => ts
            .iter()
            .any(|t| matches!(*t, "string" | "number" | "integer")),
        None => {
            let mut parts = variants(map).peekable();
            if parts.peek().is_some() {
                parts.any(|v| admits_scalar(v, root, depth + 1))
            } else {
                // No `type` and no variants: any value, unless it only describes an object.
                !map.contains_key("properties")
            }
        }
    }
}

/// Whether two `const` tags (an enum's tag property) tell the two objects apart.
fn tags_differ(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    let (Some(pa), Some(pb)) = (
        a.get("properties").and_then(Value::as_object),
        b.get("properties").and_then(Value::as_object),
    ) else {
        return false;
    };
    pa.iter().any(|(key, p)| {
        matches!(
            (p.get("const"), pb.get(key).and_then(|q| q.get("const"))),
            (Some(x), Some(y)) if x != y
        )
    })
}

fn clash(a: &Value, b: &Value, root: &Value, depth: usize) -> bool {
    if depth >= MAX_DEPTH {
        return false;
    }
    if (is_wide(a, root, depth) && admits_scalar(b, root, depth))
        || (is_wide(b, root, depth) && admits_scalar(a, root, depth))
    {
        return true;
    }
    let (Some(ma), Some(mb)) = (resolve(root, a), resolve(root, b)) else {
        return false;
    };
    // A variant that is itself a union clashes through any of its variants.
    if variants(ma).any(|v| clash(v, b, root, depth + 1))
        || variants(mb).any(|v| clash(a, v, root, depth + 1))
    {
        return true;
    }
    if tags_differ(ma, mb) {
        return false;
    }
    if let (Some(pa), Some(pb)) = (
        ma.get("properties").and_then(Value::as_object),
        mb.get("properties").and_then(Value::as_object),
    ) && pa
        .iter()
        .any(|(key, p)| pb.get(key).is_some_and(|q| clash(p, q, root, depth + 1)))
    {
        return true;
    }
    matches!((ma.get("items"), mb.get("items")), (Some(x), Some(y)) if clash(x, y, root, depth + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn published<T: schemars::JsonSchema>() -> Value {
        let mut schema = schemars::SchemaGenerator::default()
            .root_schema_for::<T>()
            .to_value();
        crate::wide_int::rewrite_schema(&mut schema);
        schema
    }

    #[allow(dead_code)]
    #[derive(schemars::JsonSchema)]
    #[serde(untagged)]
    enum StringOrWide {
        Name(String),
        Id(u64),
    }

    #[allow(dead_code)]
    #[derive(schemars::JsonSchema)]
    #[serde(untagged)]
    enum NarrowOrWide {
        Small(u32),
        Big(i64),
    }

    #[allow(dead_code)]
    #[derive(schemars::JsonSchema)]
    #[serde(untagged)]
    enum Objects {
        A { id: u64, x: bool },
        B { id: String, y: bool },
    }

    #[allow(dead_code)]
    #[derive(schemars::JsonSchema)]
    #[serde(untagged)]
    enum Fine {
        Id(u64),
        Flag(bool),
        List(Vec<String>),
        Nothing,
    }

    #[allow(dead_code)]
    #[derive(schemars::JsonSchema)]
    #[serde(untagged)]
    enum NarrowAndString {
        Id(u32),
        Name(String),
    }

    #[allow(dead_code)]
    #[derive(schemars::JsonSchema)]
    #[serde(tag = "kind")]
    enum Tagged {
        A { id: u64 },
        B { id: String },
    }

    #[test]
    fn a_wide_integer_beside_a_string_or_number_is_ambiguous() {
        assert!(find_ambiguous_union(&published::<StringOrWide>()).is_some());
        assert!(find_ambiguous_union(&published::<NarrowOrWide>()).is_some());
        assert!(find_ambiguous_union(&published::<Objects>()).is_some());
        assert!(find_ambiguous_union(&published::<Option<StringOrWide>>()).is_some());
    }

    #[test]
    fn unions_the_wire_tells_apart_are_fine() {
        assert_eq!(find_ambiguous_union(&published::<Fine>()), None);
        assert_eq!(find_ambiguous_union(&published::<NarrowAndString>()), None);
        assert_eq!(find_ambiguous_union(&published::<Tagged>()), None);
        assert_eq!(find_ambiguous_union(&published::<Option<u64>>()), None);
        assert_eq!(
            find_ambiguous_union(&json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})),
            None
        );
    }
}
