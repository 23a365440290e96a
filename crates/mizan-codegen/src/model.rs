//! The typed manifest checked and turned into what the emitters need.

use std::collections::BTreeMap;

use mizan_core::cache_key::is_valid_function_name;
use mizan_core::manifest::{
    AuthLevel, CachePolicy, FunctionKind, HttpMethod, Manifest, PROTOCOL_VERSION, is_schema_hash,
};
use serde_json::Value;

pub(crate) use crate::channels::Channel;
use crate::names::{is_identifier, pascal_case};
use crate::schema::{Ty, Unsupported, read_root};
use crate::{GenerateError, channels};

/// One function, ready to emit.
#[derive(Debug, Clone)]
pub(crate) struct Function {
    pub(crate) name: String,
    pub(crate) pascal: String,
    pub(crate) kind: FunctionKind,
    pub(crate) auth: AuthLevel,
    /// How to reach it, as the manifest says.
    pub(crate) method: HttpMethod,
    pub(crate) path: String,
    /// What generated hooks send back (`X-Mizan-Schema`), checked to be a schema hash.
    pub(crate) schema_hash: String,
    pub(crate) input: Ty,
    pub(crate) output: Ty,
    /// The raw schemas, for OpenAPI.
    pub(crate) input_schema: Value,
    pub(crate) output_schema: Value,
    /// A context's cache policy (`spec/PROTOCOL.md` §2.16.1), for OpenAPI.
    pub(crate) cache: Option<CachePolicy>,
    /// The tag templates a call purges (§2.16.4), for OpenAPI.
    pub(crate) invalidates: Vec<String>,
}

/// Every function, channel and named type, each in a stable order.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) functions: Vec<Function>,
    /// Sorted by name.
    pub(crate) channels: Vec<Channel>,
    pub(crate) types: BTreeMap<String, Ty>,
    /// The raw schemas of named types, for OpenAPI.
    pub(crate) type_schemas: BTreeMap<String, Value>,
}

/// Named types by name: the type, its raw schema (for OpenAPI), and who defined it first.
pub(crate) type NamedTypes = BTreeMap<String, (Ty, Value, String)>;

/// Checks a manifest (`spec/PROTOCOL.md` §2.7) and reads its schemas.
pub(crate) fn read(manifest: &Manifest) -> Result<Model, GenerateError> {
    if manifest.protocol != PROTOCOL_VERSION {
        return Err(GenerateError::Manifest(format!(
            "`protocol` is {}; this generator reads protocol {PROTOCOL_VERSION}",
            manifest.protocol
        )));
    }
    let mut functions: Vec<Function> = Vec::with_capacity(manifest.functions.len());
    let mut types: NamedTypes = BTreeMap::new();
    let mut generated_names: BTreeMap<String, String> = BTreeMap::new();
    for entry in &manifest.functions {
        let name = entry.name.as_str();
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
        let kind = entry.kind;
        // The runtime reaches calls with POST and contexts with GET: a manifest that says
        // otherwise describes a server the generated client could not talk to.
        if entry.method != kind.method() {
            return Err(GenerateError::Manifest(format!(
                "function {name:?} is a {} but its method is {}",
                if kind.is_context() { "context" } else { "call" },
                entry.method.as_str()
            )));
        }
        if !entry.path.starts_with('/') {
            return Err(GenerateError::Manifest(format!(
                "function {name:?} has the path {:?}, which does not start with '/'",
                entry.path
            )));
        }
        if !is_schema_hash(&entry.schema_hash) {
            return Err(GenerateError::Manifest(format!(
                "function {name:?} has the schema hash {:?}, which is not 22 base64url characters",
                entry.schema_hash
            )));
        }
        let input_schema = &entry.input;
        let output_schema = &entry.output;
        let unsupported = |side: &'static str| {
            move |u: Unsupported| GenerateError::UnsupportedSchema {
                function: name.to_owned(),
                side,
                pointer: u.pointer,
                what: u.what,
            }
        };
        let (mut input, input_defs) = read_root(input_schema).map_err(unsupported("input"))?;
        input.name_root(&format!("{pascal}Input"));
        let (mut output, mut output_defs) =
            read_root(output_schema).map_err(unsupported("output"))?;
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
        if let (FunctionKind::LOCAL_CONTEXT, Ty::Object { properties, .. }) = (kind, &input)
            && let Some(p) = properties.iter().find(|p| {
                mizan_core::manifest::LOCAL_CONTEXT_RESERVED_PARAMS.contains(&p.name.as_str())
            })
        {
            return Err(GenerateError::ReservedParameter {
                function: name.to_owned(),
                param: p.name.clone(),
            });
        }
        for (defs, schema) in [(input_defs, input_schema), (output_defs, output_schema)] {
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
            auth: entry.auth,
            method: entry.method,
            path: entry.path.clone(),
            schema_hash: entry.schema_hash.clone(),
            input,
            output,
            input_schema: input_schema.clone(),
            output_schema: output_schema.clone(),
            cache: entry.cache.clone(),
            invalidates: entry.invalidates.clone(),
        });
    }
    crate::hooks::check_names(&functions)?;
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
    let channels = channels::read(&manifest.channels, &functions, &mut types)?;
    let type_schemas = types
        .iter()
        .map(|(k, (_, raw, _))| (k.clone(), raw.clone()))
        .collect();
    Ok(Model {
        functions,
        channels,
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
