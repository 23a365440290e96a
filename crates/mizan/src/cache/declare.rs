//! Checking a function's cache declarations at registration (`spec/PROTOCOL.md` §2.16.1–§2.16.2)
//! and keeping them parsed for the runtime, so a request never parses a template.
//!
//! `#[mizan::client]` checks what it can at compile time; this checks again (a [`FunctionOptions`]
//! can be written by hand) and adds what needs the input schema.

use http::HeaderValue;
use mizan_core::cache_tags::{FUNCTION_PREFIX, TagTemplate};
use serde_json::Value;

use crate::function::{CacheOptions, FunctionOptions};
use crate::manifest::{CachePolicy, ContextKind, FunctionKind, MAX_CACHE_SECONDS};
use crate::registry::RegistryError;

/// A context's cache policy, checked, with its tag templates parsed.
#[derive(Debug, Clone)]
pub(crate) struct CachePlan {
    /// The name the function is registered under, as its path names it: reads key and tag with
    /// it without copying it from the path.
    pub(crate) function: Box<str>,
    /// The policy as the manifest publishes it.
    pub(crate) policy: CachePolicy,
    /// `policy.tags`, parsed, in declared order: expand them with
    /// [`mizan_core::cache_tags::answer_tags`].
    pub(crate) templates: Vec<TagTemplate>,
    /// `CDN-Cache-Control` of a shareable answer (§2.16.7), built once: every answer of the
    /// function carries the same.
    pub(crate) cdn_cache_control: HeaderValue,
    /// `Surrogate-Control` of a shareable answer, built once.
    pub(crate) surrogate_control: HeaderValue,
}

/// The cache policy and the `invalidates` templates of the function `name`, checked against its
/// kind and its input schema (with 64-bit integers already rewritten as strings).
pub(crate) fn check(
    name: &str,
    options: &FunctionOptions,
    input_schema: &Value,
) -> Result<(Option<CachePlan>, Vec<TagTemplate>), RegistryError> {
    let cache = match (options.cache, options.kind) {
        (None, _) => None,
        (Some(_), FunctionKind::Call) => {
            return Err(error(
                name,
                "",
                "a call cannot have a cache policy: calls are never cached",
            ));
        }
        (Some(cache), FunctionKind::Context(kind)) => {
            Some(check_policy(name, &cache, kind, input_schema)?)
        }
    };
    if options.kind.is_context() && !options.invalidates.is_empty() {
        return Err(error(
            name,
            options.invalidates[0],
            "a context cannot invalidate: only calls purge",
        ));
    }
    let invalidates = parse_all(name, options.invalidates, TagTemplate::parse_invalidation)?;
    for template in &invalidates {
        check_slots(name, template, input_schema)?;
    }
    Ok((cache, invalidates))
}

fn check_policy(
    name: &str,
    cache: &CacheOptions,
    kind: ContextKind,
    input_schema: &Value,
) -> Result<CachePlan, RegistryError> {
    if !(1..=MAX_CACHE_SECONDS).contains(&cache.max_age) {
        return Err(error(
            name,
            "",
            &format!(
                "max_age is {}; it must be in 1 ..= {MAX_CACHE_SECONDS}",
                cache.max_age
            ),
        ));
    }
    if cache.swr > MAX_CACHE_SECONDS {
        return Err(error(
            name,
            "",
            &format!(
                "swr is {}; it must be in 0 ..= {MAX_CACHE_SECONDS}",
                cache.swr
            ),
        ));
    }
    let templates = parse_all(name, cache.tags, TagTemplate::parse)?;
    for template in &templates {
        if kind == ContextKind::Global && !template.is_literal() {
            return Err(error(
                name,
                template.as_str(),
                "a global context has no parameters, so its templates cannot have slots",
            ));
        }
        check_slots(name, template, input_schema)?;
    }
    let (max_age, swr) = (cache.max_age, cache.swr);
    // Digits and ASCII only: always header text.
    let header =
        |text: String| HeaderValue::try_from(text).map_err(|e| error(name, "", &format!("{e}")));
    Ok(CachePlan {
        function: name.into(),
        cdn_cache_control: header(format!(
            "public, max-age={max_age}, stale-while-revalidate={swr}"
        ))?,
        surrogate_control: header(format!("max-age={max_age}, stale-while-revalidate={swr}"))?,
        policy: CachePolicy {
            scope: cache.scope,
            max_age: cache.max_age,
            swr: cache.swr,
            tags: cache.tags.iter().map(|&t| t.to_owned()).collect(),
        },
        templates,
    })
}

/// Parses every template, refusing repeats.
fn parse_all(
    name: &str,
    templates: &[&str],
    parse: fn(&str) -> Result<TagTemplate, mizan_core::cache_tags::TagError>,
) -> Result<Vec<TagTemplate>, RegistryError> {
    let mut out: Vec<TagTemplate> = Vec::with_capacity(templates.len());
    for &text in templates {
        let template = parse(text).map_err(|e| error(name, text, &e.to_string()))?;
        if out.iter().any(|t| t.as_str() == text) {
            return Err(error(name, text, "it is given twice"));
        }
        out.push(template);
    }
    Ok(out)
}

