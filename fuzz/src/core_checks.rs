//! The invariants the Layer 1 fuzz targets check: canonical JSON, the MWT and the context query.
//!
//! This file is compiled twice: as a module of the `mizan-fuzz` crate (the cargo-fuzz targets in
//! `fuzz/fuzz_targets/` call it) and, by `#[path]`, in `crates/mizan-core/tests/fuzz_regressions.rs`,
//! which replays every committed case of `fuzz/regressions/<target>/` through the same function on
//! stable. Each check panics when an invariant breaks; a panic is what libFuzzer reports.

use hmac::{Hmac, KeyInit, Mac};
use mizan_core::canonical::{self, MAX_DEPTH, MAX_SAFE_INTEGER, ParseOptions};
use mizan_core::context_query::{QueryError, decode_query, encode_query};
use mizan_core::mwt::{
    Claims, DEFAULT_SKEW_SECS, Keyring, MAX_TOKEN_LEN, SignError, Validation, VerifyError,
};
use mizan_core::{CanonicalError, KeyPurpose, RootSecret, base64url, hex};
use serde_json::{Map, Number, Value};
use sha2::Sha256;

/// The key ids of [`keyring`], the keyring of `spec/vectors/mwt.json`.
pub const KIDS: [&str; 3] = ["k1", "k2", "2026-11_rot"];

/// The secrets of [`KIDS`], as in `spec/vectors/mwt.json`.
const SECRETS_HEX: [&str; 3] = [
    "6d697a616e2074657374206b6579206f6e652c2033322062797465732121213f",
    "6d697a616e2074657374206b65792074776f2c20333220627974657321212121",
    "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f00",
];

/// The issuer, audience and `now` of `spec/vectors/mwt.json`, so that its tokens verify.
pub const ISSUER: &str = "https://mizan.test";
/// See [`ISSUER`].
pub const AUDIENCE: &str = "mizan-demo";
/// See [`ISSUER`].
pub const NOW: u64 = 1_800_000_000;

fn secret(index: usize) -> RootSecret {
    let bytes = hex::decode(SECRETS_HEX[index]).expect("the vector secrets are hex");
    RootSecret::new(bytes).expect("the vector secrets are long enough")
}

/// The keyring of `spec/vectors/mwt.json` (primary `k1`).
pub fn keyring() -> Keyring {
    let entries = (0..KIDS.len()).map(|i| (KIDS[i].to_owned(), secret(i)));
    Keyring::new(KIDS[0], entries).expect("the vector keyring is valid")
}

/// The tag §1.5.1 puts on `signed` (`mwt1.<kid>.<payload>`) with the key of `KIDS[index]`,
/// computed here from the spec rather than by the crate's signer.
pub fn tag(index: usize, signed: &str) -> String {
    let key = secret(index).derive(KeyPurpose::Token);
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(signed.as_bytes());
    base64url::encode(&mac.finalize().into_bytes())
}

/// Structural JSON equality where numbers compare as doubles (`-0` is `0`): the canonical parser
/// and `serde_json` read `-0` differently but mean the same number.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| same_json(a, b)))
        }
        _ => a == b,
    }
}

