//! Values from the flat fields of an HTML form post: dotted names and strings, converted by the
//! kind of the field they name (`spec/PROTOCOL.md` §2.13.4).

use std::collections::BTreeMap;

use mizan_core::form::messages;
use mizan_core::form::{FieldIssue, FieldKind, FieldSpec, PathStep};
use serde_json::{Map, Value};

/// The largest integer carried exactly: 2^53 − 1.
const MAX_SAFE: i64 = 9_007_199_254_740_991;

/// A node of the values being built; rows are kept by their posted index, so that a post naming
/// row 1,000,000 costs one row, not a million, and rows come out in order without gaps.
#[derive(Debug, Default)]
enum Node {
    #[default]
    Empty,
    Leaf(Value),
    List(Vec<Value>),
    Object(BTreeMap<String, Node>),
    Rows(BTreeMap<u64, Node>),
}

/// Builds the values of a form from posted `(name, value)` pairs, in order. Files are pairs too:
/// their value is the placeholder the caller chose (`{"__mizan_file": i}`). Names that are no
/// field's dotted path are `Unknown field.` issues.
#[derive(Debug, Default)]
pub(crate) struct FlatValues {
    root: BTreeMap<String, Node>,
    issues: Vec<FieldIssue>,
}

impl FlatValues {
    /// Adds one posted pair.
    pub(crate) fn add(&mut self, fields: &[FieldSpec], name: &str, value: Value) {
        let steps: Vec<&str> = name.split('.').collect();
        if !insert(&mut self.root, fields, &steps, value) {
            // An empty name is a member named "", not the form itself.
            let path = if name.is_empty() {
                vec![PathStep::Key(String::new())]
            } else {
                super::invalid::dotted(name)
            };
            let issue = FieldIssue::new(path, messages::UNKNOWN_FIELD);
            if !self.issues.contains(&issue) {
                self.issues.push(issue);
            }
        }
    }

    /// The values object, and the issues of names that named nothing.
    pub(crate) fn finish(self) -> (Value, Vec<FieldIssue>) {
        (object(self.root), self.issues)
    }
}

fn insert(
    object: &mut BTreeMap<String, Node>,
    fields: &[FieldSpec],
    steps: &[&str],
    value: Value,
) -> bool {
    let Some((first, rest)) = steps.split_first() else {
        return false;
    };
    let Some(field) = fields.iter().find(|f| f.name == *first) else {
        return false;
    };
    let node = object.entry(field.name.clone()).or_default();
    match field.kind {
        FieldKind::Group => {
            if !matches!(node, Node::Object(_)) {
                *node = Node::Object(BTreeMap::new());
            }
            let Node::Object(inner) = node else {
                return false;
            };
            insert(
                inner,
                field.fields.as_deref().unwrap_or_default(),
                rest,
                value,
            )
        }
        FieldKind::Rows => {
            let Some((index, rest)) = rest.split_first() else {
                return false;
            };
            let Some(index) = index
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| index.parse::<u64>().ok())
                .flatten()
            else {
                return false;
            };
            if !matches!(node, Node::Rows(_)) {
                *node = Node::Rows(BTreeMap::new());
            }
            let Node::Rows(rows) = node else { return false };
            let row = rows
                .entry(index)
                .or_insert_with(|| Node::Object(BTreeMap::new()));
            let Node::Object(inner) = row else {
                return false;
            };
            insert(
                inner,
                field.fields.as_deref().unwrap_or_default(),
                rest,
                value,
            )
        }
        _ if !rest.is_empty() => false,
        FieldKind::Multichoice => {
            if !matches!(node, Node::List(_)) {
                *node = Node::List(Vec::new());
            }
            if let Node::List(items) = node
                && value.as_str() != Some("")
            {
                items.push(value);
            }
            true
        }
        kind => {
            *node = Node::Leaf(convert(kind, value));
            true
        }
    }
}

