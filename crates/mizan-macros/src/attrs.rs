//! Keyed helper attributes (`#[form(...)]`, `#[field(...)]`): each key known, given once, and its
//! value of the right literal type; every mistake is recorded at the user's token.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, ExprPath, Lit, LitInt, LitStr, Meta, Token, UnOp};

use crate::errors::Errors;

/// One `key`, `key = value` or `key(...)` of a helper attribute.
pub(crate) struct Entry {
    /// The key as written, for errors.
    pub(crate) key: syn::Ident,
    /// The key as a string.
    pub(crate) name: String,
    pub(crate) meta: Meta,
}

/// The entries of every `#[<attr>(...)]` in `attrs`, in order. Unknown keys (with the closest
/// known one suggested) and keys given twice, across all of them, are recorded and left out.
pub(crate) fn entries(
    attrs: &[Attribute],
    attr: &str,
    known: &[&str],
    errors: &mut Errors,
) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for attribute in attrs.iter().filter(|a| a.path().is_ident(attr)) {
        let metas = match &attribute.meta {
            Meta::List(list) => {
                match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone()) {
                    Ok(metas) => metas,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                }
            }
            other => {
                errors.at_tokens(other, format!("expected `#[{attr}(...)]`"));
                continue;
            }
        };
        for meta in metas {
            let Some(key) = meta.path().get_ident().cloned() else {
                errors.at_tokens(meta.path(), format!("expected one of {}", list(known)));
                continue;
            };
            let name = key.to_string();
            if !known.contains(&name.as_str()) {
                let hint = match closest(&name, known) {
                    Some(near) => {
                        format!("unknown `{attr}` option `{name}`; did you mean `{near}`?")
                    }
                    None => format!(
                        "unknown `{attr}` option `{name}`; expected one of {}",
                        list(known)
                    ),
                };
                errors.at_tokens(&key, hint);
                continue;
            }
            if out.iter().any(|e| e.name == name) {
                errors.at_tokens(&key, format!("`{name}` is given twice"));
                continue;
            }
            out.push(Entry { key, name, meta });
        }
    }
    out
}

/// `a`, `b`, `c`: keys for a message.
pub(crate) fn list(known: &[&str]) -> String {
    known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known word nearest to `word`, when it is near enough to be a typo of it.
pub(crate) fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (distance(word, k), *k))
        .filter(|(d, k)| *d <= (k.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Edits from `a` to `b`, a swap of neighbours counting as one (`lable` is one from `label`).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

impl Entry {
    /// A bare key (`required`); any value is recorded as a mistake.
    pub(crate) fn flag(&self, errors: &mut Errors) -> bool {
        match &self.meta {
            Meta::Path(_) => true,
            other => {
                errors.at_tokens(
                    other,
                    format!("`{}` takes no value: write just `{}`", self.name, self.name),
                );
                false
            }
        }
    }

    /// The value of `key = value`, or a recorded mistake naming the expected `form`.
    pub(crate) fn value(&self, form: &str, errors: &mut Errors) -> Option<&Expr> {
        match &self.meta {
            Meta::NameValue(nv) => Some(&nv.value),
            other => {
                errors.at_tokens(other, format!("expected `{} = {form}`", self.name));
                None
            }
        }
    }

    /// `key = "string"`.
    pub(crate) fn string(&self, errors: &mut Errors) -> Option<LitStr> {
        match self.value("\"...\"", errors)? {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.clone()),
            other => {
                errors.at_tokens(
                    other,
                    format!(
                        "`{}` takes a string literal: `{} = \"...\"`",
                        self.name, self.name
                    ),
                );
                None
            }
        }
    }

    /// `key = N`, a non-negative integer that fits `T`.
    pub(crate) fn integer<T>(&self, errors: &mut Errors) -> Option<T>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        match self.value("N", errors)? {
            Expr::Lit(ExprLit {
                lit: Lit::Int(n), ..
            }) => match n.base10_parse::<T>() {
                Ok(n) => Some(n),
                Err(e) => {
                    errors.at_tokens(n, format!("`{}`: {e}", self.name));
                    None
                }
            },
            other => {
                errors.at_tokens(
                    other,
                    format!(
                        "`{}` takes a non-negative integer literal: `{} = N`",
                        self.name, self.name
                    ),
                );
                None
            }
        }
    }

    /// `key = path::to::function`.
    pub(crate) fn path(&self, what: &str, errors: &mut Errors) -> Option<ExprPath> {
        match self.value("path::to::function", errors)? {
            Expr::Path(p) => Some(p.clone()),
            other => {
                errors.at_tokens(
                    other,
                    format!(
                        "`{}` takes the path of {what}: `{} = path::to::function`",
                        self.name, self.name
                    ),
                );
                None
            }
        }
    }

    /// `key = ["a", "b"]`.
    pub(crate) fn strings(&self, errors: &mut Errors) -> Option<Vec<LitStr>> {
        let value = self.value("[\"...\", ...]", errors)?;
        let Expr::Array(array) = value else {
            errors.at_tokens(
                value,
                format!(
                    "`{}` takes an array of string literals: `{} = [\"...\", ...]`",
                    self.name, self.name
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for elem in &array.elems {
            match elem {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => out.push(s.clone()),
                other => errors.at_tokens(other, "expected a string literal"),
            }
        }
        Some(out)
    }
}

/// An integer literal, possibly negated, as an `i64`.
pub(crate) fn signed_integer(expr: &Expr) -> Option<syn::Result<i64>> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(n), ..
        }) => Some(n.base10_parse::<i64>()),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match &*u.expr {
            Expr::Lit(ExprLit {
                lit: Lit::Int(n), ..
            }) => Some(negate(n)),
            _ => None,
        },
        _ => None,
    }
}