/// Canonical JSON (§1.1): canonicalizes `data` and checks what must hold whatever it is.
///
/// - nothing panics, and every error renders;
/// - a success is idempotent: the output canonicalizes to itself, is accepted by the exact
///   parser, and equals the input exactly when the input was already canonical;
/// - the value read is the one `serde_json` reads, and the float-accepting parser of call
///   bodies (§2.2) reads it too;
/// - a failure is a failure for `is_canonical` with the same code, and never exact.
pub fn canonical(data: &[u8]) -> Result<Vec<u8>, CanonicalError> {
    let floats = ParseOptions {
        max_depth: MAX_DEPTH,
        allow_floats: true,
    };
    let result = canonical::from_slice(data);
    let exact = canonical::parse_exact(data);
    let relaxed = canonical::parse_with(data, floats);
    match &result {
        Ok(out) => {
            assert_eq!(
                canonical::from_slice(out).as_ref(),
                Ok(out),
                "canonical output does not canonicalize to itself"
            );
            let reparsed = canonical::parse_exact(out).expect("canonical output is not exact");
            assert_eq!(canonical::to_vec(&reparsed).as_ref(), Ok(out));
            assert_eq!(
                exact.is_some(),
                out == data,
                "the exact parser disagrees with canonicalize-and-compare"
            );
            assert_eq!(canonical::is_canonical(data), Ok(out == data));
            let value = canonical::parse(data).expect("from_slice succeeded");
            assert_eq!(value, reparsed);
            let theirs: Value =
                serde_json::from_slice(data).expect("serde_json refuses what canonical accepts");
            assert!(same_json(&theirs, &value), "serde_json reads another value");
            let relaxed = relaxed.expect("the float-accepting parser refuses canonical JSON");
            assert!(same_json(&relaxed, &value));
        }
        Err(error) => {
            assert!(exact.is_none(), "exact parse of a refused text");
            assert_eq!(
                canonical::is_canonical(data).map_err(|e| e.code()),
                Err(error.code())
            );
            assert!(!error.to_string().is_empty());
            if let Ok(value) = relaxed {
                // Only floats (and their consequences) may separate the two parsers.
                assert_eq!(error.code().as_str(), "float_not_allowed", "{value}");
            }
        }
    }
    result
}

/// MWT verification (§1.5.4) of arbitrary input, in one of three forms chosen by the first byte:
///
/// - `0`: the rest is a token;
/// - `1`: the rest is the payload bytes, signed correctly with `k1`, so that the claim checks
///   behind the signature are reached;
/// - `2`: the rest is everything before the tag (`mwt1.<kid>.<payload>`, any text), correctly
///   tagged with `k1`: strictness of the segments and of base64url behind a valid tag.
///
/// Whatever verifies must be exactly the token the signer writes for the claims it carries (one
/// claim set, one token), and verification never panics.
pub fn mwt_verify(data: &[u8]) -> Result<Claims, VerifyError> {
    let (mode, rest) = data.split_first().map_or((0, data), |(&m, r)| (m, r));
    let text = String::from_utf8_lossy(rest);
    let token = match mode % 3 {
        0 => text.into_owned(),
        1 => {
            let signed = format!("mwt1.{}.{}", KIDS[0], base64url::encode(rest));
            let tag = tag(0, &signed);
            format!("{signed}.{tag}")
        }
        _ => {
            let tag = tag(0, &text);
            format!("{text}.{tag}")
        }
    };
    let keyring = keyring();
    let validation = Validation::new(ISSUER, AUDIENCE);
    let result = keyring.verify_at(&token, &validation, NOW);
    for now in [0, u64::MAX] {
        let other = keyring.verify_at(&token, &validation.clone().with_skew(u64::MAX), now);
        // The time checks come last: a token refused before them is refused at any time.
        match (&result, &other) {
            (Err(a), Err(b)) if !is_time_error(*a) => assert_eq!(a, b),
            _ => {}
        }
    }
    match &result {
        Ok(claims) => {
            let kid = token.split('.').nth(1).expect("a verified token has a kid");
            assert_eq!(
                keyring.sign_with(kid, claims).as_deref(),
                Ok(token.as_str()),
                "a token verified that is not the one its claims sign to"
            );
            assert!(token.len() <= MAX_TOKEN_LEN);
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    result
}

fn is_time_error(error: VerifyError) -> bool {
    matches!(
        error,
        VerifyError::Expired | VerifyError::NotYetValid | VerifyError::IssuedInFuture
    )
}

/// Reads fuzz bytes as structured values; past the end every read is zero, so any input decodes.
pub struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// Reads `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self(data)
    }

    /// The next byte, 0 past the end.
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    /// A number, mostly one of the boundary values of §1.1 and §1.5.
    pub fn u64(&mut self) -> u64 {
        let pick = self.byte();
        match pick % 12 {
            0 => 0,
            1 => 1,
            2 => NOW,
            3 => MAX_SAFE_INTEGER as u64,
            4 => MAX_SAFE_INTEGER as u64 + 1,
            5 => u64::MAX,
            6 => NOW - DEFAULT_SKEW_SECS,
            7 => NOW + DEFAULT_SKEW_SECS,
            8 => u64::from(self.byte()),
            _ => (0..8).fold(0u64, |n, _| (n << 8) | u64::from(self.byte())),
        }
    }

    /// A string of up to 255 characters, biased toward JSON's escapes and astral characters.
    pub fn string(&mut self) -> String {
        const CHARS: [char; 12] = [
            'a', '"', '\\', '\u{0}', '\u{1f}', '\u{7f}', 'é', '\u{2028}', '\u{ffff}', '😀',
            '\u{ff61}', '.',
        ];
        let len = self.byte();
        (0..len)
            .map(|_| {
                let b = self.byte();
                if b < 0x80 {
                    char::from(b)
                } else if b < 0xc0 {
                    CHARS[usize::from(b) % CHARS.len()]
                } else {
                    let n = (u32::from(b & 0x1f) << 16)
                        | (u32::from(self.byte()) << 8)
                        | u32::from(self.byte());
                    char::from_u32(n).unwrap_or('\u{fffd}')
                }
            })
            .collect()
    }

    /// Any JSON value, floats, unsafe integers and nesting past [`MAX_DEPTH`] included.
    pub fn value(&mut self, depth: usize) -> Value {
        let pick = self.byte();
        match pick % 9 {
            0 => Value::Null,
            1 => Value::Bool(pick & 0x80 != 0),
            2 => Value::from(self.u64()),
            3 => Value::from((-i128::from(self.u64())).max(i128::from(i64::MIN)) as i64),
            4 => Number::from_f64(f64::from_bits(self.u64())).map_or(Value::Null, Value::Number),
            5 => Value::String(self.string()),
            6 if depth < 40 => {
                let n = self.byte() % 5;
                Value::Array((0..n).map(|_| self.value(depth + 1)).collect())
            }
            7 if depth < 40 => Value::Object(self.object(depth + 1)),
            _ => Value::from(i64::from(self.byte())),
        }
    }

    /// A JSON object of up to four members.
    pub fn object(&mut self, depth: usize) -> Map<String, Value> {
        let n = self.byte() % 5;
        (0..n).map(|_| (self.string(), self.value(depth))).collect()
    }
}

