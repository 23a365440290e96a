//! What a server rule answers when values fail it.

use mizan_core::form::{FieldIssue, PathStep};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Error, Result};

/// The largest index an error path carries as a number: 2^53 − 1.
const MAX_SAFE_INDEX: usize = 9_007_199_254_740_991;

/// Why values failed a server rule, or why the rule could not decide.
#[derive(Debug)]
pub enum Invalid {
    /// Field errors. A path of `[]` is the rule's own place: the field of a per-field rule, the
    /// form for the whole-form rule.
    Fields(Vec<FieldIssue>),
    /// The rule failed (a store did not answer): the request fails with this error.
    Error(Error),
}

impl Invalid {
    /// An error at the rule's own place.
    pub fn message(message: impl Into<String>) -> Self {
        Self::Fields(vec![FieldIssue::new(Vec::new(), message)])
    }

    /// An error at a dotted path from the values object (`email`, `address.city`, `items.0.qty`).
    pub fn field(dotted_path: &str, message: impl Into<String>) -> Self {
        Self::Fields(vec![FieldIssue::new(dotted(dotted_path), message)])
    }

    /// This error and `other`.
    pub fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::Fields(mut a), Self::Fields(b)) => {
                a.extend(b);
                Self::Fields(a)
            }
            (Self::Error(e), _) | (_, Self::Error(e)) => Self::Error(e),
        }
    }
}

impl From<Error> for Invalid {
    fn from(error: Error) -> Self {
        Self::Error(error)
    }
}

/// A dotted path as path steps: all-digit steps are indexes, when they are safe integers
/// (§2.9); longer ones stay keys, so that no error path holds a number a client misreads.
pub(crate) fn dotted(path: &str) -> Vec<PathStep> {
    if path.is_empty() {
        return Vec::new();
    }
    path.split('.')
        .map(|step| match step.parse::<usize>() {
            Ok(i) if step.bytes().all(|b| b.is_ascii_digit()) && i <= MAX_SAFE_INDEX => {
                PathStep::Index(i)
            }
            _ => PathStep::Key(step.to_owned()),
        })
        .collect()
}

/// The value of the top-level field `name` decoded as `T`, when it passed its checks.
pub fn field_value<T: DeserializeOwned>(
    values: &Value,
    name: &str,
    passed: &(dyn Fn(&str) -> bool + Send + Sync),
) -> Result<Option<T>> {
    if !passed(name) {
        return Ok(None);
    }
    let value = values.get(name).cloned().unwrap_or(Value::Null);
    serde_json::from_value(value).map(Some).map_err(|e| {
        Error::internal(format!(
            "form field {name:?} passed its checks but does not decode: {e}"
        ))
    })
}

/// Adds a per-field rule's answer to `issues`, its own place being the field `name`.
pub fn collect_field_rule(
    issues: &mut Vec<FieldIssue>,
    name: &str,
    answer: std::result::Result<(), Invalid>,
) -> Result<()> {
    match answer {
        Ok(()) => Ok(()),
        Err(Invalid::Error(e)) => Err(e),
        Err(Invalid::Fields(fields)) => {
            for mut issue in fields {
                if issue.path.is_empty() {
                    issue.path = vec![PathStep::Key(name.to_owned())];
                }
                issues.push(issue);
            }
            Ok(())
        }
    }
}
