//! `mizan new`, run as a user runs it. The applications it writes are built and tested by
//! `scripts/test-scaffold.sh`; here: the names it refuses, the folders it will not overwrite, and
//! the files it writes with Mizan from the registries (no npm needed).

use std::path::Path;
use std::process::Command;

fn mizan_new(parent: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mizan"))
        .arg("new")
        .args(args)
        .arg("--dir")
        .arg(parent)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn bad_names_are_refused_with_the_reason_and_nothing_is_written() {
    let parent = tempfile::tempdir().unwrap();
    for (name, why) in [
        ("My-App", "must start with a lowercase letter"),
        ("my app", "has ' '"),
        ("../escape", "must start with a lowercase letter"),
        ("app-", "must end with a letter or a digit"),
        ("self", "is reserved"),
    ] {
        let (ok, _, err) = mizan_new(parent.path(), &[name, "--from-registry"]);
        assert!(!ok, "{name}");
        assert!(err.starts_with("error[invalid_name]"), "{name}: {err}");
        assert!(err.contains(why), "{name}: {err}");
    }
    assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);
}

#[test]
fn a_folder_that_is_not_empty_is_never_overwritten() {
    let parent = tempfile::tempdir().unwrap();
    let existing = parent.path().join("shop");
    std::fs::create_dir(&existing).unwrap();
    std::fs::write(existing.join("notes.txt"), "mine").unwrap();
    let (ok, _, err) = mizan_new(parent.path(), &["shop", "--from-registry"]);
    assert!(!ok);
    assert!(err.starts_with("error[directory_not_empty]"), "{err}");
    assert_eq!(std::fs::read_dir(&existing).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_to_string(existing.join("notes.txt")).unwrap(),
        "mine"
    );

    std::fs::write(parent.path().join("plain"), "a file").unwrap();
    let (ok, _, err) = mizan_new(parent.path(), &["plain", "--from-registry"]);
    assert!(!ok);
    assert!(err.starts_with("error[directory_not_empty]"), "{err}");
}

#[test]
fn an_empty_folder_is_used() {
    let parent = tempfile::tempdir().unwrap();
    std::fs::create_dir(parent.path().join("shop")).unwrap();
    let (ok, _, err) = mizan_new(parent.path(), &["shop", "--from-registry"]);
    assert!(ok, "{err}");
    assert!(parent.path().join("shop/Cargo.toml").is_file());
}

