//! Runs the built `mizan` binary, and gives each test a database of its own: a SQLite file in a
//! temporary folder, or a fresh schema in the PostgreSQL on 127.0.0.1:5432
//! (`bash scripts/services.sh` starts it).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use mizan_accounts::{Admin, UserRecord};
use serde_json::Value;

/// What one run of the binary did.
pub(crate) struct Outcome {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Outcome {
    /// What it printed, once it is known to have succeeded.
    pub(crate) fn succeeded(&self) -> &str {
        assert_eq!(self.code, Some(0), "stderr: {}", self.stderr);
        &self.stdout
    }

    pub(crate) fn failed_with(&self, code: &str) {
        assert_eq!(self.code, Some(1), "stdout: {}", self.stdout);
        assert!(
            self.stderr.starts_with(&format!("error[{code}]: ")),
            "expected {code}, got {}",
            self.stderr
        );
    }
}

/// Runs `mizan` in `cwd`, with `stdin` piped in (or an empty standard input), and nothing from
/// this process's environment choosing the database.
pub(crate) fn mizan(
    cwd: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(args)
        .current_dir(cwd)
        .env_remove("MIZAN_DATABASE_URL")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    match input.write_all(stdin.unwrap_or("").as_bytes()) {
        // The command stops before reading a password when the rest of its input is invalid.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.unwrap(),
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap().trim_end().to_owned(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

pub(crate) fn block_on<T>(work: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(work)
}

fn postgres_base() -> String {
    std::env::var("MIZAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// One test's database, and a working folder for the command; a PostgreSQL schema is dropped
/// with it.
pub(crate) struct Db {
    pub(crate) url: String,
    folder: tempfile::TempDir,
    schema: Option<String>,
}

impl Db {
    pub(crate) fn sqlite() -> Db {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/users.sqlite3", folder.path().display());
        Db {
            url,
            folder,
            schema: None,
        }
    }

    pub(crate) fn postgres() -> Db {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = format!(
            "mizan_cli_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Self::on_postgres(&format!("CREATE SCHEMA {schema}"));
        Db {
            url: format!("{}?options=-c%20search_path%3D{schema}", postgres_base()),
            folder: tempfile::tempdir().unwrap(),
            schema: Some(schema),
        }
    }

    fn on_postgres(statement: &str) {
        block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&postgres_base())
                .await
                .expect("PostgreSQL answers on 127.0.0.1:5432 (run `bash scripts/services.sh`)");
            sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
    }

    /// `mizan users --database <this> <args>`.
    pub(crate) fn users(&self, args: &[&str], stdin: Option<&str>) -> Outcome {
        let mut all = vec!["users", "--database", &self.url];
        all.extend(args);
        mizan(self.folder.path(), &all, stdin, &[])
    }

    /// `mizan users list --json`, parsed.
    pub(crate) fn listed(&self) -> Vec<Value> {
        let list = self.users(&["list", "--json"], None);
        serde_json::from_str(list.succeeded()).unwrap()
    }

    /// The user as the store holds it, read without the command.
    pub(crate) fn record(&self, who: &str) -> UserRecord {
        block_on(async { Admin::connect(&self.url).await.unwrap().find(who).await })
            .unwrap_or_else(|e| panic!("{who}: {e}"))
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(schema) = &self.schema {
            Self::on_postgres(&format!("DROP SCHEMA {schema} CASCADE"));
        }
    }
}

pub(crate) fn password_is(user: &UserRecord, password: &str) -> bool {
    let hash = user
        .password_hash
        .as_deref()
        .expect("the user has a password");
    Argon2::default()
        .verify_password(password.as_bytes(), &PasswordHash::new(hash).unwrap())
        .is_ok()
}
