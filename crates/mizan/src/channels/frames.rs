//! The frames of a channel socket (§2.15.3, §2.15.4): reading client frames, writing server
//! frames.

use axum::extract::ws::Utf8Bytes;
use mizan_core::canonical::{self, ParseOptions};
use serde_json::{Map, Value, json};

use super::layer::{GroupKey, Position};
use crate::Error;

/// The largest offset (`2^53 - 1`).
const MAX_OFFSET: u64 = (1 << 53) - 1;

/// The most tags one `watch` frame may name (§2.16.5).
pub(crate) const MAX_WATCHED_TAGS: usize = 1024;

/// A client frame, read and checked for shape.
#[derive(Debug)]
pub(crate) enum ClientFrame {
    Subscribe {
        id: String,
        channel: String,
        params: Map<String, Value>,
        since: Option<(String, u64)>,
        schema: Option<String>,
    },
    Unsubscribe {
        id: String,
    },
    Send {
        reference: String,
        id: String,
        data: Value,
    },
    Auth {
        reference: String,
        token: Option<String>,
    },
    Watch {
        tags: Vec<String>,
    },
    Ping,
    Pong,
}

/// A frame that cannot be read, with the `id` or `ref` its error carries.
#[derive(Debug, Default)]
pub(crate) struct Malformed {
    pub(crate) id: Option<String>,
    pub(crate) reference: Option<String>,
}

/// Whether `s` is an id or a ref: 1 to 64 characters from `A-Z a-z 0-9 _ . : -`.
/// What an unreadable frame's error carries: its `id` (for `subscribe`/`unsubscribe`) or `ref`
/// (for `send`/`auth`) when a lenient reading finds a valid one (a `since.offset` beyond 2^53 is
/// such a frame). The lenient reading only labels the error; nothing acts on it.
fn labels_of_unreadable(text: &str) -> Malformed {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return Malformed::default();
    };
    match object.get("type").and_then(Value::as_str) {
        Some("subscribe" | "unsubscribe") => Malformed {
            id: name(&object, "id"),
            reference: None,
        },
        Some("send" | "auth") => Malformed {
            id: None,
            reference: name(&object, "ref"),
        },
        _ => Malformed::default(),
    }
}

fn is_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

fn name(object: &Map<String, Value>, member: &str) -> Option<String> {
    match object.get(member) {
        Some(Value::String(s)) if is_name(s) => Some(s.clone()),
        _ => None,
    }
}

/// Reads a client frame's text.
pub(crate) fn parse(text: &str) -> Result<ClientFrame, Malformed> {
    // The strict parser of §1.1.5: a duplicate key or a lone surrogate makes the frame unreadable
    // (a lenient parser would act on the last of two `type`s, another peer on the first), and
    // nesting is bounded as in a call's body, with one level for the frame around the params.
    let options = ParseOptions {
        max_depth: crate::Limits::default().json_depth + 1,
        allow_floats: true,
    };
    let Ok(Value::Object(mut object)) = canonical::parse_with(text.as_bytes(), options) else {
        return Err(labels_of_unreadable(text));
    };
    let Some(Value::String(kind)) = object.get("type") else {
        return Err(Malformed::default());
    };
    match kind.as_str() {
        "subscribe" => {
            let id = name(&object, "id");
            let malformed = || Malformed {
                id: id.clone(),
                reference: None,
            };
            let channel = match object.get("channel") {
                Some(Value::String(c)) => c.clone(),
                _ => return Err(malformed()),
            };
            let since = match object.get("since") {
                None => None,
                Some(Value::Object(since)) => match (since.get("epoch"), since.get("offset")) {
                    (Some(Value::String(epoch)), Some(Value::Number(offset))) => {
                        match offset.as_u64().filter(|o| *o <= MAX_OFFSET) {
                            Some(offset) => Some((epoch.clone(), offset)),
                            None => return Err(malformed()),
                        }
                    }
                    _ => return Err(malformed()),
                },
                Some(_) => return Err(malformed()),
            };
            let schema = match object.get("schema") {
                None => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(malformed()),
            };
            let Some(Value::Object(params)) = object.remove("params") else {
                return Err(malformed());
            };
            let Some(id) = id else {
                return Err(Malformed::default());
            };
            Ok(ClientFrame::Subscribe {
                id,
                channel,
                params,
                since,
                schema,
            })
        }
        "unsubscribe" => match name(&object, "id") {
            Some(id) => Ok(ClientFrame::Unsubscribe { id }),
            None => Err(Malformed::default()),
        },
        "send" => {
            let reference = name(&object, "ref");
            match (reference, name(&object, "id"), object.remove("data")) {
                (Some(reference), Some(id), Some(data)) => Ok(ClientFrame::Send {
                    reference,
                    id,
                    data,
                }),
                (reference, _, _) => Err(Malformed {
                    id: None,
                    reference,
                }),
            }
        }
        "auth" => {
            let reference = name(&object, "ref");
            let token = match object.get("token") {
                Some(Value::String(token)) => Some(token.clone()),
                Some(Value::Null) => None,
                _ => {
                    return Err(Malformed {
                        id: None,
                        reference,
                    });
                }
            };
            match reference {
                Some(reference) => Ok(ClientFrame::Auth { reference, token }),
                None => Err(Malformed::default()),
            }
        }
        "watch" => match object.remove("tags") {
            Some(Value::Array(tags)) => watched_tags(tags)
                .map(|tags| ClientFrame::Watch { tags })
                .ok_or_else(Malformed::default),
            _ => Err(Malformed::default()),
        },
        "ping" => Ok(ClientFrame::Ping),
        "pong" => Ok(ClientFrame::Pong),
        _ => Err(Malformed::default()),
    }
}

