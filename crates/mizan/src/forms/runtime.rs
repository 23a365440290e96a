//! One registered form: its spec, and the checks and submit of §2.13.2–§2.13.3 for its type.

use std::marker::PhantomData;

use mizan_core::form::{FieldIssue, FormSpec, Mode, PathStep, check};
use serde_json::Value;

use super::upload::{MARKER, Upload, decode_with};
use super::{FormHandler, Invalid};
use crate::error::{FieldError, PathSegment};
use crate::function::{Encoding, encode};
use crate::future::BoxFuture;
use crate::{AuthRequirement, Error, Request, Result};

/// The most field errors an answer lists, as for params (§2.11).
use crate::validation::MAX_FIELD_ERRORS;

/// What checking values found.
pub(crate) enum Verdict {
    /// The values passed; for a submit, the handler's encoded output.
    Passed(Option<Vec<u8>>),
    /// The field errors.
    Failed(Vec<FieldIssue>),
}

/// A file received for the field at `path`.
pub(crate) struct Received {
    pub(crate) path: Vec<PathStep>,
    pub(crate) upload: Upload,
}

/// A form whose type is erased, as the router sees it.
pub(crate) trait AnyForm: Send + Sync + 'static {
    /// The spec as registered (no per-request choices).
    fn spec(&self) -> &FormSpec;
    /// Who may use it.
    fn auth(&self) -> &AuthRequirement;
    /// The spec with this request's choices.
    fn current_spec<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<FormSpec>>;
    /// Checks `values` and, when `submit` and they pass, runs the handler (§2.13.3). `files` are
    /// the files of a multipart submit, already described in `values`.
    fn evaluate<'a>(
        &'a self,
        request: &'a Request,
        values: Value,
        mode: Mode,
        files: Vec<Received>,
        submit: bool,
    ) -> BoxFuture<'a, Result<Verdict>>;
}

/// The [`AnyForm`] of a form type.
pub(crate) struct FormRuntime<T> {
    spec: FormSpec,
    auth: AuthRequirement,
    has_dynamic_choices: bool,
    form: PhantomData<fn() -> T>,
}

impl<T: FormHandler> FormRuntime<T> {
    pub(crate) fn new(spec: FormSpec) -> Self {
        let has_dynamic_choices = spec.fields.iter().any(|f| f.dynamic_choices);
        Self {
            spec,
            auth: T::auth(),
            has_dynamic_choices,
            form: PhantomData,
        }
    }
}

impl<T: FormHandler> AnyForm for FormRuntime<T> {
    fn spec(&self) -> &FormSpec {
        &self.spec
    }

    fn auth(&self) -> &AuthRequirement {
        &self.auth
    }

    fn current_spec<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<FormSpec>> {
        Box::pin(async move {
            let mut spec = self.spec.clone();
            if self.has_dynamic_choices {
                for (name, choices) in T::dynamic_choices(request).await? {
                    if let Some(field) = spec.fields.iter_mut().find(|f| f.name == name) {
                        field.choices = Some(choices);
                    }
                }
            }
            Ok(spec)
        })
    }

    fn evaluate<'a>(
        &'a self,
        request: &'a Request,
        values: Value,
        mode: Mode,
        files: Vec<Received>,
        submit: bool,
    ) -> BoxFuture<'a, Result<Verdict>> {
        Box::pin(async move {
            let spec = if self.has_dynamic_choices {
                std::borrow::Cow::Owned(self.current_spec(request).await?)
            } else {
                std::borrow::Cow::Borrowed(&self.spec)
            };
            let checked = check(&spec.fields, &values, mode);
            let mut errors = checked.errors;
            let failed: Vec<String> = errors
                .iter()
                .filter_map(|e| match e.path.first() {
                    Some(PathStep::Key(name)) => Some(name.clone()),
                    _ => None,
                })
                .collect();
            let form_failed = errors.iter().any(|e| e.path.is_empty());
            let passed = move |name: &str| !form_failed && !failed.iter().any(|f| f == name);
            errors.extend(T::field_rules(request, &checked.values, &passed).await?);
            if !errors.is_empty() {
                return Ok(Verdict::Failed(errors));
            }
            let mut values = checked.values;
            let mut uploads = Vec::with_capacity(files.len());
            for (index, received) in files.into_iter().enumerate() {
                if let Some(slot) = pointer_mut(&mut values, &received.path) {
                    *slot = serde_json::json!({ MARKER: index });
                }
                uploads.push(received.upload);
            }
            let form: T = decode_with(values, uploads).map_err(|e| {
                Error::internal(format!(
                    "form {:?}: values that passed their checks do not decode into {}: {e}",
                    self.spec.name,
                    std::any::type_name::<T>()
                ))
            })?;
            match form.clean(request).await {
                Ok(()) => {}
                Err(Invalid::Error(e)) => return Err(e),
                Err(Invalid::Fields(fields)) => return Ok(Verdict::Failed(fields)),
            }
            if !submit {
                return Ok(Verdict::Passed(None));
            }
            let output = encode(form.submit(request).await, Encoding::Json)?;
            Ok(Verdict::Passed(Some(output)))
        })
    }
}

fn pointer_mut<'v>(value: &'v mut Value, path: &[PathStep]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |at, step| match step {
        PathStep::Key(key) => at.get_mut(key.as_str()),
        PathStep::Index(i) => at.get_mut(*i),
    })
}

/// Field issues as the field errors of an answer: at most [`MAX_FIELD_ERRORS`], and whether some
/// were left out.
pub(crate) fn field_errors(issues: Vec<FieldIssue>) -> (Vec<FieldError>, bool) {
    let truncated = issues.len() > MAX_FIELD_ERRORS;
    let fields = issues
        .into_iter()
        .take(MAX_FIELD_ERRORS)
        .map(|issue| FieldError {
            path: issue
                .path
                .into_iter()
                .map(|step| match step {
                    PathStep::Key(key) => PathSegment::Key(key),
                    PathStep::Index(i) => PathSegment::Index(i),
                })
                .collect(),
            message: issue.message,
        })
        .collect();
    (fields, truncated)
}

/// `422 validation_failed` with the issues.
pub(crate) fn failed(issues: Vec<FieldIssue>) -> Error {
    let (fields, truncated) = field_errors(issues);
    let error = Error::validation(fields);
    if truncated {
        error.with_details(serde_json::json!({"truncated": true}))
    } else {
        error
    }
}
