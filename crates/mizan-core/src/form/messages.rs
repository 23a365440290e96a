//! The messages of §2.13.2, one function per message, so that every side writes them alike.

/// A missing value of a required field.
pub const REQUIRED: &str = "This field is required.";
/// A key that names no field.
pub const UNKNOWN_FIELD: &str = "Unknown field.";
/// A value of the wrong shape (text, groups, rows).
pub const INVALID: &str = "Enter a valid value.";
/// An email field's failure.
pub const INVALID_EMAIL: &str = "Enter a valid email address.";
/// A URL field's failure.
pub const INVALID_URL: &str = "Enter a valid URL.";
/// An integer field's wrong value.
pub const INVALID_INTEGER: &str = "Enter a whole number.";
/// A decimal field's wrong value.
pub const INVALID_DECIMAL: &str = "Enter a number.";
/// A boolean field's wrong value.
pub const INVALID_BOOLEAN: &str = "Enter a valid boolean.";
/// A choice that is not offered.
pub const INVALID_CHOICE: &str = "Select a valid choice.";
/// A multichoice or rows field that is not an array.
pub const INVALID_LIST: &str = "Enter a list of values.";
/// A date field's wrong value.
pub const INVALID_DATE: &str = "Enter a valid date.";
/// A time field's wrong value.
pub const INVALID_TIME: &str = "Enter a valid time.";
/// A datetime field's wrong value.
pub const INVALID_DATETIME: &str = "Enter a valid date and time.";
/// A file field's wrong value.
pub const INVALID_FILE: &str = "Upload a valid file.";
/// A file whose type is not accepted.
pub const FILE_TYPE: &str = "This file type is not allowed.";
/// A post without JavaScript whose CSRF check failed (§2.13.5).
pub const FORM_EXPIRED: &str = "Your form expired. Please submit it again.";

/// Shorter than `min_length`.
pub fn min_length(n: u64) -> String {
    format!("Ensure this value has at least {n} characters.")
}
/// Longer than `max_length`.
pub fn max_length(n: u64) -> String {
    format!("Ensure this value has at most {n} characters.")
}
/// Below `min` (`min` as the spec writes it).
pub fn min_value(min: &str) -> String {
    format!("Ensure this value is greater than or equal to {min}.")
}
/// Above `max`.
pub fn max_value(max: &str) -> String {
    format!("Ensure this value is less than or equal to {max}.")
}
/// More digits than `max_digits`.
pub fn max_digits(n: u32) -> String {
    format!("Ensure that there are no more than {n} digits in total.")
}
/// More digits after the point than `decimal_places`.
pub fn decimal_places(n: u32) -> String {
    format!("Ensure that there are no more than {n} decimal places.")
}
/// Fewer options than `min_items`.
pub fn min_options(n: u64) -> String {
    format!("Select at least {n} options.")
}
/// More options than `max_items`.
pub fn max_options(n: u64) -> String {
    format!("Select at most {n} options.")
}
/// A date or time before `min`.
pub fn not_before(min: &str) -> String {
    format!("Ensure this value is on or after {min}.")
}
/// A date or time after `max`.
pub fn not_after(max: &str) -> String {
    format!("Ensure this value is on or before {max}.")
}
/// Fewer rows than `min_items`.
pub fn min_rows(n: u64) -> String {
    format!("Ensure there are at least {n} rows.")
}
/// More rows than `max_items`.
pub fn max_rows(n: u64) -> String {
    format!("Ensure there are at most {n} rows.")
}
/// A file over `max_size`.
pub fn max_size(n: u64) -> String {
    format!("Ensure this file is at most {n} bytes.")
}
