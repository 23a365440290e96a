//! Checks `mizan_core::form::check` against `spec/vectors/forms.json`, the corpus that pins the
//! form checks of spec §2.13.2 and §2.13.4 for every implementation (`mizan-ts` loads it too).

use std::collections::{BTreeMap, BTreeSet};

use mizan_core::form::{FieldKind, FieldSpec, FormSpec, Mode, check};
use serde_json::Value;

fn corpus() -> Value {
    let path = format!(
        "{}/../../spec/vectors/forms.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn forms(corpus: &Value) -> BTreeMap<String, FormSpec> {
    let mut out = BTreeMap::new();
    for json in corpus["forms"].as_array().expect("forms") {
        let spec: FormSpec = serde_json::from_value(json.clone())
            .unwrap_or_else(|e| panic!("form {}: {e}", json["name"]));
        // The file holds each spec as the serde model writes it: nothing extra, no member left
        // out, no `None` written.
        assert_eq!(
            &serde_json::to_value(&spec).unwrap(),
            json,
            "form {}",
            spec.name
        );
        // And as a server publishes it: defaults filled in, `multipart` derived from the fields.
        let finished = FormSpec {
            fields: spec.fields.iter().cloned().map(finish_deep).collect(),
            ..FormSpec::new(&spec.name, &spec.title, spec.fields.clone())
        };
        assert_eq!(
            finished.fields, spec.fields,
            "form {}: not finished",
            spec.name
        );
        assert_eq!(
            finished.multipart, spec.multipart,
            "form {}: multipart",
            spec.name
        );
        assert!(
            out.insert(spec.name.clone(), spec).is_none(),
            "two forms share a name"
        );
    }
    out
}

fn finish_deep(field: FieldSpec) -> FieldSpec {
    let mut field = field.finish();
    field.fields = field
        .fields
        .map(|nested| nested.into_iter().map(finish_deep).collect());
    field
}

fn kinds(fields: &[FieldSpec], seen: &mut BTreeSet<String>) {
    for field in fields {
        seen.insert(format!("{:?}", field.kind));
        kinds(field.fields.as_deref().unwrap_or_default(), seen);
    }
}

/// Errors keyed by their path written as JSON; `Err` when a path has two.
fn by_path(errors: &[Value]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for error in errors {
        let path = error["path"].to_string();
        let message = error["message"].as_str().expect("message").to_owned();
        if out.insert(path.clone(), message).is_some() {
            return Err(format!("two errors at {path}"));
        }
    }
    Ok(out)
}

#[test]
fn form_vectors() {
    let corpus = corpus();
    let forms = forms(&corpus);

    let mut seen = BTreeSet::new();
    for spec in forms.values() {
        kinds(&spec.fields, &mut seen);
    }
    let every = [
        FieldKind::Text,
        FieldKind::Email,
        FieldKind::Url,
        FieldKind::Integer,
        FieldKind::Decimal,
        FieldKind::Boolean,
        FieldKind::Choice,
        FieldKind::Multichoice,
        FieldKind::Date,
        FieldKind::Time,
        FieldKind::Datetime,
        FieldKind::Group,
        FieldKind::Rows,
        FieldKind::File,
    ];
    for kind in every {
        assert!(
            seen.contains(&format!("{kind:?}")),
            "no form has a {kind:?} field"
        );
    }

    let cases = corpus["cases"].as_array().expect("cases");
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let note = case["note"].as_str().expect("note");
        let spec = &forms[case["form"].as_str().expect("form")];
        let mode = match case["mode"].as_str() {
            Some("validate") => Mode::Validate,
            Some("submit_json") => Mode::SubmitJson,
            other => panic!("case {i} ({note}): mode {other:?}"),
        };
        let values = match (case.get("values"), case.get("values_text")) {
            (Some(values), None) => values.clone(),
            (None, Some(Value::String(text))) => serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("case {i} ({note}): values_text: {e}")),
            _ => panic!("case {i} ({note}): exactly one of values and values_text"),
        };
        let expected = by_path(case["fields"].as_array().expect("fields"))
            .unwrap_or_else(|e| panic!("case {i} ({note}): expected {e}"));
        let got = check(&spec.fields, &values, mode);
        let got = by_path(
            &serde_json::to_value(&got.errors)
                .unwrap()
                .as_array()
                .unwrap()
                .clone(),
        );
        match got {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!(
                "case {i} [{}] {note}\n  values:   {values}\n  expected: {expected:?}\n  got:      {got:?}",
                spec.name
            )),
            Err(e) => failures.push(format!("case {i} [{}] {note}: {e}", spec.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} form vectors fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
