//! The one canonical query of a context URL (`spec/PROTOCOL.md` §2.3): encoding params and rev,
//! and decoding a received query, which succeeds only for the canonical spelling.
//!
//! ```
//! use mizan_core::context_query::{decode_query, encode_query};
//! use serde_json::{Map, json};
//!
//! let params: Map<_, _> = json!({"name": "Ada"}).as_object().unwrap().clone();
//! let query = encode_query(&params, 3).unwrap();
//! assert_eq!(query, "p=%7B%22name%22%3A%22Ada%22%7D&rev=3");
//! assert_eq!(decode_query(Some(&query)).unwrap(), (params, 3));
//!
//! // Any other spelling names the canonical one.
//! let err = decode_query(Some("rev=3&p=%7B%22name%22%3A%22Ada%22%7D")).unwrap_err();
//! assert_eq!(err.code().as_str(), "non_canonical_query");
//! assert_eq!(err.details().unwrap()["canonical"], query);
//! ```

mod error;
mod percent;

pub use error::QueryError;

use serde_json::{Map, Value};

use crate::canonical::{self, MAX_SAFE_INTEGER};

/// The decoded params and rev of a context query.
pub type Decoded = (Map<String, Value>, u64);

/// Encodes params and rev as the canonical query string (without `?`); empty for `{}` and rev 0,
/// and then the URL has no `?` at all.
///
/// # Errors
///
/// [`QueryError::MalformedParams`] when the params have no canonical JSON form (a float, say);
/// [`QueryError::RevOutOfRange`] for a rev above `2^53 - 1`.
pub fn encode_query(params: &Map<String, Value>, rev: u64) -> Result<String, QueryError> {
    let mut query = String::new();
    if !params.is_empty() {
        let bytes = canonical::to_vec(&Value::Object(params.clone()))
            .map_err(QueryError::MalformedParams)?;
        query.reserve(2 + bytes.len() * 3);
        query.push_str("p=");
        percent::encode_into(&bytes, &mut query);
    }
    if i64::try_from(rev).map_or(true, |r| r > MAX_SAFE_INTEGER) {
        return Err(QueryError::RevOutOfRange(rev));
    }
    if rev > 0 {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("rev=");
        query.push_str(&rev.to_string());
    }
    Ok(query)
}

/// Decodes a context query string, `None` when the URL has no `?`; anything but the canonical
/// encoding is an error.
///
/// The rules, in the order §2.3 gives them: no query is `{}` and rev 0. Otherwise the query is
/// split on `&` and each part read left to right; the first part that cannot be read decides the
/// error: a part that is neither `p=…` nor `rev=…`, or names a part seen before, or whose value
/// is not percent-decodable, or a `rev` that is not a decimal integer in `0..=2^53-1` is
/// [`QueryError::NonCanonical`] without a canonical query; a `p` whose bytes are not JSON as
/// §1.1.5 reads it is [`QueryError::MalformedParams`]; a `p` that is not an object is
/// [`QueryError::ParamsNotObject`]. When every part reads, the query must be byte for byte the
/// canonical one, or it is [`QueryError::NonCanonical`] naming the canonical query.
pub fn decode_query(query: Option<&str>) -> Result<Decoded, QueryError> {
    let Some(query) = query else {
        return Ok((Map::new(), 0));
    };
    match decode_exact(query) {
        Some(decoded) => Ok(decoded),
        None => decode_lenient(query),
    }
}

/// The general path of [`decode_query`]: reads any spelling to say exactly what is wrong.
fn decode_lenient(query: &str) -> Result<Decoded, QueryError> {
    let unreadable = || QueryError::NonCanonical {
        received: query.to_owned(),
        canonical: None,
    };
    let mut params = None;
    let mut rev = None;
    for part in query.split('&') {
        if let Some(value) = part.strip_prefix("p=") {
            if params.is_some() {
                return Err(unreadable());
            }
            let bytes = percent::decode_lenient(value).ok_or_else(unreadable)?;
            match canonical::parse(&bytes).map_err(QueryError::MalformedParams)? {
                Value::Object(object) => params = Some(object),
                _ => return Err(QueryError::ParamsNotObject),
            }
        } else if let Some(value) = part.strip_prefix("rev=") {
            if rev.is_some() {
                return Err(unreadable());
            }
            let digits = percent::decode_lenient(value).ok_or_else(unreadable)?;
            rev = Some(rev_lenient(&digits).ok_or_else(unreadable)?);
        } else {
            return Err(unreadable());
        }
    }
    let params = params.unwrap_or_default();
    let rev = rev.unwrap_or(0);
    let canonical_query = encode_query(&params, rev)?;
    if canonical_query != query {
        return Err(QueryError::NonCanonical {
            received: query.to_owned(),
            canonical: Some(canonical_query),
        });
    }
    Ok((params, rev))
}

/// A rev as the lenient reader takes it: one or more ASCII digits (leading zeros allowed), at most
/// `2^53 - 1`.
fn rev_lenient(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let significant = &digits[digits.iter().take_while(|&&d| d == b'0').count()..];
    // 2^53 - 1 has 16 digits; longer numbers are out of range without parsing them.
    if significant.len() > 16 {
        return None;
    }
    let rev = significant
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    i64::try_from(rev)
        .is_ok_and(|r| r <= MAX_SAFE_INTEGER)
        .then_some(rev)
}

/// A rev as the canonical query writes it: no leading zero, `1..=2^53-1`.
fn rev_exact(digits: &str) -> Option<u64> {
    if digits.starts_with('0') {
        return None;
    }
    rev_lenient(digits.as_bytes())
}

/// The common case, a canonical query, checked without encoding anything again. `None` means
/// "not canonical, or not readable"; the lenient path then says which.
fn decode_exact(query: &str) -> Option<Decoded> {
    let (p, rev) = match query.split_once('&') {
        Some((p, rev)) => (Some(p.strip_prefix("p=")?), Some(rev.strip_prefix("rev=")?)),
        None => match query.strip_prefix("p=") {
            Some(p) => (Some(p), None),
            None => (None, Some(query.strip_prefix("rev=")?)),
        },
    };
    let params = match p {
        Some(p) => match canonical::parse_exact(&percent::decode_exact(p)?)? {
            Value::Object(object) if !object.is_empty() => object,
            _ => return None,
        },
        None => Map::new(),
    };
    let rev = match rev {
        Some(digits) => rev_exact(digits)?,
        None => 0,
    };
    Some((params, rev))
}

#[cfg(test)]
mod tests;
