//! Zod schemas (`schemas.ts`) with the same constraints the server enforces.

use std::fmt::Write;

use crate::model::Model;
use crate::names::property_key;
use crate::schema::{Bounds, Extra, Ty};
use crate::typescript::literal;

fn number(out: &mut String, bounds: &Bounds) {
    let mut push = |method: &str, value: Option<f64>| {
        if let Some(v) = value {
            let _ = write!(out, ".{method}({})", number_literal(v));
        }
    };
    push("gte", bounds.minimum);
    push("lte", bounds.maximum);
    push("gt", bounds.exclusive_minimum);
    push("lt", bounds.exclusive_maximum);
    if let Some(v) = bounds.not_equal {
        let v = number_literal(v);
        let _ = write!(out, ".refine((n) => n !== {v}, \"must not be {v}\")");
    }
}

fn number_literal(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e21 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// A Zod expression for `ty`.
pub(crate) fn schema_expr(ty: &Ty, indent: usize) -> String {
    match ty {
        Ty::Any => "z.unknown()".into(),
        Ty::Null => "z.null()".into(),
        Ty::Bool => "z.boolean()".into(),
        Ty::String(rules) => {
            let mut out = String::from("z.string()");
            if let Some(n) = rules.min_length {
                let _ = write!(out, ".min({n})");
            }
            if let Some(n) = rules.max_length {
                let _ = write!(out, ".max({n})");
            }
            if let Some(pattern) = &rules.pattern {
                let _ = write!(
                    out,
                    ".regex(new RegExp({}, \"u\"))",
                    literal(&pattern.clone().into())
                );
            }
            out
        }
        Ty::Integer(bounds) => {
            let mut out = String::from("z.int()");
            number(&mut out, bounds);
            out
        }
        Ty::Number(bounds) => {
            let mut out = String::from("z.number()");
            number(&mut out, bounds);
            out
        }
        Ty::Literal(serde_json::Value::Null) => "z.null()".into(),
        Ty::Literal(value) => format!("z.literal({})", literal(value)),
        Ty::Array {
            items,
            min_items,
            max_items,
            unique,
        } => {
            let mut out = format!("z.array({})", schema_expr(items, indent));
            if let Some(n) = min_items {
                let _ = write!(out, ".min({n})");
            }
            if let Some(n) = max_items {
                let _ = write!(out, ".max({n})");
            }
            if *unique {
                // `when`: judged even when an item failed, as the server reports both (§2.2.1).
                out.push_str(
                    ".refine(uniqueItems, { message: \"must not contain the same item twice\", when: () => true })",
                );
            }
            out
        }
        Ty::Tuple(items) => format!(
            "z.tuple([{}])",
            items
                .iter()
                .map(|t| schema_expr(t, indent))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Object { properties, extra } => {
            if properties.is_empty() {
                return match extra {
                    Extra::Typed(value) => {
                        format!("z.record(z.string(), {})", schema_expr(value, indent))
                    }
                    Extra::Forbidden => "z.strictObject({})".into(),
                    Extra::Ignored => "z.object({})".into(),
                };
            }
            let pad = "  ".repeat(indent + 1);
            let constructor = if *extra == Extra::Forbidden {
                "z.strictObject"
            } else {
                "z.object"
            };
            let mut out = format!("{constructor}({{\n");
            for p in properties {
                let optional = if p.required { "" } else { ".optional()" };
                let _ = writeln!(
                    out,
                    "{pad}{}: {}{optional},",
                    property_key(&p.name),
                    schema_expr(&p.ty, indent + 1)
                );
            }
            out.push_str(&"  ".repeat(indent));
            out.push_str("})");
            if let Extra::Typed(value) = extra {
                let _ = write!(out, ".catchall({})", schema_expr(value, indent));
            }
            out
        }
        Ty::Ref(name) => format!("z.lazy(() => {name}Schema)"),
        Ty::Nullable(inner) => format!("{}.nullable()", schema_expr(inner, indent)),
        Ty::Union(variants) => format!(
            "z.union([{}])",
            variants
                .iter()
                .map(|t| schema_expr(t, indent))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Intersection(parts) => {
            let mut iter = parts.iter().map(|t| schema_expr(t, indent));
            let first = iter.next().unwrap_or_else(|| "z.unknown()".into());
            iter.fold(first, |acc, next| format!("z.intersection({acc}, {next})"))
        }
    }
}

/// JSON equality (object members in any order) and the `uniqueItems` check built on it, emitted
/// only into files that use them.
const UNIQUE_ITEMS_HELPERS: &str = r#"/**
 * JSON Schema equality of the values as they are sent: same type and value, object members in any
 * order, and a member whose value is `undefined` absent (JSON.stringify leaves it out).
 */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const sent = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const keys = sent(x);
  return keys.length === sent(y).length && keys.every((k) => y[k] !== undefined && jsonEqual(x[k], y[k]));
}

/** `uniqueItems`: no two items are equal. */
function uniqueItems(items: readonly unknown[]): boolean {
  return items.every((x, i) => items.findIndex((y) => jsonEqual(x, y)) === i);
}
"#;

/// `schemas.ts`: a schema per named type, then per function input and output, then per channel
/// params and incoming data (what the client checks before sending; messages come from the
/// server, which checked them).
///
/// String lengths are Zod's `.min`/`.max`, which count Unicode code points from Zod 4.6.7 on,
/// as JSON Schema and the server do.
pub(crate) fn emit(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push_str("\nimport { z } from \"zod\";\nimport type * as t from \"./types.js\";\n\n");
    let helpers_at = out.len();
    for (name, ty) in &model.types {
        let _ = writeln!(
            out,
            "export const {name}Schema: z.ZodType<t.{name}> = {};\n",
            schema_expr(ty, 0)
        );
    }
    for f in &model.functions {
        let _ = writeln!(
            out,
            "export const {p}InputSchema: z.ZodType<t.{p}Input> = {};\n",
            schema_expr(&f.input, 0),
            p = f.pascal
        );
        let _ = writeln!(
            out,
            "export const {p}OutputSchema: z.ZodType<t.{p}Output> = {};\n",
            schema_expr(&f.output, 0),
            p = f.pascal
        );
    }
    for c in &model.channels {
        let _ = writeln!(
            out,
            "export const {p}ChannelParamsSchema: z.ZodType<t.{p}ChannelParams> = {};\n",
            schema_expr(&c.params, 0),
            p = c.pascal
        );
        if let Some(incoming) = &c.incoming {
            let _ = writeln!(
                out,
                "export const {p}ChannelIncomingSchema: z.ZodType<t.{p}ChannelIncoming> = {};\n",
                schema_expr(incoming, 0),
                p = c.pascal
            );
        }
    }
    if out[helpers_at..].contains(".refine(uniqueItems") {
        out.insert_str(helpers_at, &format!("{UNIQUE_ITEMS_HELPERS}\n"));
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
