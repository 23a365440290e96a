//! Rust types as form fields: what `#[derive(mizan::Form)]` asks of each field's type.

use mizan_core::form::{FieldKind, FieldSpec};
use serde::{Deserialize, Deserializer, Serialize};

/// The largest integer a form carries exactly on both sides: 2^53 − 1.
const MAX_SAFE: i128 = 9_007_199_254_740_991;

/// A type a form field can have. The derive starts from [`FormField::field`] and applies the
/// field's attributes on top.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a form field",
    note = "form fields are `String`, integers, `bool`, `mizan::forms::{{Decimal, Date, Time, DateTime, Upload}}`, `Vec<String>` (multiple choice), a struct deriving `mizan::FormGroup`, `Vec` of one (rows), or `Option` of any of these"
)]
pub trait FormField {
    /// The field a value of this type makes, named `name`, before the attributes.
    fn field(name: &str) -> FieldSpec;
}

/// A type whose `Vec` is a form field: `String` (multiple choice) and groups (rows).
#[diagnostic::on_unimplemented(
    message = "`Vec<{Self}>` cannot be a form field",
    note = "`Vec<String>` is a multiple choice and `Vec<G>` rows of a struct `G` deriving `mizan::FormGroup`"
)]
pub trait FormListItem {
    /// The field a `Vec` of this type makes.
    fn list_field(name: &str) -> FieldSpec;
}

/// The fields of a form or group, in declaration order. `#[derive(mizan::Form)]` and
/// `#[derive(mizan::FormGroup)]` implement it.
pub trait FormFields {
    /// The fields.
    fn fields() -> Vec<FieldSpec>;
}

fn plain(name: &str, kind: FieldKind) -> FieldSpec {
    FieldSpec::new(name, kind, FieldSpec::label_from_name(name))
}

impl FormField for String {
    fn field(name: &str) -> FieldSpec {
        plain(name, FieldKind::Text)
    }
}

impl FormField for bool {
    fn field(name: &str) -> FieldSpec {
        let mut field = plain(name, FieldKind::Boolean);
        // An unchecked box is `false`, not missing; `#[field(required)]` makes it must-check.
        field.required = false;
        field
    }
}

macro_rules! integer_fields {
    ($($t:ty),*) => {$(
        impl FormField for $t {
            fn field(name: &str) -> FieldSpec {
                let mut field = plain(name, FieldKind::Integer);
                // The type's range, so every value the checks let through decodes.
                #[allow(clippy::cast_lossless, clippy::cast_possible_truncation)]
                {
                    field.min = Some(serde_json::Value::from((<$t>::MIN as i128).max(-MAX_SAFE) as i64));
                    field.max = Some(serde_json::Value::from((<$t>::MAX as i128).min(MAX_SAFE) as i64));
                }
                field
            }
        }
    )*};
}
integer_fields!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl<T: FormField> FormField for Option<T> {
    fn field(name: &str) -> FieldSpec {
        let mut field = T::field(name);
        field.required = false;
        field
    }
}

impl<T: FormListItem> FormField for Vec<T> {
    fn field(name: &str) -> FieldSpec {
        T::list_field(name)
    }
}

impl FormListItem for String {
    fn list_field(name: &str) -> FieldSpec {
        let mut field = plain(name, FieldKind::Multichoice);
        field.required = false;
        field
    }
}

/// Rows of a group: `Vec<G>` where `G` derives `mizan::FormGroup`.
pub fn rows_of<G: FormFields>(name: &str) -> FieldSpec {
    let mut field = plain(name, FieldKind::Rows);
    field.required = false;
    field.fields = Some(G::fields());
    field
}

/// A group: a field `G` where `G` derives `mizan::FormGroup`.
pub fn group_of<G: FormFields>(name: &str) -> FieldSpec {
    let mut field = plain(name, FieldKind::Group);
    field.fields = Some(G::fields());
    field
}

macro_rules! string_kind {
    ($(#[$doc:meta])* $name:ident, $kind:ident, $valid:path, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The value, if `s` is one.
            pub fn parse(s: &str) -> Option<Self> {
                $valid(s).then(|| Self(s.to_owned()))
            }

            /// The value as the form sent it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Self::parse(&s).ok_or_else(|| serde::de::Error::custom(concat!("not ", $what)))
            }
        }

        impl FormField for $name {
            fn field(name: &str) -> FieldSpec {
                plain(name, FieldKind::$kind)
            }
        }
    };
}

string_kind!(
    /// An exact decimal as the form sent it (`-?[0-9]+(\.[0-9]+)?`, `spec/PROTOCOL.md` §2.13.1):
    /// never a float. Compare with [`mizan_core::form::compare_decimals`] or parse it with a
    /// decimal library.
    Decimal, Decimal, mizan_core::form::is_decimal, "a decimal"
);
string_kind!(
    /// A day, `YYYY-MM-DD`, as `<input type=date>` sends it.
    Date, Date, mizan_core::form::is_date, "a date"
);
string_kind!(
    /// A time of day, `HH:MM` or `HH:MM:SS`, as `<input type=time>` sends it.
    Time, Time, mizan_core::form::is_time, "a time"
);
string_kind!(
    /// A date and time without a zone, `YYYY-MM-DDTHH:MM[:SS]`, as
    /// `<input type=datetime-local>` sends it.
    DateTime, Datetime, mizan_core::form::is_datetime, "a date and time"
);
