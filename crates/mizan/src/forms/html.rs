//! A form rendered as plain HTML from its spec, with values and errors filled in: what a browser
//! without JavaScript gets (`spec/PROTOCOL.md` §2.13.5).

use std::fmt::Write;

use mizan_core::form::{FieldIssue, FieldKind, FieldSpec, FormSpec, PathStep};
use serde_json::Value;

/// Text with `& < > " '` escaped, for element content and quoted attributes alike.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What to render.
pub(crate) struct Rendering<'a> {
    pub(crate) spec: &'a FormSpec,
    /// Where the form posts.
    pub(crate) action: &'a str,
    /// The values to fill in (files are never filled in).
    pub(crate) values: &'a Value,
    pub(crate) errors: &'a [FieldIssue],
    pub(crate) csrf_token: &'a str,
}

/// The form's HTML: a `<form>` with every field, its label, help, value and error.
pub(crate) fn render(r: &Rendering<'_>) -> String {
    let spec = r.spec;
    let mut out = String::new();
    let enctype = if spec.multipart {
        " enctype=\"multipart/form-data\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<form class=\"mizan-form\" id=\"mizan-form-{name}\" method=\"post\" action=\"{action}\"{enctype} novalidate>",
        name = escape(&spec.name),
        action = escape(r.action),
    );
    let _ = write!(
        out,
        "<h2 class=\"mizan-form-title\">{}</h2>",
        escape(&spec.title)
    );
    let form_errors: Vec<&FieldIssue> = r.errors.iter().filter(|e| e.path.is_empty()).collect();
    if !form_errors.is_empty() {
        out.push_str("<ul class=\"mizan-form-errors\" role=\"alert\">");
        for e in form_errors {
            let _ = write!(out, "<li>{}</li>", escape(&e.message));
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        super::CSRF_FIELD,
        escape(r.csrf_token)
    );
    fields(&mut out, r, &spec.fields, &mut Vec::new(), r.values);
    out.push_str("<button type=\"submit\">Submit</button></form>");
    out
}

fn dotted(path: &[PathStep]) -> String {
    path.iter()
        .map(|s| match s {
            PathStep::Key(k) => k.clone(),
            PathStep::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn fields(
    out: &mut String,
    r: &Rendering<'_>,
    list: &[FieldSpec],
    path: &mut Vec<PathStep>,
    values: &Value,
) {
    for field in list {
        path.push(PathStep::Key(field.name.clone()));
        let value = values.get(&field.name).unwrap_or(&Value::Null);
        one(out, r, field, path, value);
        path.pop();
    }
}

fn error_at<'a>(r: &'a Rendering<'_>, path: &[PathStep]) -> Option<&'a str> {
    r.errors
        .iter()
        .find(|e| e.path == path)
        .map(|e| e.message.as_str())
}

fn one(
    out: &mut String,
    r: &Rendering<'_>,
    field: &FieldSpec,
    path: &mut Vec<PathStep>,
    value: &Value,
) {
    let name = dotted(path);
    let id = format!("mizan-{}-{}", r.spec.name, name.replace('.', "-"));
    let error = error_at(r, path);
    let described = match (field.help.is_some(), error.is_some()) {
        (_, true) => format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\""),
        (true, false) => format!(" aria-describedby=\"{id}-help\""),
        _ => String::new(),
    };
    let label = escape(&field.label);
    let required = if field.required {
        " <span class=\"mizan-required\" aria-hidden=\"true\">*</span>"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<div class=\"mizan-field\" data-field=\"{}\">",
        escape(&name)
    );
    match field.kind {
        FieldKind::Group | FieldKind::Rows => {
            let _ = write!(out, "<fieldset id=\"{id}\"><legend>{label}</legend>");
            if let Some(message) = error {
                let _ = write!(
                    out,
                    "<p class=\"mizan-error\" id=\"{id}-error\">{}</p>",
                    escape(message)
                );
            }
            let nested = field.fields.as_deref().unwrap_or_default();
            if field.kind == FieldKind::Group {
                fields(out, r, nested, path, value);
            } else {
                let rows = value.as_array().map_or(0, Vec::len);
                let shown = rows.max(usize::try_from(field.min_items.unwrap_or(1)).unwrap_or(1));
                for i in 0..shown {
                    path.push(PathStep::Index(i));
                    let _ = write!(
                        out,
                        "<fieldset class=\"mizan-row\"><legend>{} {}</legend>",
                        label,
                        i + 1
                    );
                    if let Some(message) = error_at(r, path) {
                        let _ = write!(out, "<p class=\"mizan-error\">{}</p>", escape(message));
                    }
                    let row = value.get(i).unwrap_or(&Value::Null);
                    fields(out, r, nested, path, row);
                    out.push_str("</fieldset>");
                    path.pop();
                }
            }
            out.push_str("</fieldset></div>");
            return;
        }
        FieldKind::Boolean => {
            let checked = if value.as_bool() == Some(true) {
                " checked"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<label for=\"{id}\"><input type=\"checkbox\" id=\"{id}\" name=\"{n}\" value=\"on\"{checked}{described}> {label}{required}</label>",
                n = escape(&name)
            );
        }
        FieldKind::Choice | FieldKind::Multichoice => {
            choices(out, field, &id, &name, value, &label, required, &described);
        }
        _ => {
            let _ = write!(out, "<label for=\"{id}\">{label}{required}</label>");
            input(out, field, &id, &name, value, &described);
        }
    }
    if let Some(help) = &field.help {
        let _ = write!(
            out,
            "<p class=\"mizan-help\" id=\"{id}-help\">{}</p>",
            escape(help)
        );
    }
    if let Some(message) = error {
        let _ = write!(
            out,
            "<p class=\"mizan-error\" id=\"{id}-error\">{}</p>",
            escape(message)
        );
    }
    out.push_str("</div>");
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn input(
    out: &mut String,
    field: &FieldSpec,
    id: &str,
    name: &str,
    value: &Value,
    described: &str,
) {
    let placeholder = field
        .placeholder
        .as_ref()
        .map(|p| format!(" placeholder=\"{}\"", escape(p)))
        .unwrap_or_default();
    let n = escape(name);
    if field.widget == "textarea" {
        let _ = write!(
            out,
            "<textarea id=\"{id}\" name=\"{n}\"{placeholder}{described}>{}</textarea>",
            escape(&text_of(value))
        );
        return;
    }
    let (kind, extra) = match field.kind {
        FieldKind::Integer => ("number", " step=\"1\"".to_owned()),
        FieldKind::Decimal => ("text", " inputmode=\"decimal\"".to_owned()),
        FieldKind::File => {
            let accept = field
                .accept
                .as_ref()
                .map(|a| format!(" accept=\"{}\"", escape(&a.join(","))))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<input type=\"file\" id=\"{id}\" name=\"{n}\"{accept}{described}>"
            );
            return;
        }
        _ => (field.widget.as_str(), String::new()),
    };
    let _ = write!(
        out,
        "<input type=\"{kind}\" id=\"{id}\" name=\"{n}\" value=\"{}\"{extra}{placeholder}{described}>",
        escape(&text_of(value))
    );
}

#[allow(clippy::too_many_arguments)]
fn choices(
    out: &mut String,
    field: &FieldSpec,
    id: &str,
    name: &str,
    value: &Value,
    label: &str,
    required: &str,
    described: &str,
) {
    let options = field.choices.as_deref().unwrap_or_default();
    let chosen = |v: &str| match value {
        Value::String(s) => s == v,
        Value::Array(items) => items.iter().any(|i| i.as_str() == Some(v)),
        _ => false,
    };
    let n = escape(name);
    match field.widget.as_str() {
        "select" | "select-multiple" => {
            let multiple = if field.widget == "select-multiple" {
                " multiple"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<label for=\"{id}\">{label}{required}</label><select id=\"{id}\" name=\"{n}\"{multiple}{described}>"
            );
            if multiple.is_empty() {
                out.push_str("<option value=\"\">---------</option>");
            }
            for c in options {
                let selected = if chosen(&c.value) { " selected" } else { "" };
                let _ = write!(
                    out,
                    "<option value=\"{}\"{selected}>{}</option>",
                    escape(&c.value),
                    escape(&c.label)
                );
            }
            out.push_str("</select>");
        }
        widget => {
            let input_type = if widget == "radio" {
                "radio"
            } else {
                "checkbox"
            };
            let _ = write!(
                out,
                "<fieldset id=\"{id}\"{described}><legend>{label}{required}</legend>"
            );
            for (i, c) in options.iter().enumerate() {
                let checked = if chosen(&c.value) { " checked" } else { "" };
                let _ = write!(
                    out,
                    "<label for=\"{id}-{i}\"><input type=\"{input_type}\" id=\"{id}-{i}\" name=\"{n}\" value=\"{}\"{checked}> {}</label>",
                    escape(&c.value),
                    escape(&c.label)
                );
            }
            out.push_str("</fieldset>");
        }
    }
}

#[cfg(test)]
mod tests {
    use mizan_core::form::{Choice, FieldIssue, FieldSpec, FormSpec, PathStep};
    use serde_json::json;

    use super::*;

    #[test]
    fn values_and_errors_are_filled_in_and_escaped() {
        let mut topic = FieldSpec::new("topic", FieldKind::Choice, "Topic");
        topic.choices = Some(vec![Choice::new("a", "A"), Choice::new("b", "B<")]);
        let spec = FormSpec::new(
            "contact",
            "Contact",
            vec![FieldSpec::new("name", FieldKind::Text, "Name"), topic],
        );
        let errors = [
            FieldIssue::new(vec![PathStep::Key("name".into())], "Too \"short\""),
            FieldIssue::new(vec![], "Form <error>"),
        ];
        let html = render(&Rendering {
            spec: &spec,
            action: "/api/mizan/form/contact",
            values: &json!({"name": "<script>", "topic": "b"}),
            errors: &errors,
            csrf_token: "tok",
        });
        assert!(html.contains("value=\"&lt;script&gt;\""));
        assert!(html.contains("Too &quot;short&quot;"));
        assert!(html.contains("<li>Form &lt;error&gt;</li>"));
        assert!(html.contains("<option value=\"b\" selected>B&lt;</option>"));
        assert!(html.contains("name=\"__mizan_csrf\" value=\"tok\""));
        assert!(!html.contains("<script>"));
    }
}
