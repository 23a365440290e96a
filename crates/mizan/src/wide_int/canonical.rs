//! Contexts' outputs written as canonical JSON straight from `Serialize`, without building a
//! `serde_json::Value` first, for the shapes outputs usually have: structs, sequences, strings,
//! integers (64-bit and wider as decimal strings, §2.9), booleans, options and unit variants.
//!
//! Anything else (maps, floats, bytes, data-carrying enum variants, serde_json's own types, a
//! struct with a repeated key, nesting past the limit, a `Serialize` error) gives up, and the
//! caller takes the general path, `Value` then `canonical::to_vec`, which decides exactly as
//! before: this is only a faster way to the same bytes.

use std::fmt;

use mizan_core::canonical::{self, MAX_DEPTH};
use serde::ser::{self, Impossible, Serialize};

use super::serialize::Decimal;

/// The canonical JSON of `value`, or `None` when it has a shape this writer leaves to the
/// general path.
pub(crate) fn to_canonical<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    value
        .serialize(Writer {
            out: &mut out,
            depth: 0,
        })
        .ok()?;
    Some(out)
}

/// Giving up: the general path will write (or refuse) the value.
#[derive(Debug)]
pub(crate) struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to the general canonical encoder")
    }
}

impl std::error::Error for GiveUp {}

impl ser::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self
    }
}

type Result<T = ()> = std::result::Result<T, GiveUp>;

/// Writes one value; `depth` is the depth of the container that holds it (0 at the top).
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
}

