//! Functions registered by name, and the manifest that describes them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use mizan_core::cache_key::is_valid_function_name;
use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::AuthRequirement;
use crate::channels::Channel;
use crate::channels::registered::RegisteredChannel;
use crate::forms::{AnyForm, FormHandler, FormRuntime};
use crate::function::{FunctionOptions, ServerFunction};
use crate::manifest::{
    AuthLevel, ContextKind, FunctionEntry, LOCAL_CONTEXT_RESERVED_PARAMS, Manifest, schema_hash,
};
use crate::validation::{ParamsValidator, find_unportable_pattern, recursive_union, untagged};

pub(crate) struct Registered {
    pub(crate) function: Arc<dyn ServerFunction>,
    pub(crate) options: FunctionOptions,
    /// With 64-bit integers as the strings they travel as (§2.9).
    pub(crate) input_schema: Value,
    output_schema: Value,
    /// Whether the params have 64-bit integers to turn back from strings.
    pub(crate) input_has_wide: bool,
    /// The manifest's `schema_hash` of the published schemas, compared with what clients send.
    pub(crate) schema_hash: String,
    /// `input_schema`, compiled: params are checked against it before they are decoded.
    pub(crate) params_validator: ParamsValidator,
    /// Whether the function checks its params itself (forms) instead of with `params_validator`.
    pub(crate) checks_own_params: bool,
    /// The form whose `submit` this is, which also takes multipart bodies (§2.13.4).
    pub(crate) form_submit: Option<Arc<dyn AnyForm>>,
}

/// The server functions of an application, by name.
///
/// ```
/// use mizan::{Registry, Request, Result};
///
/// #[mizan::client]
/// fn ping(_req: &Request) -> Result<String> {
///     Ok("pong".into())
/// }
///
/// let mut registry = Registry::new();
/// registry.register(ping, "ping").unwrap();
/// let err = registry.register(ping, "ping").unwrap_err();
/// assert_eq!(err.to_string(), "a function named \"ping\" is already registered");
/// ```
#[derive(Default)]
pub struct Registry {
    functions: BTreeMap<String, Registered>,
    forms: BTreeMap<String, Arc<dyn AnyForm>>,
    channels: BTreeMap<String, Arc<RegisteredChannel>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `function` under `name` (dotted names like `contact.submit` are fine).
    ///
    /// Fails for a name that is taken, a name that breaks the naming rule, a context whose
    /// output can contain floats (context bodies are canonical JSON, which has none), a schema
    /// `pattern` outside the portable regex subset, or params with an untagged union a 64-bit
    /// integer makes ambiguous (`spec/PROTOCOL.md` §2.7, §2.9).
    pub fn register<F: ServerFunction>(
        &mut self,
        function: F,
        name: &str,
    ) -> Result<&mut Self, RegistryError> {
        if !is_valid_function_name(name) {
            return Err(RegistryError::InvalidName(name.to_owned()));
        }
        if self.functions.contains_key(name) {
            return Err(RegistryError::DuplicateName(name.to_owned()));
        }
        let options = function.options();
        if options.kind.context() == Some(ContextKind::Local)
            && let Some(param) = options
                .params
                .iter()
                .find(|p| LOCAL_CONTEXT_RESERVED_PARAMS.contains(p))
        {
            // Caught here, at startup, rather than when the client is generated.
            return Err(RegistryError::ReservedParameter {
                name: name.to_owned(),
                param: (*param).to_owned(),
            });
        }
        let checks_own_params = function.checks_own_params();
        let mut generator = SchemaSettings::draft2020_12().into_generator();
        let mut input_schema = function.input_schema(&mut generator).to_value();
        let mut output_schema = crate::output_view::output_schema(&function);
        let input_has_wide = crate::wide_int::has_wide(&input_schema);
        crate::wide_int::rewrite_schema(&mut input_schema);
        crate::wide_int::rewrite_schema(&mut output_schema);
        let float_at = options
            .kind
            .context()
            .and_then(|_| find_float(&output_schema, String::new()));
        if let Some(schema_path) = float_at {
            return Err(RegistryError::FloatInContextOutput {
                name: name.to_owned(),
                schema_path,
            });
        }
        for (side, schema) in [("input", &input_schema), ("output", &output_schema)] {
            if let Some(found) = find_unportable_pattern(schema) {
                return Err(RegistryError::UnportablePattern {
                    name: name.to_owned(),
                    schema_path: format!("{side}{}", found.schema_path),
                    pattern: found.pattern,
                    reason: found.reason,
                });
            }
        }
        if let Some((schema_path, first, second)) = untagged::find_ambiguous_union(&input_schema) {
            return Err(RegistryError::AmbiguousUnion {
                name: name.to_owned(),
                schema_path: format!("input{schema_path}"),
                variants: (first, second),
            });
        }
        if let Some(found) = recursive_union::find_recursive_union(&input_schema) {
            return Err(RegistryError::RecursiveUntaggedUnion {
                name: name.to_owned(),
                schema_path: format!("input{}", found.schema_path),
                variants: found.variants,
            });
        }
        let params_validator = ParamsValidator::compile(&input_schema).map_err(|reason| {
            RegistryError::InvalidInputSchema {
                name: name.to_owned(),
                reason,
            }
        })?;
        // Over the schemas exactly as the manifest publishes them.
        let schema_hash = schema_hash(&input_schema, &output_schema);
        self.functions.insert(
            name.to_owned(),
            Registered {
                function: Arc::new(function),
                options,
                input_schema,
                output_schema,
                input_has_wide,
                schema_hash,
                params_validator,
                checks_own_params,
                form_submit: None,
            },
        );
        Ok(self)
    }

