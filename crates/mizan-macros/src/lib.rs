//! Procedural macros for Mizan. Use them through the `mizan` crate, which documents them:
//! `#[mizan::client]` turns a function into a server function, `#[derive(mizan::Form)]` and
//! `#[derive(mizan::FormGroup)]` make a struct a form or a group of form fields.

mod attrs;
mod auth;
mod cache_options;
mod errors;
mod expand;
mod field_options;
mod form;
mod form_options;
mod options;
mod param_attrs;
mod serde_attrs;

use proc_macro::TokenStream;

/// Turns a function into a Mizan server function; see `mizan::client` for the guide.
#[proc_macro_attribute]
pub fn client(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::client(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Makes a struct with named fields a form (`spec/PROTOCOL.md` §2.13): implements
/// `mizan::forms::Form` and `mizan::forms::FormFields`. The struct also derives
/// `serde::Deserialize`; implement `mizan::forms::FormHandler` and register it with
/// `registry.form::<T>()`. See `mizan::forms` for an example.
///
/// Each field's name in the values is its Rust name (`r#type` is `type`), and its type gives its
/// kind: `String` text, integers `integer` bounded by the type's range, `bool` a checkbox,
/// `mizan::forms::{Decimal, Date, Time, DateTime, Upload}`, `Vec<String>` a multiple choice, a
/// `#[derive(mizan::FormGroup)]` struct a group and a `Vec` of one rows. `Option<T>` is optional,
/// everything else required.
///
/// On the struct, `#[form(...)]`:
///
/// | option | meaning |
/// |---|---|
/// | `name = "contact"` | required: the form's name, `[A-Za-z_][A-Za-z0-9_]*`; its functions are `contact.schema`, `contact.validate` and `contact.submit` |
/// | `title = "Contact us"` | a title for people; the name by default |
/// | `redirect = "/thanks"` | where a successful post without JavaScript goes; without it the form takes no such post |
/// | `page = "/contact"` | the path of the page that shows the form |
/// | `auth` | a signed-in user is required |
/// | `auth = "staff"` / `auth = "superuser"` | as for `#[mizan::client]` |
/// | `auth = my_check` | `fn` or `async fn my_check(req: &mizan::Request) -> bool` (or `-> mizan::Result<bool>`) |
///
/// On each field, `#[field(...)]` (all optional):
///
/// | option | meaning |
/// |---|---|
/// | `label = "..."` | the label; made from the name by default (`first_name` is `First name`) |
/// | `help = "..."`, `placeholder = "..."` | help and placeholder text |
/// | `widget = "textarea"` | one of the kind's widgets: text `text`, `textarea`, `password`, `hidden`; choice `select`, `radio`; multiple choice `checkboxes`, `select-multiple` |
/// | `initial = ...` | the starting value: a string, integer or `bool` literal, or an array of strings |
/// | `required`, `optional` | override the type's default (`Option` optional, `bool` unchecked allowed, others required) |
/// | `email`, `url` | the kind `email` or `url` (a `String` field) |
/// | `kind = "..."` | the kind by name: `text`, `email`, `url`, `integer`, `decimal`, `boolean`, `choice`, `multichoice`, `date`, `time`, `datetime` |
/// | `min_length = N`, `max_length = N` | text, email, URL: length in characters |
/// | `pattern = "..."`, `pattern_message = "..."` | text: a portable regex the whole value matches, and its message |
/// | `min = ...`, `max = ...` | integer: an integer literal (it narrows the type's range, never widens it); decimal, date, time, datetime: a string literal |
/// | `max_digits = N`, `decimal_places = N` | decimal |
/// | `choices(value = "Label", ...)` or `choices = [("value", "Label"), ...]` | the options; a text field becomes a choice, `Vec<String>` stays a multiple choice |
/// | `choices_from = f` | the options, computed per request: `async fn f(req: &mizan::Request) -> mizan::Result<Vec<mizan::forms::Choice>>` (a form's own fields only) |
/// | `min_items = N`, `max_items = N` | multiple choice: options selected; rows: rows |
/// | `max_size = N`, `accept = ["image/png", "image/*"]` | file: most bytes, and the allowed media types |
/// | `clean = rule` | a server rule run on the field's value when it passed its checks: `async fn rule(req: &mizan::Request, value: &T) -> Result<(), mizan::forms::Invalid>` (`&str` for a `String`; a form's own fields only) |
///
/// `#[serde(rename)]`, `rename_all`, `alias`, `flatten` and `skip` are refused: the spec must
/// name the values as serde reads them.
#[proc_macro_derive(Form, attributes(form, field))]
pub fn derive_form(input: TokenStream) -> TokenStream {
    form::form(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Makes a struct with named fields a group of form fields: a field of this type is a `group`,
/// a `Vec` of it `rows`. Its fields take the `#[field(...)]` options of `#[derive(mizan::Form)]`
/// except `clean` and `choices_from`, which belong to a form's own fields.
#[proc_macro_derive(FormGroup, attributes(form, field))]
pub fn derive_form_group(input: TokenStream) -> TokenStream {
    form::group(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
