//! Tag templates (§2.16.2): parsed once, at registration, and expanded per answer or purge.

use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{FUNCTION_PREFIX, MAX_TAG_LEN, SERVER_PREFIX, TagError, is_tag_byte};
use crate::cache_key::is_valid_function_name;
use crate::hex;

/// A parsed tag template: literal tag characters and `{param}` slots.
///
/// ```
/// use mizan_core::cache_tags::TagTemplate;
/// use serde_json::json;
///
/// let template = TagTemplate::parse("post:{id}").unwrap();
/// assert_eq!(template.slots().collect::<Vec<_>>(), ["id"]);
/// let params = json!({"id": 42});
/// assert_eq!(template.expand(params.as_object().unwrap()).unwrap(), "post:42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagTemplate {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    Literal(String),
    Slot(String),
}

impl TagTemplate {
    /// Parses an application's template, as `cache.tags` holds it: it cannot start with `mizan:`.
    pub fn parse(template: &str) -> Result<Self, TagError> {
        let parsed = Self::parse_any(template)?;
        if template.starts_with(SERVER_PREFIX) {
            return Err(TagError::ReservedPrefix);
        }
        Ok(parsed)
    }

    /// Parses an `invalidates` template: what [`parse`](Self::parse) accepts, and also a
    /// function's tag `mizan:fn:<name>` (§2.16.1).
    pub fn parse_invalidation(template: &str) -> Result<Self, TagError> {
        match template.strip_prefix(FUNCTION_PREFIX) {
            Some(name) if is_valid_function_name(name) => Ok(Self {
                source: template.to_owned(),
                parts: vec![Part::Literal(template.to_owned())],
            }),
            Some(_) => Err(TagError::InvalidFunctionTag),
            None => Self::parse(template),
        }
    }

    fn parse_any(template: &str) -> Result<Self, TagError> {
        if template.is_empty() {
            return Err(TagError::EmptyTemplate);
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut literal_len = 0;
        let mut chars = template.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' => {
                    let rest = &template[at + 1..];
                    let Some(close) = rest
                        .find(['}', '{'])
                        .filter(|&i| rest[i..].starts_with('}'))
                    else {
                        return Err(TagError::UnclosedBrace { at });
                    };
                    let name = &rest[..close];
                    if !is_param_name(name) {
                        return Err(TagError::InvalidSlotName {
                            at,
                            name: name.to_owned(),
                        });
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Slot(name.to_owned()));
                    // Skip the name and the `}`: all ASCII, one char per byte.
                    for _ in 0..=close {
                        chars.next();
                    }
                }
                '}' => return Err(TagError::StrayClosingBrace { at }),
                c if c.is_ascii() && is_tag_byte(c as u8) => {
                    literal.push(c);
                    literal_len += 1;
                }
                character => return Err(TagError::InvalidCharacter { at, character }),
            }
        }
        if literal_len > MAX_TAG_LEN {
            return Err(TagError::TooLong { len: literal_len });
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Self {
            source: template.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The parameter names of its slots, in order (a name may repeat).
    pub fn slots(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Slot(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// Whether it has no slot (it is a tag as written).
    pub fn is_literal(&self) -> bool {
        self.slots().next().is_none()
    }

    /// The tag for `params`: each slot becomes its value as text, percent-escaped outside
    /// `A-Z a-z 0-9 _ . -`; a result that is empty or over 128 bytes becomes `mizan:h:` and the
    /// hex of the first 16 bytes of its SHA-256 (§2.16.2).
    pub fn expand(&self, params: &Map<String, Value>) -> Result<String, TagError> {
        let mut out = String::with_capacity(self.source.len() + 16);
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Slot(name) => {
                    let value = params
                        .get(name)
                        .ok_or_else(|| TagError::MissingParam { name: name.clone() })?;
                    let text = value_text(value)
                        .ok_or_else(|| TagError::UnsupportedParamType { name: name.clone() })?;
                    escape_into(&mut out, &text);
                }
            }
        }
        if out.is_empty() || out.len() > MAX_TAG_LEN {
            return Ok(hashed(&out));
        }
        Ok(out)
    }
}

impl fmt::Display for TagTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn is_param_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A slot's value as text: decimal integers, `true`/`false`, strings as they are.
fn value_text(value: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match value {
        Value::String(s) => Some(s.as_str().into()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string().into()),
        _ => None,
    }
}

fn escape_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

/// `mizan:h:` + hex(first16(SHA-256(text))).
fn hashed(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!("mizan:h:{}", hex::encode(&digest[..16]))
}
