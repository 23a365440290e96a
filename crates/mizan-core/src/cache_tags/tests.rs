use serde_json::{Map, Value, json};

use super::*;

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn parse_err(template: &str) -> TagError {
    TagTemplate::parse(template).expect_err(template)
}

#[test]
fn tags_are_1_to_128_bytes_of_the_alphabet() {
    assert!(is_valid_tag("a"));
    assert!(is_valid_tag("post:42%20x_y.z-Q"));
    assert!(is_valid_tag(&"a".repeat(128)));
    assert!(!is_valid_tag(""));
    assert!(!is_valid_tag(&"a".repeat(129)));
    for bad in ["a b", "a,b", "a/b", "é", "a{b}", "a+b"] {
        assert!(!is_valid_tag(bad), "{bad}");
    }
}

#[test]
fn every_parse_error() {
    assert_eq!(parse_err(""), TagError::EmptyTemplate);
    assert_eq!(parse_err("post:{id"), TagError::UnclosedBrace { at: 5 });
    assert_eq!(parse_err("a{b{c}"), TagError::UnclosedBrace { at: 1 });
    assert_eq!(parse_err("post}"), TagError::StrayClosingBrace { at: 4 });
    assert_eq!(parse_err("{a}}"), TagError::StrayClosingBrace { at: 3 });
    assert_eq!(
        parse_err("post:{}"),
        TagError::InvalidSlotName {
            at: 5,
            name: String::new()
        }
    );
    assert_eq!(
        parse_err("{1a}"),
        TagError::InvalidSlotName {
            at: 0,
            name: "1a".into()
        }
    );
    assert_eq!(
        parse_err("{a-b}"),
        TagError::InvalidSlotName {
            at: 0,
            name: "a-b".into()
        }
    );
    assert_eq!(
        parse_err("post {id}"),
        TagError::InvalidCharacter {
            at: 4,
            character: ' '
        }
    );
    assert_eq!(
        parse_err("pé"),
        TagError::InvalidCharacter {
            at: 1,
            character: 'é'
        }
    );
    assert_eq!(parse_err(&"a".repeat(129)), TagError::TooLong { len: 129 });
    assert_eq!(
        parse_err(&format!("{}{{x}}", "a".repeat(129))),
        TagError::TooLong { len: 129 }
    );
    assert_eq!(parse_err("mizan:x"), TagError::ReservedPrefix);
    assert_eq!(parse_err("mizan:fn:post"), TagError::ReservedPrefix);
    for err in [
        parse_err(""),
        parse_err("{"),
        parse_err("}"),
        parse_err("{}"),
        parse_err(" "),
    ] {
        assert!(!err.to_string().is_empty());
        assert!(!err.code().is_empty());
    }
}

#[test]
fn parses_literals_and_slots() {
    let t = TagTemplate::parse("a:{x}-{y}{x}%").unwrap();
    assert_eq!(t.slots().collect::<Vec<_>>(), ["x", "y", "x"]);
    assert_eq!(t.as_str(), "a:{x}-{y}{x}%");
    assert_eq!(t.to_string(), "a:{x}-{y}{x}%");
    assert!(!t.is_literal());
    assert!(TagTemplate::parse("posts").unwrap().is_literal());
    assert!(TagTemplate::parse(&"a".repeat(128)).is_ok());
    assert!(TagTemplate::parse("{_x1}").is_ok());
}

#[test]
fn invalidation_templates_may_name_a_function_tag() {
    let t = TagTemplate::parse_invalidation("mizan:fn:post_list").unwrap();
    assert!(t.is_literal());
    assert_eq!(t.expand(&Map::new()).unwrap(), "mizan:fn:post_list");
    assert!(TagTemplate::parse_invalidation("mizan:fn:notes.list").is_ok());
    assert!(TagTemplate::parse_invalidation("post:{id}").is_ok());
    for bad in ["mizan:fn:", "mizan:fn:{x}", "mizan:fn:1a", "mizan:fn:a..b"] {
        assert_eq!(
            TagTemplate::parse_invalidation(bad),
            Err(TagError::InvalidFunctionTag),
            "{bad}"
        );
    }
    assert_eq!(
        TagTemplate::parse_invalidation("mizan:p:x"),
        Err(TagError::ReservedPrefix)
    );
}

