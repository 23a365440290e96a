//! `#[field(...)]`: what a form field's attributes say, checked against each other, and the
//! statements that apply them to the `FieldSpec` its type made.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, ExprPath, Lit, LitStr, Meta, MetaNameValue, Token};

use crate::attrs::{self, Entry};
use crate::errors::Errors;

mod apply;
mod checks;

use checks::{check_kind, check_ranges};

/// The keys of `#[field(...)]`.
pub(crate) const KEYS: &[&str] = &[
    "label",
    "help",
    "placeholder",
    "widget",
    "initial",
    "required",
    "optional",
    "email",
    "url",
    "kind",
    "min_length",
    "max_length",
    "pattern",
    "pattern_message",
    "min",
    "max",
    "max_digits",
    "decimal_places",
    "choices",
    "choices_from",
    "min_items",
    "max_items",
    "max_size",
    "accept",
    "clean",
];

/// A field kind of `spec/PROTOCOL.md` §2.13.1: its name, its `FieldKind` variant and its widgets,
/// the default first.
pub(crate) struct Kind {
    name: &'static str,
    variant: &'static str,
    widgets: &'static [&'static str],
}

const KINDS: &[Kind] = &[
    kind("text", "Text", &["text", "textarea", "password", "hidden"]),
    kind("email", "Email", &["email"]),
    kind("url", "Url", &["url"]),
    kind("integer", "Integer", &["number"]),
    kind("decimal", "Decimal", &["decimal"]),
    kind("boolean", "Boolean", &["checkbox"]),
    kind("choice", "Choice", &["select", "radio"]),
    kind(
        "multichoice",
        "Multichoice",
        &["checkboxes", "select-multiple"],
    ),
    kind("date", "Date", &["date"]),
    kind("time", "Time", &["time"]),
    kind("datetime", "Datetime", &["datetime-local"]),
    kind("group", "Group", &["group"]),
    kind("rows", "Rows", &["rows"]),
    kind("file", "File", &["file"]),
];

const fn kind(name: &'static str, variant: &'static str, widgets: &'static [&'static str]) -> Kind {
    Kind {
        name,
        variant,
        widgets,
    }
}

fn kind_named(name: &str) -> &'static Kind {
    KINDS
        .iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| unreachable!("`{name}` is one of KINDS"))
}

/// The kinds only a field's type gives.
const FROM_TYPE: &[&str] = &["group", "rows", "file"];

/// The kinds each kind-specific key applies to (§2.13.1's table).
const APPLIES_TO: &[(&str, &[&str])] = &[
    ("min_length", &["text", "email", "url"]),
    ("max_length", &["text", "email", "url"]),
    ("pattern", &["text"]),
    ("pattern_message", &["text"]),
    ("min", &["integer", "decimal", "date", "time", "datetime"]),
    ("max", &["integer", "decimal", "date", "time", "datetime"]),
    ("max_digits", &["decimal"]),
    ("decimal_places", &["decimal"]),
    ("choices", &["text", "choice", "multichoice"]),
    ("choices_from", &["text", "choice", "multichoice"]),
    ("min_items", &["multichoice", "rows"]),
    ("max_items", &["multichoice", "rows"]),
    ("max_size", &["file"]),
    ("accept", &["file"]),
];

/// `min = ...` or `max = ...`.
enum Bound {
    Integer(i64),
    Text(LitStr),
}

/// What one field's `#[field(...)]` attributes say.
#[derive(Default)]
pub(crate) struct FieldOptions {
    label: Option<LitStr>,
    help: Option<LitStr>,
    placeholder: Option<LitStr>,
    widget: Option<LitStr>,
    initial: Option<TokenStream>,
    required: Option<bool>,
    /// The kind the attributes set, and the key that set it.
    kind: Option<(&'static Kind, syn::Ident)>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<LitStr>,
    pattern_message: Option<LitStr>,
    min: Option<Bound>,
    max: Option<Bound>,
    max_digits: Option<u32>,
    decimal_places: Option<u32>,
    choices: Option<Vec<(String, LitStr)>>,
    /// The function computing the choices per request.
    pub(crate) choices_from: Option<ExprPath>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    max_size: Option<u64>,
    accept: Option<Vec<LitStr>>,
    /// The per-field server rule.
    pub(crate) clean: Option<ExprPath>,
}

/// Where a field is: a form's own fields may have server rules and dynamic choices, a group's
/// may not (they are checked by the form that holds the group).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Form,
    Group,
}

