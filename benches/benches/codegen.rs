//! Code generation for 1,000 functions, against serializing the same manifest in the same run.
//!
//! `cargo bench -p mizan-benches --bench codegen`

use std::time::{Duration, Instant};

use mizan_codegen::Manifest;
use serde_json::{Value, json};

/// A manifest of `count` functions: calls, local and global contexts, each with its own named
/// output type that nests another.
fn manifest(count: usize) -> Manifest {
    let functions: Vec<Value> = (0..count)
        .map(|i| {
            let (kind, context, method) = match i % 3 {
                0 => ("call", Value::Null, "POST"),
                1 => ("context", json!("local"), "GET"),
                _ => ("context", json!("global"), "GET"),
            };
            let input = if i % 3 == 2 {
                json!({"type": "object", "additionalProperties": false, "title": "Input"})
            } else {
                json!({"type": "object", "additionalProperties": false, "required": ["name", "page"],
                       "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 80},
                                      "page": {"type": "integer", "format": "uint32", "minimum": 0},
                                      "tags": {"type": ["array", "null"], "items": {"type": "string"}}}})
            };
            let output = json!({
                "title": format!("Item{i}"), "type": "object", "required": ["id", "owner"],
                "properties": {"id": {"type": "integer", "format": "int64"},
                               "owner": {"$ref": format!("#/$defs/Owner{i}")},
                               "status": {"enum": ["draft", "published"]}},
                "$defs": {format!("Owner{i}"): {"type": "object", "required": ["name"],
                          "properties": {"name": {"type": "string"}, "email": {"type": ["string", "null"]}}}}
            });
            let name = format!("module{}.function_{i}", i % 10);
            let path = format!("/{kind}/{name}");
            json!({"name": name, "rust_name": format!("function_{i}"), "kind": kind,
                   "context": context, "auth": "none", "method": method, "path": path,
                   "params": ["name", "page", "tags"], "input": input, "output": output,
                   "schema_hash": "AAAAAAAAAAAAAAAAAAAAAA"})
        })
        .collect();
    serde_json::from_value(json!({"protocol": 1, "functions": functions})).expect("a manifest")
}

fn best_of<T>(rounds: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let manifest = manifest(1000);
    let generate = best_of(5, || {
        mizan_codegen::generate(&manifest).expect("valid manifest")
    });
    let baseline = best_of(5, || {
        serde_json::to_string_pretty(&manifest).expect("serializes")
    });
    let bytes: usize = mizan_codegen::generate(&manifest)
        .expect("valid manifest")
        .values()
        .map(String::len)
        .sum();
    println!("codegen: 1,000 functions, best of 5");
    println!(
        "baseline: serialize the manifest     {:>8.1} ms",
        baseline.as_secs_f64() * 1e3
    );
    println!(
        "generate types, Zod, hooks, OpenAPI  {:>8.1} ms ({:.1}x baseline, {} KiB written)",
        generate.as_secs_f64() * 1e3,
        generate.as_secs_f64() / baseline.as_secs_f64(),
        bytes / 1024
    );
    println!(
        "target: under 1 s for 1,000 functions: {}",
        if generate < Duration::from_secs(1) {
            "met"
        } else {
            "MISSED"
        }
    );
}
