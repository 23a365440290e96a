//! Checks the Rust implementation against the committed vectors in `spec/vectors/`.
//!
//! `mizan-ts` loads the same files, so both implementations agree byte for byte.

use mizan_core::mwt::{Keyring, Validation};
use mizan_core::{
    CacheKeyDeriver, KeyPurpose, PermissionKeyDeriver, PermissionScope, RootSecret, canonical, hex,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/../../spec/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn secret(hex_text: &str) -> RootSecret {
    RootSecret::new(hex::decode(hex_text).unwrap()).unwrap()
}

#[test]
fn canonical_and_cache_key_vectors() {
    let vectors = load("canonical.json");
    let root = secret(str_of(&vectors, "secret_hex"));
    for purpose in [KeyPurpose::Token, KeyPurpose::Cache, KeyPurpose::Permission] {
        let name = purpose.info().trim_start_matches("mizan.v1.");
        assert_eq!(
            hex::encode(&root.derive(purpose)),
            str_of(&vectors["derived"], name)
        );
    }
    let deriver = CacheKeyDeriver::new(&root);
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 40, "at least 40 canonical vectors");
    let mut checked_keys = 0;
    for case in cases {
        let name = str_of(case, "name");
        let input = match case.get("input_hex") {
            Some(h) => hex::decode(h.as_str().unwrap()).unwrap(),
            None => str_of(case, "input").as_bytes().to_vec(),
        };
        let result = canonical::from_slice(&input);
        if let Some(expected) = case.get("canonical") {
            let got = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got, expected.as_str().unwrap().as_bytes(), "{name}");
            assert!(
                canonical::is_canonical(&got).unwrap(),
                "{name}: output is a fixed point"
            );
        } else {
            let err = result.expect_err(name);
            assert_eq!(err.code().as_str(), str_of(case, "error"), "{name}: {err}");
        }
        if let Some(ck) = case.get("cache_key") {
            let params = canonical::parse(&input).unwrap();
            let rev = ck["rev"].as_u64().unwrap();
            let result = deriver.derive(str_of(ck, "fn"), &params, str_of(ck, "pk"), rev);
            match ck.get("key") {
                Some(key) => assert_eq!(result.unwrap().to_hex(), key.as_str().unwrap(), "{name}"),
                None => assert_eq!(
                    result.unwrap_err().code().as_str(),
                    str_of(ck, "error"),
                    "{name}"
                ),
            }
            checked_keys += 1;
        }
    }
    assert!(checked_keys >= 40);

    let pks = PermissionKeyDeriver::new(&root);
    for case in vectors["permission_keys"].as_array().unwrap() {
        let user_id = case
            .get("user_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let scope = match str_of(case, "scope") {
            "anonymous" => PermissionScope::Anonymous,
            "authenticated" => PermissionScope::Authenticated,
            "staff" => PermissionScope::Staff,
            "superuser" => PermissionScope::Superuser,
            "user" => PermissionScope::User(user_id),
            other => panic!("unknown scope {other}"),
        };
        match case.get("pk") {
            Some(pk) => assert_eq!(pks.permission_key(scope).unwrap(), pk.as_str().unwrap()),
            None => assert_eq!(
                pks.permission_key(scope).unwrap_err().code().as_str(),
                str_of(case, "error")
            ),
        }
    }
}

#[test]
fn mwt_vectors() {
    let vectors = load("mwt.json");
    let ring = &vectors["keyring"];
    let entries: Vec<(String, RootSecret)> = ring["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let s = secret(str_of(k, "secret_hex"));
            assert_eq!(
                hex::encode(&s.derive(KeyPurpose::Token)),
                str_of(k, "token_key_hex")
            );
            (str_of(k, "kid").to_owned(), s)
        })
        .collect();
    let keyring = Keyring::new(str_of(ring, "primary"), entries).unwrap();
    let validation = Validation::new(str_of(&vectors, "issuer"), str_of(&vectors, "audience"))
        .with_skew(vectors["skew"].as_u64().unwrap());
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 25, "at least 25 MWT vectors");
    for case in cases {
        let name = str_of(case, "name");
        let token = str_of(case, "token");
        let now = case["now"].as_u64().unwrap();
        let validation = match case.get("skew").and_then(serde_json::Value::as_u64) {
            Some(skew) => validation.clone().with_skew(skew),
            None => validation.clone(),
        };
        let result = keyring.verify_at(token, &validation, now);
        match case.get("claims") {
            Some(expected) => {
                let claims = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(&claims.to_value(), expected, "{name}");
                let signed = match case.get("kid") {
                    Some(kid) => keyring.sign_with(kid.as_str().unwrap(), &claims),
                    None => keyring.sign(&claims),
                };
                assert_eq!(
                    signed.unwrap(),
                    token,
                    "{name}: signing reproduces the token"
                );
            }
            None => {
                let err = result.expect_err(name);
                assert_eq!(err.code().as_str(), str_of(case, "error"), "{name}");
            }
        }
    }
}

/// The error object a vector expects, built from the library's answer the same way.
fn query_error_json(err: &mizan_core::context_query::QueryError) -> Value {
    let mut out = serde_json::json!({"error": err.code().as_str(), "status": err.code().status()});
    if let Some(details) = err.details() {
        out["details"] = details;
    }
    out
}

/// The members of `case` that describe an expected error.
fn expected_error(case: &Value) -> Value {
    let mut out = serde_json::json!({"error": case["error"], "status": case["status"]});
    if let Some(details) = case.get("details") {
        out["details"] = details.clone();
    }
    out
}

#[test]
fn context_query_vectors() {
    use mizan_core::context_query::{decode_query, encode_query};
    let vectors = load("query.json");
    let encode = vectors["encode"].as_array().unwrap();
    assert!(encode.len() >= 10);
    for case in encode {
        let name = str_of(case, "name");
        let params = case["params"].as_object().unwrap();
        let result = encode_query(params, case["rev"].as_u64().unwrap());
        match case.get("query") {
            Some(query) => assert_eq!(result.unwrap(), query.as_str().unwrap(), "{name}"),
            None => assert_eq!(
                query_error_json(&result.unwrap_err()),
                expected_error(case),
                "{name}"
            ),
        }
    }
    let decode = vectors["decode"].as_array().unwrap();
    assert!(decode.len() >= 50);
    for case in decode {
        let name = str_of(case, "name");
        let result = decode_query(case["query"].as_str());
        match case.get("params") {
            Some(params) => {
                let (got, rev) = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(&Value::Object(got), params, "{name}");
                assert_eq!(rev, case["rev"].as_u64().unwrap(), "{name}");
            }
            None => assert_eq!(
                query_error_json(&result.expect_err(name)),
                expected_error(case),
                "{name}"
            ),
        }
    }
}

#[test]
fn protocol_error_vectors() {
    use mizan_core::ProtocolErrorCode;
    let vectors = load("errors.json");
    let rows: Vec<(String, u64)> = vectors["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                str_of(row, "code").to_owned(),
                row["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let library: Vec<(String, u64)> = ProtocolErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), u64::from(c.status())))
        .collect();
    assert_eq!(library, rows);
}
