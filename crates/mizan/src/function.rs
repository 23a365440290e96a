//! What `#[mizan::client]` generates code against: the server function trait and its helpers.

use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{FieldError, PathSegment};
use crate::manifest::FunctionKind;
use crate::{AuthRequirement, Error, Request, Result};

pub use crate::future::BoxFuture;

/// What the macro knows about a function.
#[derive(Debug, Clone, Copy)]
pub struct FunctionOptions {
    /// The Rust name of the function.
    pub rust_name: &'static str,
    /// Who may call it.
    pub auth: AuthRequirement,
    /// A call, or which kind of context.
    pub kind: FunctionKind,
    /// The wire names of its parameters, in declaration order.
    pub params: &'static [&'static str],
    /// A context's cache policy (`spec/PROTOCOL.md` §2.16.1), from `cache(...)`.
    pub cache: Option<CacheOptions>,
    /// The tag templates a successful call purges (§2.16.4), from `invalidates = [...]`; a
    /// context named in `invalidates(contexts = [...])` is its tag `mizan:fn:<name>`.
    pub invalidates: &'static [&'static str],
}

/// A context's cache policy as `#[mizan::client(cache(...))]` declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheOptions {
    /// Whose answers are shared.
    pub scope: crate::manifest::CacheScope,
    /// Seconds an answer is kept.
    pub max_age: u32,
    /// Seconds a shared cache may serve an answer after `max_age` while it refetches.
    pub swr: u32,
    /// Tag templates (§2.16.2), in declared order.
    pub tags: &'static [&'static str],
}

/// A function callable over the wire. `#[mizan::client]` implements it; implementing it by hand
/// is possible but not needed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a server function",
    label = "this is not marked `#[mizan::client]`",
    note = "put `#[mizan::client]` on the `fn` you register: it makes the function a server function (`Registry::register(my_fn, \"my_fn\")`)"
)]
pub trait ServerFunction: Send + Sync + 'static {
    /// The function's options.
    fn options(&self) -> FunctionOptions;
    /// The JSON Schema of the params object.
    fn input_schema(&self, generator: &mut SchemaGenerator) -> Schema;
    /// The JSON Schema of the output.
    fn output_schema(&self, generator: &mut SchemaGenerator) -> Schema;
    /// Whether the function checks its params itself, with messages of its own, instead of
    /// against its input schema (forms, `spec/PROTOCOL.md` §2.13.3).
    #[doc(hidden)]
    fn checks_own_params(&self) -> bool {
        false
    }
    /// Decodes the params, runs the function and encodes its output.
    fn call<'a>(
        &'a self,
        request: &'a Request,
        params: Params,
        encoding: Encoding,
    ) -> BoxFuture<'a, Result<Vec<u8>>>;
}

/// The return type of a server function: `mizan::Result<T>`.
#[diagnostic::on_unimplemented(
    message = "server functions return `mizan::Result<T>`, not `{Self}`",
    label = "expected `mizan::Result<T>` here"
)]
pub trait FunctionReturn {
    /// The `T` of `mizan::Result<T>`.
    type Output;
    /// The value as the result it is.
    fn into_result(self) -> Result<Self::Output>;
}

impl<T> FunctionReturn for Result<T, Error> {
    type Output = T;
    fn into_result(self) -> Result<T> {
        self
    }
}

/// A type a parameter can have: decodable from JSON. (Its JSON Schema, `schemars::JsonSchema`,
/// is required by the input struct `#[mizan::client]` derives.)
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a server function parameter",
    label = "this type cannot be decoded from the request",
    note = "parameters are decoded with serde and described by schemars: derive `serde::Deserialize` and `schemars::JsonSchema` for it"
)]
pub trait InputType: DeserializeOwned + Send + 'static {}

impl<T: DeserializeOwned + Send + 'static> InputType for T {}

/// A type a function can return: encodable as JSON. (Its JSON Schema, `schemars::JsonSchema`, is
/// required where `#[mizan::client]` describes the output.)
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a server function",
    label = "this type cannot be encoded as the answer",
    note = "outputs are encoded with serde and described by schemars: derive `serde::Serialize` and `schemars::JsonSchema` for it"
)]
pub trait OutputType: Serialize + Send {}

impl<T: Serialize + Send> OutputType for T {}

/// The input struct `#[mizan::client]` derives `JsonSchema` for, to call for its schema.
///
/// When schemars' derive fails (a malformed `#[schemars(...)]` on a parameter), the struct has no
/// `JsonSchema` and method resolution falls back to [`FailedDerive`], so the user sees schemars'
/// error at their attribute and not a second one about a type they never wrote.
pub struct SchemaOf<T>(pub PhantomData<T>);

/// The schema of a derived input struct.
pub trait DerivedSchema {
    /// The root schema.
    fn schema(&self, generator: &mut SchemaGenerator) -> Schema;
}

impl<T: JsonSchema> DerivedSchema for SchemaOf<T> {
    fn schema(&self, generator: &mut SchemaGenerator) -> Schema {
        generator.root_schema_for::<T>()
    }
}

/// What a failed derive resolves to: only ever compiled beside schemars' compile error, so it never
/// runs.
pub trait FailedDerive {
    /// An empty schema.
    fn schema(&self, generator: &mut SchemaGenerator) -> Schema;
}

