//! Channels: names that clash with functions, channels or types; channels that break the rules.

use mizan_codegen::GenerateError;
use serde_json::{Value, json};

use super::{call, function, generate};

fn channel(name: &str, message: Value, incoming: Option<Value>) -> Value {
    let params = json!({"type": "object", "properties": {"room": {"type": "string"}},
                        "required": ["room"], "additionalProperties": false});
    let hash = mizan_core::manifest::channel_schema_hash(&params, &message, incoming.as_ref());
    json!({"name": name, "rust_name": name, "auth": "none", "params": params,
           "message": message, "incoming": incoming, "schema_hash": hash})
}

fn manifest_with_channels(functions: Vec<Value>, channels: Vec<Value>) -> Value {
    json!({"protocol": 1, "functions": functions, "channels": channels})
}

#[test]
fn channel_names_that_clash_with_functions_channels_or_types() {
    // The call `chat.channel` has the hook `useChatChannel`, which the channel `chat` generates.
    let err = generate(&manifest_with_channels(
        vec![call("chat.channel")],
        vec![channel("chat", json!({"type": "string"}), None)],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::ChannelNameClash {
            channel: "chat".into(),
            other: "function \"chat.channel\"".into(),
            generated: "useChatChannel".into(),
        }
    );
    assert!(err.to_string().contains("rename one"), "{err}");

    let err = generate(&manifest_with_channels(
        Vec::new(),
        vec![
            channel("chat_room", json!({"type": "string"}), None),
            channel("chat.room", json!({"type": "string"}), None),
        ],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::ChannelNameClash {
            channel: "chat_room".into(),
            other: "channel \"chat.room\"".into(),
            generated: "ChatRoomChannelParams".into(),
        }
    );

    // A channel's message type named like a function's generated input type.
    let titled = json!({"title": "EchoInput", "type": "object",
                        "properties": {"a": {"type": "string"}}, "required": ["a"]});
    let err = generate(&manifest_with_channels(
        vec![call("echo")],
        vec![channel("news", titled, None)],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::ChannelNameClash {
            channel: "news".into(),
            other: "function \"echo\"".into(),
            generated: "EchoInput".into(),
        }
    );

    // The same type name as a function's, defined differently.
    let output = json!({"title": "Post", "type": "object",
                        "properties": {"text": {"type": "string"}}, "required": ["text"]});
    let message = json!({"title": "Post", "type": "object",
                         "properties": {"text": {"type": "integer"}}, "required": ["text"]});
    let err = generate(&manifest_with_channels(
        vec![function(
            "latest",
            "call",
            Value::Null,
            json!({"type": "object", "additionalProperties": false}),
            output.clone(),
        )],
        vec![channel("news", message, None)],
    ))
    .unwrap_err();
    assert_eq!(
        err,
        GenerateError::ChannelNameClash {
            channel: "news".into(),
            other: "a different type of function \"latest\"".into(),
            generated: "Post".into(),
        }
    );
    // Defined the same way, it is one type.
    let files = generate(&manifest_with_channels(
        vec![function(
            "latest",
            "call",
            Value::Null,
            json!({"type": "object", "additionalProperties": false}),
            output.clone(),
        )],
        vec![channel("news", output, None)],
    ))
    .unwrap();
    assert_eq!(files["types.ts"].matches("export type Post =").count(), 1);
    assert!(files["types.ts"].contains("export type NewsChannelMessage = Post;"));
}

#[test]
fn channels_that_break_the_rules() {
    assert_eq!(
        generate(&manifest_with_channels(
            Vec::new(),
            vec![channel("has space", json!({"type": "string"}), None)]
        ))
        .unwrap_err(),
        GenerateError::InvalidChannelName("has space".into())
    );
    let mut bad_hash = channel("chat", json!({"type": "string"}), None);
    bad_hash["schema_hash"] = json!("short");
    assert!(matches!(
        generate(&manifest_with_channels(Vec::new(), vec![bad_hash])),
        Err(GenerateError::Manifest(why)) if why.contains("\"chat\"") && why.contains("schema hash")
    ));
    let err = generate(&manifest_with_channels(
        Vec::new(),
        vec![channel(
            "chat",
            json!({"type": "string"}),
            Some(json!({"$ref": "#/$defs/Missing"})),
        )],
    ))
    .unwrap_err();
    assert!(
        matches!(&err, GenerateError::UnsupportedChannelSchema { channel, side: "incoming", .. } if channel == "chat"),
        "{err:?}"
    );
    let err = generate(&manifest_with_channels(
        Vec::new(),
        vec![channel(
            "chat",
            json!({"title": "PostSchema", "type": "object", "properties": {}}),
            None,
        )],
    ))
    .unwrap_err();
    assert!(
        matches!(&err, GenerateError::Manifest(why) if why.contains("PostSchema")),
        "{err:?}"
    );
}
