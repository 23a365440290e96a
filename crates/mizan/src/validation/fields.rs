//! Schema failures turned into the `fields` of a `validation_failed` error (§2.6): one per
//! failing value, with its path from the params object and a message for people.

use std::collections::HashSet;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ErrorIterator, ValidationError};
use serde_json::Value;

use crate::error::{FieldError, PathSegment};

/// The most entries `fields` holds (§2.2.1); a body of a million bad values must not cost a
/// million entries, nor their time.
pub(crate) const MAX_FIELD_ERRORS: usize = 100;

/// Field errors collected so far, one per path, at most [`MAX_FIELD_ERRORS`].
#[derive(Default)]
pub(crate) struct Fields {
    list: Vec<FieldError>,
    paths: HashSet<Vec<PathSegment>>,
    /// Whether a failure was left out because the list was full.
    pub(crate) truncated: bool,
}

impl Fields {
    /// Adds an entry, unless its path has one or the list is full.
    pub(crate) fn push(&mut self, path: Vec<PathSegment>, message: String) {
        if self.paths.contains(&path) {
            return;
        }
        if self.list.len() == MAX_FIELD_ERRORS {
            self.truncated = true;
            return;
        }
        self.paths.insert(path.clone());
        self.list.push(FieldError { path, message });
    }

    /// The entries, in the order found.
    pub(crate) fn into_list(self) -> Vec<FieldError> {
        self.list
    }
}

/// Every failure as a field error, the first one only when several fall on one path, at most
/// [`MAX_FIELD_ERRORS`] of them.
///
/// An array with more items than `maxItems` allows is reported once, at the array: its items are
/// not judged (as the generated Zod schemas do, which stop there).
pub(crate) fn field_errors(root: &Value, errors: ErrorIterator<'_>) -> Fields {
    let mut out = Fields::default();
    let mut too_many: Vec<Vec<PathSegment>> = Vec::new();
    for error in errors {
        if matches!(error.kind(), ValidationErrorKind::MaxItems { .. }) {
            too_many.push(path_of(root, error.instance_path().as_str()));
        }
        collect(root, &error, &mut out);
        if out.truncated {
            break;
        }
    }
    if !too_many.is_empty() {
        out.list.retain(|f| {
            !too_many
                .iter()
                .any(|array| f.path.len() > array.len() && f.path.starts_with(array))
        });
    }
    out
}

fn push(out: &mut Fields, path: Vec<PathSegment>, message: String) {
    out.push(path, message);
}

