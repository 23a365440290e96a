//! 64-bit (and wider) integers travel as decimal strings (`spec/PROTOCOL.md` §2.9), because
//! JavaScript numbers lose precision above 2^53. serde calls distinct methods for each integer
//! width, so these adapters change exactly the `i64`, `u64`, `i128` and `u128` values, wherever
//! they are, and leave every other value alone.

mod canonical;
mod params;
mod range;
mod serialize;

pub(crate) use canonical::to_canonical;
pub(crate) use params::{has_wide, numbers_from_strings};
pub(crate) use serialize::{to_value, write_json};

use serde_json::{Map, Value};

/// The JSON Schema formats of 64-bit and wider integers (schemars' names).
const WIDE_FORMATS: &[&str] = &["int64", "uint64", "int128", "uint128", "int", "uint"];

/// Whether a schema node is a 64-bit (or wider) integer, by its `format`.
pub(crate) fn is_wide_integer(schema: &Map<String, Value>) -> bool {
    schema
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| WIDE_FORMATS.contains(&f))
}

/// Rewrites a JSON Schema so that 64-bit and wider integers are the strings they travel as.
///
/// The node's range (its type's, narrowed by `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, and without 0 under `not: {"const": 0}` as the signed `NonZero` types
/// have) becomes its `pattern`, which accepts exactly the decimal strings of the integers in
/// range; those keywords are removed, since on a string they would mean nothing.
pub(crate) fn rewrite_schema(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
            let wide = format.as_deref().is_some_and(|f| WIDE_FORMATS.contains(&f));
            // `i64` is `type: "integer"`; `Option<i64>` is `type: ["integer", "null"]`.
            let is_integer = |t: &Value| t.as_str() == Some("integer");
            let retyped = match map.get_mut("type") {
                Some(t) if wide && is_integer(t) => {
                    *t = Value::String("string".into());
                    true
                }
                Some(Value::Array(types)) if wide && types.iter().any(is_integer) => {
                    for t in types.iter_mut().filter(|t| is_integer(t)) {
                        *t = Value::String("string".into());
                    }
                    true
                }
                _ => false,
            };
            if let (true, Some(format)) = (retyped, format.as_deref()) {
                let pattern = range::pattern_for(map, format);
                map.insert("pattern".into(), Value::String(pattern));
            }
            map.values_mut().for_each(rewrite_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_schema),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq, schemars::JsonSchema)]
    struct Flat {
        id: u64,
        #[serde(flatten)]
        extra: Extra,
        shape: Internal,
        either: Untagged,
        name: String,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, schemars::JsonSchema)]
    struct Extra {
        count: i64,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, schemars::JsonSchema)]
    #[serde(tag = "kind")]
    enum Internal {
        Big { size: u64 },
        Small { size: u8 },
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, schemars::JsonSchema)]
    #[serde(untagged)]
    enum Untagged {
        Label(String),
        Number(i64),
    }

    fn flat() -> Flat {
        Flat {
            id: u64::MAX,
            extra: Extra {
                count: -9_007_199_254_740_993,
            },
            shape: Internal::Big { size: 1 << 60 },
            either: Untagged::Label("123".into()),
            name: "42".into(),
        }
    }

    #[test]
    fn wide_integers_round_trip_through_flatten_and_every_enum_form() {
        let schema = schemars::SchemaGenerator::default()
            .root_schema_for::<Flat>()
            .to_value();
        let mut wire = to_value(&flat()).unwrap();
        assert_eq!(wire["id"], "18446744073709551615");
        assert_eq!(wire["count"], "-9007199254740993");
        assert_eq!(
            wire["shape"],
            json!({"kind": "Big", "size": "1152921504606846976"})
        );
        assert_eq!(
            (wire["either"].clone(), wire["name"].clone()),
            (json!("123"), json!("42"))
        );
        numbers_from_strings(&mut wire, &schema, &schema);
        let back: Flat = serde_json::from_value(wire).unwrap();
        assert_eq!(back, flat());
        let mut small = json!({"id": "1", "count": "2", "shape": {"kind": "Small", "size": 3}, "either": 5, "name": "x"});
        numbers_from_strings(&mut small, &schema, &schema);
        let small: Flat = serde_json::from_value(small).unwrap();
        assert_eq!(
            (small.id, small.extra.count, small.either),
            (1, 2, Untagged::Number(5))
        );
        assert!(has_wide(&schema));
        let mut not_decimal = json!({"id": "01", "count": "2", "shape": {"kind": "Small", "size": 3}, "either": 5, "name": "x"});
        numbers_from_strings(&mut not_decimal, &schema, &schema);
        assert!(serde_json::from_value::<Flat>(not_decimal).is_err());
    }
    use serde_json::json;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Row {
        id: u64,
        delta: i64,
        small: i32,
        maybe: Option<i64>,
        list: Vec<u64>,
        pair: (i64, u8),
        nested: Inner,
        tagged: Adjacent,
        external: External,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Inner {
        big: u128,
        ratio: f64,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(tag = "t", content = "c")]
    enum Adjacent {
        Big(i64),
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    enum External {
        Count { n: u64 },
    }

    fn row() -> Row {
        Row {
            id: u64::MAX,
            delta: i64::MIN,
            small: -7,
            maybe: Some(9_007_199_254_740_993),
            list: vec![0, 1],
            pair: (-1, 2),
            nested: Inner {
                big: u128::MAX,
                ratio: 0.5,
            },
            tagged: Adjacent::Big(3),
            external: External::Count { n: 4 },
        }
    }

    #[test]
    fn wide_integers_serialize_as_strings_everywhere_and_nothing_else_changes() {
        let value = to_value(&row()).unwrap();
        assert_eq!(
            value,
            json!({
                "id": "18446744073709551615", "delta": "-9223372036854775808", "small": -7,
                "maybe": "9007199254740993", "list": ["0", "1"], "pair": ["-1", 2],
                "nested": {"big": "340282366920938463463374607431768211455", "ratio": 0.5},
                "tagged": {"t": "Big", "c": "3"}, "external": {"Count": {"n": "4"}}
            })
        );
        let _ = value;
    }

    fn accepts(schema: &Value, text: &str) -> bool {
        regex::Regex::new(schema["pattern"].as_str().unwrap())
            .unwrap()
            .is_match(text)
    }

    #[test]
    fn schemas_say_string_where_the_wire_has_strings() {
        let mut schema = json!({"properties": {
            "a": {"type": "integer", "format": "int64"},
            "b": {"type": ["integer", "null"], "format": "uint64", "minimum": 0},
            "c": {"type": "integer", "format": "int32"}
        }});
        rewrite_schema(&mut schema);
        let a = &schema["properties"]["a"];
        assert_eq!(
            (&a["type"], &a["format"]),
            (&json!("string"), &json!("int64"))
        );
        assert!(accepts(a, "-9223372036854775808") && !accepts(a, "9223372036854775808"));
        let b = &schema["properties"]["b"];
        assert_eq!(b["type"], json!(["string", "null"]));
        assert_eq!(b.get("minimum"), None);
        assert!(accepts(b, "18446744073709551615") && !accepts(b, "-1") && !accepts(b, "01"));
        assert_eq!(
            schema["properties"]["c"],
            json!({"type": "integer", "format": "int32"})
        );
    }

    #[test]
    fn declared_ranges_and_non_zero_types_keep_their_bounds_in_the_pattern() {
        #[derive(schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Bounded {
            positive: std::num::NonZeroU64,
            non_zero: std::num::NonZeroI64,
            #[schemars(range(min = 10, max = 1000))]
            limited: u64,
        }
        let mut schema = schemars::SchemaGenerator::default()
            .root_schema_for::<Bounded>()
            .to_value();
        rewrite_schema(&mut schema);
        let node = |name: &str| schema["properties"][name].clone();
        let positive = node("positive");
        assert!(!accepts(&positive, "0") && accepts(&positive, "1"));
        assert!(accepts(&positive, "18446744073709551615"));
        let non_zero = node("non_zero");
        assert_eq!(non_zero.get("not"), None);
        assert!(!accepts(&non_zero, "0") && accepts(&non_zero, "-1") && accepts(&non_zero, "1"));
        let limited = node("limited");
        assert!(!accepts(&limited, "9") && accepts(&limited, "10") && accepts(&limited, "1000"));
        assert!(!accepts(&limited, "1001"));
        assert_eq!(
            (limited.get("minimum"), limited.get("maximum")),
            (None, None)
        );
    }
}
