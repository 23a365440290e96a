//! The canonical encoder of §1.1.1–§1.1.4.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::{CanonicalError, MAX_DEPTH, MAX_SAFE_INTEGER};

/// Appends the canonical encoding of `value`; `depth` is the depth of the container that holds it.
pub(crate) fn write_value(
    out: &mut Vec<u8>,
    value: &Value,
    depth: usize,
) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => {
            if let Some(i) = number.as_i64() {
                if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) {
                    return Err(CanonicalError::IntegerOutOfRange { offset: None });
                }
                write_i64(out, i);
            } else if number.is_u64() {
                return Err(CanonicalError::IntegerOutOfRange { offset: None });
            } else {
                return Err(CanonicalError::FloatNotAllowed { offset: None });
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            enter(depth + 1)?;
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item, depth + 1)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            enter(depth + 1)?;
            write_object(out, map, depth + 1)?;
        }
    }
    Ok(())
}

/// Appends the canonical encoding of the object `map`, held by a container at `depth`: what
/// [`write_value`] writes for `Value::Object(map)`, without building that value.
pub(crate) fn write_object_at(
    out: &mut Vec<u8>,
    map: &Map<String, Value>,
    depth: usize,
) -> Result<(), CanonicalError> {
    enter(depth + 1)?;
    write_object(out, map, depth + 1)
}

fn enter(depth: usize) -> Result<(), CanonicalError> {
    if depth > MAX_DEPTH {
        Err(CanonicalError::DepthExceeded { offset: None })
    } else {
        Ok(())
    }
}

fn write_object(
    out: &mut Vec<u8>,
    map: &Map<String, Value>,
    depth: usize,
) -> Result<(), CanonicalError> {
    out.push(b'{');
    // serde_json's map iterates in code point order (or insertion order with `preserve_order`),
    // which is already UTF-16 order unless astral and U+E000..U+FFFF keys meet: sort only then.
    let sorted = map
        .keys()
        .zip(map.keys().skip(1))
        .all(|(a, b)| utf16_cmp(a, b) == Ordering::Less);
    if sorted {
        for (i, (key, value)) in map.iter().enumerate() {
            write_member(out, i, key, value, depth)?;
        }
    } else {
        let mut members: Vec<(&String, &Value)> = map.iter().collect();
        members.sort_by(|a, b| utf16_cmp(a.0, b.0));
        for (i, (key, value)) in members.into_iter().enumerate() {
            write_member(out, i, key, value, depth)?;
        }
    }
    out.push(b'}');
    Ok(())
}

fn write_member(
    out: &mut Vec<u8>,
    index: usize,
    key: &str,
    value: &Value,
    depth: usize,
) -> Result<(), CanonicalError> {
    if index > 0 {
        out.push(b',');
    }
    write_string(out, key);
    out.push(b':');
    write_value(out, value, depth)
}

/// Compares two strings by their UTF-16 code units (§1.1.4).
pub(crate) fn utf16_cmp(a: &str, b: &str) -> Ordering {
    fn units(c: char) -> (u32, u32) {
        let c = u32::from(c);
        if c >= 0x10000 {
            let v = c - 0x10000;
            (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
        } else {
            (c, 0)
        }
    }
    let mut left = a.chars();
    let mut right = b.chars();
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => return units(x).cmp(&units(y)),
        }
    }
}

/// Appends a canonical JSON string (§1.1.3).
pub(crate) fn write_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0A => b"\\n",
            0x0C => b"\\f",
            0x0D => b"\\r",
            0x00..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[run_start..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xF)]);
        } else {
            out.extend_from_slice(escape);
        }
        run_start = i + 1;
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}

/// Appends an integer in decimal; the caller has checked the range.
pub(crate) fn write_i64(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    let mut magnitude = value.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        // The remainder is below 10, so the cast keeps every bit.
        digits[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encode(value: &Value) -> Result<String, CanonicalError> {
        let mut out = Vec::new();
        write_value(&mut out, value, 0)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn utf16_order_differs_from_code_point_order() {
        assert_eq!(utf16_cmp("\u{FF61}", "\u{1F600}"), Ordering::Greater);
        assert_eq!(utf16_cmp("a", "ab"), Ordering::Less);
        assert_eq!(utf16_cmp("b", "a"), Ordering::Greater);
        assert_eq!(utf16_cmp("\u{1F600}", "\u{1F601}"), Ordering::Less);
    }

    #[test]
    fn sorts_keys_that_the_map_order_gets_wrong() {
        let value = json!({"\u{FF61}": 1, "\u{1F600}": 2, "a": 3});
        assert_eq!(
            encode(&value).unwrap(),
            "{\"a\":3,\"\u{1F600}\":2,\"\u{FF61}\":1}"
        );
    }

    #[test]
    fn rejects_floats_and_unsafe_integers_in_values() {
        assert_eq!(
            encode(&json!({"a": 1.0})).unwrap_err().code().as_str(),
            "float_not_allowed"
        );
        assert_eq!(
            encode(&json!(9_007_199_254_740_992_i64))
                .unwrap_err()
                .code()
                .as_str(),
            "integer_out_of_range"
        );
        assert_eq!(
            encode(&json!(u64::MAX)).unwrap_err().code().as_str(),
            "integer_out_of_range"
        );
        assert_eq!(
            encode(&json!(-9_007_199_254_740_991_i64)).unwrap(),
            "-9007199254740991"
        );
    }

    #[test]
    fn limits_value_depth() {
        let mut value = json!(1);
        for _ in 0..MAX_DEPTH {
            value = json!([value]);
        }
        assert!(encode(&value).is_ok());
        let too_deep = json!([value]);
        assert_eq!(
            encode(&too_deep).unwrap_err().code().as_str(),
            "depth_exceeded"
        );
    }

    #[test]
    fn escapes_minimally() {
        let s = "\"\\\u{8}\u{9}\u{a}\u{c}\u{d}\u{0}\u{1f}\u{7f}/\u{2028}é";
        assert_eq!(
            encode(&json!(s)).unwrap(),
            "\"\\\"\\\\\\b\\t\\n\\f\\r\\u0000\\u001f\u{7f}/\u{2028}é\""
        );
    }

    #[test]
    fn writes_integers() {
        for (n, s) in [
            (0, "0"),
            (-1, "-1"),
            (42, "42"),
            (i64::MIN + 1, "-9223372036854775807"),
        ] {
            let mut out = Vec::new();
            write_i64(&mut out, n);
            assert_eq!(out, s.as_bytes());
        }
    }
}
