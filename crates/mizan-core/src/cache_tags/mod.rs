//! Cache tags (`spec/PROTOCOL.md` §2.16.1–§2.16.2): which tags an answer of a cached context
//! has, and which a call purges, so that a purge reaches exactly the answers it should.
//!
//! ```
//! use mizan_core::cache_tags::{TagTemplate, answer_tags};
//! use serde_json::json;
//!
//! let templates = [TagTemplate::parse("posts").unwrap(), TagTemplate::parse("post:{id}").unwrap()];
//! let params = json!({"id": 42});
//! let tags = answer_tags("post", params.as_object().unwrap(), &templates).unwrap();
//! assert_eq!(tags[0], "mizan:fn:post");
//! assert!(tags[1].starts_with("mizan:p:"));
//! assert_eq!(tags[2..], ["posts", "post:42"]);
//! ```

mod error;
mod template;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use error::TagError;
pub use template::TagTemplate;

use crate::cache_key::is_valid_function_name;
use crate::canonical::{write_object_at, write_string};
use crate::hex;

/// The longest tag, in bytes.
pub const MAX_TAG_LEN: usize = 128;

/// The start of the server's tags, which application templates cannot use.
pub const SERVER_PREFIX: &str = "mizan:";

/// The start of a function's tag, [`function_tag`].
pub const FUNCTION_PREFIX: &str = "mizan:fn:";

/// Whether `b` is in the tag alphabet `A-Z a-z 0-9 _ . : - %`.
pub const fn is_tag_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-' | b'%')
}

/// Whether `tag` is a tag: 1 to 128 bytes of the tag alphabet (§2.16.1).
pub fn is_valid_tag(tag: &str) -> bool {
    !tag.is_empty() && tag.len() <= MAX_TAG_LEN && tag.bytes().all(is_tag_byte)
}

/// The tag every answer of `function` has: `mizan:fn:<function>`.
pub fn function_tag(function: &str) -> String {
    format!("{FUNCTION_PREFIX}{function}")
}

/// The tag of every answer of `function` with `params`, for every caller and rev:
/// `mizan:p:` + hex(first16(SHA-256(canonical(["mizan.tag.v1", function, params])))).
pub fn params_tag(function: &str, params: &Map<String, Value>) -> Result<String, TagError> {
    if !is_valid_function_name(function) {
        return Err(TagError::InvalidFunctionName);
    }
    let mut input = Vec::with_capacity(64);
    input.extend_from_slice(b"[\"mizan.tag.v1\",");
    write_string(&mut input, function);
    input.push(b',');
    // Depth counted from the params object, as for cache keys (§1.3).
    write_object_at(&mut input, params, 0)?;
    input.push(b']');
    let digest = Sha256::digest(&input);
    Ok(format!("mizan:p:{}", hex::encode(&digest[..16])))
}

/// Parses `template` as an application's tag template and expands it with `params`.
pub fn expand(template: &str, params: &Map<String, Value>) -> Result<String, TagError> {
    TagTemplate::parse(template)?.expand(params)
}

/// The tags of an answer of `function` with canonical params `params` (§2.16.2), in order and
/// without repeats: its function tag, its params tag, then `templates` expanded.
pub fn answer_tags(
    function: &str,
    params: &Map<String, Value>,
    templates: &[TagTemplate],
) -> Result<Vec<String>, TagError> {
    let mut tags = Vec::with_capacity(2 + templates.len());
    let params_tag = params_tag(function, params)?;
    tags.push(function_tag(function));
    tags.push(params_tag);
    for template in templates {
        let tag = template.expand(params)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}