impl<T> FailedDerive for &SchemaOf<T> {
    fn schema(&self, _: &mut SchemaGenerator) -> Schema {
        Schema::default()
    }
}

/// How an output is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Plain JSON, straight from `Serialize` (calls).
    Json,
    /// Canonical JSON, `spec/PROTOCOL.md` §1.1 (contexts).
    Canonical,
}

/// Encodes a function's result; 64-bit and wider integers become decimal strings (§2.9).
pub fn encode<R>(result: R, encoding: Encoding) -> Result<Vec<u8>>
where
    R: FunctionReturn,
    R::Output: Serialize,
{
    let output = result.into_result()?;
    match encoding {
        Encoding::Json => {
            let mut out = Vec::with_capacity(128);
            crate::wide_int::write_json(&output, &mut out).map_err(Error::internal)?;
            Ok(out)
        }
        Encoding::Canonical => {
            if let Some(bytes) = crate::wide_int::to_canonical(&output) {
                return Ok(bytes);
            }
            let value = crate::wide_int::to_value(&output).map_err(Error::internal)?;
            mizan_core::canonical::to_vec(&value).map_err(|e| {
                Error::internal(format!(
                    "a context returned a value that is not canonical JSON: {e}"
                ))
            })
        }
    }
}

/// The params object of one call, decoded one parameter at a time so that every failing field is
/// reported at once.
#[derive(Debug)]
pub struct Params {
    remaining: Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Params {
    /// Params from a JSON object.
    pub fn new(object: Map<String, Value>) -> Self {
        Self {
            remaining: object,
            errors: Vec::new(),
        }
    }

    /// The params object as it came.
    pub(crate) fn into_object(self) -> Map<String, Value> {
        self.remaining
    }

    /// Decodes the parameter `name`; a missing parameter decodes as `null`, so `Option` parameters
    /// may be left out. On failure, records a field error and returns `None`.
    pub fn take<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<T> {
        let (value, missing) = match self.remaining.remove(name) {
            Some(value) => (value, false),
            None => (Value::Null, true),
        };
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(decoded) => Some(decoded),
            Err(e) => {
                let mut path = vec![PathSegment::Key(name.to_owned())];
                let message = if missing {
                    "missing required parameter".to_owned()
                } else {
                    path.extend(e.path().iter().filter_map(|segment| match segment {
                        serde_path_to_error::Segment::Seq { index } => {
                            Some(PathSegment::Index(*index))
                        }
                        serde_path_to_error::Segment::Map { key } => {
                            Some(PathSegment::Key(key.clone()))
                        }
                        serde_path_to_error::Segment::Enum { variant } => {
                            Some(PathSegment::Key(variant.clone()))
                        }
                        serde_path_to_error::Segment::Unknown => None,
                    }));
                    let message = e.inner().to_string();
                    // serde names a missing or unknown nested field only in its message; move it
                    // into the path, where clients look for it.
                    for prefix in ["missing field `", "unknown field `"] {
                        if let Some(field) = message
                            .strip_prefix(prefix)
                            .and_then(|rest| rest.split('`').next())
                        {
                            let key = PathSegment::Key(field.to_owned());
                            if path.last() != Some(&key) {
                                path.push(key);
                            }
                        }
                    }
                    message
                };
                self.errors.push(FieldError { path, message });
                None
            }
        }
    }

    /// Fails with `validation_failed` if any parameter failed or an unknown one was sent.
    pub fn finish(&mut self) -> Result<()> {
        if self.remaining.is_empty() && self.errors.is_empty() {
            return Ok(());
        }
        let unknown = std::mem::take(&mut self.remaining);
        self.errors
            .extend(unknown.into_iter().map(|(key, _)| FieldError {
                path: vec![PathSegment::Key(key)],
                message: "unknown parameter".to_owned(),
            }));
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(std::mem::take(&mut self.errors)))
        }
    }
}

/// The error for a parameter that [`Params::finish`] let through undecoded, which cannot happen.
pub fn missing_decoded_param() -> Error {
    Error::internal("a parameter passed validation without being decoded")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> Params {
        Params::new(value.as_object().unwrap().clone())
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Address {
        zip: String,
    }

    #[test]
    fn reports_every_failing_field_with_its_path() {
        let mut p = params(json!({"age": "old", "address": {"zap": 1}, "extra": true}));
        assert_eq!(p.take::<u32>("age"), None);
        assert!(p.take::<Address>("address").is_none());
        assert_eq!(p.take::<String>("name"), None);
        assert_eq!(p.take::<Option<String>>("nickname"), Some(None));
        let err = p.finish().unwrap_err();
        let paths: Vec<Value> = err
            .fields()
            .iter()
            .map(|f| serde_json::to_value(&f.path).unwrap())
            .collect();
        assert_eq!(
            paths,
            vec![
                json!(["age"]),
                json!(["address", "zip"]),
                json!(["name"]),
                json!(["extra"])
            ]
        );
        assert_eq!(err.fields()[2].message, "missing required parameter");
        assert_eq!(err.fields()[3].message, "unknown parameter");
    }

    #[test]
    fn array_indexes_are_numbers_in_paths() {
        let mut p = params(json!({"tags": ["a", 2]}));
        assert!(p.take::<Vec<String>>("tags").is_none());
        let err = p.finish().unwrap_err();
        assert_eq!(
            serde_json::to_value(&err.fields()[0].path).unwrap(),
            json!(["tags", 1])
        );
    }
}
