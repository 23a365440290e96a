//! The one canonical query encoding of a context's params and rev (`spec/PROTOCOL.md` §2.3).

use mizan_core::canonical::{self, MAX_SAFE_INTEGER};
use serde_json::{Map, Value};

use crate::{Error, ErrorCode};

/// Encodes params and rev as the canonical query string (without `?`); empty for `{}` and rev 0.
pub fn encode_query(params: &Map<String, Value>, rev: u64) -> Result<String, Error> {
    let mut query = String::new();
    if !params.is_empty() {
        let bytes = canonical::to_vec(&Value::Object(params.clone())).map_err(|e| {
            Error::new(ErrorCode::MalformedJson, format!("params: {e}"))
                .with_details(serde_json::json!({"reason": e.code().as_str()}))
        })?;
        query.push_str("p=");
        percent_encode(&bytes, &mut query);
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

fn percent_encode(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-decodes only the one encoding [`percent_encode`] writes.
fn percent_decode_exact(text: &str) -> Option<Vec<u8>> {
    let upper_hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let b = upper_hex(*bytes.get(i + 1)?)? << 4 | upper_hex(*bytes.get(i + 2)?)?;
                if is_unreserved(b) {
                    return None;
                }
                out.push(b);
                i += 3;
            }
            b if is_unreserved(b) => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn rev_exact(digits: &str) -> Option<u64> {
    if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u64>()
        .ok()
        .filter(|r| i64::try_from(*r).is_ok_and(|r| r <= MAX_SAFE_INTEGER))
}

/// The common case, a canonical query, checked without encoding anything again.
fn decode_exact(query: &str) -> Option<(Map<String, Value>, u64)> {
    let (p, rev) = match query.split_once('&') {
        Some((p, rev)) => (Some(p.strip_prefix("p=")?), Some(rev.strip_prefix("rev=")?)),
        None => match query.strip_prefix("p=") {
            Some(p) => (Some(p), None),
            None => (None, Some(query.strip_prefix("rev=")?)),
        },
    };
    let params = match p {
        Some(p) => match canonical::parse_exact(&percent_decode_exact(p)?)? {
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

/// Decodes a context query string; anything but the canonical encoding is an error.
pub(crate) fn decode_query(query: Option<&str>) -> Result<(Map<String, Value>, u64), Error> {
    let Some(query) = query else {
        return Ok((Map::new(), 0));
    };
    if let Some(decoded) = decode_exact(query) {
        return Ok(decoded);
    }
    // Not canonical: decode leniently to say exactly what is wrong and what the URL should be.
    let mut params = Map::new();
    let mut rev = 0u64;
    for pair in query.split('&') {
        if let Some(encoded) = pair.strip_prefix("p=") {
            let bytes = percent_decode(encoded).ok_or_else(|| non_canonical(query, None))?;
            let value = canonical::parse(&bytes).map_err(|e| {
                Error::new(ErrorCode::MalformedJson, format!("the `p` parameter: {e}"))
                    .with_details(serde_json::json!({"reason": e.code().as_str()}))
            })?;
            let Value::Object(object) = value else {
                return Err(Error::new(
                    ErrorCode::ValidationFailed,
                    "the `p` parameter must be a JSON object of params",
                ));
            };
            params = object;
        } else if let Some(digits) = pair.strip_prefix("rev=") {
            rev = digits
                .parse::<u64>()
                .ok()
                .filter(|r| i64::try_from(*r).is_ok_and(|r| r <= MAX_SAFE_INTEGER))
                .ok_or_else(|| non_canonical(query, None))?;
        } else {
            return Err(non_canonical(query, None));
        }
    }
    let canonical_query = encode_query(&params, rev)?;
    if canonical_query != query {
        return Err(non_canonical(query, Some(canonical_query)));
    }
    Ok((params, rev))
}

fn non_canonical(query: &str, canonical_query: Option<String>) -> Error {
    let err = Error::new(
        ErrorCode::NonCanonicalQuery,
        "context URLs must use the canonical query: `p=<percent-encoded canonical JSON>` (omitted for {}) then `rev=<n>` (omitted for 0)",
    );
    match canonical_query {
        Some(expected) => {
            err.with_details(serde_json::json!({ "received": query, "canonical": expected }))
        }
        None => err.with_details(serde_json::json!({ "received": query })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn encodes_one_url_per_request() {
        assert_eq!(encode_query(&Map::new(), 0).unwrap(), "");
        assert_eq!(encode_query(&Map::new(), 7).unwrap(), "rev=7");
        assert_eq!(
            encode_query(&object(json!({"name": "Ada Lovelace", "a": "é~"})), 2).unwrap(),
            "p=%7B%22a%22%3A%22%C3%A9~%22%2C%22name%22%3A%22Ada%20Lovelace%22%7D&rev=2"
        );
    }

    #[test]
    fn the_fast_path_and_the_encoder_agree() {
        for (params, rev) in [
            (json!({"name": "Ada"}), 0),
            (
                json!({"s": "a b/é~\u{1F600}\n", "n": -3, "l": [true, null, {}]}),
                9,
            ),
            (json!({}), 5),
        ] {
            let q = encode_query(&object(params.clone()), rev).unwrap();
            if q.is_empty() {
                continue;
            }
            assert_eq!(decode_exact(&q), Some((object(params), rev)), "{q}");
        }
    }

    #[test]
    fn round_trips_and_rejects_every_other_spelling() {
        let params = object(json!({"name": "Ada"}));
        let q = encode_query(&params, 3).unwrap();
        assert_eq!(decode_query(Some(&q)).unwrap(), (params, 3));
        assert_eq!(decode_query(None).unwrap(), (Map::new(), 0));
        for bad in [
            "",
            "rev=0",
            "rev=01",
            "p=%7B%7D",
            "rev=3&p=%7B%22name%22%3A%22Ada%22%7D",
            "p=%7b%22name%22%3a%22Ada%22%7d",
            "p=%7B%20%22name%22%3A%22Ada%22%7D",
            "p=%7B%22name%22%3A%22Ada%22%7D&x=1",
            "p=%7B%22name%22%3A%22Ada%22%7D&rev=9007199254740992",
            "p=%ZZ",
            "p=%7B%22n%22%3A%22%41%22%7D",
            "p=%7B%22n%22%3A%22a+b%22%7D",
            "rev=1&p=%7B%22name%22%3A%22Ada%22%7D",
        ] {
            let err = decode_query(Some(bad)).unwrap_err();
            assert_eq!(err.code(), ErrorCode::NonCanonicalQuery, "{bad}");
        }
        for malformed in ["p=%7B%22a%22%3A1.5%7D", "p=&rev=1"] {
            let err = decode_query(Some(malformed)).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MalformedJson, "{malformed}");
        }
    }
}
