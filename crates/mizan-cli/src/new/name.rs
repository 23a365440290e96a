//! What a new application may be called: a name that is at once a Cargo package, a Rust crate
//! once `-` becomes `_`, an npm package and a folder.

use crate::commands::Failure;

/// The longest name accepted; Cargo and npm allow more, but a name is typed in commands.
const MAX_LEN: usize = 64;

/// Names the generated code cannot take: Rust keywords (the crate name is used in `use` lines),
/// the standard library's crates, and the app's own dependencies, whose names its crate would
/// shadow.
const RESERVED: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "try",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "mizan",
    "axum",
    "schemars",
    "serde",
    "serde_json",
    "tokio",
    "tower",
    "tower_http",
    "http_body_util",
    "http",
];

/// A valid application name, and the crate name derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppName {
    /// As given: the folder, the Cargo package and (with `-web`) the npm package.
    pub(crate) package: String,
    /// With `-` as `_`: how Rust code names the crate.
    pub(crate) krate: String,
}

impl AppName {
    /// Checks `name`: lowercase ASCII letters, digits, `-` and `_`, starting with a letter, not
    /// ending with `-` or `_`, at most [`MAX_LEN`] bytes, and not [`RESERVED`].
    pub(crate) fn parse(name: &str) -> Result<Self, Failure> {
        let invalid = |why: &str| Failure::new("invalid_name", format!("{name:?} {why}"));
        if name.is_empty() {
            return Err(Failure::new("invalid_name", "the name is empty"));
        }
        if name.len() > MAX_LEN {
            return Err(invalid(&format!("is longer than {MAX_LEN} characters")));
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(invalid("must start with a lowercase letter (a-z)"));
        }
        if let Some(bad) = name
            .chars()
            .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'))
        {
            return Err(invalid(&format!(
                "has {bad:?}: use lowercase letters, digits, `-` and `_` only"
            )));
        }
        if name.ends_with(['-', '_']) {
            return Err(invalid("must end with a letter or a digit"));
        }
        let krate = name.replace('-', "_");
        if RESERVED.contains(&krate.as_str()) {
            return Err(invalid(
                "is reserved: it is a Rust keyword, a standard crate or a dependency of the app",
            ));
        }
        Ok(Self {
            package: name.to_owned(),
            krate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::AppName;

    #[test]
    fn good_names_give_their_crate_name() {
        for (name, krate) in [
            ("myapp", "myapp"),
            ("my-app", "my_app"),
            ("shop_2", "shop_2"),
            ("a", "a"),
        ] {
            let parsed = AppName::parse(name).unwrap();
            assert_eq!(
                (parsed.package.as_str(), parsed.krate.as_str()),
                (name, krate)
            );
        }
    }

    #[test]
    fn bad_names_say_what_is_wrong() {
        for (name, why) in [
            ("", "the name is empty"),
            ("My-App", "must start with a lowercase letter"),
            ("1app", "must start with a lowercase letter"),
            ("-app", "must start with a lowercase letter"),
            ("my app", "has ' '"),
            ("myApp", "has 'A'"),
            ("../app", "must start with a lowercase letter"),
            ("app/x", "has '/'"),
            ("café", "has 'é'"),
            ("app-", "must end with a letter or a digit"),
            ("app_", "must end with a letter or a digit"),
            ("fn", "is reserved"),
            ("test", "is reserved"),
            ("mizan", "is reserved"),
            ("tower-http", "is reserved"),
        ] {
            let failure = AppName::parse(name).unwrap_err();
            assert_eq!(failure.code, "invalid_name");
            assert!(
                failure.message.contains(why),
                "{name:?}: {}",
                failure.message
            );
        }
        let long = "a".repeat(65);
        assert!(
            AppName::parse(&long)
                .unwrap_err()
                .message
                .contains("longer than 64")
        );
        assert!(AppName::parse(&"a".repeat(64)).is_ok());
    }
}