#[test]
fn from_the_registries_the_app_asks_for_this_version() {
    let parent = tempfile::tempdir().unwrap();
    let (ok, out, err) = mizan_new(parent.path(), &["my-shop", "--from-registry"]);
    assert!(ok, "{err}");
    let app = parent.path().join("my-shop");
    assert!(out.contains(&format!("created {}", app.display())), "{out}");
    assert!(out.contains("bash scripts/run.sh"), "{out}");
    let read = |path: &str| std::fs::read_to_string(app.join(path)).unwrap();

    let version = env!("CARGO_PKG_VERSION");
    let cargo = read("Cargo.toml");
    assert!(cargo.contains("name = \"my-shop\""), "{cargo}");
    assert!(
        cargo.contains(&format!(
            "mizan = {{ version = \"{version}\", features = [\"codegen\"] }}"
        )),
        "{cargo}"
    );
    assert!(read("src/main.rs").contains("use my_shop::{"));
    assert!(read("tests/api.rs").contains("use my_shop::{"));

    let web: serde_json::Value = serde_json::from_str(&read("web/package.json")).unwrap();
    assert_eq!(web["name"], "my-shop-web");
    assert_eq!(web["dependencies"]["mizan-react"], format!("^{version}"));
    assert_eq!(web["dependencies"]["mizan-ts"], format!("^{version}"));
    assert!(!app.join("web/vendor").exists());

    // The README opens with the two commands, run and test.
    let readme = read("README.md");
    let commands: Vec<&str> = readme
        .lines()
        .skip_while(|line| !line.starts_with("```sh"))
        .skip(1)
        .take(2)
        .collect();
    assert!(readme.starts_with("# my-shop\n"), "{readme}");
    assert!(commands[0].starts_with("bash scripts/run.sh "), "{readme}");
    assert!(commands[1].starts_with("bash scripts/test.sh "), "{readme}");

    // No placeholder is left anywhere.
    let mut folders = vec![app.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                for placeholder in ["{{name}}", "{{crate}}", "{{mizan_", "{{ name"] {
                    assert!(!text.contains(placeholder), "{}", path.display());
                }
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(app.join("scripts/test.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111);
    }
}

/// The new app's web dependencies are the ones the demo's web app is tested with.
#[test]
fn the_web_app_uses_the_demos_versions() {
    let parent = tempfile::tempdir().unwrap();
    let (ok, _, err) = mizan_new(parent.path(), &["versions", "--from-registry"]);
    assert!(ok, "{err}");
    let read = |path: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let app = read(&parent.path().join("versions/web/package.json"));
    let demo =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo/web/package.json"));
    for section in ["dependencies", "devDependencies"] {
        for (name, range) in app[section].as_object().unwrap() {
            if name.starts_with("mizan-") {
                continue;
            }
            assert_eq!(Some(range), demo[section].get(name), "{section}.{name}");
        }
    }
}

/// A folder shaped like a checkout whose packing script is `pack_script`.
fn fake_checkout(pack_script: &str) -> tempfile::TempDir {
    let checkout = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("crates/mizan/Cargo.toml", "[package]\nname = \"mizan\"\n"),
        ("packages/mizan-react/package.json", "{}"),
        ("scripts/packaging/pack.sh", pack_script),
    ] {
        let path = checkout.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    checkout
}

#[test]
fn from_a_checkout_the_app_uses_its_crates_by_path_and_its_packed_tarballs() {
    let checkout = fake_checkout(
        "mkdir -p \"$1\"\ntouch \"$1/mizan-ts-9.8.7.tgz\" \"$1/mizan-react-9.8.7.tgz\"\necho \"$1/mizan-ts-9.8.7.tgz\"\necho \"$1/mizan-react-9.8.7.tgz\"\n",
    );
    let parent = tempfile::tempdir().unwrap();
    let checkout_dir = checkout.path().to_str().unwrap();
    let (ok, out, err) = mizan_new(parent.path(), &["shop", "--checkout", checkout_dir]);
    assert!(ok, "{err}");
    let app = parent.path().join("shop");
    let real_checkout = std::fs::canonicalize(checkout.path()).unwrap();
    assert!(out.contains(&real_checkout.display().to_string()), "{out}");
    let cargo = std::fs::read_to_string(app.join("Cargo.toml")).unwrap();
    let mizan_path = real_checkout.join("crates/mizan");
    assert!(
        cargo.contains(&format!("mizan = {{ path = \"{}\"", mizan_path.display())),
        "{cargo}"
    );
    let web: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(app.join("web/package.json")).unwrap())
            .unwrap();
    assert_eq!(
        web["dependencies"]["mizan-ts"],
        "file:vendor/mizan-ts-9.8.7.tgz"
    );
    assert_eq!(
        web["dependencies"]["mizan-react"],
        "file:vendor/mizan-react-9.8.7.tgz"
    );
    assert!(app.join("web/vendor/mizan-react-9.8.7.tgz").is_file());
}

#[test]
fn a_failed_pack_says_why_and_leaves_no_half_written_app() {
    let checkout = fake_checkout("echo 'npm: command not found' >&2\nexit 127\n");
    let parent = tempfile::tempdir().unwrap();
    let checkout_dir = checkout.path().to_str().unwrap();
    let (ok, _, err) = mizan_new(parent.path(), &["shop", "--checkout", checkout_dir]);
    assert!(!ok);
    assert!(err.starts_with("error[npm_pack]"), "{err}");
    assert!(err.contains("npm: command not found"), "{err}");
    assert!(!parent.path().join("shop").exists());
}
