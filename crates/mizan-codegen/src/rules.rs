//! The rules a function must follow for the generated client to exist: its TypeScript names
//! distinct from every other function's, its schemas expressible, a local context's params free to
//! be props, its named types valid identifiers that mean one thing. Checked one function at a time,
//! against those before it, so that a registry can refuse a function when it is registered
//! (`mizan::Registry::register`) and generation reads a manifest with the very same rules.

use std::collections::BTreeMap;

use mizan_core::cache_key::is_valid_function_name;
use mizan_core::manifest::{FunctionEntry, FunctionKind, LOCAL_CONTEXT_RESERVED_PARAMS};
use serde_json::Value;

use crate::GenerateError;
use crate::model::{NamedTypes, root_without_meta};
use crate::names::{is_identifier, pascal_case};
use crate::schema::{Ty, Unsupported, read_root};

/// The functions checked so far, as far as the rules need them.
///
/// ```
/// use mizan_codegen::{GenerateError, Rules};
///
/// let entry = |name: &str, title: &str, ty: &str| {
///     serde_json::from_value(serde_json::json!({
///         "name": name, "rust_name": name, "kind": "call", "context": null, "auth": "none",
///         "method": "POST", "path": format!("/call/{name}"), "params": [],
///         "input": {"type": "object", "additionalProperties": false},
///         "output": {"$ref": format!("#/$defs/{title}"), "$defs": {title: {"type": ty}}},
///         "schema_hash": "AAAAAAAAAAAAAAAAAAAAAA"
///     }))
///     .unwrap()
/// };
/// let mut rules = Rules::new();
/// rules.add(&entry("a", "Item", "string")).unwrap();
/// let problems = rules.add(&entry("b", "Item", "integer")).unwrap_err();
/// assert_eq!(
///     problems,
///     vec![GenerateError::TypeConflict { name: "Item".into(), first: "a".into(), second: "b".into() }]
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Each function's PascalCase name, to the function.
    functions: BTreeMap<String, String>,
    /// The type names generated for each function (`<Pascal>Input`, ...), to the function.
    generated_types: BTreeMap<String, String>,
    /// The names each function declares in `hooks.ts` (`use<Pascal>`, `<camel>QueryKey`, ...), to
    /// the function: a local context `a`'s `useASuspenseQuery` is also a local context
    /// `a_suspense`'s.
    hook_names: BTreeMap<String, String>,
    /// Named types from the schemas, with who defined them first.
    pub(crate) types: NamedTypes,
}

/// A function whose schemas were read, with what the emitters need of them.
pub(crate) struct ReadFunction {
    pub(crate) pascal: String,
    pub(crate) input: Ty,
    pub(crate) output: Ty,
}

impl Rules {
    /// No functions yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every rule `entry` breaks, given the functions added before it; when it breaks none, it is
    /// added and later functions are checked against it too.
    pub fn add(&mut self, entry: &FunctionEntry) -> Result<(), Vec<GenerateError>> {
        self.read(entry).map(drop)
    }

    /// [`Rules::add`], giving the function's schemas as read.
    pub(crate) fn read(
        &mut self,
        entry: &FunctionEntry,
    ) -> Result<ReadFunction, Vec<GenerateError>> {
        let name = entry.name.as_str();
        if !is_valid_function_name(name) {
            return Err(vec![GenerateError::InvalidFunctionName(name.to_owned())]);
        }
        let mut problems = Vec::new();
        let pascal = pascal_case(name);
        if let Some(first) = self.functions.get(&pascal) {
            problems.push(name_clash(first, name, &pascal));
        }
        let hook_names = crate::hooks::declared_names(&pascal, entry.kind);
        // Two functions with one PascalCase name clash in every hook name: one problem, above.
        let same_pascal = self.functions.contains_key(&pascal);
        for declared in hook_names.iter().filter(|_| !same_pascal) {
            if let Some(first) = self.hook_names.get(declared) {
                problems.push(name_clash(first, name, declared));
            }
        }
        let generated = [
            format!("{pascal}Input"),
            format!("{pascal}Output"),
            format!("{pascal}Provider"),
        ];
        // A type of an earlier function that takes a name generated for this one.
        for taken in &generated {
            if let Some((_, _, definer)) = self.types.get(taken) {
                problems.push(GenerateError::InvalidTypeName {
                    function: definer.clone(),
                    name: taken.clone(),
                });
            }
        }
        let unsupported = |side: &'static str| {
            move |u: Unsupported| GenerateError::UnsupportedSchema {
                function: name.to_owned(),
                side,
                pointer: u.pointer,
                what: u.what,
            }
        };
        let input = read_root(&entry.input).map_err(unsupported("input"));
        let output = read_root(&entry.output).map_err(unsupported("output"));
        let ((mut input, input_defs), (mut output, mut output_defs)) = match (input, output) {
            (Ok(input), Ok(output)) => (input, output),
            (input, output) => {
                problems.extend(input.err());
                problems.extend(output.err());
                return Err(problems);
            }
        };
        input.name_root(&format!("{pascal}Input"));
        if let (FunctionKind::LOCAL_CONTEXT, Ty::Object { properties, .. }) = (entry.kind, &input) {
            problems.extend(
                properties
                    .iter()
                    .filter(|p| LOCAL_CONTEXT_RESERVED_PARAMS.contains(&p.name.as_str()))
                    .map(|p| GenerateError::ReservedParameter {
                        function: name.to_owned(),
                        param: p.name.clone(),
                    }),
            );
        }
        // A named Rust type returned at the root becomes a named TypeScript type too.
        match entry.output.get("title").and_then(Value::as_str) {
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
        let mut new_types: NamedTypes = BTreeMap::new();
        for (defs, schema) in [(input_defs, &entry.input), (output_defs, &entry.output)] {
            for (type_name, ty) in defs {
                let known = new_types
                    .get(&type_name)
                    .or_else(|| self.types.get(&type_name));
                match known {
                    Some((existing, _, first)) if *existing != ty => {
                        problems.push(GenerateError::TypeConflict {
                            name: type_name,
                            first: first.clone(),
                            second: name.to_owned(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        let invalid = !is_identifier(&type_name)
                            || type_name.ends_with("Schema")
                            || generated.contains(&type_name)
                            || self.generated_types.contains_key(&type_name);
                        if invalid {
                            problems.push(GenerateError::InvalidTypeName {
                                function: name.to_owned(),
                                name: type_name,
                            });
                            continue;
                        }
                        let raw_def = schema
                            .get("$defs")
                            .and_then(|d| d.get(&type_name))
                            .cloned()
                            .unwrap_or_else(|| root_without_meta(schema));
                        new_types.insert(type_name, (ty, raw_def, name.to_owned()));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        self.functions.insert(pascal.clone(), name.to_owned());
        for declared in hook_names {
            self.hook_names.insert(declared, name.to_owned());
        }
        for taken in generated {
            self.generated_types.insert(taken, name.to_owned());
        }
        self.types.extend(new_types);
        Ok(ReadFunction {
            pascal,
            input,
            output,
        })
    }
}

/// Two functions that would both declare `generated`, named in order, so the problem reads the
/// same whichever was registered first.
fn name_clash(one: &str, other: &str, generated: &str) -> GenerateError {
    let (first, second) = if one <= other {
        (one, other)
    } else {
        (other, one)
    };
    GenerateError::NameClash {
        first: first.to_owned(),
        second: second.to_owned(),
        generated: generated.to_owned(),
    }
}
