//! A channel as the registry keeps it: its schemas, checked and compiled once, and its handlers
//! behind an object-safe trait so the server holds channels of every type side by side.

use std::any::{Any, TypeId};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::declare::{Channel, NoIncoming, Subscriber};
use super::{Channels, is_valid_group};
use crate::manifest::{AuthLevel, ChannelEntry, channel_schema_hash};
use crate::registry::RegistryError;
use crate::validation::{ParamsValidator, find_unportable_pattern, recursive_union, untagged};
use crate::{BoxFuture, Error, Principal, Result};

/// A subscription's decoded params, kept as the channel's own type.
pub(crate) type AnyParams = Arc<dyn Any + Send + Sync>;

/// The handlers of a channel, whatever its types.
pub(crate) trait ErasedChannel: Send + Sync {
    /// Decodes checked params (64-bit integers already numbers) and computes the group.
    fn decode(&self, params: Value) -> Result<(AnyParams, String)>;
    /// The channel's own authorize check.
    fn authorize<'a>(
        &'a self,
        principal: &'a Principal,
        params: &'a AnyParams,
    ) -> BoxFuture<'a, Result<()>>;
    /// Runs the receive handler for checked incoming `data`.
    fn receive<'a>(&'a self, from: Sender<'a>, data: Value) -> BoxFuture<'a, Result<()>>;
}

/// Who sent a `send` frame, as the erased receive handler gets it.
pub(crate) struct Sender<'a> {
    pub(crate) principal: &'a Principal,
    pub(crate) params: &'a AnyParams,
    pub(crate) group: &'a str,
    pub(crate) channels: &'a Channels,
}

struct Typed<C>(C);

impl<C: Channel> ErasedChannel for Typed<C> {
    fn decode(&self, params: Value) -> Result<(AnyParams, String)> {
        let params: C::Params = serde_json::from_value(params)
            .map_err(|e| Error::bad_request(format!("params do not decode: {e}")))?;
        let group = C::group(&params);
        if !is_valid_group(&group) {
            return Err(Error::internal(format!(
                "channel {} computed the invalid group {group:?}",
                C::NAME
            )));
        }
        Ok((Arc::new(params), group))
    }

    fn authorize<'a>(
        &'a self,
        principal: &'a Principal,
        params: &'a AnyParams,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let Some(params) = params.downcast_ref::<C::Params>() else {
                return Err(Error::internal("params of another channel"));
            };
            self.0.authorize(principal, params).await
        })
    }

    fn receive<'a>(&'a self, from: Sender<'a>, data: Value) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let Some(params) = from.params.downcast_ref::<C::Params>() else {
                return Err(Error::internal("params of another channel"));
            };
            let message: C::Incoming = serde_json::from_value(data)
                .map_err(|e| Error::bad_request(format!("data does not decode: {e}")))?;
            let subscriber = Subscriber::<C> {
                principal: from.principal,
                params,
                group: from.group,
                channels: from.channels,
            };
            self.0.receive(&subscriber, message).await
        })
    }
}

/// A registered channel.
pub(crate) struct RegisteredChannel {
    pub(crate) name: Arc<str>,
    pub(crate) rust_name: &'static str,
    pub(crate) auth: AuthLevel,
    pub(crate) params_schema: Value,
    pub(crate) params_validator: ParamsValidator,
    pub(crate) params_have_wide: bool,
    message_schema: Value,
    /// The published `incoming` schema, when clients may send.
    incoming_schema: Option<Value>,
    /// `{"data": <incoming>}`, so that field paths start at `data` (§2.15.3).
    pub(crate) incoming_wrapper: Option<(Value, ParamsValidator, bool)>,
    pub(crate) schema_hash: String,
    pub(crate) handlers: Box<dyn ErasedChannel>,
}

