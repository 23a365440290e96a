//! Strict base64url without padding (`spec/PROTOCOL.md` §1.6).
//!
//! Every byte string has exactly one accepted encoding, so an encoded token cannot be altered
//! without changing its decoded bytes.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes `bytes` as base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(encoded_len(bytes.len()));
    encode_into(bytes, &mut out);
    out
}

/// The length of the base64url encoding (without padding) of `len` bytes.
pub const fn encoded_len(len: usize) -> usize {
    len / 3 * 4
        + match len % 3 {
            0 => 0,
            1 => 2,
            _ => 3,
        }
}

/// Appends the base64url encoding (without padding) of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    out.reserve(encoded_len(bytes.len()));
    let mut buffer = [0u8; 64];
    for chunk in bytes.chunks(48) {
        let written = encode_to_slice(chunk, &mut buffer);
        match std::str::from_utf8(&buffer[..written]) {
            Ok(text) => out.push_str(text),
            Err(_) => unreachable!("the base64url alphabet is ASCII"),
        }
    }
}

/// Writes the base64url encoding (without padding) of `bytes` at the start of `out` and returns
/// its length, [`encoded_len`]`(bytes.len())`.
///
/// # Panics
///
/// When `out` is shorter than that.
pub fn encode_to_slice(bytes: &[u8], out: &mut [u8]) -> usize {
    let len = encoded_len(bytes.len());
    let out = &mut out[..len];
    let char_at = |n: u32, shift: u32| ALPHABET[((n >> shift) & 0x3F) as usize];
    let mut chars = out.chunks_exact_mut(4);
    let mut groups = bytes.chunks_exact(3);
    for (group, quad) in (&mut groups).zip(&mut chars) {
        let n = (u32::from(group[0]) << 16) | (u32::from(group[1]) << 8) | u32::from(group[2]);
        quad[0] = char_at(n, 18);
        quad[1] = char_at(n, 12);
        quad[2] = char_at(n, 6);
        quad[3] = char_at(n, 0);
    }
    let tail = groups.remainder();
    let rest = chars.into_remainder();
    match *tail {
        [a] => {
            let n = u32::from(a) << 16;
            rest[0] = char_at(n, 18);
            rest[1] = char_at(n, 12);
        }
        [a, b] => {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8);
            rest[0] = char_at(n, 18);
            rest[1] = char_at(n, 12);
            rest[2] = char_at(n, 6);
        }
        _ => {}
    }
    len
}

/// The value of each base64url character, or `INVALID`.
const SEXTETS: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

const INVALID: u8 = 0xFF;

/// Decodes strict base64url; `None` for padding, foreign characters, a length `≡ 1 (mod 4)` or
/// non-zero unused bits.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = vec![0; decoded_len(text.len())?];
    decode_to_slice(text, &mut out)?;
    Some(out)
}

/// The length of the bytes a base64url text of `len` characters decodes to; `None` for a length
/// `≡ 1 (mod 4)`, which no text has.
pub const fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        0 => Some(len / 4 * 3),
        rest => Some(len / 4 * 3 + rest - 1),
    }
}

/// Decodes strict base64url into `out`, which must be exactly [`decoded_len`] bytes long; `None`
/// (with `out` left in an unspecified state) when [`decode`] would refuse the text or `out` has
/// another length.
pub fn decode_to_slice(text: &str, out: &mut [u8]) -> Option<()> {
    let input = text.as_bytes();
    if decoded_len(input.len())? != out.len() {
        return None;
    }
    let sextet = |c: u8| match SEXTETS[usize::from(c)] {
        INVALID => None,
        v => Some(u32::from(v)),
    };
    let mut quads = input.chunks_exact(4);
    let mut triples = out.chunks_exact_mut(3);
    for (quad, triple) in (&mut quads).zip(&mut triples) {
        let n = (sextet(quad[0])? << 18)
            | (sextet(quad[1])? << 12)
            | (sextet(quad[2])? << 6)
            | sextet(quad[3])?;
        triple[0] = (n >> 16) as u8;
        triple[1] = (n >> 8) as u8;
        triple[2] = n as u8;
    }
    let rest = triples.into_remainder();
    match *quads.remainder() {
        [] => {}
        [a, b] => {
            let n = (sextet(a)? << 18) | (sextet(b)? << 12);
            // The bits below the last whole byte must be zero, or two texts would give one value.
            if n & 0xFFFF != 0 {
                return None;
            }
            rest[0] = (n >> 16) as u8;
        }
        [a, b, c] => {
            let n = (sextet(a)? << 18) | (sextet(b)? << 12) | (sextet(c)? << 6);
            if n & 0xFF != 0 {
                return None;
            }
            rest[0] = (n >> 16) as u8;
            rest[1] = (n >> 8) as u8;
        }
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255).collect();
        for len in 0..70 {
            let encoded = encode(&data[..len]);
            assert!(!encoded.contains('='));
            assert_eq!(decode(&encoded).unwrap(), &data[..len]);
        }
    }

    #[test]
    fn matches_rfc4648_examples() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn rejects_non_canonical_text() {
        for bad in [
            "Zg==", "Zg=", "Zh", "Zm9", "Z", "Zm9vY", "Zm+v", "Zm/v", "Zm 9", "Zm9v\n",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        assert_eq!(decode("Zm8").unwrap(), b"fo");
    }
}
