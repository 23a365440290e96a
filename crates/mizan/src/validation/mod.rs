//! Params are checked against the input schema the manifest publishes (`spec/PROTOCOL.md` §2.2)
//! before anything decodes them, so the server enforces every constraint a client is told about:
//! lengths, patterns, ranges, enums, item counts, unknown members.
//!
//! Registration also refuses schemas whose constraints would not be evaluated the same way on
//! every side: patterns outside the portable regex subset ([`portable_regex`]) and untagged
//! unions a 64-bit integer makes ambiguous ([`untagged`]).

mod cost;
mod fields;
pub(crate) mod portable_regex;
pub(crate) mod recursive_union;
pub(crate) mod untagged;

use jsonschema::{Draft, PatternOptions, Validator};
use serde_json::{Map, Value};

use crate::error::PathSegment;
use crate::{Error, Result};

/// The compiled input schema of one function, built once at registration.
pub(crate) struct ParamsValidator {
    validator: Validator,
    /// The schema itself, to estimate what explaining a failure would cost.
    schema: Value,
    /// Each parameter's schema compiled on its own, to name the failing parameters when
    /// explaining more would cost too much.
    parameters: Vec<(String, Validator)>,
    required: Vec<String>,
}

impl ParamsValidator {
    /// Compiles `schema` (the published input schema, 64-bit integers already strings).
    ///
    /// Patterns run on the `regex` engine (linear time, no backtracking); `format` is an
    /// annotation and is not checked, as in the generated Zod schemas.
    pub(crate) fn compile(schema: &Value) -> std::result::Result<Self, String> {
        let build = |schema: &Value| {
            jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_pattern_options(PatternOptions::regex())
                .should_validate_formats(false)
                .build(schema)
                .map_err(|e| e.to_string())
        };
        let validator = build(schema)?;
        let mut parameters = Vec::new();
        for (name, parameter) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            // The parameter's schema with the root's definitions, which its `$ref`s point into.
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
            parameters.push((name.clone(), build(&Value::Object(alone))?));
        }
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|name| name.as_str().map(str::to_owned))
            .collect();
        Ok(Self {
            validator,
            schema: schema.clone(),
            parameters,
            required,
        })
    }

    /// One entry per failing parameter, when explaining each failure in full would cost too
    /// much (§2.2.1): a missing, unknown or invalid parameter, each at its name.
    fn per_parameter(&self, params: &Map<String, Value>) -> fields::Fields {
        let mut out = fields::Fields::default();
        for name in &self.required {
            if !params.contains_key(name) {
                out.push(
                    vec![PathSegment::Key(name.clone())],
                    "missing required parameter".to_owned(),
                );
            }
        }
        for (name, value) in params {
            match self.parameters.iter().find(|(known, _)| known == name) {
                Some((_, validator)) if validator.is_valid(value) => {}
                Some(_) => out.push(
                    vec![PathSegment::Key(name.clone())],
                    "does not match its type (the failure is nested too deeply in unions to explain further)"
                        .to_owned(),
                ),
                None => out.push(
                    vec![PathSegment::Key(name.clone())],
                    "unknown parameter".to_owned(),
                ),
            }
        }
        out
    }

    /// Checks a params object; every failing field is reported, at most once per path.
    ///
    /// `params` is taken and given back so the check needs no copy of the request's values.
    pub(crate) fn check(&self, params: Map<String, Value>) -> Result<Map<String, Value>> {
        let object = Value::Object(params);
        if !self.validator.is_valid(&object) {
            let fields = match &object {
                Value::Object(params) if cost::explanation_too_costly(&self.schema, &object) => {
                    self.per_parameter(params)
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
        match validator.check(params) {
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
