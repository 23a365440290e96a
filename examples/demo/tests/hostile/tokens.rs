//! The corpus's tokens (spec §1.5): built from their recipes and signed with the test secret
//! or another.

use hmac::{Hmac, KeyInit, Mac};
use mizan::core::{KeyPurpose, RootSecret, base64url, canonical};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::corpus::Names;
use crate::macros::expand;

/// The root secret the demo runs with here (`MIZAN_SECRET`), so the corpus can sign tokens.
pub(crate) const TEST_SECRET: &[u8; 32] = b"hostile corpus secret, test only";
/// A secret the demo does not know: tokens signed with it have a bad signature.
const OTHER_SECRET: &[u8; 32] = b"another secret, not the demo's!!";

/// A token from its recipe: `literal` (macros expanded), or built from `claims` (over the demo's
/// valid base claims; `null` removes a member; `"$now"`, `"$now+N"`, `"$now-N"` are times) or
/// `payload_text` (JSON text as is), signed with `secret` (`test`, the demo's, or `other`) under
/// `kid` (default `demo`) and `version` (default `mwt1`); `payload_b64` and `tag_b64` replace a
/// segment as written, `tag_bytes` truncates or extends the tag, `flip_tag` changes one bit of it.
pub(crate) fn make_token(recipe: &Value, now: u64) -> Result<String, String> {
    if let Some(literal) = recipe.get("literal").and_then(Value::as_str) {
        return expand(literal, &Names::default());
    }
    let version = recipe
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("mwt1");
    let kid = recipe.get("kid").and_then(Value::as_str).unwrap_or("demo");
    let payload = if let Some(segment) = recipe.get("payload_b64").and_then(Value::as_str) {
        expand(segment, &Names::default())?
    } else if let Some(text) = recipe.get("payload_text").and_then(Value::as_str) {
        base64url::encode(times_in_text(text, now)?.as_bytes())
    } else {
        let mut claims = json!({
            "iss": "mizan-demo", "aud": "mizan-demo-web", "iat": "$now", "exp": "$now+3600",
            "pk": "hostile-corpus"
        });
        for (key, value) in recipe
            .get("claims")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        for value in claims.as_object_mut().unwrap().values_mut() {
            if let Some(text) = value.as_str().filter(|t| t.starts_with("$now")) {
                *value = json!(time(text, now)?);
            }
        }
        base64url::encode(&canonical::to_vec(&claims).map_err(|e| e.to_string())?)
    };
    let tag = if let Some(segment) = recipe.get("tag_b64").and_then(Value::as_str) {
        segment.to_owned()
    } else {
        let secret: &[u8; 32] = match recipe.get("secret").and_then(Value::as_str) {
            None | Some("test") => TEST_SECRET,
            Some("other") => OTHER_SECRET,
            Some(other) => return Err(format!("unknown secret {other:?}")),
        };
        let key = RootSecret::new(*secret)
            .map_err(|e| e.to_string())?
            .derive(KeyPurpose::Token);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).map_err(|e| e.to_string())?;
        mac.update(format!("{version}.{kid}.{payload}").as_bytes());
        let mut tag = mac.finalize().into_bytes().to_vec();
        if let Some(n) = recipe.get("tag_bytes").and_then(Value::as_u64) {
            tag.resize(usize::try_from(n).map_err(|e| e.to_string())?, 0xA5);
        }
        if recipe.get("flip_tag") == Some(&Value::Bool(true)) {
            tag[0] ^= 1;
        }
        base64url::encode(&tag)
    };
    Ok(format!("{version}.{kid}.{payload}.{tag}"))
}

fn time(text: &str, now: u64) -> Result<u64, String> {
    let offset = &text["$now".len()..];
    let now = i128::from(now);
    let value = if offset.is_empty() {
        now
    } else {
        now + offset
            .parse::<i128>()
            .map_err(|_| format!("bad time {text:?}"))?
    };
    u64::try_from(value).map_err(|_| format!("bad time {text:?}"))
}

/// `$now`, `$now+N` and `$now-N` inside JSON text, as numbers.
fn times_in_text(text: &str, now: u64) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("$now") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let len = after
            .char_indices()
            .take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && (c == '+' || c == '-')))
            .count();
        out.push_str(&time(&rest[start..start + 4 + len], now)?.to_string());
        rest = &after[len..];
    }
    out.push_str(rest);
    Ok(out)
}