/// Each slot names a required parameter of type string, integer or boolean.
fn check_slots(name: &str, template: &TagTemplate, schema: &Value) -> Result<(), RegistryError> {
    for slot in template.slots() {
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|p| p.as_str() == Some(slot)));
        let property = schema.get("properties").and_then(|p| p.get(slot));
        let Some(property) = property else {
            return Err(error(
                name,
                template.as_str(),
                &format!("the slot {{{slot}}} names no parameter of the function"),
            ));
        };
        if !required {
            return Err(error(
                name,
                template.as_str(),
                &format!(
                    "the slot {{{slot}}} names an optional parameter; a slot's parameter is required"
                ),
            ));
        }
        if !is_scalar(property, schema) {
            return Err(error(
                name,
                template.as_str(),
                &format!(
                    "the slot {{{slot}}} names a parameter that is not a string, an integer or a boolean"
                ),
            ));
        }
    }
    Ok(())
}

/// Whether `node` admits only strings, only integers or only booleans: one `type` of those (64-bit
/// integers are strings by now), following local `$ref`s.
fn is_scalar(node: &Value, root: &Value) -> bool {
    let mut node = node;
    // A chain of references longer than this is a cycle or not worth following.
    for _ in 0..8 {
        if let Some(target) = node.get("$ref").and_then(Value::as_str) {
            match target
                .strip_prefix('#')
                .and_then(|pointer| root.pointer(pointer))
            {
                Some(next) => {
                    node = next;
                    continue;
                }
                None => return false,
            }
        }
        return matches!(
            node.get("type").and_then(Value::as_str),
            Some("string" | "integer" | "boolean")
        );
    }
    false
}

/// The `mizan:fn:<name>` tags among `invalidates`: the contexts whose every answer a call purges.
pub(crate) fn invalidated_contexts(invalidates: &[TagTemplate]) -> impl Iterator<Item = &str> {
    invalidates
        .iter()
        .filter_map(|t| t.as_str().strip_prefix(FUNCTION_PREFIX))
}

fn error(name: &str, template: &str, reason: &str) -> RegistryError {
    RegistryError::InvalidCacheDeclaration {
        name: name.to_owned(),
        template: template.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthRequirement;
    use crate::manifest::CacheScope;
    use serde_json::json;

    fn options(kind: FunctionKind) -> FunctionOptions {
        FunctionOptions {
            rust_name: "f",
            auth: AuthRequirement::Public,
            kind,
            params: &["id", "name"],
            cache: None,
            invalidates: &[],
        }
    }

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {"id": {"type": "string", "pattern": "^[0-9]+$"}, "name": {"type": "string"}},
            "required": ["id", "name"]
        })
    }

    #[test]
    fn the_plan_keeps_the_templates_parsed_in_order() {
        let mut o = options(FunctionKind::LOCAL_CONTEXT);
        o.cache = Some(CacheOptions {
            scope: CacheScope::User,
            max_age: 9,
            swr: 1,
            tags: &["user:{name}", "items", "item:{id}"],
        });
        let (plan, invalidates) = check("f", &o, &schema()).unwrap();
        let plan = plan.unwrap();
        assert!(invalidates.is_empty());
        assert_eq!(plan.policy.scope, CacheScope::User);
        assert_eq!((plan.policy.max_age, plan.policy.swr), (9, 1));
        let texts: Vec<&str> = plan.templates.iter().map(TagTemplate::as_str).collect();
        assert_eq!(texts, ["user:{name}", "items", "item:{id}"]);
        assert_eq!(plan.policy.tags, texts);
        let params = json!({"id": "7", "name": "Ada Lovelace"});
        let tags =
            mizan_core::cache_tags::answer_tags("f", params.as_object().unwrap(), &plan.templates)
                .unwrap();
        assert_eq!(tags[2..], ["user:Ada%20Lovelace", "items", "item:7"]);
    }

    #[test]
    fn invalidations_are_parsed_and_name_their_contexts() {
        let mut o = options(FunctionKind::Call);
        o.invalidates = &["item:{id}", "mizan:fn:list", "mizan:fn:a.b"];
        let (plan, invalidates) = check("f", &o, &schema()).unwrap();
        assert!(plan.is_none());
        assert_eq!(invalidates.len(), 3);
        assert_eq!(
            invalidated_contexts(&invalidates).collect::<Vec<_>>(),
            ["list", "a.b"]
        );
    }

    #[test]
    fn refs_are_followed_and_cycles_end() {
        let root = json!({
            "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"type": "boolean"}, "C": {"$ref": "#/$defs/C"}}
        });
        assert!(is_scalar(&json!({"$ref": "#/$defs/A"}), &root));
        assert!(!is_scalar(&json!({"$ref": "#/$defs/C"}), &root));
        assert!(!is_scalar(&json!({"$ref": "#/$defs/Missing"}), &root));
        assert!(!is_scalar(&json!({"type": ["string", "null"]}), &root));
        assert!(!is_scalar(&json!({"type": "number"}), &root));
    }
}