#[test]
fn expands_values_as_text_with_escapes() {
    let params = obj(json!({
        "id": 42, "neg": -7, "big": "18446744073709551615", "yes": true, "no": false,
        "name": "Ada Lovelace", "colon": "a:b", "pct": "50%", "ok": "A-z_0.9", "e": "é", "empty": ""
    }));
    for (template, tag) in [
        ("post:{id}", "post:42"),
        ("n:{neg}", "n:-7"),
        ("b:{big}", "b:18446744073709551615"),
        ("f:{yes}.{no}", "f:true.false"),
        ("user:{name}", "user:Ada%20Lovelace"),
        ("user:{colon}", "user:a%3Ab"),
        ("p:{pct}", "p:50%25"),
        ("k:{ok}", "k:A-z_0.9"),
        ("e:{e}", "e:%C3%A9"),
        ("e:{empty}", "e:"),
        ("{id}{id}", "4242"),
    ] {
        assert_eq!(expand(template, &params).unwrap(), tag, "{template}");
    }
}

#[test]
fn long_or_empty_expansions_are_hashed() {
    let long = "x".repeat(130);
    let params = obj(json!({"s": long, "empty": "", "exact": "y".repeat(126)}));
    let tag = expand("t:{s}", &params).unwrap();
    assert_eq!(tag.len(), 40);
    assert!(tag.starts_with("mizan:h:"), "{tag}");
    assert!(is_valid_tag(&tag));
    // Deterministic, and different values hash differently.
    assert_eq!(tag, expand("t:{s}", &params).unwrap());
    assert_ne!(tag, expand("u:{s}", &params).unwrap());
    // 128 bytes exactly is kept as is.
    assert_eq!(expand("t:{exact}", &params).unwrap().len(), 128);
    let empty = expand("{empty}", &params).unwrap();
    assert!(
        empty.starts_with("mizan:h:") && is_valid_tag(&empty),
        "{empty}"
    );
    // A value escaping to over 128 bytes is hashed too (43 spaces are 129 bytes escaped).
    let spaces = obj(json!({"s": " ".repeat(43)}));
    assert!(expand("{s}", &spaces).unwrap().starts_with("mizan:h:"));
}

#[test]
fn every_expansion_error() {
    let params = obj(json!({"n": null, "f": 1.5, "a": [1], "o": {}}));
    assert_eq!(
        expand("x:{id}", &params),
        Err(TagError::MissingParam { name: "id".into() })
    );
    for name in ["n", "f", "a", "o"] {
        assert_eq!(
            expand(&format!("x:{{{name}}}"), &params),
            Err(TagError::UnsupportedParamType { name: name.into() }),
            "{name}"
        );
    }
    assert_eq!(expand("", &params), Err(TagError::EmptyTemplate));
}

#[test]
fn answer_tags_are_function_params_then_templates_without_repeats() {
    let templates: Vec<TagTemplate> = ["posts", "post:{id}", "posts", "post:{id}"]
        .iter()
        .map(|t| TagTemplate::parse(t).unwrap())
        .collect();
    let params = obj(json!({"id": 7}));
    let tags = answer_tags("post", &params, &templates).unwrap();
    assert_eq!(tags.len(), 4, "{tags:?}");
    assert_eq!(tags[0], function_tag("post"));
    assert_eq!(tags[0], "mizan:fn:post");
    assert_eq!(tags[1], params_tag("post", &params).unwrap());
    assert_eq!(tags[2..], ["posts", "post:7"]);
    assert!(tags.iter().all(|t| is_valid_tag(t)), "{tags:?}");
}

#[test]
fn params_tags_depend_on_function_and_canonical_params() {
    let a = params_tag("f", &obj(json!({"a": 1, "b": 2}))).unwrap();
    let b = params_tag("f", &obj(json!({"b": 2, "a": 1}))).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 8 + 32);
    assert_ne!(a, params_tag("g", &obj(json!({"a": 1, "b": 2}))).unwrap());
    assert_ne!(a, params_tag("f", &obj(json!({"a": 1}))).unwrap());
    assert_eq!(
        params_tag("1f", &Map::new()),
        Err(TagError::InvalidFunctionName)
    );
    assert_eq!(
        params_tag("f", &obj(json!({"x": 1.5}))).unwrap_err().code(),
        "float_not_allowed"
    );
    assert_eq!(
        answer_tags("bad name", &Map::new(), &[]),
        Err(TagError::InvalidFunctionName)
    );
}
