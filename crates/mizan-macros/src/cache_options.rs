//! The `cache(...)` and `invalidates` options of `#[mizan::client]` (`spec/PROTOCOL.md`
//! §2.16.1): parsed here, and their tag templates checked against the function's parameters.
//! What needs the input schema (a slot's parameter is required and a string, integer or boolean)
//! is checked at registration.

use mizan_core::cache_key::is_valid_function_name;
use mizan_core::cache_tags::{TagTemplate, function_tag};
use mizan_core::manifest::{DEFAULT_SWR, MAX_CACHE_SECONDS};
use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprArray, ExprLit, Lit, LitInt, LitStr, Meta, Token};

use crate::errors::Errors;

/// Whose answers are shared.
#[derive(Clone, Copy)]
pub(crate) enum Scope {
    Public,
    Permission,
    User,
}

/// A context's `cache(...)`.
pub(crate) struct CacheSpec {
    scope: Scope,
    max_age: u32,
    swr: u32,
    tags: Vec<LitStr>,
}

/// A call's `invalidates`: tag templates, and contexts whose every answer it purges.
#[derive(Default)]
pub(crate) struct Invalidates {
    tags: Vec<LitStr>,
    contexts: Vec<LitStr>,
}

const CACHE_FORM: &str = "expected `cache(max_age = 60)`, with optional `scope = \"public\" | \"permission\" | \"user\"`, `swr = 300` and `tags = [\"posts\", \"post:{id}\"]`";
const INVALIDATES_FORM: &str = "expected `invalidates = [\"posts\", \"post:{id}\"]` or `invalidates(tags = [...], contexts = [\"post_list\"])`";

/// The `cache(...)` option; `None` when it is not a list of options at all.
pub(crate) fn parse_cache(meta: &Meta, errors: &mut Errors) -> Option<CacheSpec> {
    let Meta::List(list) = meta else {
        errors.at_tokens(meta, CACHE_FORM);
        return None;
    };
    let items = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone()) {
        Ok(items) => items,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let mut scope = None;
    let mut max_age = None;
    let mut swr = None;
    let mut tags = None;
    for item in &items {
        let Some((key, value)) = name_value(item, errors, CACHE_FORM) else {
            continue;
        };
        let taken = match key.as_str() {
            "scope" => scope.is_some(),
            "max_age" => max_age.is_some(),
            "swr" => swr.is_some(),
            "tags" => tags.is_some(),
            other => {
                errors.at_tokens(
                    item.path(),
                    format!(
                        "unknown key `{other}` in `cache(...)`; expected `scope`, `max_age`, `swr` or `tags`"
                    ),
                );
                continue;
            }
        };
        if taken {
            errors.at_tokens(item.path(), format!("`{key}` is given twice"));
            continue;
        }
        match key.as_str() {
            "scope" => scope = Some(parse_scope(value, errors)),
            "max_age" => max_age = Some(parse_seconds(value, 1, errors)),
            "swr" => swr = Some(parse_seconds(value, 0, errors)),
            _ => tags = Some(string_list(value, errors)),
        }
    }
    if max_age.is_none() {
        errors.at_tokens(
            &list.path,
            "`cache(...)` needs `max_age = <seconds>`: how long an answer is kept",
        );
    }
    // A policy even after a mistake (which fails the build anyway), so that its templates are
    // checked too and every mistake is reported at once.
    Some(CacheSpec {
        scope: scope.flatten().unwrap_or(Scope::Permission),
        max_age: max_age.flatten().unwrap_or(1),
        swr: swr.flatten().unwrap_or(DEFAULT_SWR),
        tags: tags.unwrap_or_default(),
    })
}

/// The `invalidates` option, in either form.
pub(crate) fn parse_invalidates(meta: &Meta, errors: &mut Errors) -> Invalidates {
    let mut out = Invalidates::default();
    match meta {
        Meta::NameValue(nv) => out.tags = string_list(&nv.value, errors),
        Meta::List(list) => {
            let items =
                match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone()) {
                    Ok(items) => items,
                    Err(e) => {
                        errors.push(e);
                        return out;
                    }
                };
            let (mut seen_tags, mut seen_contexts) = (false, false);
            for item in &items {
                let Some((key, value)) = name_value(item, errors, INVALIDATES_FORM) else {
                    continue;
                };
                let seen = match key.as_str() {
                    "tags" => &mut seen_tags,
                    "contexts" => &mut seen_contexts,
                    other => {
                        errors.at_tokens(
                            item.path(),
                            format!(
                                "unknown key `{other}` in `invalidates(...)`; expected `tags` or `contexts`"
                            ),
                        );
                        continue;
                    }
                };
                if *seen {
                    errors.at_tokens(item.path(), format!("`{key}` is given twice"));
                    continue;
                }
                *seen = true;
                let list = string_list(value, errors);
                if key == "tags" {
                    out.tags = list;
                } else {
                    out.contexts = list;
                }
            }
        }
        Meta::Path(path) => errors.at_tokens(path, INVALIDATES_FORM),
    }
    out
}

