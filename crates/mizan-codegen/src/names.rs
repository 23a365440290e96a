//! Identifiers: case conversion, validity, and the names generated code reserves.

/// `contact.submit` / `current_user` -> `ContactSubmit` / `CurrentUser`.
pub(crate) fn pascal_case(name: &str) -> String {
    name.split(['.', '_'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut chars = s.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// Whether `name` is a plain TypeScript identifier (ASCII only, which keeps generated code portable).
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !is_reserved(name)
}

/// Reserved words of TypeScript and JavaScript, plus the global types generated code relies on.
pub(crate) fn is_reserved(name: &str) -> bool {
    const RESERVED: &[&str] = &[
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "null",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "as",
        "implements",
        "interface",
        "let",
        "package",
        "private",
        "protected",
        "public",
        "static",
        "yield",
        "any",
        "boolean",
        "number",
        "string",
        "symbol",
        "never",
        "unknown",
        "object",
        "undefined",
        "await",
        "async",
        "type",
        "declare",
        "Record",
        "Array",
        "Promise",
        "Partial",
        "Readonly",
        "Required",
        "Pick",
        "Omit",
        "Date",
        "Map",
        "Set",
        "Object",
        "String",
        "Number",
        "Boolean",
        "Error",
        "JSON",
        "ReactNode",
        "z",
    ];
    RESERVED.contains(&name)
}

/// A property key as written in TypeScript: bare when it is an identifier, quoted otherwise.
pub(crate) fn property_key(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if bare {
        name.to_owned()
    } else {
        serde_json::Value::String(name.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_checks_names() {
        assert_eq!(pascal_case("contact.submit"), "ContactSubmit");
        assert_eq!(pascal_case("current_user"), "CurrentUser");
        assert_eq!(pascal_case("admin.stats_v2"), "AdminStatsV2");
        assert!(is_identifier("Echo_for_string"));
        assert!(!is_identifier("1a"));
        assert!(!is_identifier("Record"));
        assert!(!is_identifier("a-b"));
        assert_eq!(property_key("a b"), "\"a b\"");
        assert_eq!(property_key("default"), "default");
    }
}
