//! Parsing `#[mizan::client(...)]` options, collecting every mistake before failing.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ExprPath, Lit, Meta, Token};

/// Who may call the function.
pub(crate) enum Auth {
    Public,
    Authenticated,
    Staff,
    Superuser,
    Custom(ExprPath),
}

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

fn push(errors: &mut Option<syn::Error>, error: syn::Error) {
    match errors {
        Some(all) => all.combine(error),
        None => *errors = Some(error),
    }
}

pub(crate) fn parse(attr: TokenStream) -> syn::Result<Options> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(attr)?;
    let mut options = Options {
        auth: Auth::Public,
        context: Context::None,
        context_span: None,
    };
    let mut errors = None;
    let (mut seen_auth, mut seen_context) = (false, false);
    for meta in metas {
        let Some(ident) = meta.path().get_ident().cloned() else {
            push(
                &mut errors,
                syn::Error::new_spanned(meta.path(), "expected `auth` or `context`"),
            );
            continue;
        };
        let seen = match ident.to_string().as_str() {
            "auth" => &mut seen_auth,
            "context" => &mut seen_context,
            other => {
                push(
                    &mut errors,
                    syn::Error::new_spanned(
                        &ident,
                        format!("unknown option `{other}`; expected `auth` or `context`"),
                    ),
                );
                continue;
            }
        };
        if *seen {
            push(
                &mut errors,
                syn::Error::new_spanned(&ident, format!("`{ident}` is given twice")),
            );
            continue;
        }
        *seen = true;
        match (ident.to_string().as_str(), &meta) {
            ("auth", Meta::Path(_)) => options.auth = Auth::Authenticated,
            ("auth", Meta::NameValue(nv)) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => match s.value().as_str() {
                    "staff" => options.auth = Auth::Staff,
                    "superuser" => options.auth = Auth::Superuser,
                    "authenticated" => options.auth = Auth::Authenticated,
                    _ => push(
                        &mut errors,
                        syn::Error::new_spanned(
                            s,
                            "expected `auth`, `auth = \"staff\"`, `auth = \"superuser\"` or `auth = my_check`",
                        ),
                    ),
                },
                Expr::Lit(ExprLit {
                    lit: Lit::Bool(b), ..
                }) if b.value => {
                    options.auth = Auth::Authenticated;
                }
                Expr::Path(path) => options.auth = Auth::Custom(path.clone()),
                other => push(
                    &mut errors,
                    syn::Error::new_spanned(
                        other,
                        "expected `auth`, `auth = \"staff\"`, `auth = \"superuser\"` or `auth = my_check`",
                    ),
                ),
            },
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
                other => push(
                    &mut errors,
                    syn::Error::new_spanned(
                        other,
                        "expected `context = \"global\"` or `context = \"local\"`",
                    ),
                ),
            },
            (_, other) => push(
                &mut errors,
                syn::Error::new_spanned(other, format!("`{ident}` takes a value: `{ident} = ...`")),
            ),
        }
    }
    match errors {
        Some(e) => Err(e),
        None => Ok(options),
    }
}
