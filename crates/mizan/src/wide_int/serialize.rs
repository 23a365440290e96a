//! Output: an adapter around any serde `Serializer` that writes 64-bit and wider integers as
//! decimal strings and passes everything else through.

use serde::ser::{self, Serialize, Serializer};
use serde_json::Value;

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
            // `v < 0` is always false for the unsigned types.
            #[allow(unused_comparisons)]
            let negative = v < 0;
            self.0.serialize_str(Decimal::new(negative, v.unsigned_abs_u128()).as_str())
        }
    )*};
}

/// An integer's magnitude as `u128`, for [`Decimal`].
trait UnsignedAbs {
    fn unsigned_abs_u128(self) -> u128;
}

macro_rules! unsigned_abs {
    (signed: $($signed:ty),*; unsigned: $($unsigned:ty),*) => {
        $(impl UnsignedAbs for $signed {
            fn unsigned_abs_u128(self) -> u128 {
                u128::from(self.unsigned_abs())
            }
        })*
        $(impl UnsignedAbs for $unsigned {
            fn unsigned_abs_u128(self) -> u128 {
                u128::from(self)
            }
        })*
    };
}

unsigned_abs!(signed: i64, i128; unsigned: u64, u128);

/// An integer's decimal digits, written on the stack: no allocation per wide integer.
pub(super) struct Decimal {
    /// `-` and the 39 digits of `u128::MAX` fit.
    digits: [u8; 40],
    start: usize,
}

impl Decimal {
    pub(super) fn new(negative: bool, mut magnitude: u128) -> Self {
        let mut digits = [0u8; 40];
        let mut start = digits.len();
        // The 64-bit division is much cheaper; most values fit.
        while magnitude > u128::from(u64::MAX) {
            start -= 1;
            digits[start] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
        }
        let mut small = magnitude as u64;
        loop {
            start -= 1;
            // The remainder is below 10, so the cast keeps every bit.
            digits[start] = b'0' + (small % 10) as u8;
            small /= 10;
            if small == 0 {
                break;
            }
        }
        if negative {
            start -= 1;
            digits[start] = b'-';
        }
        Self { digits, start }
    }

    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[self.start..])
            .unwrap_or_else(|_| unreachable!("digits and '-' are ASCII"))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_what_to_string_writes() {
        for v in [
            0i128,
            1,
            -1,
            9,
            10,
            -10,
            i128::from(i64::MIN),
            i128::from(u64::MAX),
            i128::MAX,
            i128::MIN,
        ] {
            assert_eq!(
                Decimal::new(v < 0, v.unsigned_abs()).as_str(),
                v.to_string()
            );
        }
        assert_eq!(
            Decimal::new(false, u128::MAX).as_str(),
            u128::MAX.to_string()
        );
        assert_eq!(
            Decimal::new(false, u128::from(u64::MAX) + 1).as_str(),
            (u128::from(u64::MAX) + 1).to_string()
        );
    }
}
