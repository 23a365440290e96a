//! Runs the real `mizan` binary.

use std::process::Command;

const SECRET: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn mizan(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(args)
        .env_remove("MIZAN_SECRET")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap().trim().to_owned(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn mint_then_verify_round_trips() {
    let (ok, token, _) = mizan(&["mint", "--secret", SECRET, "--sub", "42", "--staff"]);
    assert!(ok);
    assert!(token.starts_with("mwt1.k1."));
    let (ok, claims, err) = mizan(&["verify", "--secret", SECRET, &token]);
    assert!(ok, "{err}");
    let claims: serde_json::Value = serde_json::from_str(&claims).unwrap();
    assert_eq!(claims["sub"], "42");
    assert_eq!(claims["staff"], true);
}

#[test]
fn verify_reports_the_error_code() {
    let (_, token, _) = mizan(&["mint", "--secret", SECRET, "--ttl", "10"]);
    let (ok, _, err) = mizan(&["verify", "--secret", SECRET, "--now", "99999999999", &token]);
    assert!(!ok);
    assert!(err.starts_with("error[expired]"), "{err}");
    let (ok, _, err) = mizan(&["verify", "--secret", SECRET, "a.b.c"]);
    assert!(!ok);
    assert!(err.starts_with("error[malformed_token]"), "{err}");
}

#[test]
fn key_matches_the_pinned_vector() {
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/vectors/canonical.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let case = vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "cache_key_greet_user_42")
        .unwrap();
    let ck = &case["cache_key"];
    let (ok, key, err) = mizan(&[
        "key",
        "--secret",
        SECRET,
        "--fn",
        "greet",
        "--params",
        r#"{ "name" : "Ada" }"#,
        "--scope",
        "user:42",
    ]);
    assert!(ok, "{err}");
    assert_eq!(key, ck["key"].as_str().unwrap());
    let (_, pk, _) = mizan(&["pk", "--secret", SECRET, "--scope", "user:42"]);
    assert_eq!(pk, ck["pk"].as_str().unwrap());
}

#[test]
fn bad_input_gets_a_coded_error() {
    let (ok, _, err) = mizan(&["canonical", r#"{"a":1,"a":2}"#]);
    assert!(!ok);
    assert!(err.starts_with("error[duplicate_key]"), "{err}");
    let (ok, _, err) = mizan(&["pk", "--secret", "abcd"]);
    assert!(!ok);
    assert!(err.starts_with("error[secret_too_short]"), "{err}");
    let (ok, _, err) = mizan(&["pk", "--secret", "zz"]);
    assert!(!ok);
    assert!(err.starts_with("error[invalid_hex]"), "{err}");
}

#[test]
fn demo_runs_and_rejects_a_tampered_token() {
    let (ok, out, err) = mizan(&["demo"]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["tampered_token_rejected_with"], "bad_signature");
    assert_eq!(report["verified_claims"]["sub"], "42");
}

#[test]
fn generate_writes_the_golden_files_from_a_manifest_file() {
    let dir = std::env::temp_dir().join(format!("mizan-cli-generate-{}", std::process::id()));
    let manifest = dir.join("manifest.json");
    std::fs::create_dir_all(&dir).unwrap();
    let spec_manifest = serde_json::json!({"protocol": 1, "functions": [{
        "name": "echo", "rust_name": "echo", "kind": "call", "context": null, "auth": "none",
        "method": "POST", "path": "/call/echo", "params": ["text"],
        "input": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"], "additionalProperties": false},
        "output": {"type": "string"}, "schema_hash": "eBB9B72KcI7Fzc5Z66iMZw"
    }]});
    std::fs::write(&manifest, spec_manifest.to_string()).unwrap();
    let out = dir.join("generated");
    let (ok, said, err) = mizan(&[
        "generate",
        "--manifest",
        manifest.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert_eq!(said, format!("5 files in {} (5 changed)", out.display()));
    assert!(
        std::fs::read_to_string(out.join("hooks.ts"))
            .unwrap()
            .contains("export function useEcho<TContext = unknown>(")
    );
    let (_, said, _) = mizan(&[
        "generate",
        "--manifest",
        manifest.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(said.ends_with("(0 changed)"), "{said}");
    let check = |manifest: &std::path::Path| {
        mizan(&[
            "generate",
            "--check",
            "--manifest",
            manifest.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let (ok, said, err) = check(&manifest);
    assert!(ok, "{err}");
    assert_eq!(said, format!("5 files in {} are up to date", out.display()));

    // The server's echo changed: the committed client is stale, and --check says which files.
    let mut changed = spec_manifest.clone();
    changed["functions"][0]["output"] = serde_json::json!({"type": "integer"});
    changed["functions"][0]["schema_hash"] = serde_json::json!("0tjDqnVVt0WDsIcxVRjtVA");
    std::fs::write(&manifest, changed.to_string()).unwrap();
    let (ok, _, err) = check(&manifest);
    assert!(!ok);
    assert!(
        err.starts_with("error[stale_client]: hooks.ts, openapi.json, schemas.ts, types.ts in "),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(out.join("hooks.ts"))
            .unwrap()
            .contains("eBB9B72KcI7Fzc5Z66iMZw"),
        "--check writes nothing"
    );

    std::fs::write(&manifest, r#"{"protocol":1,"functions":[{"name":"bad name","rust_name":"f","kind":"call","context":null,"auth":"none","method":"POST","path":"/call/f","params":[],"input":true,"output":true,"schema_hash":"AAAAAAAAAAAAAAAAAAAAAA"}]}"#).unwrap();
    let (ok, _, err) = mizan(&[
        "generate",
        "--manifest",
        manifest.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.starts_with("error[generate]: function \"bad name\""),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
