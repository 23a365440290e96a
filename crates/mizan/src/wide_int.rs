//! 64-bit (and wider) integers travel as decimal strings (`spec/PROTOCOL.md` §2.9), because
//! JavaScript numbers lose precision above 2^53. serde calls distinct methods for each integer
//! width, so these adapters change exactly the `i64`, `u64`, `i128` and `u128` values, wherever
//! they are, and leave every other value alone.

use serde::ser::{self, Serialize, Serializer};
use serde_json::{Map, Value};

/// Serializes `value` with every 64-bit and wider integer written as a decimal string.
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, serde_json::Error> {
    value.serialize(WideAsString(serde_json::value::Serializer))
}

/// Writes `value` as JSON with every 64-bit and wider integer as a decimal string.
pub(crate) fn write_json<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    value.serialize(WideAsString(&mut serde_json::Serializer::new(out)))
}

/// A [`Serialize`] view of a value through the adapter, for the compound serializers.
struct Wrapped<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for Wrapped<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(WideAsString(serializer))
    }
}

struct WideAsString<S>(S);

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.0.$method($($arg),*)
        }
    )*};
}

macro_rules! as_string {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method(self, v: $ty) -> Result<S::Ok, S::Error> {
            self.0.serialize_str(&v.to_string())
        }
    )*};
}

impl<S: Serializer> Serializer for WideAsString<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<S::SerializeSeq>;
    type SerializeTuple = Compound<S::SerializeTuple>;
    type SerializeTupleStruct = Compound<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<S::SerializeTupleVariant>;
    type SerializeMap = Compound<S::SerializeMap>;
    type SerializeStruct = Compound<S::SerializeStruct>;
    type SerializeStructVariant = Compound<S::SerializeStructVariant>;

    as_string! {
        serialize_i64(i64);
        serialize_u64(u64);
        serialize_i128(i128);
        serialize_u128(u128);
    }

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Wrapped(value))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Wrapped(value))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Wrapped(value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Compound)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Compound)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Compound)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Compound)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Compound)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Compound)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Compound)
    }
}

/// A compound serializer whose elements go through the adapter.
struct Compound<C>(C);

macro_rules! compound {
    ($trait:ident, $method:ident) => {
        impl<C: ser::$trait> ser::$trait for Compound<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
                self.0.$method(&Wrapped(value))
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
    ($trait:ident, $method:ident, field) => {
        impl<C: ser::$trait> ser::$trait for Compound<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn $method<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), C::Error> {
                self.0.$method(key, &Wrapped(value))
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
}

compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);
compound!(SerializeStruct, serialize_field, field);
compound!(SerializeStructVariant, serialize_field, field);

impl<C: ser::SerializeMap> ser::SerializeMap for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        // Map keys are strings in JSON already; an integer key is written as its digits either way.
        self.0.serialize_key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Wrapped(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

const WIDE_FORMATS: &[&str] = &["int64", "uint64", "int128", "uint128", "int", "uint"];

fn is_wide(schema: &Map<String, Value>) -> bool {
    schema
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| WIDE_FORMATS.contains(&f))
}

/// Whether a schema has any 64-bit or wider integer, so inputs without one skip the conversion.
pub(crate) fn has_wide(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => is_wide(map) || map.values().any(has_wide),
        Value::Array(items) => items.iter().any(has_wide),
        _ => false,
    }
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0"
}

