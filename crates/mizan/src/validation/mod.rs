//! Params are checked against the input schema the manifest publishes (`spec/PROTOCOL.md` §2.2)
//! before anything decodes them, so the server enforces every constraint a client is told about:
//! lengths, patterns, ranges, enums, item counts, unknown members.
//!
//! Registration also refuses schemas whose constraints would not be evaluated the same way on
//! every side: patterns outside the portable regex subset ([`portable_regex`]) and untagged
//! unions a 64-bit integer makes ambiguous ([`untagged`]).

mod fields;
pub(crate) mod portable_regex;
pub(crate) mod untagged;

use jsonschema::{Draft, PatternOptions, Validator};
use serde_json::{Map, Value};

use crate::{Error, Result};

/// The compiled input schema of one function, built once at registration.
pub(crate) struct ParamsValidator {
    validator: Validator,
}

impl ParamsValidator {
    /// Compiles `schema` (the published input schema, 64-bit integers already strings).
    ///
    /// Patterns run on the `regex` engine (linear time, no backtracking); `format` is an
    /// annotation and is not checked, as in the generated Zod schemas.
    pub(crate) fn compile(schema: &Value) -> std::result::Result<Self, String> {
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_pattern_options(PatternOptions::regex())
            .should_validate_formats(false)
            .build(schema)
            .map_err(|e| e.to_string())?;
        Ok(Self { validator })
    }

    /// Checks a params object; every failing field is reported, at most once per path.
    ///
    /// `params` is taken and given back so the check needs no copy of the request's values.
    pub(crate) fn check(&self, params: Map<String, Value>) -> Result<Map<String, Value>> {
        let object = Value::Object(params);
        if !self.validator.is_valid(&object) {
            let errors = fields::field_errors(&object, self.validator.iter_errors(&object));
            return Err(Error::validation(errors));
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
