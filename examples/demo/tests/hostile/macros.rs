//! The corpus's string macros: `{{rep:…}}`, `{{seq:…}}`, `{{lbrace}}`, `{{rbrace}}`,
//! `{{token:…}}`, `{{session:…}}` and `{{schema:…}}`.

use serde_json::Value;

use crate::corpus::Names;

/// Expands the corpus macros in `text`: `{{rep:N:TEXT}}` (TEXT N times), `{{seq:N:TEXT}}` (TEXT N
/// times joined by `,`, each `#` in it the index 0..N), `{{lbrace}}` and `{{rbrace}}` (`{`, `}`:
/// a macro ends where its braces balance, so unbalanced TEXT spells them so), `{{token:NAME}}`,
/// `{{session:USER}}` (the session cookie value of a live session of the fixture user USER) and
/// `{{schema:FN}}` (the function's schema hash). TEXT is expanded too.
pub(crate) fn expand(text: &str, names: &Names) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let mut depth = 2usize;
        let mut end = None;
        for (i, b) in after.bytes().enumerate() {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(|| format!("unbalanced macro in {text:?}"))?;
        // `after[..end]` ends with the first of the two closing braces.
        let inner = after[..end]
            .strip_suffix('}')
            .ok_or_else(|| format!("a macro ends with `}}}}` in {text:?}"))?;
        rest = &after[end + 1..];
        let repeat = |spec: &str| -> Result<(usize, String), String> {
            let (count, unit) = spec
                .split_once(':')
                .ok_or_else(|| format!("{{{{rep:N:TEXT}}}}, not {inner:?}"))?;
            let count = count
                .parse()
                .map_err(|_| format!("bad count in {inner:?}"))?;
            Ok((count, expand(unit, names)?))
        };
        if let Some(spec) = inner.strip_prefix("rep:") {
            let (count, unit) = repeat(spec)?;
            out.push_str(&unit.repeat(count));
        } else if let Some(spec) = inner.strip_prefix("seq:") {
            let (count, unit) = repeat(spec)?;
            let items: Vec<String> = (0..count)
                .map(|i| unit.replace('#', &i.to_string()))
                .collect();
            out.push_str(&items.join(","));
        } else if inner == "lbrace" {
            out.push('{');
        } else if inner == "rbrace" {
            out.push('}');
        } else if let Some(token) = inner.strip_prefix("token:") {
            out.push_str(
                names
                    .tokens
                    .get(token)
                    .ok_or_else(|| format!("no token named {token:?}"))?,
            );
        } else if let Some(user) = inner.strip_prefix("session:") {
            out.push_str(
                names
                    .sessions
                    .get(user)
                    .ok_or_else(|| format!("no session of {user:?}"))?,
            );
        } else if let Some(function) = inner.strip_prefix("schema:") {
            out.push_str(
                names
                    .schemas
                    .get(function)
                    .ok_or_else(|| format!("no function named {function:?}"))?,
            );
        } else {
            return Err(format!("unknown macro {{{{{inner}}}}}"));
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Expands macros in every string of an expectation.
pub(crate) fn expand_value(value: &Value, names: &Names) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(expand(s, names)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| expand_value(v, names))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| Ok((k.clone(), expand_value(v, names)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}
