//! Why a manifest cannot be turned into code.

use std::fmt;

/// A generation failure, naming the function (and type) it concerns. Generation never writes
/// broken TypeScript: it fails with one of these instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GenerateError {
    /// The manifest is not the shape `spec/PROTOCOL.md` §2.7 describes.
    Manifest(String),
    /// A function name breaks the naming rule.
    InvalidFunctionName(String),
    /// Two functions give the same TypeScript names after case conversion.
    NameClash {
        /// The first function.
        first: String,
        /// The second function.
        second: String,
        /// The name both become.
        generated: String,
    },
    /// A type name from a schema cannot be a TypeScript identifier (or is reserved).
    InvalidTypeName {
        /// The function whose schema has it.
        function: String,
        /// The type name.
        name: String,
    },
    /// Two functions define a type of the same name differently.
    TypeConflict {
        /// The type name.
        name: String,
        /// A function with one definition.
        first: String,
        /// A function with the other.
        second: String,
    },
    /// A parameter name that generated code needs for itself.
    ReservedParameter {
        /// The function.
        function: String,
        /// The parameter.
        param: String,
    },
    /// A form whose generated TypeScript name another generated name already takes.
    FormNameClash {
        /// The form.
        form: String,
        /// The other form that takes the name, when it is a form (else a function or a type).
        other: Option<String>,
        /// The name.
        generated: String,
    },
    /// A channel name breaks the naming rule (the function name rule, §2.15.1).
    InvalidChannelName(String),
    /// A name generated for a channel that something else generated code declares already.
    ChannelNameClash {
        /// The channel.
        channel: String,
        /// What else takes the name: a function, another channel, or a type.
        other: String,
        /// The name.
        generated: String,
    },
    /// A construct of a channel's schema the emitters cannot express faithfully.
    UnsupportedChannelSchema {
        /// The channel.
        channel: String,
        /// `params`, `message` or `incoming`.
        side: &'static str,
        /// JSON Pointer into that schema.
        pointer: String,
        /// What is there.
        what: String,
    },
    /// A schema construct the emitters cannot express faithfully.
    UnsupportedSchema {
        /// The function.
        function: String,
        /// `input` or `output`.
        side: &'static str,
        /// JSON Pointer into that schema.
        pointer: String,
        /// What is there.
        what: String,
    },
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Manifest(why) => write!(f, "the manifest is malformed: {why}"),
            Self::InvalidFunctionName(name) => write!(
                f,
                "function {name:?}: names are '.'-separated [A-Za-z_][A-Za-z0-9_]* segments of at most 128 bytes"
            ),
            Self::NameClash {
                first,
                second,
                generated,
            } => write!(
                f,
                "functions {first:?} and {second:?} both become `{generated}` in TypeScript; rename one"
            ),
            Self::InvalidTypeName { function, name } => write!(
                f,
                "function {function:?}: the type name {name:?} is not a usable TypeScript identifier (invalid, reserved, or taken by generated code); rename the Rust type or give it #[schemars(rename = \"...\")]"
            ),
            Self::TypeConflict {
                name,
                first,
                second,
            } => write!(
                f,
                "the type name {name:?} has different definitions in functions {first:?} and {second:?}; rename one of the Rust types"
            ),
            Self::ReservedParameter { function, param } => write!(
                f,
                "function {function:?}: the parameter {param:?} clashes with a prop of the generated provider (children, rev, key and ref are React's or Mizan's); rename it"
            ),
            Self::FormNameClash {
                form,
                other: Some(other),
                generated,
            } => write!(
                f,
                "forms {other:?} and {form:?} both become `{generated}` in TypeScript; rename one"
            ),
            Self::FormNameClash {
                form,
                other: None,
                generated,
            } => write!(
                f,
                "form {form:?} becomes `{generated}` in TypeScript, which a function or type already generates; rename the form"
            ),
            Self::InvalidChannelName(name) => write!(
                f,
                "channel {name:?}: names are '.'-separated [A-Za-z_][A-Za-z0-9_]* segments of at most 128 bytes"
            ),
            Self::ChannelNameClash {
                channel,
                other,
                generated,
            } => write!(
                f,
                "channel {channel:?} generates `{generated}` in TypeScript, as {other} does; rename one"
            ),
            Self::UnsupportedChannelSchema {
                channel,
                side,
                pointer,
                what,
            } => write!(
                f,
                "channel {channel:?}: the {side} schema uses {what} at {pointer}, which TypeScript and Zod cannot express faithfully"
            ),
            Self::UnsupportedSchema {
                function,
                side,
                pointer,
                what,
            } => write!(
                f,
                "function {function:?}: the {side} schema uses {what} at {pointer}, which TypeScript and Zod cannot express faithfully"
            ),
        }
    }
}

impl std::error::Error for GenerateError {}
