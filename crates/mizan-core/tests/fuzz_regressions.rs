//! The fuzz cases kept in `fuzz/regressions/<target>/`, replayed on stable through the very checks
//! the cargo-fuzz targets run (`fuzz/src/core_checks.rs`): no panic, no broken invariant, and the
//! outcome recorded in `fuzz/regressions/expected.json`.

#[path = "../../../fuzz/src/core_checks.rs"]
#[allow(dead_code, unreachable_pub)]
mod core_checks;

use std::path::PathBuf;

use serde_json::Value;

fn regressions() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions")
}

/// Every case of `target` with its expected outcome, in file name order.
fn cases(target: &str) -> Vec<(String, Vec<u8>, Value)> {
    let expected: Value = serde_json::from_slice(
        &std::fs::read(regressions().join("expected.json"))
            .expect("fuzz/regressions/expected.json"),
    )
    .expect("expected.json is JSON");
    let mut names: Vec<String> = std::fs::read_dir(regressions().join(target))
        .expect("a regression directory per target")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no regression cases for {target}");
    names
        .into_iter()
        .map(|name| {
            let data = std::fs::read(regressions().join(target).join(&name)).expect("a case");
            let outcome = expected[target][&name].clone();
            assert!(
                !outcome.is_null(),
                "{target}/{name} has no entry in expected.json"
            );
            (name, data, outcome)
        })
        .collect()
}

#[test]
fn canonical_cases() {
    for (name, data, expected) in cases("canonical") {
        let outcome = core_checks::canonical(&data).map_or_else(|e| e.code().as_str(), |_| "ok");
        assert_eq!(outcome, expected, "canonical/{name}");
    }
}

#[test]
fn mwt_verify_cases() {
    for (name, data, expected) in cases("mwt_verify") {
        let outcome = core_checks::mwt_verify(&data).map_or_else(|e| e.code().as_str(), |_| "ok");
        assert_eq!(outcome, expected, "mwt_verify/{name}");
    }
}

#[test]
fn mwt_roundtrip_cases() {
    for (name, data, expected) in cases("mwt_roundtrip") {
        assert_eq!(
            core_checks::mwt_roundtrip(&data),
            expected,
            "mwt_roundtrip/{name}"
        );
    }
}

#[test]
fn context_query_cases() {
    for (name, data, expected) in cases("context_query") {
        let query = std::str::from_utf8(&data).expect("a query case is text");
        let outcome =
            core_checks::context_query(query).map_or_else(|e| e.code().as_str(), |()| "ok");
        assert_eq!(outcome, expected, "context_query/{name}");
    }
}