/// `key = value`, or a recorded mistake.
fn name_value<'a>(item: &'a Meta, errors: &mut Errors, form: &str) -> Option<(String, &'a Expr)> {
    match item {
        Meta::NameValue(nv) => match nv.path.get_ident() {
            Some(ident) => Some((ident.to_string(), &nv.value)),
            None => {
                errors.at_tokens(&nv.path, form);
                None
            }
        },
        other => {
            errors.at_tokens(other, form);
            None
        }
    }
}

fn parse_scope(value: &Expr, errors: &mut Errors) -> Option<Scope> {
    if let Expr::Lit(ExprLit {
        lit: Lit::Str(s), ..
    }) = value
    {
        match s.value().as_str() {
            "public" => return Some(Scope::Public),
            "permission" => return Some(Scope::Permission),
            "user" => return Some(Scope::User),
            _ => {}
        }
    }
    errors.at_tokens(
        value,
        "expected `scope = \"public\"`, `scope = \"permission\"` or `scope = \"user\"`",
    );
    None
}

/// Whole seconds in `min ..= 31536000` (one year).
fn parse_seconds(value: &Expr, min: u32, errors: &mut Errors) -> Option<u32> {
    let Expr::Lit(ExprLit {
        lit: Lit::Int(int), ..
    }) = value
    else {
        errors.at_tokens(value, "expected a number of seconds, such as `60`");
        return None;
    };
    match parse_int(int) {
        Some(n) if (min..=MAX_CACHE_SECONDS).contains(&n) => Some(n),
        _ => {
            errors.at_tokens(
                int,
                format!("expected seconds in {min} ..= {MAX_CACHE_SECONDS} (one year)"),
            );
            None
        }
    }
}

fn parse_int(int: &LitInt) -> Option<u32> {
    int.base10_parse::<u32>().ok()
}

/// `["a", "b"]`: string literals only.
fn string_list(value: &Expr, errors: &mut Errors) -> Vec<LitStr> {
    let Expr::Array(ExprArray { elems, .. }) = value else {
        errors.at_tokens(
            value,
            "expected an array of string literals, such as `[\"posts\"]`",
        );
        return Vec::new();
    };
    elems
        .iter()
        .filter_map(|elem| match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.clone()),
            other => {
                errors.at_tokens(other, "expected a string literal");
                None
            }
        })
        .collect()
}

/// Checks each template: it parses, names only parameters of the function, and is given once.
fn check_templates(
    templates: &[LitStr],
    params: &[String],
    invalidation: bool,
    errors: &mut Errors,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for lit in templates {
        let text = lit.value();
        let parsed = if invalidation {
            TagTemplate::parse_invalidation(&text)
        } else {
            TagTemplate::parse(&text)
        };
        let template = match parsed {
            Ok(template) => template,
            Err(e) => {
                errors.at_tokens(lit, format!("{text:?} is not a tag template: {e}"));
                continue;
            }
        };
        if let Some(slot) = template.slots().find(|s| !params.iter().any(|p| p == s)) {
            let known = if params.is_empty() {
                "the function has none".to_owned()
            } else {
                format!("its parameters are {}", params.join(", "))
            };
            errors.at_tokens(
                lit,
                format!("the slot {{{slot}}} names no parameter of the function ({known})"),
            );
            continue;
        }
        if out.contains(&text) {
            errors.at_tokens(lit, format!("{text:?} is given twice"));
            continue;
        }
        out.push(text);
    }
    out
}

/// The expression of `FunctionOptions::cache`, checking the policy's templates.
pub(crate) fn cache_expr(
    spec: Option<&CacheSpec>,
    params: &[String],
    errors: &mut Errors,
) -> TokenStream {
    let private = quote!(::mizan::__private);
    let Some(spec) = spec else {
        return quote!(::core::option::Option::None);
    };
    let tags = check_templates(&spec.tags, params, false, errors);
    let scope = match spec.scope {
        Scope::Public => quote!(#private::CacheScope::Public),
        Scope::Permission => quote!(#private::CacheScope::Permission),
        Scope::User => quote!(#private::CacheScope::User),
    };
    let (max_age, swr) = (spec.max_age, spec.swr);
    quote! {
        ::core::option::Option::Some(#private::CacheOptions {
            scope: #scope,
            max_age: #max_age,
            swr: #swr,
            tags: &[#(#tags),*],
        })
    }
}

/// The expression of `FunctionOptions::invalidates`: the templates, then each context's tag.
pub(crate) fn invalidates_expr(
    invalidates: &Invalidates,
    params: &[String],
    errors: &mut Errors,
) -> TokenStream {
    let mut tags = check_templates(&invalidates.tags, params, true, errors);
    for lit in &invalidates.contexts {
        let name = lit.value();
        if !is_valid_function_name(&name) {
            errors.at_tokens(
                lit,
                format!(
                    "{name:?} is not a function name: use '.'-separated [A-Za-z_][A-Za-z0-9_]* segments, as registered"
                ),
            );
            continue;
        }
        let tag = function_tag(&name);
        if tags.contains(&tag) {
            errors.at_tokens(lit, format!("{name:?} is invalidated twice"));
            continue;
        }
        tags.push(tag);
    }
    quote!(&[#(#tags),*])
}
