//! Canonical JSON (`spec/PROTOCOL.md` §1.1): one encoding per value, in every implementation.
//!
//! ```
//! use mizan_core::canonical;
//!
//! let bytes = canonical::from_slice(br#"{ "b": 1, "a": [true, null, "\u00e9"] }"#).unwrap();
//! assert_eq!(bytes, "{\"a\":[true,null,\"é\"],\"b\":1}".as_bytes());
//!
//! let err = canonical::from_slice(br#"{"a": 1.5}"#).unwrap_err();
//! assert_eq!(err.code().as_str(), "float_not_allowed");
//! ```

mod parse;
mod write;

use std::fmt;

use serde_json::Value;

use crate::ErrorCode;

/// Parses `json` only if it is exactly canonical JSON text (§1.1): the bytes the canonical encoder
/// writes for the value it holds. Cheaper than parsing and encoding again to compare.
///
/// ```
/// use mizan_core::canonical::parse_exact;
///
/// assert!(parse_exact(br#"{"a":1,"b":[true]}"#).is_some());
/// assert!(parse_exact(br#"{"b":1,"a":2}"#).is_none());
/// assert!(parse_exact(br#"{"a": 1}"#).is_none());
/// ```
pub fn parse_exact(json: &[u8]) -> Option<Value> {
    parse::parse_exact(json)
}
pub(crate) use parse::ExactReader;
pub(crate) use write::{utf16_cmp, write_i64, write_object_at, write_string, write_value};

/// Appends `s` as a canonical JSON string (§1.1.3), for encoders that write canonical JSON
/// without building a [`Value`] first.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    write_string(out, s);
}

/// Appends `value` as a canonical JSON integer; `Err` outside `±(2^53 - 1)`.
pub fn write_int(out: &mut Vec<u8>, value: i64) -> Result<(), CanonicalError> {
    if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&value) {
        return Err(CanonicalError::IntegerOutOfRange { offset: None });
    }
    write_i64(out, value);
    Ok(())
}

/// The order of object members in canonical JSON: by the UTF-16 code units of their keys.
pub fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    utf16_cmp(a, b)
}

/// The deepest nesting of arrays and objects that canonical JSON accepts.
pub const MAX_DEPTH: usize = 32;

/// The largest integer canonical JSON accepts, `2^53 - 1`; the smallest is its negation.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// Why a value or a JSON text cannot be canonicalized.
///
/// Offsets are byte offsets into the input text; they are `None` when canonicalizing an in-memory
/// value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CanonicalError {
    /// The input bytes are not valid UTF-8.
    InvalidUtf8 {
        /// Length of the longest valid UTF-8 prefix.
        offset: usize,
    },
    /// The input is not JSON text.
    InvalidJson {
        /// Where the parser stopped.
        offset: usize,
        /// What it expected or found there.
        reason: &'static str,
    },
    /// `NaN`, `Infinity` or `-Infinity`.
    NonFiniteNumber {
        /// Where the literal starts.
        offset: Option<usize>,
    },
    /// A number with a fraction or an exponent.
    FloatNotAllowed {
        /// Where the number starts.
        offset: Option<usize>,
    },
    /// An integer outside the safe range.
    IntegerOutOfRange {
        /// Where the number starts.
        offset: Option<usize>,
    },
    /// An escaped surrogate that is not part of a pair.
    LoneSurrogate {
        /// Where the `\u` escape starts.
        offset: usize,
    },
    /// An object key that appears twice in the same object.
    DuplicateKey {
        /// Where the second occurrence starts.
        offset: usize,
        /// The key, unescaped.
        key: String,
    },
    /// A container opened deeper than [`MAX_DEPTH`].
    DepthExceeded {
        /// Where the container opens.
        offset: Option<usize>,
    },
}

impl CanonicalError {
    /// The stable code of this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidUtf8 { .. } => ErrorCode::InvalidUtf8,
            Self::InvalidJson { .. } => ErrorCode::InvalidJson,
            Self::NonFiniteNumber { .. } => ErrorCode::NonFiniteNumber,
            Self::FloatNotAllowed { .. } => ErrorCode::FloatNotAllowed,
            Self::IntegerOutOfRange { .. } => ErrorCode::IntegerOutOfRange,
            Self::LoneSurrogate { .. } => ErrorCode::LoneSurrogate,
            Self::DuplicateKey { .. } => ErrorCode::DuplicateKey,
            Self::DepthExceeded { .. } => ErrorCode::DepthExceeded,
        }
    }

    fn offset(&self) -> Option<usize> {
        match self {
            Self::InvalidUtf8 { offset }
            | Self::InvalidJson { offset, .. }
            | Self::LoneSurrogate { offset }
            | Self::DuplicateKey { offset, .. } => Some(*offset),
            Self::NonFiniteNumber { offset }
            | Self::FloatNotAllowed { offset }
            | Self::IntegerOutOfRange { offset }
            | Self::DepthExceeded { offset } => *offset,
        }
    }
}

