//! Forms (`forms.ts`, `spec/PROTOCOL.md` §2.13): per form of the manifest its spec as a constant,
//! the type of its values, a Zod schema that runs the checks of §2.13.2, and a hook on
//! `mizan-react`'s `useMizanForm` typed with what `<name>.submit` returns.

use std::collections::BTreeMap;
use std::fmt::Write;

use mizan_core::form::{FieldKind, FieldSpec, FormSpec};

use crate::GenerateError;
use crate::model::Model;
use crate::names::{pascal_case, property_key};
use crate::typescript::literal;

/// The names `forms.ts` exports for one form.
struct FormNames {
    spec: String,
    values: String,
    schema: String,
    hook: String,
}

impl FormNames {
    fn of(form: &str) -> Self {
        let pascal = pascal_case(form);
        let mut chars = pascal.chars();
        let camel = chars.next().map_or_else(String::new, |c| {
            c.to_ascii_lowercase().to_string() + chars.as_str()
        });
        Self {
            spec: format!("{camel}FormSpec"),
            values: format!("{pascal}FormValues"),
            schema: format!("{pascal}FormSchema"),
            hook: format!("use{pascal}Form"),
        }
    }
}

/// Whether `name` is a form name of §2.13.1: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_form_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The names `other` (generated TypeScript) exports: `export const|type|function <name>`.
fn exported_names(other: &str) -> impl Iterator<Item = &str> {
    other.lines().filter_map(|line| {
        let rest = line
            .strip_prefix("export const ")
            .or_else(|| line.strip_prefix("export type "))
            .or_else(|| line.strip_prefix("export function "))?;
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        Some(&rest[..end])
    })
}

/// `forms.ts` for `forms`, or `None` when there are none. `others` are the other generated
/// TypeScript files: `index.ts` re-exports them all, so a form's names must be new.
pub(crate) fn emit(
    forms: &[FormSpec],
    model: &Model,
    others: &[&str],
    header: &str,
) -> Result<Option<String>, GenerateError> {
    if forms.is_empty() {
        return Ok(None);
    }
    let mut taken: BTreeMap<String, String> = others
        .iter()
        .flat_map(|text| exported_names(text))
        .map(|name| (name.to_owned(), String::new()))
        .collect();
    let mut sorted: Vec<&FormSpec> = forms.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = String::from(header);
    out.push('\n');
    out.push_str("import type { z } from \"zod\";\n");
    out.push_str("import { formSchema, useMizanForm, type MizanFormApi, type UseMizanFormOptions } from \"mizan-react\";\n");
    let outputs: Vec<Option<String>> = sorted
        .iter()
        .map(|form| submit_output(form, model))
        .collect();
    if outputs.iter().any(Option::is_some) {
        out.push_str("import type * as t from \"./types.js\";\n");
    }
    for (form, output) in sorted.iter().zip(outputs) {
        if !is_form_name(&form.name) {
            return Err(GenerateError::Manifest(format!(
                "form {:?}: names are [A-Za-z_][A-Za-z0-9_]*",
                form.name
            )));
        }
        let names = FormNames::of(&form.name);
        for generated in [&names.spec, &names.values, &names.schema, &names.hook] {
            if let Some(owner) = taken.insert(generated.clone(), form.name.clone()) {
                return Err(GenerateError::FormNameClash {
                    form: form.name.clone(),
                    other: (!owner.is_empty()).then_some(owner),
                    generated: generated.clone(),
                });
            }
        }
        emit_form(
            &mut out,
            form,
            &names,
            output.as_deref().unwrap_or("unknown"),
        );
    }
    Ok(Some(out))
}

/// The output type of `<form>.submit` in `types.ts`, when the manifest has that function.
fn submit_output(form: &FormSpec, model: &Model) -> Option<String> {
    let submit = format!("{}.submit", form.name);
    model
        .functions
        .iter()
        .find(|f| f.name == submit)
        .map(|f| format!("t.{}Output", f.pascal))
}

fn doc(text: &str) -> String {
    text.replace("*/", "*\\/").replace('\n', " ")
}

