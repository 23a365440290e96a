//! Attributes on a server function's parameters: constraints and docs for the input schema.
//!
//! `#[schemars(...)]` and `#[validate(...)]` (as schemars reads them) and doc comments move to the
//! parameter's field of the input struct, so the published schema carries them: the server checks
//! params against it and the generated Zod mirrors it. Only keys that describe or constrain the
//! value are allowed: one that renamed, skipped or re-typed the field would make the schema
//! disagree with how the parameter is decoded.

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Token};

use crate::attrs::{closest, list};
use crate::errors::Errors;

/// Formats JSON Schema only notes: neither the server's validation nor the generated Zod checks
/// them, so a parameter refuses them rather than seeming checked.
const FORMATS: &[&str] = &["email", "url", "ip", "ipv4", "ipv6"];

/// The keys a parameter's `#[schemars(...)]` or `#[validate(...)]` may use.
const ALLOWED: &[&str] = &[
    "length",
    "range",
    "regex",
    "pattern",
    "contains",
    "required",
    "inner",
    "title",
    "description",
    "example",
    "deprecated",
    "extend",
];

/// The attributes of one parameter that go to its input field; every other attribute, and every
/// key that is not allowed, is recorded as a mistake at its token.
pub(crate) fn check(attrs: &[Attribute], errors: &mut Errors) -> Vec<Attribute> {
    let mut kept = Vec::new();
    for attr in attrs {
        let path = attr.path();
        if path.is_ident("doc") {
            kept.push(attr.clone());
        } else if path.is_ident("schemars") || path.is_ident("validate") {
            check_keys(attr, errors);
            kept.push(attr.clone());
        } else {
            errors.at_tokens(
                attr,
                "a server function parameter takes only `#[schemars(...)]` or `#[validate(...)]` constraints and doc comments: they describe the parameter in the input schema",
            );
        }
    }
    kept
}

fn check_keys(attr: &Attribute, errors: &mut Errors) {
    let Meta::List(list_meta) = &attr.meta else {
        // schemars reports a bare `#[schemars]` at the user's token.
        return;
    };
    // What does not parse is schemars' to report, at the user's tokens.
    let Ok(metas) =
        Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list_meta.tokens.clone())
    else {
        return;
    };
    let attr_name = if attr.path().is_ident("validate") {
        "validate"
    } else {
        "schemars"
    };
    for meta in metas {
        let Some(key) = meta.path().get_ident() else {
            continue;
        };
        let name = key.to_string();
        if ALLOWED.contains(&name.as_str()) {
            continue;
        }
        if FORMATS.contains(&name.as_str()) {
            errors.at_tokens(
                key,
                format!(
                    "`{name}` is a format, which neither the server nor the generated Zod checks; constrain the parameter with `regex(pattern = \"...\")` instead"
                ),
            );
            continue;
        }
        let hint = match closest(&name, ALLOWED) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "a parameter takes constraints and descriptions: {}",
                list(ALLOWED)
            ),
        };
        errors.at_tokens(
            key,
            format!(
                "`#[{attr_name}({name})]` cannot be used on a server function parameter; {hint}"
            ),
        );
    }
}
