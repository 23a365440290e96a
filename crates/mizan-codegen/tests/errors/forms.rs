//! Forms: names that clash or break the rules, a form without its submit function.

use mizan_codegen::GenerateError;
use serde_json::{Value, json};

use super::{function, generate};

fn form(name: &str) -> Value {
    json!({"name": name, "title": name, "multipart": false, "fields": [
        {"name": "note", "kind": "text", "label": "Note", "required": true, "widget": "text"}
    ]})
}

fn manifest_with_forms(functions: Vec<Value>, forms: Vec<Value>) -> Value {
    json!({"protocol": 1, "functions": functions, "forms": forms})
}

#[test]
fn form_names_that_clash_or_break_the_rule() {
    let err = generate(&manifest_with_forms(
        Vec::new(),
        vec![form("contactUs"), form("contact_us")],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::FormNameClash {
            form: "contact_us".into(),
            other: Some("contactUs".into()),
            generated: "contactUsFormSpec".into(),
        }
    );
    assert!(err.to_string().contains("rename one"), "{err}");

    // A function's output type named like the form's values type.
    let titled = function(
        "lookup",
        "call",
        Value::Null,
        json!({"type": "object", "additionalProperties": false}),
        json!({"title": "ContactFormValues", "type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}),
    );
    let err = generate(&manifest_with_forms(vec![titled], vec![form("contact")])).unwrap_err();
    assert_eq!(
        err,
        GenerateError::FormNameClash {
            form: "contact".into(),
            other: None,
            generated: "ContactFormValues".into(),
        }
    );
    assert!(err.to_string().contains("rename the form"), "{err}");

    assert!(matches!(
        generate(&manifest_with_forms(Vec::new(), vec![form("a.b")])),
        Err(GenerateError::Manifest(why)) if why.contains("\"a.b\"")
    ));
}

#[test]
fn a_form_without_its_submit_function_has_an_unknown_output() {
    let files = generate(&manifest_with_forms(Vec::new(), vec![form("note")])).unwrap();
    let forms = &files["forms.ts"];
    assert!(forms.contains("useMizanForm<NoteFormValues, unknown>(noteFormSpec, options)"));
    assert!(
        !forms.contains("./types.js"),
        "no import of types it does not use"
    );
    assert!(files["index.ts"].contains("export * from \"./forms.js\";"));
}