fn collect(root: &Value, error: &ValidationError<'_>, out: &mut Fields) {
    let at = error.instance_path().as_str();
    let path = path_of(root, at);
    let top = path.is_empty();
    let message = match error.kind() {
        ValidationErrorKind::Required { property } => {
            let mut path = path;
            path.push(PathSegment::Key(
                property.as_str().unwrap_or_default().to_owned(),
            ));
            let message = if top {
                "missing required parameter"
            } else {
                "missing required field"
            };
            return push(out, path, message.to_owned());
        }
        // `additionalProperties: false` on an object without `properties` (a function without
        // parameters, a struct without fields) is reported as a false schema at the object, naming
        // only its first member: every member is unknown.
        ValidationErrorKind::FalseSchema
            if error
                .schema_path()
                .as_str()
                .ends_with("/additionalProperties") =>
        {
            let message = if top {
                "unknown parameter"
            } else {
                "unknown field"
            };
            if let Some(Value::Object(members)) = root.pointer(at) {
                for key in members.keys() {
                    let mut path = path.clone();
                    path.push(PathSegment::Key(key.clone()));
                    push(out, path, message.to_owned());
                }
            }
            return;
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let message = if top {
                "unknown parameter"
            } else {
                "unknown field"
            };
            for key in unexpected {
                let mut path = path.clone();
                path.push(PathSegment::Key(key.clone()));
                push(out, path, message.to_owned());
            }
            return;
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // The variants the value fails only by checks (a length, a range, a pattern): when
            // exactly one does, its failures say what is wrong; otherwise the union does.
            if let Some(variant) = only_fitting_variant(context) {
                for e in variant {
                    collect(root, e, out);
                }
                return;
            }
            "matches none of the allowed shapes".to_owned()
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "matches more than one of the allowed shapes".to_owned()
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.as_str().to_owned(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(jsonschema::JsonType::as_str)
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("expected {expected}, got {}", json_type(error.instance()))
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("must be at most {limit} characters (Unicode code points)")
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("must be at least {limit} characters (Unicode code points)")
        }
        ValidationErrorKind::Pattern { pattern } => {
            if pattern.len() > 80 {
                "is not in the allowed form or range".to_owned()
            } else {
                format!("does not match the pattern {pattern}")
            }
        }
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("must be more than {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        ValidationErrorKind::Enum { options } => format!("must be one of {options}"),
        ValidationErrorKind::Constant { expected_value } => format!("must be {expected_value}"),
        ValidationErrorKind::MinItems { limit } => format!("must have at least {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("must have at most {limit} items"),
        ValidationErrorKind::UniqueItems => "must not contain the same item twice".to_owned(),
        ValidationErrorKind::MinProperties { limit } => {
            format!("must have at least {limit} members")
        }
        ValidationErrorKind::MaxProperties { limit } => {
            format!("must have at most {limit} members")
        }
        ValidationErrorKind::FalseSchema => "no value is allowed here".to_owned(),
        ValidationErrorKind::Not { .. } => "is not allowed".to_owned(),
        ValidationErrorKind::MultipleOf { multiple_of } => {
            format!("must be a multiple of {multiple_of}")
        }
        _ => "is invalid".to_owned(),
    };
    push(out, path, message);
}

/// Whether a failure rules its union variant out (a wrong type, a missing member, a wrong tag)
/// rather than being a check the value failed after it matched the variant's shape. The same
/// split as the generated Zod schemas (issues that abort versus checks that continue), so both
/// sides report a failing union at the same path (§2.6).
fn rules_out(error: &ValidationError<'_>) -> bool {
    match error.kind() {
        ValidationErrorKind::MaxLength { .. }
        | ValidationErrorKind::MinLength { .. }
        | ValidationErrorKind::Pattern { .. }
        | ValidationErrorKind::Minimum { .. }
        | ValidationErrorKind::Maximum { .. }
        | ValidationErrorKind::ExclusiveMinimum { .. }
        | ValidationErrorKind::ExclusiveMaximum { .. }
        | ValidationErrorKind::MultipleOf { .. }
        | ValidationErrorKind::MinItems { .. }
        | ValidationErrorKind::MaxItems { .. }
        | ValidationErrorKind::UniqueItems
        | ValidationErrorKind::Not { .. }
        | ValidationErrorKind::AdditionalProperties { .. } => false,
        // Unknown members of an object without `properties` (see `collect`).
        ValidationErrorKind::FalseSchema => !error
            .schema_path()
            .as_str()
            .ends_with("/additionalProperties"),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            only_fitting_variant(context).is_none()
        }
        _ => true,
    }
}

fn only_fitting_variant<'e>(
    context: &'e [Vec<ValidationError<'static>>],
) -> Option<&'e [ValidationError<'static>]> {
    let mut fitting = context
        .iter()
        .filter(|variant| !variant.iter().any(rules_out));
    match (fitting.next(), fitting.next()) {
        (Some(variant), None) => Some(variant),
        _ => None,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The path of a JSON Pointer into `root`: a step into an object is a key, even when it looks
/// like a number, and a step into an array is an index.
fn path_of(root: &Value, pointer: &str) -> Vec<PathSegment> {
    let mut path = Vec::new();
    let mut current = Some(root);
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => match token.parse::<usize>() {
                Ok(i) => {
                    current = items.get(i);
                    path.push(PathSegment::Index(i));
                }
                Err(_) => {
                    current = None;
                    path.push(PathSegment::Key(token));
                }
            },
            Some(Value::Object(map)) => {
                current = map.get(&token);
                path.push(PathSegment::Key(token));
            }
            _ => {
                current = None;
                path.push(PathSegment::Key(token));
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_keys_stay_keys_and_indexes_stay_numbers() {
        let root = json!({"m": {"0": [1, {"a/b": 2}]}});
        assert_eq!(
            serde_json::to_value(path_of(&root, "/m/0/1/a~1b")).unwrap(),
            json!(["m", "0", 1, "a/b"])
        );
        assert!(path_of(&root, "").is_empty());
    }
}
