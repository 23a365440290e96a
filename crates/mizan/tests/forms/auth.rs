//! Auth on every way into a form, and specs that do not register.

use std::sync::Mutex;

use axum::Router;
use mizan::forms::{FieldKind, FieldSpec, Form, FormFields, FormHandler, FormSpec};
use mizan::{Mizan, Registry, Request, Result};
use serde::Deserialize;
use serde_json::json;

use super::common::*;

#[derive(Deserialize)]
struct MembersOnly {
    note: String,
}

impl FormFields for MembersOnly {
    fn fields() -> Vec<FieldSpec> {
        vec![FieldSpec::new("note", FieldKind::Text, "Note")]
    }
}

impl Form for MembersOnly {
    fn spec() -> FormSpec {
        let mut spec = FormSpec::new("members", "Members", Self::fields());
        spec.redirect = Some("/done".into());
        spec
    }

    fn auth() -> mizan::AuthRequirement {
        mizan::AuthRequirement::Authenticated
    }
}

impl FormHandler for MembersOnly {
    type Output = String;
    async fn submit(self, _request: &Request) -> Result<String> {
        Ok(self.note)
    }
}

#[tokio::test]
async fn auth_is_checked_for_every_way_in_and_bad_specs_do_not_register() {
    let mut registry = Registry::new();
    registry.form::<MembersOnly>().unwrap();
    let err = registry.form::<MembersOnly>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "a function named \"members.schema\" is already registered"
    );
    let app: Router = Mizan::new(registry).router("/api/mizan");
    let reply = call(&app, "members.submit", json!({"note": "hi"})).await;
    assert_eq!(reply.status, 401);
    let reply = call(&app, "members.validate", json!({"note": "hi"})).await;
    assert_eq!(reply.status, 401);
    let token = "A".repeat(43);
    let page = send(
        &app,
        form_post_to(
            "members",
            &format!("__mizan_csrf={token}&note=hi"),
            Some(&token),
            None,
        ),
    )
    .await;
    assert_eq!(page.status, 401);
    assert!(
        page.body.contains("<main id=\"root\"><form"),
        "{}",
        page.body
    );

    let mut spec = FormSpec::new("bad", "Bad", vec![]);
    let mut n = FieldSpec::new("n", FieldKind::Integer, "N");
    n.max = Some(json!(5.0));
    spec.fields.push(n);
    assert!(
        mizan_core_spec_problem(&spec).contains("not an integer"),
        "integer limits are written as integers"
    );
    let mut tab = FormSpec::new(
        "tab",
        "Tab",
        vec![FieldSpec::new("a", FieldKind::Text, "A")],
    );
    tab.redirect = Some("/\t/evil.example".into());
    assert!(mizan_core_spec_problem(&tab).contains("must be a path on this site"));
    let reserved = FormSpec::new(
        "reserved",
        "Reserved",
        vec![FieldSpec::new("__mizan_file", FieldKind::Text, "X")],
    );
    assert!(mizan_core_spec_problem(&reserved).contains("reserved"));
}

/// Registers a throwaway form type with `spec` and returns the registration error's text.
fn mizan_core_spec_problem(spec: &FormSpec) -> String {
    static SPEC: Mutex<Option<FormSpec>> = Mutex::new(None);
    #[derive(Deserialize)]
    struct Probe {}
    impl FormFields for Probe {
        fn fields() -> Vec<FieldSpec> {
            Vec::new()
        }
    }
    impl Form for Probe {
        fn spec() -> FormSpec {
            SPEC.lock().unwrap().clone().unwrap()
        }
    }
    impl FormHandler for Probe {
        type Output = ();
        async fn submit(self, _request: &Request) -> Result<()> {
            Ok(())
        }
    }
    *SPEC.lock().unwrap() = Some(spec.clone());
    Registry::new()
        .form::<Probe>()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

// ---- Review: rows, files in rows, and hostile flat posts. ----
