//! `spec/vectors/mwt.json`: valid tokens and one case per verification failure.

use hmac::{Hmac, KeyInit, Mac};
use mizan_core::mwt::{Claims, Keyring, Validation};
use mizan_core::{KeyPurpose, base64url, canonical, hex};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::{AUDIENCE, FOREIGN_SECRET, ISSUER, K1_SECRET, K2_SECRET, K3_SECRET, NOW, secret};

/// Signs arbitrary segment text with a token key, as a sloppy or hostile signer would.
fn raw_token(secret_hex: &str, kid: &str, payload_segment: &str) -> String {
    let key = secret(secret_hex).derive(KeyPurpose::Token);
    let signed = format!("mwt1.{kid}.{payload_segment}");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        base64url::encode(&mac.finalize().into_bytes())
    )
}

fn raw_payload_token(kid: &str, payload: &str) -> String {
    raw_token(K1_SECRET, kid, &base64url::encode(payload.as_bytes()))
}

pub(crate) fn vectors() -> Value {
    let keyring = Keyring::new(
        "k1",
        [
            ("k1".to_owned(), secret(K1_SECRET)),
            ("k2".to_owned(), secret(K2_SECRET)),
            ("2026-11_rot".to_owned(), secret(K3_SECRET)),
        ],
    )
    .unwrap();
    let validation = Validation::new(ISSUER, AUDIENCE);
    let iat = NOW - 60;
    let exp = NOW + 3600;
    let base = Claims::new(
        ISSUER,
        AUDIENCE,
        iat,
        exp,
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    );
    let full = base
        .clone()
        .with_subject("42")
        .with_not_before(NOW - 30)
        .with_roles(true, true)
        .with_ext(
            json!({"tenant": "acme", "scopes": ["read", "write"], "n": 7})
                .as_object()
                .unwrap()
                .clone(),
        );
    let minimal = keyring.sign(&base).unwrap();

    let mut cases: Vec<Value> = Vec::new();
    let valid = |name: &str, kid: Option<&str>, claims: &Claims, now: u64| {
        let token = match kid {
            Some(kid) => keyring.sign_with(kid, claims).unwrap(),
            None => keyring.sign(claims).unwrap(),
        };
        assert_eq!(
            &keyring.verify_at(&token, &validation, now).unwrap(),
            claims,
            "{name}"
        );
        let mut case =
            json!({"name": name, "token": token, "now": now, "claims": claims.to_value()});
        if let Some(kid) = kid {
            case["kid"] = json!(kid);
        }
        case
    };
    let mut list = vec![
        valid("valid_minimal", None, &base, NOW),
        valid("valid_all_claims", None, &full, NOW),
        valid(
            "valid_subject_only",
            None,
            &base.clone().with_subject("ada@example.com"),
            NOW,
        ),
        valid(
            "valid_staff_only",
            None,
            &base.clone().with_subject("7").with_roles(true, false),
            NOW,
        ),
        valid(
            "valid_unicode_ext",
            None,
            &base.clone().with_ext(
                json!({"name": "\u{1F600} \u{E9}", "\u{FF61}": 1, "\u{1F600}": 2})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            NOW,
        ),
        valid("valid_signed_by_secondary_key", Some("k2"), &base, NOW),
        valid(
            "valid_kid_with_dash_and_underscore",
            Some("2026-11_rot"),
            &base,
            NOW,
        ),
        valid(
            "valid_one_second_before_expiry_with_skew",
            None,
            &base,
            exp + 30 - 1,
        ),
        valid(
            "valid_at_nbf_minus_skew",
            None,
            &base.clone().with_not_before(NOW + 100),
            NOW + 100 - 30,
        ),
        valid(
            "valid_iat_at_now_plus_skew",
            None,
            &Claims::new(ISSUER, AUDIENCE, NOW + 30, NOW + 3600, "pk"),
            NOW,
        ),
    ];
    // The largest token allowed: pad `ext` until the token is exactly 4096 bytes.
    let mut pad = 2800;
    let max_claims = loop {
        let claims = base
            .clone()
            .with_ext(json!({"pad": "x".repeat(pad)}).as_object().unwrap().clone());
        let len = keyring.sign(&claims).map_or(usize::MAX, |t| t.len());
        if len == 4096 {
            break claims;
        }
        assert!(len < 4096, "no padding gives exactly 4096 bytes");
        pad += 1;
    };
    list.push(valid("valid_exactly_4096_bytes", None, &max_claims, NOW));
    let too_big = base.clone().with_ext(
        json!({"pad": "x".repeat(pad + 3)})
            .as_object()
            .unwrap()
            .clone(),
    );
    assert_eq!(
        keyring.sign(&too_big).unwrap_err().code().as_str(),
        "token_too_large"
    );
    let oversize = raw_token(
        K1_SECRET,
        "k1",
        &base64url::encode(&canonical::to_vec(&too_big.to_value()).unwrap()),
    );
    assert!(oversize.len() > 4096);

    let [_, _, payload, tag]: [&str; 4] =
        minimal.split('.').collect::<Vec<_>>().try_into().unwrap();
    let tag_bytes = base64url::decode(tag).unwrap();
    let flip_first = {
        let mut t = tag_bytes.clone();
        t[0] ^= 1;
        base64url::encode(&t)
    };
    // The last of 43 characters carries 4 significant bits and 2 unused ones; set an unused one.
    let trailing_bits = {
        let last = tag.as_bytes()[42];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let index = alphabet.iter().position(|&c| c == last).unwrap();
        format!("{}{}", &tag[..42], char::from(alphabet[index | 1]))
    };
    let tampered_payload = {
        let mut p = base64url::decode(payload).unwrap();
        let at = p.iter().position(|&b| b == b'4').unwrap();
        p[at] = b'5';
        base64url::encode(&p)
    };
    let claims_json =
        |c: &Claims| String::from_utf8(canonical::to_vec(&c.to_value()).unwrap()).unwrap();
    let jwt_header = base64url::encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let jwt_body = base64url::encode(claims_json(&base).as_bytes());
    let jwt = {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&secret(K1_SECRET).derive(KeyPurpose::Token)).unwrap();
        mac.update(format!("{jwt_header}.{jwt_body}").as_bytes());
        format!(
            "{jwt_header}.{jwt_body}.{}",
            base64url::encode(&mac.finalize().into_bytes())
        )
    };
    let jwt_root_key = {
        let mut mac = Hmac::<Sha256>::new_from_slice(&hex::decode(K1_SECRET).unwrap()).unwrap();
        mac.update(format!("{jwt_header}.{jwt_body}").as_bytes());
        format!(
            "{jwt_header}.{jwt_body}.{}",
            base64url::encode(&mac.finalize().into_bytes())
        )
    };
    let base_json = claims_json(&base);
    let invalid: Vec<(&str, String, u64, &str)> = vec![
        ("oversize", oversize, NOW, "token_too_large"),
        ("empty_string", String::new(), NOW, "malformed_token"),
        (
            "three_segments",
            format!("mwt1.k1.{payload}"),
            NOW,
            "malformed_token",
        ),
        (
            "five_segments",
            format!("{minimal}.x"),
            NOW,
            "malformed_token",
        ),
        ("jwt_signed_with_token_key", jwt, NOW, "malformed_token"),
        (
            "jwt_signed_with_root_secret",
            jwt_root_key,
            NOW,
            "malformed_token",
        ),
        (
            "wrong_version",
            minimal.replacen("mwt1", "mwt2", 1),
            NOW,
            "unsupported_version",
        ),
        (
            "version_uppercase",
            minimal.replacen("mwt1", "MWT1", 1),
            NOW,
            "unsupported_version",
        ),
        (
            "unknown_kid",
            minimal.replacen(".k1.", ".k9.", 1),
            NOW,
            "unknown_kid",
        ),
        (
            "kid_with_illegal_character",
            minimal.replacen(".k1.", ".k!1.", 1),
            NOW,
            "unknown_kid",
        ),
        (
            "empty_kid",
            minimal.replacen(".k1.", "..", 1),
            NOW,
            "unknown_kid",
        ),
        (
            "padding_on_tag",
            format!("{minimal}="),
            NOW,
            "invalid_encoding",
        ),
        (
            "padding_on_payload",
            raw_token(K1_SECRET, "k1", &format!("{}=", base64url::encode(b"{}a"))),
            NOW,
            "invalid_encoding",
        ),
        (
            "standard_alphabet_in_payload",
            raw_token(K1_SECRET, "k1", "e30+"),
            NOW,
            "invalid_encoding",
        ),
        (
            "non_zero_trailing_bits_in_tag",
            format!("mwt1.k1.{payload}.{trailing_bits}"),
            NOW,
            "invalid_encoding",
        ),
        (
            "tag_length_1_mod_4",
            format!("mwt1.k1.{payload}.{tag}AA"),
            NOW,
            "invalid_encoding",
        ),
        (
            "truncated_tag_16_bytes",
            format!("mwt1.k1.{payload}.{}", base64url::encode(&tag_bytes[..16])),
            NOW,
            "invalid_tag_length",
        ),
        (
            "tag_33_bytes",
            format!(
                "mwt1.k1.{payload}.{}",
                base64url::encode(&[tag_bytes.as_slice(), &[0]].concat())
            ),
            NOW,
            "invalid_tag_length",
        ),
        (
            "empty_tag",
            format!("mwt1.k1.{payload}."),
            NOW,
            "invalid_tag_length",
        ),
        (
            "bad_tag",
            format!("mwt1.k1.{payload}.{flip_first}"),
            NOW,
            "bad_signature",
        ),
        (
            "tampered_payload",
            format!("mwt1.k1.{tampered_payload}.{tag}"),
            NOW,
            "bad_signature",
        ),
        (
            "signed_by_foreign_key_under_known_kid",
            raw_token(FOREIGN_SECRET, "k1", payload),
            NOW,
            "bad_signature",
        ),
        (
            "kid_swapped_to_secondary",
            minimal.replacen(".k1.", ".k2.", 1),
            NOW,
            "bad_signature",
        ),
        (
            "payload_not_json",
            raw_payload_token("k1", "not json"),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_empty",
            raw_payload_token("k1", ""),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_array",
            raw_payload_token("k1", "[]"),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_missing_exp",
            raw_payload_token("k1", &base_json.replacen(&format!(",\"exp\":{exp}"), "", 1)),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_iat_as_string",
            raw_payload_token(
                "k1",
                &base_json.replacen(&format!("\"iat\":{iat}"), &format!("\"iat\":\"{iat}\""), 1),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_exp_float",
            raw_payload_token(
                "k1",
                &base_json.replacen(&format!("\"exp\":{exp}"), &format!("\"exp\":{exp}.5"), 1),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_negative_exp",
            raw_payload_token(
                "k1",
                &base_json.replacen(&format!("\"exp\":{exp}"), "\"exp\":-1", 1),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_unknown_claim",
            raw_payload_token(
                "k1",
                &base_json.replacen("\"pk\"", "\"alg\":\"none\",\"pk\"", 1),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_null_subject",
            raw_payload_token(
                "k1",
                &format!("{},\"sub\":null}}", base_json.trim_end_matches('}')),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_staff_false",
            raw_payload_token(
                "k1",
                &format!("{},\"staff\":false}}", base_json.trim_end_matches('}')),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_not_canonical_whitespace",
            raw_payload_token("k1", &base_json.replacen(',', ", ", 1)),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_not_canonical_key_order",
            raw_payload_token(
                "k1",
                &format!(
                    "{{\"pk\":\"p\",{}",
                    &base_json[1..].replacen(",\"pk\":\"0f1e2d3c4b5a69788796a5b4c3d2e1f0\"", "", 1)
                ),
            ),
            NOW,
            "malformed_payload",
        ),
        (
            "payload_duplicate_claim",
            raw_payload_token("k1", &base_json.replacen("\"iss\"", "\"iat\":1,\"iss\"", 1)),
            NOW,
            "malformed_payload",
        ),
        (
            "wrong_issuer",
            keyring
                .sign(&Claims {
                    iss: "https://evil.test".into(),
                    ..base.clone()
                })
                .unwrap(),
            NOW,
            "wrong_issuer",
        ),
        (
            "wrong_audience",
            keyring
                .sign(&Claims {
                    aud: "other-app".into(),
                    ..base.clone()
                })
                .unwrap(),
            NOW,
            "wrong_audience",
        ),
        (
            "expired_at_exp_plus_skew",
            minimal.clone(),
            exp + 30,
            "expired",
        ),
        ("expired_long_ago", minimal.clone(), exp + 86_400, "expired"),
        (
            "not_yet_valid_one_second_early",
            keyring
                .sign(&base.clone().with_not_before(NOW + 100))
                .unwrap(),
            NOW + 100 - 30 - 1,
            "not_yet_valid",
        ),
        (
            "issued_in_future_beyond_skew",
            keyring
                .sign(&Claims::new(ISSUER, AUDIENCE, NOW + 31, NOW + 3600, "pk"))
                .unwrap(),
            NOW,
            "issued_in_future",
        ),
    ];
    // Exact boundaries with no skew, and a size limit counted in bytes, not characters.
    let strict = Validation::new(ISSUER, AUDIENCE).with_skew(0);
    let at_nbf = base.clone().with_not_before(NOW + 100);
    let iat_now = Claims::new(ISSUER, AUDIENCE, NOW, NOW + 3600, "pk");
    let skewless: Vec<(&str, String, u64, Option<&str>)> = vec![
        (
            "skew0_valid_one_second_before_exp",
            minimal.clone(),
            exp - 1,
            None,
        ),
        (
            "skew0_expired_at_exp",
            minimal.clone(),
            exp,
            Some("expired"),
        ),
        (
            "skew0_valid_at_nbf",
            keyring.sign(&at_nbf).unwrap(),
            NOW + 100,
            None,
        ),
        (
            "skew0_not_yet_valid_one_second_before_nbf",
            keyring.sign(&at_nbf).unwrap(),
            NOW + 99,
            Some("not_yet_valid"),
        ),
        (
            "skew0_valid_iat_equals_now",
            keyring.sign(&iat_now).unwrap(),
            NOW,
            None,
        ),
        (
            "skew0_issued_in_future_by_one_second",
            keyring.sign(&iat_now).unwrap(),
            NOW - 1,
            Some("issued_in_future"),
        ),
    ];
    for (name, token, now, want) in skewless {
        let result = keyring.verify_at(&token, &strict, now);
        let mut case = json!({"name": name, "token": token, "now": now, "skew": 0});
        match want {
            None => case["claims"] = result.unwrap_or_else(|e| panic!("{name}: {e}")).to_value(),
            Some(code) => {
                assert_eq!(result.unwrap_err().code().as_str(), code, "{name}");
                case["error"] = json!(code);
            }
        }
        list.push(case);
    }
    let wide = format!("mwt1.k1.{}.{}", "\u{E9}".repeat(2100), tag);
    assert!(wide.chars().count() < 4096 && wide.len() > 4096);
    assert_eq!(
        keyring
            .verify_at(&wide, &validation, NOW)
            .unwrap_err()
            .code()
            .as_str(),
        "token_too_large"
    );
    list.push(json!({"name": "oversize_in_bytes_not_characters", "token": wide, "now": NOW, "error": "token_too_large"}));

    for (name, token, now, want) in invalid {
        let got = keyring.verify_at(&token, &validation, now).unwrap_err();
        assert_eq!(got.code().as_str(), want, "{name}");
        list.push(json!({"name": name, "token": token, "now": now, "error": want}));
    }
    cases.append(&mut list);
    assert!(cases.len() >= 25);

    let key_entry = |kid: &str, hex_secret: &str| {
        json!({"kid": kid, "secret_hex": hex_secret,
               "token_key_hex": hex::encode(&secret(hex_secret).derive(KeyPurpose::Token))})
    };
    json!({
        "description": "Mizan Web Token vectors; spec/PROTOCOL.md §1.5-§1.6. Generated by `cargo run -p mizan-core --example generate_vectors`; do not edit by hand.",
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "skew": 30,
        "keyring": {
            "primary": "k1",
            "keys": [key_entry("k1", K1_SECRET), key_entry("k2", K2_SECRET), key_entry("2026-11_rot", K3_SECRET)],
        },
        "cases": cases,
    })
}
