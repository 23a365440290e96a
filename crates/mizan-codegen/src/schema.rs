//! JSON Schema (2020-12, as schemars writes it) read into a small type model.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Constraints on a number.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Bounds {
    pub(crate) minimum: Option<f64>,
    pub(crate) maximum: Option<f64>,
    pub(crate) exclusive_minimum: Option<f64>,
    pub(crate) exclusive_maximum: Option<f64>,
    /// A value excluded by `not: {"const": n}` (signed `NonZero` integers exclude 0).
    pub(crate) not_equal: Option<f64>,
}

/// Constraints on a string.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StringRules {
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) pattern: Option<String>,
}

/// A property of an object type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Property {
    pub(crate) name: String,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
    pub(crate) description: Option<String>,
}

/// What an object allows besides its properties.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Extra {
    /// `additionalProperties: false`.
    Forbidden,
    /// No `additionalProperties`: extra members are allowed and ignored.
    Ignored,
    /// `additionalProperties: <schema>`: a map.
    Typed(Box<Ty>),
}

/// The type model every emitter works from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Any,
    Null,
    Bool,
    String(StringRules),
    /// An integer; `bounds` already include the range of its `format` (such as `uint8`).
    Integer(Bounds),
    Number(Bounds),
    Literal(Value),
    Array {
        items: Box<Ty>,
        min_items: Option<u64>,
        max_items: Option<u64>,
        /// `uniqueItems: true` (sets).
        unique: bool,
    },
    Tuple(Vec<Ty>),
    Object {
        properties: Vec<Property>,
        extra: Extra,
    },
    /// A named type from `$defs`.
    Ref(String),
    Union(Vec<Ty>),
    /// `type: [<one type>, "null"]`: one schema that also accepts `null` (not a union of two
    /// schemas: a non-null value is judged by the type's own keywords alone).
    Nullable(Box<Ty>),
    Intersection(Vec<Ty>),
}

/// A schema the emitters cannot express, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported {
    pub(crate) pointer: String,
    pub(crate) what: String,
}

type Read<T> = Result<T, Unsupported>;

/// What a `$ref: "#"` (a root that refers to itself) reads as until the root has its name.
const ROOT: &str = "#";

impl Ty {
    /// Names the root for its self-references.
    pub(crate) fn name_root(&mut self, name: &str) {
        match self {
            Ty::Ref(r) if r == ROOT => *r = name.to_owned(),
            Ty::Array { items, .. } => items.name_root(name),
            Ty::Nullable(inner) => inner.name_root(name),
            Ty::Tuple(items) | Ty::Union(items) | Ty::Intersection(items) => {
                items.iter_mut().for_each(|t| t.name_root(name));
            }
            Ty::Object { properties, extra } => {
                properties.iter_mut().for_each(|p| p.ty.name_root(name));
                if let Extra::Typed(t) = extra {
                    t.name_root(name);
                }
            }
            _ => {}
        }
    }
}

/// Reads a root schema: its type and its named definitions.
pub(crate) fn read_root(schema: &Value) -> Read<(Ty, BTreeMap<String, Ty>)> {
    let mut defs = BTreeMap::new();
    let defined = schema.get("$defs").and_then(Value::as_object);
    if let Some(map) = defined {
        for (name, def) in map {
            defs.insert(name.clone(), read(def, &format!("/$defs/{name}"))?);
        }
    }
    // A reference to a definition the schema lacks would become a type name nothing declares:
    // TypeScript that does not compile.
    if let Some((pointer, reference)) = dangling_reference(schema, defined, String::new()) {
        return Err(unsupported(
            &pointer,
            format!("the reference {reference:?}, which its `$defs` does not define"),
        ));
    }
    Ok((read(schema, "")?, defs))
}

/// The first `$ref` to `#/$defs/<name>` in `schema` whose name `defined` lacks, with its JSON
/// Pointer.
fn dangling_reference(
    schema: &Value,
    defined: Option<&Map<String, Value>>,
    at: String,
) -> Option<(String, String)> {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref")
                && let Some(name) = reference.strip_prefix("#/$defs/")
                && !defined.is_some_and(|d| d.contains_key(name))
            {
                return Some((at, reference.clone()));
            }
            map.iter().find_map(|(key, value)| {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                dangling_reference(value, defined, format!("{at}/{escaped}"))
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| dangling_reference(item, defined, format!("{at}/{i}"))),
        _ => None,
    }
}

