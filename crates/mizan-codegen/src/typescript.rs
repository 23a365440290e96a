//! TypeScript types (`types.ts`).

use std::fmt::Write;

use serde_json::Value;

use mizan_core::manifest::{ContextKind, FunctionKind};

use crate::model::Model;
use crate::names::property_key;
use crate::schema::{Extra, Ty};

/// A type expression; `indent` is the indentation of the line it starts on.
pub(crate) fn type_expr(ty: &Ty, indent: usize) -> String {
    match ty {
        Ty::Any => "unknown".into(),
        Ty::Null => "null".into(),
        Ty::Bool => "boolean".into(),
        Ty::String(_) => "string".into(),
        Ty::Integer(_) | Ty::Number(_) => "number".into(),
        Ty::Literal(value) => literal(value),
        Ty::Array { items, .. } => format!("{}[]", wrapped(items, indent)),
        Ty::Tuple(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|t| type_expr(t, indent))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Object { properties, extra } => {
            let map = match extra {
                Extra::Typed(value) => {
                    Some(format!("Record<string, {}>", type_expr(value, indent)))
                }
                _ => None,
            };
            if properties.is_empty() {
                return map.unwrap_or_else(|| {
                    if *extra == Extra::Forbidden {
                        "Record<string, never>".into()
                    } else {
                        "Record<string, unknown>".into()
                    }
                });
            }
            let pad = "  ".repeat(indent + 1);
            let mut out = String::from("{\n");
            for p in properties {
                if let Some(description) = &p.description {
                    let _ = writeln!(
                        out,
                        "{pad}/** {} */",
                        description.replace("*/", "*\\/").replace('\n', " ")
                    );
                }
                let optional = if p.required { "" } else { "?" };
                let _ = writeln!(
                    out,
                    "{pad}{}{optional}: {};",
                    property_key(&p.name),
                    type_expr(&p.ty, indent + 1)
                );
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
            match map {
                Some(map) => format!("{out} & {map}"),
                None => out,
            }
        }
        Ty::Ref(name) => name.clone(),
        Ty::Nullable(inner) => type_expr(&Ty::Union(vec![(**inner).clone(), Ty::Null]), indent),
        Ty::Union(variants) => variants
            .iter()
            .map(|t| wrapped(t, indent))
            .collect::<Vec<_>>()
            .join(" | "),
        Ty::Intersection(parts) => parts
            .iter()
            .map(|t| wrapped(t, indent))
            .collect::<Vec<_>>()
            .join(" & "),
    }
}

fn wrapped(ty: &Ty, indent: usize) -> String {
    let text = type_expr(ty, indent);
    if matches!(ty, Ty::Union(_) | Ty::Nullable(_) | Ty::Intersection(_)) || text.contains(" & ") {
        format!("({text})")
    } else {
        text
    }
}

pub(crate) fn literal(value: &Value) -> String {
    value.to_string()
}

/// `types.ts`: every named type, then each function's input and output, then each channel's
/// params, message and (when subscribers may send) incoming data.
pub(crate) fn emit(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push('\n');
    for (name, ty) in &model.types {
        let _ = writeln!(out, "export type {name} = {};\n", type_expr(ty, 0));
    }
    for f in &model.functions {
        let kind = match f.kind {
            FunctionKind::Call => "call",
            FunctionKind::Context(ContextKind::Global) => "global context",
            FunctionKind::Context(ContextKind::Local) => "local context",
        };
        let _ = writeln!(out, "/** The params of the {kind} `{}`. */", f.name);
        let _ = writeln!(
            out,
            "export type {}Input = {};\n",
            f.pascal,
            type_expr(&f.input, 0)
        );
        let _ = writeln!(out, "/** What the {kind} `{}` returns. */", f.name);
        let _ = writeln!(
            out,
            "export type {}Output = {};\n",
            f.pascal,
            type_expr(&f.output, 0)
        );
    }
    for c in &model.channels {
        let _ = writeln!(out, "/** The params of the channel `{}`. */", c.name);
        let _ = writeln!(
            out,
            "export type {}ChannelParams = {};\n",
            c.pascal,
            type_expr(&c.params, 0)
        );
        let _ = writeln!(out, "/** A message of the channel `{}`. */", c.name);
        let _ = writeln!(
            out,
            "export type {}ChannelMessage = {};\n",
            c.pascal,
            type_expr(&c.message, 0)
        );
        if let Some(incoming) = &c.incoming {
            let _ = writeln!(
                out,
                "/** What subscribers send to the channel `{}`. */",
                c.name
            );
            let _ = writeln!(
                out,
                "export type {}ChannelIncoming = {};\n",
                c.pascal,
                type_expr(incoming, 0)
            );
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
