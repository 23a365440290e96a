//! The demo's database: a SQLite file in the working directory unless told otherwise, PostgreSQL
//! by URL, and the fixture users the tests sign tokens for, on both.

use std::time::{SystemTime, UNIX_EPOCH};

use mizan::core::{RootSecret, hex};
use mizan_accounts::Admin;

mod common;
use common::{DemoProcess, request};

/// The root secret of these tests' demos, so that they can sign tokens for any user.
const SECRET: [u8; 32] = [5; 32];

fn call(name: &str, token: &str) -> String {
    format!(
        "POST /api/mizan/call/{name} HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
}

/// A token for `user`, signed with [`SECRET`] as the demo signs them.
fn token(user: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    mizan_demo::Keys::new(RootSecret::new(SECRET).unwrap()).token(user, false, now)
}

#[tokio::test]
async fn without_a_database_url_the_demo_creates_its_sqlite_file_in_the_working_directory() {
    let folder = tempfile::tempdir().unwrap();
    let demo = DemoProcess::spawn_in(folder.path(), None, &[], None).await;
    assert_eq!(demo.database, "sqlite://mizan-demo.sqlite3");
    assert!(folder.path().join("mizan-demo.sqlite3").is_file());
    let (status, _, body) = request(&demo.addr, call("admin.stats", &demo.grace)).await;
    assert_eq!(status, 200, "the printed token of grace works: {body}");
}

/// A fresh schema in the PostgreSQL on 127.0.0.1:5432 (`MIZAN_TEST_POSTGRES` to change), dropped
/// by [`drop_schema`]; the URL that selects it.
async fn postgres_schema() -> (String, String) {
    let base = std::env::var("MIZAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!(
        "mizan_demo_test_{}_{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&base)
        .await
        .expect("PostgreSQL answers on 127.0.0.1:5432 (bash scripts/services.sh starts it)");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    (
        format!("{base}?options=-c%20search_path%3D{schema}"),
        schema,
    )
}

async fn drop_schema(schema: &str) {
    let base = std::env::var("MIZAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let admin = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_users_exist_on_sqlite_and_postgresql_and_grace_reaches_the_staff_function() {
    let folder = tempfile::tempdir().unwrap();
    let (postgres, schema) = postgres_schema().await;
    let secret = hex::encode(&SECRET);
    for url in [common::sqlite_url(folder.path()), postgres] {
        // Twice on one database: the second start finds the users and leaves them as they are.
        for start in ["first", "second"] {
            let demo = DemoProcess::spawn_in(folder.path(), Some(&url), &[], Some(&secret)).await;
            for (user, status) in [("ada", 403), ("grace", 200), ("root", 200)] {
                let (got, _, body) = request(&demo.addr, call("admin.stats", &token(user))).await;
                assert_eq!(got, status, "{url}, {start} start, {user}: {body}");
            }
            let (status, _, body) =
                request(&demo.addr, call("admin.stats", &token("nobody"))).await;
            assert_eq!(status, 401, "a token for a user the store lacks: {body}");
            assert!(body.contains(r#""reason":"revoked""#), "{body}");
        }
        let users = Admin::connect(&url).await.unwrap().list().await.unwrap();
        let found: Vec<_> = users
            .iter()
            .map(|u| {
                (
                    u.id.as_str(),
                    u.email.as_str(),
                    u.staff,
                    u.superuser,
                    u.password_hash.is_none(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("ada", "ada@example.com", false, false, true),
                ("grace", "grace@example.com", true, false, true),
                ("root", "root@example.com", false, true, true),
            ],
            "{url}"
        );
    }
    drop_schema(&schema).await;
}