fn unsupported(pointer: &str, what: impl Into<String>) -> Unsupported {
    Unsupported {
        pointer: if pointer.is_empty() {
            "/".to_owned()
        } else {
            pointer.to_owned()
        },
        what: what.into(),
    }
}

fn num(map: &Map<String, Value>, key: &str) -> Option<f64> {
    map.get(key).and_then(Value::as_f64)
}

fn uint(map: &Map<String, Value>, key: &str) -> Option<u64> {
    map.get(key).and_then(Value::as_u64)
}

/// The range an integer `format` implies (schemars writes `format` without bounds).
fn format_bounds(format: Option<&str>) -> (Option<f64>, Option<f64>) {
    match format {
        Some("int8") => (Some(-128.0), Some(127.0)),
        Some("int16") => (Some(-32768.0), Some(32767.0)),
        Some("int32") => (Some(-2_147_483_648.0), Some(2_147_483_647.0)),
        Some("uint8") => (Some(0.0), Some(255.0)),
        Some("uint16") => (Some(0.0), Some(65535.0)),
        Some("uint32") => (Some(0.0), Some(4_294_967_295.0)),
        Some("uint64" | "uint" | "uint128") => (Some(0.0), None),
        _ => (None, None),
    }
}

fn read(schema: &Value, at: &str) -> Read<Ty> {
    let map = match schema {
        Value::Bool(true) => return Ok(Ty::Any),
        Value::Bool(false) => return Err(unsupported(at, "a schema that accepts nothing")),
        Value::Object(map) => map,
        _ => return Err(unsupported(at, "a schema that is not an object")),
    };
    // `not: {"const": <number>}` on a number is a bound (`NonZeroI32`); any other `not` is not.
    let excluded_number = map
        .get("not")
        .and_then(Value::as_object)
        .filter(|not| not.len() == 1)
        .and_then(|not| not.get("const"))
        .and_then(Value::as_f64);
    if map.contains_key("not") && excluded_number.is_none() {
        return Err(unsupported(at, "the `not` keyword"));
    }
    for keyword in [
        "if",
        "then",
        "else",
        "dependentSchemas",
        "patternProperties",
        "$dynamicRef",
    ] {
        if map.contains_key(keyword) {
            return Err(unsupported(at, format!("the `{keyword}` keyword")));
        }
    }
    if let Some(Value::String(reference)) = map.get("$ref") {
        if reference == "#" {
            return Ok(Ty::Ref(ROOT.to_owned()));
        }
        return match reference.strip_prefix("#/$defs/") {
            Some(name) => Ok(Ty::Ref(name.to_owned())),
            None => Err(unsupported(at, format!("the reference {reference:?}"))),
        };
    }
    if let Some(value) = map.get("const") {
        return Ok(Ty::Literal(value.clone()));
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        let variants: Vec<Ty> = values.iter().cloned().map(Ty::Literal).collect();
        return Ok(one_or_union(variants));
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = map.get(keyword) {
            let mut base = map.clone();
            base.remove(keyword);
            let shared = has_type_keywords(&base)
                .then(|| read(&Value::Object(base), at))
                .transpose()?;
            let variants = variants
                .iter()
                .enumerate()
                .map(|(i, v)| read(v, &format!("{at}/{keyword}/{i}")))
                .collect::<Read<Vec<_>>>()?;
            let union = one_or_union(variants);
            return Ok(match shared {
                Some(shared) => Ty::Intersection(vec![shared, union]),
                None => union,
            });
        }
    }
    if let Some(Value::Array(parts)) = map.get("allOf") {
        let mut base = map.clone();
        base.remove("allOf");
        let mut all = parts
            .iter()
            .enumerate()
            .map(|(i, v)| read(v, &format!("{at}/allOf/{i}")))
            .collect::<Read<Vec<_>>>()?;
        if has_type_keywords(&base) {
            all.insert(0, read(&Value::Object(base), at)?);
        }
        return Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Ty::Intersection(all)
        });
    }
    match map.get("type") {
        None => Ok(Ty::Any),
        Some(Value::String(t)) => read_typed(map, t, at),
        Some(Value::Array(types)) => {
            if let [a, b] = types.as_slice()
                && let Some(other) = [(a, b), (b, a)]
                    .into_iter()
                    .find_map(|(x, y)| (y == "null" && x != "null").then_some(x))
                && let Some(other) = other.as_str()
            {
                return Ok(Ty::Nullable(Box::new(read_typed(map, other, at)?)));
            }
            let variants = types
                .iter()
                .map(|t| match t.as_str() {
                    Some(t) => read_typed(map, t, at),
                    None => Err(unsupported(at, "a `type` list with a non-string")),
                })
                .collect::<Read<Vec<_>>>()?;
            Ok(one_or_union(variants))
        }
        Some(_) => Err(unsupported(at, "a `type` that is not a string or list")),
    }
}

