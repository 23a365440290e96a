//! The checks of §2.13.2.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use regex::Regex;
use serde_json::{Map, Value};

use super::messages as m;
use super::{
    EMAIL_PATTERN, FieldIssue, FieldKind, FieldSpec, PathStep, URL_PATTERN, compare_decimals,
    decimal_digits, is_date, is_datetime, is_decimal, is_time, normalized_time,
};

/// The largest integer both sides hold exactly: 2^53 − 1.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// What a `file` field's value may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A file is described as `{"name", "size", "type"}` (`validate`, and a multipart submit
    /// after the server has described the files it received).
    Validate,
    /// A JSON submit, which cannot carry a file.
    SubmitJson,
}

/// The outcome of [`check`].
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Every failing value, at most one per path, in the order of the fields.
    pub errors: Vec<FieldIssue>,
    /// The values as the form's Rust type reads them: missing optional values `null` (an
    /// unchecked optional `boolean` `false`, a missing `multichoice` or `rows` `[]`), integers and
    /// file sizes written as `1.0` as `1`, unknown members left out.
    pub values: Value,
}

/// Checks `values` against `fields` (§2.13.2).
pub fn check(fields: &[FieldSpec], values: &Value, mode: Mode) -> Checked {
    let mut errors = Vec::new();
    let mut path = Vec::new();
    let values = match values {
        Value::Object(object) => {
            Value::Object(check_object(fields, object, mode, &mut path, &mut errors))
        }
        _ => {
            errors.push(FieldIssue::new(Vec::new(), m::INVALID));
            Value::Null
        }
    };
    Checked { errors, values }
}

fn compiled(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("the shared patterns compile"))
}

/// Whether `s` matches the email pattern of §2.13.2.
pub fn email_matches(s: &str) -> bool {
    static EMAIL: OnceLock<Regex> = OnceLock::new();
    compiled(&EMAIL, EMAIL_PATTERN).is_match(s)
}

/// Whether `s` matches the URL pattern of §2.13.2.
pub fn url_matches(s: &str) -> bool {
    static URL: OnceLock<Regex> = OnceLock::new();
    compiled(&URL, URL_PATTERN).is_match(s)
}

fn check_object(
    fields: &[FieldSpec],
    object: &Map<String, Value>,
    mode: Mode,
    path: &mut Vec<PathStep>,
    errors: &mut Vec<FieldIssue>,
) -> Map<String, Value> {
    for key in object.keys() {
        if !fields.iter().any(|f| &f.name == key) {
            let mut at = path.clone();
            at.push(PathStep::Key(key.clone()));
            errors.push(FieldIssue::new(at, m::UNKNOWN_FIELD));
        }
    }
    let mut out = Map::new();
    for field in fields {
        path.push(PathStep::Key(field.name.clone()));
        let value = object.get(&field.name).unwrap_or(&Value::Null);
        let cleaned = if is_missing(field, value) {
            if field.required {
                errors.push(FieldIssue::new(path.clone(), m::REQUIRED));
            }
            empty_value(field.kind)
        } else {
            match check_field(field, value, mode, path, errors) {
                Ok(cleaned) => cleaned,
                Err(message) => {
                    errors.push(FieldIssue::new(path.clone(), message));
                    Value::Null
                }
            }
        };
        path.pop();
        out.insert(field.name.clone(), cleaned);
    }
    out
}

/// Whether `value` counts as missing for `field` (§2.13.2).
fn is_missing(field: &FieldSpec, value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) if s.is_empty() => matches!(
            field.kind,
            FieldKind::Text
                | FieldKind::Email
                | FieldKind::Url
                | FieldKind::Decimal
                | FieldKind::Choice
                | FieldKind::Date
                | FieldKind::Time
                | FieldKind::Datetime
        ),
        Value::Array(items) if items.is_empty() => field.kind == FieldKind::Multichoice,
        Value::Bool(false) => field.kind == FieldKind::Boolean && field.required,
        _ => false,
    }
}

