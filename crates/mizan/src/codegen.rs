//! Writing the TypeScript client straight from the application's registry, without starting a
//! server (the `codegen` feature).
//!
//! One line in the application's `main` gives its binary three flags:
//!
//! ```no_run
//! # fn registry() -> mizan::Registry { mizan::Registry::new() }
//! # fn main() -> std::process::ExitCode {
//! let registry = registry();
//! // `--mizan-generate <dir>` writes the client, `--mizan-check <dir>` fails naming the stale files,
//! // `--mizan-manifest` prints the manifest; without them, the server starts as usual.
//! if let Some(exit) = mizan::codegen::run_from_args(&registry, std::env::args().skip(1)) {
//!     return exit;
//! }
//! // ... serve `registry` ...
//! # std::process::ExitCode::SUCCESS
//! # }
//! ```
//!
//! so that "change a Rust function, regenerate" is `cargo run -- --mizan-generate web/src/mizan`,
//! and a test can keep the committed client honest with [`check_client`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::Registry;

pub use mizan_codegen::GenerateError;

/// Why the client could not be written or checked.
#[derive(Debug)]
#[non_exhaustive]
pub enum CodegenError {
    /// The registry is inconsistent ([`Registry::check`]): a call invalidates a context that is
    /// not a registered context with a cache policy.
    Inconsistent(crate::RegistryError),
    /// The registry's manifest cannot become TypeScript (a name clash, an unsupported schema).
    Generate(GenerateError),
    /// A file could not be read or written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
    /// The committed client differs from what the registry generates.
    Stale {
        /// The client's folder.
        dir: PathBuf,
        /// The files that are missing or differ, by name.
        files: Vec<&'static str>,
    },
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inconsistent(e) => e.fmt(f),
            Self::Generate(e) => e.fmt(f),
            Self::Io { path, error } => write!(f, "{}: {error}", path.display()),
            Self::Stale { dir, files } => write!(
                f,
                "{} in {} differ from what the registry generates; regenerate with --mizan-generate {}",
                files.join(", "),
                dir.display(),
                dir.display()
            ),
        }
    }
}

impl std::error::Error for CodegenError {}

impl From<GenerateError> for CodegenError {
    fn from(e: GenerateError) -> Self {
        Self::Generate(e)
    }
}

/// Writes the TypeScript client of `registry` (types, Zod schemas, hooks, OpenAPI) into `dir`,
/// creating it; only files whose bytes change are written. Returns their names.
pub fn write_client(
    registry: &Registry,
    dir: impl AsRef<Path>,
) -> Result<Vec<&'static str>, CodegenError> {
    let dir = dir.as_ref();
    registry.check().map_err(CodegenError::Inconsistent)?;
    let files = mizan_codegen::generate(&registry.manifest())?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |error| CodegenError::Io { path, error }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            std::fs::write(&path, text).map_err(io(&path))?;
            written.push(name);
        }
    }
    Ok(written)
}

/// Checks that `dir` holds exactly the client `registry` generates; writes nothing. Fails with
/// [`CodegenError::Stale`] naming the files that are missing or differ.
pub fn check_client(registry: &Registry, dir: impl AsRef<Path>) -> Result<(), CodegenError> {
    let dir = dir.as_ref();
    registry.check().map_err(CodegenError::Inconsistent)?;
    let files = mizan_codegen::stale_files(&registry.manifest(), dir)?;
    if files.is_empty() {
        Ok(())
    } else {
        Err(CodegenError::Stale {
            dir: dir.to_owned(),
            files,
        })
    }
}

/// Handles the code generation flags of an application's command line, and returns `None` when
/// there are none, so the application goes on (usually: starts its server).
///
/// - `--mizan-generate <dir>`: [`write_client`], then exit 0.
/// - `--mizan-check <dir>`: [`check_client`]; exit 1 naming the stale files.
/// - `--mizan-manifest`: print the manifest JSON (`spec/PROTOCOL.md` §2.7) to standard output,
///   for `mizan generate --manifest -`.
///
/// Messages go to standard error, failures as `error[code]: message`.
pub fn run_from_args(
    registry: &Registry,
    args: impl IntoIterator<Item = String>,
) -> Option<ExitCode> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let outcome = match arg.as_str() {
            "--mizan-manifest" => serde_json::to_string(&registry.manifest())
                .map(|json| println!("{json}"))
                .map_err(|e| ("internal", e.to_string())),
            "--mizan-generate" | "--mizan-check" => match args.next() {
                None => Err(("usage", format!("{arg} needs a folder"))),
                Some(dir) if arg == "--mizan-generate" => write_client(registry, &dir)
                    .map(|written| {
                        eprintln!(
                            "mizan: the client in {dir} is written ({} changed)",
                            written.len()
                        );
                    })
                    .map_err(|e| (code(&e), e.to_string())),
                Some(dir) => check_client(registry, &dir)
                    .map(|()| eprintln!("mizan: the client in {dir} is up to date"))
                    .map_err(|e| (code(&e), e.to_string())),
            },
            _ => continue,
        };
        return Some(match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err((code, message)) => {
                eprintln!("error[{code}]: {message}");
                ExitCode::FAILURE
            }
        });
    }
    None
}

fn code(error: &CodegenError) -> &'static str {
    match error {
        CodegenError::Inconsistent(_) => "registry",
        CodegenError::Generate(_) => "generate",
        CodegenError::Io { .. } => "io",
        CodegenError::Stale { .. } => "stale_client",
    }
}
