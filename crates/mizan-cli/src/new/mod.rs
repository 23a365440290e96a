//! `mizan new <name>`: writes a ready application, a Rust server with a few server functions and
//! token authentication, and a Vite + React front end on the client generated from them.

mod name;
mod source;
mod template;

use std::path::{Path, PathBuf};

use clap::Args;

use crate::commands::Failure;
use name::AppName;
use source::Source;
use template::{FILES, Values};

/// What to create and where Mizan comes from.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The application's name: lowercase letters, digits, `-` and `_`, starting with a letter.
    /// It names the folder, the Cargo package and the npm package.
    name: String,
    /// The folder to create the application in (the current folder by default).
    #[arg(long, value_name = "PARENT", default_value = ".")]
    dir: PathBuf,
    /// Take Mizan from crates.io and the npm registry by version, even when this command was
    /// built from a checkout.
    #[arg(long, conflicts_with = "checkout")]
    from_registry: bool,
    /// Take Mizan from this checkout of the repository (crates by path, npm packages packed from
    /// it), instead of the one this command was built from.
    #[arg(long, value_name = "DIR")]
    checkout: Option<PathBuf>,
}

pub(crate) fn run(args: NewArgs) -> Result<String, Failure> {
    let name = AppName::parse(&args.name)?;
    let source = Source::choose(args.from_registry, args.checkout.as_deref())?;
    let target = args.dir.join(&name.package);
    let created = prepare(&target)?;
    match write_app(&target, &name, &source) {
        Ok(()) => Ok(format!(
            "created {} ({})\n\nnext:\n  cd {}\n  bash scripts/run.sh     # serves it on http://127.0.0.1:3000\n  bash scripts/test.sh    # runs its tests",
            target.display(),
            source.describe(),
            target.display()
        )),
        Err(failure) => {
            // Nothing half-written is left behind in a folder this command made.
            if created {
                let _ = std::fs::remove_dir_all(&target);
            }
            Err(failure)
        }
    }
}

/// Makes sure `target` is an empty folder; whether this command created it.
fn prepare(target: &Path) -> Result<bool, Failure> {
    let io = |e: std::io::Error| Failure::new("io", format!("{}: {e}", target.display()));
    match std::fs::read_dir(target) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Failure::new(
                    "directory_not_empty",
                    format!(
                        "{} exists and is not empty: refusing to overwrite it; choose another name or --dir",
                        target.display()
                    ),
                ));
            }
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(target).map_err(io)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(Failure::new(
            "directory_not_empty",
            format!("{} exists and is a file", target.display()),
        )),
        Err(e) => Err(io(e)),
    }
}

fn write_app(target: &Path, name: &AppName, source: &Source) -> Result<(), Failure> {
    let (mizan_ts, mizan_react) = source.npm_packages(&target.join("web"))?;
    let values = Values {
        name: name.package.clone(),
        krate: name.krate.clone(),
        mizan_dependency: source.mizan_dependency(),
        mizan_ts,
        mizan_react,
    };
    for file in FILES {
        let path = target.join(file.path);
        let io = |e: std::io::Error| Failure::new("io", format!("{}: {e}", path.display()));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, template::render(file.text, &values)).map_err(io)?;
        if file.path.ends_with(".sh") {
            make_executable(&path).map_err(io)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