/// The options of one field; each mistake is recorded and its key ignored.
pub(crate) fn parse(attrs: &[Attribute], owner: Owner, errors: &mut Errors) -> FieldOptions {
    let entries = attrs::entries(attrs, "field", KEYS, errors);
    let mut o = FieldOptions::default();
    for entry in &entries {
        read(&mut o, entry, owner, errors);
    }
    check_kind(&o, &entries, errors);
    check_ranges(&o, &entries, errors);
    o
}

fn read(o: &mut FieldOptions, entry: &Entry, owner: Owner, errors: &mut Errors) {
    match entry.name.as_str() {
        "label" => o.label = entry.string(errors),
        "help" => o.help = entry.string(errors),
        "placeholder" => o.placeholder = entry.string(errors),
        "widget" => o.widget = entry.string(errors),
        "initial" => {
            o.initial = entry
                .value("<literal>", errors)
                .and_then(|v| attrs::json_literal("initial", v, errors));
        }
        "required" | "optional" => {
            if !entry.flag(errors) {
                return;
            }
            if o.required.is_some() {
                errors.at_tokens(&entry.key, "give one of `required` and `optional`");
                return;
            }
            o.required = Some(entry.name == "required");
        }
        "email" | "url" => {
            if entry.flag(errors) {
                set_kind(o, kind_named(&entry.name), entry, errors);
            }
        }
        "kind" => {
            let Some(s) = entry.string(errors) else {
                return;
            };
            let name = s.value();
            match KINDS.iter().find(|k| k.name == name) {
                Some(k) if FROM_TYPE.contains(&k.name) => errors.at_tokens(
                    &s,
                    format!("the `{name}` kind comes from the field's type, not from `kind`"),
                ),
                Some(k) => set_kind(o, k, entry, errors),
                None => {
                    let names: Vec<&str> = KINDS
                        .iter()
                        .map(|k| k.name)
                        .filter(|n| !FROM_TYPE.contains(n))
                        .collect();
                    let hint = attrs::closest(&name, &names).map_or_else(
                        || format!("expected one of {}", attrs::list(&names)),
                        |near| format!("did you mean `{near}`?"),
                    );
                    errors.at_tokens(&s, format!("unknown kind `{name}`; {hint}"));
                }
            }
        }
        "min_length" => o.min_length = entry.integer(errors),
        "max_length" => o.max_length = entry.integer(errors),
        "pattern" => o.pattern = entry.string(errors),
        "pattern_message" => o.pattern_message = entry.string(errors),
        "min" => o.min = bound(entry, errors),
        "max" => o.max = bound(entry, errors),
        "max_digits" => o.max_digits = entry.integer(errors),
        "decimal_places" => o.decimal_places = entry.integer(errors),
        "choices" => o.choices = choices(entry, errors),
        "choices_from" => {
            if owner == Owner::Group {
                errors.at_tokens(&entry.key, only_on_form("choices_from"));
            } else {
                o.choices_from = entry.path("an async function of `&mizan::Request`", errors);
            }
        }
        "min_items" => o.min_items = entry.integer(errors),
        "max_items" => o.max_items = entry.integer(errors),
        "max_size" => o.max_size = entry.integer(errors),
        "accept" => o.accept = accept(entry, errors),
        "clean" => {
            if owner == Owner::Group {
                errors.at_tokens(&entry.key, only_on_form("clean"));
            } else {
                o.clean = entry.path("an async rule function", errors);
            }
        }
        other => unreachable!("`{other}` is in KEYS but not read"),
    }
}

fn only_on_form(key: &str) -> String {
    let why = if key == "clean" {
        "a group's values are checked by the form that holds it: use the form's `FormHandler::clean`"
    } else {
        "the form computes the choices of its own fields per request"
    };
    format!("`{key}` is only on a form's own fields: {why}")
}