/// What the values hold for a missing optional field.
fn empty_value(kind: FieldKind) -> Value {
    match kind {
        FieldKind::Boolean => Value::Bool(false),
        FieldKind::Multichoice | FieldKind::Rows => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

fn chars(s: &str) -> u64 {
    s.chars().count() as u64
}

fn lengths(field: &FieldSpec, s: &str) -> Result<(), String> {
    if let Some(n) = field.min_length
        && chars(s) < n
    {
        return Err(m::min_length(n));
    }
    if let Some(n) = field.max_length
        && chars(s) > n
    {
        return Err(m::max_length(n));
    }
    Ok(())
}

/// A limit written as the spec writes it: a string as it is, a number as JSON writes it.
fn written(limit: &Value) -> String {
    match limit {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn check_field(
    field: &FieldSpec,
    value: &Value,
    mode: Mode,
    path: &mut Vec<PathStep>,
    errors: &mut Vec<FieldIssue>,
) -> Result<Value, String> {
    match field.kind {
        FieldKind::Text => {
            let s = value.as_str().ok_or(m::INVALID)?;
            lengths(field, s)?;
            if let Some(pattern) = &field.pattern
                && !whole_match(pattern, s)
            {
                return Err(field
                    .pattern_message
                    .clone()
                    .unwrap_or_else(|| m::INVALID.to_owned()));
            }
            Ok(value.clone())
        }
        FieldKind::Email => {
            let s = value.as_str().ok_or(m::INVALID_EMAIL)?;
            lengths(field, s)?;
            if !email_matches(s) {
                return Err(m::INVALID_EMAIL.to_owned());
            }
            Ok(value.clone())
        }
        FieldKind::Url => {
            let s = value.as_str().ok_or(m::INVALID_URL)?;
            lengths(field, s)?;
            if !url_matches(s) {
                return Err(m::INVALID_URL.to_owned());
            }
            Ok(value.clone())
        }
        FieldKind::Integer => {
            let n = whole_number(value).ok_or(m::INVALID_INTEGER)?;
            if let Some(min) = &field.min
                && min.as_f64().is_some_and(|min| n < min)
            {
                return Err(m::min_value(&written(min)));
            }
            if let Some(max) = &field.max
                && max.as_f64().is_some_and(|max| n > max)
            {
                return Err(m::max_value(&written(max)));
            }
            // Exact: |n| ≤ 2^53 − 1 and integral.
            #[allow(clippy::cast_possible_truncation)]
            Ok(Value::from(n as i64))
        }
        FieldKind::Decimal => {
            let s = value
                .as_str()
                .filter(|s| is_decimal(s))
                .ok_or(m::INVALID_DECIMAL)?;
            let (digits, places) = decimal_digits(s);
            if let Some(n) = field.max_digits
                && digits > n as usize
            {
                return Err(m::max_digits(n));
            }
            if let Some(n) = field.decimal_places
                && places > n as usize
            {
                return Err(m::decimal_places(n));
            }
            if let Some(Value::String(min)) = &field.min
                && compare_decimals(s, min) == Ordering::Less
            {
                return Err(m::min_value(min));
            }
            if let Some(Value::String(max)) = &field.max
                && compare_decimals(s, max) == Ordering::Greater
            {
                return Err(m::max_value(max));
            }
            Ok(value.clone())
        }
        FieldKind::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(m::INVALID_BOOLEAN.to_owned()),
        },
        FieldKind::Choice => match value {
            Value::String(s) if offered(field, s) => Ok(value.clone()),
            _ => Err(m::INVALID_CHOICE.to_owned()),
        },
        FieldKind::Multichoice => {
            let items = value.as_array().ok_or(m::INVALID_LIST)?;
            if let Some(n) = field.min_items
                && (items.len() as u64) < n
            {
                return Err(m::min_options(n));
            }
            if let Some(n) = field.max_items
                && items.len() as u64 > n
            {
                return Err(m::max_options(n));
            }
            for (i, item) in items.iter().enumerate() {
                if !item.as_str().is_some_and(|s| offered(field, s)) {
                    let mut at = path.clone();
                    at.push(PathStep::Index(i));
                    errors.push(FieldIssue::new(at, m::INVALID_CHOICE));
                }
            }
            Ok(value.clone())
        }
        FieldKind::Date => temporal(field, value, is_date, m::INVALID_DATE),
        FieldKind::Time => temporal(field, value, is_time, m::INVALID_TIME),
        FieldKind::Datetime => temporal(field, value, is_datetime, m::INVALID_DATETIME),
        FieldKind::Group => {
            let object = value.as_object().ok_or(m::INVALID)?;
            let nested = field.fields.as_deref().unwrap_or_default();
            Ok(Value::Object(check_object(
                nested, object, mode, path, errors,
            )))
        }
        FieldKind::Rows => {
            let rows = value.as_array().ok_or(m::INVALID_LIST)?;
            if let Some(n) = field.min_items
                && (rows.len() as u64) < n
            {
                return Err(m::min_rows(n));
            }
            if let Some(n) = field.max_items
                && rows.len() as u64 > n
            {
                return Err(m::max_rows(n));
            }
            let nested = field.fields.as_deref().unwrap_or_default();
            let mut out = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                path.push(PathStep::Index(i));
                match row.as_object() {
                    Some(object) => {
                        out.push(Value::Object(check_object(
                            nested, object, mode, path, errors,
                        )));
                    }
                    None => {
                        errors.push(FieldIssue::new(path.clone(), m::INVALID));
                        out.push(Value::Null);
                    }
                }
                path.pop();
            }
            Ok(Value::Array(out))
        }
        FieldKind::File => check_file(field, value, mode),
    }
}

fn offered(field: &FieldSpec, value: &str) -> bool {
    field
        .choices
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|c| c.value == value)
}

fn temporal(
    field: &FieldSpec,
    value: &Value,
    valid: fn(&str) -> bool,
    invalid: &str,
) -> Result<Value, String> {
    let s = value.as_str().filter(|s| valid(s)).ok_or(invalid)?;
    let at = normalized_time(s);
    if let Some(Value::String(min)) = &field.min
        && at < normalized_time(min)
    {
        return Err(m::not_before(min));
    }
    if let Some(Value::String(max)) = &field.max
        && at > normalized_time(max)
    {
        return Err(m::not_after(max));
    }
    Ok(value.clone())
}

/// A JSON number that is whole within ±(2^53 − 1), read as the double JavaScript reads, so that
/// `3.0` and `1e2` are whole and `2^53 + 1` is not, on every side (§2.13.1).
fn whole_number(value: &Value) -> Option<f64> {
    value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER)
}

