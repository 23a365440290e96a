//! What registration checks of a form spec, so that a form that cannot be checked alike on
//! every side never serves (`spec/PROTOCOL.md` §2.13.1).

use std::collections::HashSet;

use mizan_core::form::{
    FieldKind, FieldSpec, FormSpec, compare_decimals, is_date, is_datetime, is_decimal, is_time,
    normalized_time,
};
use serde_json::Value;

use crate::validation::portable_regex;

/// 2^53 − 1.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_local_path(path: &str) -> bool {
    // Browsers drop tabs and newlines from URLs, so `/\t/evil` would be `//evil`: another site.
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

/// Why `spec` cannot serve, if it cannot: the first problem found, naming the field.
pub(crate) fn problem(spec: &FormSpec) -> Option<String> {
    if !is_name(&spec.name) {
        return Some(format!(
            "the form name {:?} is not [A-Za-z_][A-Za-z0-9_]*",
            spec.name
        ));
    }
    for (what, path) in [("redirect", &spec.redirect), ("page", &spec.page)] {
        if let Some(path) = path
            && !is_local_path(path)
        {
            return Some(format!(
                "{what} {path:?} must be a path on this site (starting with one '/')"
            ));
        }
    }
    fields_problem(&spec.fields, "")
}

fn fields_problem(fields: &[FieldSpec], prefix: &str) -> Option<String> {
    let mut seen = HashSet::new();
    for field in fields {
        let at = format!("{prefix}{}", field.name);
        if !is_name(&field.name) {
            return Some(format!(
                "field {at:?}: the name is not [A-Za-z_][A-Za-z0-9_]*"
            ));
        }
        if field.name.starts_with("__mizan") || field.name == "__values" {
            return Some(format!("field {at:?}: the name is reserved"));
        }
        if !seen.insert(field.name.as_str()) {
            return Some(format!("field {at:?} is declared twice"));
        }
        if let Some(reason) = field_problem(field) {
            return Some(format!("field {at:?}: {reason}"));
        }
        if let Some(nested) = &field.fields {
            let separator = if field.kind == FieldKind::Rows {
                ".N."
            } else {
                "."
            };
            if let Some(problem) = fields_problem(nested, &format!("{at}{separator}")) {
                return Some(problem);
            }
        }
    }
    None
}

fn field_problem(f: &FieldSpec) -> Option<String> {
    use FieldKind as K;
    let kind = f.kind;
    if !kind.widgets().contains(&f.widget.as_str()) {
        return Some(format!(
            "the widget {:?} does not suit a {kind:?} field (one of {:?})",
            f.widget,
            kind.widgets()
        ));
    }
    let only = |set: bool, kinds: &[K], what: &str| -> Option<String> {
        (set && !kinds.contains(&kind))
            .then(|| format!("{what} does not apply to a {kind:?} field"))
    };
    let checks = [
        only(
            f.min_length.is_some() || f.max_length.is_some(),
            &[K::Text, K::Email, K::Url],
            "a length",
        ),
        only(
            f.pattern.is_some() || f.pattern_message.is_some(),
            &[K::Text],
            "a pattern",
        ),
        only(
            f.min.is_some() || f.max.is_some(),
            &[K::Integer, K::Decimal, K::Date, K::Time, K::Datetime],
            "min or max",
        ),
        only(
            f.max_digits.is_some() || f.decimal_places.is_some(),
            &[K::Decimal],
            "digits",
        ),
        only(
            f.choices.is_some() || f.dynamic_choices,
            &[K::Choice, K::Multichoice],
            "choices",
        ),
        only(
            f.min_items.is_some() || f.max_items.is_some(),
            &[K::Multichoice, K::Rows],
            "min_items or max_items",
        ),
        only(f.fields.is_some(), &[K::Group, K::Rows], "nested fields"),
        only(
            f.max_size.is_some() || f.accept.is_some(),
            &[K::File],
            "max_size or accept",
        ),
    ];
    if let Some(problem) = checks.into_iter().flatten().next() {
        return Some(problem);
    }
    if let (Some(min), Some(max)) = (f.min_length, f.max_length)
        && min > max
    {
        return Some(format!("min_length {min} is above max_length {max}"));
    }
    if let (Some(min), Some(max)) = (f.min_items, f.max_items)
        && min > max
    {
        return Some(format!("min_items {min} is above max_items {max}"));
    }
    if let Some(pattern) = &f.pattern
        && let Err(e) = portable_regex::check(&format!("^(?:{pattern})$"))
    {
        return Some(format!(
            "the pattern {pattern:?} is outside the portable regex subset, at byte {}: {}",
            e.at, e.reason
        ));
    }
    match kind {
        K::Choice | K::Multichoice if f.choices.is_none() && !f.dynamic_choices => {
            return Some("a choice field needs choices (or choices_from)".into());
        }
        K::Group | K::Rows if f.fields.as_ref().is_none_or(Vec::is_empty) => {
            return Some("a group needs fields".into());
        }
        K::File if f.max_size.is_none() => return Some("a file field needs max_size".into()),
        _ => {}
    }
    if let Some(accept) = &f.accept {
        for entry in accept {
            let ok = entry
                .split_once('/')
                .is_some_and(|(t, sub)| !t.is_empty() && !sub.is_empty() && !t.contains('*'));
            if !ok {
                return Some(format!("{entry:?} in accept is not type/subtype or type/*"));
            }
        }
    }
    limits_problem(f)
}

fn limits_problem(f: &FieldSpec) -> Option<String> {
    let (min, max) = (f.min.as_ref(), f.max.as_ref());
    match f.kind {
        FieldKind::Integer => {
            for limit in [min, max].into_iter().flatten() {
                // Written as an integer, so that every side writes it alike in messages.
                let integral = limit.is_i64() || limit.is_u64();
                if !integral || !limit.as_f64().is_some_and(|n| n.abs() <= MAX_SAFE) {
                    return Some(format!(
                        "{limit} is not an integer (written without a fraction or exponent) within ±(2^53 − 1)"
                    ));
                }
            }
            if let (Some(a), Some(b)) = (min.and_then(Value::as_f64), max.and_then(Value::as_f64))
                && a > b
            {
                return Some("min is above max".into());
            }
        }
        FieldKind::Decimal => {
            for limit in [min, max].into_iter().flatten() {
                if !limit.as_str().is_some_and(is_decimal) {
                    return Some(format!("{limit} is not a decimal string"));
                }
            }
            if let (Some(Value::String(a)), Some(Value::String(b))) = (min, max)
                && compare_decimals(a, b).is_gt()
            {
                return Some("min is above max".into());
            }
        }
        FieldKind::Date | FieldKind::Time | FieldKind::Datetime => {
            let valid = match f.kind {
                FieldKind::Date => is_date,
                FieldKind::Time => is_time,
                _ => is_datetime,
            };
            for limit in [min, max].into_iter().flatten() {
                if !limit.as_str().is_some_and(valid) {
                    return Some(format!("{limit} is not a value of the field's kind"));
                }
            }
            if let (Some(Value::String(a)), Some(Value::String(b))) = (min, max)
                && normalized_time(a) > normalized_time(b)
            {
                return Some("min is after max".into());
            }
        }
        _ => {}
    }
    None
}
