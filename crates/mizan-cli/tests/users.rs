//! Runs the real `mizan users` against a SQLite file in a temporary folder and against a fresh
//! schema in the PostgreSQL on 127.0.0.1:5432 (`bash scripts/services.sh` starts it).

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use mizan_accounts::Admin;
use serde_json::Value;
use support::{Db, block_on, mizan, password_is};

/// Each scenario below, once on SQLite and once on PostgreSQL.
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $scenario() { super::$scenario(&super::Db::sqlite()) })*
        }
        mod postgres {
            $(#[test] fn $scenario() { super::$scenario(&super::Db::postgres()) })*
        }
    };
}

on_both_databases!(
    created_users_are_listed_as_a_table_and_as_json,
    set_password_reads_standard_input_and_logins_stay_unique,
    deactivate_activate_and_set_roles_change_the_listed_flags,
    bad_input_fails_with_its_code_and_writes_nothing,
);

fn created_users_are_listed_as_a_table_and_as_json(db: &Db) {
    db.users(
        &["create", "ada@example.com", "--staff"],
        Some("ada's passphrase\n"),
    )
    .succeeded();
    let root = db.users(
        &[
            "create",
            "Root@Example.com",
            "--superuser",
            "--username",
            "root",
        ],
        Some("root passphrase\r\n"),
    );
    assert!(
        root.succeeded().contains("root@example.com"),
        "{}",
        root.stdout
    );
    db.users(&["create", "bob@example.com", "--no-password"], None)
        .succeeded();

    let table = db.users(&["list"], None);
    let rows: Vec<Vec<&str>> = table
        .succeeded()
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "id",
            "email",
            "username",
            "active",
            "staff",
            "superuser",
            "created"
        ]
    );
    assert_eq!(rows.len(), 4, "{}", table.stdout);
    assert_eq!(rows[1][1..6], ["ada@example.com", "-", "yes", "yes", "no"]);
    assert_eq!(rows[2][1..6], ["bob@example.com", "-", "yes", "no", "no"]);
    assert_eq!(
        rows[3][1..6],
        ["root@example.com", "root", "yes", "no", "yes"]
    );
    let created = rows[1][6].as_bytes();
    assert!(
        created.len() == 10 && created[4] == b'-' && created[7] == b'-',
        "a UTC date: {}",
        rows[1][6]
    );

    let json = db.users(&["list", "--json"], None);
    assert!(
        !json.succeeded().contains("argon2"),
        "no hash: {}",
        json.stdout
    );
    let users: Vec<Value> = serde_json::from_str(&json.stdout).unwrap();
    let emails: Vec<&str> = users.iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        ["ada@example.com", "bob@example.com", "root@example.com"]
    );
    let fields: BTreeSet<&str> = users[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        BTreeSet::from([
            "active",
            "created_at",
            "email",
            "id",
            "staff",
            "superuser",
            "username"
        ])
    );
    assert_eq!(users[2]["username"], "root");
    assert_eq!(
        (&users[2]["staff"], &users[2]["superuser"]),
        (&false.into(), &true.into())
    );

    // What was piped in, without its line ending, is the password.
    assert!(password_is(
        &db.record("ada@example.com"),
        "ada's passphrase"
    ));
    assert!(password_is(
        &db.record("root@example.com"),
        "root passphrase"
    ));
    assert_eq!(db.record("bob@example.com").password_hash, None);
    assert_eq!(
        db.record(users[0]["id"].as_str().unwrap()).email,
        "ada@example.com"
    );
}

fn set_password_reads_standard_input_and_logins_stay_unique(db: &Db) {
    db.users(&["create", "ada@example.com"], Some("first passphrase\n"))
        .succeeded();
    db.users(
        &["set-password", "ADA@example.com"],
        Some("second passphrase\n"),
    )
    .succeeded();
    let ada = db.record("ada@example.com");
    assert!(password_is(&ada, "second passphrase"));
    assert!(!password_is(&ada, "first passphrase"));

    // By id, with the flag, and a last line without its newline.
    db.users(
        &["set-password", "--password-stdin", &ada.id],
        Some("third passphrase"),
    )
    .succeeded();
    assert!(password_is(&db.record(&ada.id), "third passphrase"));

    db.users(
        &["create", " Ada@Example.COM "],
        Some("another passphrase\n"),
    )
    .failed_with("email_taken");
    db.users(
        &[
            "create",
            "bob@example.com",
            "--username",
            "bob",
            "--no-password",
        ],
        None,
    )
    .succeeded();
    db.users(
        &[
            "create",
            "eve@example.com",
            "--username",
            "bob",
            "--no-password",
        ],
        None,
    )
    .failed_with("username_taken");
    assert_eq!(db.listed().len(), 2);
    assert!(password_is(
        &db.record("ada@example.com"),
        "third passphrase"
    ));
}