/// Signs claims built from `data` and verifies the token (§1.5.1, §1.5.4):
///
/// - signing fails exactly when the claims have no canonical form (an unsafe time, a float or
///   too deep a value in `ext`) or the token would exceed 4096 bytes;
/// - a signed token is `mwt1.<kid>.<base64url(canonical claims)>.<tag>` with the tag computed here
///   from the spec;
/// - it verifies back to the same claims, or fails with exactly the time check that the spec's
///   order of checks names for `now` and the skew;
/// - changing any one byte of the token makes it fail to verify (no malleable encoding).
///
/// Returns `"ok"` or the code of the signing or verification error.
pub fn mwt_roundtrip(data: &[u8]) -> &'static str {
    let mut r = Reader::new(data);
    let mut claims = Claims::new(r.string(), r.string(), r.u64(), r.u64(), r.string());
    let flags = r.byte();
    if flags & 1 != 0 {
        claims = claims.with_subject(r.string());
    }
    if flags & 2 != 0 {
        claims = claims.with_not_before(r.u64());
    }
    claims = claims.with_roles(flags & 4 != 0, flags & 8 != 0);
    if flags & 16 != 0 {
        claims = claims.with_ext(r.object(1));
    }
    let kid_index = usize::from(r.byte()) % KIDS.len();
    let kid = KIDS[kid_index];
    let now = r.u64();
    let skew = if flags & 32 != 0 {
        r.u64()
    } else {
        DEFAULT_SKEW_SECS
    };
    let keyring = keyring();
    let payload = canonical::to_vec(&claims.to_value());
    let token = match keyring.sign_with(kid, &claims) {
        Ok(token) => token,
        Err(SignError::InvalidClaims(error)) => {
            let expected = payload.expect_err("claims with a canonical form were refused");
            assert_eq!(error, expected);
            return SignError::InvalidClaims(error).code().as_str();
        }
        Err(SignError::TokenTooLarge { len }) => {
            let payload = payload.expect("claims without a canonical form were signed");
            assert!(len > MAX_TOKEN_LEN);
            let encoded = base64url::encode(&payload).len();
            assert_eq!(len, "mwt1.".len() + kid.len() + 1 + encoded + 1 + 43);
            return SignError::TokenTooLarge { len }.code().as_str();
        }
        Err(other) => panic!("unexpected sign error {other:?}"),
    };
    let payload = payload.expect("claims without a canonical form were signed");
    let signed = format!("mwt1.{kid}.{}", base64url::encode(&payload));
    assert_eq!(token, format!("{signed}.{}", tag(kid_index, &signed)));
    assert!(token.len() <= MAX_TOKEN_LEN);

    let validation = Validation::new(claims.iss.clone(), claims.aud.clone()).with_skew(skew);
    let expected = if now >= claims.exp.saturating_add(skew) {
        Err(VerifyError::Expired)
    } else if claims.nbf.is_some_and(|nbf| now.saturating_add(skew) < nbf) {
        Err(VerifyError::NotYetValid)
    } else if claims.iat > now.saturating_add(skew) {
        Err(VerifyError::IssuedInFuture)
    } else {
        Ok(claims.clone())
    };
    assert_eq!(keyring.verify_at(&token, &validation, now), expected);
    let outcome = expected
        .as_ref()
        .map_or_else(|e| e.code().as_str(), |_| "ok");

    let other_issuer = Validation::new(format!("{}x", claims.iss), claims.aud.clone());
    assert_eq!(
        keyring.verify_at(&token, &other_issuer, now),
        Err(VerifyError::WrongIssuer)
    );
    let without_kid = Keyring::new(
        if kid_index == 0 { KIDS[1] } else { KIDS[0] },
        (0..KIDS.len())
            .filter(|&i| i != kid_index)
            .map(|i| (KIDS[i].to_owned(), secret(i))),
    )
    .expect("a keyring of the other two keys");
    assert_eq!(
        without_kid.verify_at(&token, &validation, now),
        Err(VerifyError::UnknownKid)
    );

    // Any one byte changed, anywhere: never valid.
    let lenient = Validation::new(claims.iss.clone(), claims.aud.clone()).with_skew(u64::MAX);
    for _ in 0..4 {
        let position = ((usize::from(r.byte()) << 8) | usize::from(r.byte())) % token.len();
        let replacement = r.byte() & 0x7f;
        let mut bytes = token.clone().into_bytes();
        if bytes[position] == replacement {
            continue;
        }
        bytes[position] = replacement;
        let changed = String::from_utf8(bytes).expect("ASCII stays UTF-8");
        assert!(
            keyring.verify_at(&changed, &lenient, now).is_err(),
            "a changed token verified: {changed}"
        );
    }
    outcome
}

/// The context query (§2.3): decoding `query` never panics; what decodes re-encodes to exactly
/// `query` (the canonical URL rule), and a refusal that names the canonical query names one that
/// decodes to itself and differs from `query`.
pub fn context_query(query: &str) -> Result<(), QueryError> {
    match decode_query(Some(query)) {
        Ok((params, rev)) => {
            assert_eq!(
                encode_query(&params, rev).as_deref(),
                Ok(query),
                "a query decoded that is not the canonical one"
            );
            Ok(())
        }
        Err(error) => {
            if let QueryError::NonCanonical {
                received,
                canonical: Some(canonical),
            } = &error
            {
                assert_eq!(received, query);
                assert_ne!(canonical, query, "the canonical query was refused");
                if !canonical.is_empty() {
                    let (params, rev) =
                        decode_query(Some(canonical)).expect("the named canonical query decodes");
                    assert_eq!(encode_query(&params, rev).as_ref(), Ok(canonical));
                }
            }
            let _ = (error.code(), error.reason(), error.details());
            assert!(!error.to_string().is_empty());
            Err(error)
        }
    }
}
