//! The account functions in the manifest: names, auth levels and the constraints clients are told
//! about (and which the server enforces, `flows.rs`).

use mizan::{AuthLevel, ContextKind, FunctionEntry, FunctionKind, Registry};
use mizan_accounts::Accounts;
use serde_json::Value;

#[test]
fn the_auth_functions_and_their_constraints_are_published() {
    let mut registry = Registry::new();
    Accounts::register(&mut registry).unwrap();
    let manifest = registry.manifest();
    let function = |name: &str| -> &FunctionEntry {
        manifest.functions.iter().find(|f| f.name == name).unwrap()
    };
    let names: Vec<&str> = manifest.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "auth.change_password",
            "auth.login",
            "auth.logout",
            "auth.request_password_reset",
            "auth.reset_password",
            "auth.signup",
            "auth.token",
            "current_user",
        ]
    );
    assert_eq!(function("auth.login").auth, AuthLevel::None);
    assert_eq!(
        function("auth.change_password").auth,
        AuthLevel::Authenticated
    );
    assert_eq!(function("auth.token").auth, AuthLevel::Authenticated);
    assert_eq!(function("auth.signup").kind, FunctionKind::Call);
    assert_eq!(
        function("current_user").kind,
        FunctionKind::Context(ContextKind::Global)
    );

    let signup = &function("auth.signup").input;
    let property = |name: &str| -> &Value { &signup["properties"][name] };
    assert_eq!(property("email")["maxLength"], 254);
    assert_eq!(
        property("email")["pattern"],
        mizan::core::form::EMAIL_PATTERN
    );
    assert_eq!(property("password")["minLength"], 8);
    assert_eq!(property("password")["maxLength"], 1024);
    assert_eq!(property("username")["maxLength"], 150);
    let required: Vec<&str> = signup["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["email", "password"], "username is optional");
}
