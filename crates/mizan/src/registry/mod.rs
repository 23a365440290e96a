//! Functions registered by name, and the manifest that describes them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use mizan_codegen::Rules;
use mizan_core::cache_key::is_valid_function_name;
use mizan_core::cache_tags::TagTemplate;
use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::AuthRequirement;
use crate::cache::declare::{self, CachePlan};
use crate::channels::Channel;
use crate::channels::registered::RegisteredChannel;
use crate::forms::{AnyForm, FormHandler, FormRuntime};
use crate::function::{FunctionOptions, ServerFunction};
use crate::manifest::{AuthLevel, FunctionEntry, Manifest, schema_hash};
use crate::validation::{ParamsValidator, find_unportable_pattern, recursive_union, untagged};

mod error;

pub use error::RegistryError;

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
    /// A context's cache policy (§2.16.1) with its tag templates parsed once, here; `None` for
    /// calls and contexts without one. The tags of an answer are
    /// `mizan_core::cache_tags::answer_tags(name, params, &plan.templates)`.
    pub(crate) cache: Option<CachePlan>,
    /// A call's `invalidates` templates (§2.16.4), parsed, in declared order: expand each with
    /// the call's params after a successful run. Empty for contexts.
    pub(crate) invalidates: Vec<TagTemplate>,
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
    /// The generated client's rules, over the functions registered so far.
    rules: Rules,
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
    /// integer makes ambiguous (`spec/PROTOCOL.md` §2.7, §2.9). Last, the generated client's
    /// rules ([`RegistryError::GeneratorRules`], every problem at once): a TypeScript name that
    /// another function takes, a local context's param named like a prop of its provider
    /// (`children`, `rev`, `key`, `ref`), a named type that is not a usable identifier or that
    /// means something else in another function (two different `Item`s), a schema TypeScript
    /// cannot express.
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
        let (cache, invalidates) = declare::check(name, &options, &input_schema)?;
        let params_validator = ParamsValidator::compile(&input_schema).map_err(|reason| {
            RegistryError::InvalidInputSchema {
                name: name.to_owned(),
                reason,
            }
        })?;
        // Over the schemas exactly as the manifest publishes them.
        let schema_hash = schema_hash(&input_schema, &output_schema);
        let registered = Registered {
            function: Arc::new(function),
            options,
            input_schema,
            output_schema,
            input_has_wide,
            schema_hash,
            params_validator,
            checks_own_params,
            form_submit: None,
            cache,
            invalidates,
        };
        // Last, so that only functions registered for good are in the rules: what the generated
        // client needs is caught here, at startup, all of it at once, not by `mizan generate`.
        self.rules
            .add(&manifest_entry(name, &registered))
            .map_err(|problems| RegistryError::GeneratorRules {
                name: name.to_owned(),
                problems,
            })?;
        self.functions.insert(name.to_owned(), registered);
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
        let rules_before = self.rules.clone();
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
                self.rules = rules_before;
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

    /// Checks what registration could not, since a function may name another registered after
    /// it: every context a call invalidates (`invalidates(contexts = [...])`, or a
    /// `mizan:fn:<name>` template) is a registered context with a cache policy (§2.16.2).
    /// Building the router and generating the client run it.
    ///
    /// ```
    /// use mizan::{Registry, Request, Result};
    ///
    /// #[mizan::client(invalidates(contexts = ["posts"]))]
    /// fn add_post(_req: &Request, text: String) -> Result<()> {
    ///     Ok(())
    /// }
    ///
    /// let mut registry = Registry::new();
    /// registry.register(add_post, "add_post").unwrap();
    /// let err = registry.check().unwrap_err();
    /// assert!(err.to_string().contains("\"posts\" is not a registered function"), "{err}");
    /// ```
    pub fn check(&self) -> Result<(), RegistryError> {
        for (name, function) in &self.functions {
            for context in declare::invalidated_contexts(&function.invalidates) {
                let reason = match self.functions.get(context) {
                    None => "it is not a registered function",
                    Some(f) if !f.options.kind.is_context() => "it is a call, not a context",
                    Some(f) if f.cache.is_none() => {
                        "it has no cache policy, so nothing of it is kept to purge"
                    }
                    Some(_) => continue,
                };
                return Err(RegistryError::InvalidatedContext {
                    name: name.clone(),
                    context: context.to_owned(),
                    reason: reason.to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The manifest (`spec/PROTOCOL.md` §2.7): every function with its kind, auth, path, schemas
    /// and schema hash, sorted by name.
    pub fn manifest(&self) -> Manifest {
        let functions = self
            .functions
            .iter()
            .map(|(name, f)| manifest_entry(name, f))
            .collect();
        Manifest::new(functions)
            .with_forms(self.forms.values().map(|f| f.spec().clone()).collect())
            .with_channels(self.channels.values().map(|c| c.entry()).collect())
    }
}

/// The manifest's entry of the function registered as `name`.
fn manifest_entry(name: &str, f: &Registered) -> FunctionEntry {
    FunctionEntry {
        name: name.to_owned(),
        rust_name: f.options.rust_name.to_owned(),
        kind: f.options.kind,
        auth: auth_level(&f.options.auth),
        method: f.options.kind.method(),
        path: f.options.kind.path(name),
        params: f.options.params.iter().map(|&p| p.to_owned()).collect(),
        input: f.input_schema.clone(),
        output: f.output_schema.clone(),
        schema_hash: f.schema_hash.clone(),
        cache: f.cache.as_ref().map(|plan| plan.policy.clone()),
        invalidates: f
            .options
            .invalidates
            .iter()
            .map(|&t| t.to_owned())
            .collect(),
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
