//! Forms (`spec/PROTOCOL.md` §2.13): one Rust struct gives a form spec, the checks both sides
//! run, the functions `<name>.schema`, `<name>.validate` and `<name>.submit`, the generated
//! `use<Name>Form()`, and a plain HTML post for browsers without JavaScript.
//!
//! ```
//! use mizan::forms::{FormHandler, Invalid};
//! use mizan::{Registry, Request, Result};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize, mizan::Form)]
//! #[form(name = "contact", title = "Contact us", redirect = "/thanks")]
//! struct Contact {
//!     #[field(label = "Your name", min_length = 2, max_length = 80)]
//!     name: String,
//!     #[field(email, clean = not_banned)]
//!     email: String,
//! }
//!
//! async fn not_banned(_req: &Request, email: &str) -> std::result::Result<(), Invalid> {
//!     if email.ends_with("@spam.example") {
//!         return Err(Invalid::message("This address may not write to us."));
//!     }
//!     Ok(())
//! }
//!
//! impl FormHandler for Contact {
//!     type Output = String;
//!     async fn submit(self, _req: &Request) -> Result<String> {
//!         Ok(format!("Thanks, {}!", self.name))
//!     }
//! }
//!
//! let mut registry = Registry::new();
//! registry.form::<Contact>()?;
//! let names: Vec<&str> = registry.names().collect();
//! assert_eq!(names, ["contact.schema", "contact.submit", "contact.validate"]);
//! # Ok::<(), mizan::RegistryError>(())
//! ```

mod field;
mod flat;
mod functions;
mod html;
mod invalid;
mod json_schema;
mod runtime;
mod spec_rules;
mod upload;

use std::future::Future;

pub use field::{Date, DateTime, Decimal, FormField, FormFields, FormListItem, Time};
pub use invalid::Invalid;
pub use mizan_core::form::{Choice, FieldIssue, FieldKind, FieldSpec, FormSpec, PathStep};
pub use upload::{DEFAULT_MAX_SIZE, Upload};

/// The hidden field that carries the CSRF token of a post without JavaScript (§2.13.5).
pub(crate) const CSRF_FIELD: &str = "__mizan_csrf";

pub(crate) use flat::{FlatValues, clear_files, find_markers};
pub(crate) use html::escape as escape_html;
pub(crate) use runtime::field_errors;
pub(crate) use runtime::{AnyForm, FormRuntime, Received, Verdict, failed};

/// The form's HTML (§2.13.5).
pub(crate) fn render_form(
    spec: &FormSpec,
    action: &str,
    values: &serde_json::Value,
    errors: &[FieldIssue],
    csrf_token: &str,
) -> String {
    html::render(&html::Rendering {
        spec,
        action,
        values,
        errors,
        csrf_token,
    })
}
pub(crate) use invalid::dotted as dotted_path;
pub(crate) use spec_rules::problem as spec_problem;

/// The three functions of the form `T`, in the order `schema`, `validate`, `submit`.
pub(crate) fn functions<T: FormHandler>(
    form: &std::sync::Arc<dyn AnyForm>,
) -> [functions::FormFunction<T>; 3] {
    let params: &'static [&'static str] = Box::leak(
        form.spec()
            .fields
            .iter()
            .map(|f| &*Box::leak(f.name.clone().into_boxed_str()))
            .collect::<Vec<&'static str>>()
            .into_boxed_slice(),
    );
    let make = |role, params, output| functions::FormFunction::<T> {
        form: form.clone(),
        role,
        params,
        output,
        marker: std::marker::PhantomData,
    };
    [
        make(functions::Role::Schema, &[], functions::submit_output::<T>),
        make(
            functions::Role::Validate,
            params,
            functions::submit_output::<T>,
        ),
        make(
            functions::Role::Submit,
            params,
            functions::submit_output::<T>,
        ),
    ]
}

use crate::future::BoxFuture;
use crate::{AuthRequirement, Request, Result};

/// The choices of fields computed per request: field name, choices.
pub type FieldChoices = Vec<(&'static str, Vec<Choice>)>;

/// A form: implemented by `#[derive(mizan::Form)]`, which reads the struct's `#[form(...)]` and
/// `#[field(...)]` attributes.
pub trait Form: FormFields + serde::de::DeserializeOwned + Send + Sync + 'static {
    /// The spec, without the choices computed per request.
    fn spec() -> FormSpec;

    /// Who may use the form's functions.
    fn auth() -> AuthRequirement {
        AuthRequirement::Public
    }

    /// The per-field server rules (`#[field(clean = rule)]`), each run on its field's value when
    /// that field had no error; `passed(path)` tells.
    fn field_rules<'a>(
        request: &'a Request,
        values: &'a serde_json::Value,
        passed: &'a (dyn Fn(&str) -> bool + Send + Sync),
    ) -> BoxFuture<'a, Result<Vec<FieldIssue>>> {
        let _ = (request, values, passed);
        Box::pin(std::future::ready(Ok(Vec::new())))
    }

    /// The choices of the fields with `#[field(choices_from = f)]`, by field name.
    fn dynamic_choices<'a>(request: &'a Request) -> BoxFuture<'a, Result<FieldChoices>> {
        let _ = request;
        Box::pin(std::future::ready(Ok(Vec::new())))
    }
}

/// What a form does: its whole-form rule and its submit handler (Django's `clean` and
/// `on_submit_success`).
pub trait FormHandler: Form {
    /// What a successful submit answers.
    type Output: serde::Serialize + schemars::JsonSchema + Send;

    /// The whole-form server rule, run when every field passed its own checks and rules; its
    /// errors land on the form (`Invalid::message`) or on fields (`Invalid::field`).
    fn clean(
        &self,
        request: &Request,
    ) -> impl Future<Output = std::result::Result<(), Invalid>> + Send {
        let _ = request;
        std::future::ready(Ok(()))
    }

    /// Runs once the values passed every check and rule.
    fn submit(self, request: &Request) -> impl Future<Output = Result<Self::Output>> + Send;
}

/// What `#[derive(mizan::Form)]` expands to. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use super::field::{group_of, rows_of};
    pub use super::invalid::{collect_field_rule, field_value};
    pub use mizan_core::form::{Choice, FieldKind, FieldSpec, FormSpec};
    pub use serde_json::Value;
}
