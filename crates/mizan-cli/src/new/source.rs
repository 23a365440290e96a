//! Where a new application gets Mizan from: this checkout of the repository (crates by path, npm
//! packages packed from it), or the registries (crates.io and npm, by version).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::commands::Failure;

/// The version of Mizan this command belongs to: what an application asks the registries for.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where this crate was built from; two levels up is the repository when it was built from a
/// checkout, and a registry's unpacked crate otherwise.
const BUILT_FROM: &str = env!("CARGO_MANIFEST_DIR");

/// Where Mizan comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A checkout of the repository: crates by path, npm packages packed from it.
    Checkout(PathBuf),
    /// crates.io and the npm registry, at this command's version.
    Registries,
}

impl Source {
    /// `--from-registry` chooses the registries, `--checkout <dir>` a checkout; otherwise the
    /// checkout this command was built from, when it is one, and the registries when not (an
    /// installed `mizan`).
    pub(crate) fn choose(from_registry: bool, checkout: Option<&Path>) -> Result<Self, Failure> {
        if from_registry {
            return Ok(Self::Registries);
        }
        match checkout {
            Some(dir) => {
                let dir = std::fs::canonicalize(dir).map_err(|e| {
                    Failure::new("invalid_checkout", format!("{}: {e}", dir.display()))
                })?;
                if !is_checkout(&dir) {
                    return Err(Failure::new(
                        "invalid_checkout",
                        format!(
                            "{} is not a checkout of Mizan (no crates/mizan and packages/mizan-react)",
                            dir.display()
                        ),
                    ));
                }
                Ok(Self::Checkout(dir))
            }
            None => Ok(std::fs::canonicalize(Path::new(BUILT_FROM).join("../.."))
                .ok()
                .filter(|dir| is_checkout(dir))
                .map_or(Self::Registries, Self::Checkout)),
        }
    }

    /// The `mizan` line of the application's `Cargo.toml`.
    pub(crate) fn mizan_dependency(&self) -> String {
        match self {
            Self::Checkout(dir) => format!(
                "mizan = {{ path = {}, features = [\"codegen\"] }}",
                toml_string(&dir.join("crates/mizan").to_string_lossy())
            ),
            Self::Registries => {
                format!("mizan = {{ version = \"{VERSION}\", features = [\"codegen\"] }}")
            }
        }
    }

    /// What `web/package.json` asks for `mizan-ts` and `mizan-react`: tarballs packed into
    /// `web_dir/vendor` from the checkout, or the registry version.
    pub(crate) fn npm_packages(&self, web_dir: &Path) -> Result<(String, String), Failure> {
        match self {
            Self::Checkout(dir) => pack(dir, &web_dir.join("vendor")),
            Self::Registries => Ok((format!("^{VERSION}"), format!("^{VERSION}"))),
        }
    }

    /// One line saying where Mizan comes from, for the command's output.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Checkout(dir) => format!(
                "Mizan from the checkout {}: crates by path, npm packages packed into web/vendor/",
                dir.display()
            ),
            Self::Registries => {
                format!("Mizan {VERSION} from crates.io and the npm registry")
            }
        }
    }
}

fn is_checkout(dir: &Path) -> bool {
    dir.join("crates/mizan/Cargo.toml").is_file()
        && dir.join("packages/mizan-react/package.json").is_file()
        && dir.join("scripts/packaging/pack.sh").is_file()
}

/// Packs the checkout's `mizan-ts` and `mizan-react` into `vendor` with the checkout's own
/// script (the one its packaging test uses), and names the tarballs as `package.json` does.
fn pack(checkout: &Path, vendor: &Path) -> Result<(String, String), Failure> {
    let output = Command::new("bash")
        .arg(checkout.join("scripts/packaging/pack.sh"))
        .arg(vendor)
        .output()
        .map_err(|e| Failure::new("npm_pack", format!("could not run bash: {e}")))?;
    if !output.status.success() {
        return Err(Failure::new(
            "npm_pack",
            format!(
                "packing mizan-ts and mizan-react failed (it needs Node 20+ and npm):\n{}",
                String::from_utf8_lossy(&output.stderr).trim_end()
            ),
        ));
    }
    let tarball = |prefix: &str| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| Path::new(line.trim()).file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .find(|name| {
                name.strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            })
            .map(|name| format!("file:vendor/{name}"))
            .ok_or_else(|| Failure::new("npm_pack", format!("no {prefix}*.tgz was packed")))
    };
    Ok((tarball("mizan-ts-")?, tarball("mizan-react-")?))
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_a_checkout_it_uses_the_checkout() {
        let expected = std::fs::canonicalize(Path::new(BUILT_FROM).join("../..")).unwrap();
        assert_eq!(
            Source::choose(false, None).unwrap(),
            Source::Checkout(expected.clone())
        );
        assert_eq!(Source::choose(true, None).unwrap(), Source::Registries);
        assert_eq!(
            Source::choose(false, Some(&expected)).unwrap(),
            Source::Checkout(expected.clone())
        );
        let failure = Source::choose(false, Some(&expected.join("crates"))).unwrap_err();
        assert_eq!(failure.code, "invalid_checkout");
    }

    #[test]
    fn dependencies_name_the_path_or_the_version() {
        let checkout = Source::Checkout(PathBuf::from("/src/mi\"zan"));
        assert_eq!(
            checkout.mizan_dependency(),
            "mizan = { path = \"/src/mi\\\"zan/crates/mizan\", features = [\"codegen\"] }"
        );
        assert_eq!(
            Source::Registries.mizan_dependency(),
            format!("mizan = {{ version = \"{VERSION}\", features = [\"codegen\"] }}")
        );
        let (ts, react) = Source::Registries.npm_packages(Path::new("web")).unwrap();
        assert_eq!((ts, react), (format!("^{VERSION}"), format!("^{VERSION}")));
    }
}
