//! `mizan::codegen` (the `codegen` feature): the client written and checked from a registry.

#![cfg(feature = "codegen")]

use std::process::ExitCode;

use mizan::codegen::{CodegenError, check_client, run_from_args, write_client};
use mizan::{Registry, Request, Result};

#[mizan::client]
fn ping(_req: &Request) -> Result<String> {
    Ok("pong".into())
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register(ping, "ping").unwrap();
    registry
}

#[test]
fn writes_then_checks_and_names_stale_files() {
    let dir = std::env::temp_dir().join(format!("mizan-codegen-feature-{}", std::process::id()));
    let registry = registry();
    assert!(matches!(
        check_client(&registry, &dir),
        Err(CodegenError::Stale { ref files, .. }) if files.len() == 5
    ));
    assert_eq!(write_client(&registry, &dir).unwrap().len(), 5);
    check_client(&registry, &dir).unwrap();
    assert!(write_client(&registry, &dir).unwrap().is_empty());
    std::fs::write(dir.join("hooks.ts"), "").unwrap();
    let err = check_client(&registry, &dir).unwrap_err();
    assert!(err.to_string().starts_with("hooks.ts in "), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn flags_are_handled_and_anything_else_is_left_alone() {
    let dir = std::env::temp_dir().join(format!("mizan-codegen-flags-{}", std::process::id()));
    let dir_arg = dir.to_str().unwrap().to_owned();
    let run = |args: &[&str]| run_from_args(&registry(), args.iter().map(|a| (*a).to_owned()));
    assert_eq!(run(&[]), None);
    assert_eq!(run(&["--port", "8000"]), None);
    assert_eq!(run(&["--mizan-check"]), Some(ExitCode::FAILURE));
    assert_eq!(run(&["--mizan-check", &dir_arg]), Some(ExitCode::FAILURE));
    assert_eq!(
        run(&["--mizan-generate", &dir_arg]),
        Some(ExitCode::SUCCESS)
    );
    assert_eq!(
        run(&["--verbose", "--mizan-check", &dir_arg]),
        Some(ExitCode::SUCCESS)
    );
    assert_eq!(run(&["--mizan-manifest"]), Some(ExitCode::SUCCESS));
    std::fs::remove_dir_all(&dir).unwrap();
}
