//! Compile-time checks of `#[mizan::client]`, `#[derive(mizan::Form)]` and
//! `#[derive(mizan::FormGroup)]`: misuse fails with an error at the user's token. (Correct use
//! of every option compiles and runs in `ui_pass.rs`.)

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
}
