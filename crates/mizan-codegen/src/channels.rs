//! Channels (`spec/PROTOCOL.md` §2.15.1) read from the manifest: their types, and the names their
//! generated code takes, which must be free (`index.ts` re-exports every file into one namespace).

use std::collections::{BTreeMap, BTreeSet};

use mizan_core::cache_key::is_valid_function_name;
use mizan_core::manifest::{ChannelEntry, is_schema_hash};
use serde_json::Value;

use crate::GenerateError;
use crate::model::{Function, NamedTypes, root_without_meta};
use crate::names::{is_identifier, pascal_case};
use crate::schema::{Ty, Unsupported, read_root};

/// One channel, ready to emit.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) name: String,
    pub(crate) pascal: String,
    /// Sent as `schema` in `subscribe`, checked to be a schema hash.
    pub(crate) schema_hash: String,
    pub(crate) params: Ty,
    pub(crate) message: Ty,
    /// `None` when subscribers may not send.
    pub(crate) incoming: Option<Ty>,
}

impl Channel {
    /// Every top-level name generated for the channel `pascal` (types, schemas, the hook).
    fn generated_names(pascal: &str) -> [String; 6] {
        [
            format!("{pascal}ChannelParams"),
            format!("{pascal}ChannelMessage"),
            format!("{pascal}ChannelIncoming"),
            format!("{pascal}ChannelParamsSchema"),
            format!("{pascal}ChannelIncomingSchema"),
            format!("use{pascal}Channel"),
        ]
    }
}

/// The names the functions' generated code declares, each with who takes it.
fn function_names(functions: &[Function], types: &NamedTypes) -> BTreeMap<String, String> {
    let mut taken = BTreeMap::new();
    for f in functions {
        let p = &f.pascal;
        let mut names = vec![
            format!("{p}Input"),
            format!("{p}Output"),
            format!("{p}InputSchema"),
            format!("{p}OutputSchema"),
        ];
        names.extend(crate::hooks::declared_names(p, f.kind));
        for name in names {
            taken.insert(name, format!("function {:?}", f.name));
        }
    }
    for name in types.keys() {
        taken.insert(name.clone(), format!("the type {name:?}"));
        taken.insert(format!("{name}Schema"), format!("the type {name:?}"));
    }
    taken
}

/// Checks the channels against each other and against what the functions generate, and reads
/// their schemas, adding their named types to `types` (a type shared with a function must be
/// defined the same way).
pub(crate) fn read(
    entries: &[ChannelEntry],
    functions: &[Function],
    types: &mut NamedTypes,
) -> Result<Vec<Channel>, GenerateError> {
    let mut taken = function_names(functions, types);
    let mut sorted: Vec<&ChannelEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for entry in &sorted {
        let name = entry.name.as_str();
        if !is_valid_function_name(name) {
            return Err(GenerateError::InvalidChannelName(name.to_owned()));
        }
        if !is_schema_hash(&entry.schema_hash) {
            return Err(GenerateError::Manifest(format!(
                "channel {name:?} has the schema hash {:?}, which is not 22 base64url characters",
                entry.schema_hash
            )));
        }
        for generated in Channel::generated_names(&pascal_case(name)) {
            if let Some(other) = taken.insert(generated.clone(), format!("channel {name:?}")) {
                return Err(GenerateError::ChannelNameClash {
                    channel: name.to_owned(),
                    other,
                    generated,
                });
            }
        }
    }
    let mut from_channels = BTreeSet::new();
    let mut channels = Vec::with_capacity(sorted.len());
    for entry in sorted {
        let name = entry.name.as_str();
        let pascal = pascal_case(name);
        let mut defs = Vec::new();
        let (params, params_defs) = read_side(name, "params", &entry.params, None)?;
        let params = named(params, &format!("{pascal}ChannelParams"));
        defs.push((params_defs, &entry.params));
        let (message, message_defs) = read_side(
            name,
            "message",
            &entry.message,
            Some(&format!("{pascal}ChannelMessage")),
        )?;
        defs.push((message_defs, &entry.message));
        let incoming = match &entry.incoming {
            Some(schema) => {
                let (ty, incoming_defs) = read_side(
                    name,
                    "incoming",
                    schema,
                    Some(&format!("{pascal}ChannelIncoming")),
                )?;
                defs.push((incoming_defs, schema));
                Some(ty)
            }
            None => None,
        };
        for (side_defs, schema) in defs {
            for (type_name, ty) in side_defs {
                add_type(
                    name,
                    type_name,
                    ty,
                    schema,
                    &taken,
                    types,
                    &mut from_channels,
                )?;
            }
        }
        channels.push(Channel {
            name: name.to_owned(),
            pascal,
            schema_hash: entry.schema_hash.clone(),
            params,
            message,
            incoming,
        });
    }
    Ok(channels)
}

fn named(mut ty: Ty, name: &str) -> Ty {
    ty.name_root(name);
    ty
}

/// Reads one of a channel's schemas. With `fallback` (message, incoming), a root object or union
/// whose schema has a `title` becomes a named type of that title, as a function's output does.
fn read_side(
    channel: &str,
    side: &'static str,
    schema: &Value,
    fallback: Option<&str>,
) -> Result<(Ty, BTreeMap<String, Ty>), GenerateError> {
    let (mut ty, mut defs) =
        read_root(schema).map_err(|u: Unsupported| GenerateError::UnsupportedChannelSchema {
            channel: channel.to_owned(),
            side,
            pointer: u.pointer,
            what: u.what,
        })?;
    let Some(fallback) = fallback else {
        return Ok((ty, defs));
    };
    match schema.get("title").and_then(Value::as_str) {
        Some(title) if matches!(ty, Ty::Object { .. } | Ty::Union(_) | Ty::Intersection(_)) => {
            ty.name_root(title);
            defs.insert(title.to_owned(), ty);
            ty = Ty::Ref(title.to_owned());
        }
        _ => ty.name_root(fallback),
    }
    Ok((ty, defs))
}

/// Adds a channel's named type, unless its name is unusable, taken by generated code, or taken by
/// a different type.
fn add_type(
    channel: &str,
    type_name: String,
    ty: Ty,
    schema: &Value,
    taken: &BTreeMap<String, String>,
    types: &mut NamedTypes,
    from_channels: &mut BTreeSet<String>,
) -> Result<(), GenerateError> {
    let clash = |other: String| GenerateError::ChannelNameClash {
        channel: channel.to_owned(),
        other,
        generated: type_name.clone(),
    };
    if !is_identifier(&type_name) || type_name.ends_with("Schema") {
        return Err(GenerateError::Manifest(format!(
            "channel {channel:?}: the type name {type_name:?} is not a usable TypeScript identifier (invalid, reserved, or ending in `Schema`); rename the Rust type or give it #[schemars(rename = \"...\")]"
        )));
    }
    match types.get(&type_name) {
        Some((existing, _, owner)) if *existing != ty => {
            let owner = if from_channels.contains(&type_name) {
                format!("channel {owner:?}")
            } else {
                format!("function {owner:?}")
            };
            Err(clash(format!("a different type of {owner}")))
        }
        Some(_) => Ok(()),
        None => {
            // A name the generated code declares for a function or a channel.
            if let Some(other) = taken.get(&type_name) {
                return Err(clash(other.clone()));
            }
            let raw = schema
                .get("$defs")
                .and_then(|d| d.get(&type_name))
                .cloned()
                .unwrap_or_else(|| root_without_meta(schema));
            from_channels.insert(type_name.clone());
            types.insert(type_name, (ty, raw, channel.to_owned()));
            Ok(())
        }
    }
}
