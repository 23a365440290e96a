//! The manifest (`spec/PROTOCOL.md` §2.7) as typed values: what a server publishes at
//! `GET /manifest` and what code generation reads.
//!
//! ```
//! use mizan_core::manifest::{FunctionKind, Manifest};
//!
//! let text = r#"{"protocol":1,"functions":[{"name":"echo","rust_name":"echo","kind":"call",
//!   "context":null,"auth":"none","method":"POST","path":"/call/echo","params":["text"],
//!   "input":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]},
//!   "output":{"type":"string"},"schema_hash":"UktwCoKgea3oZsbSpYvDGw"}]}"#;
//! let manifest: Manifest = serde_json::from_str(text).unwrap();
//! let echo = manifest.function("echo").unwrap();
//! assert_eq!(echo.kind, FunctionKind::Call);
//! assert_eq!(echo.path, FunctionKind::Call.path("echo"));
//! ```

mod cache;
mod hash;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use cache::{CachePolicy, CacheScope, DEFAULT_SWR, MAX_CACHE_SECONDS};
pub use hash::{ANNOTATIONS, SCHEMA_HASH_LEN, channel_schema_hash, is_schema_hash, schema_hash};

/// The protocol version this crate describes; the manifest's `protocol` member.
pub const PROTOCOL_VERSION: u32 = 1;

/// Every function of an application (`GET /manifest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`PROTOCOL_VERSION`].
    pub protocol: u32,
    /// Every function, sorted by name (byte order).
    pub functions: Vec<FunctionEntry>,
    /// Every form's spec (§2.13.1), sorted by name; left out when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<crate::form::FormSpec>,
    /// Every channel (§2.15.1), sorted by name; left out when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<ChannelEntry>,
}

impl Manifest {
    /// A manifest of `functions` at [`PROTOCOL_VERSION`], sorted by name.
    pub fn new(mut functions: Vec<FunctionEntry>) -> Self {
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        Self {
            protocol: PROTOCOL_VERSION,
            functions,
            forms: Vec::new(),
            channels: Vec::new(),
        }
    }

    /// The manifest with `forms`, sorted by name.
    pub fn with_forms(mut self, mut forms: Vec<crate::form::FormSpec>) -> Self {
        forms.sort_by(|a, b| a.name.cmp(&b.name));
        self.forms = forms;
        self
    }

    /// The manifest with `channels`, sorted by name.
    pub fn with_channels(mut self, mut channels: Vec<ChannelEntry>) -> Self {
        channels.sort_by(|a, b| a.name.cmp(&b.name));
        self.channels = channels;
        self
    }

    /// The channel named `name`.
    pub fn channel(&self, name: &str) -> Option<&ChannelEntry> {
        self.channels.iter().find(|c| c.name == name)
    }

    /// The form named `name`.
    pub fn form(&self, name: &str) -> Option<&crate::form::FormSpec> {
        self.forms.iter().find(|f| f.name == name)
    }

    /// The function registered as `name`.
    pub fn function(&self, name: &str) -> Option<&FunctionEntry> {
        self.functions.iter().find(|f| f.name == name)
    }
}

/// One function of the manifest. On the wire its [`kind`](Self::kind) is the two members `kind`
/// and `context`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionEntry {
    /// The registered name, such as `contact.submit`.
    pub name: String,
    /// The Rust function's name.
    pub rust_name: String,
    /// A call, or which kind of context.
    #[serde(flatten)]
    pub kind: FunctionKind,
    /// Who may call it.
    pub auth: AuthLevel,
    /// The HTTP method that reaches it: [`FunctionKind::method`].
    pub method: HttpMethod,
    /// The path that reaches it, relative to the base path: [`FunctionKind::path`].
    pub path: String,
    /// The parameter names, in declaration order.
    pub params: Vec<String>,
    /// The JSON Schema (2020-12) of the params object.
    pub input: Value,
    /// The JSON Schema (2020-12) of the output.
    pub output: Value,
    /// [`schema_hash`] of `input` and `output`: clients send it back so that a server can tell a
    /// client built against another version of the function (`409 stale_client`).
    pub schema_hash: String,
    /// A context's cache policy (§2.16.1); `None` for calls and contexts without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CachePolicy>,
    /// The tag templates a successful call purges (§2.16.4); empty for most functions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invalidates: Vec<String>,
}

