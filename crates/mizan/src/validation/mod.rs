//! Params are checked against the input schema the manifest publishes (`spec/PROTOCOL.md` §2.2)
//! before anything decodes them, so the server enforces every constraint a client is told about:
//! lengths, patterns, ranges, enums, item counts, unknown members.
//!
//! Registration also refuses schemas whose constraints would not be evaluated the same way on
//! every side: patterns outside the portable regex subset ([`portable_regex`]), untagged unions a
//! 64-bit integer makes ambiguous ([`untagged`]), and recursive untagged unions that decode in
//! exponential time ([`recursive_union`]).

mod cost;
mod fields;
pub(crate) use fields::MAX_FIELD_ERRORS;
pub(crate) mod portable_regex;
pub(crate) mod recursive_union;
pub(crate) mod untagged;

use std::sync::OnceLock;

use jsonschema::{Draft, PatternOptions, Validator};
use serde_json::{Map, Value};

use crate::error::PathSegment;
use crate::{Error, Result};

/// The compiled input schema of one function, built once at registration.
pub(crate) struct ParamsValidator {
    validator: Validator,
    /// Each parameter's schema compiled on its own, to name the failing parameters when
    /// explaining more would cost too much; compiled the first time that happens.
    parameters: OnceLock<Vec<(String, Option<Validator>)>>,
}

/// A validator of `schema` by the readings of §2.2.1: patterns on the `regex` engine (linear
/// time, no backtracking), `format` an annotation that is not checked, as in the generated Zod.
fn build(schema: &Value) -> std::result::Result<Validator, String> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_pattern_options(PatternOptions::regex())
        .should_validate_formats(false)
        .build(schema)
        .map_err(|e| e.to_string())
}

/// The members of the `properties` of `schema`.
fn properties(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

impl ParamsValidator {
    /// Compiles `schema` (the published input schema, 64-bit integers already strings).
    pub(crate) fn compile(schema: &Value) -> std::result::Result<Self, String> {
        Ok(Self {
            validator: build(schema)?,
            parameters: OnceLock::new(),
        })
    }

    /// Each parameter of `schema` compiled on its own, with the root's definitions, which its
    /// `$ref`s point into.
    fn parameters(&self, schema: &Value) -> &[(String, Option<Validator>)] {
        self.parameters.get_or_init(|| {
            properties(schema)
                .map(|(name, parameter)| {
                    let mut alone = Map::new();
                    if let Some(definitions) = schema.get("$defs") {
                        alone.insert("$defs".to_owned(), definitions.clone());
                    }
                    match parameter {
                        Value::Object(keywords) => alone.extend(keywords.clone()),
                        other => {
                            alone.insert("allOf".to_owned(), Value::Array(vec![other.clone()]));
                        }
                    }
                    (name.clone(), build(&Value::Object(alone)).ok())
                })
                .collect()
        })
    }

    /// One entry per failing parameter, when explaining each failure in full would cost too
    /// much (§2.2.1): a missing, unknown or invalid parameter, each at its name.
    fn per_parameter(&self, schema: &Value, params: &Map<String, Value>) -> fields::Fields {
        let mut out = fields::Fields::default();
        let required = schema.get("required").and_then(Value::as_array);
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            if !params.contains_key(name) {
                out.push(
                    vec![PathSegment::Key(name.to_owned())],
                    "missing required parameter".to_owned(),
                );
            }
        }
        let parameters = self.parameters(schema);
        for (name, value) in params {
            let message = match parameters.iter().find(|(known, _)| known == name) {
                Some((_, Some(validator))) if validator.is_valid(value) => continue,
                Some(_) => {
                    "does not match its type (the failure is nested too deeply in unions to explain further)"
                }
                None => "unknown parameter",
            };
            out.push(vec![PathSegment::Key(name.clone())], message.to_owned());
        }
        out
    }

    /// Checks a params object against `schema`, the input schema this validator was compiled
    /// from; every failing field is reported, at most once per path.
    ///
    /// `params` is taken and given back so the check needs no copy of the request's values.
    pub(crate) fn check(
        &self,
        schema: &Value,
        params: Map<String, Value>,
    ) -> Result<Map<String, Value>> {
        let object = Value::Object(params);
        if !self.validator.is_valid(&object) {
            let fields = match &object {
                Value::Object(params) if cost::explanation_too_costly(schema, &object) => {
                    self.per_parameter(schema, params)
                }
                _ => fields::field_errors(&object, self.validator.iter_errors(&object)),
            };
            let truncated = fields.truncated;
            let error = Error::validation(fields.into_list());
            return Err(if truncated {
                error.with_details(serde_json::json!({ "truncated": true }))
            } else {
                error
            });
        }
        match object {
            Value::Object(map) => Ok(map),
            _ => unreachable!("an object stays an object"),
        }
    }
}