fn negate(n: &LitInt) -> syn::Result<i64> {
    // Through i128 so that `-9223372036854775808` parses.
    let magnitude = n.base10_parse::<u64>()?;
    i64::try_from(-i128::from(magnitude))
        .map_err(|_| syn::Error::new(n.span(), "number too large to fit in target type"))
}

/// A literal form value as tokens making a `serde_json::Value`: a string, an integer, a `bool` or
/// an array of strings. Anything else is recorded at its token.
pub(crate) fn json_literal(key: &str, expr: &Expr, errors: &mut Errors) -> Option<TokenStream> {
    let value = quote!(::mizan::forms::__private::Value);
    if let Some(n) = signed_integer(expr) {
        return match n {
            Ok(n) => Some(quote!(#value::from(#n))),
            Err(e) => {
                errors.push(e);
                None
            }
        };
    }
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(quote!(#value::from(#s))),
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Some(quote!(#value::from(#b))),
        Expr::Array(array) => {
            let mut items = Vec::new();
            for elem in &array.elems {
                match elem {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) => items.push(s.clone()),
                    other => errors.at_tokens(
                        other,
                        format!("`{key}` takes an array of string literals here"),
                    ),
                }
            }
            Some(quote!(#value::from(::std::vec![#(::std::string::String::from(#items)),*])))
        }
        other => {
            errors.at_tokens(
                other,
                format!("`{key}` takes a string, integer or boolean literal, or an array of string literals"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn a_typo_gets_the_nearest_key_and_a_stranger_none() {
        let known = ["max_length", "min_length", "label", "clean"];
        assert_eq!(closest("max_lenght", &known), Some("max_length"));
        assert_eq!(closest("lable", &known), Some("label"));
        assert_eq!(closest("colour", &known), None);
        assert_eq!(closest("x", &known), None);
    }

    #[test]
    fn negative_integers_parse_to_the_edge_of_i64() {
        let parse = |s: &str| super::signed_integer(&syn::parse_str(s).unwrap()).map(Result::ok);
        assert_eq!(parse("-9223372036854775808"), Some(Some(i64::MIN)));
        assert_eq!(parse("-9223372036854775809"), Some(None));
        assert_eq!(parse("42"), Some(Some(42)));
        assert_eq!(parse("\"42\""), None);
    }
}
