//! Output schemas describe values as the server sends them: schemars' serialize view, where
//! `skip_serializing_if` makes a member optional, a `default` member is always present and
//! `serialize_with`/`#[schemars(with)]` types appear as written.
//!
//! A type can look different in the two views (`Option<T>` members are always sent, so they are
//! required in outputs but optional in params). Code generation keys named types by their
//! schema name, so a type whose serialize view differs from its deserialize view is published
//! under `<Name>_Output` in output schemas (also when only a type it refers to differs); types
//! that look the same in both views keep their name.

use std::collections::BTreeSet;

use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value};

use crate::function::ServerFunction;

/// The suffix of a named type's serialize view when it differs from its deserialize view.
pub(crate) const OUTPUT_SUFFIX: &str = "_Output";

/// The output schema of `function`, in the serialize view, with differing types renamed.
pub(crate) fn output_schema<F: ServerFunction>(function: &F) -> Value {
    output_schema_with(|generator| function.output_schema(generator))
}

/// The schema `describe` gives in the serialize view, with differing types renamed: what a
/// channel's messages use, as functions' outputs do.
pub(crate) fn output_schema_with(describe: impl Fn(&mut SchemaGenerator) -> Schema) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut sent = describe(&mut generator).to_value();
    let mut generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let read = describe(&mut generator).to_value();
    rename_differing(&mut sent, &read);
    sent
}

fn defs(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("$defs").and_then(Value::as_object)
}

fn refers_to(node: &Value, names: &BTreeSet<String>) -> bool {
    match node {
        Value::Object(map) => map.iter().any(|(key, value)| match (key.as_str(), value) {
            ("$ref", Value::String(r)) => r
                .strip_prefix("#/$defs/")
                .is_some_and(|name| names.contains(name)),
            _ => refers_to(value, names),
        }),
        Value::Array(items) => items.iter().any(|item| refers_to(item, names)),
        _ => false,
    }
}

fn without_defs(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema {
        map.remove("$defs");
    }
    schema
}

/// Renames, in `sent`, every named type whose schema differs from `read` or refers to one that
/// does; the root's `title` too.
fn rename_differing(sent: &mut Value, read: &Value) {
    let empty = Map::new();
    let sent_defs = defs(sent).unwrap_or(&empty);
    let read_defs = defs(read).unwrap_or(&empty);
    let mut differing: BTreeSet<String> = sent_defs
        .iter()
        .filter(|(name, def)| read_defs.get(*name).is_some_and(|r| r != *def))
        .map(|(name, _)| name.clone())
        .collect();
    loop {
        let more: Vec<String> = sent_defs
            .iter()
            .filter(|(name, def)| !differing.contains(*name) && refers_to(def, &differing))
            .map(|(name, _)| name.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        differing.extend(more);
    }
    let root_differs = without_defs(sent) != without_defs(read) || refers_to(sent, &differing);
    if differing.is_empty() && !root_differs {
        return;
    }
    rename_refs(sent, &differing);
    if let Some(Value::Object(defs)) = sent.get_mut("$defs") {
        for name in &differing {
            if let Some(def) = defs.remove(name) {
                defs.insert(format!("{name}{OUTPUT_SUFFIX}"), def);
            }
        }
    }
    if root_differs && let Some(Value::String(title)) = sent.get_mut("title") {
        title.push_str(OUTPUT_SUFFIX);
    }
}

fn rename_refs(node: &mut Value, names: &BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix("#/$defs/")
                            && names.contains(name)
                        {
                            *r = format!("#/$defs/{name}{OUTPUT_SUFFIX}");
                        }
                    }
                    (_, value) => rename_refs(value, names),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rename_refs(item, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_types_that_differ_are_renamed_and_refs_follow() {
        let read = json!({"title": "Page", "type": "object",
        "properties": {"user": {"$ref": "#/$defs/User"}, "tag": {"$ref": "#/$defs/Tag"}},
        "$defs": {
            "User": {"type": "object", "properties": {"nick": {"$ref": "#/$defs/Nick"}}},
            "Nick": {"type": "object", "properties": {"n": {"type": ["string", "null"]}}},
            "Tag": {"type": "string"}
        }});
        let mut sent = read.clone();
        sent["$defs"]["Nick"]["required"] = json!(["n"]);
        rename_differing(&mut sent, &read);
        assert_eq!(sent["title"], "Page_Output");
        assert_eq!(sent["properties"]["user"]["$ref"], "#/$defs/User_Output");
        assert_eq!(sent["properties"]["tag"]["$ref"], "#/$defs/Tag");
        assert_eq!(
            sent["$defs"]["User_Output"]["properties"]["nick"]["$ref"],
            "#/$defs/Nick_Output"
        );
        assert!(sent["$defs"].get("Nick").is_none());
        let mut same = read.clone();
        rename_differing(&mut same, &read);
        assert_eq!(same, read);
    }
}
