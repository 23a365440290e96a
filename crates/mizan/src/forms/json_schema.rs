//! The JSON Schema of a form's values, for the manifest's `input` of `validate` and `submit`
//! (what OpenAPI and other clients read; the form's own checks enforce it, §2.13.3).

use mizan_core::form::{EMAIL_PATTERN, FieldKind, FieldSpec, URL_PATTERN};
use serde_json::{Map, Value, json};

/// The schema of a values object with `fields`.
pub(crate) fn values_schema(fields: &[FieldSpec]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        properties.insert(field.name.clone(), field_schema(field));
        if field.required {
            required.push(Value::String(field.name.clone()));
        }
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn field_schema(f: &FieldSpec) -> Value {
    let mut schema = match f.kind {
        FieldKind::Text | FieldKind::Email | FieldKind::Url => {
            let mut s = json!({"type": "string"});
            if let Some(n) = f.min_length {
                s["minLength"] = n.into();
            }
            if let Some(n) = f.max_length {
                s["maxLength"] = n.into();
            }
            let pattern = match f.kind {
                FieldKind::Email => Some(EMAIL_PATTERN.to_owned()),
                FieldKind::Url => Some(URL_PATTERN.to_owned()),
                _ => f.pattern.as_ref().map(|p| format!("^(?:{p})$")),
            };
            if let Some(p) = pattern {
                s["pattern"] = p.into();
            }
            s
        }
        FieldKind::Integer => {
            let mut s = json!({"type": "integer"});
            if let Some(min) = &f.min {
                s["minimum"] = min.clone();
            }
            if let Some(max) = &f.max {
                s["maximum"] = max.clone();
            }
            s
        }
        FieldKind::Decimal => json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"}),
        FieldKind::Boolean => json!({"type": "boolean"}),
        FieldKind::Choice => choice_schema(f),
        FieldKind::Multichoice => {
            let mut s = json!({"type": "array", "items": choice_schema(f)});
            if let Some(n) = f.min_items {
                s["minItems"] = n.into();
            }
            if let Some(n) = f.max_items {
                s["maxItems"] = n.into();
            }
            s
        }
        FieldKind::Date => json!({"type": "string", "format": "date"}),
        FieldKind::Time => json!({"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"}),
        FieldKind::Datetime => json!({
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"
        }),
        FieldKind::Group => values_schema(f.fields.as_deref().unwrap_or_default()),
        FieldKind::Rows => {
            let mut s = json!({
                "type": "array",
                "items": values_schema(f.fields.as_deref().unwrap_or_default())
            });
            if let Some(n) = f.min_items {
                s["minItems"] = n.into();
            }
            if let Some(n) = f.max_items {
                s["maxItems"] = n.into();
            }
            s
        }
        FieldKind::File => super::upload::description_schema(),
    };
    if !f.label.is_empty() {
        schema["title"] = f.label.clone().into();
    }
    if let Some(help) = &f.help {
        schema["description"] = help.clone().into();
    }
    if !f.required {
        schema = json!({"anyOf": [schema, {"type": "null"}]});
    }
    schema
}

fn choice_schema(f: &FieldSpec) -> Value {
    match (&f.choices, f.dynamic_choices) {
        (Some(choices), false) => json!({
            "type": "string",
            "enum": choices.iter().map(|c| Value::String(c.value.clone())).collect::<Vec<_>>()
        }),
        _ => json!({"type": "string"}),
    }
}