    /// Registers the form `T` (`#[derive(mizan::Form)]`): its functions `<name>.schema`,
    /// `<name>.validate` and `<name>.submit` (`spec/PROTOCOL.md` §2.13), and its spec in the
    /// manifest. Fails for a spec that cannot be checked alike on every side (a widget that does
    /// not suit its field, a rule on a field it does not apply to, an unportable pattern, ...) and
    /// for names that are taken.
    pub fn form<T: FormHandler>(&mut self) -> Result<&mut Self, RegistryError> {
        let spec = T::spec();
        if let Some(reason) = crate::forms::spec_problem(&spec) {
            return Err(RegistryError::InvalidForm {
                name: spec.name,
                reason,
            });
        }
        let name = spec.name.clone();
        let names: Vec<String> = ["schema", "validate", "submit"]
            .iter()
            .map(|f| format!("{name}.{f}"))
            .collect();
        if let Some(taken) = names
            .iter()
            .find(|n| self.functions.contains_key(n.as_str()))
            .or_else(|| self.forms.contains_key(&name).then_some(&names[0]))
        {
            return Err(RegistryError::DuplicateName(taken.clone()));
        }
        let form: Arc<dyn AnyForm> = Arc::new(FormRuntime::<T>::new(spec));
        for (i, (name, function)) in names
            .iter()
            .zip(crate::forms::functions::<T>(&form))
            .enumerate()
        {
            if let Err(e) = self.register(function, name) {
                // All or nothing: a form is registered whole or not at all.
                for earlier in &names[..i] {
                    self.functions.remove(earlier);
                }
                return Err(e);
            }
        }
        if let Some(submit) = self.functions.get_mut(&names[2]) {
            submit.form_submit = Some(form.clone());
        }
        self.forms.insert(name, form);
        Ok(self)
    }

    /// Registers the channel `channel` under [`Channel::NAME`] (`spec/PROTOCOL.md` §2.15.1).
    ///
    /// Fails for a name that is taken by another channel or breaks the naming rule, params that
    /// are not an object, and schemas a function could not have either (§2.7): a `pattern`
    /// outside the portable subset, or an ambiguous or recursive untagged union in the params or
    /// the incoming messages.
    pub fn channel<C: Channel>(&mut self, channel: C) -> Result<&mut Self, RegistryError> {
        let name = C::NAME;
        if !is_valid_function_name(name) {
            return Err(RegistryError::InvalidChannelName(name.to_owned()));
        }
        if self.channels.contains_key(name) {
            return Err(RegistryError::DuplicateChannel(name.to_owned()));
        }
        let registered = RegisteredChannel::new(channel)?;
        self.channels.insert(name.to_owned(), Arc::new(registered));
        Ok(self)
    }

