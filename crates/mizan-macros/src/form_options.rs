//! `#[form(...)]` on a struct deriving `mizan::Form`: its name, title, pages and who may use it.

use syn::{Attribute, LitStr};

use crate::attrs;
use crate::auth::{self, Auth};
use crate::errors::Errors;

const KEYS: &[&str] = &["name", "title", "redirect", "page", "auth"];

pub(crate) struct FormOptions {
    /// `None` when missing or wrong, which is recorded.
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) redirect: Option<LitStr>,
    pub(crate) page: Option<LitStr>,
    /// `None`: the trait's default (public).
    pub(crate) auth: Option<Auth>,
}

/// The options of the struct named at `ident`; each mistake is recorded.
pub(crate) fn parse(attrs: &[Attribute], ident: &syn::Ident, errors: &mut Errors) -> FormOptions {
    let mut o = FormOptions {
        name: None,
        title: None,
        redirect: None,
        page: None,
        auth: None,
    };
    let entries = attrs::entries(attrs, "form", KEYS, errors);
    for entry in &entries {
        match entry.name.as_str() {
            "name" => {
                o.name = entry.string(errors).filter(|name| {
                    let ok = is_wire_name(&name.value());
                    if !ok {
                        errors.at_tokens(name, "a form name is `[A-Za-z_][A-Za-z0-9_]*`: it names the functions `<name>.schema`, `<name>.validate` and `<name>.submit`");
                    }
                    ok
                });
            }
            "title" => o.title = entry.string(errors),
            "redirect" | "page" => {
                let path = entry.string(errors).filter(|path| {
                    let ok = is_local_path(&path.value());
                    if !ok {
                        errors.at_tokens(
                            path,
                            format!(
                                "`{}` is a path on this site: it starts with one `/`",
                                entry.name
                            ),
                        );
                    }
                    ok
                });
                if entry.name == "page" {
                    o.page = path;
                } else {
                    o.redirect = path;
                }
            }
            "auth" => o.auth = auth::parse(&entry.meta, errors),
            other => unreachable!("`{other}` is in KEYS but not read"),
        }
    }
    let named = entries.iter().any(|e| e.name == "name");
    if !named {
        let at = attrs.iter().find(|a| a.path().is_ident("form"));
        match at {
            Some(attr) => errors.at_tokens(attr, "a form needs a name: `#[form(name = \"...\")]`"),
            None => errors.at_span(
                ident.span(),
                "a form needs a name: add `#[form(name = \"...\")]` to the struct",
            ),
        }
    }
    o
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a form or field name as spec §2.13.1 allows it.
pub(crate) fn is_wire_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A path on this site, as registration requires of `redirect` and `page`.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains(['\\', '\r', '\n'])
}
