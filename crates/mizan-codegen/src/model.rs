//! The typed manifest checked and turned into what the emitters need.

use std::collections::BTreeMap;

use mizan_core::manifest::{
    AuthLevel, CachePolicy, FunctionKind, HttpMethod, Manifest, PROTOCOL_VERSION, is_schema_hash,
};
use serde_json::Value;

pub(crate) use crate::channels::Channel;
use crate::rules::{ReadFunction, Rules};
use crate::schema::Ty;
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
    let mut rules = Rules::new();
    for entry in &manifest.functions {
        let name = entry.name.as_str();
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
        // The rules registration checks too; generation reports the first problem.
        let ReadFunction {
            pascal,
            input,
            output,
        } = rules
            .read(entry)
            .map_err(|mut problems| problems.swap_remove(0))?;
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
            input_schema: entry.input.clone(),
            output_schema: entry.output.clone(),
            cache: entry.cache.clone(),
            invalidates: entry.invalidates.clone(),
        });
    }
    let mut types = rules.types;
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