    /// The channel named `name`.
    pub(crate) fn get_channel(&self, name: &str) -> Option<&Arc<RegisteredChannel>> {
        self.channels.get(name)
    }

    /// The registered channels' names, sorted.
    pub fn channel_names(&self) -> impl Iterator<Item = &str> {
        self.channels.keys().map(String::as_str)
    }

    /// The registered forms, by name.
    pub(crate) fn forms(&self) -> impl Iterator<Item = &Arc<dyn AnyForm>> {
        self.forms.values()
    }

    /// The form named `name`.
    pub(crate) fn get_form(&self, name: &str) -> Option<&Arc<dyn AnyForm>> {
        self.forms.get(name)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Registered> {
        self.functions.get(name)
    }

    /// The manifest (`spec/PROTOCOL.md` §2.7): every function with its kind, auth, path, schemas
    /// and schema hash, sorted by name.
    pub fn manifest(&self) -> Manifest {
        let functions = self
            .functions
            .iter()
            .map(|(name, f)| FunctionEntry {
                name: name.clone(),
                rust_name: f.options.rust_name.to_owned(),
                kind: f.options.kind,
                auth: auth_level(&f.options.auth),
                method: f.options.kind.method(),
                path: f.options.kind.path(name),
                params: f.options.params.iter().map(|&p| p.to_owned()).collect(),
                input: f.input_schema.clone(),
                output: f.output_schema.clone(),
                schema_hash: f.schema_hash.clone(),
                // Filled from the function's options by the cache declaration work (§2.16.1).
                cache: None,
                invalidates: Vec::new(),
            })
            .collect();
        Manifest::new(functions)
            .with_forms(self.forms.values().map(|f| f.spec().clone()).collect())
            .with_channels(self.channels.values().map(|c| c.entry()).collect())
    }
}

/// How the manifest names an auth requirement.
fn auth_level(auth: &AuthRequirement) -> AuthLevel {
    match auth {
        AuthRequirement::Public => AuthLevel::None,
        AuthRequirement::Authenticated => AuthLevel::Authenticated,
        AuthRequirement::Staff => AuthLevel::Staff,
        AuthRequirement::Superuser => AuthLevel::Superuser,
        AuthRequirement::Custom(_) => AuthLevel::Custom,
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("functions", &self.functions.keys().collect::<Vec<_>>())
            .field("channels", &self.channels.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The JSON Pointer of the first place in `schema` that allows a non-integer number.
fn find_float(schema: &Value, at: String) -> Option<String> {
    match schema {
        Value::Object(map) => {
            let is_number = |t: &Value| t.as_str() == Some("number");
            match map.get("type") {
                Some(Value::Array(types)) if types.iter().any(is_number) => return Some(at),
                Some(t) if is_number(t) => return Some(at),
                _ => {}
            }
            map.iter().find_map(|(key, value)| {
                find_float(
                    value,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                )
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_float(item, format!("{at}/{i}"))),
        _ => None,
    }
}

/// Why a function cannot be registered. Registration happens at startup, so these stop the
/// server before it serves anything.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// The name is already taken.
    DuplicateName(String),
    /// A local context has a param its generated provider cannot take as a prop (`children`,
    /// `rev`, `key`, `ref`).
    ReservedParameter {
        /// The function.
        name: String,
        /// The param.
        param: String,
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
            Self::ReservedParameter { name, param } => write!(
                f,
                "local context {name:?} has a param named {param:?}, which its generated <Provider> cannot take as a prop (children, rev, key and ref are React's or Mizan's): rename it"
            ),
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
            Self::InvalidInputSchema { name, reason } => write!(
                f,
                "the input schema of function {name:?} cannot be compiled: {reason}"
            ),
        }
    }
}

impl std::error::Error for RegistryError {}
