//! The files of a new application, embedded in the binary (so an installed `mizan` has them), and
//! their `{{placeholder}}`s filled in.

/// A template file: where it goes in the application, and its text.
pub(crate) struct TemplateFile {
    /// The path in the application, `/`-separated.
    pub(crate) path: &'static str,
    /// The path under `templates/app/` in this crate.
    #[cfg(test)]
    pub(crate) source: &'static str,
    /// The text, with placeholders.
    pub(crate) text: &'static str,
}

macro_rules! files {
    ($($path:literal <= $source:literal),* $(,)?) => {
        &[$(TemplateFile {
            path: $path,
            #[cfg(test)]
            source: $source,
            text: include_str!(concat!("../../templates/app/", $source)),
        }),*]
    };
}

/// Every file of a new application. Files whose name would mean something to the tools that
/// package this crate (`Cargo.toml`, `.gitignore`) are stored under another name.
pub(crate) const FILES: &[TemplateFile] = files![
    "README.md" <= "README.md",
    "Cargo.toml" <= "Cargo.toml.tmpl",
    ".gitignore" <= "gitignore",
    "src/functions.rs" <= "src/functions.rs",
    "src/lib.rs" <= "src/lib.rs",
    "src/main.rs" <= "src/main.rs",
    "tests/api.rs" <= "tests/api.rs",
    "scripts/run.sh" <= "scripts/run.sh",
    "scripts/test.sh" <= "scripts/test.sh",
    "web/package.json" <= "web/package.json",
    "web/tsconfig.json" <= "web/tsconfig.json",
    "web/vite.config.ts" <= "web/vite.config.ts",
    "web/index.html" <= "web/index.html",
    "web/src/main.tsx" <= "web/src/main.tsx",
    "web/src/App.tsx" <= "web/src/App.tsx",
];

/// The values of the placeholders.
#[derive(Debug, Clone)]
pub(crate) struct Values {
    /// `{{name}}`: the application's name, as given.
    pub(crate) name: String,
    /// `{{crate}}`: the name as Rust code spells the crate.
    pub(crate) krate: String,
    /// `{{mizan_dependency}}`: the `mizan` line of `Cargo.toml`.
    pub(crate) mizan_dependency: String,
    /// `{{mizan_ts}}`: the version or tarball `web/package.json` asks for `mizan-ts`.
    pub(crate) mizan_ts: String,
    /// `{{mizan_react}}`: the same for `mizan-react`.
    pub(crate) mizan_react: String,
}

impl Values {
    fn get(&self, placeholder: &str) -> Option<&str> {
        Some(match placeholder {
            "name" => &self.name,
            "crate" => &self.krate,
            "mizan_dependency" => &self.mizan_dependency,
            "mizan_ts" => &self.mizan_ts,
            "mizan_react" => &self.mizan_react,
            _ => return None,
        })
    }
}

/// `text` with each `{{placeholder}}` that [`Values`] has replaced by its value; anything else,
/// such as a JSX `style={{...}}`, stays as written.
pub(crate) fn render(text: &str, values: &Values) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let value = after
            .find("}}")
            .and_then(|end| Some((values.get(&after[..end])?, end)));
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn values() -> Values {
        Values {
            name: "my-app".into(),
            krate: "my_app".into(),
            mizan_dependency: "mizan = \"0.1.0\"".into(),
            mizan_ts: "^0.1.0".into(),
            mizan_react: "^0.1.0".into(),
        }
    }

    #[test]
    fn placeholders_are_replaced_and_other_braces_kept() {
        assert_eq!(
            render(
                "{{name}}: {{crate}}::x, style={{ a: 1 }}, {{unknown}}, {{",
                &values()
            ),
            "my-app: my_app::x, style={{ a: 1 }}, {{unknown}}, {{"
        );
    }

    /// A template file that is not in [`FILES`] would silently be left out of new applications.
    #[test]
    fn every_template_file_is_embedded_once() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/app");
        let mut on_disk = BTreeSet::new();
        let mut folders = vec![root.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    let relative = path.strip_prefix(&root).unwrap();
                    on_disk.insert(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let embedded: BTreeSet<String> = FILES.iter().map(|file| file.source.to_owned()).collect();
        assert_eq!(embedded.len(), FILES.len(), "a template is listed twice");
        assert_eq!(on_disk, embedded);
    }

    /// Every `{{word}}` in the templates is a known placeholder: a misspelt one would reach the
    /// new application as written.
    #[test]
    fn templates_use_only_known_placeholders() {
        for file in FILES {
            let mut rest = file.text;
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let word: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !word.is_empty() && after[word.len()..].starts_with("}}") {
                    assert!(
                        values().get(&word).is_some(),
                        "{}: unknown placeholder {{{{{word}}}}}",
                        file.path
                    );
                }
                rest = after;
            }
        }
    }
}