/// Turns the decimal strings at the 64-bit integer positions of `schema` back into JSON numbers,
/// so that serde reads them as integers wherever they are (flattened, in tagged or untagged enums).
/// Anything else is left as it is, for the decoder to judge.
pub(crate) fn numbers_from_strings(value: &mut Value, schema: &Value, root: &Value) {
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(name) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        if let Some(def) = root.get("$defs").and_then(|d| d.get(name)) {
            numbers_from_strings(value, def, root);
        }
        return;
    }
    if is_wide(map) {
        if let Value::String(s) = value {
            let number = is_decimal(s)
                .then(|| {
                    s.parse::<i64>()
                        .map(Value::from)
                        .or_else(|_| s.parse::<u64>().map(Value::from))
                        .ok()
                })
                .flatten();
            if let Some(number) = number {
                *value = number;
            }
        }
        return;
    }
    for part in map
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        numbers_from_strings(value, part, root);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(variants) = map.get(key).and_then(Value::as_array)
            && let Some(variant) = variants.iter().find(|v| could_be(value, v, root))
        {
            numbers_from_strings(value, variant, root);
        }
    }
    match value {
        Value::Object(object) => {
            let properties = map.get("properties").and_then(Value::as_object);
            let additional = map.get("additionalProperties").filter(|a| a.is_object());
            for (key, member) in object.iter_mut() {
                if let Some(schema) = properties.and_then(|p| p.get(key)).or(additional) {
                    numbers_from_strings(member, schema, root);
                }
            }
        }
        Value::Array(items) => {
            let prefix = map.get("prefixItems").and_then(Value::as_array);
            for (i, item) in items.iter_mut().enumerate() {
                if let Some(schema) = prefix.and_then(|p| p.get(i)).or_else(|| map.get("items")) {
                    numbers_from_strings(item, schema, root);
                }
            }
        }
        _ => {}
    }
}

/// Whether `value` can be an instance of the union variant `schema`: its JSON type fits, and
/// every `const` property (an enum tag) it names matches.
fn could_be(value: &Value, schema: &Value, root: &Value) -> bool {
    let Value::Object(map) = schema else {
        return true;
    };
    if let Some(name) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        return root
            .get("$defs")
            .and_then(|d| d.get(name))
            .is_none_or(|def| could_be(value, def, root));
    }
    let type_fits = |t: &str| match (t, value) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("object", Value::Object(_))
        | ("array", Value::Array(_)) => true,
        ("string", Value::String(_)) | ("number" | "integer", Value::Number(_)) => true,
        ("integer", Value::String(s)) => is_wide(map) && is_decimal(s),
        _ => false,
    };
    let types_ok = match map.get("type") {
        Some(Value::String(t)) => type_fits(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(type_fits),
        _ => true,
    };
    let tags_ok = match (map.get("properties").and_then(Value::as_object), value) {
        (Some(properties), Value::Object(object)) => {
            properties.iter().all(|(key, p)| match p.get("const") {
                Some(tag) => object.get(key) == Some(tag),
                None => true,
            })
        }
        _ => true,
    };
    types_ok && tags_ok
}

/// Rewrites a JSON Schema so that 64-bit and wider integers are the strings they travel as.
pub(crate) fn rewrite_schema(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
            let wide = matches!(
                format.as_deref(),
                Some("int64" | "uint64" | "int128" | "uint128" | "int" | "uint")
            );
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
            if retyped {
                map.remove("minimum");
                map.remove("maximum");
                let signed = format.as_deref().is_some_and(|f| !f.starts_with('u'));
                let pattern = if signed {
                    "^(0|-?[1-9][0-9]*)$"
                } else {
                    "^(0|[1-9][0-9]*)$"
                };
                map.insert("pattern".into(), Value::String(pattern.into()));
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

    #[test]
    fn schemas_say_string_where_the_wire_has_strings() {
        let mut schema = json!({"properties": {
            "a": {"type": "integer", "format": "int64"},
            "b": {"type": ["integer", "null"], "format": "uint64", "minimum": 0},
            "c": {"type": "integer", "format": "int32"}
        }});
        rewrite_schema(&mut schema);
        assert_eq!(
            schema["properties"]["a"],
            json!({"type": "string", "format": "int64", "pattern": "^(0|-?[1-9][0-9]*)$"})
        );
        assert_eq!(
            schema["properties"]["b"],
            json!({"type": ["string", "null"], "format": "uint64", "pattern": "^(0|[1-9][0-9]*)$"})
        );
        assert_eq!(
            schema["properties"]["c"],
            json!({"type": "integer", "format": "int32"})
        );
    }
}
