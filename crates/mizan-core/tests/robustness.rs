//! Hostile input never panics and always maps to a documented error code.

use mizan_core::mwt::{Claims, Keyring, Validation};
use mizan_core::{ErrorCode, RootSecret, canonical};

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "\"\\u001f\"",
    "\"\\u001F\"",
    "\"\\n\"",
    "\"\\/\"",
    "\"\\u00e9\"",
    "\"\u{FF61}\"",
    "\"\\u0009\"",
    "-1",
    "0",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"a\"",
    "\"b\"",
    "\"\\u0061\"",
    "\"\\ud800\"",
    "\"\\ud83d\\ude00\"",
    "1",
    "-0",
    "1.5",
    "1e9",
    "9007199254740992",
    "true",
    "null",
    "NaN",
    " ",
    "\"\u{1F600}\"",
    "\\",
    "\"",
    "\u{FEFF}",
    "\t",
    "-",
];

#[test]
fn random_json_like_text_never_panics_and_outputs_are_fixed_points() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let len = (rng.next() % 12) as usize;
        let text: String = (0..len).map(|_| rng.pick(PIECES)).collect();
        match canonical::from_slice(text.as_bytes()) {
            Ok(out) => {
                accepted += 1;
                assert_eq!(canonical::from_slice(&out).unwrap(), out, "{text:?}");
                assert!(canonical::is_canonical(&out).unwrap());
                assert_eq!(
                    canonical::is_canonical(text.as_bytes()).unwrap(),
                    out == text.as_bytes()
                );
            }
            Err(e) => assert!(ErrorCode::ALL.contains(&e.code())),
        }
    }
    assert!(
        accepted > 100,
        "the generator reaches valid JSON too ({accepted})"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(42);
    for _ in 0..20_000 {
        let len = (rng.next() % 16) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = canonical::from_slice(&bytes);
    }
}

#[test]
fn mangled_tokens_are_rejected_with_a_code() {
    let keyring = Keyring::single("k1", RootSecret::new([5u8; 32]).unwrap()).unwrap();
    let validation = Validation::new("i", "a");
    let token = keyring
        .sign(&Claims::new("i", "a", 100, 200, "pk"))
        .unwrap();
    assert!(keyring.verify_at(&token, &validation, 150).is_ok());
    let mut rng = XorShift(7);
    let bytes = token.as_bytes();
    for _ in 0..5_000 {
        let mut mangled = bytes.to_vec();
        let at = (rng.next() as usize) % mangled.len();
        match rng.next() % 3 {
            0 => mangled[at] = rng.next() as u8,
            1 => {
                mangled.remove(at);
            }
            _ => mangled.insert(at, b"._-=A"[(rng.next() % 5) as usize]),
        }
        let text = String::from_utf8_lossy(&mangled);
        if text == token {
            continue;
        }
        let err = keyring
            .verify_at(&text, &validation, 150)
            .expect_err("a changed token never verifies");
        assert!(ErrorCode::ALL.contains(&err.code()));
    }
}

/// Random context queries never panic; every error is one the spec names for decoding, and
/// whatever decodes is exactly the canonical query of what it decoded to.
#[test]
fn context_queries_decode_or_fail_with_a_documented_code() {
    use mizan_core::ProtocolErrorCode;
    use mizan_core::context_query::{decode_query, encode_query};
    const QUERY_PIECES: &[&str] = &[
        "p=", "rev=", "&", "=", "%7B", "%7b", "%7D", "%22", "a", "%3A", ":", "1", "0", "%31",
        "%5B", "%5D", "+", "%2B", "%", "%G", "%C3%A9", "\u{e9}", " ", "x", "{", "}", "\"",
    ];
    let mut rng = XorShift(0x5EED_C0DE_0000_0001);
    let mut decoded = 0;
    for _ in 0..20_000 {
        let n = rng.next() % 12;
        let query: String = (0..n).map(|_| rng.pick(QUERY_PIECES)).collect();
        match decode_query(Some(&query)) {
            Ok((params, rev)) => {
                assert_eq!(encode_query(&params, rev).unwrap(), query);
                decoded += 1;
            }
            Err(e) => assert!(
                [
                    ProtocolErrorCode::NonCanonicalQuery,
                    ProtocolErrorCode::MalformedJson,
                    ProtocolErrorCode::ValidationFailed,
                ]
                .contains(&e.code()),
                "{query}: {e}"
            ),
        }
    }
    assert!(decoded > 0, "the pieces never made a canonical query");
}