impl fmt::Display for CanonicalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Self::InvalidUtf8 { .. } => "input is not valid UTF-8".to_owned(),
            Self::InvalidJson { reason, .. } => format!("invalid JSON: {reason}"),
            Self::NonFiniteNumber { .. } => "NaN and Infinity are not JSON numbers".to_owned(),
            Self::FloatNotAllowed { .. } => {
                "numbers with a fraction or exponent are not allowed; send integers, or decimals as strings".to_owned()
            }
            Self::IntegerOutOfRange { .. } => {
                "integer outside -(2^53-1)..=2^53-1; send it as a string".to_owned()
            }
            Self::LoneSurrogate { .. } => "string contains a lone surrogate".to_owned(),
            Self::DuplicateKey { key, .. } => format!("duplicate object key {key:?}"),
            Self::DepthExceeded { .. } => format!("nesting deeper than {MAX_DEPTH} levels"),
        };
        match self.offset() {
            Some(offset) => write!(f, "{what} (at byte {offset})"),
            None => f.write_str(&what),
        }
    }
}

impl std::error::Error for CanonicalError {}

/// Canonicalizes JSON text: strict parse (§1.1.5), then the canonical encoding.
pub fn from_slice(json: &[u8]) -> Result<Vec<u8>, CanonicalError> {
    let value = parse(json)?;
    let mut out = Vec::with_capacity(json.len());
    write_value(&mut out, &value, 0)?;
    Ok(out)
}

/// Parses JSON text strictly (§1.1.5): duplicate keys, floats, lone surrogates, unsafe integers
/// and excessive depth are errors, never silently changed.
pub fn parse(json: &[u8]) -> Result<Value, CanonicalError> {
    parse::parse(json, ParseOptions::CANONICAL)
}

/// Parses JSON text with the rules of §1.1.5 relaxed as `options` say.
///
/// ```
/// use mizan_core::canonical::{parse_with, ParseOptions};
///
/// let options = ParseOptions { max_depth: 4, allow_floats: true };
/// assert!(parse_with(br#"{"price": 9.5}"#, options).is_ok());
/// let err = parse_with(b"[[[[[1]]]]]", options).unwrap_err();
/// assert_eq!(err.code().as_str(), "depth_exceeded");
/// let err = parse_with(b"[1e400]", options).unwrap_err();
/// assert_eq!(err.code().as_str(), "non_finite_number");
/// ```
pub fn parse_with(json: &[u8], options: ParseOptions) -> Result<Value, CanonicalError> {
    parse::parse(json, options)
}

/// How strict [`parse_with`] is. Duplicate keys, lone surrogates, invalid UTF-8 and integers
/// outside the safe range are always errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// The deepest nesting of arrays and objects accepted.
    pub max_depth: usize,
    /// Whether numbers with a fraction or exponent are accepted (as `f64`); a number too large
    /// for `f64` is then `non_finite_number`.
    pub allow_floats: bool,
}

impl ParseOptions {
    /// The rules of canonical JSON: depth 32, no floats.
    pub const CANONICAL: Self = Self {
        max_depth: MAX_DEPTH,
        allow_floats: false,
    };
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::CANONICAL
    }
}

/// The canonical encoding of an in-memory value.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(64);
    write_value(&mut out, value, 0)?;
    Ok(out)
}

/// The canonical encoding of an in-memory value, as a string.
pub fn to_string(value: &Value) -> Result<String, CanonicalError> {
    let bytes = to_vec(value)?;
    // The writer only ever emits UTF-8: strings come from `&str` and everything else is ASCII.
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Whether `json` is already canonical JSON text: parsing and re-encoding it gives the same bytes.
pub fn is_canonical(json: &[u8]) -> Result<bool, CanonicalError> {
    if parse_exact(json).is_some() {
        return Ok(true);
    }
    from_slice(json)?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact reader checks key order against the previous key, escaped or not.
    #[test]
    fn exact_key_order_holds_with_and_without_escapes() {
        for (text, exact) in [
            (r#"{"\u0001":1,"a":2}"#, true),
            (r#"{"a":1,"\u0001":2}"#, false),
            (r#"{"\"":1,"\\":2,"a":3}"#, true),
            (r#"{"a\"":1,"a\"":2}"#, false),
            (r#"{"a":1,"a":2}"#, false),
            (r#"{"a":1,"b\n":2,"c":3}"#, true),
            (r#"{"b\n":1,"b\n":2}"#, false),
            (r#"{"b":{"a":1,"b":2},"c":3}"#, true),
            ("{\"\u{e000}\":1,\"\u{1F600}\":2}", false),
            ("{\"\u{1F600}\":1,\"\u{e000}\":2}", true),
        ] {
            assert_eq!(parse_exact(text.as_bytes()).is_some(), exact, "{text}");
        }
    }

    #[test]
    fn exact_parse_accepts_only_canonical_text() {
        for ok in [
            r#"{"a":[1,-2,"\u001f\n"],"b":{}}"#,
            "\"\u{1F600}\u{FF61}\"",
            "0",
        ] {
            assert!(parse_exact(ok.as_bytes()).is_some(), "{ok}");
        }
        for bad in [
            r#"{"b":1,"a":2}"#,
            r#"{"a": 1}"#,
            "-0",
            r#""\u001F""#,
            r#""\u0041""#,
            r#""\/""#,
            r#""\u0009""#,
            "{\"\u{FF61}\":1,\"\u{1F600}\":2}",
            " 1",
        ] {
            assert!(parse_exact(bad.as_bytes()).is_none(), "{bad}");
        }
    }
}