fn check_file(field: &FieldSpec, value: &Value, mode: Mode) -> Result<Value, String> {
    if mode == Mode::SubmitJson {
        return Err(m::INVALID_FILE.to_owned());
    }
    // Exactly the three members, the size a whole number as for `integer` (a client sends
    // `File.size` as JavaScript writes it) and not negative (§2.13.4).
    let described = value.as_object().and_then(|o| {
        let name = o.get("name")?.as_str()?;
        let size = o.get("size").and_then(whole_number).filter(|n| *n >= 0.0)?;
        let media_type = o.get("type")?.as_str()?;
        (o.len() == 3).then_some((name, size, media_type))
    });
    let (name, size, media_type) = described.ok_or(m::INVALID_FILE)?;
    // Exact: a whole number in 0 ..= 2^53 − 1, so `u64` holds it.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let size = size as u64;
    // The type first, as a multipart body is judged: its headers come before its bytes.
    if let Some(accept) = &field.accept
        && !accepts(accept, media_type)
    {
        return Err(m::FILE_TYPE.to_owned());
    }
    if let Some(max) = field.max_size
        && size > max
    {
        return Err(m::max_size(max));
    }
    // The size as an integer, so that a `u64` reads `2048.0` as it reads `2048`.
    Ok(serde_json::json!({"name": name, "size": size, "type": media_type}))
}

/// The essence of a media type (§2.13.4): the part before the first `;`, without the spaces and
/// tabs around it, with ASCII letters lowercased. Only those, so that every side finds the same
/// essence (Rust's `trim`, JavaScript's `trim` and `toLowerCase` each do more, and differently).
pub fn media_type_essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim_matches([' ', '\t'])
        .to_ascii_lowercase()
}

/// Whether a media type (any case, parameters allowed) is one of `accept` (§2.13.4).
pub fn accepts(accept: &[String], media_type: &str) -> bool {
    let essence = media_type_essence(media_type);
    accept.iter().any(|entry| match entry.strip_suffix("/*") {
        Some(top) => essence
            .split_once('/')
            .is_some_and(|(t, sub)| t == top && !sub.is_empty()),
        None => *entry == essence,
    })
}

/// The most compiled field patterns kept; a server has as many as its forms declare.
const COMPILED_PATTERNS: usize = 256;

fn whole_match(pattern: &str, s: &str) -> bool {
    // Compiled once per pattern, not once per value: a submit of many rows checks one pattern
    // many times.
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= COMPILED_PATTERNS && !cache.contains_key(pattern) {
        cache.clear();
    }
    // Patterns were checked at registration (§2.7.1); one that does not compile matches nothing.
    let compiled = cache
        .entry(pattern.to_owned())
        .or_insert_with(|| Regex::new(&format!("^(?:{pattern})$")).ok());
    compiled.as_ref().is_some_and(|re| re.is_match(s))
}