impl RegisteredChannel {
    /// Builds the schemas of `channel` and checks them as a function's (§2.7, §2.15.1).
    pub(crate) fn new<C: Channel>(channel: C) -> Result<Self, RegistryError> {
        let name = C::NAME;
        let mut params_schema = SchemaSettings::draft2020_12()
            .into_generator()
            .root_schema_for::<C::Params>()
            .to_value();
        match &mut params_schema {
            Value::Object(root) if root.get("type") == Some(&json!("object")) => {
                root.entry("additionalProperties").or_insert(json!(false));
            }
            _ => {
                return Err(RegistryError::ChannelParamsNotObject {
                    name: name.to_owned(),
                });
            }
        }
        let params_have_wide = crate::wide_int::has_wide(&params_schema);
        crate::wide_int::rewrite_schema(&mut params_schema);
        let mut message_schema = crate::output_view::output_schema_with(|generator| {
            generator.root_schema_for::<C::Message>()
        });
        crate::wide_int::rewrite_schema(&mut message_schema);
        let incoming_schema =
            (TypeId::of::<C::Incoming>() != TypeId::of::<NoIncoming>()).then(|| {
                let mut schema = SchemaSettings::draft2020_12()
                    .into_generator()
                    .root_schema_for::<C::Incoming>()
                    .to_value();
                crate::wide_int::rewrite_schema(&mut schema);
                schema
            });
        let sides = [
            ("params", Some(&params_schema)),
            ("message", Some(&message_schema)),
            ("incoming", incoming_schema.as_ref()),
        ];
        for (side, schema) in sides {
            let Some(schema) = schema else { continue };
            if let Some(found) = find_unportable_pattern(schema) {
                return Err(RegistryError::UnportablePattern {
                    name: name.to_owned(),
                    schema_path: format!("{side}{}", found.schema_path),
                    pattern: found.pattern,
                    reason: found.reason,
                });
            }
        }
        for (side, schema) in [
            ("params", Some(&params_schema)),
            ("incoming", incoming_schema.as_ref()),
        ] {
            let Some(schema) = schema else { continue };
            if let Some((schema_path, first, second)) = untagged::find_ambiguous_union(schema) {
                return Err(RegistryError::AmbiguousUnion {
                    name: name.to_owned(),
                    schema_path: format!("{side}{schema_path}"),
                    variants: (first, second),
                });
            }
            if let Some(found) = recursive_union::find_recursive_union(schema) {
                return Err(RegistryError::RecursiveUntaggedUnion {
                    name: name.to_owned(),
                    schema_path: format!("{side}{}", found.schema_path),
                    variants: found.variants,
                });
            }
        }
        let invalid = |reason| RegistryError::InvalidInputSchema {
            name: name.to_owned(),
            reason,
        };
        let params_validator = ParamsValidator::compile(&params_schema).map_err(invalid)?;
        let incoming_wrapper = match &incoming_schema {
            Some(schema) => {
                let wrapper = wrap_data(schema);
                let validator = ParamsValidator::compile(&wrapper).map_err(invalid)?;
                let wide = crate::wide_int::has_wide(schema);
                Some((wrapper, validator, wide))
            }
            None => None,
        };
        let schema_hash =
            channel_schema_hash(&params_schema, &message_schema, incoming_schema.as_ref());
        Ok(Self {
            name: Arc::from(name),
            rust_name: short_type_name::<C>(),
            auth: C::AUTH,
            params_schema,
            params_validator,
            params_have_wide,
            message_schema,
            incoming_schema,
            incoming_wrapper,
            schema_hash,
            handlers: Box::new(Typed(channel)),
        })
    }

    /// The manifest's entry.
    pub(crate) fn entry(&self) -> ChannelEntry {
        ChannelEntry {
            name: self.name.to_string(),
            rust_name: self.rust_name.to_owned(),
            auth: self.auth,
            params: self.params_schema.clone(),
            message: self.message_schema.clone(),
            incoming: self.incoming_schema.clone(),
            schema_hash: self.schema_hash.clone(),
        }
    }