fn has_type_keywords(map: &Map<String, Value>) -> bool {
    ["type", "properties", "$ref", "enum", "const", "items"]
        .iter()
        .any(|k| map.contains_key(*k))
}

fn one_or_union(mut variants: Vec<Ty>) -> Ty {
    if variants.len() == 1 {
        variants.remove(0)
    } else {
        Ty::Union(variants)
    }
}

fn read_typed(map: &Map<String, Value>, t: &str, at: &str) -> Read<Ty> {
    match t {
        "null" => Ok(Ty::Null),
        "boolean" => Ok(Ty::Bool),
        "string" => Ok(Ty::String(StringRules {
            min_length: uint(map, "minLength"),
            max_length: uint(map, "maxLength"),
            pattern: map
                .get("pattern")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })),
        "integer" | "number" => {
            let (format_min, format_max) = format_bounds(map.get("format").and_then(Value::as_str));
            let bounds = Bounds {
                minimum: num(map, "minimum").or(format_min),
                maximum: num(map, "maximum").or(format_max),
                exclusive_minimum: num(map, "exclusiveMinimum"),
                exclusive_maximum: num(map, "exclusiveMaximum"),
                not_equal: map
                    .get("not")
                    .and_then(|not| not.get("const"))
                    .and_then(Value::as_f64),
            };
            Ok(if t == "integer" {
                Ty::Integer(bounds)
            } else {
                Ty::Number(bounds)
            })
        }
        "array" => {
            if let Some(Value::Array(prefix)) = map.get("prefixItems") {
                let items = prefix
                    .iter()
                    .enumerate()
                    .map(|(i, v)| read(v, &format!("{at}/prefixItems/{i}")))
                    .collect::<Read<Vec<_>>>()?;
                return Ok(Ty::Tuple(items));
            }
            let items = match map.get("items") {
                Some(items) => read(items, &format!("{at}/items"))?,
                None => Ty::Any,
            };
            Ok(Ty::Array {
                items: Box::new(items),
                min_items: uint(map, "minItems"),
                max_items: uint(map, "maxItems"),
                unique: map.get("uniqueItems") == Some(&Value::Bool(true)),
            })
        }
        "object" => {
            let required: Vec<&str> = map
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut properties = Vec::new();
            if let Some(Value::Object(props)) = map.get("properties") {
                for (name, schema) in props {
                    properties.push(Property {
                        name: name.clone(),
                        ty: read(schema, &format!("{at}/properties/{name}"))?,
                        required: required.contains(&name.as_str()),
                        description: schema
                            .get("description")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    });
                }
            }
            let extra = match map.get("additionalProperties") {
                Some(Value::Bool(false)) => Extra::Forbidden,
                None | Some(Value::Bool(true)) => Extra::Ignored,
                Some(schema) => Extra::Typed(Box::new(read(
                    schema,
                    &format!("{at}/additionalProperties"),
                )?)),
            };
            Ok(Ty::Object { properties, extra })
        }
        other => Err(unsupported(at, format!("the type {other:?}"))),
    }
}
