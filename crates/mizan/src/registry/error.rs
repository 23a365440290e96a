//! Why a function, form or channel cannot be registered.

use std::fmt;

use mizan_codegen::GenerateError;

/// Why a function cannot be registered. Registration happens at startup, so these stop the
/// server before it serves anything.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// The name is already taken.
    DuplicateName(String),
    /// The function breaks rules of the generated TypeScript client (`mizan_codegen::Rules`): a
    /// TypeScript name another function takes, a local context's param its provider cannot take as
    /// a prop (`children`, `rev`, `key`, `ref`), a type name that is not a usable identifier or
    /// that another function defines differently, a schema TypeScript cannot express.
    GeneratorRules {
        /// The function.
        name: String,
        /// Every rule it breaks.
        problems: Vec<GenerateError>,
    },
    /// The name is not `.`-separated `[A-Za-z_][A-Za-z0-9_]*` segments of at most 128 bytes.
    InvalidName(String),
    /// A context's output schema allows floats, which canonical JSON cannot carry.
    FloatInContextOutput {
        /// The function.
        name: String,
        /// Where in the output schema.
        schema_path: String,
    },
    /// A `pattern` in a schema is outside the portable regex subset (§2.7), so the generated
    /// client could evaluate it differently or fail to load it.
    UnportablePattern {
        /// The function.
        name: String,
        /// `input` or `output`, then the JSON Pointer of the node with the pattern.
        schema_path: String,
        /// The pattern.
        pattern: String,
        /// What is not portable, and where in the pattern.
        reason: String,
    },
    /// An untagged union in the params where a 64-bit integer (a string on the wire) sits beside
    /// a variant that accepts a string or number, so one of them cannot round-trip (§2.9).
    AmbiguousUnion {
        /// The function.
        name: String,
        /// `input`, then the JSON Pointer of the `anyOf`/`oneOf`.
        schema_path: String,
        /// The indexes of two variants the wire cannot tell apart.
        variants: (usize, usize),
    },
    /// The params hold an untagged union two of whose variants accept the same JSON type and both
    /// hold the union again: decoding it would take exponential time.
    RecursiveUntaggedUnion {
        /// The function.
        name: String,
        /// `input`, then the JSON Pointer of the `anyOf`/`oneOf`.
        schema_path: String,
        /// The indexes of the two variants.
        variants: (usize, usize),
    },
    /// A form's spec cannot be checked alike on every side (§2.13.1).
    InvalidForm {
        /// The form.
        name: String,
        /// What is wrong, naming the field.
        reason: String,
    },
    /// Another channel has this name.
    DuplicateChannel(String),
    /// A channel's name breaks the function-name rule (§1.3).
    InvalidChannelName(String),
    /// A channel's params are not an object (a struct), as `subscribe` sends them.
    ChannelParamsNotObject {
        /// The channel.
        name: String,
    },
    /// A cache policy or `invalidates` template that breaks §2.16.1–§2.16.2.
    InvalidCacheDeclaration {
        /// The function.
        name: String,
        /// The template at fault; empty when the policy as a whole is.
        template: String,
        /// What is wrong.
        reason: String,
    },
    /// A call invalidates a context that is not a registered context with a cache policy.
    InvalidatedContext {
        /// The call.
        name: String,
        /// The context it names.
        context: String,
        /// Why it cannot be invalidated.
        reason: String,
    },
    /// The input schema could not be compiled for validation.
    InvalidInputSchema {
        /// The function.
        name: String,
        /// What the schema compiler said.
        reason: String,
    },
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateChannel(name) => {
                write!(f, "a channel named {name:?} is already registered")
            }
            Self::InvalidChannelName(name) => write!(
                f,
                "{name:?} is not a valid channel name: use '.'-separated [A-Za-z_][A-Za-z0-9_]* segments, at most 128 bytes"
            ),
            Self::ChannelParamsNotObject { name } => write!(
                f,
                "the params of channel {name:?} are not an object: use a struct (with no fields for none)"
            ),
            Self::DuplicateName(name) => {
                write!(f, "a function named {name:?} is already registered")
            }
            Self::GeneratorRules { name, problems } => {
                write!(
                    f,
                    "function {name:?} cannot be part of the generated TypeScript client: "
                )?;
                for (i, problem) in problems.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{problem}")?;
                }
                Ok(())
            }
            Self::InvalidName(name) => write!(
                f,
                "{name:?} is not a valid function name: use '.'-separated [A-Za-z_][A-Za-z0-9_]* segments, at most 128 bytes"
            ),
            Self::FloatInContextOutput { name, schema_path } => write!(
                f,
                "context {name:?} can return a float (output schema at {schema_path:?}); context bodies are canonical JSON without floats: use an integer (such as cents) or a string"
            ),
            Self::UnportablePattern {
                name,
                schema_path,
                pattern,
                reason,
            } => write!(
                f,
                "function {name:?} has the pattern {pattern:?} (at {schema_path:?}) outside the portable regex subset, {reason}"
            ),
            Self::AmbiguousUnion {
                name,
                schema_path,
                variants: (first, second),
            } => write!(
                f,
                "function {name:?} takes an untagged union (at {schema_path:?}) whose variants {first} and {second} look the same on the wire: a 64-bit integer travels as a string, so it must not sit where another variant accepts a string or a number; tag the enum or change a variant's type"
            ),
            Self::RecursiveUntaggedUnion {
                name,
                schema_path,
                variants: (first, second),
            } => write!(
                f,
                "function {name:?} takes an untagged enum (at {schema_path:?}) whose variants {first} and {second} accept the same kind of JSON value and both contain the enum again: serde would decode the nested values once per variant at every level, which takes exponential time; tag the enum (#[serde(tag = \"type\")])"
            ),
            Self::InvalidForm { name, reason } => write!(f, "form {name:?} cannot serve: {reason}"),
            Self::InvalidCacheDeclaration {
                name,
                template,
                reason,
            } if template.is_empty() => {
                write!(
                    f,
                    "the cache policy of function {name:?} is invalid: {reason}"
                )
            }
            Self::InvalidCacheDeclaration {
                name,
                template,
                reason,
            } => write!(
                f,
                "function {name:?} declares the tag template {template:?}, which is invalid: {reason}"
            ),
            Self::InvalidatedContext {
                name,
                context,
                reason,
            } => write!(
                f,
                "function {name:?} invalidates the context {context:?}, but {context:?} {}",
                reason.strip_prefix("it ").unwrap_or(reason)
            ),
            Self::InvalidInputSchema { name, reason } => write!(
                f,
                "the input schema of function {name:?} cannot be compiled: {reason}"
            ),
        }
    }
}

impl std::error::Error for RegistryError {}
