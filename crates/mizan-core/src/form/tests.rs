use serde_json::json;

use super::*;

fn field(name: &str, kind: FieldKind) -> FieldSpec {
    FieldSpec::new(name, kind, FieldSpec::label_from_name(name)).finish()
}

fn messages(fields: &[FieldSpec], values: serde_json::Value) -> Vec<(serde_json::Value, String)> {
    check(fields, &values, Mode::Validate)
        .errors
        .into_iter()
        .map(|e| (serde_json::to_value(&e.path).unwrap(), e.message))
        .collect()
}

#[test]
fn required_unknown_and_optional() {
    let mut note = field("note", FieldKind::Text);
    note.required = false;
    let fields = vec![field("name", FieldKind::Text), note];
    assert_eq!(
        messages(&fields, json!({"name": "", "x": 1})),
        vec![
            (json!(["x"]), messages::UNKNOWN_FIELD.to_owned()),
            (json!(["name"]), messages::REQUIRED.to_owned())
        ]
    );
    let checked = check(&fields, &json!({"name": "Ada", "note": ""}), Mode::Validate);
    assert!(checked.errors.is_empty());
    assert_eq!(checked.values, json!({"name": "Ada", "note": null}));
}

#[test]
fn integers_written_with_a_fraction_read_as_integers() {
    let fields = vec![field("n", FieldKind::Integer)];
    let checked = check(
        &fields,
        &serde_json::from_str("{\"n\": 3.0}").unwrap(),
        Mode::Validate,
    );
    assert!(checked.errors.is_empty());
    assert_eq!(checked.values, json!({"n": 3}));
    assert_eq!(
        messages(&fields, json!({"n": 9_007_199_254_740_992_u64})),
        vec![(json!(["n"]), messages::INVALID_INTEGER.to_owned())]
    );
}

#[test]
fn rows_report_at_their_index_and_files_need_multipart_on_submit() {
    let mut rows = field("items", FieldKind::Rows);
    rows.fields = Some(vec![field("qty", FieldKind::Integer)]);
    let mut upload = field("cv", FieldKind::File);
    upload.required = false;
    upload.max_size = Some(10);
    upload.accept = Some(vec!["image/*".into()]);
    let fields = vec![rows, upload];
    assert_eq!(
        messages(
            &fields,
            json!({"items": [{"qty": 1}, {"qty": "x"}, 3], "cv": {"name": "a", "size": 3, "type": "text/plain"}})
        ),
        vec![
            (
                json!(["items", 1, "qty"]),
                messages::INVALID_INTEGER.to_owned()
            ),
            (json!(["items", 2]), messages::INVALID.to_owned()),
            (json!(["cv"]), messages::FILE_TYPE.to_owned()),
        ]
    );
    let described = json!({"items": [], "cv": {"name": "a", "size": 3, "type": "image/png; x=1"}});
    assert!(check(&fields, &described, Mode::Validate).errors.is_empty());
    assert_eq!(
        check(&fields, &described, Mode::SubmitJson).errors[0].message,
        messages::INVALID_FILE
    );
}

#[test]
fn dotted_paths_find_nested_fields() {
    let mut group = field("address", FieldKind::Group);
    group.fields = Some(vec![field("city", FieldKind::Text)]);
    let mut rows = field("items", FieldKind::Rows);
    rows.fields = Some(vec![field("qty", FieldKind::Integer)]);
    let spec = FormSpec::new("f", "F", vec![group, rows]);
    assert_eq!(spec.field_at("address.city").unwrap().name, "city");
    assert_eq!(spec.field_at("items.3.qty").unwrap().name, "qty");
    assert!(spec.field_at("items.qty").is_none());
    assert!(spec.field_at("items.3").is_none());
    assert!(spec.field_at("address.town").is_none());
}
