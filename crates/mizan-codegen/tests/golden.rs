//! The generated files are committed (the demo's in `examples/demo/web/src/mizan/`, the kitchen
//! sink's under `tests/golden/`); a change in the generator that alters
//! any byte fails here. `UPDATE_GOLDEN=1 cargo test -p mizan-codegen --test golden` rewrites them.

#[path = "fixtures/kitchen.rs"]
mod kitchen;

#[path = "fixtures/forms.rs"]
mod forms;

#[path = "fixtures/channels.rs"]
mod channels;

#[path = "../../mizan/tests/parity/functions.rs"]
mod parity;

use std::path::Path;

fn check(set: &str, manifest: &mizan::Manifest) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(set);
    let files = mizan_codegen::generate(manifest).unwrap_or_else(|e| panic!("{set}: {e}"));
    assert_eq!(
        mizan_codegen::generate(manifest).unwrap(),
        files,
        "generation is deterministic"
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        mizan_codegen::generate_into(manifest, &dir).unwrap();
        return;
    }
    for (name, text) in &files {
        let path = dir.join(name);
        let golden =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            golden == *text,
            "{} drifted from the generator; rerun with UPDATE_GOLDEN=1 and review the diff",
            path.display()
        );
    }
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        on_disk,
        files.len(),
        "{set}: stray files in {}",
        dir.display()
    );
}

#[test]
fn demo_app_golden_files() {
    let registry = mizan_demo::functions::registry().unwrap();
    // The demo web app imports exactly these files.
    check("../../examples/demo/web/src/mizan", &registry.manifest());
    // Served and read back, the manifest generates the same files as the registry's own.
    let served = serde_json::to_string(&registry.manifest()).unwrap();
    assert_eq!(
        mizan_codegen::generate(&mizan_codegen::read_manifest(&served).unwrap()).unwrap(),
        mizan_codegen::generate(&registry.manifest()).unwrap()
    );
}

#[test]
fn kitchen_sink_golden_files() {
    check("tests/golden/kitchen", &kitchen::registry().manifest());
}

#[test]
fn forms_golden_files() {
    // `packages/mizan-react/test/forms.generated.test.ts` type-checks and runs these files.
    check("tests/golden/forms", &forms::manifest());
    let files = mizan_codegen::generate(&forms::manifest()).unwrap();
    assert!(files["index.ts"].ends_with("export * from \"./forms.js\";\n"));
    // Without forms, no forms.ts and an index.ts as before forms existed.
    let kitchen = mizan_codegen::generate(&kitchen::registry().manifest()).unwrap();
    assert!(!kitchen.contains_key("forms.ts"));
    assert!(!kitchen["index.ts"].contains("forms"));
}

#[test]
fn channels_golden_files() {
    // `packages/mizan-react/test/channels.generated.test.ts` type-checks and runs these files.
    check("tests/golden/channels", &channels::manifest());
    let files = mizan_codegen::generate(&channels::manifest()).unwrap();
    let chat = channels::channels()
        .into_iter()
        .find(|c| c.name == "chat")
        .unwrap();
    assert!(files["hooks.ts"].contains(&format!("schemaHash: \"{}\"", chat.schema_hash)));
    // `send` only where subscribers may send.
    assert!(
        files["hooks.ts"].contains(
            "Omit<m.UseMizanChannelResult<t.TickerPricesChannelMessage, never>, \"send\">"
        )
    );
    assert!(!files["types.ts"].contains("TickerPricesChannelIncoming"));
    // Without channels, hooks.ts imports nothing for them.
    let kitchen = mizan_codegen::generate(&kitchen::registry().manifest()).unwrap();
    assert!(!kitchen["hooks.ts"].contains("useMizanChannel"));
}

#[test]
fn parity_corpus_client_golden_files() {
    // `packages/mizan-react/test/parity.test.ts` runs the parity corpus through these schemas.
    check(
        "../mizan/tests/parity/client",
        &parity::registry().manifest(),
    );
}

#[test]
fn regenerating_into_a_folder_changes_no_byte() {
    let dir = std::env::temp_dir().join(format!("mizan-codegen-{}", std::process::id()));
    let manifest = kitchen::registry().manifest();
    let first = mizan_codegen::generate_into(&manifest, &dir).unwrap();
    assert_eq!(first.len(), 5);
    assert!(
        mizan_codegen::generate_into(&manifest, &dir)
            .unwrap()
            .is_empty()
    );
    assert!(
        mizan_codegen::stale_files(&manifest, &dir)
            .unwrap()
            .is_empty()
    );
    std::fs::write(dir.join("hooks.ts"), "// edited by hand\n").unwrap();
    std::fs::remove_file(dir.join("types.ts")).unwrap();
    assert_eq!(
        mizan_codegen::stale_files(&manifest, &dir).unwrap(),
        ["hooks.ts", "types.ts"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
