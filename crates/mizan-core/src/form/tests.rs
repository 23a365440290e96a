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

#[test]
fn the_url_pattern_is_ascii_in_its_scheme_and_exact_in_its_whitespace() {
    assert!(url_matches("HtTpS://example.com"));
    // `(?i:https?)` would take U+017F LONG S for `s`.
    assert!(!url_matches("httpſ://example.com"));
    // White_Space, spelled out: U+0085 is in it and U+FEFF is not, whatever `\s` means where.
    assert!(!url_matches("http://a/\u{85}"));
    assert!(!url_matches("http://a/\u{200A}"));
    assert!(url_matches("http://a/\u{FEFF}"));
    assert!(url_matches("http://a/\u{200B}"));
}

#[test]
fn a_file_size_is_a_whole_number_as_for_integer() {
    let mut upload = field("cv", FieldKind::File);
    upload.max_size = Some(2048);
    let fields = vec![upload];
    let size = |text: &str| {
        let values = format!(r#"{{"cv": {{"name": "a", "size": {text}, "type": "text/plain"}}}}"#);
        let errors = check(
            &fields,
            &serde_json::from_str(&values).unwrap(),
            Mode::Validate,
        )
        .errors;
        errors.first().map(|e| e.message.clone())
    };
    assert_eq!(size("2048.0"), None);
    let described = json!({"cv": {"name": "a", "size": 2048.0, "type": "text/plain"}});
    assert_eq!(
        check(&fields, &described, Mode::Validate).values["cv"]["size"],
        json!(2048),
        "the checked values hold the size as an integer"
    );
    assert_eq!(size("1e3"), None);
    assert_eq!(size("-0"), None);
    assert_eq!(size("2049"), Some(messages::max_size(2048)));
    for invalid in ["-1", "1.5", "9007199254740993", "\"1\""] {
        assert_eq!(
            size(invalid).as_deref(),
            Some(messages::INVALID_FILE),
            "{invalid}"
        );
    }
}

#[test]
fn a_media_type_is_matched_by_its_essence() {
    let accept = ["text/markdown".to_owned(), "image/*".to_owned()];
    for ok in [
        "TEXT/Markdown",
        " text/markdown\t; charset=utf-8",
        "image/png",
        "image/svg+xml",
    ] {
        assert!(check::accepts(&accept, ok), "{ok}");
    }
    // U+212A KELVIN SIGN lowercases to `k` in JavaScript's `toLowerCase`, but only ASCII counts;
    // U+00A0 is trimmed by `trim` on both sides, but only spaces and tabs count.
    for refused in [
        "text/mar\u{212A}down",
        "text/markdown\u{A0}",
        "image/",
        "image",
        "",
    ] {
        assert!(!check::accepts(&accept, refused), "{refused}");
    }
}