    /// Checks `params` against the published schema and decodes them: the group and the typed
    /// params (§2.15.3 step 5).
    pub(crate) fn check_params(&self, params: Map<String, Value>) -> Result<(AnyParams, String)> {
        let params = self.params_validator.check(&self.params_schema, params)?;
        let mut params = Value::Object(params);
        if self.params_have_wide {
            crate::wide_int::numbers_from_strings(
                &mut params,
                &self.params_schema,
                &self.params_schema,
            );
        }
        guard(|| self.handlers.decode(params), "a channel's group")
    }

    /// Checks `data` against the `incoming` schema; `None` when clients may not send.
    pub(crate) fn check_incoming(&self, data: Value) -> Option<Result<Value>> {
        let (wrapper, validator, wide) = self.incoming_wrapper.as_ref()?;
        let mut object = Map::with_capacity(1);
        object.insert("data".to_owned(), data);
        Some(validator.check(wrapper, object).map(|object| {
            let mut object = Value::Object(object);
            if *wide {
                crate::wide_int::numbers_from_strings(&mut object, wrapper, wrapper);
            }
            object.get_mut("data").map(Value::take).unwrap_or_default()
        }))
    }

    /// Step 6 of `subscribe`: the level, then the channel's own check. A panic is `internal`.
    pub(crate) async fn authorize(&self, principal: &Principal, params: &AnyParams) -> Result<()> {
        let allowed = match self.auth {
            AuthLevel::None | AuthLevel::Custom => true,
            AuthLevel::Authenticated => principal.is_authenticated(),
            AuthLevel::Staff => principal.is_staff(),
            AuthLevel::Superuser => principal.is_superuser(),
        };
        if !allowed {
            return Err(if principal.is_authenticated() {
                Error::forbidden("you may not subscribe to this channel")
            } else {
                Error::unauthenticated("sign in to subscribe to this channel")
            });
        }
        let name = &self.name;
        caught(
            || self.handlers.authorize(principal, params),
            || format!("the authorize check of channel {name} panicked"),
        )
        .await
    }

    /// Runs the receive handler; a panic is `internal`.
    pub(crate) async fn receive(&self, from: Sender<'_>, data: Value) -> Result<()> {
        let name = &self.name;
        caught(
            || self.handlers.receive(from, data),
            || format!("the receive handler of channel {name} panicked"),
        )
        .await
    }
}

/// Runs `start` and its future; a panic in either becomes `internal` (logged with `what`).
async fn caught<'a, T>(
    start: impl FnOnce() -> BoxFuture<'a, Result<T>>,
    what: impl FnOnce() -> String,
) -> Result<T> {
    let Ok(future) = std::panic::catch_unwind(AssertUnwindSafe(start)) else {
        return Err(Error::internal(what()));
    };
    AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(Error::internal(what())))
}

/// Runs application code that may panic; a panic becomes `internal`.
fn guard<T>(run: impl FnOnce() -> Result<T>, what: &str) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(Error::internal(format!("{what} panicked"))))
}

/// `{"type":"object","properties":{"data": schema},"required":["data"]}`, with the schema's
/// `$defs` moved to the root so its `$ref`s still resolve.
fn wrap_data(schema: &Value) -> Value {
    let mut inner = schema.clone();
    let defs = match &mut inner {
        Value::Object(map) => {
            map.remove("$schema");
            map.remove("$defs")
        }
        _ => None,
    };
    let mut wrapper = json!({
        "type": "object",
        "properties": {"data": inner},
        "required": ["data"],
    });
    if let (Some(defs), Value::Object(map)) = (defs, &mut wrapper) {
        map.insert("$defs".to_owned(), defs);
    }
    wrapper
}

/// The type's name without its module path (`Chat` for `app::channels::Chat`).
fn short_type_name<C>() -> &'static str {
    let full = std::any::type_name::<C>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}
