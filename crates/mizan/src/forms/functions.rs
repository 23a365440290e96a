//! `<name>.schema`, `<name>.validate` and `<name>.submit` as server functions (§2.13.3).

use std::sync::Arc;

use mizan_core::form::Mode;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde_json::Value;

use super::FormHandler;
use super::json_schema::values_schema;
use super::runtime::{AnyForm, Verdict, failed, field_errors};
use crate::error::FieldError;
use crate::function::{Encoding, FunctionOptions, Params, ServerFunction};
use crate::future::BoxFuture;
use crate::manifest::FunctionKind;
use crate::{Error, Request, Result};

/// What `<name>.validate` answers.
#[derive(Serialize, JsonSchema)]
struct FormValidation {
    /// The field errors; empty when `submit` would accept the values.
    fields: Vec<FormFieldError>,
    /// Present and `true` when more errors were found than `fields` lists (at most 100).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}

/// A field error, as the schema of `validate`'s output describes it.
#[derive(Serialize, JsonSchema)]
#[allow(dead_code)]
struct FormFieldError {
    /// Keys as strings, indexes as numbers; `[]` is the form.
    path: Vec<FormPathStep>,
    /// For people.
    message: String,
}

/// A path step.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum FormPathStep {
    /// An object key.
    Key(String),
    /// A row or item index.
    Index(u32),
}

/// Which of the three functions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Schema,
    Validate,
    Submit,
}

/// One of a form's functions.
pub(crate) struct FormFunction<T> {
    pub(crate) form: Arc<dyn AnyForm>,
    pub(crate) role: Role,
    pub(crate) params: &'static [&'static str],
    pub(crate) output: fn(&mut SchemaGenerator) -> Schema,
    pub(crate) marker: std::marker::PhantomData<fn() -> T>,
}

/// The output schema of a submit: the handler's output.
pub(crate) fn submit_output<T: FormHandler>(generator: &mut SchemaGenerator) -> Schema {
    generator.root_schema_for::<T::Output>()
}

impl<T: FormHandler> ServerFunction for FormFunction<T> {
    fn options(&self) -> FunctionOptions {
        FunctionOptions {
            rust_name: std::any::type_name::<T>(),
            auth: *self.form.auth(),
            kind: FunctionKind::Call,
            params: self.params,
            cache: None,
            invalidates: &[],
        }
    }

    fn checks_own_params(&self) -> bool {
        self.role != Role::Schema
    }

    fn input_schema(&self, _: &mut SchemaGenerator) -> Schema {
        let value = match self.role {
            Role::Schema => serde_json::json!({
                "type": "object", "properties": {}, "additionalProperties": false
            }),
            Role::Validate | Role::Submit => values_schema(&self.form.spec().fields),
        };
        Schema::try_from(value).unwrap_or_default()
    }

    fn output_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        match self.role {
            Role::Schema => Schema::try_from(serde_json::json!({
                "type": "object",
                "description": "the form spec (spec/PROTOCOL.md §2.13.1)"
            }))
            .unwrap_or_default(),
            Role::Validate => generator.root_schema_for::<FormValidation>(),
            Role::Submit => (self.output)(generator),
        }
    }

    fn call<'a>(
        &'a self,
        request: &'a Request,
        params: Params,
        _: Encoding,
    ) -> BoxFuture<'a, Result<Vec<u8>>> {
        Box::pin(async move {
            let values = Value::Object(params.into_object());
            match self.role {
                Role::Schema => {
                    let spec = self.form.current_spec(request).await?;
                    serde_json::to_vec(&spec).map_err(Error::internal)
                }
                Role::Validate => {
                    let issues = match self
                        .form
                        .evaluate(request, values, Mode::Validate, Vec::new(), false)
                        .await?
                    {
                        Verdict::Passed(_) => Vec::new(),
                        Verdict::Failed(issues) => issues,
                    };
                    let (fields, truncated) = field_errors(issues);
                    let body = ValidateBody { fields, truncated };
                    serde_json::to_vec(&body).map_err(Error::internal)
                }
                Role::Submit => match self
                    .form
                    .evaluate(request, values, Mode::SubmitJson, Vec::new(), true)
                    .await?
                {
                    Verdict::Passed(output) => Ok(output.unwrap_or_default()),
                    Verdict::Failed(issues) => Err(failed(issues)),
                },
            }
        })
    }
}

/// `validate`'s answer as written.
#[derive(Serialize)]
struct ValidateBody {
    fields: Vec<FieldError>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}
