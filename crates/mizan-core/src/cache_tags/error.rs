//! Why a tag template does not parse or does not expand.

use std::fmt;

use crate::CanonicalError;

/// A template that breaks §2.16.2, or params it cannot be expanded with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagError {
    /// The template has no literal character and no slot.
    EmptyTemplate,
    /// A `{` with no `}` after it.
    UnclosedBrace {
        /// Byte offset of the `{`.
        at: usize,
    },
    /// A `}` that closes no slot.
    StrayClosingBrace {
        /// Byte offset of the `}`.
        at: usize,
    },
    /// A slot whose name is not a parameter name (`[A-Za-z_][A-Za-z0-9_]*`), such as `{}` or
    /// `{a-b}`.
    InvalidSlotName {
        /// Byte offset of the `{`.
        at: usize,
        /// What stands between the braces.
        name: String,
    },
    /// A literal character outside the tag alphabet `A-Z a-z 0-9 _ . : - %`.
    InvalidCharacter {
        /// Byte offset of the character.
        at: usize,
        /// The character.
        character: char,
    },
    /// The literal parts alone are over 128 bytes, so no expansion could be a tag.
    TooLong {
        /// Their length in bytes.
        len: usize,
    },
    /// The template starts with `mizan:`, the server's tags (only `mizan:fn:<name>` may appear,
    /// and only in `invalidates`).
    ReservedPrefix,
    /// A `mizan:fn:` tag whose function name breaks the naming rule (§1.3), or that has slots.
    InvalidFunctionTag,
    /// Expanding: the params have no value for a slot.
    MissingParam {
        /// The slot.
        name: String,
    },
    /// Expanding: a slot's value is not a string, an integer or a boolean.
    UnsupportedParamType {
        /// The slot.
        name: String,
    },
    /// The function name breaks the naming rule (§1.3).
    InvalidFunctionName,
    /// The params cannot be canonicalized (§1.1).
    Canonical(CanonicalError),
}

impl TagError {
    /// The error's stable name, as `spec/vectors/cache_tags.json` writes it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyTemplate => "empty_template",
            Self::UnclosedBrace { .. } => "unclosed_brace",
            Self::StrayClosingBrace { .. } => "stray_closing_brace",
            Self::InvalidSlotName { .. } => "invalid_slot_name",
            Self::InvalidCharacter { .. } => "invalid_character",
            Self::TooLong { .. } => "template_too_long",
            Self::ReservedPrefix => "reserved_prefix",
            Self::InvalidFunctionTag => "invalid_function_tag",
            Self::MissingParam { .. } => "missing_param",
            Self::UnsupportedParamType { .. } => "unsupported_param_type",
            Self::InvalidFunctionName => "invalid_function_name",
            Self::Canonical(e) => e.code().as_str(),
        }
    }
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyTemplate => f.write_str("a tag template cannot be empty"),
            Self::UnclosedBrace { at } => {
                write!(f, "the `{{` at byte {at} opens a slot that is never closed with `}}`")
            }
            Self::StrayClosingBrace { at } => {
                write!(f, "the `}}` at byte {at} closes no slot")
            }
            Self::InvalidSlotName { at, name } => write!(
                f,
                "the slot at byte {at} names {name:?}, which is not a parameter name ([A-Za-z_][A-Za-z0-9_]*)"
            ),
            Self::InvalidCharacter { at, character } => write!(
                f,
                "{character:?} at byte {at} is not a tag character (A-Z a-z 0-9 _ . : - %)"
            ),
            Self::TooLong { len } => write!(
                f,
                "the template's literal text is {len} bytes; a tag is at most 128"
            ),
            Self::ReservedPrefix => f.write_str(
                "tags starting with `mizan:` are the server's; only `mizan:fn:<function>` may be named, in `invalidates`",
            ),
            Self::InvalidFunctionTag => f.write_str(
                "`mizan:fn:` must be followed by a function name ('.'-separated [A-Za-z_][A-Za-z0-9_]* segments) and no slot",
            ),
            Self::MissingParam { name } => write!(f, "the params have no {name:?} for its slot"),
            Self::UnsupportedParamType { name } => write!(
                f,
                "the param {name:?} fills a slot, so it must be a string, an integer or a boolean"
            ),
            Self::InvalidFunctionName => f.write_str("not a valid function name"),
            Self::Canonical(e) => write!(f, "the params are not canonical JSON: {e}"),
        }
    }
}

impl std::error::Error for TagError {}

impl From<CanonicalError> for TagError {
    fn from(e: CanonicalError) -> Self {
        Self::Canonical(e)
    }
}