fn set_kind(o: &mut FieldOptions, kind: &'static Kind, entry: &Entry, errors: &mut Errors) {
    if let Some((_, first)) = &o.kind {
        errors.at_tokens(
            &entry.key,
            format!(
                "the kind is already set by `{first}`: one of `email`, `url` and `kind` per field"
            ),
        );
        return;
    }
    o.kind = Some((kind, entry.key.clone()));
}

fn bound(entry: &Entry, errors: &mut Errors) -> Option<Bound> {
    let value = entry.value("<integer or string literal>", errors)?;
    if let Some(n) = attrs::signed_integer(value) {
        return n.map(Bound::Integer).map_err(|e| errors.push(e)).ok();
    }
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(Bound::Text(s.clone())),
        other => {
            errors.at_tokens(
                other,
                format!(
                    "`{}` takes an integer literal (integer fields) or a string literal (decimal, date, time and datetime fields)",
                    entry.name
                ),
            );
            None
        }
    }
}

/// `choices(value = "Label", ...)` or `choices = [("value", "Label"), ...]`.
fn choices(entry: &Entry, errors: &mut Errors) -> Option<Vec<(String, LitStr)>> {
    const FORMS: &str =
        "expected `choices(value = \"Label\", ...)` or `choices = [(\"value\", \"Label\"), ...]`";
    let mut out: Vec<(String, LitStr)> = Vec::new();
    let before = errors.len();
    let mut push = |value: String, at: &dyn ToTokens, label: LitStr, errors: &mut Errors| {
        if out.iter().any(|(v, _)| *v == value) {
            errors.at_tokens(at, format!("the choice `{value}` is given twice"));
        } else {
            out.push((value, label));
        }
    };
    match &entry.meta {
        Meta::List(list) => {
            let pairs = Punctuated::<MetaNameValue, Token![,]>::parse_terminated
                .parse2(list.tokens.clone())
                .map_err(|e| errors.push(e))
                .ok()?;
            for pair in pairs {
                let Some(ident) = pair.path.get_ident() else {
                    errors.at_tokens(&pair.path, FORMS);
                    continue;
                };
                match &pair.value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(label),
                        ..
                    }) => {
                        push(ident.unraw().to_string(), ident, label.clone(), errors);
                    }
                    other => errors.at_tokens(other, "a choice's label is a string literal"),
                }
            }
        }
        Meta::NameValue(nv) => {
            let Expr::Array(array) = &nv.value else {
                errors.at_tokens(&nv.value, FORMS);
                return None;
            };
            for elem in &array.elems {
                let pair = match elem {
                    Expr::Tuple(t) if t.elems.len() == 2 => (&t.elems[0], &t.elems[1]),
                    other => {
                        errors.at_tokens(other, "expected `(\"value\", \"Label\")`");
                        continue;
                    }
                };
                match pair {
                    (
                        Expr::Lit(ExprLit {
                            lit: Lit::Str(value),
                            ..
                        }),
                        Expr::Lit(ExprLit {
                            lit: Lit::Str(label),
                            ..
                        }),
                    ) => push(value.value(), value, label.clone(), errors),
                    _ => errors.at_tokens(
                        elem,
                        "expected `(\"value\", \"Label\")` of two string literals",
                    ),
                }
            }
        }
        Meta::Path(path) => {
            errors.at_tokens(path, FORMS);
            return None;
        }
    }
    if out.is_empty() && errors.len() == before {
        errors.at_tokens(&entry.meta, "a choice field needs at least one choice");
        return None;
    }
    Some(out)
}

fn accept(entry: &Entry, errors: &mut Errors) -> Option<Vec<LitStr>> {
    let types = entry.strings(errors)?;
    for t in &types {
        let value = t.value();
        let well_formed = value.split_once('/').is_some_and(|(kind, sub)| {
            !kind.is_empty() && kind != "*" && !sub.is_empty() && !sub.contains('/')
        });
        if !well_formed {
            errors.at_tokens(t, "a media type is `type/subtype` or `type/*`");
        }
    }
    Some(types)
}