impl FunctionEntry {
    /// An entry whose method, path and schema hash are derived from the rest, as a server
    /// publishes it.
    pub fn new(
        name: impl Into<String>,
        rust_name: impl Into<String>,
        kind: FunctionKind,
        auth: AuthLevel,
        params: Vec<String>,
        input: Value,
        output: Value,
    ) -> Self {
        let name = name.into();
        Self {
            path: kind.path(&name),
            method: kind.method(),
            schema_hash: schema_hash(&input, &output),
            name,
            rust_name: rust_name.into(),
            kind,
            auth,
            params,
            input,
            output,
            cache: None,
            invalidates: Vec::new(),
        }
    }
}

/// Whether a context is fetched once per page or per set of params.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContextKind {
    /// No params; fetched once and embedded in the first HTML.
    Global,
    /// Fetched with params.
    Local,
}

/// Param names a local context cannot have: its generated `<NameProvider>` takes the params as
/// React props beside these, which React or the provider itself already use.
pub const LOCAL_CONTEXT_RESERVED_PARAMS: &[&str] = &["children", "rev", "key", "ref"];

/// What a function is: a call (`POST`, never cached) or a context (`GET`, cacheable).
///
/// With serde it is the object of the manifest's two members, `{"kind": "call", "context": null}`
/// or `{"kind": "context", "context": "global" | "local"}`; [`FunctionEntry`] flattens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "KindMembers", try_from = "KindMembers")]
pub enum FunctionKind {
    /// A call: `POST /call/<name>`.
    Call,
    /// A context: `GET /context/<name>`.
    Context(ContextKind),
}

impl FunctionKind {
    /// A global context.
    pub const GLOBAL_CONTEXT: Self = Self::Context(ContextKind::Global);
    /// A local context.
    pub const LOCAL_CONTEXT: Self = Self::Context(ContextKind::Local);

    /// Whether this is a context.
    pub const fn is_context(self) -> bool {
        matches!(self, Self::Context(_))
    }

    /// The context kind, or `None` for a call.
    pub const fn context(self) -> Option<ContextKind> {
        match self {
            Self::Call => None,
            Self::Context(kind) => Some(kind),
        }
    }

    /// The method that reaches a function of this kind (`HEAD` also reaches contexts).
    pub const fn method(self) -> HttpMethod {
        match self {
            Self::Call => HttpMethod::Post,
            Self::Context(_) => HttpMethod::Get,
        }
    }

    /// The path of the function `name`, relative to the base path.
    pub fn path(self, name: &str) -> String {
        match self {
            Self::Call => format!("/call/{name}"),
            Self::Context(_) => format!("/context/{name}"),
        }
    }
}

/// The wire form of [`FunctionKind`]: the members `kind` and `context`.
#[derive(Serialize, Deserialize)]
struct KindMembers {
    kind: KindName,
    #[serde(default)]
    context: Option<ContextKind>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum KindName {
    Call,
    Context,
}

impl From<FunctionKind> for KindMembers {
    fn from(kind: FunctionKind) -> Self {
        match kind {
            FunctionKind::Call => Self {
                kind: KindName::Call,
                context: None,
            },
            FunctionKind::Context(context) => Self {
                kind: KindName::Context,
                context: Some(context),
            },
        }
    }
}

impl TryFrom<KindMembers> for FunctionKind {
    type Error = KindError;

    fn try_from(members: KindMembers) -> Result<Self, KindError> {
        match (members.kind, members.context) {
            (KindName::Call, None) => Ok(Self::Call),
            (KindName::Context, Some(context)) => Ok(Self::Context(context)),
            (KindName::Call, Some(_)) => Err(KindError("a call has `context` null")),
            (KindName::Context, None) => {
                Err(KindError("a context has `context` \"global\" or \"local\""))
            }
        }
    }
}

/// A `kind` and `context` pair that names no [`FunctionKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindError(&'static str);

impl fmt::Display for KindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for KindError {}

/// One channel of the manifest (`spec/PROTOCOL.md` §2.15.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelEntry {
    /// The registered name (the function name rule of §1.3).
    pub name: String,
    /// The Rust type's name.
    pub rust_name: String,
    /// The level a subscriber needs (§2.5), checked before the channel's own authorize check.
    pub auth: AuthLevel,
    /// JSON Schema of the params object.
    pub params: Value,
    /// JSON Schema of each message's `data`.
    pub message: Value,
    /// JSON Schema of what subscribers may send; `None` (`null`) when they may not.
    pub incoming: Option<Value>,
    /// [`channel_schema_hash`] of the three schemas.
    pub schema_hash: String,
}