/// The tags of a `watch` frame: at most [`MAX_WATCHED_TAGS`] distinct valid tags, or `None`.
fn watched_tags(tags: Vec<Value>) -> Option<Vec<String>> {
    if tags.len() > MAX_WATCHED_TAGS {
        return None;
    }
    let tags: Vec<String> = tags
        .into_iter()
        .map(|tag| match tag {
            Value::String(tag) if mizan_core::cache_tags::is_valid_tag(&tag) => Some(tag),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let mut seen = std::collections::HashSet::with_capacity(tags.len());
    tags.iter()
        .all(|tag| seen.insert(tag.as_str()))
        .then_some(())?;
    Some(tags)
}

fn text(value: &Value) -> Utf8Bytes {
    Utf8Bytes::from(value.to_string())
}

/// `welcome`.
pub(crate) fn welcome(
    ping_interval: u64,
    idle_timeout: u64,
    max_frame_bytes: usize,
    max_subscriptions: usize,
) -> Utf8Bytes {
    text(&json!({
        "type": "welcome",
        "protocol": 1,
        "ping_interval": ping_interval,
        "idle_timeout": idle_timeout,
        "max_frame_bytes": max_frame_bytes,
        "max_subscriptions": max_subscriptions,
    }))
}

/// `subscribed`.
pub(crate) fn subscribed(id: &str, key: &GroupKey, position: &Position) -> Utf8Bytes {
    text(&json!({
        "type": "subscribed",
        "id": id,
        "channel": key.channel(),
        "group": key.group(),
        "epoch": &*position.epoch,
        "offset": position.offset,
    }))
}

/// `message`, written by hand around the publisher's `data` text, which is spliced in as it is.
pub(crate) fn message(key: &GroupKey, epoch: &str, offset: u64, data: &[u8]) -> Utf8Bytes {
    let data = String::from_utf8_lossy(data);
    let mut out = String::with_capacity(
        64 + key.channel().len() + key.group().len() + epoch.len() + data.len(),
    );
    out.push_str(r#"{"type":"message","channel":"#);
    out.push_str(&Value::from(key.channel()).to_string());
    out.push_str(r#","group":"#);
    out.push_str(&Value::from(key.group()).to_string());
    out.push_str(r#","epoch":"#);
    out.push_str(&Value::from(epoch).to_string());
    out.push_str(r#","offset":"#);
    out.push_str(&offset.to_string());
    out.push_str(r#","data":"#);
    out.push_str(&data);
    out.push('}');
    Utf8Bytes::from(out)
}

/// `gap`.
pub(crate) fn gap(id: &str, position: &Position) -> Utf8Bytes {
    text(&json!({"type": "gap", "id": id, "epoch": &*position.epoch, "offset": position.offset}))
}

/// `unsubscribed`, with the refusal when it was not the client's doing.
pub(crate) fn unsubscribed(id: &str, refusal: Option<&Error>) -> Utf8Bytes {
    text(&match refusal {
        None => json!({"type": "unsubscribed", "id": id, "reason": "client"}),
        Some(error) => json!({
            "type": "unsubscribed",
            "id": id,
            "reason": error.code().as_str(),
            "error": error.to_json(),
        }),
    })
}

/// `ack`.
pub(crate) fn ack(reference: &str) -> Utf8Bytes {
    text(&json!({"type": "ack", "ref": reference}))
}

/// Which frame an `error` answers.
#[derive(Debug, Clone, Copy)]
pub(crate) enum About<'a> {
    Id(&'a str),
    Ref(&'a str),
    Nothing,
}

/// `error`.
pub(crate) fn error(error: &Error, about: About<'_>) -> Utf8Bytes {
    let mut frame = json!({"type": "error", "error": error.to_json()});
    match about {
        About::Id(id) => frame["id"] = Value::from(id),
        About::Ref(reference) => frame["ref"] = Value::from(reference),
        About::Nothing => {}
    }
    text(&frame)
}

/// `invalidated`: `tags` in the purge's order.
pub(crate) fn invalidated<'a>(tags: impl IntoIterator<Item = &'a str>, rev: u64) -> Utf8Bytes {
    let tags: Vec<&str> = tags.into_iter().collect();
    text(&json!({"type": "invalidated", "tags": tags, "rev": rev}))
}

/// `ping`.
pub(crate) fn ping() -> Utf8Bytes {
    Utf8Bytes::from_static(r#"{"type":"ping"}"#)
}

/// `pong`.
pub(crate) fn pong() -> Utf8Bytes {
    Utf8Bytes::from_static(r#"{"type":"pong"}"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_frames_keep_a_valid_id_or_ref() {
        let m = parse(r#"{"type":"subscribe","id":"s1","channel":"chat"}"#).unwrap_err();
        assert_eq!(m.id.as_deref(), Some("s1"));
        let m = parse(r#"{"type":"send","ref":"r1","id":"s1"}"#).unwrap_err();
        assert_eq!(m.reference.as_deref(), Some("r1"));
        let m =
            parse(r#"{"type":"subscribe","id":"bad id","channel":"c","params":{}}"#).unwrap_err();
        assert!(m.id.is_none());
        assert!(parse("[]").is_err());
        assert!(parse(r#"{"type":"nope"}"#).is_err());
        assert!(
            parse(r#"{"type":"subscribe","id":"a","channel":"c","params":{},"since":{"epoch":"e","offset":-1}}"#)
                .is_err()
        );
    }

    #[test]
    fn frames_are_read_by_the_strict_parser() {
        // A lenient parser keeps the last `type`: this frame would be a ping to it.
        assert!(parse(r#"{"type":"subscribe","type":"ping"}"#).is_err());
        assert!(parse(r#"{"type":"ping","\u0074ype":"pong"}"#).is_err());
        assert!(parse(r#"{"type":"ping","x":"\ud800"}"#).is_err());
        assert!(parse(r#"{"type":"ping","x":18446744073709551616}"#).is_err());
        // Unreadable, but its id is still named in the error.
        let m = parse(r#"{"type":"subscribe","id":"s9","channel":"c","params":{},"since":{"epoch":"e","offset":18446744073709551616}}"#)
            .unwrap_err();
        assert_eq!(m.id.as_deref(), Some("s9"));
        let deep = format!("{}{}", "[".repeat(33), "]".repeat(33));
        assert!(parse(&format!(r#"{{"type":"ping","x":{deep}}}"#)).is_err());
        let fine = format!("{}{}", "[".repeat(31), "]".repeat(31));
        assert!(matches!(
            parse(&format!(r#"{{"type":"ping","x":{fine}}}"#)),
            Ok(ClientFrame::Ping)
        ));
    }

    fn watched(text: &str) -> Option<Vec<String>> {
        match parse(text) {
            Ok(ClientFrame::Watch { tags }) => Some(tags),
            Ok(other) => panic!("{text} read as {other:?}"),
            Err(malformed) => {
                // A `watch` has no id or ref: its error carries neither.
                assert!(malformed.id.is_none() && malformed.reference.is_none());
                None
            }
        }
    }

    #[test]
    fn a_watch_frame_names_distinct_valid_tags() {
        assert_eq!(
            watched(
                r#"{"type":"watch","tags":["posts","post:42","mizan:fn:greet","user:Ada%20L"]}"#
            ),
            Some(vec![
                "posts".to_owned(),
                "post:42".to_owned(),
                "mizan:fn:greet".to_owned(),
                "user:Ada%20L".to_owned()
            ])
        );
        assert_eq!(watched(r#"{"type":"watch","tags":[]}"#), Some(vec![]));
        // Members a frame does not define are ignored.
        assert_eq!(
            watched(r#"{"type":"watch","tags":["a"],"id":"not an id"}"#),
            Some(vec!["a".to_owned()])
        );
        let longest = "t".repeat(128);
        assert_eq!(
            watched(&format!(r#"{{"type":"watch","tags":["{longest}"]}}"#)),
            Some(vec![longest])
        );
        let most: Vec<String> = (0..MAX_WATCHED_TAGS).map(|i| format!("t{i}")).collect();
        let frame = json!({"type": "watch", "tags": most}).to_string();
        assert_eq!(watched(&frame), Some(most));
    }

    #[test]
    fn a_watch_frame_that_breaks_a_rule_is_malformed() {
        let too_many: Vec<String> = (0..=MAX_WATCHED_TAGS).map(|i| format!("t{i}")).collect();
        let too_long = "t".repeat(129);
        for frame in [
            r#"{"type":"watch"}"#.to_owned(),
            r#"{"type":"watch","tags":null}"#.to_owned(),
            r#"{"type":"watch","tags":"posts"}"#.to_owned(),
            r#"{"type":"watch","tags":{"0":"posts"}}"#.to_owned(),
            r#"{"type":"watch","tags":["posts","posts"]}"#.to_owned(),
            r#"{"type":"watch","tags":["posts",1]}"#.to_owned(),
            r#"{"type":"watch","tags":[null]}"#.to_owned(),
            r#"{"type":"watch","tags":[["posts"]]}"#.to_owned(),
            r#"{"type":"watch","tags":[""]}"#.to_owned(),
            r#"{"type":"watch","tags":["a b"]}"#.to_owned(),
            r#"{"type":"watch","tags":["post/1"]}"#.to_owned(),
            r#"{"type":"watch","tags":["caf\u00e9"]}"#.to_owned(),
            r#"{"type":"watch","tags":["a\u0000"]}"#.to_owned(),
            r#"{"type":"watch","tags":["a"],"tags":[]}"#.to_owned(),
            format!(r#"{{"type":"watch","tags":["{too_long}"]}}"#),
            json!({"type": "watch", "tags": too_many}).to_string(),
        ] {
            assert_eq!(watched(&frame), None, "{frame}");
        }
    }

    #[test]
    fn an_invalidated_frame_lists_its_tags_in_order() {
        let frame = invalidated(["b", "a"], 1_700_000_000_123);
        let value: Value = serde_json::from_str(frame.as_str()).unwrap();
        assert_eq!(
            value,
            json!({"type":"invalidated","tags":["b","a"],"rev":1_700_000_000_123_u64})
        );
    }

    #[test]
    fn a_message_frame_is_json_with_the_data_spliced_in() {
        let key = GroupKey::new("chat", "room \"1\"").unwrap();
        let frame = message(&key, "e", 7, br#"{"a":"1"}"#);
        let value: Value = serde_json::from_str(frame.as_str()).unwrap();
        assert_eq!(
            value,
            json!({"type":"message","channel":"chat","group":"room \"1\"","epoch":"e","offset":7,"data":{"a":"1"}})
        );
    }
}
