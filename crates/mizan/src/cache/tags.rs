//! Tag templates and the tags of an answer (`spec/PROTOCOL.md` §2.16.2).
//!
//! REMOVE AT MERGE: a minimal private stand-in for `mizan_core::cache_tags` (helper `declare`
//! writes the real one, with template parsing and registration checks). Callers use the same
//! signatures, so the merge replaces `crate::cache::tags` with `mizan_core::cache_tags`.

use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The longest tag, in bytes.
const MAX_TAG_BYTES: usize = 128;

/// A template that cannot be expanded with the params given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagError(String);

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Expands one template with `params`: each `{slot}` becomes its parameter's value, escaped.
pub(crate) fn expand(template: &str, params: &Map<String, Value>) -> Result<String, TagError> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| TagError(format!("unclosed slot in template {template:?}")))?;
        let name = &after[..close];
        let text = match params.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => {
                return Err(TagError(format!(
                    "slot {{{name}}} of template {template:?} has no string, integer or boolean value"
                )));
            }
        };
        escape_into(&mut out, &text);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    if out.is_empty() {
        return Err(TagError(format!(
            "template {template:?} expands to nothing"
        )));
    }
    if out.len() > MAX_TAG_BYTES {
        let digest = Sha256::digest(out.as_bytes());
        return Ok(format!(
            "mizan:h:{}",
            mizan_core::hex::encode(&digest[..16])
        ));
    }
    Ok(out)
}

/// Every byte outside `A-Z a-z 0-9 _ . -` as `%XX`, so a value cannot fake a template's `:`.
fn escape_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

/// The tags of an answer of `function` with canonical params `params`: its function tag, its
/// params tag, then `templates` expanded, without repeats.
pub(crate) fn answer_tags(
    function: &str,
    params: &Map<String, Value>,
    templates: &[&str],
) -> Result<Vec<String>, TagError> {
    let mut input = Vec::with_capacity(64);
    input.extend_from_slice(b"[\"mizan.tag.v1\",");
    mizan_core::canonical::write_str(&mut input, function);
    input.push(b',');
    let params_json = mizan_core::canonical::to_vec(&Value::Object(params.clone()))
        .map_err(|e| TagError(format!("params are not canonical JSON: {e}")))?;
    input.extend_from_slice(&params_json);
    input.push(b']');
    let digest = Sha256::digest(&input);
    let mut tags = vec![
        format!("mizan:fn:{function}"),
        format!("mizan:p:{}", mizan_core::hex::encode(&digest[..16])),
    ];
    for template in templates {
        let tag = expand(template, params)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn slots_are_escaped_and_long_tags_hashed() {
        assert_eq!(
            expand("post:{id}", &params(json!({"id": 42}))).unwrap(),
            "post:42"
        );
        assert_eq!(
            expand("user:{name}", &params(json!({"name": "Ada Lovelace"}))).unwrap(),
            "user:Ada%20Lovelace"
        );
        assert_eq!(
            expand("user:{name}", &params(json!({"name": "a:b"}))).unwrap(),
            "user:a%3Ab"
        );
        let long = expand("x:{v}", &params(json!({"v": "a".repeat(200)}))).unwrap();
        assert!(long.starts_with("mizan:h:") && long.len() == 40, "{long}");
        assert!(expand("x:{v}", &params(json!({}))).is_err());
        assert!(expand("x:{v}", &params(json!({"v": 1.5}))).is_err());
    }

    #[test]
    fn answer_tags_start_with_the_function_and_params_tags() {
        let tags = answer_tags(
            "post",
            &params(json!({"id": 7})),
            &["posts", "post:{id}", "posts"],
        )
        .unwrap();
        assert_eq!(tags.len(), 4);
        assert_eq!(tags[0], "mizan:fn:post");
        assert!(tags[1].starts_with("mizan:p:") && tags[1].len() == 40);
        assert_eq!(&tags[2..], ["posts", "post:7"]);
    }
}
