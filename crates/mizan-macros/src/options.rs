//! Parsing `#[mizan::client(...)]` options, collecting every mistake before failing.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, Token};

use crate::auth::{self, Auth};
use crate::cache_options::{self, CacheSpec, Invalidates};
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
    /// A context's `cache(...)`.
    pub(crate) cache: Option<CacheSpec>,
    /// The `cache` word, for errors that concern the option as a whole.
    pub(crate) cache_ident: Option<syn::Ident>,
    /// A call's `invalidates`.
    pub(crate) invalidates: Invalidates,
    /// The `invalidates` word, for errors that concern the option as a whole.
    pub(crate) invalidates_ident: Option<syn::Ident>,
}

const KNOWN: &str = "expected `auth`, `context`, `cache` or `invalidates`";

/// The options; a mistake is recorded in `errors` and its option keeps its default.
pub(crate) fn parse(attr: TokenStream, errors: &mut Errors) -> Options {
    let mut options = Options {
        auth: Auth::Public,
        context: Context::None,
        context_span: None,
        cache: None,
        cache_ident: None,
        invalidates: Invalidates::default(),
        invalidates_ident: None,
    };
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(attr) {
        Ok(metas) => metas,
        Err(e) => {
            errors.push(e);
            return options;
        }
    };
    let (mut seen_auth, mut seen_context) = (false, false);
    let (mut seen_cache, mut seen_invalidates) = (false, false);
    for meta in metas {
        let Some(ident) = meta.path().get_ident().cloned() else {
            errors.at_tokens(meta.path(), KNOWN);
            continue;
        };
        let seen = match ident.to_string().as_str() {
            "auth" => &mut seen_auth,
            "context" => &mut seen_context,
            "cache" => &mut seen_cache,
            "invalidates" => &mut seen_invalidates,
            other => {
                errors.at_tokens(&ident, format!("unknown option `{other}`; {KNOWN}"));
                continue;
            }
        };
        if *seen {
            errors.at_tokens(&ident, format!("`{ident}` is given twice"));
            continue;
        }
        *seen = true;
        match (ident.to_string().as_str(), &meta) {
            ("cache", meta) => {
                options.cache = cache_options::parse_cache(meta, errors);
                options.cache_ident = Some(ident.clone());
            }
            ("invalidates", meta) => {
                options.invalidates = cache_options::parse_invalidates(meta, errors);
                options.invalidates_ident = Some(ident.clone());
            }
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
