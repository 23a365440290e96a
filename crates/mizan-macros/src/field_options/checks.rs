//! The checks of a field's options against each other: keys that suit the kind, widgets, ranges.

use super::*;

/// With a kind set by the attributes, every kind-specific key must apply to it, and the widget
/// must be one of its widgets; without one the type decides the kind, which a macro cannot see,
/// so only the widget's name is checked.
pub(super) fn check_kind(o: &FieldOptions, entries: &[Entry], errors: &mut Errors) {
    let kind = o.kind.as_ref().map(|(k, _)| *k);
    if let Some(kind) = kind {
        for entry in entries {
            let Some((_, kinds)) = APPLIES_TO.iter().find(|(key, _)| *key == entry.name) else {
                continue;
            };
            if !kinds.contains(&kind.name) {
                errors.at_tokens(
                    &entry.key,
                    format!("`{}` does not apply to {} field", entry.name, a(kind.name)),
                );
            }
        }
        // An integer field's bounds are numbers; a decimal's, a date's or a time's are strings.
        for (key, value) in [("min", &o.min), ("max", &o.max)] {
            let wrong = match value {
                Some(Bound::Integer(_)) => {
                    matches!(kind.name, "decimal" | "date" | "time" | "datetime")
                }
                Some(Bound::Text(_)) => kind.name == "integer",
                None => false,
            };
            if wrong {
                let want = if kind.name == "integer" {
                    "an integer literal"
                } else {
                    "a string literal"
                };
                let at = entries.iter().find(|e| e.name == key).map(|e| &e.meta);
                errors.at_tokens(at, format!("`{key}` of {} field is {want}", a(kind.name)));
            }
        }
        if matches!(kind.name, "choice" | "multichoice")
            && o.choices.is_none()
            && o.choices_from.is_none()
        {
            let (_, key) = o
                .kind
                .as_ref()
                .unwrap_or_else(|| unreachable!("kind is set"));
            errors.at_tokens(
                key,
                "a choice field needs `choices(...)` or `choices_from = f`",
            );
        }
    }
    if let (Some(_), Some(from)) = (&o.choices, &o.choices_from) {
        errors.at_tokens(from, "give one of `choices` and `choices_from`");
    }
    if o.pattern_message.is_some() && o.pattern.is_none() {
        let key = entries
            .iter()
            .find(|e| e.name == "pattern_message")
            .map(|e| &e.key);
        errors.at_tokens(
            key,
            "`pattern_message` is the message of a `pattern`; add `pattern = \"...\"`",
        );
    }
    if let Some(widget) = &o.widget {
        let has_choices = o.choices.is_some() || o.choices_from.is_some();
        // Choices make a text field a single choice; a multiple choice stays one.
        let (kind_name, widgets): (&str, &[&str]) = match kind {
            Some(k) if k.name == "text" && has_choices => ("choice", kind_named("choice").widgets),
            Some(k) => (k.name, k.widgets),
            None if has_choices => (
                "choice",
                &["select", "radio", "checkboxes", "select-multiple"],
            ),
            None => ("", &[]),
        };
        let name = widget.value();
        if kind_name.is_empty() {
            let all: Vec<&str> = KINDS
                .iter()
                .flat_map(|k| k.widgets.iter().copied())
                .collect();
            if !all.contains(&name.as_str()) {
                let hint = attrs::closest(&name, &all)
                    .map_or_else(String::new, |near| format!("; did you mean `{near}`?"));
                errors.at_tokens(widget, format!("unknown widget `{name}`{hint}"));
            }
        } else if !widgets.contains(&name.as_str()) {
            let list: Vec<String> = widgets.iter().map(|w| format!("`{w}`")).collect();
            errors.at_tokens(
                widget,
                format!(
                    "`{name}` is not a widget of {} field; expected {}",
                    a(kind_name),
                    list.join(", ")
                ),
            );
        }
    }
}

/// Lower bounds above upper ones.
pub(super) fn check_ranges(o: &FieldOptions, entries: &[Entry], errors: &mut Errors) {
    let at = |key: &str| {
        entries
            .iter()
            .find(|e| e.name == key)
            .map(|e| e.key.clone())
    };
    let mut inverted = |low: Option<u64>, high: Option<u64>, low_key: &str, key: &str| {
        if let (Some(low), Some(high)) = (low, high)
            && low > high
        {
            errors.at_tokens(
                at(key),
                format!("`{key}` ({high}) is below `{low_key}` ({low})"),
            );
        }
    };
    inverted(o.min_length, o.max_length, "min_length", "max_length");
    inverted(o.min_items, o.max_items, "min_items", "max_items");
    if let (Some(Bound::Integer(min)), Some(Bound::Integer(max))) = (&o.min, &o.max)
        && min > max
    {
        errors.at_tokens(at("max"), format!("`max` ({max}) is below `min` ({min})"));
    }
    if let (Some(places), Some(digits)) = (o.decimal_places, o.max_digits)
        && places > digits
    {
        errors.at_tokens(
            at("decimal_places"),
            format!("`decimal_places` ({places}) is more than `max_digits` ({digits})"),
        );
    }
}

/// `kind` with its article: "an `email`", "a `text`".
fn a(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} `{kind}`")
}