impl<'a> Writer<'a> {
    fn enter(&self) -> Result<usize> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(depth)
    }

    fn small(self, v: i64) -> Result {
        canonical::write_int(self.out, v).map_err(|_| GiveUp)
    }

    fn wide(self, negative: bool, magnitude: u128) -> Result {
        canonical::write_str(self.out, Decimal::new(negative, magnitude).as_str());
        Ok(())
    }
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Impossible<(), GiveUp>;
    type SerializeMap = Impossible<(), GiveUp>;
    type SerializeStruct = Struct<'a>;
    type SerializeStructVariant = Impossible<(), GiveUp>;

    fn serialize_bool(self, v: bool) -> Result {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.small(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.small(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.small(v.into())
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.small(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.small(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.small(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.wide(v < 0, v.unsigned_abs().into())
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.wide(false, v.into())
    }
    fn serialize_i128(self, v: i128) -> Result {
        self.wide(v < 0, v.unsigned_abs())
    }
    fn serialize_u128(self, v: u128) -> Result {
        self.wide(false, v)
    }
    fn serialize_f32(self, _: f32) -> Result {
        Err(GiveUp)
    }
    fn serialize_f64(self, _: f64) -> Result {
        Err(GiveUp)
    }
    fn serialize_char(self, v: char) -> Result {
        canonical::write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result {
        canonical::write_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(GiveUp)
    }
    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result {
        // serde_json's raw values and numbers announce themselves this way.
        if name.starts_with("$serde_json") {
            return Err(GiveUp);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(GiveUp)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>> {
        let depth = self.enter()?;
        self.out.push(b'[');
        Ok(Seq {
            out: self.out,
            depth,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(GiveUp)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(GiveUp)
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Struct<'a>> {
        let depth = self.enter()?;
        self.out.push(b'{');
        let start = self.out.len();
        Ok(Struct {
            out: self.out,
            depth,
            start,
            members: Vec::with_capacity(len),
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(GiveUp)
    }
}

/// An array being written.
struct Seq<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
    first: bool,
}

impl Seq<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Writer {
            out: self.out,
            depth: self.depth,
        })
    }

    fn close(self) -> Result {
        self.out.push(b']');
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = GiveUp;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = GiveUp;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = GiveUp;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

/// An object being written: members go out in the order they come, and are put in canonical
/// order at the end when they came in another.
struct Struct<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
    /// Where the first member starts, just after `{`.
    start: usize,
    /// Each member's key and where its text (`"key":value`) ends.
    members: Vec<(&'static str, usize)>,
}

impl ser::SerializeStruct for Struct<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        if !self.members.is_empty() {
            self.out.push(b',');
        }
        canonical::write_str(self.out, key);
        self.out.push(b':');
        value.serialize(Writer {
            out: self.out,
            depth: self.depth,
        })?;
        self.members.push((key, self.out.len()));
        Ok(())
    }

    fn end(self) -> Result {
        let in_order = self
            .members
            .windows(2)
            .all(|pair| canonical::key_order(pair[0].0, pair[1].0).is_lt());
        if !in_order {
            // Each member's text, from its start to its end (the `,` before it left out).
            let mut spans = Vec::with_capacity(self.members.len());
            let mut from = self.start;
            for &(key, end) in &self.members {
                spans.push((key, from, end));
                from = end + 1;
            }
            spans.sort_by(|a, b| canonical::key_order(a.0, b.0));
            if spans.windows(2).any(|pair| pair[0].0 == pair[1].0) {
                // A repeated key: the general path keeps the last one.
                return Err(GiveUp);
            }
            let written = self.out[self.start..].to_vec();
            self.out.truncate(self.start);
            for (i, &(_, from, end)) in spans.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.out
                    .extend_from_slice(&written[from - self.start..end - self.start]);
            }
        }
        self.out.push(b'}');
        Ok(())
    }

    fn skip_field(&mut self, _: &'static str) -> Result {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    enum Kind {
        Small,
        #[serde(rename = "Big one")]
        Big,
    }

    #[derive(Serialize)]
    struct Inner {
        z: u8,
        #[serde(rename = "\u{e000}")]
        private_use: bool,
        #[serde(rename = "\u{1F600}")]
        astral: i32,
        a: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
    }

    #[derive(Serialize)]
    struct Outer {
        name: String,
        id: u64,
        signed: i128,
        items: Vec<Inner>,
        kind: Kind,
        other: Kind,
        letter: char,
        pair: (u16, &'static str),
        nothing: (),
        escaped: &'static str,
    }

    #[derive(Serialize)]
    struct Newtype(Vec<u32>);

    #[derive(Serialize)]
    struct Repeated {
        #[serde(rename = "k")]
        first: u8,
        #[serde(rename = "k")]
        second: u8,
    }

    fn general<T: Serialize>(value: &T) -> Vec<u8> {
        canonical::to_vec(&super::super::to_value(value).unwrap()).unwrap()
    }

    #[test]
    fn writes_the_bytes_of_the_general_path() {
        let inner = |z| Inner {
            z,
            private_use: true,
            astral: -3,
            a: None,
            skipped: None,
        };
        let outer = Outer {
            name: "Ada \"\u{1}\u{2028}".to_owned(),
            id: u64::MAX,
            signed: i128::MIN,
            items: vec![
                inner(1),
                Inner {
                    a: Some(i64::MIN),
                    skipped: Some(7),
                    ..inner(2)
                },
            ],
            kind: Kind::Small,
            other: Kind::Big,
            letter: 'é',
            pair: (65535, "x"),
            nothing: (),
            escaped: "\\/",
        };
        assert_eq!(to_canonical(&outer), Some(general(&outer)));
        assert_eq!(to_canonical(&inner(0)), Some(general(&inner(0))));
        assert_eq!(
            to_canonical(&Newtype(vec![1, 2])),
            Some(general(&Newtype(vec![1, 2])))
        );
        assert_eq!(to_canonical(&Some("x")), Some(general(&Some("x"))));
        assert_eq!(to_canonical(&Vec::<u8>::new()), Some(b"[]".to_vec()));
        // As deep as canonical JSON goes (numbers in a `Value` are 64-bit: strings too).
        let deepest = (0..31).fold(serde_json::json!(1), |v, _| serde_json::json!([v]));
        assert_eq!(to_canonical(&deepest), Some(general(&deepest)));
    }

    #[test]
    fn leaves_other_shapes_to_the_general_path() {
        let map: BTreeMap<String, u8> = [("a".to_owned(), 1)].into();
        assert_eq!(to_canonical(&map), None);
        assert_eq!(to_canonical(&1.5f64), None);
        assert_eq!(to_canonical(&serde_json::json!({"a": 1})), None);
        assert_eq!(
            to_canonical(&Repeated {
                first: 1,
                second: 2
            }),
            None
        );
        #[derive(Serialize)]
        struct Deep(Option<Box<Deep>>);
        let mut deep = Deep(None);
        for _ in 0..40 {
            deep = Deep(Some(Box::new(deep)));
        }
        // Newtypes add no nesting: this is fine at any depth.
        assert_eq!(to_canonical(&deep), Some(b"null".to_vec()));
        let nested = (0..40).fold(serde_json::json!(1), |v, _| serde_json::json!([v]));
        assert_eq!(to_canonical(&nested), None);
    }
}
