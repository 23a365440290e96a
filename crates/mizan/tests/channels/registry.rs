//! Registering channels (§2.15.1, §2.7) and their manifest entries.

use mizan::channels::{Channel, NoIncoming};
use mizan::manifest::channel_schema_hash;
use mizan::{AuthLevel, Registry, RegistryError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::{Chat, Ticker, registry};

#[test]
fn the_manifest_lists_channels_by_name_with_their_schemas_and_hash() {
    let manifest = registry().manifest();
    let names: Vec<_> = manifest.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["chat", "ticker"]);
    let ticker = manifest.channel("ticker").unwrap();
    assert_eq!(ticker.rust_name, "Ticker");
    assert_eq!(ticker.auth, AuthLevel::None);
    assert_eq!(ticker.incoming, None);
    assert_eq!(ticker.params["additionalProperties"], json!(false));
    assert_eq!(ticker.params["required"], json!(["topic"]));
    assert_eq!(ticker.message["properties"]["n"]["type"], "string");
    assert_eq!(ticker.message["properties"]["n"]["format"], "uint64");
    assert_eq!(
        ticker.schema_hash,
        channel_schema_hash(&ticker.params, &ticker.message, None)
    );
    let chat = manifest.channel("chat").unwrap();
    assert_eq!(chat.auth, AuthLevel::Authenticated);
    let incoming = chat.incoming.as_ref().unwrap();
    assert_eq!(
        incoming["properties"]["count"]["type"],
        json!(["string", "null"])
    );
    let value = serde_json::to_value(&manifest).unwrap();
    assert_eq!(value["channels"][1]["incoming"], json!(null));
}

#[test]
fn a_manifest_without_channels_leaves_the_member_out() {
    let value = serde_json::to_value(Registry::new().manifest()).unwrap();
    assert!(value.get("channels").is_none());
}

#[test]
fn duplicate_and_invalid_names_are_refused() {
    let mut registry = Registry::new();
    registry.channel(Ticker).unwrap();
    assert_eq!(
        registry.channel(Ticker).unwrap_err(),
        RegistryError::DuplicateChannel("ticker".into())
    );
    struct Bad;
    impl Channel for Bad {
        const NAME: &'static str = "no-dashes";
        type Params = crate::support::TopicParams;
        type Message = String;
        type Incoming = NoIncoming;
        fn group(_: &Self::Params) -> String {
            "g".into()
        }
    }
    assert_eq!(
        registry.channel(Bad).unwrap_err(),
        RegistryError::InvalidChannelName("no-dashes".into())
    );
    registry.channel(Chat).unwrap();
}

#[derive(Deserialize, JsonSchema)]
struct PatternParams {
    #[schemars(regex(pattern = r"^\d+$"))]
    code: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum IdOrName {
    Id(u64),
    Name(String),
}

#[derive(Deserialize, JsonSchema)]
struct AmbiguousParams {
    who: IdOrName,
}

#[derive(Serialize, Deserialize, JsonSchema)]
struct Empty {}

macro_rules! channel {
    ($name:ident, $wire:literal, $params:ty, $incoming:ty) => {
        struct $name;
        impl Channel for $name {
            const NAME: &'static str = $wire;
            type Params = $params;
            type Message = Empty;
            type Incoming = $incoming;
            fn group(_: &Self::Params) -> String {
                "g".into()
            }
        }
    };
}

channel!(Unportable, "unportable", PatternParams, NoIncoming);
channel!(Ambiguous, "ambiguous", AmbiguousParams, NoIncoming);
channel!(AmbiguousIncoming, "ambiguous_in", Empty, AmbiguousParams);
channel!(NotObject, "not_object", String, NoIncoming);

#[test]
fn schemas_a_function_could_not_have_are_refused() {
    let mut registry = Registry::new();
    match registry.channel(Unportable).unwrap_err() {
        RegistryError::UnportablePattern {
            name, schema_path, ..
        } => {
            assert_eq!(name, "unportable");
            assert!(schema_path.starts_with("params/"), "{schema_path}");
        }
        other => panic!("{other:?}"),
    }
    match registry.channel(Ambiguous).unwrap_err() {
        RegistryError::AmbiguousUnion { schema_path, .. } => {
            assert!(schema_path.starts_with("params"), "{schema_path}");
        }
        other => panic!("{other:?}"),
    }
    match registry.channel(AmbiguousIncoming).unwrap_err() {
        RegistryError::AmbiguousUnion { schema_path, .. } => {
            assert!(schema_path.starts_with("incoming"), "{schema_path}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        registry.channel(NotObject).unwrap_err(),
        RegistryError::ChannelParamsNotObject {
            name: "not_object".into()
        }
    );
    assert_eq!(registry.channel_names().count(), 0);
}