fn emit_form(out: &mut String, form: &FormSpec, names: &FormNames, output: &str) {
    let FormNames {
        spec,
        values,
        schema,
        hook,
    } = names;
    let name = &form.name;
    let title = doc(&form.title);
    // A spec serializes to JSON, which is a JavaScript expression; `as const` keeps its kinds
    // and choices as literal types.
    let json = serde_json::to_string_pretty(form).expect("a form spec serializes");
    let _ = write!(
        out,
        "\n/** The spec of the form `{name}` ({title}), as `{name}.schema` answers it (§2.13.1). */\n\
         export const {spec} = {json} as const;\n\
         \n/** The values of the form `{name}`. */\n\
         export type {values} = {};\n\
         \n/** The checks of the form `{name}` (§2.13.2), with the server's paths and messages, as a Zod schema. */\n\
         export const {schema} = formSchema({spec}) as z.ZodType<{values}>;\n\
         \n/** The form `{name}` on react-hook-form: checked in the browser, submitted to `{name}.submit`. */\n\
         export function {hook}(options?: UseMizanFormOptions<{values}, {output}>): MizanFormApi<{values}, {output}> {{\n  \
         return useMizanForm<{values}, {output}>({spec}, options);\n}}\n",
        object_type(&form.fields, 0),
    );
}

/// The TypeScript object type of the values of `fields`.
fn object_type(fields: &[FieldSpec], indent: usize) -> String {
    if fields.is_empty() {
        return "Record<string, never>".into();
    }
    let pad = "  ".repeat(indent + 1);
    let mut out = String::from("{\n");
    for field in fields {
        let _ = writeln!(out, "{pad}/** {} */", doc(&field.label));
        let ty = value_type(field, indent + 1);
        if field.required {
            let _ = writeln!(out, "{pad}{}: {ty};", property_key(&field.name));
        } else {
            let _ = writeln!(out, "{pad}{}?: {ty} | null;", property_key(&field.name));
        }
    }
    out.push_str(&"  ".repeat(indent));
    out.push('}');
    out
}

/// The type of one field's value (§2.13.1, the kinds' table).
fn value_type(field: &FieldSpec, indent: usize) -> String {
    match field.kind {
        FieldKind::Text
        | FieldKind::Email
        | FieldKind::Url
        | FieldKind::Decimal
        | FieldKind::Date
        | FieldKind::Time
        | FieldKind::Datetime => "string".into(),
        FieldKind::Integer => "number".into(),
        FieldKind::Boolean => "boolean".into(),
        FieldKind::Choice => choice_type(field),
        FieldKind::Multichoice => {
            let item = choice_type(field);
            if item.contains(" | ") {
                format!("({item})[]")
            } else {
                format!("{item}[]")
            }
        }
        FieldKind::Group => object_type(field.fields.as_deref().unwrap_or_default(), indent),
        FieldKind::Rows => format!(
            "{}[]",
            object_type(field.fields.as_deref().unwrap_or_default(), indent)
        ),
        FieldKind::File => "File".into(),
    }
}

/// The union of a choice field's values; `string` when the server computes them per request
/// (or there are none to name).
fn choice_type(field: &FieldSpec) -> String {
    match field.choices.as_deref() {
        Some(choices) if !field.dynamic_choices && !choices.is_empty() => {
            let mut values: Vec<String> = Vec::with_capacity(choices.len());
            for choice in choices {
                let value = literal(&serde_json::Value::String(choice.value.clone()));
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            values.join(" | ")
        }
        _ => "string".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_exports() {
        let names = FormNames::of("contact_us");
        assert_eq!(names.spec, "contactUsFormSpec");
        assert_eq!(names.values, "ContactUsFormValues");
        assert_eq!(names.schema, "ContactUsFormSchema");
        assert_eq!(names.hook, "useContactUsForm");
        assert!(is_form_name("_a1"));
        assert!(!is_form_name("a.b"));
        assert!(!is_form_name("1a"));
        let text = "export type A = 1;\nexport const BSchema = z;\nexport function useC(): void {}\n  export type Not = 1;\n";
        assert_eq!(
            exported_names(text).collect::<Vec<_>>(),
            ["A", "BSchema", "useC"]
        );
    }
}
