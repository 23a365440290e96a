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
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
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

/// Decodes a context query string; anything but the canonical encoding is an error.
pub(crate) fn decode_query(query: Option<&str>) -> Result<(Map<String, Value>, u64), Error> {
    let Some(query) = query else {
        return Ok((Map::new(), 0));
    };
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
        ] {
            let err = decode_query(Some(bad)).unwrap_err();
            assert_eq!(err.code(), ErrorCode::NonCanonicalQuery, "{bad}");
        }
        let err = decode_query(Some("p=%7B%22a%22%3A1.5%7D")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MalformedJson);
    }
}