impl ChannelEntry {
    /// An entry whose `schema_hash` is computed from the schemas.
    pub fn new(
        name: impl Into<String>,
        rust_name: impl Into<String>,
        auth: AuthLevel,
        params: Value,
        message: Value,
        incoming: Option<Value>,
    ) -> Self {
        let schema_hash = channel_schema_hash(&params, &message, incoming.as_ref());
        Self {
            name: name.into(),
            rust_name: rust_name.into(),
            auth,
            params,
            message,
            incoming,
            schema_hash,
        }
    }
}

/// Who may call a function (`spec/PROTOCOL.md` §2.5), as the manifest's `auth` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthLevel {
    /// Everyone.
    None,
    /// Any signed-in user.
    Authenticated,
    /// Staff or superusers.
    Staff,
    /// Superusers.
    Superuser,
    /// Whatever the application's check says.
    Custom,
}

impl AuthLevel {
    /// The name in the manifest.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Authenticated => "authenticated",
            Self::Staff => "staff",
            Self::Superuser => "superuser",
            Self::Custom => "custom",
        }
    }
}

/// The HTTP method of a function in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HttpMethod {
    /// `GET` (and `HEAD`): contexts.
    #[serde(rename = "GET")]
    Get,
    /// `POST`: calls.
    #[serde(rename = "POST")]
    Post,
}

impl HttpMethod {
    /// The method's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(kind: FunctionKind) -> FunctionEntry {
        FunctionEntry::new(
            "greet",
            "greet",
            kind,
            AuthLevel::Staff,
            vec!["name".into()],
            json!({"type": "object"}),
            json!({"type": "string"}),
        )
    }

    #[test]
    fn kind_travels_as_the_kind_and_context_members() {
        for (kind, members) in [
            (FunctionKind::Call, json!({"kind": "call", "context": null})),
            (
                FunctionKind::GLOBAL_CONTEXT,
                json!({"kind": "context", "context": "global"}),
            ),
            (
                FunctionKind::LOCAL_CONTEXT,
                json!({"kind": "context", "context": "local"}),
            ),
        ] {
            let value = serde_json::to_value(entry(kind)).unwrap();
            assert_eq!(value["kind"], members["kind"]);
            assert_eq!(value["context"], members["context"]);
            let back: FunctionEntry = serde_json::from_value(value).unwrap();
            assert_eq!(back, entry(kind));
        }
    }

    #[test]
    fn entries_derive_method_path_and_hash() {
        let value = serde_json::to_value(entry(FunctionKind::LOCAL_CONTEXT)).unwrap();
        assert_eq!(value["method"], "GET");
        assert_eq!(value["path"], "/context/greet");
        assert_eq!(value["auth"], "staff");
        let hash = value["schema_hash"].as_str().unwrap();
        assert!(is_schema_hash(hash), "{hash}");
        let call = serde_json::to_value(entry(FunctionKind::Call)).unwrap();
        assert_eq!(call["method"], "POST");
        assert_eq!(call["path"], "/call/greet");
        // The hash covers the schemas only, not the kind.
        assert_eq!(call["schema_hash"], value["schema_hash"]);
    }

    #[test]
    fn inconsistent_kind_members_are_refused() {
        let mut value = serde_json::to_value(entry(FunctionKind::Call)).unwrap();
        value["context"] = json!("local");
        let err = serde_json::from_value::<FunctionEntry>(value.clone()).unwrap_err();
        assert!(
            err.to_string().contains("a call has `context` null"),
            "{err}"
        );
        value["kind"] = json!("context");
        value["context"] = json!(null);
        assert!(serde_json::from_value::<FunctionEntry>(value.clone()).is_err());
        value["kind"] = json!("query");
        assert!(serde_json::from_value::<FunctionEntry>(value).is_err());
    }

    #[test]
    fn manifests_sort_functions_by_name() {
        let mut a = entry(FunctionKind::Call);
        a.name = "b".into();
        let mut b = entry(FunctionKind::Call);
        b.name = "a".into();
        let manifest = Manifest::new(vec![a, b]);
        assert_eq!(manifest.protocol, PROTOCOL_VERSION);
        assert_eq!(manifest.functions[0].name, "a");
        assert!(manifest.function("b").is_some());
        assert!(manifest.function("c").is_none());
    }
}