fn deactivate_activate_and_set_roles_change_the_listed_flags(db: &Db) {
    db.users(
        &["create", "ada@example.com", "--staff", "--superuser"],
        Some("ada's passphrase\n"),
    )
    .succeeded();
    let flags = || {
        let ada = &db.listed()[0];
        [&ada["active"], &ada["staff"], &ada["superuser"]].map(|flag| flag.as_bool().unwrap())
    };
    assert_eq!(flags(), [true, true, true]);

    db.users(&["deactivate", "ada@example.com"], None)
        .succeeded();
    assert_eq!(flags(), [false, true, true]);
    let table = db.users(&["list"], None);
    let row: Vec<&str> = table
        .succeeded()
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(row[1..6], ["ada@example.com", "-", "no", "yes", "yes"]);

    let id = db.record("ada@example.com").id;
    db.users(&["activate", &id], None).succeeded();
    assert_eq!(flags(), [true, true, true]);

    db.users(&["set-roles", &id, "--staff"], None).succeeded();
    assert_eq!(flags(), [true, true, false]);
    db.users(&["set-roles", "ada@example.com"], None)
        .succeeded();
    assert_eq!(flags(), [true, false, false]);
    db.users(&["set-roles", "ada@example.com", "--superuser"], None)
        .succeeded();
    assert_eq!(flags(), [true, false, true]);
}

fn bad_input_fails_with_its_code_and_writes_nothing(db: &Db) {
    let password = Some("a fine passphrase\n");
    db.users(&["create", "not an email"], password)
        .failed_with("invalid_email");
    db.users(&["create", "ada@example.com"], Some("short\n"))
        .failed_with("invalid_password");
    db.users(&["create", "ada@example.com"], None)
        .failed_with("invalid_password");
    db.users(
        &["create", "ada@example.com", "--username", "a b"],
        password,
    )
    .failed_with("invalid_username");
    assert_eq!(db.listed(), Vec::<Value>::new());

    for command in ["set-password", "deactivate", "activate", "set-roles"] {
        db.users(&[command, "nobody@example.com"], password)
            .failed_with("no_such_user");
        db.users(&[command, "no-such-id"], password)
            .failed_with("no_such_user");
    }
    assert_eq!(db.listed(), Vec::<Value>::new());

    db.users(&["create", "ada@example.com"], password)
        .succeeded();
    db.users(&["set-password", "ada@example.com"], Some("short\n"))
        .failed_with("invalid_password");
    assert!(password_is(
        &db.record("ada@example.com"),
        "a fine passphrase"
    ));
}

#[test]
fn an_unreachable_database_fails_fast_without_showing_its_password() {
    let folder = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let outcome = mizan(
        folder.path(),
        &[
            "users",
            "list",
            "--database",
            "postgres://postgres:hunter2@127.0.0.1:1/test",
        ],
        None,
        &[],
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    outcome.failed_with("database_unavailable");
    assert!(
        outcome
            .stderr
            .contains("postgres://postgres:***@127.0.0.1:1/test"),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("hunter2"), "{}", outcome.stderr);
}

#[test]
fn an_unsupported_database_url_is_named_without_its_password() {
    let folder = tempfile::tempdir().unwrap();
    let outcome = mizan(
        folder.path(),
        &[
            "users",
            "list",
            "--database",
            "mysql://root:hunter2@127.0.0.1/app",
        ],
        None,
        &[],
    );
    outcome.failed_with("unsupported_database_url");
    assert!(!outcome.stderr.contains("hunter2"), "{}", outcome.stderr);
}

#[test]
fn the_default_database_is_a_file_in_the_working_directory() {
    let folder = tempfile::tempdir().unwrap();
    let cwd = folder.path();
    mizan(
        cwd,
        &["users", "create", "ada@example.com"],
        Some("ada's passphrase\n"),
        &[],
    )
    .succeeded();
    assert!(cwd.join("mizan.sqlite3").is_file());
    let list = mizan(cwd, &["users", "list"], None, &[]);
    assert!(
        list.succeeded().contains("ada@example.com"),
        "{}",
        list.stdout
    );

    // MIZAN_DATABASE_URL chooses another.
    let other = [("MIZAN_DATABASE_URL", "sqlite://other.sqlite3")];
    let list = mizan(cwd, &["users", "list"], None, &other);
    assert_eq!(list.succeeded(), "no users");
    assert!(cwd.join("other.sqlite3").is_file());
}

/// Ids are base64url, so one in 64 starts with `-`: it must not be taken for a flag.
#[test]
fn issue_an_id_with_a_leading_hyphen_is_not_a_flag() {
    let db = Db::sqlite();
    let user = mizan_accounts::NewUser {
        id: Some("-Xk2".to_owned()),
        email: "ada@example.com".to_owned(),
        ..mizan_accounts::NewUser::default()
    };
    block_on(async {
        let admin = Admin::connect(&db.url).await.unwrap();
        admin.create(user, None).await.unwrap();
    });
    db.users(&["deactivate", "-Xk2"], None).succeeded();
    db.users(&["set-roles", "-Xk2", "--staff"], None)
        .succeeded();
    db.users(
        &["set-password", "--password-stdin", "-Xk2"],
        Some("a fine passphrase\n"),
    )
    .succeeded();
    let ada = db.record("-Xk2");
    assert!(!ada.active && ada.staff && password_is(&ada, "a fine passphrase"));
}
