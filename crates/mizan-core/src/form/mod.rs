//! Forms (`spec/PROTOCOL.md` §2.13): the form spec that a server publishes and clients render,
//! and the checks of §2.13.2 that both sides run on a form's values, with the same messages.
//!
//! ```
//! use mizan_core::form::{FieldKind, FieldSpec, FormSpec, Mode, check};
//! use serde_json::json;
//!
//! let mut email = FieldSpec::new("email", FieldKind::Email, "Email");
//! email.required = true;
//! let spec = FormSpec::new("contact", "Contact us", vec![email.finish()]);
//! let checked = check(&spec.fields, &json!({"email": "ada@"}), Mode::Validate);
//! assert_eq!(checked.errors[0].message, "Enter a valid email address.");
//! assert!(check(&spec.fields, &json!({"email": "ada@example.com"}), Mode::Validate).errors.is_empty());
//! ```

mod check;
mod decimal;
pub mod messages;
mod temporal;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use check::{Checked, Mode, accepts, check, email_matches, media_type_essence, url_matches};
pub use decimal::{compare_decimals, decimal_digits, is_decimal};
pub use temporal::{is_date, is_datetime, is_time, normalized_time};

/// The HTML standard's pattern for `<input type=email>`, shared by both sides (§2.13.2).
pub const EMAIL_PATTERN: &str = "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$";

/// The URL pattern of §2.13.2, in the portable subset (§2.7.1). The scheme's letters are spelled
/// out as ASCII pairs because `(?i)` would also let `ſ` (U+017F) stand for `s`; the whitespace is
/// the Unicode `White_Space` set written out, because `\s` differs between engines (JavaScript's
/// adds U+FEFF and lacks U+0085).
pub const URL_PATTERN: &str = concat!(
    "^[Hh][Tt][Tt][Pp][Ss]?://",
    "[^\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000/?#]+",
    "[^\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$",
);

/// `max_length` of an email field that sets none.
pub const EMAIL_MAX_LENGTH: u64 = 254;

/// `max_length` of a URL field that sets none.
pub const URL_MAX_LENGTH: u64 = 2048;

/// A form as `<name>.schema` answers it and the manifest lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormSpec {
    /// The form's name; its functions are `<name>.schema`, `.validate` and `.submit`.
    pub name: String,
    /// A title for people.
    pub title: String,
    /// The fields, in display order.
    pub fields: Vec<FieldSpec>,
    /// Where a successful post without JavaScript is sent (§2.13.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    /// The path of the page that shows the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Whether a field, at any depth, is a file.
    pub multipart: bool,
}

impl FormSpec {
    /// A spec of `fields`, with `multipart` derived from them.
    pub fn new(name: impl Into<String>, title: impl Into<String>, fields: Vec<FieldSpec>) -> Self {
        let multipart = has_file(&fields);
        Self {
            name: name.into(),
            title: title.into(),
            fields,
            redirect: None,
            page: None,
            multipart,
        }
    }

    /// The field at a dotted path (`address.city`, `items.0.qty`): row indexes step into a
    /// `rows` field's fields.
    pub fn field_at(&self, dotted: &str) -> Option<&FieldSpec> {
        let mut fields = &self.fields;
        let mut found: Option<&FieldSpec> = None;
        let mut expect_index = false;
        for step in dotted.split('.') {
            if expect_index {
                if step.is_empty() || !step.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                expect_index = false;
                // A row is not a field: the path must go on into it.
                found = None;
                continue;
            }
            let field = fields.iter().find(|f| f.name == step)?;
            found = Some(field);
            match field.kind {
                FieldKind::Group => fields = field.fields.as_ref()?,
                FieldKind::Rows => {
                    fields = field.fields.as_ref()?;
                    expect_index = true;
                }
                _ => fields = &EMPTY,
            }
        }
        if expect_index { None } else { found }
    }
}

static EMPTY: Vec<FieldSpec> = Vec::new();

fn has_file(fields: &[FieldSpec]) -> bool {
    fields
        .iter()
        .any(|f| f.kind == FieldKind::File || f.fields.as_deref().is_some_and(has_file))
}

/// What a field holds (§2.13.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// A string.
    Text,
    /// An email address.
    Email,
    /// An `http` or `https` URL.
    Url,
    /// A whole number within ±(2^53 − 1).
    Integer,
    /// An exact decimal, as a string.
    Decimal,
    /// `true` or `false`.
    Boolean,
    /// One of the choices.
    Choice,
    /// Several of the choices.
    Multichoice,
    /// `YYYY-MM-DD`.
    Date,
    /// `HH:MM[:SS]`.
    Time,
    /// `YYYY-MM-DDTHH:MM[:SS]`, no zone.
    Datetime,
    /// Nested fields.
    Group,
    /// Repeated nested fields.
    Rows,
    /// An uploaded file.
    File,
}