/// The schema a `$ref` (a `#`-fragment JSON Pointer into `root`) names.
pub(crate) fn ref_target<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

/// The keywords of a schema node, through its `$ref` when it is one.
pub(crate) fn resolve<'a>(root: &'a Value, node: &'a Value) -> Option<&'a Map<String, Value>> {
    let map = node.as_object()?;
    match map.get("$ref").and_then(Value::as_str) {
        Some(reference) => ref_target(root, reference)?.as_object(),
        None => Some(map),
    }
}

/// A `pattern` outside the portable subset, found in a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnportablePattern {
    /// The JSON Pointer of the node whose `pattern` it is.
    pub(crate) schema_path: String,
    /// The pattern.
    pub(crate) pattern: String,
    /// Why it is not portable, and where in it.
    pub(crate) reason: String,
}

/// The first `pattern` in `schema` outside the portable subset ([`portable_regex`]).
pub(crate) fn find_unportable_pattern(schema: &Value) -> Option<UnportablePattern> {
    find_pattern(schema, String::new())
}

fn find_pattern(node: &Value, at: String) -> Option<UnportablePattern> {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(pattern)) = map.get("pattern")
                && let Err(e) = portable_regex::check(pattern)
            {
                return Some(UnportablePattern {
                    schema_path: if at.is_empty() { "/".to_owned() } else { at },
                    pattern: pattern.clone(),
                    reason: format!("at byte {}: {}", e.at, e.reason),
                });
            }
            map.iter()
                // Values, not schemas: a `pattern` member inside them is data.
                .filter(|(key, _)| {
                    !matches!(key.as_str(), "const" | "enum" | "default" | "examples")
                })
                .find_map(|(key, value)| {
                    let escaped = key.replace('~', "~0").replace('/', "~1");
                    find_pattern(value, format!("{at}/{escaped}"))
                })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_pattern(item, format!("{at}/{i}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(schema: &Value, params: Value) -> Vec<(Value, String)> {
        let validator = ParamsValidator::compile(schema).unwrap();
        let Value::Object(params) = params else {
            panic!("params are an object")
        };
        match validator.check(schema, params) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .fields()
                .iter()
                .map(|f| (serde_json::to_value(&f.path).unwrap(), f.message.clone()))
                .collect(),
        }
    }

    #[test]
    fn every_failure_is_one_field_with_its_path_and_a_message() {
        let schema = json!({
            "type": "object",
            "properties": {
                "title": {"type": "string", "maxLength": 3, "pattern": "^[a-z]+$"},
                "address": {"type": "object", "properties": {"zip": {"type": "string"}},
                            "required": ["zip"], "additionalProperties": false}
            },
            "required": ["title", "address"],
            "additionalProperties": false
        });
        let got = fields(
            &schema,
            json!({"title": "ABCDE", "address": {"zap": 1}, "x": 1}),
        );
        assert_eq!(
            got,
            vec![
                (json!(["address", "zap"]), "unknown field".to_owned()),
                (
                    json!(["address", "zip"]),
                    "missing required field".to_owned()
                ),
                // Too long and off-pattern: one field, the first failure.
                (
                    json!(["title"]),
                    "must be at most 3 characters (Unicode code points)".to_owned()
                ),
                (json!(["x"]), "unknown parameter".to_owned()),
            ]
        );
        assert_eq!(
            fields(&schema, json!({"address": {"zip": "1"}})),
            vec![(json!(["title"]), "missing required parameter".to_owned())]
        );
        assert!(fields(&schema, json!({"title": "abc", "address": {"zip": "1"}})).is_empty());
    }

    #[test]
    fn portable_patterns_compile_on_the_server() {
        for pattern in [
            r"^\+[0-9]{1,3} [0-9\-\x20]+$",
            r"^a\/b\.c\[\]\{\}\(\)\|\\\^\$\*\?$",
            r"\u00e9t\u00e9|été|😀",
            "^(?:ab|cd)*?x{2}y{1,}$",
            r"^[\f\v\t\r\n ]*$",
            "^a^",
        ] {
            assert_eq!(portable_regex::check(pattern), Ok(()));
            let schema = json!({"type": "object", "properties": {"p": {"type": "string", "pattern": pattern}}});
            assert!(ParamsValidator::compile(&schema).is_ok(), "{pattern}");
        }
    }
}