/// A posted string as the value of a field of `kind`.
fn convert(kind: FieldKind, value: Value) -> Value {
    let Value::String(text) = value else {
        return value;
    };
    match kind {
        FieldKind::Integer if text.is_empty() => Value::Null,
        FieldKind::Integer => {
            let digits = text.strip_prefix('-').unwrap_or(&text);
            match text.parse::<i64>() {
                Ok(n)
                    if !digits.is_empty()
                        && digits.bytes().all(|b| b.is_ascii_digit())
                        && n.abs() <= MAX_SAFE =>
                {
                    Value::from(n)
                }
                _ => Value::String(text),
            }
        }
        FieldKind::Boolean => Value::Bool(matches!(text.as_str(), "on" | "true" | "1")),
        FieldKind::File if text.is_empty() => Value::Null,
        _ => Value::String(text),
    }
}

fn object(map: BTreeMap<String, Node>) -> Value {
    Value::Object(
        map.into_iter()
            .map(|(key, node)| (key, value(node)))
            .collect::<Map<String, Value>>(),
    )
}

fn value(node: Node) -> Value {
    match node {
        Node::Empty => Value::Null,
        Node::Leaf(v) => v,
        Node::List(items) => Value::Array(items),
        Node::Object(map) => object(map),
        Node::Rows(rows) => Value::Array(rows.into_values().map(value).collect()),
    }
}

/// Sets every `file` field's member of `values` (at any depth, in every row) to `null`.
pub(crate) fn clear_files(fields: &[FieldSpec], values: &mut Value) {
    let Value::Object(object) = values else {
        return;
    };
    for field in fields {
        let Some(member) = object.get_mut(&field.name) else {
            continue;
        };
        match field.kind {
            FieldKind::File => *member = Value::Null,
            FieldKind::Group => clear_files(field.fields.as_deref().unwrap_or_default(), member),
            FieldKind::Rows => {
                if let Value::Array(rows) = member {
                    for row in rows {
                        clear_files(field.fields.as_deref().unwrap_or_default(), row);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The paths at which `placeholder(value)` finds a file marker, and its number.
pub(crate) fn find_markers(
    value: &Value,
    marker: &str,
    path: &mut Vec<PathStep>,
    out: &mut Vec<(Vec<PathStep>, usize)>,
) {
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(index) = map.get(marker).and_then(Value::as_u64)
            {
                out.push((path.clone(), usize::try_from(index).unwrap_or(usize::MAX)));
                return;
            }
            for (key, v) in map {
                path.push(PathStep::Key(key.clone()));
                find_markers(v, marker, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                find_markers(v, marker, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use mizan_core::form::FieldSpec;
    use serde_json::json;

    use super::*;

    fn spec() -> Vec<FieldSpec> {
        let mut rows = FieldSpec::new("items", FieldKind::Rows, "Items");
        rows.fields = Some(vec![FieldSpec::new("qty", FieldKind::Integer, "Qty")]);
        vec![
            FieldSpec::new("name", FieldKind::Text, "Name"),
            FieldSpec::new("agree", FieldKind::Boolean, "Agree"),
            FieldSpec::new("tags", FieldKind::Multichoice, "Tags"),
            rows,
        ]
    }

    #[test]
    fn converts_by_kind_and_compacts_rows() {
        let mut flat = FlatValues::default();
        for (k, v) in [
            ("name", "Ada"),
            ("agree", "on"),
            ("tags", "a"),
            ("tags", "b"),
            ("items.7.qty", "3"),
            ("items.1000000.qty", "x"),
            ("nope", "1"),
            ("items.x.qty", "1"),
        ] {
            flat.add(&spec(), k, Value::String(v.into()));
        }
        let (values, issues) = flat.finish();
        assert_eq!(
            values,
            json!({"name": "Ada", "agree": true, "tags": ["a", "b"], "items": [{"qty": 3}, {"qty": "x"}]})
        );
        assert_eq!(issues.len(), 2);
    }
}
