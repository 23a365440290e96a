//! Checks `mizan_core::cache_tags` against the committed `spec/vectors/cache_tags.json`
//! (§2.16.1–§2.16.2), which the TypeScript edge reads too.

use mizan_core::cache_tags::{TagTemplate, answer_tags, expand, is_valid_tag};
use serde_json::Value;

fn load() -> Value {
    let path = format!(
        "{}/../../spec/vectors/cache_tags.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn cases<'a>(vectors: &'a Value, group: &str, at_least: usize) -> &'a [Value] {
    let cases = vectors[group].as_array().unwrap();
    assert!(cases.len() >= at_least, "{group}: {} cases", cases.len());
    cases
}

fn text<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {case}"))
}

#[test]
fn tag_validity() {
    let vectors = load();
    for case in cases(&vectors, "tags", 10) {
        assert_eq!(
            is_valid_tag(text(case, "tag")),
            case["valid"].as_bool().unwrap(),
            "{}",
            text(case, "name")
        );
    }
}

#[test]
fn template_parsing() {
    let vectors = load();
    for case in cases(&vectors, "templates", 20) {
        let name = text(case, "name");
        let template = text(case, "template");
        let parsed = if case["invalidates"].as_bool().unwrap() {
            TagTemplate::parse_invalidation(template)
        } else {
            TagTemplate::parse(template)
        };
        match case.get("error") {
            Some(code) => {
                assert_eq!(
                    parsed.map(|_| ()).map_err(|e| e.code()),
                    Err(code.as_str().unwrap()),
                    "{name}"
                );
            }
            None => {
                let parsed = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
                let slots: Vec<&str> = parsed.slots().collect();
                let expected: Vec<&str> = case["slots"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect();
                assert_eq!(slots, expected, "{name}");
            }
        }
    }
}

#[test]
fn template_expansion() {
    let vectors = load();
    for case in cases(&vectors, "expand", 20) {
        let name = text(case, "name");
        let got = expand(text(case, "template"), case["params"].as_object().unwrap());
        match case.get("error") {
            Some(code) => assert_eq!(
                got.map_err(|e| e.code()),
                Err(code.as_str().unwrap()),
                "{name}"
            ),
            None => assert_eq!(got.unwrap(), text(case, "tag"), "{name}"),
        }
    }
}

#[test]
fn tags_of_an_answer() {
    let vectors = load();
    for case in cases(&vectors, "answers", 5) {
        let name = text(case, "name");
        let templates: Vec<TagTemplate> = case["templates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| TagTemplate::parse(t.as_str().unwrap()).unwrap())
            .collect();
        let got = answer_tags(
            text(case, "function"),
            case["params"].as_object().unwrap(),
            &templates,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            got,
            case["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect::<Vec<_>>(),
            "{name}"
        );
    }
}
