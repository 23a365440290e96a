//! Recursive unions that cost exponential time to decode (`spec/PROTOCOL.md` §2.7).
//!
//! serde decodes an untagged enum by trying its variants one after another, each on the whole
//! value. When two variants accept the same kind of JSON value (two structs, say) and both hold
//! the enum again (`Dir { name, children: Vec<Node> }` beside `Link { target, children:
//! Vec<Node> }`), a failed try of the first has already decoded the children, and the second
//! decodes them again, at every level: twice the work per level of nesting, for valid params too.
//! A tag (`#[serde(tag = "type")]`) tells the variants apart before any child is decoded, so
//! registration refuses only unions whose variants no `const` member tells apart.

use std::collections::HashSet;

use serde_json::Value;

use super::{ref_target, resolve};

/// A union of the input schema that is recursive through two variants of one JSON type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecursiveUnion {
    /// The JSON Pointer of the `anyOf`/`oneOf`.
    pub(crate) schema_path: String,
    /// The two variants.
    pub(crate) variants: (usize, usize),
}

/// The first union in `root`'s `$defs` with two variants that accept the same JSON type, are not
/// told apart by a `const` member, and both lead back to the definition that holds the union.
pub(crate) fn find_recursive_union(root: &Value) -> Option<RecursiveUnion> {
    let definitions = root.get("$defs")?.as_object()?;
    for (name, definition) in definitions {
        let at = format!("/$defs/{}", name.replace('~', "~0").replace('/', "~1"));
        if let Some(found) = in_definition(root, name, definition, at) {
            return Some(found);
        }
    }
    None
}

fn in_definition(root: &Value, name: &str, node: &Value, at: String) -> Option<RecursiveUnion> {
    match node {
        Value::Object(map) => {
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(variants)) = map.get(key) else {
                    continue;
                };
                for (i, a) in variants.iter().enumerate() {
                    for (j, b) in variants.iter().enumerate().skip(i + 1) {
                        let same_kind = json_kinds(root, a)
                            .iter()
                            .any(|kind| json_kinds(root, b).contains(kind));
                        if same_kind
                            && !told_apart(root, a, b)
                            && reaches(root, a, name)
                            && reaches(root, b, name)
                        {
                            return Some(RecursiveUnion {
                                schema_path: format!("{at}/{key}"),
                                variants: (i, j),
                            });
                        }
                    }
                }
            }
            map.iter().find_map(|(key, value)| {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                in_definition(root, name, value, format!("{at}/{escaped}"))
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| in_definition(root, name, item, format!("{at}/{i}"))),
        _ => None,
    }
}

/// The structured JSON types (`object`, `array`) a variant accepts; scalars never recurse.
fn json_kinds(root: &Value, variant: &Value) -> Vec<&'static str> {
    let Some(map) = resolve(root, variant) else {
        return Vec::new();
    };
    let declared: Vec<&str> = match map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    ["object", "array"]
        .into_iter()
        .filter(|kind| declared.contains(kind))
        .collect()
}

/// Whether a member of both variants has a `const` value, different in each: a tag.
fn told_apart(root: &Value, a: &Value, b: &Value) -> bool {
    let consts = |variant: &Value| -> Vec<(String, Value)> {
        resolve(root, variant)
            .and_then(|map| map.get("properties"))
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    .filter_map(|(name, schema)| {
                        let value = resolve(root, schema)?.get("const")?;
                        Some((name.clone(), value.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let tags_b = consts(b);
    consts(a)
        .iter()
        .any(|(name, value)| tags_b.iter().any(|(n, v)| n == name && v != value))
}

/// Whether `node` refers, through any chain of `$ref`s, to the definition `name`.
fn reaches(root: &Value, node: &Value, name: &str) -> bool {
    let target = format!("#/$defs/{}", name.replace('~', "~0").replace('/', "~1"));
    let mut seen = HashSet::new();
    let mut pending = vec![node];
    while let Some(current) = pending.pop() {
        match current {
            Value::Object(map) => {
                if let Some(pointer) = map.get("$ref").and_then(Value::as_str) {
                    if pointer == target {
                        return true;
                    }
                    if seen.insert(pointer.to_owned())
                        && let Some(next) = ref_target(root, pointer)
                    {
                        pending.push(next);
                    }
                }
                // `const` and `enum` values are data, not schemas.
                pending.extend(
                    map.iter()
                        .filter(|(key, _)| !matches!(key.as_str(), "const" | "enum"))
                        .map(|(_, value)| value),
                );
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node_schema(tagged: bool) -> Value {
        let variant = |member: &str, tag: &str| {
            let mut properties = json!({
                member: {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}
            });
            if tagged {
                properties["kind"] = json!({"type": "string", "const": tag});
            }
            json!({"type": "object", "properties": properties})
        };
        json!({
            "type": "object",
            "properties": {"root": {"$ref": "#/$defs/Node"}},
            "$defs": {"Node": {"anyOf": [variant("name", "dir"), variant("target", "link")]}}
        })
    }

    #[test]
    fn untagged_struct_variants_that_both_recurse_are_found() {
        assert_eq!(
            find_recursive_union(&node_schema(false)),
            Some(RecursiveUnion {
                schema_path: "/$defs/Node/anyOf".into(),
                variants: (0, 1)
            })
        );
        assert_eq!(
            find_recursive_union(&node_schema(true)),
            None,
            "a tag tells them apart"
        );
    }

    #[test]
    fn unions_of_different_kinds_or_without_recursion_pass() {
        // A JSON-like value: the array and the object variant both recurse, but serde tells them
        // apart by the JSON type at once.
        let json_like = json!({"$defs": {"Json": {"anyOf": [
            {"type": "null"}, {"type": "string"},
            {"type": "array", "items": {"$ref": "#/$defs/Json"}},
            {"type": "object", "additionalProperties": {"$ref": "#/$defs/Json"}}
        ]}}});
        assert_eq!(find_recursive_union(&json_like), None);
        let flat = json!({"$defs": {"Shape": {"anyOf": [
            {"type": "object", "properties": {"radius": {"type": "integer"}}},
            {"type": "object", "properties": {"side": {"type": "integer"}}}
        ]}}});
        assert_eq!(find_recursive_union(&flat), None);
    }
}
