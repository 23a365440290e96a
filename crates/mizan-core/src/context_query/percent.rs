//! The percent-encoding of context query values (`spec/PROTOCOL.md` §2.3): one writer, an exact
//! reader for the canonical spelling, and a lenient reader that tells what the spelling meant.

/// Whether `b` is written as itself: `A-Z a-z 0-9 - . _ ~` (RFC 3986 unreserved).
pub(super) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Appends `bytes` to `out`: unreserved bytes as themselves, every other byte as `%` and two
/// uppercase hex digits.
pub(super) fn encode_into(bytes: &[u8], out: &mut String) {
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

/// Decodes only the spelling [`encode_into`] writes: `None` for a lowercase hex digit, an escaped
/// unreserved byte or a literal reserved character.
pub(super) fn decode_exact(text: &str) -> Option<Vec<u8>> {
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

/// Decodes any spelling whose meaning is certain (§2.3 "Decoding"): `%` and two hex digits of
/// either case is that byte; a printable ASCII character (`!` to `~`) other than `%` and `+` is
/// itself. `None` for anything else: a `%` without two hex digits after it, a `+` (a space in form
/// encoding, a plus in RFC 3986, so the server does not guess), a control or non-ASCII character.
pub(super) fn decode_lenient(text: &str) -> Option<Vec<u8>> {
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push(hex(*bytes.get(i + 1)?)? << 4 | hex(*bytes.get(i + 2)?)?);
                i += 3;
            }
            b'+' => return None,
            b @ b'!'..=b'~' => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        let mut out = String::new();
        encode_into(bytes, &mut out);
        out
    }

    #[test]
    fn every_byte_round_trips_through_both_readers() {
        for b in 0..=255u8 {
            let text = encode(&[b]);
            assert_eq!(decode_exact(&text), Some(vec![b]), "{text}");
            assert_eq!(decode_lenient(&text), Some(vec![b]), "{text}");
            assert_eq!(text.len(), if is_unreserved(b) { 1 } else { 3 });
        }
    }

    #[test]
    fn the_exact_reader_refuses_other_spellings_the_lenient_one_reads_them() {
        for (text, bytes) in [
            ("%7b", b"{".as_slice()),
            ("%41", b"A"),
            ("{", b"{"),
            ("a=b?", b"a=b?"),
        ] {
            assert_eq!(decode_exact(text), None, "{text}");
            assert_eq!(decode_lenient(text).as_deref(), Some(bytes), "{text}");
        }
    }

    #[test]
    fn the_lenient_reader_refuses_what_it_cannot_be_sure_of() {
        for text in ["a+b", "%", "%4", "%G0", "a b", "\u{e9}", "\t", "%%41"] {
            assert_eq!(decode_lenient(text), None, "{text:?}");
            assert_eq!(decode_exact(text), None, "{text:?}");
        }
    }
}
