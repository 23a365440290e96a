//! The serde attributes a form cannot have: a form's spec names its fields by their Rust names,
//! so serde must read the values under those same names, one field per key.

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Token};

use crate::errors::Errors;

/// Container attributes that change the names or the shape of the values object.
const CONTAINER: &[(&str, &str)] = &[
    (
        "rename",
        "a form's name is `#[form(name = \"...\")]`; serde's name of the struct is not used",
    ),
    (
        "rename_all",
        "the spec names each field by its Rust name, so serde must read the values under the same names",
    ),
    ("transparent", "a form's values are an object of its fields"),
];

/// Field attributes that change a field's name or where its value is.
const FIELD: &[(&str, &str)] = &[
    (
        "rename",
        "the spec names each field by its Rust name, so serde must read the value under the same name; rename the Rust field (`r#type` is `type`)",
    ),
    (
        "alias",
        "the checks run on the spec's names, so a value under another name is an unknown field",
    ),
    (
        "flatten",
        "nest the fields as a `#[derive(mizan::FormGroup)]` field instead: the spec lists each field where its value is",
    ),
    (
        "skip",
        "every field of a form is in its spec and its values",
    ),
    (
        "skip_deserializing",
        "every field of a form is in its spec and its values",
    ),
];

/// Records each forbidden serde attribute on the struct.
pub(crate) fn check_container(attrs: &[Attribute], errors: &mut Errors) {
    check(attrs, CONTAINER, errors);
}

/// Records each forbidden serde attribute on a field.
pub(crate) fn check_field(attrs: &[Attribute], errors: &mut Errors) {
    check(attrs, FIELD, errors);
}

fn check(attrs: &[Attribute], forbidden: &[(&str, &str)], errors: &mut Errors) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let Meta::List(list) = &attr.meta else {
            continue;
        };
        // What does not parse is serde's to report.
        let Ok(metas) = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone())
        else {
            continue;
        };
        for meta in metas {
            let Some(ident) = meta.path().get_ident() else {
                continue;
            };
            if let Some((name, why)) = forbidden.iter().find(|(name, _)| ident == name) {
                errors.at_tokens(
                    &meta,
                    format!("`#[serde({name})]` cannot be used on a form: {why}"),
                );
            }
        }
    }
}
