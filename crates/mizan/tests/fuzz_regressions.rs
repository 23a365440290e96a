//! The cases the `call_body` fuzz target keeps in `fuzz/regressions/call_body/`, replayed on
//! stable through the same check (`fuzz/src/call_checks.rs`) against the parity registry: never a
//! 5xx, every error in the shape of §2.6, and the status recorded in
//! `fuzz/regressions/expected.json`.

#[path = "../../../fuzz/src/call_checks.rs"]
#[allow(dead_code, unreachable_pub)]
mod call_checks;
#[path = "parity/functions.rs"]
mod functions;

use std::path::PathBuf;

use serde_json::Value;

#[test]
fn call_body_cases() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected.json"))
            .expect("expected.json is JSON");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("call_body"))
        .expect("fuzz/regressions/call_body")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no call_body regression cases");
    // The check runs its own current-thread runtime, as the fuzz target does.
    let harness = call_checks::Harness::new(functions::registry());
    for name in names {
        let data = std::fs::read(dir.join("call_body").join(&name)).expect("a case");
        let status = harness.check(&data);
        assert_eq!(expected["call_body"][&name], status, "call_body/{name}");
    }
}