impl FieldKind {
    /// The widget a field of this kind has unless the form chooses another.
    pub fn default_widget(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Email => "email",
            Self::Url => "url",
            Self::Integer => "number",
            Self::Decimal => "decimal",
            Self::Boolean => "checkbox",
            Self::Choice => "select",
            Self::Multichoice => "checkboxes",
            Self::Date => "date",
            Self::Time => "time",
            Self::Datetime => "datetime-local",
            Self::Group => "group",
            Self::Rows => "rows",
            Self::File => "file",
        }
    }

    /// The widgets a field of this kind may have.
    pub fn widgets(self) -> &'static [&'static str] {
        match self {
            Self::Text => &["text", "textarea", "password", "hidden"],
            Self::Choice => &["select", "radio"],
            Self::Multichoice => &["checkboxes", "select-multiple"],
            other => match other.default_widget() {
                "email" => &["email"],
                "url" => &["url"],
                "number" => &["number"],
                "decimal" => &["decimal"],
                "checkbox" => &["checkbox"],
                "date" => &["date"],
                "time" => &["time"],
                "datetime-local" => &["datetime-local"],
                "group" => &["group"],
                "rows" => &["rows"],
                _ => &["file"],
            },
        }
    }
}

/// One option of a `choice` or `multichoice` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What the values hold.
    pub value: String,
    /// What people see.
    pub label: String,
}

impl Choice {
    /// A choice.
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// One field of a form, a group or a row (§2.13.1). Members that are `None` are left out of the
/// JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Its key in the values object.
    pub name: String,
    /// What it holds.
    pub kind: FieldKind,
    /// A label for people.
    pub label: String,
    /// Whether a missing value is an error.
    pub required: bool,
    /// How to render it.
    pub widget: String,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Placeholder text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// The value a new form starts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<Value>,
    /// Fewest characters (Unicode code points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// Most characters (Unicode code points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// A portable regex the whole value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The message when `pattern` does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<String>,
    /// The least value: a number (`integer`) or a string (`decimal`, dates and times).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Value>,
    /// The greatest value, as `min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Value>,
    /// `decimal`: most digits in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_digits: Option<u32>,
    /// `decimal`: most digits after the point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_places: Option<u32>,
    /// `choice`, `multichoice`: the options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Choice>>,
    /// Whether the server computes the choices per request.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dynamic_choices: bool,
    /// `multichoice`: fewest options; `rows`: fewest rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// `multichoice`: most options; `rows`: most rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// `group`, `rows`: the nested fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldSpec>>,
    /// `file`: the most bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// `file`: the allowed media types (`type/subtype` or `type/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<String>>,
}

impl FieldSpec {
    /// A required field of `kind` with its default widget and no rules.
    pub fn new(name: impl Into<String>, kind: FieldKind, label: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind,
            label: label.into(),
            required: true,
            widget: kind.default_widget().to_owned(),
            help: None,
            placeholder: None,
            initial: None,
            min_length: None,
            max_length: None,
            pattern: None,
            pattern_message: None,
            min: None,
            max: None,
            max_digits: None,
            decimal_places: None,
            choices: None,
            dynamic_choices: false,
            min_items: None,
            max_items: None,
            fields: None,
            max_size: None,
            accept: None,
        }
    }

    /// The field with the defaults of §2.13.2 filled in: `max_length` of email and URL fields,
    /// and a widget that suits the kind (the kind's default when the chosen one does not).
    pub fn finish(mut self) -> Self {
        match self.kind {
            FieldKind::Email if self.max_length.is_none() => {
                self.max_length = Some(EMAIL_MAX_LENGTH);
            }
            FieldKind::Url if self.max_length.is_none() => self.max_length = Some(URL_MAX_LENGTH),
            _ => {}
        }
        if let Some(accept) = &mut self.accept {
            for entry in accept.iter_mut() {
                *entry = entry.to_ascii_lowercase();
            }
        }
        self
    }

    /// The label made from a field name: `first_name` becomes `First name`.
    pub fn label_from_name(name: &str) -> String {
        let spaced = name.trim_matches('_').replace('_', " ");
        let mut chars = spaced.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

/// One failing value: its path from the values object (keys and row indexes; `[]` is the form)
/// and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIssue {
    /// Keys as strings, indexes as numbers.
    pub path: Vec<PathStep>,
    /// For people.
    pub message: String,
}

impl FieldIssue {
    /// An issue at `path`.
    pub fn new(path: Vec<PathStep>, message: impl Into<String>) -> Self {
        Self {
            path,
            message: message.into(),
        }
    }
}

/// A step of a [`FieldIssue`]'s path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathStep {
    /// A row or item index.
    Index(usize),
    /// An object key.
    Key(String),
}

#[cfg(test)]
mod tests;
