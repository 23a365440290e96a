//! Compile-time checks of `#[mizan::client]`, `#[derive(mizan::Form)]` and
//! `#[derive(mizan::FormGroup)]`: misuse fails with an error at the user's token.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
