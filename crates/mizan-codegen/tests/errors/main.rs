//! A manifest that cannot become valid TypeScript gives a clear error naming the function, never
//! broken output.
//!
//! Split by what the manifest declares: functions, forms, channels; the helpers below build the
//! manifests.

mod channels;
mod forms;
mod functions;

use std::collections::BTreeMap;

use mizan_codegen::{GenerateError, read_manifest};
use serde_json::{Value, json};

/// Reads the manifest's JSON as `mizan generate` does, then generates.
pub(crate) fn generate(manifest: &Value) -> Result<BTreeMap<&'static str, String>, GenerateError> {
    mizan_codegen::generate(&read_manifest(&manifest.to_string())?)
}

pub(crate) fn function(
    name: &str,
    kind: &str,
    context: Value,
    input: Value,
    output: Value,
) -> Value {
    let (method, path) = match kind {
        "call" => ("POST", format!("/call/{name}")),
        _ => ("GET", format!("/context/{name}")),
    };
    json!({"name": name, "rust_name": name, "kind": kind, "context": context, "auth": "none",
           "method": method, "path": path, "params": [], "input": input, "output": output,
           "schema_hash": "AAAAAAAAAAAAAAAAAAAAAA"})
}

pub(crate) fn call(name: &str) -> Value {
    function(
        name,
        "call",
        Value::Null,
        json!({"type": "object", "additionalProperties": false}),
        json!({"type": "string"}),
    )
}

pub(crate) fn manifest(functions: Vec<Value>) -> Value {
    json!({"protocol": 1, "functions": functions})
}
