//! Parsing `#[mizan::client(...)]` options, collecting every mistake before failing.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, Token};

use crate::auth::{self, Auth};
use crate::errors::Errors;

/// Whether the function is a context, and which kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    None,
    Global,
    Local,
}

pub(crate) struct Options {
    pub(crate) auth: Auth,
    pub(crate) context: Context,
    /// The `context = "global"` literal, for errors that concern it.
    pub(crate) context_span: Option<proc_macro2::Span>,
}

/// The options; a mistake is recorded in `errors` and its option keeps its default.
pub(crate) fn parse(attr: TokenStream, errors: &mut Errors) -> Options {
    let mut options = Options {
        auth: Auth::Public,
        context: Context::None,
        context_span: None,
    };
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(attr) {
        Ok(metas) => metas,
        Err(e) => {
            errors.push(e);
            return options;
        }
    };
    let (mut seen_auth, mut seen_context) = (false, false);
    for meta in metas {
        let Some(ident) = meta.path().get_ident().cloned() else {
            errors.at_tokens(meta.path(), "expected `auth` or `context`");
            continue;
        };
        let seen = match ident.to_string().as_str() {
            "auth" => &mut seen_auth,
            "context" => &mut seen_context,
            other => {
                errors.at_tokens(
                    &ident,
                    format!("unknown option `{other}`; expected `auth` or `context`"),
                );
                continue;
            }
        };
        if *seen {
            errors.at_tokens(&ident, format!("`{ident}` is given twice"));
            continue;
        }
        *seen = true;
        match (ident.to_string().as_str(), &meta) {
            ("auth", meta) => {
                if let Some(auth) = auth::parse(meta, errors) {
                    options.auth = auth;
                }
            }
            ("context", Meta::NameValue(nv)) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) if s.value() == "global" => {
                    options.context = Context::Global;
                    options.context_span = Some(s.span());
                }
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) if s.value() == "local" => {
                    options.context = Context::Local;
                    options.context_span = Some(s.span());
                }
                other => errors.at_tokens(
                    other,
                    "expected `context = \"global\"` or `context = \"local\"`",
                ),
            },
            (_, other) => {
                errors.at_tokens(other, format!("`{ident}` takes a value: `{ident} = ...`"));
            }
        }
    }
    options
}
