//! The manifest read and checked into what the emitters need.

use std::collections::BTreeMap;

use mizan_core::cache_key::is_valid_function_name;
use serde_json::Value;

use crate::GenerateError;
use crate::names::{is_identifier, pascal_case};
use crate::schema::{Ty, Unsupported, read_root};

/// Whether a function is a call or which kind of context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Call,
    GlobalContext,
    LocalContext,
}

/// One function, ready to emit.
#[derive(Debug, Clone)]
pub(crate) struct Function {
    pub(crate) name: String,
    pub(crate) pascal: String,
    pub(crate) kind: Kind,
    pub(crate) auth: String,
    pub(crate) input: Ty,
    pub(crate) output: Ty,
    /// The raw schemas, for OpenAPI.
    pub(crate) input_schema: Value,
    pub(crate) output_schema: Value,
}

/// Every function and every named type, each in a stable order.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) functions: Vec<Function>,
    pub(crate) types: BTreeMap<String, Ty>,
    /// The raw schemas of named types, for OpenAPI.
    pub(crate) type_schemas: BTreeMap<String, Value>,
}

fn field<'a>(function: &'a Value, key: &str, name: &str) -> Result<&'a Value, GenerateError> {
    function
        .get(key)
        .ok_or_else(|| GenerateError::Manifest(format!("function {name:?} has no `{key}`")))
}

/// Reads and checks a manifest (`spec/PROTOCOL.md` §2.7).
pub(crate) fn read(manifest: &Value) -> Result<Model, GenerateError> {
    if manifest.get("protocol") != Some(&Value::from(1)) {
        return Err(GenerateError::Manifest("`protocol` must be 1".into()));
    }
    let list = manifest
        .get("functions")
        .and_then(Value::as_array)
        .ok_or_else(|| GenerateError::Manifest("`functions` must be a list".into()))?;
    let mut functions: Vec<Function> = Vec::with_capacity(list.len());
    let mut types: BTreeMap<String, (Ty, Value, String)> = BTreeMap::new();
    let mut generated_names: BTreeMap<String, String> = BTreeMap::new();
    for raw in list {
        let name = raw
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| GenerateError::Manifest("a function has no string `name`".into()))?;
        if !is_valid_function_name(name) {
            return Err(GenerateError::InvalidFunctionName(name.to_owned()));
        }
        let pascal = pascal_case(name);
        if let Some(first) = generated_names.insert(pascal.clone(), name.to_owned()) {
            let (first, second) = if first.as_str() <= name {
                (first, name.to_owned())
            } else {
                (name.to_owned(), first)
            };
            return Err(GenerateError::NameClash {
                first,
                second,
                generated: pascal,
            });
        }
        let kind = match (
            field(raw, "kind", name)?.as_str(),
            raw.get("context").and_then(Value::as_str),
        ) {
            (Some("call"), _) => Kind::Call,
            (Some("context"), Some("global")) => Kind::GlobalContext,
            (Some("context"), Some("local")) => Kind::LocalContext,
            _ => {
                return Err(GenerateError::Manifest(format!(
                    "function {name:?} has an unknown kind or context"
                )));
            }
        };
        let auth = field(raw, "auth", name)?
            .as_str()
            .unwrap_or("none")
            .to_owned();
        let input_schema = field(raw, "input", name)?.clone();
        let output_schema = field(raw, "output", name)?.clone();
        let unsupported = |side: &'static str| {
            move |u: Unsupported| GenerateError::UnsupportedSchema {
                function: name.to_owned(),
                side,
                pointer: u.pointer,
                what: u.what,
            }
        };
        let (mut input, input_defs) = read_root(&input_schema).map_err(unsupported("input"))?;
        input.name_root(&format!("{pascal}Input"));
        let (mut output, mut output_defs) =
            read_root(&output_schema).map_err(unsupported("output"))?;
        // A named Rust type returned at the root becomes a named TypeScript type too.
        match output_schema.get("title").and_then(Value::as_str) {
            Some(title)
                if matches!(
                    output,
                    Ty::Object { .. } | Ty::Union(_) | Ty::Intersection(_)
                ) =>
            {
                output.name_root(title);
                output_defs.insert(title.to_owned(), output);
                output = Ty::Ref(title.to_owned());
            }
            _ => output.name_root(&format!("{pascal}Output")),
        }
        if let (Kind::LocalContext, Ty::Object { properties, .. }) = (kind, &input)
            && let Some(p) = properties
                .iter()
                .find(|p| matches!(p.name.as_str(), "children" | "rev" | "key" | "ref"))
        {
            return Err(GenerateError::ReservedParameter {
                function: name.to_owned(),
                param: p.name.clone(),
            });
        }
        for (defs, schema) in [(input_defs, &input_schema), (output_defs, &output_schema)] {
            for (type_name, ty) in defs {
                let raw_def = schema
                    .get("$defs")
                    .and_then(|d| d.get(&type_name))
                    .cloned()
                    .unwrap_or_else(|| root_without_meta(schema));
                match types.get(&type_name) {
                    Some((existing, _, first)) if *existing != ty => {
                        return Err(GenerateError::TypeConflict {
                            name: type_name,
                            first: first.clone(),
                            second: name.to_owned(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        types.insert(type_name, (ty, raw_def, name.to_owned()));
                    }
                }
            }
        }
        functions.push(Function {
            name: name.to_owned(),
            pascal,
            kind,
            auth,
            input,
            output,
            input_schema,
            output_schema,
        });
    }
    // Type names must be identifiers and must not take a name generated for a function.
    let generated: Vec<String> = functions
        .iter()
        .flat_map(|f| {
            [
                format!("{}Input", f.pascal),
                format!("{}Output", f.pascal),
                format!("{}Provider", f.pascal),
            ]
        })
        .collect();
    for (type_name, (_, _, function)) in &types {
        if !is_identifier(type_name)
            || generated.contains(type_name)
            || type_name.ends_with("Schema")
        {
            return Err(GenerateError::InvalidTypeName {
                function: function.clone(),
                name: type_name.clone(),
            });
        }
    }
    functions.sort_by(|a, b| a.name.cmp(&b.name));
    let type_schemas = types
        .iter()
        .map(|(k, (_, raw, _))| (k.clone(), raw.clone()))
        .collect();
    Ok(Model {
        functions,
        types: types.into_iter().map(|(k, (ty, _, _))| (k, ty)).collect(),
        type_schemas,
    })
}

/// A root schema without `$schema`, `$defs` and `title`, as a named type's own schema.
pub(crate) fn root_without_meta(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("$defs");
    }
    schema
}
